"""One epoch of training: a pass of gradient steps over the training data.

:func:`make_epoch` builds the epoch of a ``fit`` or ``partial_fit`` call, one of two
variants with one contract (:class:`Epoch`):

- :class:`MinibatchEpoch` takes a step per batch of rows: the forward pass, the
  output's S_ERROR, the backward pass (:mod:`sk_mlpbp._network`), then the optimizer's
  step of every layer;
- :class:`OnlineEpoch` is the article's online mode on a dense X, one step per
  sample. The rule is the same with a batch of one, but at one sample a step every
  NumPy call costs more than its arithmetic, so this loop is laid out to make as few
  calls as it can (see the class).

Neither sees the estimator: they take the arrays and the optimizer, and train the
weights in place.
"""

from itertools import compress

import numpy as np
from scipy import sparse

from sk_mlpbp._activations import inplace_logistic, logistic_derivative
from sk_mlpbp._loss import output_error_signal, sample_errors
from sk_mlpbp._network import backward, forward
from sk_mlpbp._threads import paced


def make_epoch(
    coefs,
    intercepts,
    X,
    T,
    sample_weight,
    batch_size,
    optimizer,
    shuffle,
    random_state,
    activate_output=True,
    even_batches=False,
):
    """Build the epoch of one ``fit`` or ``partial_fit`` call.

    The parameters are those of :class:`Epoch`.

    Returns
    -------
    epoch : Epoch
        An :class:`OnlineEpoch` for one dense sample a step, else a
        :class:`MinibatchEpoch`.
    """
    online = batch_size == 1 and not sparse.issparse(X)
    kind = OnlineEpoch if online else MinibatchEpoch
    return kind(
        coefs,
        intercepts,
        X,
        T,
        sample_weight,
        batch_size,
        optimizer,
        shuffle,
        random_state,
        activate_output,
        even_batches,
    )


class Epoch:
    """A pass of gradient steps over the training data, in batches of its order.

    The order is shuffled before each pass (with ``shuffle``); batches are its
    consecutive slices, the last one possibly short. A batch of zero total weight
    makes no step. Buffers are allocated once, for every pass.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        The weights and biases, trained in place.

    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training inputs.

    T : ndarray of shape (n_samples, n_outputs)
        Targets (boolean or float).

    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights, or None for equal weights.

    batch_size : int
        Samples per step.

    optimizer : SGDOptimizer
        The update rule.

    shuffle : bool
        Whether to shuffle the sample order before each epoch.

    random_state : RandomState
        The source of the shuffling.

    activate_output : bool, default=True
        Whether the output units are logistic, the article's; else identity
        (``S_postA,O = S_preA,O``, whose derivative is 1).

    even_batches : bool, default=False
        Whether the batches are ``ceil(n_samples / batch_size)`` slices of equal
        size (give or take one row), instead of slices of ``batch_size`` and a
        short last one: a last batch of a few rows takes as large a step on far
        fewer samples, and on small data its noise swings the model from epoch to
        epoch.
    """

    def __init__(
        self,
        coefs,
        intercepts,
        X,
        T,
        sample_weight,
        batch_size,
        optimizer,
        shuffle,
        random_state,
        activate_output=True,
        even_batches=False,
    ):
        self.activate_output = activate_output
        self.coefs, self.intercepts = coefs, intercepts
        self.X, self.T, self.sample_weight = X, T, sample_weight
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.shuffle, self.random_state = shuffle, random_state
        n_samples = X.shape[0]
        self.order = np.arange(n_samples)
        # Where each batch starts in the order, and where the last one ends.
        if even_batches:
            n_batches = -(-n_samples // batch_size)
            edges = np.arange(n_batches + 1) * n_samples // n_batches
        else:
            edges = np.append(np.arange(0, n_samples, batch_size), n_samples)
        self.starts = edges[:-1]
        self.batches = [slice(a, b) for a, b in zip(edges[:-1], edges[1:])]
        self.total_weight = n_samples if sample_weight is None else sample_weight.sum()

    def run(self, guarded=False):
        """Train one epoch.

        Parameters
        ----------
        guarded : bool, default=False
            Whether to take the last epoch's steps again, in the same order, with
            every product guarded against overflow (see
            :func:`sk_mlpbp._network.dot_into`), after the caller has undone an
            epoch whose loss or weights came out NaN. Unguarded steps cost nothing
            extra; products that overflow to NaN need data or weights near the
            limits of floating point.

        Returns
        -------
        loss : float
            The epoch's (weighted) mean per-sample error E, each sample's measured
            in the forward pass of its own step.
        """
        if self.shuffle and not guarded:
            self.random_state.shuffle(self.order)
        kept = None  # every batch
        if self.sample_weight is not None:
            kept = np.add.reduceat(self.sample_weight[self.order], self.starts) > 0
        return self._steps(kept, guarded) / float(self.total_weight)

    def _steps(self, kept, guarded):
        """Take the steps of the epoch's batches, or of those where ``kept`` is True.

        Returns the (weighted) summed error E of their samples.
        """
        raise NotImplementedError


class MinibatchEpoch(Epoch):
    """An epoch of steps on batches of rows (dense or sparse X).

    Each step is the forward pass of the batch, its output S_ERROR, the backward pass
    (:func:`sk_mlpbp._network.backward`, which folds each layer's LR and the samples'
    shares in) and the optimizer's step of every layer. Parameters are those of
    :class:`Epoch`.
    """

    def __init__(self, coefs, intercepts, X, *args):
        # Sparse inputs stay sparse: each batch is sliced from X's rows (CSR), and
        # only its pre-activations and error signals are dense.
        if sparse.issparse(X):
            X = X.tocsr()
        super().__init__(coefs, intercepts, X, *args)
        batch_size, dtype = self.batch_size, X.dtype
        self.sparse = sparse.issparse(X)
        # S_postA[0] receives the gathered input batch (dense X only).
        self.S_postA = [np.empty((0 if self.sparse else batch_size, X.shape[1]), dtype)]
        self.S_postA += [np.empty((batch_size, W.shape[1]), dtype) for W in coefs]
        self.S_ERROR = [np.empty_like(layer) for layer in self.S_postA[1:]]
        self.T_batch = np.empty((batch_size, self.T.shape[1]), dtype)
        self.weight_batch = None
        if self.sample_weight is not None:
            self.weight_batch = np.empty(batch_size, dtype)

    def _steps(self, kept, guarded):
        # A sparse X is put in this epoch's order once (O(nnz)), so that every batch
        # is a contiguous slice of rows rather than a fancy-indexed copy.
        X_ordered = self.X[self.order] if self.sparse and self.shuffle else self.X
        batches = self.batches if kept is None else list(compress(self.batches, kept))
        error_sum = 0.0
        for batch in paced(batches):
            m = batch.stop - batch.start
            rows = self.order[batch]
            if self.sparse:
                inputs = X_ordered[batch]
            else:
                inputs = np.take(
                    self.X, rows, axis=0, out=self.S_postA[0][:m], mode="clip"
                )
            targets = self.T_batch[:m]
            targets[...] = self.T[rows]
            weights = None
            if self.sample_weight is not None:
                weights = np.take(
                    self.sample_weight, rows, out=self.weight_batch[:m], mode="clip"
                )
            error_sum += self._step(inputs, targets, weights, guarded)
        return error_sum

    def _step(self, inputs, targets, weights, guarded):
        """One forward and backward pass over a batch, then one step of every layer.

        Returns the batch's (weighted) summed error E.
        """
        m = inputs.shape[0]
        if m == self.batch_size:
            S_postA, S_ERROR = [inputs, *self.S_postA[1:]], self.S_ERROR
        else:  # a short last batch: the buffers' leading rows
            S_postA = [inputs, *(layer[:m] for layer in self.S_postA[1:])]
            S_ERROR = [layer[:m] for layer in self.S_ERROR]
        forward(
            inputs,
            self.coefs,
            self.intercepts,
            S_postA[1:],
            activate_output=self.activate_output,
            guard=guarded,
        )
        # FE = S_postA,O - T and S_ERROR,O = FE * f_A'(S_preA,O)
        error_sum = output_error_signal(
            S_postA[-1], targets, S_ERROR[-1], weights, self.activate_output
        )
        LR = self.optimizer.learning_rate
        backward(S_postA, S_ERROR, self.coefs, LR, weights, guard=guarded)
        # Only now, with every S_ERROR computed, do the weights move:
        # W = W - LR * gradient, with LR * gradient = S_postA(below).T @ S_ERROR.
        for i in range(len(self.coefs)):
            self.optimizer.update_layer(i, S_postA[i], S_ERROR[i])
        return error_sum


class OnlineEpoch(Epoch):
    """The article's online mode: one step per sample of a dense X.

    The rule is :class:`MinibatchEpoch`'s with a batch of one, laid out for as few
    NumPy calls per sample as it can:

    - each layer's biases are kept as an extra row of its weights,
      ``Wa = [[W], [b]]``, and each layer's inputs end with a constant 1, so
      ``S_preA = [S_postA, 1] @ Wa`` is one product and the step
      ``[S_postA, 1] outer S_ERROR`` moves weights and biases together. Where the
      biases' LR is ``r`` times the weights' (``"auto"`` rates), the constant is
      ``c = sqrt(r)`` and the row holds ``b / c``: the product is the same, and the
      step ``c * S_ERROR`` of the row moves ``b`` by ``r * S_ERROR``;
    - the post-activations of all layers live in one vector, so ``f_A'(S_preA)`` of
      every layer is computed at once after the forward pass;
    - the samples are taken in chunks of the epoch's order, gathered into buffers
      (inputs with their trailing 1, float targets) whose rows are made into views
      once, and the errors E are summed once per chunk.

    The weights are trained in these augmented copies (and the momentum velocities
    likewise), loaded from and written back to ``coefs``, ``intercepts`` and the
    optimizer's velocities by every pass, so an interrupted pass leaves them
    untouched. A step with sample weights is the weighted mean over its one sample,
    so a positive weight cancels out and only scales the sample's error E in the
    loss. Parameters are those of :class:`Epoch`.
    """

    #: Samples gathered at a time: large enough that the gather's cost vanishes,
    #: small enough that the buffers stay in cache and do not grow with the data.
    CHUNK_ROWS = 256

    def __init__(self, coefs, intercepts, X, T, *args):
        super().__init__(coefs, intercepts, X, T, *args)
        dtype = X.dtype
        self.bias = int(self.optimizer.use_bias)
        # Wa = [[W], [b]] (just W without biases), and the W part as a view.
        self.Wa = [np.empty((W.shape[0] + self.bias, W.shape[1]), dtype) for W in coefs]
        self.W = [Wa[: W.shape[0]] for Wa, W in zip(self.Wa, coefs)]
        self.Va = None
        if self.optimizer.velocities is not None:
            self.Va = [np.empty_like(Wa) for Wa in self.Wa]
        self.steps = [np.empty_like(Wa) for Wa in self.Wa]
        # Every layer's post-activations S_postA, each followed by a constant 1 (with
        # biases), in one vector; f_A' of all of them goes into a vector alike.
        sizes = [W.shape[1] for W in coefs]
        ends = np.cumsum([0] + [size + self.bias for size in sizes])
        # The constant input of each layer's biases (see the class docstring).
        self.bias_inputs = [
            np.sqrt(ratio) if self.bias else 1.0
            for ratio in self.optimizer.intercept_ratio
        ]
        self.A = np.ones(ends[-1], dtype)
        if self.bias:  # the slot after each S_postA feeds the next layer's biases
            self.A[ends[1:-1] - 1] = self.bias_inputs[1:]
        self.f_prime_all = np.empty_like(self.A)
        self.S_postA = [self.A[s : s + n] for s, n in zip(ends, sizes)]
        self.S_postA_1 = [self.A[s : s + n + self.bias] for s, n in zip(ends, sizes)]
        self.f_prime = [self.f_prime_all[s : s + n] for s, n in zip(ends, sizes)]
        self.S_ERROR = [np.empty(n, dtype) for n in sizes]
        # Each layer's inputs [S_postA, 1]: the sample's (set per step), then the
        # layers' below.
        self.inputs = [None, *self.S_postA_1[:-1]]
        # Chunk buffers: inputs with their trailing 1, float targets and final
        # errors FE, with the views of their rows made once.
        self.X_chunk = np.full(
            (self.CHUNK_ROWS, X.shape[1] + self.bias), self.bias_inputs[0], dtype
        )
        self.T_chunk = np.empty((self.CHUNK_ROWS, T.shape[1]), dtype)
        self.FE_chunk = np.empty_like(self.T_chunk)
        self.X_rows = list(self.X_chunk)
        self.T_rows = list(self.T_chunk)
        self.FE_rows = list(self.FE_chunk)

    def _augmented(self):
        """Pair each augmented array with the parameters it stands for.

        Yields the weights' part, the weights, the biases' row, the biases and the
        constant input that the row is divided by.
        """
        for i, (W, b) in enumerate(zip(self.coefs, self.intercepts)):
            parts = [(self.Wa[i], W, b)]
            if self.Va is not None:
                parts.append((self.Va[i], *self.optimizer.layer_velocities(i)))
            for augmented, weights, biases in parts:
                n = W.shape[0]
                yield augmented[:n], weights, augmented[n:], biases, self.bias_inputs[i]

    def _steps(self, kept, guarded):
        if guarded:
            # The same steps, one sample a batch, through the guarded products.
            replay = MinibatchEpoch(
                self.coefs,
                self.intercepts,
                self.X,
                self.T,
                self.sample_weight,
                1,
                self.optimizer,
                False,
                self.random_state,
                self.activate_output,
            )
            replay.order = self.order
            return replay._steps(kept, guarded)
        for W_part, W, b_part, b, bias_input in self._augmented():  # load
            W_part[...] = W
            if self.bias:
                np.divide(b, bias_input, out=b_part[0])
        rows = self.order if kept is None else self.order[kept]  # a batch a row
        n_features = self.X.shape[1]
        error_sum = 0.0
        for chunk in range(0, rows.shape[0], self.CHUNK_ROWS):
            chunk_rows = rows[chunk : chunk + self.CHUNK_ROWS]
            m = chunk_rows.shape[0]
            self.X_chunk[:m, :n_features] = self.X[chunk_rows]
            self.T_chunk[:m] = self.T[chunk_rows]
            self._chunk_steps(m)
            errors = sample_errors(self.FE_chunk[:m])
            if self.sample_weight is None:
                error_sum += float(errors.sum())
            else:
                error_sum += float(np.dot(self.sample_weight[chunk_rows], errors))
        for W_part, W, b_part, b, bias_input in self._augmented():  # store
            np.copyto(W, W_part)
            if self.bias:
                np.multiply(b_part[0], bias_input, out=b)
        return error_sum

    def _chunk_steps(self, m):
        """Take the steps of the chunk's first ``m`` samples; FE is left in FE_chunk."""
        optimizer = self.optimizer
        Wa, W, Va, steps, inputs = self.Wa, self.W, self.Va, self.steps, self.inputs
        A, f_prime_all, f_prime = self.A, self.f_prime_all, self.f_prime
        S_postA, S_ERROR = self.S_postA, self.S_ERROR
        S_postA_O, S_ERROR_O, f_prime_O = S_postA[-1], S_ERROR[-1], f_prime[-1]
        layers = list(zip(Wa, S_postA, self.S_postA_1))
        # Identity output units: the last S_preA is S_postA,O, and f_A' there is 1.
        Wa_O, hidden_layers = Wa[-1], layers[:-1]
        activate_output = self.activate_output
        velocities = [None] * len(Wa) if Va is None else Va
        decay = optimizer.alpha > 0
        LR = optimizer.learning_rate
        # S_ERROR of a layer carries its own LR: the backward pass multiplies by the
        # ratio of the rates where they differ (only with per-layer rates).
        hidden = [(i, LR[i - 1] / LR[i]) for i in range(len(Wa) - 1, 0, -1)]
        for j in range(m):
            below = inputs[0] = self.X_rows[j]
            for Wa_i, S, S_1 in hidden_layers:
                np.dot(below, Wa_i, out=S)  # S_preA = [S_postA, 1] @ [[W], [b]]
                inplace_logistic(S)  # S_postA
                below = S_1
            np.dot(below, Wa_O, out=S_postA_O)
            if activate_output:
                inplace_logistic(S_postA_O)
            FE = np.subtract(S_postA_O, self.T_rows[j], out=self.FE_rows[j])
            logistic_derivative(A, out=f_prime_all)  # f_A'(S_preA) of every layer
            # S_ERROR,O = FE * f_A'(S_preA,O), times LR so each product below is
            # LR * gradient, the step.
            if activate_output:
                np.multiply(FE, f_prime_O, out=S_ERROR_O)
                S_ERROR_O *= LR[-1]
            else:
                np.multiply(FE, LR[-1], out=S_ERROR_O)
            for i, ratio in hidden:
                np.dot(W[i], S_ERROR[i], out=S_ERROR[i - 1])
                S_ERROR[i - 1] *= f_prime[i - 1]
                if ratio != 1.0:
                    S_ERROR[i - 1] *= ratio
            # W = W - LR * gradient, weights and biases at once.
            for i, step in enumerate(steps):
                np.multiply.outer(inputs[i], S_ERROR[i], out=step)
                if decay:
                    optimizer.add_decay(i, step[: W[i].shape[0]], W[i])
                optimizer.step(Wa[i], step, velocities[i])
