"""The estimator: MLPBackpropClassifier, the article's logistic multilayer perceptron.

It holds the parameters, the validation of inputs and targets, the epoch loop with its
stopping rules and callbacks, and prediction. The network's math is in
:mod:`sk_mlpbp._network`, an epoch's steps in :mod:`sk_mlpbp._epoch`, the update rule
in :mod:`sk_mlpbp._optim` and the training state's declaration in
:mod:`sk_mlpbp._state`.
"""

import copy
import threading
import time
import warnings
from functools import partial, wraps
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from scipy.special import expit, log_expit, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import train_test_split
from sklearn.utils import (
    assert_all_finite,
    check_random_state,
    column_or_1d,
    gen_batches,
)
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_is_fitted,
    validate_data,
)

from sk_mlpbp import _state as training_state
from sk_mlpbp._calibration import (
    calibration_rows,
    constant_outputs,
    layer_learning_rates,
    scaled_weights,
    unscaled_inputs,
)
from sk_mlpbp._callbacks import CallbackSupportMixin, epoch_callback_context
from sk_mlpbp._epoch import make_epoch
from sk_mlpbp._explain import trace_step
from sk_mlpbp._loss import constant_output_error, sample_errors
from sk_mlpbp._network import forward, initial_weights
from sk_mlpbp._optim import SGDOptimizer
from sk_mlpbp._threads import fit_threads
from sk_mlpbp._validation import (
    cast,
    check_fits,
    check_network_fits_in_memory,
    checked_class_weight,
    checked_classes,
    numeric_input,
    reject_text,
    rescaled_weights,
)
from sk_mlpbp.exceptions import InconsistentVersionWarning, SaturationWarning

#: ``batch_size="auto"``: full batches up to this many samples, else this size,
#: grown by unequal weights' design effect up to this factor (beyond it, larger
#: batches only take fewer steps: one heavy sample dominates any batch it is in).
AUTO_FULL_BATCH = 64
AUTO_BATCH_SIZE = 32
AUTO_MAX_BATCH_GROWTH = 8

#: Training never stops while its best loss is above this fraction of the error of
#: the best constant output.
PLATEAU_FRACTION = 0.9

#: The values of ``learning_rate_schedule``.
SCHEDULES = {"constant", "invscaling", "adaptive"}

#: ``early_stopping="auto"`` holds out validation data when they would have at least
#: this many samples per class (two for two classes and for multilabel targets),
#: enough for their loss to tell overfitting from noise: with fewer, stopping on it
#: cost 0.01 to 0.03 of accuracy on 10 to 30 classes.
AUTO_MIN_VALIDATION_PER_CLASS = 25

#: The error E and the accuracy on the training or validation rows are measured a
#: chunk of rows at a time, whose widest layer holds at most this many values
#: (512 KiB): the outputs of 1,000 classes on 100,000 rows are 800 MB.
OUTPUT_CHUNK_VALUES = 2**16


#: The end-of-fit check of a near-constant model looks at this many evenly spaced
#: training rows first, and at all of them unless the model is far off the plateau.
CHECK_SAMPLE_ROWS = 1000

#: The ids of the estimators being fitted, and the lock that guards the set.
_fitting = set()
_fitting_lock = threading.Lock()


def _one_fit_at_a_time(fit):
    """Make a second ``fit`` of an estimator while one runs raise a RuntimeError.

    Two fits of one estimator at once (in two threads, or a callback fitting the
    estimator it is called from) would write the same attributes in turn and leave
    a model whose classes, shapes and counters disagree.
    """

    @wraps(fit)
    def exclusive_fit(estimator, *args, **kwargs):
        with _fitting_lock:
            if id(estimator) in _fitting:
                raise RuntimeError(
                    f"This {type(estimator).__name__} is already being fitted (in "
                    "another thread?): one estimator fits one call at a time. Fit a "
                    "copy in each thread, e.g. sklearn.base.clone(estimator)."
                )
            _fitting.add(id(estimator))
        try:
            return fit(estimator, *args, **kwargs)
        finally:
            with _fitting_lock:
                _fitting.discard(id(estimator))

    return exclusive_fit


class MLPBackpropClassifier(CallbackSupportMixin, ClassifierMixin, BaseEstimator):
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

    learning_rate : "auto", float or array-like of shape (n_layers - 1,), \
            default="auto"
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

    learning_rate_schedule : {"constant", "invscaling", "adaptive"}, \
            default="constant"
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
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [
            StrOptions({"auto"}),
            Interval(Real, 0, None, closed="neither"),
            "array-like",
        ],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "use_bias": ["boolean"],
        "weight_init": [StrOptions({"data", "glorot", "uniform"})],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "learning_rate_schedule": [StrOptions(SCHEDULES)],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def _validate_params(self):
        """Check the parameters against ``_parameter_constraints``.

        A schedule's name given as ``learning_rate`` gets a pointer to
        ``learning_rate_schedule`` in the error.
        """
        try:
            super()._validate_params()
        except InvalidParameterError as error:
            rate = self.learning_rate
            if isinstance(rate, str) and rate in SCHEDULES:
                raise InvalidParameterError(
                    f"{error} learning_rate={rate!r} is a schedule: use "
                    f"learning_rate_schedule={rate!r}."
                ) from None
            raise

    #: Called with the estimator after every epoch that ``fit`` records, when an
    #: instance sets it (the command line's progress display does, for one fit).
    _epoch_hook = None

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
            incremental=False,
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
            X, y, sample_weight, validation=None, incremental=True, classes=classes
        )

    @_one_fit_at_a_time
    def _fit(self, X, y, sample_weight, validation, incremental, classes=None):
        """Train, or leave the estimator as it was when no epoch completes.

        A call that fails or is interrupted (Ctrl-C) before its first epoch is
        recorded changes nothing: an unfitted estimator stays unfitted, a fitted one
        keeps its model. An interrupt then ends the call with a warning, as one
        during training does; an error is raised.
        """
        before = dict(vars(self))
        try:
            self._train(X, y, sample_weight, validation, incremental, classes)
            interrupted = False
        except KeyboardInterrupt:
            interrupted = True
        except BaseException:
            if not _recorded_an_epoch(self, before):
                _restore(self, before)
            raise
        if interrupted:  # before this call's first epoch completed
            _restore(self, before)
            warnings.warn(
                "Training interrupted by the user before its first epoch completed; "
                "the estimator is as it was before this call.",
                UserWarning,
            )
        return self

    def _train(self, X, y, sample_weight, validation, incremental, classes):
        hidden_layer_sizes = self._validate_hidden_layer_sizes()
        continuing = hasattr(self, "coefs_") and (incremental or self.warm_start)
        # scikit-learn's first check for NaN sums X, which overflows (a
        # RuntimeWarning) for finite X near the largest float; it then checks X
        # element by element.
        with np.errstate(over="ignore", invalid="ignore"):
            X, y = validate_data(
                self,
                numeric_input(X, "X"),
                y,
                accept_sparse=["csr", "csc"],
                multi_output=True,
                dtype="numeric",
                reset=not (continuing and hasattr(self, "n_features_in_")),
            )
        X = _as_float(X)
        y = _dense_targets(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        T = self._encode_targets(y, continuing, incremental, classes)
        sample_weight = self._training_sample_weight(X, y, sample_weight, incremental)
        layer_units = [X.shape[1], *hidden_layer_sizes, T.shape[1]]
        check_network_fits_in_memory(layer_units, X.dtype)
        random_state = check_random_state(self.random_state)
        if continuing:
            self._copy_weights_for_warm_start(layer_units, X.dtype)
        else:
            self.coefs_, self.intercepts_ = initial_weights(
                layer_units, self.weight_init, X.dtype, random_state
            )
        self.n_layers_ = len(layer_units)
        self.n_outputs_ = layer_units[-1]
        X, y, T, sample_weight, validation = self._split_validation(
            X, y, T, sample_weight, validation, random_state, incremental
        )
        training_state.start(self, continuing, incremental, validation is not None)
        batch_size = self._resolve_batch_size(X.shape[0], incremental, sample_weight)
        threads = fit_threads(batch_size, self.coefs_)  # the BLAS threads (_threads.py)
        # Overflow in a saturated unit is harmless (expit maps +-inf to 1 and 0);
        # weights that stop being finite are caught after every epoch instead.
        with np.errstate(over="ignore", invalid="ignore"), threads:
            rows = None
            # partial_fit calibrates on its first call only (also on weights a user
            # assigned, which have no rates yet).
            if not (incremental and hasattr(self, "_learning_rates")):
                rows = calibration_rows(X, sample_weight)
                _warn_if_unscaled(rows)
            if not continuing and self.weight_init == "data":
                scaled_weights(self.coefs_, rows)
            if not incremental and self.use_bias:
                constant_outputs(self.coefs_, self.intercepts_, T)
            self._start_learning_rates(rows, continuing, incremental)
            self._fit_sgd(
                X,
                y,
                T,
                sample_weight,
                validation,
                random_state,
                incremental,
                continuing,
                batch_size,
            )
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

    def _encode_targets(self, y, continuing, incremental, classes):
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
        if continuing and hasattr(self, "classes_"):
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
            if not incremental and not np.array_equal(seen, self.classes_):
                raise ValueError(
                    "warm_start needs y to have the classes of the previous fit: "
                    f"{self.classes_.tolist()}; y has {seen.tolist()}."
                )
        elif incremental:
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
        return self._targets(y, "y")

    def _targets(self, y, name):
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

    def _training_sample_weight(self, X, y, sample_weight, incremental):
        """Sample weights times class weights, checked; None when neither is set."""
        if sample_weight is None and self.class_weight is None:
            return None
        # Checked in float64 (quietly: scikit-learn's check for infinity sums the
        # weights), so that a weight too large for a float32 X is named as such.
        with np.errstate(over="ignore", invalid="ignore"):
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        check_fits(sample_weight, X.dtype, "sample_weight")
        # Rescaled before the cast, so that tiny weights do not underflow float32.
        sample_weight = rescaled_weights(sample_weight).astype(X.dtype, copy=False)
        if self.class_weight is not None:
            if self._multilabel:
                raise ValueError(
                    "class_weight is not available for multilabel (indicator matrix) "
                    "targets; pass sample_weight instead."
                )
            if incremental and self.class_weight == "balanced":
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
            check_fits(class_weight, X.dtype, "class_weight")
            class_weight = rescaled_weights(class_weight).astype(X.dtype, copy=False)
            # Both factors are at most 2**32 (or rescaled below 1): their product
            # is finite, and rescaled in turn if it is far from 1.
            sample_weight = rescaled_weights(
                sample_weight * class_weight[np.searchsorted(self.classes_, y)]
            )
        if not sample_weight.any():
            raise ValueError(
                "sample_weight (times class_weight) is zero for every sample; at "
                "least one sample needs a positive weight."
            )
        if (
            not incremental
            and not self._multilabel
            and np.unique(y[sample_weight > 0]).shape[0] < 2
        ):
            raise ValueError(
                "sample_weight (times class_weight) leaves positive weight on only one "
                "class; at least 2 classes need samples of positive weight."
            )
        return sample_weight

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
                "The current coefs_ and intercepts_ (which warm_start, partial_fit "
                "and explain_step continue from) must be shaped for the layer sizes "
                f"{layer_units}; coefs_ have shapes {[c.shape for c in coefs]} and "
                f"intercepts_ {[b.shape for b in intercepts]}."
            )
        self.coefs_ = coefs
        self.intercepts_ = intercepts

    def _start_learning_rates(self, rows, continuing, incremental):
        """Set each layer's LR for this call, and where the schedule starts.

        ``fit`` (warm-started too) starts from ``learning_rate``; ``partial_fit``
        continues the current rates. ``"auto"`` rates are calibrated on the training
        ``rows`` when the network is initialised, and kept for warm starts.
        """
        if incremental and hasattr(self, "_learning_rates"):
            if not hasattr(self, "intercept_learning_rates_"):
                # A model saved before the biases had rates of their own.
                self.intercept_learning_rates_ = list(self.learning_rates_)
            return
        if isinstance(self.learning_rate, str):  # "auto"
            if not continuing or not hasattr(self, "_auto_intercept_learning_rates"):
                (
                    self._auto_learning_rates,
                    self._auto_intercept_learning_rates,
                ) = layer_learning_rates(
                    self.coefs_, self.intercepts_, rows, self.use_bias, self.alpha
                )
            rates = self._auto_learning_rates
            intercept_rates = self._auto_intercept_learning_rates
        elif isinstance(self.learning_rate, Real):
            rates = [float(self.learning_rate)] * len(self.coefs_)
            intercept_rates = rates
        else:
            try:
                rates = np.asarray(self.learning_rate, dtype=np.float64)
            except (TypeError, ValueError):
                rates = np.array(np.nan)  # not numbers: refused below
            if rates.shape != (len(self.coefs_),) or not (
                np.isfinite(rates).all() and (rates > 0).all()
            ):
                raise ValueError(
                    "learning_rate must be 'auto', a positive number or one positive "
                    f"number per layer ({len(self.coefs_)}); got "
                    f"{self.learning_rate!r}."
                )
            rates = intercept_rates = rates.tolist()
        self.learning_rates_ = list(rates)
        self.intercept_learning_rates_ = list(intercept_rates)
        self._learning_rates = list(rates)
        self._schedule_start = self.t_

    def _watched_quantity(self, n_validation, sample_weight_val, incremental):
        """Return what the stopping rule of this call watches.

        ``early_stopping="auto"`` watches the validation loss when the
        ``n_validation`` validation samples (``X_val``, else the held-out
        ``validation_fraction``), divided by their weights' design effect, are at
        least ``AUTO_MIN_VALIDATION_PER_CLASS`` per class (per two classes for two
        classes and for multilabel targets) and the rule can act before
        ``max_iter``.
        """
        if incremental or self.early_stopping is False:
            return "training loss"
        if self.early_stopping is True:
            return "validation accuracy"
        n_validation /= _design_effect(sample_weight_val)
        n_classes = 2 if self._multilabel else self.classes_.shape[0]
        if (
            n_validation >= AUTO_MIN_VALIDATION_PER_CLASS * n_classes
            and self.max_iter > self.n_iter_no_change
        ):
            return "validation loss"
        return "training loss"

    def _split_validation(
        self, X, y, T, sample_weight, validation, random_state, incremental
    ):
        """Split off the validation data, and set what the stopping rule watches.

        Returns the training data and the validation data (or None). The
        validation data are ``(X_val, y_val, T_val, sample_weight_val)``: the given
        ``X_val, y_val``, else with early stopping a stratified hold-out.
        """
        X_val, y_val, sample_weight_val = validation or (None, None, None)
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val and y_val must be given together.")
        if X_val is None:
            # The hold-out would have the training weights' design effect.
            n_held_out = X.shape[0] * self.validation_fraction
            self._watched = self._watched_quantity(
                n_held_out, sample_weight, incremental
            )
        if X_val is None and self._watched == "training loss":
            return X, y, T, sample_weight, None
        if X_val is None:
            arrays = [X, y, T] + ([] if sample_weight is None else [sample_weight])
            try:
                split = train_test_split(
                    *arrays,
                    test_size=self.validation_fraction,
                    stratify=None if self._multilabel else y,
                    random_state=random_state,
                )
            except ValueError as error:
                if self.early_stopping == "auto":
                    # Too few samples of a class to hold some out: stop on the
                    # training loss, as with fewer validation samples.
                    if self.verbose:
                        print(
                            "early_stopping='auto': the training data cannot spare a "
                            "stratified hold-out with every class; watching the "
                            "training loss instead."
                        )
                    self._watched = "training loss"
                    return X, y, T, sample_weight, None
                raise ValueError(
                    f"early_stopping={self.early_stopping!r} holds out a stratified "
                    f"validation_fraction={self.validation_fraction} of the training "
                    "data, which cannot be split off with so few samples of a class "
                    f"({error}). Pass X_val and y_val to fit, raise "
                    "validation_fraction, or set early_stopping=False."
                ) from error
            X, X_val, y, y_val, T, T_val = split[:6]
            if sample_weight is not None:
                sample_weight, sample_weight_val = split[6:]
        else:
            # check_array first, so that its messages name X_val; validate_data
            # then checks the raw input's width and feature names against X's.
            with np.errstate(over="ignore", invalid="ignore"):  # as for X in _fit
                X_val_checked = check_array(
                    numeric_input(X_val, "X_val"),
                    accept_sparse=["csr", "csc"],
                    dtype="numeric",
                    input_name="X_val",
                )
            if X_val_checked.shape[1] != X.shape[1]:
                raise ValueError(
                    f"X_val has {X_val_checked.shape[1]} features, but the training "
                    f"data X has {X.shape[1]}."
                )
            validate_data(self, X_val, reset=False, skip_check_array=True)
            X_val = cast(_as_float(X_val_checked, "X_val"), X.dtype, "X_val")
            y_val = check_array(
                y_val,
                accept_sparse=["csr", "csc"],
                ensure_2d=False,
                dtype=None,
                input_name="y_val",
            )
            y_val = _dense_targets(y_val)
            if y_val.ndim == 2 and y_val.shape[1] == 1:
                y_val = column_or_1d(y_val)
            _check_rows("y_val", y_val, X_val.shape[0])
            T_val = self._targets(y_val, "y_val")
            if sample_weight_val is not None:
                sample_weight_val = check_array(
                    sample_weight_val,
                    ensure_2d=False,
                    dtype="numeric",
                    input_name="sample_weight_val",
                )
                _check_rows("sample_weight_val", sample_weight_val, X_val.shape[0])
                with np.errstate(over="ignore", invalid="ignore"):
                    sample_weight_val = _check_sample_weight(
                        sample_weight_val,
                        X_val,
                        dtype=np.float64,
                        ensure_non_negative=True,
                    )
                check_fits(sample_weight_val, X.dtype, "sample_weight_val")
                sample_weight_val = rescaled_weights(sample_weight_val).astype(
                    X.dtype, copy=False
                )
            self._watched = self._watched_quantity(
                X_val.shape[0], sample_weight_val, incremental
            )
        return X, y, T, sample_weight, (X_val, y_val, T_val, sample_weight_val)

    def _resolve_batch_size(self, n_samples, incremental, sample_weight):
        if self.batch_size == "auto":
            if n_samples <= AUTO_FULL_BATCH:
                return n_samples
            # Unequal weights make a batch's weighted mean noisier, so the batches
            # grow by the weights' design effect.
            growth = min(_design_effect(sample_weight), AUTO_MAX_BATCH_GROWTH)
            batch_size = AUTO_BATCH_SIZE * growth
            return min(n_samples, int(np.ceil(batch_size)))
        # A partial_fit chunk smaller than a batch is normal, not worth a warning.
        if self.batch_size > n_samples and not incremental:
            warnings.warn(
                f"batch_size={self.batch_size} is larger than the {n_samples} "
                "training samples; it is clipped to the number of samples.",
                UserWarning,
            )
            return n_samples
        return min(self.batch_size, n_samples)

    def _fit_sgd(
        self,
        X,
        y,
        T,
        sample_weight,
        validation,
        random_state,
        incremental,
        continuing,
        batch_size,
    ):
        """Run epochs of gradient descent until a stopping rule holds."""
        optimizer = self._optimizer(continuing)
        self._velocities = optimizer.velocities
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        callback_context = self._init_callback_context(
            max_subtasks=1 if incremental else self.max_iter
        )
        callback_context.call_on_fit_task_begin(
            estimator=self, X=X, y=y, metadata=metadata
        )
        if batch_size == 1 and sample_weight is not None:
            positive = sample_weight[sample_weight > 0]
            if positive.min() != positive.max():
                warnings.warn(
                    "With batch_size=1 each step is the weighted mean over one "
                    "sample, so sample and class weights only matter where they are "
                    "zero; use larger batches for weights to count.",
                    UserWarning,
                )
        epoch = make_epoch(
            self.coefs_,
            self.intercepts_,
            X,
            T,
            sample_weight,
            batch_size,
            optimizer,
            self.shuffle,
            random_state,
        )
        # No stopping rule ends training on the plateau where the outputs are nearly
        # a constant: that is where the sum-of-squares error stalls first.
        plateau_loss = PLATEAU_FRACTION * constant_output_error(T, sample_weight)
        start = time.perf_counter()
        completed = 0  # the epochs this call recorded
        for _ in range(1 if incremental else self.max_iter):
            # Ctrl-C can come at any point of an iteration: during the epoch's steps
            # the model returns to the snapshot; once the epoch is recorded (while
            # printing, scheduling or calling back) the model is already complete.
            snapshot, recorded = None, False
            try:
                epoch_context = epoch_callback_context(self, callback_context)
                epoch_context.call_on_fit_task_begin(
                    estimator=self, X=X, y=y, metadata=metadata
                )
                snapshot = training_state.snapshot(self)
                loss = epoch.run()
                if not self._finite(loss):
                    # A product too large for floating point came out NaN
                    # (inf - inf): the epoch again, its products guarded.
                    training_state.restore(self, snapshot)
                    loss = epoch.run(guarded=True)
                self._check_finite(loss, snapshot)
                self._record_epoch(loss, X.shape[0], validation)
                recorded = True
                completed += 1
                if self.verbose:
                    self._print_epoch(time.perf_counter() - start)
                if self._epoch_hook is not None:
                    self._epoch_hook(self)
                optimizer.iteration_ends(self.t_ - self._schedule_start)
                converged = False
                if (
                    self._no_improvement_count >= self.n_iter_no_change
                    and self._recent_loss() <= plateau_loss
                ):
                    # partial_fit trains one epoch anyway; its schedule may adapt.
                    converged = optimizer.trigger_stopping() and not incremental
                    if converged and self.verbose:
                        print(self._stop_message())
                    if not converged:
                        self._no_improvement_count = 0
                requested = epoch_context.call_on_fit_task_end(
                    estimator=self,
                    X=X,
                    y=y,
                    metadata=metadata,
                    reconstruction_attributes=self._reconstruction_attributes,
                )
            except KeyboardInterrupt:
                if snapshot is not None and not recorded:
                    training_state.restore(self, snapshot)
                    epoch_context.call_on_fit_task_end(estimator=self)
                if not (completed or recorded):
                    raise  # nothing of this call to keep: fit undoes it all
                warnings.warn(
                    "Training interrupted by the user; the model keeps the state of "
                    f"its last completed epoch (n_iter_={self.n_iter_}).",
                    UserWarning,
                )
                break
            if converged or requested:
                break
        else:
            if not incremental:
                warnings.warn(
                    "MLPBackpropClassifier: the maximum number of epochs "
                    f"(max_iter={self.max_iter}) was reached before training "
                    "converged.",
                    ConvergenceWarning,
                )
        self._learning_rates = optimizer.learning_rate
        if self._watched != "training loss" and self.best_validation_score_ is not None:
            for param, best in zip(
                self.coefs_ + self.intercepts_, self._best_coefs + self._best_intercepts
            ):
                np.copyto(param, best)
        if not incremental:
            self._warn_if_near_constant(X, T, sample_weight, plateau_loss)
        callback_context.call_on_fit_task_end(
            estimator=self, X=X, y=y, metadata=metadata, reconstruction_attributes={}
        )

    def _optimizer(self, continuing):
        """Return the update rule of the current weights and rates.

        A call that continues the model continues its momentum velocities.
        """
        return SGDOptimizer(
            self.coefs_,
            self.intercepts_,
            learning_rate_init=self.learning_rates_,
            learning_rate=self._learning_rates,
            intercept_ratio=[
                b / w if w > 0 else 1.0
                for w, b in zip(self.learning_rates_, self.intercept_learning_rates_)
            ],
            schedule=self.learning_rate_schedule,
            power_t=self.power_t,
            alpha=self.alpha,
            use_bias=self.use_bias,
            momentum=self.momentum,
            nesterov=self.nesterovs_momentum,
            velocities=getattr(self, "_velocities", None) if continuing else None,
        )

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
        model, X, T, sample_weight = self._step_model(X, y, sample_weight, classes)
        optimizer = model._optimizer(continuing=True)
        threads = fit_threads(X.shape[0], model.coefs_)
        with np.errstate(over="ignore", invalid="ignore"), threads:
            return trace_step(X, T, sample_weight, optimizer, model._activates_output())

    def _activates_output(self):
        """Return whether the output units are logistic (always, for classes)."""
        return True

    def _network_copy(self, n_features=None, n_outputs=None, dtype=np.float64):
        """Return a shallow copy of the estimator that holds its own weights.

        The copy's weights and biases (zeros for biases not assigned) and momentum
        velocities are copies, in ``dtype``, so that a step on it changes nothing
        of this estimator. Their shapes are checked against ``hidden_layer_sizes``
        and the numbers of inputs and outputs (by default those of ``coefs_``).
        """
        _check_has_weights(self)
        model = copy.copy(self)
        n_features = n_features or np.shape(self.coefs_[0])[0]
        n_outputs = n_outputs or np.shape(self.coefs_[-1])[-1]
        model._copy_weights_for_warm_start(
            [n_features, *model._validate_hidden_layer_sizes(), n_outputs], dtype
        )
        if getattr(model, "_velocities", None) is not None:
            model._velocities = [velocity.copy() for velocity in model._velocities]
        return model

    def _step_model(self, X, y, sample_weight, classes, dtype=None):
        """Return a copy of the estimator ready for one step on ``X, y``, and them.

        The copy is shallow, but holds its own weights, velocities and rates (see
        :meth:`_network_copy`), so that the step changes nothing of this
        estimator. ``X`` is validated and ``y`` encoded as ``partial_fit`` does,
        ``X`` cast to ``dtype`` when given. Without ``y`` only ``X`` is prepared,
        for a forward pass.

        Returns
        -------
        model : MLPBackpropClassifier
            The copy.

        X, T, sample_weight : ndarray
            The batch's inputs, targets and sample weights (None without ``y``, or
            without weights).
        """
        _check_has_weights(self)
        self._validate_params()
        fitted = all(
            hasattr(self, name) for name in ("classes_", "n_outputs_", "n_features_in_")
        )
        # validate_data and the target encoding set attributes: on a copy.
        model = copy.copy(self)
        checks = {"accept_sparse": ["csr", "csc"], "dtype": "numeric"}
        with np.errstate(over="ignore", invalid="ignore"):  # as for X in _train
            if y is None:
                X = validate_data(
                    model, numeric_input(X, "X"), reset=not fitted, **checks
                )
            else:
                X, y = validate_data(
                    model,
                    numeric_input(X, "X"),
                    y,
                    reset=not fitted,
                    multi_output=True,
                    **checks,
                )
        X = _as_float(X)
        if dtype is not None:
            X = X.astype(dtype)
        if y is None:  # a forward pass only
            return model._network_copy(X.shape[1], None, X.dtype), X, None, None
        y = _dense_targets(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        T = model._encode_targets(
            y,
            continuing=fitted,
            incremental=fitted or classes is not None,
            classes=classes,
        )
        sample_weight = model._training_sample_weight(
            X, y, sample_weight, incremental=True
        )
        model = model._network_copy(X.shape[1], T.shape[1], X.dtype)
        training_state.start(model, continuing=True, incremental=True, validating=False)
        rows = None
        if not hasattr(model, "_learning_rates"):
            rows = calibration_rows(X, sample_weight)
        model._start_learning_rates(rows, continuing=True, incremental=True)
        return model, X, T, sample_weight

    def _warn_if_near_constant(self, X, T, sample_weight, plateau_loss):
        """Warn when the model returned is not clearly better than a constant output.

        It is judged on its training data X, with the weights it is returned with
        (the best validation epoch's, where early stopping kept one), not on the
        losses seen during the epochs. Every row is measured unless up to
        ``CHECK_SAMPLE_ROWS`` evenly spaced ones already put the model at under half
        the threshold: a forward pass over all of X is a third of an epoch, a
        sixth of a three-epoch fit of 60,000 rows, while a model that far below on
        a sample is no near-constant one.
        """
        loss = None
        if X.shape[0] > 2 * CHECK_SAMPLE_ROWS:
            sample = np.linspace(0, X.shape[0] - 1, CHECK_SAMPLE_ROWS).astype(np.intp)
            weights = None if sample_weight is None else sample_weight[sample]
            if weights is None or weights.sum() > 0:
                errors, _ = self._errors_and_hits(X, T, sample=sample)
                loss = float(np.average(errors, weights=weights))
        if loss is None or loss > 0.5 * plateau_loss:
            errors, _ = self._errors_and_hits(X, T)
            loss = float(np.average(errors, weights=sample_weight))
        if loss > plateau_loss:
            warnings.warn(
                "MLPBackpropClassifier: training ended with the model still close to "
                f"a constant output: its mean loss on the training data, {loss:.4g}, "
                f"is above {PLATEAU_FRACTION} x {plateau_loss / PLATEAU_FRACTION:.4g}, "
                "the loss of the best constant. Standardise the inputs (e.g. "
                "make_pipeline(sklearn.preprocessing.StandardScaler(), "
                "MLPBackpropClassifier())), train longer (max_iter), or check that "
                "the inputs carry information about y.",
                ConvergenceWarning,
            )

    def _errors_and_hits(self, X, T, y=None, sample=None):
        """Return each row's error E and, given its labels y, whether predict is right.

        ``E = 1/2 * sum_k FE_k ** 2`` with ``FE = S_postA,O - T``. The rows go through
        the network a chunk at a time (``OUTPUT_CHUNK_VALUES``), so that memory holds
        one value a row beside one chunk's activations, never the outputs of every row.
        With ``sample``, an array of row indices, only those rows are measured (each
        chunk gathered from X, so it is bounded by X's width too).
        """
        n_rows = X.shape[0] if sample is None else sample.shape[0]
        dtype = np.result_type(X.dtype, self.coefs_[0].dtype)
        errors = np.empty(n_rows, dtype=dtype)
        hits = None if y is None else np.empty(n_rows, dtype=bool)
        widest = max(coef.shape[1] for coef in self.coefs_)
        if sample is not None:
            widest = max(widest, X.shape[1])
        for rows in gen_batches(n_rows, max(1, OUTPUT_CHUNK_VALUES // widest)):
            taken = rows if sample is None else sample[rows]
            S_preA_O = self._output_preactivation(X[taken])
            if y is not None:
                hit = self._labels_from_output(S_preA_O) == y[taken]
                hits[rows] = hit.all(axis=1) if hit.ndim == 2 else hit
            FE = expit(S_preA_O, out=S_preA_O)
            FE -= T[taken]
            errors[rows] = sample_errors(FE)
        return errors, hits

    def _finite(self, loss):
        """Return whether the loss and every weight and bias are finite."""
        params = self.coefs_ + self.intercepts_
        return np.isfinite(loss) and all(np.isfinite(param).all() for param in params)

    def _check_finite(self, loss, snapshot):
        if self._finite(loss):
            return
        training_state.restore(self, snapshot)
        raise ValueError(
            "Training diverged: the weights or the loss are no longer finite. Lower "
            f"learning_rate (now {self.learning_rate!r}, per layer "
            f"{[float(f'{LR:.3g}') for LR in self.learning_rates_]}) or scale the "
            "inputs, e.g. "
            "with sklearn.preprocessing.StandardScaler. The model keeps the weights "
            "of its last finite epoch."
        )

    def _record_epoch(self, loss, n_samples, validation):
        """Append an epoch's curves and update the no-improvement counter.

        The stopping rule and the best epoch look at this fit's epochs only (the
        curves go on across warm starts and ``partial_fit`` calls).
        """
        self.n_iter_ += 1
        self._fit_epochs += 1
        self.t_ += n_samples
        self.loss_curve_.append(loss)
        self.best_loss_ = min(self.best_loss_, loss)
        watched_losses = self.loss_curve_
        if validation is not None:
            X_val, y_val, T_val, sample_weight_val = validation
            errors, hits = self._errors_and_hits(X_val, T_val, y_val)
            # The accuracy as accuracy_score gives it, and the mean error E.
            score = float(np.average(hits, weights=sample_weight_val))
            validation_loss = float(np.average(errors, weights=sample_weight_val))
            self.validation_scores_.append(score)
            self.validation_loss_curve_.append(validation_loss)
            best = self.best_validation_score_
            if self._watched == "validation loss":
                watched_losses = self.validation_loss_curve_
                keep = validation_loss <= self._best_validation_loss
            else:
                keep = best is None or score > best
            if keep:
                self.best_validation_score_ = score
                self._best_validation_loss = validation_loss
                self._best_coefs = [coef.copy() for coef in self.coefs_]
                self._best_intercepts = [b.copy() for b in self.intercepts_]
            if self._watched == "validation accuracy":
                improved = best is None or score >= best + self.tol
                self._no_improvement_count = (
                    0 if improved else self._no_improvement_count + 1
                )
                return
        improved, self._best_smoothed_loss = _smoothed_improvement(
            watched_losses[-self._fit_epochs :],
            self._best_smoothed_loss,
            self.n_iter_no_change,
            self.tol,
        )
        self._no_improvement_count = 0 if improved else self._no_improvement_count + 1

    def _recent_loss(self):
        """Return the mean training loss of the last ``n_iter_no_change`` epochs."""
        window = _window(self.n_iter_no_change)
        return float(np.mean(self.loss_curve_[-min(window, self._fit_epochs) :]))

    def _print_epoch(self, elapsed):
        line = f"Epoch {self.n_iter_}, loss = {self.loss_curve_[-1]:.8f}"
        if self.validation_scores_:
            line += (
                f", validation score = {self.validation_scores_[-1]:.6f}, "
                f"validation loss = {self.validation_loss_curve_[-1]:.8f}"
            )
        print(f"{line}, time = {elapsed:.2f}s")

    def _stop_message(self):
        return (
            f"The {self._watched} did not improve by tol={self.tol} for "
            f"{self.n_iter_no_change} consecutive epochs. Stopping."
        )

    def _reconstruction_attributes(self):
        """Fitted attributes for the callbacks' ``fitted_estimator`` of an epoch."""
        return {
            "coefs_": [coef.copy() for coef in self.coefs_],
            "intercepts_": [intercept.copy() for intercept in self.intercepts_],
        }

    def _output_preactivation(self, X, check_finite=False):
        """Forward pass; returns the output units' pre-activations S_preA,O.

        Rows go through in chunks of about 2**18 values of the widest layer (one row
        at least), so that each chunk's activations stay in cache between the
        products and expit, and memory does not grow with the number of rows beyond
        the result, nor with a layer's width beyond one row of it.

        With ``check_finite``, a NaN or infinity in X raises scikit-learn's
        ValueError. X is not scanned as a whole for it: a non-finite entry (dense, or
        stored in a sparse X) makes every first-layer pre-activation of its row NaN
        or infinite (an infinite input times a zero weight is NaN), so it is the
        chunk's S_preA, a fraction of the size of X, that is summed; only when that
        sum is not finite (a non-finite input, or finite inputs so large that the
        products overflow) is the chunk of X checked element by element.
        """
        dtype = np.result_type(X.dtype, self.coefs_[0].dtype)
        S_preA_O = np.empty((X.shape[0], self.n_outputs_), dtype=dtype)
        # At least one row, however wide a layer (a crafted model's 2,000,000 units
        # took 64 rows, 1 GB, for any input).
        chunk = max(1, 2**18 // max(coef.shape[1] for coef in self.coefs_))
        # Each layer's S_postA of a chunk, allocated once and reused by every chunk.
        S_postA_chunks = [
            np.empty((min(chunk, X.shape[0]), coef.shape[1]), dtype)
            for coef in self.coefs_
        ]
        for rows in gen_batches(X.shape[0], chunk):
            X_rows = X[rows]
            check = None
            if check_finite:
                check = partial(
                    assert_all_finite,
                    X_rows,
                    input_name="X",
                    estimator_name=type(self).__name__,
                )
            S_postA = [layer[: X_rows.shape[0]] for layer in S_postA_chunks]
            # Overflow is looked for by the check, or saturates the logistic.
            with np.errstate(over="ignore", invalid="ignore"):
                S_preA_O[rows] = forward(
                    X_rows,
                    self.coefs_,
                    self.intercepts_,
                    S_postA,
                    activate_output=False,
                    guard=True,
                    check=check,
                )
        return S_preA_O

    def _validated_output(self, X):
        # Weights assigned by hand are not a fitted model: fit sets the rest.
        check_is_fitted(self, ["coefs_", "intercepts_", "classes_", "n_outputs_"])
        # NaN and infinity are looked for during the forward pass, which is cheaper
        # than a separate pass over X (see _output_preactivation).
        X = validate_data(
            self,
            numeric_input(X, "X"),
            accept_sparse=["csr", "csc"],
            dtype="numeric",
            ensure_all_finite=False,
            reset=False,
        )
        return self._output_preactivation(_as_float(X), check_finite=True)

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

    def __getstate__(self):
        """Return the state to pickle, stamped with the sk_mlpbp version."""
        from sk_mlpbp import __version__

        return {**super().__getstate__(), "_sk_mlpbp_version": __version__}

    def __setstate__(self, state):
        """Restore a pickled state; warn if another sk_mlpbp version saved it."""
        from sk_mlpbp import __version__

        state = dict(state)
        saved = state.pop("_sk_mlpbp_version", "unknown")
        if saved != __version__:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_version=__version__,
                    original_version=saved,
                )
            )
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags

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


def _warn_if_unscaled(rows):
    """Warn when the inputs are too far from standardised for logistic units."""
    problem = unscaled_inputs(rows)
    if problem:
        warnings.warn(
            SaturationWarning(
                f"The inputs are far from standardised: {problem}. Logistic units "
                "saturate on the largest of them and learn little from the rest, so "
                "training may end in a poor or near-constant model. Standardise "
                "them first, e.g. make_pipeline(sklearn.preprocessing.StandardScaler"
                "(), MLPBackpropClassifier())."
            )
        )


def _design_effect(sample_weight):
    """Kish's design effect ``mean(w^2) / mean(w)^2`` of the weights (1 for None).

    A weighted mean over n samples is as noisy as a plain mean over n / design
    effect.
    """
    if sample_weight is None:
        return 1.0
    mean = np.mean(sample_weight)
    # Weights that are all zero stand for no samples at all.
    return float(np.mean(sample_weight**2) / mean**2) if mean > 0 else np.inf


def _window(n_iter_no_change):
    """Return how many epochs the watched loss is averaged over (1 for np.inf)."""
    return 1 if np.isinf(n_iter_no_change) else int(n_iter_no_change)


def _smoothed_improvement(losses, best_smoothed, n_iter_no_change, tol):
    """Return whether the watched loss improved, and its best smoothed value.

    A loss is watched through its mean over the last ``n_iter_no_change`` epochs:
    one lucky epoch of a noisy (e.g. class-weighted) loss would set a best that the
    next epochs rarely beat, and stop training too soon. Until the window is full,
    its mean is over fewer, noisier epochs, and counts as no verdict (an
    improvement).
    """
    window = _window(n_iter_no_change)
    if len(losses) < window:
        return True, best_smoothed
    smoothed = float(np.mean(losses[-window:]))
    return smoothed <= best_smoothed - tol, min(best_smoothed, smoothed)


def _recorded_an_epoch(estimator, before):
    """Return whether the estimator recorded an epoch since its vars were ``before``.

    A fresh fit starts a new ``loss_curve_``; one that continues appends to it.
    """
    curve = getattr(estimator, "loss_curve_", None)
    earlier = before.get("loss_curve_")
    if curve is None:
        return False
    return len(curve) > len(earlier) if curve is earlier else len(curve) > 0


def _restore(estimator, attributes):
    """Set the estimator's attributes back to ``attributes`` (from ``vars``)."""
    vars(estimator).clear()
    vars(estimator).update(attributes)


def _check_has_weights(estimator):
    """Raise NotFittedError when the estimator has no weights, fitted or assigned."""
    if not hasattr(estimator, "coefs_"):
        raise NotFittedError(
            f"This {type(estimator).__name__} has no weights: fit it, or assign "
            "coefs_ (and intercepts_) first."
        )


def _check_rows(name, values, n_rows):
    """Raise if the validation array ``name`` has not one entry per row of X_val."""
    if values.shape[0] != n_rows:
        raise ValueError(
            f"{name} has {values.shape[0]} entries, but X_val has {n_rows} rows."
        )


def _as_float(X, name="X"):
    """Return X as floats: float32 stays float32, any other numeric input float64.

    float32 is trained and predicted in float32. Validating with
    ``dtype="numeric"`` rather than a list of float dtypes makes scikit-learn reject
    arrays of strings instead of parsing them as numbers; an object array it left
    as it is (from a container :func:`~sk_mlpbp._validation.numeric_input` does not
    convert) is checked here for text, and for NaN where it held None.
    """
    if X.dtype in (np.float32, np.float64):
        return X
    if X.dtype == object:
        reject_text(X, name)
        X = X.astype(np.float64)
        assert_all_finite(X, input_name=name)
        return X
    return X.astype(np.float64)


def _dense_targets(y):
    """Return an indicator matrix y given as a sparse matrix as a dense array.

    The target matrix T is dense anyway (one byte a target), so a dense y costs no
    more than T.
    """
    return y.toarray() if sparse.issparse(y) else y
