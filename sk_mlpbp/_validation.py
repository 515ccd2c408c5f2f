"""Checks of the estimator's inputs that scikit-learn's validation leaves open.

Text in X, values that overflow the training dtype, class lists, the scale of the
sample weights and networks too large for memory: each gets a clear error (or, for
the weights' scale, an exact rescaling) before training starts.
"""

import os
import sys

import numpy as np
from sklearn.utils import assert_all_finite
from sklearn.utils.validation import (
    _check_sample_weight,
    _check_y,
    check_array,
    check_consistent_length,
    validate_data,
)

#: The weights are rescaled by a power of two when their largest value is outside
#: [2**-MAX_WEIGHT_EXPONENT, 2**MAX_WEIGHT_EXPONENT]: inside, their sums, squares and
#: ``LR / sum`` stay normal floats in float32 and float64.
MAX_WEIGHT_EXPONENT = 32

#: Copies of the weights that training holds (see check_network_fits_in_memory).
TRAINING_COPIES = 4

#: Memory assumed when the machine's physical memory cannot be read.
FALLBACK_MEMORY_BYTES = 2**40


def checked_inputs(estimator, X, y=None, *, reset, name="X", ensure_all_finite=True):
    """Return the inputs X (and targets y) checked as every path takes them.

    ``fit``, ``partial_fit``, ``X_val``, prediction and the step trace all come
    here. X must hold numbers (text is refused in any container, see
    :func:`numeric_input`) and be 2-D, dense or CSR/CSC; it comes back float32 if it
    was, else float64 (:func:`as_float`). Its width and feature names are recorded
    on the estimator (``reset``) or checked against the fitted ones, as scikit-learn's
    ``validate_data`` does; a second array (``X_val``) is compared with the training
    data by name. ``y``, when given, is checked as scikit-learn checks targets
    (several outputs allowed), one per row of X.

    Parameters
    ----------
    estimator : BaseMLPBackprop
        The estimator the inputs are for.

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The inputs.

    y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        The targets, if any.

    reset : bool
        Whether X defines the estimator's width and feature names (a new fit).

    name : str, default="X"
        The inputs' name in messages.

    ensure_all_finite : bool, default=True
        Whether NaN and infinity are refused here (prediction looks for them in the
        forward pass instead).

    Returns
    -------
    X : {ndarray, sparse matrix}
        The inputs, float32 or float64.

    y : ndarray or None
        The targets.
    """
    raw = numeric_input(X, name)
    # scikit-learn's first check for NaN sums X, which overflows (a RuntimeWarning)
    # for finite X near the largest float; it then checks X element by element.
    with np.errstate(over="ignore", invalid="ignore"):
        X = check_array(
            raw,
            accept_sparse=["csr", "csc"],
            dtype="numeric",
            ensure_all_finite=ensure_all_finite,
            input_name=name,
            estimator=estimator,
        )
    if y is not None:
        y = _check_y(y, multi_output=True, estimator=estimator)
        check_consistent_length(X, y)
    if name != "X" and X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"{name} has {X.shape[1]} features, but the training data X has "
            f"{estimator.n_features_in_}."
        )
    validate_data(estimator, raw, reset=reset, skip_check_array=True)
    return as_float(X, name), y


def as_float(X, name="X"):
    """Return X as floats: float32 stays float32, any other numeric input float64.

    float32 is trained and predicted in float32. Validating with
    ``dtype="numeric"`` rather than a list of float dtypes makes scikit-learn reject
    arrays of strings instead of parsing them as numbers; an object array it left
    as it is (from a container :func:`numeric_input` does not convert) is checked
    here for text, and for NaN where it held None.
    """
    if X.dtype in (np.float32, np.float64):
        return X
    if X.dtype == object:
        reject_text(X, name)
        X = X.astype(np.float64)
        assert_all_finite(X, input_name=name)
        return X
    return X.astype(np.float64)


def numeric_input(X, name):
    """Return ``X`` after refusing text in it, whatever the container.

    X must hold numbers: a NumPy array of strings, an object array or list with a
    ``str`` or ``bytes`` entry, and a pandas column of strings (object, string or
    categorical dtype) are refused alike, rather than numeric text being parsed as
    numbers. A list is made an array here, as ``check_array`` would, so that an
    object array's ``None`` becomes NaN and is refused as NaN.

    Parameters
    ----------
    X : array-like or sparse matrix
        The input, before scikit-learn's validation.

    name : str
        The argument's name, for the error.

    Returns
    -------
    X : array-like or sparse matrix
        ``X``, or the array of a list or tuple.
    """
    if isinstance(X, (list, tuple)):
        X = np.asarray(X)
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(X, pandas.DataFrame):
        for i, (column, dtype) in enumerate(zip(X.columns, X.dtypes)):
            if isinstance(dtype, pandas.CategoricalDtype):
                values = np.asarray(dtype.categories, dtype=object)
            elif dtype.kind == "O" or isinstance(dtype, pandas.StringDtype):
                values = X.iloc[:, i].to_numpy(dtype=object)
            else:
                continue
            reject_text(values, name, column)
    elif isinstance(X, np.ndarray) and X.dtype.kind in "OUS":
        reject_text(X, name)
    return X


def reject_text(values, name, column=None):
    """Raise ValueError if the array ``values`` holds a ``str`` or ``bytes`` entry.

    Parameters
    ----------
    values : ndarray
        An array of strings, or of objects.

    name : str
        The argument's name, for the error.

    column : object, default=None
        The DataFrame column ``values`` come from, for the error.
    """
    if values.dtype.kind in "US":
        text = values.flat[0] if values.size else ""
    else:
        text = next((v for v in values.flat if isinstance(v, (str, bytes))), None)
        if text is None:
            return
    where = "" if column is None else f" in column {column!r}"
    raise ValueError(
        f"{name} contains strings (text), e.g. {text!r}{where}; "
        f"{name} must hold numbers. Convert numeric text to numbers first (e.g. "
        "pandas.to_numeric), and encode text features, e.g. with OneHotEncoder or "
        "TfidfVectorizer in a pipeline."
    )


def cast(array, dtype, name):
    """Return ``array`` (dense or sparse) as ``dtype``, refusing values that overflow.

    Parameters
    ----------
    array : ndarray or sparse matrix
        Finite values.

    dtype : dtype
        The training dtype.

    name : str
        The argument's name, for the error.

    Returns
    -------
    array : ndarray or sparse matrix
        ``array`` in ``dtype`` (itself when it has that dtype already).
    """
    try:
        with np.errstate(over="raise"):
            return array.astype(dtype, copy=False)
    except FloatingPointError:
        raise _overflow_error(name, dtype) from None


def check_fits(array, dtype, name):
    """Raise ValueError if the finite float64 ``array`` has values beyond ``dtype``.

    Parameters
    ----------
    array : ndarray
        Finite values.

    dtype : dtype
        The training dtype.

    name : str
        The argument's name, for the error.
    """
    if array.size and np.abs(array).max() > np.finfo(dtype).max:
        raise _overflow_error(name, dtype)


def _overflow_error(name, dtype):
    dtype = np.dtype(dtype)
    return ValueError(
        f"{name} has values that overflow {dtype.name} (largest "
        f"{np.finfo(dtype).max:.4g}), the dtype the model trains in because X is "
        f"{dtype.name}. Pass X as float64, or scale {name}."
    )


def checked_classes(classes):
    """Return ``classes`` of ``partial_fit`` sorted, after checking them.

    Parameters
    ----------
    classes : array-like of shape (n_classes,)
        Every class label the model will see.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        The sorted labels.
    """
    classes = check_array(
        classes,
        ensure_2d=False,
        dtype=None,
        ensure_all_finite=False,
        ensure_min_samples=0,
        input_name="classes",
    )
    if classes.ndim != 1:
        raise ValueError(
            "classes must be a 1-D array-like of class labels; got an array of shape "
            f"{classes.shape}."
        )
    if classes.dtype.kind == "O" and any(label is None for label in classes):
        raise ValueError("classes contains None; class labels must be set.")
    for label in classes.tolist() if classes.dtype.kind in "fcO" else ():
        if isinstance(label, (float, complex)) and not np.isfinite(label):
            what = "NaN" if np.isnan(label) else "infinity"
            raise ValueError(f"classes contains {what}; class labels must be finite.")
    unique, counts = np.unique(classes, return_counts=True)
    if (counts > 1).any():
        raise ValueError(
            f"classes has duplicated entries {unique[counts > 1].tolist()}; list "
            "every class once."
        )
    if unique.shape[0] < 2:
        raise ValueError(
            "MLPBackpropClassifier needs at least 2 classes; classes lists "
            f"{unique.tolist()}."
        )
    return unique


def checked_class_weight(class_weight):
    """Raise ValueError unless the values of the dict ``class_weight`` are usable.

    Every value must be a finite, non-negative number.

    Parameters
    ----------
    class_weight : dict
        The weight of each class.
    """
    for label, weight in class_weight.items():
        if not np.isreal(weight) or isinstance(weight, (str, bytes, bool)):
            raise ValueError(
                f"class_weight must map classes to numbers; got {weight!r} for class "
                f"{label!r}."
            )
        if np.isnan(weight):
            raise ValueError(f"class_weight has a NaN weight for class {label!r}.")
        if not np.isfinite(weight):
            raise ValueError(
                f"class_weight has an infinite weight for class {label!r}; weights "
                "must be finite."
            )
        if weight < 0:
            raise ValueError(
                f"class_weight has a negative weight, {weight!r}, for class {label!r}."
            )


def rescaled_weights(weights):
    """Return the weights, multiplied by a power of two if they are far from 1.

    The weights are returned as they are when their largest value is in
    ``[2**-32, 2**32]``; otherwise they are multiplied by the power of two that brings
    it into [0.5, 1). That is exact, so the weighted means of training (each batch's
    gradient ``sum(s_i g_i) / sum(s_i)``, ``loss_curve_``, the validation scores) do
    not change, but their sums, squares and ``LR / sum`` can no longer overflow or
    become subnormal.

    Parameters
    ----------
    weights : ndarray
        Non-negative finite weights.

    Returns
    -------
    weights : ndarray
        The weights, of the same dtype.
    """
    exponent = int(np.frexp(weights.max())[1]) if weights.size else 0
    if -MAX_WEIGHT_EXPONENT <= exponent <= MAX_WEIGHT_EXPONENT:
        return weights
    return np.ldexp(weights, -exponent).astype(weights.dtype, copy=False)


def checked_sample_weight(sample_weight, X, name="sample_weight"):
    """Return sample weights as training uses them: checked, rescaled, in X's dtype.

    They are checked in float64 (quietly: scikit-learn's check for infinity sums
    them) to be finite, non-negative and one per row of X, and then as
    :func:`weights_in` checks them, so that a weight too large for a float32 X is
    named as such.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,)
        The weights.

    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The inputs they weigh, float32 or float64.

    name : str, default="sample_weight"
        The weights' name in messages.

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,)
        The weights, rescaled by :func:`rescaled_weights`, of X's dtype.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
    return weights_in(sample_weight, X.dtype, name)


def weights_in(weights, dtype, name):
    """Return float64 weights rescaled and cast to ``dtype``, where they fit.

    Parameters
    ----------
    weights : ndarray
        Non-negative finite weights, float64.

    dtype : numpy dtype
        The training dtype.

    name : str
        The weights' name in messages.

    Returns
    -------
    weights : ndarray
        The weights, rescaled by :func:`rescaled_weights` before the cast, so that
        tiny weights do not underflow float32.

    Raises
    ------
    ValueError
        If a weight overflows ``dtype``.
    """
    check_fits(weights, dtype, name)
    return rescaled_weights(weights).astype(dtype, copy=False)


def check_network_fits_in_memory(layer_units, dtype):
    """Raise ValueError if training the network could not be held in memory.

    Training holds about four copies of the weights and biases: the weights, the
    optimizer's steps, each epoch's snapshot (to return to if the epoch fails), and
    the momentum velocities or the best validation epoch's weights. Four times
    their size must fit in the machine's physical memory (or 1 TiB where that
    cannot be read).

    Parameters
    ----------
    layer_units : list of int
        The number of units of each layer, inputs first.

    dtype : dtype
        The dtype of the weights.
    """
    n_weights = sum(
        (fan_in + 1) * fan_out
        for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:])
    )
    needed = TRAINING_COPIES * n_weights * np.dtype(dtype).itemsize
    available = physical_memory()
    if needed > available:
        raise ValueError(
            f"hidden_layer_sizes {layer_units[1:-1]} make a network of {n_weights} "
            f"weights and biases for {layer_units[0]} inputs and {layer_units[-1]} "
            f"outputs: training it needs about {needed / 2**30:.1f} GiB ({needed} "
            f"bytes), more than this machine's {available / 2**30:.1f} GiB of "
            "memory. Choose smaller hidden layers."
        )


def physical_memory():
    """Return the machine's physical memory in bytes (1 TiB if it cannot be read).

    Returns
    -------
    n_bytes : int
        The physical memory.
    """
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return FALLBACK_MEMORY_BYTES
