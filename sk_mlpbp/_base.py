"""What the classifier and the regressor share: the conductor of training.

:class:`BaseMLPBackprop` holds the shared parameters, the validation of inputs, the
epoch loop with its stopping rules and callbacks, warm starts and ``partial_fit``,
the step trace, the forward pass of prediction and persistence. Each estimator of
:mod:`sk_mlpbp._mlp` adds its targets, output units, scores and prediction methods
through a few hooks (``_encode_targets``, ``_target_matrix``, ``_check_y``,
``_activates_output``, ...). The network's math is in :mod:`sk_mlpbp._network`, an
epoch's steps in :mod:`sk_mlpbp._epoch`, the update rule in :mod:`sk_mlpbp._optim`
and the training state's declaration in :mod:`sk_mlpbp._state`.
"""

import contextlib
import copy
import threading
import time
import warnings
from functools import partial, wraps
from numbers import Integral, Real

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import train_test_split
from sklearn.utils import (
    assert_all_finite,
    check_random_state,
    gen_batches,
)
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.validation import (
    check_array,
    check_is_fitted,
)

from sk_mlpbp import _state as training_state
from sk_mlpbp._calibration import (
    calibration_rows,
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
from sk_mlpbp._stopping import StoppingRule
from sk_mlpbp._threads import fit_threads
from sk_mlpbp._validation import (
    cast,
    check_network_fits_in_memory,
    checked_inputs,
    checked_sample_weight,
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

#: Private attributes that earlier versions saved under other names: the LR each
#: layer is at now, the calibrated "auto" rates, and the samples seen when the LR
#: schedule started. A model file or pickle of such a version loads under today's.
RENAMED_ATTRIBUTES = {
    "_learning_rates": "_current_learning_rates",
    "_auto_learning_rates": "_calibrated_learning_rates",
    "_auto_intercept_learning_rates": "_calibrated_intercept_learning_rates",
    "_schedule_start": "_schedule_start_t",
}

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


class BaseMLPBackprop(CallbackSupportMixin, BaseEstimator):
    """The conductor of training, shared by the classifier and the regressor.

    It holds the parameters both estimators take (see
    :class:`~sk_mlpbp.MLPBackpropClassifier` for their meaning), validates the
    inputs, starts or continues the network, and runs the epochs with their
    stopping rule, validation curves, callbacks and interrupts; a subclass gives it
    its targets and scores through these hooks:

    - ``_check_y(y)``: the targets as the estimator takes them (``y`` and ``y_val``);
    - ``_encode_targets(y, mode, classes, sample_weight)``:
      define the targets'
      encoding (classes, or a target scaling) and return the target matrix T;
    - ``_target_matrix(y, name)``: T of validation targets, by that encoding;
    - ``_activates_output()``: whether the output units are logistic;
    - ``_row_scores(S_preA_O, y)`` and
      ``_validation_score(y, row_scores, sample_weight)``: each validation row's
      part of the validation score (whether it is predicted right, or its
      prediction), and the score made of them (accuracy, R^2);
    - ``_stratify(y)``, ``_n_target_groups()``, ``_score_name``: the hold-out's
      stratification and size, and the score's name;
    - ``_times_class_weight``, ``_check_weighted_targets``,
      ``_set_constant_outputs(T)``: class weights, and output units set to a
      target that never varies.
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
    }

    #: The validation score's name in messages.
    _score_name = "validation score"

    #: Whether an epoch's batches are of equal size (see
    #: :class:`sk_mlpbp._epoch.Epoch`), rather than of ``batch_size`` and a short
    #: last one.
    _even_batches = False

    #: What a fitted model holds beyond ``n_features_in_``: weights assigned by hand
    #: are not one.
    _fitted_attributes = ("coefs_", "intercepts_", "n_outputs_")

    #: What ``fit`` sets on either estimator beside the training state
    #: (:data:`sk_mlpbp._state.TRAINING_STATE`): the network's shape, the LRs of
    #: the last ``fit`` (and the calibrated ``"auto"`` ones, which warm starts
    #: keep), where the LR schedule started and what the stopping rule watches.
    _network_attributes = (
        "n_features_in_",
        "n_layers_",
        "n_outputs_",
        "learning_rates_",
        "intercept_learning_rates_",
        "_calibrated_learning_rates",
        "_calibrated_intercept_learning_rates",
        "_schedule_start_t",
        "_watched",
    )

    #: What each estimator's targets add (see the subclasses); prediction reads
    #: all of them.
    _target_attributes = ()

    #: Attributes that ``fit`` sets only for some inputs (X with column names).
    _optional_attributes = ("feature_names_in_",)

    #: Called with the estimator after every epoch that ``fit`` records, when an
    #: instance sets it (the command line's progress display does, for one fit).
    _epoch_hook = None

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

    @_one_fit_at_a_time
    def _fit(self, X, y, sample_weight, validation, partial, classes=None):
        """Train, or leave the estimator as it was when no epoch completes.

        A call that fails or is interrupted (Ctrl-C) before its first epoch is
        recorded changes nothing: an unfitted estimator stays unfitted, a fitted one
        keeps its model. An interrupt then ends the call with a warning, as one
        during training does; an error is raised.
        """
        before = dict(vars(self))
        try:
            self._train(X, y, sample_weight, validation, partial, classes)
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

    def _train(self, X, y, sample_weight, validation, partial, classes):
        hidden_layer_sizes = self._validate_hidden_layer_sizes()
        mode = training_state.FitMode.of(self, partial)
        if y is None:  # scikit-learn's message
            raise ValueError(
                f"This {type(self).__name__} estimator requires y to be passed, but "
                "the target y is None."
            )
        X, y = checked_inputs(
            self, X, y, reset=not (mode.continuing and hasattr(self, "n_features_in_"))
        )
        y = self._check_y(y)
        if sample_weight is not None:
            sample_weight = checked_sample_weight(sample_weight, X)
        T = self._encode_targets(y, mode, classes, sample_weight)
        sample_weight = self._training_sample_weight(X, y, sample_weight, mode)
        layer_units = [X.shape[1], *hidden_layer_sizes, T.shape[1]]
        check_network_fits_in_memory(layer_units, X.dtype)
        random_state = check_random_state(self.random_state)
        if mode.continuing:
            self._copy_weights_for_warm_start(layer_units, X.dtype)
        else:
            self.coefs_, self.intercepts_ = initial_weights(
                layer_units, self.weight_init, X.dtype, random_state
            )
        self.n_layers_ = len(layer_units)
        self.n_outputs_ = layer_units[-1]
        X, y, T, sample_weight, validation = self._split_validation(
            X, y, T, sample_weight, validation, random_state, mode
        )
        vars(self).update(
            training_state.started(vars(self), mode, validation is not None)
        )
        batch_size = self._resolve_batch_size(X.shape[0], mode, sample_weight)
        threads = fit_threads(batch_size, self.coefs_)  # the BLAS threads (_threads.py)
        # Overflow in a saturated unit is harmless (expit maps +-inf to 1 and 0);
        # weights that stop being finite are caught after every epoch instead.
        with np.errstate(over="ignore", invalid="ignore"), threads:
            rows = None
            # partial_fit calibrates on its first call only (also on weights a user
            # assigned, which have no rates yet).
            if not (mode.partial and hasattr(self, "_current_learning_rates")):
                rows = calibration_rows(X, sample_weight)
                _warn_if_unscaled(rows, type(self).__name__)
            if not mode.continuing and self.weight_init == "data":
                scaled_weights(self.coefs_, rows)
            if not mode.partial and self.use_bias:
                self._set_constant_outputs(T)
            self._start_learning_rates(rows, mode)
            if not mode.continuing:
                self._scale_initial_output()
            self._run_epochs(
                X,
                y,
                T,
                sample_weight,
                validation,
                random_state,
                mode,
                batch_size,
            )
        return self

    def _stratify(self, y):
        """Return the labels to stratify a hold-out by, or None."""
        return None

    def _n_target_groups(self):
        """Return the groups of targets that ``"auto"`` early stopping needs held out.

        ``AUTO_MIN_VALIDATION_PER_CLASS`` validation samples are needed for each.
        """
        return 2

    def _set_constant_outputs(self, T):
        """Set output units whose target never varies to that constant (if any)."""

    def _scale_initial_output(self):
        """Rescale a new network's output weights, after its LRs are calibrated."""

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

    def _training_sample_weight(self, X, y, sample_weight, mode):
        """Return the checked sample weights times class weights, or None for neither.

        ``sample_weight`` is None or already checked by
        :func:`~sk_mlpbp._validation.checked_sample_weight`.
        """
        if sample_weight is None:
            if getattr(self, "class_weight", None) is None:
                return None
            sample_weight = checked_sample_weight(None, X)
        sample_weight = self._times_class_weight(sample_weight, y, mode.partial)
        if not sample_weight.any():
            raise ValueError(
                "sample_weight (times class_weight) is zero for every sample; at "
                "least one sample needs a positive weight."
            )
        if not mode.partial:
            self._check_weighted_targets(y, sample_weight)
        return sample_weight

    def _times_class_weight(self, sample_weight, y, partial):
        """Return the sample weights times the weights of their classes (if any)."""
        return sample_weight

    def _check_weighted_targets(self, y, sample_weight):
        """Raise when the samples of positive weight cannot be trained on."""

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

    def _start_learning_rates(self, rows, mode):
        """Set each layer's LR for this call, and where the schedule starts.

        ``fit`` (warm-started too) starts from ``learning_rate``; ``partial_fit``
        continues the current rates. ``"auto"`` rates are calibrated on the training
        ``rows`` when the network is initialised, and kept for warm starts.
        """
        if mode.partial and hasattr(self, "_current_learning_rates"):
            if not hasattr(self, "intercept_learning_rates_"):
                # A model saved before the biases had rates of their own.
                self.intercept_learning_rates_ = list(self.learning_rates_)
            return
        if isinstance(self.learning_rate, str):  # "auto"
            if not mode.continuing or not hasattr(
                self, "_calibrated_intercept_learning_rates"
            ):
                (
                    self._calibrated_learning_rates,
                    self._calibrated_intercept_learning_rates,
                ) = layer_learning_rates(
                    self.coefs_,
                    self.intercepts_,
                    rows,
                    self.use_bias,
                    self.alpha,
                    self._activates_output(),
                )
            rates = self._calibrated_learning_rates
            intercept_rates = self._calibrated_intercept_learning_rates
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
        self._current_learning_rates = list(rates)
        self._schedule_start_t = self.t_

    def _watched_quantity(self, n_validation, sample_weight_val, mode):
        """Return what the stopping rule of this call watches.

        ``early_stopping="auto"`` watches the validation loss when the
        ``n_validation`` validation samples (``X_val``, else the held-out
        ``validation_fraction``), divided by their weights' design effect, are at
        least ``AUTO_MIN_VALIDATION_PER_CLASS`` per class (per two classes for two
        classes and for multilabel targets) and the rule can act before
        ``max_iter``.
        """
        if mode.partial or self.early_stopping is False:
            return "training loss"
        if self.early_stopping is True:
            return "validation score"
        n_validation /= _design_effect(sample_weight_val)
        if (
            n_validation >= AUTO_MIN_VALIDATION_PER_CLASS * self._n_target_groups()
            and self.max_iter > self.n_iter_no_change
        ):
            return "validation loss"
        return "training loss"

    def _split_validation(self, X, y, T, sample_weight, validation, random_state, mode):
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
            self._watched = self._watched_quantity(n_held_out, sample_weight, mode)
        if X_val is None and self._watched == "training loss":
            return X, y, T, sample_weight, None
        if X_val is None:
            arrays = [X, y, T] + ([] if sample_weight is None else [sample_weight])
            try:
                split = train_test_split(
                    *arrays,
                    test_size=self.validation_fraction,
                    stratify=self._stratify(y),
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
            X_val, _ = checked_inputs(self, X_val, name="X_val", reset=False)
            X_val = cast(X_val, X.dtype, "X_val")
            y_val = check_array(
                y_val,
                accept_sparse=["csr", "csc"],
                ensure_2d=False,
                dtype=None,
                input_name="y_val",
            )
            y_val = self._check_y(y_val, "y_val")
            _check_rows("y_val", y_val, X_val.shape[0])
            T_val = self._target_matrix(y_val, "y_val")
            if sample_weight_val is not None:
                sample_weight_val = check_array(
                    sample_weight_val,
                    ensure_2d=False,
                    dtype="numeric",
                    input_name="sample_weight_val",
                )
                _check_rows("sample_weight_val", sample_weight_val, X_val.shape[0])
                sample_weight_val = checked_sample_weight(
                    sample_weight_val, X_val, "sample_weight_val"
                )
            self._watched = self._watched_quantity(
                X_val.shape[0], sample_weight_val, mode
            )
        return X, y, T, sample_weight, (X_val, y_val, T_val, sample_weight_val)

    def _resolve_batch_size(self, n_samples, mode, sample_weight):
        if self.batch_size == "auto":
            if n_samples <= AUTO_FULL_BATCH:
                return n_samples
            # Unequal weights make a batch's weighted mean noisier, so the batches
            # grow by the weights' design effect.
            growth = min(_design_effect(sample_weight), AUTO_MAX_BATCH_GROWTH)
            batch_size = AUTO_BATCH_SIZE * growth
            return min(n_samples, int(np.ceil(batch_size)))
        # A partial_fit chunk smaller than a batch is normal, not worth a warning.
        if self.batch_size > n_samples and not mode.partial:
            warnings.warn(
                f"batch_size={self.batch_size} is larger than the {n_samples} "
                "training samples; it is clipped to the number of samples.",
                UserWarning,
            )
            return n_samples
        return min(self.batch_size, n_samples)

    def _run_epochs(
        self,
        X,
        y,
        T,
        sample_weight,
        validation,
        random_state,
        mode,
        batch_size,
    ):
        """Run epochs of gradient descent until a stopping rule holds."""
        optimizer = self._optimizer(mode.continuing)
        self._velocities = optimizer.velocities
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        callback_context = self._init_callback_context(
            max_subtasks=1 if mode.partial else self.max_iter
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
            self._activates_output(),
            self._even_batches,
        )
        # No stopping rule ends training on the plateau where the outputs are nearly
        # a constant: that is where the sum-of-squares error stalls first.
        plateau_loss = PLATEAU_FRACTION * constant_output_error(T, sample_weight)
        rule = StoppingRule(
            self._watched,
            self.tol,
            self.n_iter_no_change,
            plateau_loss,
            self._score_name,
        )
        start = time.perf_counter()
        completed = 0  # the epochs this call recorded
        for _ in range(1 if mode.partial else self.max_iter):
            # Ctrl-C can come at any point of an iteration: during the epoch's steps
            # the model returns to the snapshot; once the epoch is recorded (while
            # printing, scheduling or calling back) the model is already complete.
            snapshot, recorded = None, False
            try:
                epoch_context = epoch_callback_context(self, callback_context)
                epoch_context.call_on_fit_task_begin(
                    estimator=self, X=X, y=y, metadata=metadata
                )
                snapshot = training_state.snapshot(vars(self))
                loss = self._train_epoch(epoch, snapshot)
                self._record_epoch(loss, X.shape[0], validation, rule)
                recorded = True
                completed += 1
                optimizer.iteration_ends(self.t_ - self._schedule_start_t)
                converged = self._converged(rule, optimizer, mode.partial)
                requested = self._epoch_ended(
                    epoch_context, time.perf_counter() - start, X, y, metadata
                )
                if converged and self.verbose:
                    print(rule.message())
            except KeyboardInterrupt:
                if snapshot is not None and not recorded:
                    self._return_to(snapshot)
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
            if not mode.partial:
                warnings.warn(
                    f"{type(self).__name__}: the maximum number of epochs "
                    f"(max_iter={self.max_iter}) was reached before training "
                    "converged.",
                    ConvergenceWarning,
                )
        self._current_learning_rates = optimizer.learning_rate
        if self._watched != "training loss" and self.best_validation_score_ is not None:
            for param, best in zip(
                self.coefs_ + self.intercepts_, self._best_coefs + self._best_intercepts
            ):
                np.copyto(param, best)
        if not mode.partial:
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
            learning_rate=self._current_learning_rates,
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

    def _activates_output(self):
        """Return whether the output units are logistic (the classifier's are)."""
        return True

    def _traced_step(self, X, y, sample_weight, classes):
        """Take one step on a copy of the network, and return its trace.

        See :meth:`sk_mlpbp.MLPBackpropClassifier.explain_step`.
        """
        model, X, T, sample_weight = self._step_model(X, y, sample_weight, classes)
        optimizer = model._optimizer(continuing=True)
        threads = fit_threads(X.shape[0], model.coefs_)
        with np.errstate(over="ignore", invalid="ignore"), threads:
            return trace_step(X, T, sample_weight, optimizer, model._activates_output())

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
        model : BaseMLPBackprop
            The copy.

        X, T, sample_weight : ndarray
            The batch's inputs, targets and sample weights (None without ``y``, or
            without weights).
        """
        _check_has_weights(self)
        self._validate_params()
        fitted = all(
            hasattr(self, name) for name in (*self._fitted_attributes, "n_features_in_")
        )
        # validate_data and the target encoding set attributes: on a copy.
        model = copy.copy(self)
        X, y = checked_inputs(model, X, y, reset=not fitted)
        if dtype is not None:
            X = X.astype(dtype)
        if y is None:  # a forward pass only
            return model._network_copy(X.shape[1], None, X.dtype), X, None, None
        y = model._check_y(y)
        if sample_weight is not None:
            sample_weight = checked_sample_weight(sample_weight, X)
        # A step of a fitted model continues it, as partial_fit does; one of
        # assigned weights learns the targets' encoding from the batch, as fit does
        # (or as a first partial_fit does, given the classes).
        encoding = training_state.FitMode(
            partial=fitted or classes is not None, continuing=fitted
        )
        T = model._encode_targets(y, encoding, classes, sample_weight)
        step = training_state.FitMode(partial=True, continuing=True)
        sample_weight = model._training_sample_weight(X, y, sample_weight, step)
        model = model._network_copy(X.shape[1], T.shape[1], X.dtype)
        vars(model).update(training_state.started(vars(model), step, False))
        rows = None
        if not hasattr(model, "_current_learning_rates"):
            rows = calibration_rows(X, sample_weight)
        model._start_learning_rates(rows, step)
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
                errors, _ = self._errors_and_scores(X, T, sample=sample)
                loss = float(np.average(errors, weights=weights))
        if loss is None or loss > 0.5 * plateau_loss:
            errors, _ = self._errors_and_scores(X, T)
            loss = float(np.average(errors, weights=sample_weight))
        if loss > plateau_loss:
            name = type(self).__name__
            warnings.warn(
                f"{name}: training ended with the model still close to a constant "
                f"output: its mean loss on the training data, {loss:.4g}, is above "
                f"{PLATEAU_FRACTION} x {plateau_loss / PLATEAU_FRACTION:.4g}, the loss "
                "of the best constant. Standardise the inputs (e.g. "
                "make_pipeline(sklearn.preprocessing.StandardScaler(), "
                f"{name}())), train longer (max_iter), or check that the inputs carry "
                "information about y.",
                ConvergenceWarning,
            )

    def _errors_and_scores(self, X, T, y=None, sample=None):
        """Return each row's error E and, given its targets y, its score part.

        ``E = 1/2 * sum_k FE_k ** 2`` with ``FE = S_postA,O - T``; a row's score part
        is what the validation score is made of (see ``_row_scores``). The rows go
        through the network a chunk at a time (``OUTPUT_CHUNK_VALUES``), so that
        memory holds one value a row beside one chunk's activations, never the
        outputs of every row. With ``sample``, an array of row indices, only those
        rows are measured (each chunk gathered from X, so it is bounded by X's width
        too).
        """
        n_rows = X.shape[0] if sample is None else sample.shape[0]
        dtype = np.result_type(X.dtype, self.coefs_[0].dtype)
        errors = np.empty(n_rows, dtype=dtype)
        scores = []
        widest = max(coef.shape[1] for coef in self.coefs_)
        if sample is not None:
            widest = max(widest, X.shape[1])
        for rows in gen_batches(n_rows, max(1, OUTPUT_CHUNK_VALUES // widest)):
            taken = rows if sample is None else sample[rows]
            S_preA_O = self._output_preactivation(X[taken])
            if y is not None:
                scores.append(self._row_scores(S_preA_O, y[taken]))
            # FE = S_postA,O - T, in place of S_preA,O
            FE = expit(S_preA_O, out=S_preA_O) if self._activates_output() else S_preA_O
            FE -= T[taken]
            errors[rows] = sample_errors(FE)
        return errors, None if y is None else np.concatenate(scores)

    def _train_epoch(self, epoch, snapshot):
        """Run one epoch and return its loss, or raise when training diverged.

        The loss and the weights are scanned once for a NaN or infinity. A product
        too large for floating point comes out NaN (inf - inf): the epoch is then
        run again from the ``snapshot``, its products guarded; if that too ends
        non-finite, the model returns to the snapshot and training has diverged.
        """
        loss = epoch.run()
        if self._finite(loss):
            return loss
        self._return_to(snapshot)
        loss = epoch.run(guarded=True)
        if self._finite(loss):
            return loss
        self._return_to(snapshot)
        raise ValueError(
            "Training diverged: the weights or the loss are no longer finite. Lower "
            f"learning_rate (now {self.learning_rate!r}, per layer "
            f"{[float(f'{LR:.3g}') for LR in self.learning_rates_]}) or scale the "
            "inputs, e.g. "
            "with sklearn.preprocessing.StandardScaler. The model keeps the weights "
            "of its last finite epoch."
        )

    def _return_to(self, snapshot):
        """Return the training state to a ``training_state.snapshot``."""
        vars(self).update(training_state.restored(vars(self), snapshot))

    @contextlib.contextmanager
    def _epochs_observed(self, observer):
        """Call ``observer(self)`` after every epoch recorded during the block.

        The command line's progress display observes a fit so; the observer is
        always removed afterwards, so that it is never pickled or saved.
        """
        self._epoch_hook = observer
        try:
            yield
        finally:
            del self._epoch_hook

    def _finite(self, loss):
        """Return whether the loss and every weight and bias are finite."""
        params = self.coefs_ + self.intercepts_
        return np.isfinite(loss) and all(np.isfinite(param).all() for param in params)

    def _converged(self, rule, optimizer, partial):
        """Return whether the stopping rule ends training after this epoch.

        Where the rule holds, the ``"adaptive"`` schedule lowers LR and training
        goes on (the count of epochs without improvement starts again);
        ``partial_fit`` trains its one epoch anyway, but its schedule may adapt.
        """
        if not rule.holds(
            self._no_improvement_count, self.loss_curve_[-self._fit_epochs :]
        ):
            return False
        converged = optimizer.trigger_stopping() and not partial
        if not converged:
            self._no_improvement_count = 0
        return converged

    def _epoch_ended(self, epoch_context, elapsed, X, y, metadata):
        """Tell every observer that an epoch was recorded.

        The observers are ``verbose``'s line, the command line's progress display
        (``_epoch_hook``) and scikit-learn's callbacks, which may ask to stop:
        returns whether one did.
        """
        if self.verbose:
            self._print_epoch(elapsed)
        if self._epoch_hook is not None:
            self._epoch_hook(self)
        return epoch_context.call_on_fit_task_end(
            estimator=self,
            X=X,
            y=y,
            metadata=metadata,
            reconstruction_attributes=self._reconstruction_attributes,
        )

    def _record_epoch(self, loss, n_samples, validation, rule):
        """Append an epoch's curves and update the no-improvement counter.

        The stopping rule and the best epoch look at this fit's epochs only (the
        curves go on across warm starts and ``partial_fit`` calls).
        """
        self.n_iter_ += 1
        self._fit_epochs += 1
        self.t_ += n_samples
        self.loss_curve_.append(loss)
        self.best_loss_ = min(self.best_loss_, loss)
        watched_losses, score, best = self.loss_curve_, None, None
        if validation is not None:
            X_val, y_val, T_val, sample_weight_val = validation
            errors, scores = self._errors_and_scores(X_val, T_val, y_val)
            score = self._validation_score(y_val, scores, sample_weight_val)
            validation_loss = float(np.average(errors, weights=sample_weight_val))
            self.validation_scores_.append(score)
            self.validation_loss_curve_.append(validation_loss)
            best = self.best_validation_score_
            if rule.watched == "validation loss":
                watched_losses = self.validation_loss_curve_
                keep = validation_loss <= self._best_validation_loss
            else:
                keep = best is None or score > best
            if keep:
                self.best_validation_score_ = score
                self._best_validation_loss = validation_loss
                self._best_coefs = [coef.copy() for coef in self.coefs_]
                self._best_intercepts = [b.copy() for b in self.intercepts_]
        improved, self._best_smoothed_loss = rule.improved(
            watched_losses[-self._fit_epochs :], self._best_smoothed_loss, score, best
        )
        self._no_improvement_count = 0 if improved else self._no_improvement_count + 1

    def _print_epoch(self, elapsed):
        line = f"Epoch {self.n_iter_}, loss = {self.loss_curve_[-1]:.8f}"
        if self.validation_scores_:
            line += (
                f", validation score = {self.validation_scores_[-1]:.6f}, "
                f"validation loss = {self.validation_loss_curve_[-1]:.8f}"
            )
        print(f"{line}, time = {elapsed:.2f}s")

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
        check_is_fitted(self, list(self._fitted_attributes))
        # NaN and infinity are looked for during the forward pass, which is cheaper
        # than a separate pass over X (see _output_preactivation).
        X, _ = checked_inputs(self, X, reset=False, ensure_all_finite=False)
        return self._output_preactivation(X, check_finite=True)

    def __getstate__(self):
        """Return the state to pickle, stamped with the sk_mlpbp version."""
        from sk_mlpbp import __version__

        return {**super().__getstate__(), "_sk_mlpbp_version": __version__}

    def __setstate__(self, state):
        """Restore a pickled state; warn if another sk_mlpbp version saved it.

        Private attributes saved under the names of earlier versions
        (``RENAMED_ATTRIBUTES``) take their names of today.
        """
        from sk_mlpbp import __version__

        state = dict(state)
        for old, new in RENAMED_ATTRIBUTES.items():
            if old in state and new not in state:
                state[new] = state.pop(old)
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
        return tags


def _warn_if_unscaled(rows, name):
    """Warn when the inputs are too far from standardised for logistic units."""
    problem = unscaled_inputs(rows)
    if problem:
        warnings.warn(
            SaturationWarning(
                f"The inputs are far from standardised: {problem}. Logistic units "
                "saturate on the largest of them and learn little from the rest, so "
                "training may end in a poor or near-constant model. Standardise "
                "them first, e.g. make_pipeline(sklearn.preprocessing.StandardScaler"
                f"(), {name}())."
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
