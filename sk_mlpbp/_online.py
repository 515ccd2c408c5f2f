"""The article's online mode: one gradient step per sample of a dense X.

At one sample a step, every NumPy call costs more than its arithmetic, so this loop is
laid out to make as few calls as it can; the rule is the one of
``MLPBackpropClassifier._backprop`` with a batch of one:

- each layer's biases are kept as an extra row of its weights, ``Wa = [[W], [b]]``,
  and each layer's inputs end with a constant 1, so ``S_preA = [S_postA, 1] @ Wa`` is
  one product and the step ``[S_postA, 1] outer S_ERROR`` moves weights and biases
  together;
- the post-activations of all layers live in one vector, so ``f_A'(S_preA)`` of every
  layer is computed at once after the forward pass;
- the samples are taken in chunks of the epoch's order, gathered into buffers (inputs
  with their trailing 1, float targets) whose rows are made into views once per fit,
  and the errors E are summed once per chunk.
"""

import numpy as np

from sk_mlpbp._activations import inplace_logistic, logistic_derivative
from sk_mlpbp._loss import sample_errors

# Samples gathered at a time: large enough that the gather's cost vanishes, small
# enough that the buffers stay in cache and do not grow with the data.
_CHUNK_ROWS = 256


class OnlineEpoch:
    """One step per sample over a dense X, in a given order.

    The weights are trained in private augmented copies ``Wa`` (and velocities
    ``Va``), loaded from and written back to ``coefs``, ``intercepts`` and the
    optimizer's velocities by every ``run``, so an interrupted epoch leaves the
    estimator's arrays untouched.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        The estimator's weights and biases.

    X : ndarray of shape (n_samples, n_features)
        Training inputs.

    T : ndarray of shape (n_samples, n_outputs)
        Targets (boolean or float).

    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights. A step is the weighted mean over its one sample, so a positive
        weight cancels out and only scales the sample's error E in the loss; a zero
        weight skips the sample.

    optimizer : SGDOptimizer
        The update rule (learning rate, L2 penalty, momentum).

    use_bias : bool
        Whether the biases are trained.
    """

    def __init__(self, coefs, intercepts, X, T, sample_weight, optimizer, use_bias):
        self.coefs, self.intercepts = coefs, intercepts
        self.X, self.T, self.sample_weight = X, T, sample_weight
        self.optimizer = optimizer
        dtype = X.dtype
        self.bias = int(use_bias)
        # Wa = [[W], [b]] (just W without biases), and the W part as a view.
        self.Wa = [np.empty((W.shape[0] + self.bias, W.shape[1]), dtype) for W in coefs]
        self.W = [Wa[: W.shape[0]] for Wa, W in zip(self.Wa, coefs)]
        self.Va = (
            None
            if optimizer.velocities is None
            else [np.empty_like(Wa) for Wa in self.Wa]
        )
        self.steps = [np.empty_like(Wa) for Wa in self.Wa]
        # Every layer's post-activations S_postA, each followed by a constant 1 (with
        # biases), in one vector; f_A' of all of them goes into a vector alike.
        sizes = [W.shape[1] for W in coefs]
        starts = np.cumsum([0] + [size + self.bias for size in sizes])
        self.A = np.ones(starts[-1], dtype)
        self.f_prime_all = np.empty_like(self.A)
        self.S_postA = [self.A[s : s + n] for s, n in zip(starts, sizes)]
        self.S_postA_1 = [self.A[s : s + n + self.bias] for s, n in zip(starts, sizes)]
        self.f_prime = [self.f_prime_all[s : s + n] for s, n in zip(starts, sizes)]
        self.S_ERROR = [np.empty(n, dtype) for n in sizes]
        # Each layer's inputs [S_postA, 1]: the sample's (set per step), then the
        # layers' below.
        self.inputs = [None, *self.S_postA_1[:-1]]
        # Chunk buffers: inputs with their trailing 1, float targets and final
        # errors FE, with the views of their rows made once.
        self.X_chunk = np.ones((_CHUNK_ROWS, X.shape[1] + self.bias), dtype)
        self.T_chunk = np.empty((_CHUNK_ROWS, T.shape[1]), dtype)
        self.FE_chunk = np.empty_like(self.T_chunk)
        self.X_rows = list(self.X_chunk)
        self.T_rows = list(self.T_chunk)
        self.FE_rows = list(self.FE_chunk)

    def _load(self):
        """Copy the weights, biases and velocities into their augmented form."""
        n_layers = len(self.coefs)
        for i, (Wa, W) in enumerate(zip(self.Wa, self.coefs)):
            Wa[: W.shape[0]] = W
            if self.bias:
                Wa[-1] = self.intercepts[i]
            if self.Va is not None:
                self.Va[i][: W.shape[0]] = self.optimizer.velocities[i]
                if self.bias:
                    self.Va[i][-1] = self.optimizer.velocities[n_layers + i]

    def _store(self):
        """Write the trained augmented arrays back to the estimator's."""
        n_layers = len(self.coefs)
        for i, (Wa, W) in enumerate(zip(self.Wa, self.coefs)):
            np.copyto(W, Wa[: W.shape[0]])
            if self.bias:
                np.copyto(self.intercepts[i], Wa[-1])
            if self.Va is not None:
                np.copyto(self.optimizer.velocities[i], self.Va[i][: W.shape[0]])
                if self.bias:
                    np.copyto(self.optimizer.velocities[n_layers + i], self.Va[i][-1])

    def run(self, order):
        """Take one step per sample, in ``order``; return the (weighted) summed E."""
        self._load()
        n_features = self.X.shape[1]
        error_sum = 0.0
        for start in range(0, len(order), _CHUNK_ROWS):
            rows = order[start : start + _CHUNK_ROWS]
            m = len(rows)
            self.X_chunk[:m, :n_features] = self.X[rows]
            self.T_chunk[:m] = self.T[rows]
            if self.sample_weight is None:
                self._steps(m, None)
                error_sum += float(sample_errors(self.FE_chunk[:m]).sum())
            else:
                weights = self.sample_weight[rows]
                self._steps(m, weights.tolist())
                error_sum += float(np.dot(weights, sample_errors(self.FE_chunk[:m])))
        self._store()
        return error_sum

    def _steps(self, m, weights):
        """The steps of the chunk's first ``m`` samples; FE is left in FE_chunk."""
        optimizer = self.optimizer
        Wa, W, Va, steps, inputs = self.Wa, self.W, self.Va, self.steps, self.inputs
        A, f_prime_all, f_prime = self.A, self.f_prime_all, self.f_prime
        S_postA, S_postA_1, S_ERROR = self.S_postA, self.S_postA_1, self.S_ERROR
        S_postA_O, S_ERROR_O, f_prime_O = S_postA[-1], S_ERROR[-1], f_prime[-1]
        layers = list(zip(Wa, S_postA, S_postA_1))
        LR = optimizer.learning_rate
        # S_ERROR of a layer carries its own LR: the backward pass multiplies by the
        # ratio of the rates where they differ (only with per-layer rates).
        hidden = [(i, LR[i - 1] / LR[i]) for i in range(len(Wa) - 1, 0, -1)]
        decays = [LR_i * optimizer.alpha for LR_i in LR]
        plain = Va is None
        for j in range(m):
            FE = self.FE_rows[j]
            if weights is not None and weights[j] == 0:
                FE.fill(0)  # a batch of zero total weight makes no step
                continue
            below = inputs[0] = self.X_rows[j]
            for Wa_i, S, S_1 in layers:
                np.dot(below, Wa_i, out=S)  # S_preA = [S_postA, 1] @ [[W], [b]]
                inplace_logistic(S)  # S_postA
                below = S_1
            np.subtract(S_postA_O, self.T_rows[j], out=FE)  # FE
            logistic_derivative(A, out=f_prime_all)  # f_A'(S_preA) of every layer
            # S_ERROR,O = FE * f_A'(S_preA,O), times LR so each product below is
            # LR * gradient, the step.
            np.multiply(FE, f_prime_O, out=S_ERROR_O)
            S_ERROR_O *= LR[-1]
            for i, ratio in hidden:
                np.dot(W[i], S_ERROR[i], out=S_ERROR[i - 1])
                S_ERROR[i - 1] *= f_prime[i - 1]
                if ratio != 1.0:
                    S_ERROR[i - 1] *= ratio
            # W = W - LR * gradient, weights and biases at once.
            for i, step in enumerate(steps):
                np.multiply.outer(inputs[i], S_ERROR[i], out=step)
                if decays[i]:
                    step[: W[i].shape[0]] += decays[i] * W[i]
                if plain:
                    Wa[i] -= step
                else:
                    optimizer.step(Wa[i], step, Va[i])
