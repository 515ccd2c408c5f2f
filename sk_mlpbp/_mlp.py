"""The estimators: MLPBackpropClassifier and MLPBackpropRegressor.

Each holds only what makes it a classifier or a regressor: its parameters' defaults,
its targets (classes and their target matrix T, or a target scaling), its output
units, its scores and its prediction methods. What they share, the conductor of
training, is :class:`sk_mlpbp._base.BaseMLPBackprop`.
"""

import numpy as np
from scipy import sparse
from scipy.special import expit, log_expit, softmax
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils import check_array, column_or_1d
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from sk_mlpbp._base import BaseMLPBackprop
from sk_mlpbp._calibration import constant_outputs
from sk_mlpbp._validation import (
    checked_class_weight,
    checked_classes,
    rescaled_weights,
    weights_in,
)


class MLPBackpropClassifier(ClassifierMixin, BaseMLPBackprop):
    r"""Logistic multilayer perceptron trained by backpropagating a squared error.

    This is the network of the All About Circuits machine-learning series, after
    Dustin Stansbury's derivation, generalised to any number of hidden layers, biases,
    several output units and minibatches. With ``hidden_layer_sizes=(4,)``,
    ``learning_rate=1``, ``batch_size=1``, ``shuffle=False``, ``use_bias=False`` and
    ``weight_init="uniform"`` it is exactly the article's network and update loop.

    Its defaults start training where this network learns best (LeCun et al.,
    "Efficient BackProp", 1998): weights drawn to the scale of the data, so every
    unit starts in the logistic's linear range, and one LR per layer from the
    curvature of the error along that layer's weights; each step is still
    ``W = W - LR * gradient``.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_hidden_layers,), default=(100,)
        Number of logistic units in each hidden layer (each an integer >= 1; at
        least one hidden layer). An integer means one hidden layer of that size.
        ``fit`` refuses, before allocating anything, a network whose weights (with
        their per-epoch snapshot) would not fit in the machine's memory.

    learning_rate : "auto", float or array-like of shape (n_layers - 1,), default="auto"
        The article's LR: every step is ``weight = weight - LR * gradient``, where the
        gradient is the mean over the minibatch of the per-sample gradients, so the
        meaning of LR does not change with ``batch_size``. A float is the LR of every
        layer, as in the article; a sequence gives one LR per layer (``coefs_[i]``
        and ``intercepts_[i]`` move by ``learning_rate[i] * gradient``).
        ``"auto"`` sets each layer's LR to ``1 / curvature``, the curvature of the
        mean error along that layer's weights at the start of training, measured on
        up to 1,000 training rows, and its biases' LR from the curvature along them
        (see Notes), so that inputs in other units (X times a constant) train the
        same model; ``learning_rates_`` and ``intercept_learning_rates_`` hold the
        result. With a number or a sequence, the biases share their layer's LR.

    batch_size : int or "auto", default="auto"
        Number of samples per gradient step. ``1`` is the article's online mode, one
        update per sample. ``"auto"`` trains full-batch on up to 64 samples and
        otherwise in batches of 32, made larger by the sample weights' design effect
        ``mean(w**2) / mean(w)**2`` when weights are unequal (so that a weighted
        batch is no noisier), at most 8 times (256): beyond that a few heavy samples
        dominate whichever batch they are in, and larger batches only take fewer
        steps. An integer larger than the number of samples is
        clipped to it, with a warning in ``fit``.

    max_iter : int, default=1000
        Maximum number of epochs (passes over the training data).

    shuffle : bool, default=True
        Whether to shuffle the samples before each epoch. Batches are consecutive
        slices of the (shuffled) sample order; the last one may be short.

    use_bias : bool, default=True
        Whether the units have biases. ``False`` gives the article's bias-free network:
        the intercepts are initialised to 0 and never updated.

    weight_init : {"data", "glorot", "uniform"}, default="data"
        ``"uniform"`` draws every weight from U(-1, 1), as the article's code does.
        ``"glorot"`` draws the weights of a layer with ``fan_in`` inputs and
        ``fan_out`` outputs from U(-b, b), ``b = sqrt(12 / (fan_in + fan_out))``.
        ``"data"`` draws each layer's weights from U(-b, b) with
        ``b = sqrt(3 / E||x||^2)``, ``x`` the layer's inputs on up to 1,000 training
        rows, so that every unit's S_preA starts with a root mean square of 1, in
        the logistic's linear range, whatever the scale of X. Biases always start at
        0.

    tol : float, default=1e-4
        Training stops when the mean epoch loss of the last ``n_iter_no_change``
        epochs (once there are that many) has not improved by at least ``tol`` on
        its best value so far for
        ``n_iter_no_change`` consecutive epochs, and the loss is off the
        constant-output plateau (see Notes).

    n_iter_no_change : int or np.inf, default=10
        Number of consecutive epochs without an improvement of ``tol`` after which
        training stops, and the number of epochs the watched mean loss averages.
        ``np.inf`` trains for exactly ``max_iter`` epochs.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation and the shuffling. Pass an int for
        reproducible results.

    verbose : bool, default=False
        Whether to print one line per epoch: epoch, loss, validation accuracy and
        loss when there are validation data, and elapsed time.

    warm_start : bool, default=False
        When True, ``fit`` continues from the current ``coefs_`` and ``intercepts_``
        (also from weights a user assigned to them, which are copied, never written
        to), and ``n_iter_``, ``t_``, ``loss_curve_`` and ``best_loss_`` carry on
        from the previous call, and so do the momentum velocities; the best-epoch
        record (the weights early stopping keeps, ``best_validation_score_``, the
        stopping rule's best) starts again, so that a fit on new data is judged on
        its own epochs. The learning rate
        and its schedule restart from ``learning_rate`` (for ``"auto"``, from the
        rates calibrated when the network was initialised), as in scikit-learn's MLP;
        ``partial_fit`` continues at the current rate instead. The classes must be
        those of the previous fit.

    momentum : float, default=0.0
        Momentum in [0, 1] (the article has none). Each parameter keeps a velocity
        ``v = momentum * v - LR * gradient`` and moves by ``v``, or with
        ``nesterovs_momentum`` by ``momentum * v - LR * gradient`` (biases too).
        Velocities start at zero in ``fit`` and persist across ``partial_fit`` calls
        and warm starts.

    nesterovs_momentum : bool, default=True
        Whether to use Nesterov's momentum (only matters when ``momentum > 0``).

    alpha : float, default=0.0
        L2 penalty: ``alpha * W`` is added to the gradient of every weight matrix
        (not to the biases). ``loss_curve_`` reports the error E without the penalty.

    learning_rate_schedule : {"constant", "invscaling", "adaptive"}, default="constant"
        ``"constant"`` keeps LR; ``"invscaling"`` sets
        ``LR = learning_rate / (t + 1) ** power_t`` after every epoch, ``t`` the
        number of samples seen since the schedule started (the start of ``fit``, or
        the first ``partial_fit``); ``"adaptive"`` divides LR by 5 whenever the
        stopping rule would stop (instead of stopping), and stops once no layer's LR
        is above 1e-6. These are scikit-learn's meanings, applied to every layer's
        LR.

    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.

    early_stopping : bool or "auto", default="auto"
        Stop on validation data and return to the weights of the best epoch. The
        validation data are ``X_val, y_val`` when passed to ``fit``, otherwise a
        stratified ``validation_fraction`` of the training data. ``True`` stops when
        the validation accuracy has not improved by ``tol`` for ``n_iter_no_change``
        epochs and keeps the most accurate epoch (scikit-learn's MLP rule).
        ``"auto"`` watches the validation loss E instead, as the training loss is
        watched (its mean over the last ``n_iter_no_change`` epochs), and keeps the
        epoch of the lowest validation loss (as HistGradientBoosting does); it is on
        when the validation data count at least 25 samples per class (50 for two
        classes and for multilabel targets), divided by their weights' design effect
        ``mean(w**2) / mean(w)**2`` (at least 500 unweighted training samples for
        two classes with the default ``validation_fraction``), and
        ``max_iter > n_iter_no_change``; otherwise, and when a stratified hold-out
        cannot keep every class on both sides, training watches its own loss (which
        ``verbose`` says).
        ``partial_fit`` never holds data out.

    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping when ``fit`` gets
        no ``X_val``; in (0, 1).

    class_weight : dict, "balanced" or None, default=None
        Multiplies each sample's weight by the weight of its class (finite and
        non-negative; NaN, infinite or negative values are refused). ``"balanced"``
        uses ``n_samples / (n_classes * np.bincount(y))`` as
        :func:`sklearn.utils.class_weight.compute_class_weight` does (not available
        in ``partial_fit``, which sees one chunk at a time).

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
        ``E = 1/2 * sum_k (S_postA,O_k - T_k)**2`` over epoch ``i`` (weighted by
        ``sample_weight`` when given), each sample's error measured in the forward
        pass of its own step.

    best_loss_ : float
        The smallest value in ``loss_curve_``.

    learning_rates_ : list of float
        The LR of each layer's weights ``coefs_[i]`` at the start of the last
        ``fit`` (or first ``partial_fit``): ``learning_rate`` itself, or the
        calibrated rates for ``"auto"``.

    intercept_learning_rates_ : list of float
        The LR of each layer's biases ``intercepts_[i]``, likewise: the same as
        ``learning_rates_`` unless ``learning_rate="auto"``. Schedules move both.

    validation_scores_ : list of float or None
        Accuracy on the validation data after each epoch, when ``fit`` had
        validation data (``X_val``, or a hold-out for early stopping); None
        otherwise.

    validation_loss_curve_ : list of float or None
        Mean per-sample error E on the validation data after each epoch, when
        ``fit`` had validation data; None otherwise.

    best_validation_score_ : float or None
        The best value in ``validation_scores_``; with ``early_stopping=True`` the
        model holds that epoch's weights, so ``score(X_val, y_val)`` equals it. When
        ``early_stopping="auto"`` stops on the validation loss, it is the accuracy of
        the epoch the model keeps, the one of the lowest validation loss.

    t_ : int
        Number of training samples seen (over all epochs).

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units: 1 for two classes, ``n_classes`` otherwise.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
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

    With ``learning_rate="auto"``, layer ``l`` gets :math:`LR_l = 1 / c_l`, the
    inverse of the curvature of the mean error along its weights in the Gauss-Newton
    approximation, measured once before the first step (LeCun et al.'s optimal rate
    for the steepest direction), and its biases the inverse of the curvature along
    them, :math:`1 / (\kappa_l \max_j g_{l,j})`:

    .. math::

        c_l = \kappa_l \lambda_l \max_j g_{l,j}, \quad
        g_{L,k} = E[f_A'(S_{preA,O,k})^2], \quad
        g_{l,j} = E[f_A'(S_{preA,l,j})^2] \sum_k W_{l+1,jk}^2 \, g_{l+1,k}

    with :math:`\lambda_l = \lambda_{max}(E[x_l x_l^T])` for the layer's inputs
    :math:`x_l`, and :math:`\kappa_l \in [1, 2]` the largest eigenvalue of the
    second moment of :math:`[x_l / \sqrt{\lambda_l}, 1]` (1 for inputs of mean 0),
    as weights and biases share each step; plus ``alpha`` for the weights. The
    curvature along the biases, whose input is 1, does not change with the units of
    X, while the weights' follows their square, so X times any constant trains the
    same network (its first weights divided by the constant), exactly so for a power
    of two. A hidden layer's curvature grows as the weights above it grow during
    training, so hidden layers (weights and biases) are set for 16 times their
    starting curvature. Their LR is still far larger than the output layer's:
    every layer S_ERROR passes down multiplies it by :math:`f_A' \le 1/4` and by
    small weights.

    Training never stops on the plateau where the sum-of-squares error first
    settles, the best constant output: while the training loss (its mean over the
    last ``n_iter_no_change`` epochs) is above 0.9 times that output's error
    :math:`\frac{1}{2}\sum_k \mathrm{var}(t_k)`, the stopping rule waits; and
    ``fit`` warns when the model it returns, measured on its training data (every
    row, unless 1,000 evenly spaced ones already put it under half the threshold),
    is still above it. A label (of an indicator matrix ``y``) that never varies in the
    training data is the exact constant it is: its output unit gets weights 0 and a
    bias of -40 (or 40), where its output is 0 (or 1) to 4e-18 and its steps are
    nil; a warm start on data where the label varies trains the unit again from 0.

    ``predict`` returns ``classes_[1]`` where the output is strictly greater than 0.5
    (two classes) or the class of the largest normalised output. ``predict_proba``
    returns ``[1 - a, a]`` for two classes and ``a_k / sum_j a_j`` otherwise; rows
    whose outputs all underflow get the same ratio from the log domain, so every row
    stays finite and sums to 1.

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
        **BaseMLPBackprop._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    _score_name = "validation accuracy"
    _fitted_attributes = ("coefs_", "intercepts_", "classes_", "n_outputs_")
    # The classes, and whether they are the labels of an indicator matrix.
    _target_attributes = ("classes_", "_multilabel")

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        learning_rate="auto",
        batch_size="auto",
        max_iter=1000,
        shuffle=True,
        use_bias=True,
        weight_init="data",
        tol=1e-4,
        n_iter_no_change=10,
        random_state=None,
        verbose=False,
        warm_start=False,
        momentum=0.0,
        nesterovs_momentum=True,
        alpha=0.0,
        learning_rate_schedule="constant",
        power_t=0.5,
        early_stopping="auto",
        validation_fraction=0.1,
        class_weight=None,
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
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.alpha = alpha
        self.learning_rate_schedule = learning_rate_schedule
        self.power_t = power_t
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Train the network on ``X``, ``y`` by backpropagation.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs.

        y : array-like of shape (n_samples,)
            Class labels; at least two classes.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights: a batch's gradient is the weighted mean
            ``sum(s_i * gradient_i) / sum(s_i)``; a batch whose weights sum to 0
            makes no step. With full-batch training, integer weights equal repeating
            the rows.

        X_val : {array-like, sparse matrix} of shape (n_val, n_features), default=None
            Validation inputs: their accuracy and error are recorded after every
            epoch (``validation_scores_``, ``validation_loss_curve_``), and with
            ``early_stopping=True`` they decide when to stop.

        y_val : array-like of shape (n_val,), default=None
            Validation labels, all among the training classes.

        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples in their accuracy and error.

        Returns
        -------
        self : MLPBackpropClassifier
            The fitted estimator.

        Examples
        --------
        >>> from sk_mlpbp import MLPBackpropClassifier, make_article_data
        >>> X, y = make_article_data(199, random_state=0)
        >>> X_val, y_val = make_article_data(199, random_state=1)
        >>> clf = MLPBackpropClassifier((4,), random_state=0)
        >>> clf = clf.fit(X, y, X_val=X_val, y_val=y_val)
        >>> [W.shape for W in clf.coefs_], clf.n_outputs_
        ([(3, 4), (4, 1)], 1)
        >>> len(clf.validation_scores_) == clf.n_iter_
        True
        """
        return self._fit(
            X,
            y,
            sample_weight,
            validation=(X_val, y_val, sample_weight_val),
            partial=False,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch over ``X``, ``y``, continuing from the current state.

        The first call initialises the network; later calls never re-initialise
        it. Weights, momentum velocities, the learning-rate schedule, ``n_iter_``,
        ``t_`` and ``loss_curve_`` carry on from call to call.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs of this chunk.

        y : array-like of shape (n_samples,)
            Their labels, all among ``classes``.

        classes : array-like of shape (n_classes,), default=None
            Every class that will ever be seen; required on the first call, and if
            given later it must be the same.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights, as in ``fit``.

        Returns
        -------
        self : MLPBackpropClassifier
            The updated estimator.

        Examples
        --------
        >>> from sk_mlpbp import MLPBackpropClassifier, make_article_data
        >>> X, y = make_article_data(200, random_state=0)
        >>> clf = MLPBackpropClassifier((4,), random_state=0)
        >>> for chunk in range(4):
        ...     rows = slice(50 * chunk, 50 * (chunk + 1))
        ...     clf = clf.partial_fit(X[rows], y[rows], classes=[0, 1])
        >>> clf.n_iter_, clf.t_
        (4, 200)
        """
        if self.early_stopping is True:
            raise ValueError(
                "partial_fit does not support early_stopping=True: it trains one "
                "epoch per call; evaluate the model between calls instead."
            )
        return self._fit(
            X, y, sample_weight, validation=None, partial=True, classes=classes
        )

    def _encode_targets(self, y, mode, classes, sample_weight=None):
        """Define or check ``classes_`` and return the target matrix T."""
        check_classification_targets(y)
        target_type = type_of_target(y)
        if target_type not in ("binary", "multiclass", "multilabel-indicator"):
            raise ValueError(
                "y must be class labels of shape (n_samples,) or a multilabel "
                f"indicator matrix; got {target_type!r} targets of shape {y.shape}. "
                "For several outputs of several classes each, use "
                "sklearn.multioutput.MultiOutputClassifier(MLPBackpropClassifier())."
            )
        multilabel = target_type == "multilabel-indicator"
        seen = np.arange(y.shape[1]) if multilabel else np.unique(y)
        if classes is not None:
            classes = checked_classes(classes)
        if mode.continuing and hasattr(self, "classes_"):
            if multilabel != self._multilabel:
                raise ValueError(
                    "y must be a label indicator matrix exactly when the earlier "
                    f"calls had one; got {type_of_target(y)!r} targets."
                )
            if classes is not None and not np.array_equal(classes, self.classes_):
                raise ValueError(
                    f"classes={classes.tolist()} differs from the classes of the "
                    f"earlier calls, {self.classes_.tolist()}."
                )
            if not mode.partial and not np.array_equal(seen, self.classes_):
                raise ValueError(
                    "warm_start needs y to have the classes of the previous fit: "
                    f"{self.classes_.tolist()}; y has {seen.tolist()}."
                )
        elif mode.partial:
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit: every "
                    "class the model will ever see (for an indicator matrix y, "
                    "range(n_labels))."
                )
            if multilabel and not np.array_equal(classes, seen):
                raise ValueError(
                    f"For an indicator matrix y of {seen.shape[0]} labels, classes "
                    f"must be range({seen.shape[0]}); got {classes.tolist()}."
                )
            self.classes_, self._multilabel = classes, multilabel
        else:
            self.classes_, self._multilabel = seen, multilabel
        if self.classes_.shape[0] < 2:
            raise ValueError(
                "MLPBackpropClassifier needs samples of at least 2 classes; the data "
                f"contains only one class: {self.classes_[0]!r}."
            )
        return self._target_matrix(y, "y")

    def _target_matrix(self, y, name):
        """Check that the labels ``y`` are known and return their target matrix T.

        Two classes give one 0/1 column (1 for ``classes_[1]``), more classes one-hot
        columns, and an indicator matrix is its own target. T is boolean, one byte a
        target, so that it costs little beside X; batches gather it as floats.
        """
        target_type = type_of_target(y, input_name=name)
        if self._multilabel:
            if y.ndim != 2 or y.shape[1] != self.classes_.shape[0]:
                raise ValueError(
                    f"{name} must be an indicator matrix of {self.classes_.shape[0]} "
                    f"labels; got shape {y.shape}."
                )
            # An indicator matrix holds at most two integral values: 0s and 1s when
            # they lie in [0, 1] (checked without a temporary the size of y).
            indicator = target_type == "multilabel-indicator"
            if not (indicator and y.min() >= 0 and y.max() <= 1):
                raise ValueError(
                    f"{name} must be an indicator matrix of 0s and 1s, as y was; got "
                    f"{target_type!r} targets."
                )
            return y.astype(bool)
        if target_type not in ("binary", "multiclass"):
            raise ValueError(
                f"{name} must be class labels of shape (n_samples,), as y was; got "
                f"{target_type!r} targets of shape {y.shape}."
            )
        labels = np.unique(y)
        unknown = np.setdiff1d(labels, self.classes_)
        if unknown.size:
            raise ValueError(
                f"{name} has labels {unknown.tolist()} that are not among the classes "
                f"{self.classes_.tolist()}."
            )
        index = np.searchsorted(self.classes_, y)
        if self.classes_.shape[0] == 2:
            return (index == 1)[:, np.newaxis]
        T = np.zeros((y.shape[0], self.classes_.shape[0]), dtype=bool)
        T[np.arange(y.shape[0]), index] = True
        return T

    def explain_step(self, X, y, sample_weight=None, *, classes=None):
        """Take one training step on the batch ``X, y`` and show what it computed.

        The step is the one ``partial_fit(X, y)`` would take with
        ``batch_size=len(X)`` and ``shuffle=False`` (the current LR, momentum
        velocities, ``alpha``), computed by the code that trains, in ``X``'s float
        dtype; the estimator itself is left unchanged. The trace holds the article's
        quantities: S_preA and S_postA of every node and sample, T, FE and E at the
        outputs, S_ERROR of every non-input node (the article's, with neither LR nor
        the batch's shares folded in), and per weight matrix the gradient (the
        batch's weighted mean), the L2 term and the velocities where set, the LR and
        the weights before and after the step.

        The estimator may be fitted, or hold weights assigned by hand: ``coefs_``
        (one ``(fan_in, fan_out)`` array per layer, the article's ItoH and HtoO) and,
        for a network with biases, ``intercepts_`` (zeros when not assigned). Its
        ``learning_rate`` is then the LR (``"auto"`` calibrates it on ``X``, as the
        first ``partial_fit`` would).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The batch's inputs.

        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Their labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the batch's mean (times the
            class weights of ``class_weight``, which cannot be ``"balanced"`` here).

        classes : array-like of shape (n_classes,), default=None
            For an estimator that was not fitted, every class of the model (as for
            ``partial_fit``'s first call); when None, the classes of ``y``, which
            then needs two at least. Once fitted, if given, they must be
            ``classes_``.

        Returns
        -------
        trace : StepTrace
            The step; ``print(trace)`` lays it out in the article's order.

        Examples
        --------
        >>> import numpy as np
        >>> from sk_mlpbp import MLPBackpropClassifier
        >>> net = MLPBackpropClassifier((2,), learning_rate=0.5, use_bias=False)
        >>> ItoH = np.array([[0.1, -0.2], [0.3, 0.4]])
        >>> HtoO = np.array([[0.5], [-0.6]])
        >>> net.coefs_ = [ItoH, HtoO]
        >>> trace = net.explain_step([[1.0, 0.5]], [1], classes=[0, 1])
        >>> print(round(float(trace.FE[0, 0]), 6), trace["HtoO"].gradient.shape)
        -0.504728 (2, 1)
        """
        return self._traced_step(X, y, sample_weight, classes)

    def _check_y(self, y, name="y"):
        """Return labels as the classifier takes them: a column vector as 1-D.

        A sparse indicator matrix is made dense (T is dense anyway, one byte a
        target); a column vector warns, as scikit-learn's classifiers do.
        """
        y = _dense_targets(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return y

    def _stratify(self, y):
        return None if self._multilabel else y

    def _n_target_groups(self):
        return 2 if self._multilabel else self.classes_.shape[0]

    def _set_constant_outputs(self, T):
        constant_outputs(self.coefs_, self.intercepts_, T)

    def _times_class_weight(self, sample_weight, y, partial):
        if self.class_weight is None:
            return sample_weight
        if self._multilabel:
            raise ValueError(
                "class_weight is not available for multilabel (indicator matrix) "
                "targets; pass sample_weight instead."
            )
        if partial and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not available in partial_fit (nor "
                "explain_step), which sees one chunk at a time; pass "
                "compute_class_weight('balanced', classes=classes, y=y_all) as a "
                "dict instead."
            )
        if isinstance(self.class_weight, dict):
            checked_class_weight(self.class_weight)
        class_weight = compute_class_weight(
            self.class_weight, classes=self.classes_, y=y
        )
        class_weight = weights_in(class_weight, sample_weight.dtype, "class_weight")
        # Both factors are at most 2**32 (or rescaled below 1): their product is
        # finite, and rescaled in turn if it is far from 1.
        return rescaled_weights(
            sample_weight * class_weight[np.searchsorted(self.classes_, y)]
        )

    def _check_weighted_targets(self, y, sample_weight):
        if not self._multilabel and np.unique(y[sample_weight > 0]).shape[0] < 2:
            raise ValueError(
                "sample_weight (times class_weight) leaves positive weight on only one "
                "class; at least 2 classes need samples of positive weight."
            )

    def _row_scores(self, S_preA_O, y):
        """Return whether each row is predicted right (every label, for several)."""
        hits = self._labels_from_output(S_preA_O) == y
        return hits.all(axis=1) if hits.ndim == 2 else hits

    def _validation_score(self, y, row_scores, sample_weight):
        """Return the accuracy, as ``accuracy_score`` gives it."""
        return float(np.average(row_scores, weights=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def _proba_from_output(self, S_preA_O):
        S_postA_O = expit(S_preA_O)
        if self._multilabel:
            return S_postA_O
        if self.n_outputs_ == 1:
            return np.hstack([1 - S_postA_O, S_postA_O])
        total = S_postA_O.sum(axis=1, keepdims=True)
        # Where the outputs are so small that a_k / sum_j a_j loses precision (or
        # every a_k underflowed to 0), use the same ratio in the log domain:
        # softmax(log a), with log a = log_expit(S_preA,O) finite.
        tiny = total[:, 0] < np.sqrt(np.finfo(total.dtype).tiny)
        with np.errstate(divide="ignore", invalid="ignore"):  # rows redone below
            S_postA_O /= total
        if tiny.any():
            log_S_postA_O = log_expit(S_preA_O[tiny])
            # Rows whose outputs are all -inf (weights or inputs at the limits of
            # floating point) tie: every class gets the same probability.
            log_S_postA_O[np.isneginf(log_S_postA_O).all(axis=1)] = 0.0
            S_postA_O[tiny] = softmax(log_S_postA_O, axis=1)
        return S_postA_O

    def _labels_from_output(self, S_preA_O):
        proba = self._proba_from_output(S_preA_O)
        if self._multilabel:
            return (proba > 0.5).astype(np.int64)
        if self.n_outputs_ == 1:
            return self.classes_[(proba[:, 1] > 0.5).astype(np.intp)]
        return self.classes_[np.argmax(proba, axis=1)]

    def predict_proba(self, X):
        """Probability estimates from the output units.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
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
        return self._proba_from_output(self._validated_output(X))

    def predict_log_proba(self, X):
        """Logarithm of the probability estimates of ``predict_proba``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
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
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
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
        return self._labels_from_output(self._validated_output(X))

    def score(self, X, y, sample_weight=None):
        """Accuracy of ``predict(X)`` against ``y``: the article's validation accuracy.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
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


def _dense_targets(y):
    """Return an indicator matrix y given as a sparse matrix as a dense array.

    The target matrix T is dense anyway (one byte a target), so a dense y costs no
    more than T.
    """
    return y.toarray() if sparse.issparse(y) else y


#: ``scale_target`` rounds each target's scale to this many significant bits, and
#: its offset to a multiple of the scale times 2 ** -SCALING_BITS.
SCALING_BITS = 8


def _rounded_scaling(scale, offset, up):
    """Round a target scaling to a few significant bits.

    A scale of ``SCALING_BITS`` significant bits, and an offset on a grid of the
    scale times ``2 ** -SCALING_BITS``: the last bits in which a weighted mean and the
    mean of the same rows repeated differ do not reach the targets the network
    trains on, so integer sample weights train the model of repeated rows, as in
    the classifier, and targets times a power of two train the same model. The scale
    is rounded to the nearest such number (the scaled targets' standard deviation
    stays within 0.2% of 1), or ``up`` (their range only shrinks, so that it stays
    inside the logistic's).
    """
    mantissa, exponent = np.frexp(scale)
    step = 2.0**SCALING_BITS
    mantissa = (np.ceil if up else np.round)(mantissa * step) / step
    scale = np.ldexp(mantissa, exponent)
    grid = scale / step
    return scale, np.round(offset / grid) * grid


#: New identity output units start at this fraction of their data-scaled draw
#: (0 stalls the hidden layer: sine 0.14 against 0.90; 0.1 to 0.5 work alike).
OUTPUT_INIT_SCALE = 0.3


#: ``scale_target`` with logistic output units maps each target's training range
#: onto this interval, inside the logistic's (0, 1) and off its flat ends.
LOGISTIC_TARGET_RANGE = (0.1, 0.9)


class MLPBackpropRegressor(RegressorMixin, BaseMLPBackprop):
    r"""Multilayer perceptron regressor trained by backpropagating a squared error.

    The network and the training of :class:`MLPBackpropClassifier` (the All About
    Circuits series' logistic hidden units, the sum-of-squares error
    :math:`E = \frac{1}{2}\sum_k FE_k^2` backpropagated as S_ERROR, the step
    ``W = W - LR * gradient``), with one output unit per target column: the
    sum-of-squares error is regression's own loss. The output units are identity
    units by default, or the article's logistic units. The targets are scaled in
    ``fit`` and back in ``predict``, so that targets on any offset and scale train
    as well as standardised ones; inputs should still be standardised (a
    ``StandardScaler`` in a pipeline), as for the classifier.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_hidden_layers,), default=(100,)
        Number of logistic units in each hidden layer (each an integer >= 1; at
        least one hidden layer). An integer means one hidden layer of that size.
        ``fit`` refuses, before allocating anything, a network whose weights (with
        their per-epoch snapshot) would not fit in the machine's memory.

    out_activation : {"identity", "logistic"}, default="identity"
        The output units. ``"identity"`` (scikit-learn's choice for regression)
        outputs ``S_postA,O = S_preA,O``, whose derivative is 1, so
        ``S_ERROR,O = FE``; ``"logistic"`` is the article's unit, whose outputs lie
        in (0, 1): it cannot predict beyond the range of the training targets (with
        ``scale_target``, beyond the range they are mapped from). Hidden units are
        logistic either way.

    scale_target : bool, default=True
        Whether ``fit`` learns a scaling of the targets, trains on the scaled
        targets and ``predict`` inverts it (``target_offset_``, ``target_scale_``),
        so that targets on any offset and scale train as standardised ones: with
        identity outputs each target column is standardised (mean 0, standard
        deviation 1); with logistic outputs it is mapped from its training range
        ``[min, max]`` into ``[0.1, 0.9]``, inside the logistic's range. The
        statistics are those of the samples of positive weight, weighted; the scale
        is rounded to 8 significant bits and the offset to 1/256 of it, so that
        integer weights train as repeated rows and targets times a power of two as
        the same model (the scaled standard deviation is within 0.2% of 1, the
        range within ``[0.1, 0.9]``). ``False`` trains on the targets as given (for
        logistic outputs they must lie in [0, 1]), so that a textbook's soft
        targets reproduce. The error E, ``loss_curve_`` and the validation loss are
        measured on the scaled targets.

    learning_rate : "auto", float or array-like of shape (n_layers - 1,), default="auto"
        The article's LR: every step is ``weight = weight - LR * gradient``, where the
        gradient is the mean over the minibatch of the per-sample gradients, so the
        meaning of LR does not change with ``batch_size``. A float is the LR of every
        layer, as in the article; a sequence gives one LR per layer (``coefs_[i]``
        and ``intercepts_[i]`` move by ``learning_rate[i] * gradient``).
        ``"auto"`` sets each layer's LR to ``1 / curvature``, the curvature of the
        mean error along that layer's weights at the start of training, measured on
        up to 1,000 training rows, and its biases' LR from the curvature along them
        (see Notes), so that inputs in other units (X times a constant) train the
        same model; ``learning_rates_`` and ``intercept_learning_rates_`` hold the
        result. With a number or a sequence, the biases share their layer's LR.

    batch_size : int or "auto", default="auto"
        Number of samples per gradient step. ``1`` is the article's online mode, one
        update per sample. ``"auto"`` trains full-batch on up to 64 samples and
        otherwise in batches of 32, made larger by the sample weights' design effect
        ``mean(w**2) / mean(w)**2`` when weights are unequal (so that a weighted
        batch is no noisier), at most 8 times (256): beyond that a few heavy samples
        dominate whichever batch they are in, and larger batches only take fewer
        steps. An integer larger than the number of samples is
        clipped to it, with a warning in ``fit``. An epoch takes
        ``ceil(n_samples / batch_size)`` batches of equal size (give or take one
        row), at most ``batch_size`` each, rather than a short last batch, whose
        few rows would take as large a step (on small data its noise swung R^2 by
        0.07 from epoch to epoch).

    max_iter : int, default=1000
        Maximum number of epochs (passes over the training data).

    shuffle : bool, default=True
        Whether to shuffle the samples before each epoch. Batches are consecutive
        slices of the (shuffled) sample order; the last one may be short.

    use_bias : bool, default=True
        Whether the units have biases. ``False`` gives the article's bias-free network:
        the intercepts are initialised to 0 and never updated.

    weight_init : {"data", "glorot", "uniform"}, default="data"
        ``"uniform"`` draws every weight from U(-1, 1), as the article's code does.
        ``"glorot"`` draws the weights of a layer with ``fan_in`` inputs and
        ``fan_out`` outputs from U(-b, b), ``b = sqrt(12 / (fan_in + fan_out))``.
        ``"data"`` draws each layer's weights from U(-b, b) with
        ``b = sqrt(3 / E||x||^2)``, ``x`` the layer's inputs on up to 1,000 training
        rows, so that every unit's S_preA starts with a root mean square of 1, in
        the logistic's linear range, whatever the scale of X. Biases always start at
        0.

    tol : float, default=1e-4
        Training stops when the mean epoch loss of the last ``n_iter_no_change``
        epochs (once there are that many) has not improved by at least ``tol`` on
        its best value so far for
        ``n_iter_no_change`` consecutive epochs, and the loss is off the
        constant-output plateau (see Notes).

    n_iter_no_change : int or np.inf, default=10
        Number of consecutive epochs without an improvement of ``tol`` after which
        training stops, and the number of epochs the watched mean loss averages.
        ``np.inf`` trains for exactly ``max_iter`` epochs.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation and the shuffling. Pass an int for
        reproducible results.

    verbose : bool, default=False
        Whether to print one line per epoch: epoch, loss, validation R^2 and
        loss when there are validation data, and elapsed time.

    warm_start : bool, default=False
        When True, ``fit`` continues from the current ``coefs_`` and ``intercepts_``
        (also from weights a user assigned to them, which are copied, never written
        to), and ``n_iter_``, ``t_``, ``loss_curve_`` and ``best_loss_`` carry on
        from the previous call, and so do the momentum velocities; the best-epoch
        record (the weights early stopping keeps, ``best_validation_score_``, the
        stopping rule's best) starts again, so that a fit on new data is judged on
        its own epochs. The learning rate
        and its schedule restart from ``learning_rate`` (for ``"auto"``, from the
        rates calibrated when the network was initialised), as in scikit-learn's MLP;
        ``partial_fit`` continues at the current rate instead. The targets' scaling
        learnt by the first fit is kept (the network's outputs are in its units),
        and ``y`` must have its number of outputs.

    momentum : float, default=0.0
        Momentum in [0, 1] (the article has none). Each parameter keeps a velocity
        ``v = momentum * v - LR * gradient`` and moves by ``v``, or with
        ``nesterovs_momentum`` by ``momentum * v - LR * gradient`` (biases too).
        Velocities start at zero in ``fit`` and persist across ``partial_fit`` calls
        and warm starts.

    nesterovs_momentum : bool, default=True
        Whether to use Nesterov's momentum (only matters when ``momentum > 0``).

    alpha : float, default=0.0
        L2 penalty: ``alpha * W`` is added to the gradient of every weight matrix
        (not to the biases). ``loss_curve_`` reports the error E without the penalty.

    learning_rate_schedule : {"constant", "invscaling", "adaptive"}, default="constant"
        ``"constant"`` keeps LR; ``"invscaling"`` sets
        ``LR = learning_rate / (t + 1) ** power_t`` after every epoch, ``t`` the
        number of samples seen since the schedule started (the start of ``fit``, or
        the first ``partial_fit``); ``"adaptive"`` divides LR by 5 whenever the
        stopping rule would stop (instead of stopping), and stops once no layer's LR
        is above 1e-6. These are scikit-learn's meanings, applied to every layer's
        LR.

    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.

    early_stopping : bool or "auto", default="auto"
        Stop on validation data and return to the weights of the best epoch. The
        validation data are ``X_val, y_val`` when passed to ``fit``, otherwise a
        random ``validation_fraction`` of the training data. ``True`` stops when
        the validation R^2 has not improved by ``tol`` for ``n_iter_no_change``
        epochs and keeps the epoch of the best R^2 (scikit-learn's MLP rule).
        ``"auto"`` watches the validation loss E instead, as the training loss is
        watched (its mean over the last ``n_iter_no_change`` epochs), and keeps the
        epoch of the lowest validation loss (as HistGradientBoosting does); it is on
        when the validation data count at least 25 samples, divided by their
        weights' design effect ``mean(w**2) / mean(w)**2`` (at least 250 unweighted
        training samples with the default ``validation_fraction``), and
        ``max_iter > n_iter_no_change``; otherwise training watches its own loss.
        ``partial_fit`` never holds data out.

    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping when ``fit`` gets
        no ``X_val``; in (0, 1).

    Attributes
    ----------
    coefs_ : list of ndarray
        ``coefs_[i]`` of shape (fan_in, fan_out) holds the weights from layer ``i``
        to layer ``i + 1``: ``coefs_[0]`` is the article's ItoH, ``coefs_[-1]`` its
        HtoO.

    intercepts_ : list of ndarray
        ``intercepts_[i]`` of shape (fan_out,) holds the biases of layer ``i + 1``.

    target_offset_, target_scale_ : ndarray of shape (``n_outputs_``,)
        The targets' scaling: the network is trained on
        ``T = (y - target_offset_) / target_scale_`` and ``predict`` returns
        ``S_postA,O * target_scale_ + target_offset_`` (0 and 1 without
        ``scale_target``).

    n_iter_ : int
        Number of epochs run (over all ``fit`` calls when ``warm_start=True``).

    loss_curve_ : list of float
        ``loss_curve_[i]`` is the mean per-sample error
        ``E = 1/2 * sum_k (S_postA,O_k - T_k)**2`` over epoch ``i`` (weighted by
        ``sample_weight`` when given), each sample's error measured in the forward
        pass of its own step.

    best_loss_ : float
        The smallest value in ``loss_curve_``.

    learning_rates_ : list of float
        The LR of each layer's weights ``coefs_[i]`` at the start of the last
        ``fit`` (or first ``partial_fit``): ``learning_rate`` itself, or the
        calibrated rates for ``"auto"``.

    intercept_learning_rates_ : list of float
        The LR of each layer's biases ``intercepts_[i]``, likewise: the same as
        ``learning_rates_`` unless ``learning_rate="auto"``. Schedules move both.

    validation_scores_ : list of float or None
        R^2 on the validation data after each epoch, when ``fit`` had validation
        data (``X_val``, or a hold-out for early stopping); None otherwise.

    validation_loss_curve_ : list of float or None
        Mean per-sample error E on the validation data after each epoch, when
        ``fit`` had validation data; None otherwise.

    best_validation_score_ : float or None
        The best value in ``validation_scores_``; with ``early_stopping=True`` the
        model holds that epoch's weights. When ``early_stopping="auto"`` stops on the
        validation loss, it is the R^2 of the epoch the model keeps, the one of the
        lowest validation loss.

    t_ : int
        Number of training samples seen (over all epochs).

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units, one per target column.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit``, defined only when ``X`` has feature
        names that are all strings.

    See Also
    --------
    MLPBackpropClassifier : The classifier on the same engine.
    sklearn.neural_network.MLPRegressor : scikit-learn's MLP regressor.

    Notes
    -----
    The forward and backward passes are the classifier's (see its Notes), with
    :math:`S_{ERROR,O} = FE` for identity output units. ``score`` is R^2, as for
    every scikit-learn regressor; for several target columns, their uniform
    average.

    References
    ----------
    .. [1] R. Keim, "Understanding Training Formulas and Backpropagation for
       Multilayer Perceptrons", All About Circuits, machine-learning series.
    .. [2] D. Stansbury, "Derivation: Error Backpropagation & Gradient Descent for
       Neural Networks", The Clever Machine.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sk_mlpbp import MLPBackpropRegressor
    >>> X, y = make_friedman1(500, random_state=0)
    >>> reg = make_pipeline(StandardScaler(), MLPBackpropRegressor(random_state=0))
    >>> reg.fit(X, 1e6 * y).score(X, 1e6 * y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseMLPBackprop._parameter_constraints,
        "out_activation": [StrOptions({"identity", "logistic"})],
        "scale_target": ["boolean"],
    }

    _score_name = "validation R^2"
    _fitted_attributes = (
        "coefs_",
        "intercepts_",
        "target_offset_",
        "target_scale_",
        "n_outputs_",
    )
    _target_attributes = ("target_offset_", "target_scale_")
    _even_batches = True

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        out_activation="identity",
        scale_target=True,
        learning_rate="auto",
        batch_size="auto",
        max_iter=1000,
        shuffle=True,
        use_bias=True,
        weight_init="data",
        tol=1e-4,
        n_iter_no_change=10,
        random_state=None,
        verbose=False,
        warm_start=False,
        momentum=0.0,
        nesterovs_momentum=True,
        alpha=0.0,
        learning_rate_schedule="constant",
        power_t=0.5,
        early_stopping="auto",
        validation_fraction=0.1,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.out_activation = out_activation
        self.scale_target = scale_target
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
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.alpha = alpha
        self.learning_rate_schedule = learning_rate_schedule
        self.power_t = power_t
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Train the network on ``X``, ``y`` by backpropagation.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights: a batch's gradient is the weighted mean
            ``sum(s_i * gradient_i) / sum(s_i)``.

        X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
                default=None
            Validation inputs: their R^2 and error are recorded after every
            epoch, and with ``early_stopping`` they decide when to stop.

        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Validation targets.

        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples in their R^2 and error.

        Returns
        -------
        self : MLPBackpropRegressor
            The fitted estimator.
        """
        return self._fit(
            X,
            y,
            sample_weight,
            validation=(X_val, y_val, sample_weight_val),
            partial=False,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch over ``X``, ``y``, continuing from the current state.

        The first call initialises the network and learns the targets' scaling
        (from its chunk); later calls never re-initialise them.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs of this chunk.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Their targets.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights, as in ``fit``.

        Returns
        -------
        self : MLPBackpropRegressor
            The updated estimator.
        """
        if self.early_stopping is True:
            raise ValueError(
                "partial_fit does not support early_stopping=True: it trains one "
                "epoch per call; evaluate the model between calls instead."
            )
        return self._fit(X, y, sample_weight, validation=None, partial=True)

    def explain_step(self, X, y, sample_weight=None):
        """Take one training step on the batch ``X, y`` and show what it computed.

        As :meth:`MLPBackpropClassifier.explain_step`; the trace's targets T are
        the scaled targets the network trains on (see ``scale_target``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The batch's inputs.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Their targets.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the batch's mean.

        Returns
        -------
        trace : StepTrace
            The step; ``print(trace)`` lays it out in the article's order.
        """
        return self._traced_step(X, y, sample_weight, None)

    def _activates_output(self):
        return self.out_activation == "logistic"

    def _n_target_groups(self):
        """One: 25 validation samples tell a regressor's overfitting from noise.

        On small data (a few hundred rows) training to convergence overfits, and the
        held-out 10% (from 250 training samples) are enough to stop it; with 50
        needed, diabetes (294 training rows a fold) scored R^2 0.28 against 0.48.
        """
        return 1

    def _scale_initial_output(self):
        """Start identity output units at ``OUTPUT_INIT_SCALE`` of their drawn size.

        Drawn to the scale of the data (``weight_init="data"``), the outputs start
        as a random function as wide as the standardised targets (R^2 about -1),
        and early stopping can keep some of that noise; a smaller start trains
        closer to the targets' mean first. The LRs are calibrated on the full-size
        draws before.
        """
        if self.weight_init == "data" and not self._activates_output():
            self.coefs_[-1] *= OUTPUT_INIT_SCALE

    def _check_y(self, y, name="y"):
        """Return the targets as floats, of shape (n_samples,) or (n, n_outputs)."""
        y = check_array(
            y, ensure_2d=False, dtype="numeric", input_name=name, estimator=self
        )
        if y.ndim > 2:
            raise ValueError(
                f"{name} must be of shape (n_samples,) or (n_samples, n_outputs); got "
                f"shape {y.shape}."
            )
        return y if y.dtype in (np.float32, np.float64) else y.astype(np.float64)

    def _encode_targets(self, y, mode, classes, sample_weight=None):
        """Learn the targets' scaling (unless continuing) and return T.

        The scaling is taken from the samples of positive weight, weighted: zero
        weights stand for samples left out, integer weights for repeated ones.
        """
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if mode.continuing and hasattr(self, "target_scale_"):
            return self._target_matrix(y, "y")
        n_outputs = Y.shape[1]
        weights = None if sample_weight is None else sample_weight.astype(np.float64)
        if weights is not None and weights.any():
            Y, weights = Y[weights > 0], weights[weights > 0]
        else:  # all-zero weights: _training_sample_weight refuses them next
            weights = None
        if not self.scale_target:
            offset, scale = np.zeros(n_outputs), np.ones(n_outputs)
        elif self.out_activation == "identity":
            offset = np.average(Y, axis=0, weights=weights)
            scale = np.sqrt(np.average((Y - offset) ** 2, axis=0, weights=weights))
        else:
            low, high = LOGISTIC_TARGET_RANGE
            scale = (Y.max(axis=0) - Y.min(axis=0)) / (high - low)
            offset = Y.min(axis=0) - low * scale
        # A target that never varies: its scale is 1, and it is centred (on 0.5
        # for logistic outputs).
        constant = ~(scale > 0)
        scale[constant] = 1.0
        if self.scale_target and self.out_activation == "logistic":
            offset[constant] = Y.min(axis=0)[constant] - 0.5
        if self.scale_target:
            scale, offset = _rounded_scaling(
                scale, offset, up=self.out_activation == "logistic"
            )
        self.target_offset_ = np.asarray(offset, dtype=np.float64)
        self.target_scale_ = np.asarray(scale, dtype=np.float64)
        return self._target_matrix(y, "y")

    def _target_matrix(self, y, name):
        """Return the target matrix T of targets ``y``: scaled, one column each."""
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if Y.shape[1] != self.target_scale_.shape[0]:
            raise ValueError(
                f"{name} has {Y.shape[1]} target column(s), but the model has "
                f"{self.target_scale_.shape[0]}."
            )
        T = (Y - self.target_offset_) / self.target_scale_
        # Scaled targets beyond [0, 1] (validation or later data beyond the training
        # range) are ones the logistic units cannot reach; given as they are, they
        # are a mistake.
        if (
            self.out_activation == "logistic"
            and not self.scale_target
            and not (Y.min() >= 0.0 and Y.max() <= 1.0)
        ):
            raise ValueError(
                f"Logistic output units output (0, 1), but {name} lies outside "
                f"[0, 1] (from {Y.min():.4g} to {Y.max():.4g}): set "
                "scale_target=True, or give targets in [0, 1]."
            )
        return T

    def _predictions_from_output(self, S_preA_O):
        S_postA_O = expit(S_preA_O) if self._activates_output() else S_preA_O
        # In the dtype of the outputs: a float32 model predicts float32.
        dtype = S_postA_O.dtype
        y = S_postA_O * self.target_scale_.astype(dtype)
        y += self.target_offset_.astype(dtype)
        return y[:, 0] if y.shape[1] == 1 else y

    def _set_constant_outputs(self, T):
        """Set the output units of targets that never vary to that constant.

        Such a unit gets weights 0 and the bias that outputs the constant exactly
        (its scaled value, or its logit for logistic units strictly inside (0, 1)),
        so that it is no unit trained towards a constant.
        """
        W, b = self.coefs_[-1], self.intercepts_[-1]
        for k in np.flatnonzero((T[:1] == T).all(axis=0)):
            value = float(T[0, k])
            if not self._activates_output():
                bias = value
            elif 0.0 < value < 1.0:
                bias = np.log(value / (1.0 - value))
            else:
                continue
            W[:, k] = 0.0
            b[k] = bias

    def _row_scores(self, S_preA_O, y):
        """Return each row's prediction (R^2 is no sum over rows)."""
        return self._predictions_from_output(S_preA_O)

    def _validation_score(self, y, row_scores, sample_weight):
        """Return the R^2 of the predictions (uniform average over the outputs)."""
        return float(r2_score(y, row_scores, sample_weight=sample_weight))

    def predict(self, X):
        """Predict target values.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            ``S_postA,O * target_scale_ + target_offset_``; one column is returned
            as a 1-D array.

        Examples
        --------
        >>> from sk_mlpbp import MLPBackpropRegressor
        >>> X, y = [[0.0], [1.0], [2.0], [3.0]], [0.0, 10.0, 20.0, 30.0]
        >>> reg = MLPBackpropRegressor((3,), random_state=0).fit(X, y)
        >>> reg.predict([[1.5]]).shape
        (1,)
        """
        return self._predictions_from_output(self._validated_output(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
