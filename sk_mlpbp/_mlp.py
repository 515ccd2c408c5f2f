"""MLPBackpropClassifier: the article's logistic multilayer perceptron trained by
backpropagating a sum-of-squares error."""

import time
import warnings
from numbers import Integral, Real

import numpy as np
from scipy.special import expit, log_expit, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from sk_mlpbp._activations import inplace_logistic, inplace_logistic_derivative
from sk_mlpbp._loss import output_error_signal
from sk_mlpbp._optim import SGDOptimizer


class MLPBackpropClassifier(ClassifierMixin, BaseEstimator):
    r"""Multilayer perceptron of logistic units trained by backpropagating a
    sum-of-squares error.

    This is the network of the All About Circuits machine-learning series, after
    Dustin Stansbury's derivation, generalised to any number of hidden layers, biases,
    several output units and minibatches. With ``hidden_layer_sizes=(4,)``,
    ``learning_rate=1``, ``batch_size=1``, ``shuffle=False``, ``use_bias=False`` and
    ``weight_init="uniform"`` it is exactly the article's network and update loop.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_hidden_layers,), default=(100,)
        Number of logistic units in each hidden layer (each an integer >= 1; at
        least one hidden layer). An integer means one hidden layer of that size.

    learning_rate : float, default=0.5
        The article's LR: every step is ``weight = weight - LR * gradient``, where the
        gradient is the mean over the minibatch of the per-sample gradients, so the
        meaning of LR does not change with ``batch_size``.

    batch_size : int or "auto", default="auto"
        Number of samples per gradient step. ``1`` is the article's online mode, one
        update per sample. ``"auto"`` means ``min(16, n_samples)``. An integer larger
        than the number of samples is clipped to it, with a warning.

    max_iter : int, default=1000
        Maximum number of epochs (passes over the training data).

    shuffle : bool, default=True
        Whether to shuffle the samples before each epoch. Batches are consecutive
        slices of the (shuffled) sample order; the last one may be short.

    use_bias : bool, default=True
        Whether the units have biases. ``False`` gives the article's bias-free network:
        the intercepts are initialised to 0 and never updated.

    weight_init : {"glorot", "uniform"}, default="glorot"
        ``"uniform"`` draws every weight from U(-1, 1), as the article's code does.
        ``"glorot"`` draws the weights of a layer with ``fan_in`` inputs and
        ``fan_out`` outputs from U(-b, b), ``b = sqrt(12 / (fan_in + fan_out))``
        (Glorot and Bengio's bound, scaled for logistic units as scikit-learn does).
        Biases always start at 0.

    tol : float, default=1e-4
        Training stops when the epoch loss has not improved by at least ``tol`` on
        the best loss so far for ``n_iter_no_change`` consecutive epochs.

    n_iter_no_change : int or np.inf, default=10
        Number of consecutive epochs without an improvement of ``tol`` after which
        training stops. ``np.inf`` trains for exactly ``max_iter`` epochs.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation and the shuffling. Pass an int for
        reproducible results.

    verbose : bool, default=False
        Whether to print one line per epoch: epoch, loss and elapsed time.

    warm_start : bool, default=False
        When True, ``fit`` continues from the current ``coefs_`` and ``intercepts_``
        (also from weights a user assigned to them, which are copied, never written
        to), and ``n_iter_``, ``t_``, ``loss_curve_`` and ``best_loss_`` carry on
        from the previous call. The classes must be those of the previous fit.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    coefs_ : list of ndarray
        ``coefs_[i]`` of shape (fan_in, fan_out) holds the weights from layer ``i``
        to layer ``i + 1``: ``coefs_[0]`` is the article's ItoH, ``coefs_[-1]`` its
        HtoO.

    intercepts_ : list of ndarray
        ``intercepts_[i]`` of shape (fan_out,) holds the biases of layer ``i + 1``.

    n_iter_ : int
        Number of epochs run (over all ``fit`` calls when ``warm_start=True``).

    loss_curve_ : list of float
        ``loss_curve_[i]`` is the mean per-sample error
        ``E = 1/2 * sum_k (S_postA,O_k - T_k)**2`` over epoch ``i``, each sample's
        error measured in the forward pass of its own step.

    best_loss_ : float
        The smallest value in ``loss_curve_``.

    t_ : int
        Number of training samples seen (over all epochs).

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units: 1 for two classes, ``n_classes`` otherwise.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, defined only when ``X`` has feature
        names that are all strings.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : scikit-learn's MLP, trained on log-loss.

    Notes
    -----
    For one sample with targets :math:`t`, the forward pass computes, layer by layer,
    the pre-activations :math:`S_{preA} = S_{postA}^{below} W + b` and the
    post-activations :math:`S_{postA} = f_A(S_{preA})` with the logistic
    :math:`f_A(s) = 1 / (1 + e^{-s})`. The backward pass is

    .. math::

        FE &= S_{postA,O} - t \\
        S_{ERROR,O} &= FE \odot f_A'(S_{preA,O}) \\
        S_{ERROR,h} &= (S_{ERROR,h+1} W_{h+1}^T) \odot f_A'(S_{preA,h}) \\
        gradient_W &= (S_{postA}^{below})^T S_{ERROR}, \quad gradient_b = S_{ERROR} \\
        W &\leftarrow W - LR \cdot gradient_W

    with :math:`f_A'(s) = f_A(s)(1 - f_A(s))`, the gradient of the error
    :math:`E = \frac{1}{2}\sum_k (S_{postA,O,k} - t_k)^2`. A minibatch step uses the
    mean of its samples' gradients, all computed from the weights as they were before
    the step. Two classes use one output unit (target 1 for ``classes_[1]``); ``K > 2``
    classes use ``K`` units with one-hot targets.

    ``predict`` returns ``classes_[1]`` where the output is strictly greater than 0.5
    (two classes) or the class of the largest normalised output. ``predict_proba``
    returns ``[1 - a, a]`` for two classes and ``a_k / sum_j a_j`` otherwise,
    computed in the log domain so that it stays finite when every output underflows.

    References
    ----------
    .. [1] R. Keim, "Understanding Training Formulas and Backpropagation for
       Multilayer Perceptrons", All About Circuits, machine-learning series.
    .. [2] D. Stansbury, "Derivation: Error Backpropagation & Gradient Descent for
       Neural Networks", The Clever Machine.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sk_mlpbp import MLPBackpropClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), MLPBackpropClassifier(random_state=0))
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    >>> round(float(clf.predict_proba(X[:1]).sum()), 12)
    1.0
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "use_bias": ["boolean"],
        "weight_init": [StrOptions({"glorot", "uniform"})],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        learning_rate=0.5,
        batch_size="auto",
        max_iter=1000,
        shuffle=True,
        use_bias=True,
        weight_init="glorot",
        tol=1e-4,
        n_iter_no_change=10,
        random_state=None,
        verbose=False,
        warm_start=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.use_bias = use_bias
        self.weight_init = weight_init
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network on ``X``, ``y`` by backpropagation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs.

        y : array-like of shape (n_samples,)
            Class labels; at least two classes.

        Returns
        -------
        self : MLPBackpropClassifier
            The fitted estimator.

        Examples
        --------
        >>> from sk_mlpbp import MLPBackpropClassifier, make_article_data
        >>> X, y = make_article_data(199, random_state=0)
        >>> clf = MLPBackpropClassifier((4,), random_state=0).fit(X, y)
        >>> [W.shape for W in clf.coefs_], clf.n_outputs_
        ([(3, 4), (4, 1)], 1)
        """
        hidden_layer_sizes = self._validate_hidden_layer_sizes()
        continuing = self.warm_start and hasattr(self, "coefs_")
        X, y = validate_data(
            self,
            X,
            y,
            dtype=(np.float64, np.float32),
            reset=not (continuing and hasattr(self, "n_features_in_")),
        )
        T = self._encode_targets(y, continuing).astype(X.dtype)
        layer_units = [X.shape[1], *hidden_layer_sizes, T.shape[1]]
        random_state = check_random_state(self.random_state)
        if continuing:
            self._copy_weights_for_warm_start(layer_units, X.dtype)
        else:
            self._initialize_weights(layer_units, X.dtype, random_state)
        if not continuing or not hasattr(self, "loss_curve_"):
            self.n_iter_ = 0
            self.t_ = 0
            self.loss_curve_ = []
            self.best_loss_ = np.inf
        self.n_layers_ = len(layer_units)
        self.n_outputs_ = layer_units[-1]
        # Overflow in a saturated unit is harmless (expit maps +-inf to 1 and 0);
        # weights that stop being finite are caught after every epoch instead.
        with np.errstate(over="ignore", invalid="ignore"):
            self._fit_sgd(X, T, random_state)
        return self

    def _validate_hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        if not sizes or not all(
            isinstance(size, Integral) and not isinstance(size, bool) and size >= 1
            for size in sizes
        ):
            raise ValueError(
                "hidden_layer_sizes must be a positive integer or a non-empty sequence "
                f"of positive integers; got {self.hidden_layer_sizes!r}."
            )
        return [int(size) for size in sizes]

    def _encode_targets(self, y, continuing):
        """Define or check ``classes_`` and return the target matrix T."""
        check_classification_targets(y)
        classes = np.unique(y)
        if continuing and hasattr(self, "classes_"):
            if not np.array_equal(classes, self.classes_):
                raise ValueError(
                    "warm_start needs y to have the classes of the previous fit: "
                    f"{self.classes_.tolist()}; y has {classes.tolist()}."
                )
        elif classes.shape[0] < 2:
            raise ValueError(
                "MLPBackpropClassifier needs samples of at least 2 classes; the data "
                f"contains only one class: {classes[0]!r}."
            )
        self.classes_ = classes
        return LabelBinarizer().fit(classes).transform(y)

    def _initialize_weights(self, layer_units, dtype, random_state):
        self.coefs_ = []
        self.intercepts_ = []
        for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
            if self.weight_init == "uniform":
                bound = 1.0
            else:
                bound = np.sqrt(12.0 / (fan_in + fan_out))
            # Drawn in float64 so that float32 and float64 fits start from the same
            # weights, up to rounding.
            coef = random_state.uniform(-bound, bound, (fan_in, fan_out))
            self.coefs_.append(coef.astype(dtype, copy=False))
            self.intercepts_.append(np.zeros(fan_out, dtype=dtype))

    def _copy_weights_for_warm_start(self, layer_units, dtype):
        """Copy the current (possibly user-assigned) weights, checking their shapes.

        Missing ``intercepts_`` start at 0.
        """
        shapes = list(zip(layer_units[:-1], layer_units[1:]))
        intercepts = getattr(self, "intercepts_", None)
        if intercepts is None:
            intercepts = [np.zeros(fan_out) for _, fan_out in shapes]
        coefs = [np.array(coef, dtype=dtype) for coef in self.coefs_]
        intercepts = [np.array(intercept, dtype=dtype) for intercept in intercepts]
        if [coef.shape for coef in coefs] != shapes or [
            intercept.shape for intercept in intercepts
        ] != [(fan_out,) for _, fan_out in shapes]:
            raise ValueError(
                "warm_start needs coefs_ and intercepts_ shaped for the layer sizes "
                f"{layer_units}; coefs_ have shapes {[c.shape for c in coefs]} and "
                f"intercepts_ {[b.shape for b in intercepts]}."
            )
        self.coefs_ = coefs
        self.intercepts_ = intercepts

    def _resolve_batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(16, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                f"batch_size={self.batch_size} is larger than the {n_samples} "
                "training samples; it is clipped to the number of samples.",
                UserWarning,
            )
            return n_samples
        return self.batch_size

    def _fit_sgd(self, X, T, random_state):
        """Run epochs of minibatch gradient descent until convergence or max_iter."""
        n_samples = X.shape[0]
        batch_size = self._resolve_batch_size(n_samples)
        # Buffers sized for a full batch, allocated once per fit; a short last batch
        # uses their leading rows. S_postA[0] holds the gathered input batch.
        S_postA = [
            np.empty((batch_size, coef.shape[0]), X.dtype) for coef in self.coefs_
        ]
        S_postA.append(np.empty((batch_size, self.n_outputs_), X.dtype))
        S_ERROR = [np.empty_like(layer) for layer in S_postA[1:]]
        T_batch = np.empty((batch_size, self.n_outputs_), X.dtype)
        coef_grads = [np.empty_like(coef) for coef in self.coefs_]
        intercept_grads = [np.empty_like(intercept) for intercept in self.intercepts_]
        params, grads = list(self.coefs_), list(coef_grads)
        if self.use_bias:
            params += self.intercepts_
            grads += intercept_grads
        optimizer = SGDOptimizer(self.learning_rate)

        order = np.arange(n_samples)
        no_improvement = 0
        start = time.perf_counter()
        for _ in range(self.max_iter):
            if self.shuffle:
                random_state.shuffle(order)
            error_sum = 0.0
            for batch in gen_batches(n_samples, batch_size):
                rows = order[batch]
                m = rows.shape[0]
                np.take(X, rows, axis=0, out=S_postA[0][:m], mode="clip")
                np.take(T, rows, axis=0, out=T_batch[:m], mode="clip")
                error_sum += self._backprop(
                    [layer[:m] for layer in S_postA],
                    [layer[:m] for layer in S_ERROR],
                    T_batch[:m],
                    coef_grads,
                    intercept_grads,
                )
                optimizer.update_params(params, grads)
            self._check_finite()
            self.n_iter_ += 1
            self.t_ += n_samples
            loss = error_sum / n_samples
            self.loss_curve_.append(loss)
            if self.verbose:
                print(
                    f"Epoch {self.n_iter_}, loss = {loss:.8f}, "
                    f"time = {time.perf_counter() - start:.2f}s"
                )
            if loss > self.best_loss_ - self.tol:
                no_improvement += 1
            else:
                no_improvement = 0
            self.best_loss_ = min(self.best_loss_, loss)
            if no_improvement >= self.n_iter_no_change:
                if self.verbose:
                    print(
                        f"Training loss did not improve by tol={self.tol} for "
                        f"{self.n_iter_no_change} consecutive epochs. Stopping."
                    )
                return
        warnings.warn(
            f"MLPBackpropClassifier: the maximum number of epochs "
            f"(max_iter={self.max_iter}) was reached before the training loss "
            "converged.",
            ConvergenceWarning,
        )

    def _backprop(self, S_postA, S_ERROR, T, coef_grads, intercept_grads):
        """One forward and backward pass over a batch.

        ``S_postA[0]`` holds the batch's inputs; the other ``S_postA[i]`` and all
        ``S_ERROR[i]`` are filled in place. The mean gradients land in ``coef_grads``
        and ``intercept_grads``. Returns the batch's summed error E.
        """
        n_layers = len(self.coefs_)
        for i in range(n_layers):
            # S_preA = S_postA(below) @ W + b, then S_postA = f_A(S_preA), in place.
            S_preA = np.dot(S_postA[i], self.coefs_[i], out=S_postA[i + 1])
            S_preA += self.intercepts_[i]
            inplace_logistic(S_preA)

        error_sum = output_error_signal(S_postA[-1], T, out=S_ERROR[-1])
        inv_m = 1.0 / T.shape[0]
        for i in range(n_layers - 1, -1, -1):
            # gradient = S_postA(below).T @ S_ERROR, averaged over the batch.
            np.dot(S_postA[i].T, S_ERROR[i], out=coef_grads[i])
            coef_grads[i] *= inv_m
            if self.use_bias:
                np.mean(S_ERROR[i], axis=0, out=intercept_grads[i])
            if i > 0:
                # Error signal of the layer below, from the weights before this step.
                np.dot(S_ERROR[i], self.coefs_[i].T, out=S_ERROR[i - 1])
                inplace_logistic_derivative(S_postA[i], S_ERROR[i - 1])
        return error_sum

    def _check_finite(self):
        if not all(np.isfinite(coef).all() for coef in self.coefs_) or not all(
            np.isfinite(intercept).all() for intercept in self.intercepts_
        ):
            raise ValueError(
                "Training diverged: the weights are no longer finite. Lower "
                f"learning_rate (now {self.learning_rate}) or scale the inputs, "
                "e.g. with sklearn.preprocessing.StandardScaler."
            )

    def _output_preactivation(self, X):
        """Forward pass; returns the output units' pre-activations S_preA,O."""
        S_postA = X
        last = len(self.coefs_) - 1
        for i, (coef, intercept) in enumerate(zip(self.coefs_, self.intercepts_)):
            S_preA = S_postA @ coef
            S_preA += intercept
            if i == last:
                return S_preA
            inplace_logistic(S_preA)
            S_postA = S_preA

    def predict_proba(self, X):
        """Probability estimates from the output units.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            For two classes ``[1 - a, a]`` with ``a`` the output unit's
            post-activation; otherwise the outputs normalised to sum to 1,
            ``a_k / sum_j a_j``.

        Examples
        --------
        >>> from sk_mlpbp import MLPBackpropClassifier
        >>> X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
        >>> clf = MLPBackpropClassifier((3,), random_state=0).fit(X, y)
        >>> clf.predict_proba([[0.0], [3.0]]).shape
        (2, 2)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=(np.float64, np.float32), reset=False)
        S_preA_O = self._output_preactivation(X)
        if self.n_outputs_ == 1:
            S_postA_O = expit(S_preA_O)
            return np.hstack([1 - S_postA_O, S_postA_O])
        # a_k / sum_j a_j == softmax(log a), and log a = log_expit(S_preA,O) stays
        # finite where a itself underflows to 0.
        return softmax(log_expit(S_preA_O), axis=1)

    def predict_log_proba(self, X):
        """Logarithm of the probability estimates of ``predict_proba``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``; ``-inf`` where a probability is exactly 0.

        Examples
        --------
        >>> from sk_mlpbp import MLPBackpropClassifier
        >>> X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
        >>> clf = MLPBackpropClassifier((3,), random_state=0).fit(X, y)
        >>> bool((clf.predict_log_proba(X) <= 0).all())
        True
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba)

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            For two classes ``classes_[1]`` where the output is strictly greater than
            0.5, else ``classes_[0]``; otherwise the class of the largest output.

        Examples
        --------
        >>> from sk_mlpbp import MLPBackpropClassifier
        >>> X, y = [[0.0], [1.0], [2.0], [3.0]], ["a", "a", "b", "b"]
        >>> clf = MLPBackpropClassifier((3,), random_state=0).fit(X, y)
        >>> clf.predict([[0.0], [3.0]]).tolist()
        ['a', 'b']
        """
        proba = self.predict_proba(X)
        if self.n_outputs_ == 1:
            return self.classes_[(proba[:, 1] > 0.5).astype(np.intp)]
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y, sample_weight=None):
        """Accuracy of ``predict(X)`` against ``y``: the article's validation accuracy.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        y : array-like of shape (n_samples,)
            True class labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the mean.

        Returns
        -------
        score : float
            Fraction of samples classified correctly.

        Examples
        --------
        >>> from sk_mlpbp import MLPBackpropClassifier, make_article_data
        >>> X_train, y_train = make_article_data(199, random_state=0)
        >>> X_valid, y_valid = make_article_data(199, random_state=1)
        >>> clf = MLPBackpropClassifier((4,), random_state=0).fit(X_train, y_train)
        >>> clf.score(X_valid, y_valid) > 0.95
        True
        """
        return super().score(X, y, sample_weight=sample_weight)
