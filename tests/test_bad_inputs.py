"""Every bad input gets a clear error.

ValueError or TypeError with a message that says what is wrong, and NotFittedError for
an unfitted model (a catalogue, one test id per case).
"""

import copy
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from sk_mlpbp import MLPBackpropClassifier, make_article_data
from tests._helpers import ignore_convergence

X, y = make_article_data(20, random_state=0)


def with_first(array, value):
    """Return a float copy of ``array`` whose first entry is ``value``."""
    array = np.array(array, dtype=float)
    array.flat[0] = value
    return array


def object_array_holding(value):
    array = X.astype(object)
    array[0, 0] = value
    return array


# Bad X, y or sample_weight: wrong for fit and for partial_fit alike.
TRAINING_DATA = [
    pytest.param({"X": with_first(X, np.nan)}, "X contains NaN", id="nan-in-X"),
    pytest.param({"X": with_first(X, np.inf)}, "X contains infinity", id="inf-in-X"),
    pytest.param({"y": with_first(y, np.nan)}, "y contains NaN", id="nan-in-y"),
    pytest.param({"y": with_first(y, np.inf)}, "y contains infinity", id="inf-in-y"),
    pytest.param(
        {"sample_weight": with_first(np.ones(20), np.nan)},
        "sample_weight contains NaN",
        id="nan-in-sample_weight",
    ),
    pytest.param(
        {"sample_weight": with_first(np.ones(20), np.inf)},
        "sample_weight contains infinity",
        id="inf-in-sample_weight",
    ),
    pytest.param({"X": X[:, 0]}, "Expected 2D array", id="1d-X"),
    pytest.param({"X": X[:, :, np.newaxis]}, "dim 3", id="3d-X"),
    pytest.param(
        {"X": np.empty((0, 3)), "y": np.empty(0)}, "0 sample", id="empty-X-no-rows"
    ),
    pytest.param({"X": np.empty((20, 0))}, "0 feature", id="empty-X-no-columns"),
    pytest.param(
        {"y": np.linspace(0, 1, 20)},
        "Unknown label type: continuous",
        id="continuous-y",
    ),
    pytest.param({"y": y[:-1]}, "inconsistent numbers of samples", id="length-X-y"),
    pytest.param(
        {"sample_weight": np.ones(19)}, "sample_weight", id="length-sample_weight"
    ),
    pytest.param({"X": X.astype(str)}, "strings", id="string-X"),
    pytest.param({"X": np.full((20, 3), "a")}, "strings", id="non-numeric-string-X"),
    pytest.param(
        {"X": object_array_holding({"a": 1})},
        "argument must be a string or a( real)? number",
        id="object-X",
    ),
    pytest.param({"X": object_array_holding("a")}, "string", id="object-X-of-text"),
    pytest.param({"X": X + 1j}, "Complex data not supported", id="complex-X"),
    pytest.param(
        {"sample_weight": -np.ones(20)}, "[Nn]egative", id="negative-sample_weight"
    ),
    pytest.param({"sample_weight": np.zeros(20)}, "zero", id="all-zero-sample_weight"),
    pytest.param(
        {"X": object_array_holding(None).tolist()},
        "X contains NaN",
        id="none-in-list-X",
    ),
    pytest.param(
        {"y": np.c_[y, np.arange(20) % 3]},
        "y must be class labels.*'multiclass-multioutput'",
        id="multiclass-multioutput-y",
    ),
    pytest.param(
        {"y": np.c_[np.where(y == 1, "a", "b"), np.arange(20) % 3]},
        "y must be class labels.*'multiclass-multioutput'",
        id="multiclass-multioutput-string-y",
    ),
    pytest.param(
        {"y": sparse.csr_matrix(np.c_[y, np.arange(20) % 3])},
        "y must be class labels.*'multiclass-multioutput'",
        id="sparse-multiclass-multioutput-y",
    ),
]

# Validation data exist only in fit.
VALIDATION_DATA = [
    pytest.param(
        {"X_val": with_first(X, np.nan), "y_val": y},
        "X_val contains NaN",
        id="nan-in-X_val",
    ),
    pytest.param(
        {"X_val": with_first(X, np.inf), "y_val": y},
        "X_val contains infinity",
        id="inf-in-X_val",
    ),
    pytest.param(
        {"X_val": X, "y_val": with_first(y, np.nan)},
        "y_val contains NaN",
        id="nan-in-y_val",
    ),
    pytest.param(
        {"X_val": X, "y_val": y, "sample_weight_val": with_first(np.ones(20), np.nan)},
        "sample_weight_val contains NaN",
        id="nan-in-sample_weight_val",
    ),
    pytest.param(
        {"X_val": X, "y_val": y[:-1]},
        "y_val has 19 entries, but X_val has 20 rows",
        id="length-X_val-y_val",
    ),
    pytest.param(
        {"X_val": X, "y_val": y, "sample_weight_val": np.ones(19)},
        "sample_weight_val has 19 entries, but X_val has 20 rows",
        id="length-sample_weight_val",
    ),
    pytest.param(
        {"X_val": X[:, :2], "y_val": y},
        "X_val has 2 features, but the training data X has 3",
        id="X_val-width",
    ),
    pytest.param(
        {"X_val": X, "y_val": y + 5},
        r"y_val has labels \[5, 6\] that are not among the classes",
        id="y_val-unseen-classes",
    ),
    pytest.param({"X_val": X[:, 0], "y_val": y}, "Expected 2D array", id="1d-X_val"),
    pytest.param({"X_val": X + 1j, "y_val": y}, "Complex", id="complex-X_val"),
    pytest.param(
        {"X_val": object_array_holding(None).tolist(), "y_val": y},
        "X_val contains NaN",
        id="none-in-list-X_val",
    ),
    pytest.param(
        {"X_val": X, "y_val": np.c_[y, np.arange(20) % 3]},
        "y_val must be class labels.*'multiclass-multioutput'",
        id="multiclass-multioutput-y_val",
    ),
    pytest.param(
        {"X_val": X, "y_val": sparse.csr_matrix(np.c_[y, np.arange(20) % 3])},
        "y_val must be class labels.*'multiclass-multioutput'",
        id="sparse-multiclass-multioutput-y_val",
    ),
]


@pytest.mark.parametrize("data, match", TRAINING_DATA + VALIDATION_DATA)
def test_fit_rejects_bad_data(data, match):
    data = {"X": X, "y": y, **data}
    with pytest.raises((ValueError, TypeError), match=match):
        MLPBackpropClassifier((3,), max_iter=2).fit(**data)


@pytest.mark.parametrize("data, match", TRAINING_DATA)
def test_partial_fit_rejects_bad_data(data, match):
    data = {"X": X, "y": y, **data}
    with pytest.raises((ValueError, TypeError), match=match):
        MLPBackpropClassifier((3,)).partial_fit(**data, classes=[0, 1])


def test_fit_rejects_a_single_class():
    with pytest.raises(ValueError, match="at least 2 classes.*only one class"):
        MLPBackpropClassifier((3,)).fit(X, np.ones(20))


def test_fit_rejects_sample_weights_that_leave_one_class():
    weights = np.where(np.arange(20) % 2, 1.0, 0.0)
    with pytest.raises(ValueError, match="only one class"):
        MLPBackpropClassifier((3,)).fit(X, np.arange(20) % 2, sample_weight=weights)


def test_fit_rejects_x_val_without_y_val():
    with pytest.raises(ValueError, match="together"):
        MLPBackpropClassifier((3,)).fit(X, y, X_val=np.zeros((5, 3)))


def test_partial_fit_rejects_a_single_class_in_classes():
    with pytest.raises(ValueError, match="at least 2 classes"):
        MLPBackpropClassifier((3,)).partial_fit(X, np.zeros(20), classes=[0])


@pytest.mark.parametrize(
    "classes, match",
    [
        pytest.param([], "at least 2 classes", id="empty"),
        pytest.param([0, 1, np.nan], "classes contains NaN", id="nan"),
        pytest.param([0, 1, None], "classes contains None", id="none"),
        pytest.param(["0", "1", None], "classes contains None", id="none-among-text"),
        pytest.param([0, 1, np.inf], "classes contains infinity", id="inf"),
        pytest.param([0, 1, 1], r"classes has duplicated entries \[1\]", id="dup"),
        pytest.param([[0, 1], [1, 0]], "classes must be a 1-D", id="2d"),
    ],
)
def test_partial_fit_rejects_bad_classes(classes, match):
    with pytest.raises(ValueError, match=match):
        MLPBackpropClassifier((3,)).partial_fit(X, y, classes=classes)


def test_fit_rejects_y_val_that_is_not_an_indicator_matrix_of_a_multilabel_y():
    Y = np.c_[y, 1 - y, y]
    with pytest.raises(ValueError, match="y_val must be an indicator matrix of 0s"):
        MLPBackpropClassifier((3,), max_iter=2).fit(X, Y, X_val=X, y_val=2 * Y)


@pytest.mark.parametrize(
    "class_weight, match",
    [
        pytest.param({0: np.nan, 1: 1.0}, "class_weight has a NaN", id="nan"),
        pytest.param({0: np.inf, 1: 1.0}, "class_weight has an infinite", id="inf"),
        pytest.param({0: -1.0, 1: 1.0}, "class_weight has a negative", id="negative"),
        pytest.param({0: "1", 1: 1.0}, "class_weight must map classes to", id="text"),
    ],
)
def test_fit_rejects_bad_class_weight_values(class_weight, match):
    with pytest.raises(ValueError, match=match):
        MLPBackpropClassifier((3,), class_weight=class_weight).fit(X, y)


def test_a_validation_hold_out_too_small_to_stratify_says_how_to_fix_it():
    # One sample of class 2: a stratified hold-out cannot both keep and hold it.
    # (early_stopping="auto" watches the training loss instead: test_defaults.py.)
    y_rare = np.r_[np.zeros(500), np.ones(499), 2]
    X_rare = np.random.RandomState(0).normal(size=(1000, 3))
    clf = MLPBackpropClassifier((3,), early_stopping=True, max_iter=20)
    with pytest.raises(
        ValueError, match="validation_fraction=0.1.*X_val.*early_stopping=False"
    ):
        clf.fit(X_rare, y_rare)


def test_early_stopping_on_tiny_data_says_the_hold_out_cannot_be_stratified():
    clf = MLPBackpropClassifier((3,), early_stopping=True)
    with pytest.raises(ValueError, match="stratified validation_fraction=0.1.*X_val"):
        clf.fit(X[:5], [0, 0, 0, 0, 1])


# -- values that overflow float32, and weights of any scale -----------------------


@pytest.mark.parametrize(
    "data, params, name",
    [
        pytest.param({"X_val": X * 1e39, "y_val": y}, {}, "X_val", id="X_val"),
        pytest.param(
            {"sample_weight": np.full(20, 1e39)}, {}, "sample_weight", id="weights"
        ),
        pytest.param(
            {"X_val": X, "y_val": y, "sample_weight_val": np.full(20, 1e39)},
            {},
            "sample_weight_val",
            id="validation-weights",
        ),
        pytest.param(
            {}, {"class_weight": {0: 1e39, 1: 1.0}}, "class_weight", id="class_weight"
        ),
    ],
)
def test_values_that_overflow_a_float32_X_are_refused(data, params, name):
    clf = MLPBackpropClassifier((3,), max_iter=2, **params)
    match = f"{name} has values that overflow float32"
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=match):
            clf.fit(X.astype(np.float32), y, **data)


@ignore_convergence
@pytest.mark.parametrize("method", ["fit", "partial_fit", "X_val"])
def test_finite_inputs_near_the_largest_float_fit_without_a_runtime_warning(method):
    X_huge = np.where(X > 0.5, 1e308, -1e308)
    clf = MLPBackpropClassifier((3,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        if method == "partial_fit":
            clf.partial_fit(X_huge, y, classes=[0, 1])
        elif method == "X_val":
            clf.fit(X, y, X_val=X_huge, y_val=y)
        else:
            clf.fit(X_huge, y)
        assert np.isfinite(clf.predict_proba(X_huge)).all()


@ignore_convergence
@pytest.mark.parametrize(
    "dtype, scale",
    [
        pytest.param(np.float64, 1e308, id="float64-1e308"),
        pytest.param(np.float64, 1e-310, id="float64-subnormal"),
        pytest.param(np.float32, 1e37, id="float32-1e37"),
        pytest.param(np.float32, 1e-40, id="float32-subnormal"),
        pytest.param(np.float32, 1e-50, id="float32-below-its-range"),
    ],
)
def test_uniform_weights_of_any_finite_scale_fit_the_unweighted_model(dtype, scale):
    kwargs = dict(hidden_layer_sizes=(3,), max_iter=5, random_state=0)
    Xd = X.astype(dtype)
    reference = MLPBackpropClassifier(**kwargs).fit(Xd, y, sample_weight=np.ones(20))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        clf = MLPBackpropClassifier(**kwargs).fit(
            Xd, y, sample_weight=np.full(20, scale)
        )
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    assert_allclose(clf.loss_curve_, reference.loss_curve_, rtol=rtol)
    for W, W_reference in zip(clf.coefs_, reference.coefs_):
        assert_allclose(W, W_reference, rtol=rtol, atol=rtol)


@ignore_convergence
def test_weights_and_class_weights_scaled_by_a_power_of_two_fit_the_same_model():
    kwargs = dict(hidden_layer_sizes=(3,), max_iter=5, batch_size=7, random_state=0)
    weights = np.random.RandomState(0).uniform(0.5, 2.0, size=20)
    reference = MLPBackpropClassifier(class_weight={0: 1.0, 1: 3.0}, **kwargs)
    reference.fit(X, y, sample_weight=weights)
    scaled = MLPBackpropClassifier(
        class_weight={0: 2.0**1000, 1: 3 * 2.0**1000}, **kwargs
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        scaled.fit(X, y, sample_weight=np.ldexp(weights, 1000))
    assert scaled.loss_curve_ == reference.loss_curve_
    for W, W_reference in zip(scaled.coefs_, reference.coefs_):
        assert_array_equal(W, W_reference)


@ignore_convergence
def test_invscaling_with_a_huge_power_t_decays_the_learning_rate_to_zero():
    clf = MLPBackpropClassifier(
        (3,), learning_rate_schedule="invscaling", power_t=200, max_iter=30
    )
    clf.fit(X, y)
    # LR is 0 from the second epoch on: the weights, and so the loss, stay put.
    assert clf.n_iter_ >= 2
    assert_allclose(clf.loss_curve_[1:], clf.loss_curve_[1], rtol=1e-12)


@pytest.mark.parametrize("schedule", ["constant", "invscaling", "adaptive"])
def test_a_schedule_given_as_learning_rate_points_to_learning_rate_schedule(schedule):
    clf = MLPBackpropClassifier(learning_rate=schedule)
    with pytest.raises(
        InvalidParameterError,
        match=f"'learning_rate'.*use learning_rate_schedule='{schedule}'",
    ):
        clf.fit(X, y)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_hidden_layers_too_large_for_memory_are_refused_before_allocating(method):
    clf = MLPBackpropClassifier((10**12,))
    kwargs = {"classes": [0, 1]} if method == "partial_fit" else {}
    with pytest.raises(ValueError, match=r"hidden_layer_sizes \[10+\].* bytes"):
        getattr(clf, method)(X, y, **kwargs)


@ignore_convergence
def test_partial_fit_rejects_another_width_after_the_first_call():
    clf = MLPBackpropClassifier((3,)).partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="X has 2 features.*expecting 3 features"):
        clf.partial_fit(X[:, :2], y)


# -- parameters -------------------------------------------------------------------

# scikit-learn's InvalidParameterError (a ValueError and a TypeError) for what the
# declared constraints catch; ValueError for what only the estimator can judge (the
# layers inside hidden_layer_sizes).
INVALID_PARAMETERS = [
    pytest.param(
        {"hidden_layer_sizes": 0}, InvalidParameterError, id="hidden_layer_sizes-0"
    ),
    pytest.param(
        {"hidden_layer_sizes": (4, 0)}, ValueError, id="hidden_layer_sizes-a-0-layer"
    ),
    pytest.param(
        {"hidden_layer_sizes": -3},
        InvalidParameterError,
        id="hidden_layer_sizes-negative",
    ),
    pytest.param(
        {"hidden_layer_sizes": (-3,)},
        ValueError,
        id="hidden_layer_sizes-negative-layer",
    ),
    pytest.param({"hidden_layer_sizes": ()}, ValueError, id="hidden_layer_sizes-empty"),
    pytest.param(
        {"hidden_layer_sizes": []}, ValueError, id="hidden_layer_sizes-empty-list"
    ),
    pytest.param(
        {"hidden_layer_sizes": "abc"},
        InvalidParameterError,
        id="hidden_layer_sizes-string",
    ),
    pytest.param(
        {"hidden_layer_sizes": ("4",)}, ValueError, id="hidden_layer_sizes-string-layer"
    ),
    pytest.param(
        {"hidden_layer_sizes": (2.5,)}, ValueError, id="hidden_layer_sizes-float-layer"
    ),
    pytest.param(
        {"hidden_layer_sizes": (0,)}, ValueError, id="hidden_layer_sizes-one-0-layer"
    ),
    pytest.param(
        {"hidden_layer_sizes": (True,)}, ValueError, id="hidden_layer_sizes-bool-layer"
    ),
    pytest.param({"learning_rate": 0.0}, InvalidParameterError, id="learning_rate-0"),
    pytest.param({"learning_rate": 0}, InvalidParameterError, id="learning_rate-int-0"),
    pytest.param(
        {"learning_rate": -0.1}, InvalidParameterError, id="learning_rate-negative"
    ),
    pytest.param(
        {"learning_rate": np.nan}, InvalidParameterError, id="learning_rate-nan"
    ),
    pytest.param(
        {"learning_rate": np.inf}, InvalidParameterError, id="learning_rate-inf"
    ),
    pytest.param(
        {"learning_rate": "fast"}, InvalidParameterError, id="learning_rate-string"
    ),
    pytest.param({"batch_size": 0}, InvalidParameterError, id="batch_size-0"),
    pytest.param({"batch_size": 2.5}, InvalidParameterError, id="batch_size-float"),
    pytest.param(
        {"batch_size": "big"}, InvalidParameterError, id="batch_size-unknown-string"
    ),
    pytest.param({"max_iter": 0}, InvalidParameterError, id="max_iter-0"),
    pytest.param({"momentum": -0.1}, InvalidParameterError, id="momentum-below-0"),
    pytest.param({"momentum": 1.1}, InvalidParameterError, id="momentum-above-1"),
    pytest.param({"momentum": np.nan}, InvalidParameterError, id="momentum-nan"),
    pytest.param(
        {"learning_rate_schedule": "cosine"},
        InvalidParameterError,
        id="learning_rate_schedule",
    ),
    pytest.param({"weight_init": "normal"}, InvalidParameterError, id="weight_init"),
    pytest.param({"tol": -1.0}, InvalidParameterError, id="tol-negative"),
    pytest.param(
        {"n_iter_no_change": 0}, InvalidParameterError, id="n_iter_no_change-0"
    ),
    pytest.param({"alpha": -1.0}, InvalidParameterError, id="alpha-negative"),
    pytest.param({"power_t": np.nan}, InvalidParameterError, id="power_t-nan"),
    pytest.param(
        {"validation_fraction": 1.0}, InvalidParameterError, id="validation_fraction-1"
    ),
    pytest.param({"class_weight": "heavy"}, InvalidParameterError, id="class_weight"),
    pytest.param({"shuffle": "yes"}, InvalidParameterError, id="shuffle-not-bool"),
    pytest.param({"random_state": "seed"}, InvalidParameterError, id="random_state"),
]


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize("params, error", INVALID_PARAMETERS)
def test_invalid_parameters_raise_naming_the_parameter(params, error, method):
    (name,) = params
    clf = MLPBackpropClassifier(**params)
    kwargs = {"classes": [0, 1]} if method == "partial_fit" else {}
    with pytest.raises(error, match=f"'?{name}'?"):
        getattr(clf, method)(X, y, **kwargs)


# -- prediction -------------------------------------------------------------------

PREDICTION_METHODS = ["predict", "predict_proba", "predict_log_proba", "score"]


def call(clf, method, X_new):
    if method == "score":
        return clf.score(X_new, np.zeros(np.shape(X_new)[0], dtype=int))
    return getattr(clf, method)(X_new)


@pytest.fixture(scope="module")
def fitted():
    clf = MLPBackpropClassifier((3,), max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning):
        return clf.fit(X, y)


@pytest.mark.parametrize("method", PREDICTION_METHODS)
@pytest.mark.parametrize(
    "X_new, match",
    [
        pytest.param(with_first(X, np.nan), "X contains NaN", id="nan-in-X"),
        pytest.param(with_first(X, np.inf), "X contains infinity", id="inf-in-X"),
        pytest.param(X[:, 0], "Expected 2D array", id="1d-X"),
        pytest.param(X[:, :, np.newaxis], "dim 3", id="3d-X"),
        pytest.param(np.empty((0, 3)), "0 sample", id="empty-X"),
        pytest.param(X.astype(str), "strings", id="string-X"),
        pytest.param(
            object_array_holding({"a": 1}),
            "argument must be a string or a( real)? number",
            id="object-X",
        ),
        pytest.param(X + 1j, "Complex data not supported", id="complex-X"),
        pytest.param(X[:, :2], "X has 2 features.*expecting 3", id="another-width"),
        pytest.param(np.zeros((2, 4)), "X has 4 features.*expecting 3", id="a-wider-X"),
    ],
)
def test_prediction_rejects_bad_X(fitted, method, X_new, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call(fitted, method, X_new)


def test_score_rejects_a_length_mismatch(fitted):
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        fitted.score(X, y[:-1])


@pytest.mark.parametrize("method", PREDICTION_METHODS)
def test_unfitted_use_raises_not_fitted(method):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        call(MLPBackpropClassifier(), method, X)


def test_object_array_of_numbers_is_accepted_as_numbers(fitted):
    # scikit-learn's convention (check_dtype_object): only non-numbers are rejected.
    assert np.array_equal(
        fitted.predict_proba(X.astype(object)), fitted.predict_proba(X)
    )


# Prediction finds NaN and infinity from the first layer's pre-activations rather than
# by a separate pass over X (MLPBackpropClassifier._output_preactivation); these cases
# are the ones that shortcut could miss.
@pytest.fixture(scope="module")
def wide():
    """Return a model whose prediction runs X through in chunks of 64 rows."""
    clf = MLPBackpropClassifier((2**13,), max_iter=1, random_state=0)
    with pytest.warns(ConvergenceWarning):
        return clf.fit(X, y)


@pytest.mark.parametrize("value, match", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_prediction_finds_a_bad_value_in_a_later_chunk(wide, value, match):
    X_new = np.tile(X, (10, 1))  # 200 rows: chunks of 64, 64, 64 and 8
    X_new[197, 2] = value
    with pytest.raises(ValueError, match=f"Input X contains {match}"):
        wide.predict_proba(X_new)


@pytest.mark.parametrize("value, match", [(np.inf, "infinity"), (np.nan, "NaN")])
def test_prediction_finds_a_bad_value_under_zero_weights(fitted, value, match):
    clf = copy.deepcopy(fitted)
    clf.coefs_[0][1] = 0.0  # the second input reaches no unit
    X_new = X.copy()
    X_new[5, 1] = value
    with pytest.raises(ValueError, match=f"Input X contains {match}"):
        clf.predict(X_new)


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_prediction_finds_opposite_infinities_without_a_warning(fitted):
    X_new = X.copy()
    X_new[3] = [np.inf, -np.inf, 1.0]
    with pytest.raises(ValueError, match="Input X contains infinity"):
        fitted.predict_proba(X_new)


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_prediction_accepts_finite_inputs_whose_products_overflow(fitted):
    # Finite inputs this large overflow S_preA to infinity: the chunk of X is then
    # checked element by element, found finite, and prediction goes on.
    proba = fitted.predict_proba(X * 1e307)
    assert np.isfinite(proba).all()
    assert np.allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("value, match", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_prediction_finds_a_bad_value_in_sparse_X(fitted, value, match):
    clf = copy.deepcopy(fitted)
    clf.coefs_[0][1] = 0.0  # the second input reaches no unit
    X_new = sparse.csr_matrix(X)
    X_new[5, 1] = value
    with pytest.raises(ValueError, match=f"Input X contains {match}"):
        clf.predict_proba(X_new)


@pytest.mark.parametrize(
    "learning_rate", [[0.1, "x"], [0.1, None], [[0.1], [0.2]], [0.1, -1.0]]
)
def test_per_layer_learning_rates_that_are_not_numbers_are_named(learning_rate):
    # [0.1, "x"] used to fail with NumPy's "could not convert string to float: 'x'",
    # naming no parameter.
    with pytest.raises(ValueError, match="learning_rate must be 'auto', a positive"):
        MLPBackpropClassifier((3,), learning_rate=learning_rate).fit(X, y)
