"""Extreme values never produce NaN or escaped RuntimeWarnings.

Unscaled inputs, outputs that underflow, huge learning rates and divergence, and
random data of any magnitude.
"""

import contextlib
import re
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sk_mlpbp import MLPBackpropClassifier, make_article_data
from sk_mlpbp._network import dot_into, forward


def assert_probabilities(clf, X):
    """Assert that ``clf``'s probabilities for ``X`` are valid and agree with predict.

    The probabilities are finite rows summing to 1, of shape (n_samples, n_classes),
    and predict's labels agree with them.
    """
    proba = clf.predict_proba(X)
    assert proba.shape == (X.shape[0], clf.classes_.shape[0])
    assert np.isfinite(proba).all()
    assert ((proba >= 0) & (proba <= 1)).all()
    assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert_array_equal(clf.predict(X), clf.classes_[np.argmax(proba, axis=1)])


@contextlib.contextmanager
def no_runtime_warnings():
    """Make any RuntimeWarning (overflow, invalid value, divide by zero) an error.

    ConvergenceWarning is expected with short fits, and so is the warning that a
    batch_size larger than the data is clipped: both are ignored.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", "batch_size=", UserWarning)
        yield


@pytest.fixture
def runtime_warnings_are_errors():
    with no_runtime_warnings():
        yield


# -- unscaled inputs ----------------------------------------------------------------


@pytest.mark.usefixtures("runtime_warnings_are_errors")
@pytest.mark.parametrize("scale", [1e-8, 1e6, 1e150], ids=lambda s: f"{s:g}")
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"batch_size": 1},
        {"batch_size": 16, "momentum": 0.9},
        {"early_stopping": True},
    ],
    ids=["full-batch", "online", "momentum", "early-stopping"],
)
def test_unscaled_inputs_train_and_predict_finite_probabilities(scale, params):
    X, y = load_iris(return_X_y=True)
    X = X * scale
    clf = MLPBackpropClassifier((5,), max_iter=30, random_state=0, **params)
    clf.fit(X, y)
    clf.set_params(early_stopping=False).partial_fit(X, y)
    assert np.isfinite(clf.loss_curve_).all()
    assert_probabilities(clf, X)
    assert np.isfinite(clf.predict_log_proba(X[:5] / scale)).all()
    assert 0 <= clf.score(X, y) <= 1


@pytest.mark.usefixtures("runtime_warnings_are_errors")
def test_inputs_of_1e150_saturate_the_hidden_layer_so_only_the_output_layer_learns():
    # Weights drawn for unit-scale inputs make |S_preA| ~ 1e150: every hidden unit is
    # exactly 0 or 1, so f_A' is exactly 0 there and the first layer's gradient
    # vanishes: its weights never move.
    X, y = load_iris(return_X_y=True)
    kwargs = dict(hidden_layer_sizes=(5,), weight_init="glorot", random_state=0)
    clf = MLPBackpropClassifier(max_iter=20, **kwargs).fit(X * 1e150, y)
    initial = MLPBackpropClassifier(max_iter=1, **kwargs)
    initial.set_params(learning_rate=1e-300).fit(X * 1e150, y)
    assert_array_equal(clf.coefs_[0], initial.coefs_[0])
    assert not np.allclose(clf.coefs_[1], initial.coefs_[1])
    assert_probabilities(clf, X * 1e150)


# -- outputs that underflow ---------------------------------------------------------


@pytest.mark.usefixtures("runtime_warnings_are_errors")
@pytest.mark.parametrize("n_classes", [2, 3, 4])
def test_predict_proba_stays_finite_when_every_output_underflows(n_classes):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = np.arange(40) % n_classes
    clf = MLPBackpropClassifier((4,), max_iter=1, random_state=0).fit(X, y)
    # Huge weights: every output unit's S_preA,O is around -1e5, so expit gives 0.
    clf.coefs_[0] *= 1e3
    clf.coefs_[-1] = rng.uniform(-10, 10, clf.coefs_[-1].shape)
    clf.intercepts_[-1] = np.full(clf.n_outputs_, -1e5)
    assert (clf._proba_from_output(clf._output_preactivation(X)) >= 0).all()
    assert_probabilities(clf, X)


@pytest.mark.usefixtures("runtime_warnings_are_errors")
def test_underflowing_outputs_still_rank_the_classes():
    X, y = make_article_data(30, random_state=0)
    y = np.arange(30) % 3
    clf = MLPBackpropClassifier((2,), max_iter=1, random_state=0).fit(X, y)
    clf.intercepts_[-1] = np.array([-3000.0, -2990.0, -3010.0])
    clf.coefs_[-1][:] = 0.0
    proba = clf.predict_proba(X)
    expected = np.exp([-10.0, 0.0, -20.0]) / np.exp([-10.0, 0.0, -20.0]).sum()
    assert_allclose(proba, np.tile(expected, (30, 1)), rtol=1e-9)
    assert_array_equal(clf.predict(X), np.ones(30))


# -- huge learning rates and divergence --------------------------------------------


@pytest.mark.usefixtures("runtime_warnings_are_errors")
@pytest.mark.parametrize(
    "params",
    [
        {"learning_rate": 1e8},
        {"learning_rate": 1e8, "batch_size": 1},
        {"learning_rate": 1e12, "momentum": 0.99},
        {"learning_rate": 1e12, "momentum": 0.99, "nesterovs_momentum": False},
        {"learning_rate": 1e12, "momentum": 0.99, "batch_size": 1},
        {"learning_rate": 1e12, "momentum": 0.99, "batch_size": 7, "alpha": 1.0},
    ],
    ids=["1e8", "1e8-online", "1e12-nesterov", "1e12-momentum", "1e12-online", "l2"],
)
def test_huge_learning_rates_give_a_finite_model_or_the_divergence_error(params):
    X, y = load_iris(return_X_y=True)
    clf = MLPBackpropClassifier((5,), max_iter=50, random_state=0, **params)
    try:
        clf.fit(X, y)
    except ValueError as error:
        assert "diverged" in str(error)
    params = clf.coefs_ + clf.intercepts_
    assert all(np.isfinite(param).all() for param in params)
    assert np.isfinite(clf.loss_curve_).all()
    assert_probabilities(clf, X)


def test_divergence_keeps_the_last_finite_epoch():
    # The output unit sits at S_preA,O = 1.0 * -1.7e308 + 1.7e308 = 0, unsaturated,
    # so one step with LR = 1e308 pushes its weight past the largest float.
    clf = MLPBackpropClassifier(
        (1,), learning_rate=1e308, batch_size=1, shuffle=False, warm_start=True
    )
    clf.coefs_ = [np.array([[100.0]]), np.array([[-1.7e308]])]
    clf.intercepts_ = [np.zeros(1), np.array([1.7e308])]
    with pytest.raises(ValueError, match="learning_rate.*scale the inputs"):
        clf.fit([[1.0], [1.0]], [0, 1])
    # Diverging in its first epoch, the fit leaves the estimator as it was: the
    # weights assigned, nothing trained.
    assert "n_iter_" not in vars(clf)
    assert_array_equal(clf.coefs_[1], [[-1.7e308]])
    with pytest.raises(NotFittedError):  # assigned weights are no fitted model
        clf.predict_proba([[1.0]])


# -- products that overflow ------------------------------------------------------


def exact_product(a, b):
    """Return ``a @ b`` computed exactly in rationals, then rounded to float."""
    exact = np.empty((a.shape[0], b.shape[1]))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            total = sum(Fraction(x) * Fraction(w) for x, w in zip(a[i], b[:, j]))
            try:
                exact[i, j] = float(total)
            except OverflowError:
                exact[i, j] = np.inf if total > 0 else -np.inf
    return exact


@pytest.mark.usefixtures("runtime_warnings_are_errors")
@pytest.mark.parametrize("layout", ["dense", "sparse"])
def test_guarded_products_that_overflow_give_the_infinity_of_their_sign(layout):
    # Terms near 1e308 of both signs: the plain product sums inf and -inf to NaN.
    # BLAS sums the terms in several partial sums, which reach +inf and -inf.
    rng = np.random.default_rng(0)
    a = rng.choice([-1.0, 1.0], (40, 16)) * 10.0 ** rng.uniform(306, 308, (40, 16))
    b = rng.choice([-1.0, 1.0], (16, 2)) * rng.uniform(1, 100, (16, 2))
    operand = sparse.csr_matrix(a) if layout == "sparse" else a
    with np.errstate(over="ignore", invalid="ignore"):
        plain = dot_into(operand, b, np.empty((40, 2)))
        guarded = dot_into(operand, b, np.empty((40, 2)), guard=True)
    assert np.isnan(plain).any()
    assert not np.isnan(guarded).any()
    expected = exact_product(a, b)
    infinite = np.isinf(expected)
    assert infinite.any()
    assert_array_equal(guarded[infinite], expected[infinite])
    # Where the exact sum is finite, the scaled sum is within rounding of its terms.
    bound = 8 * np.finfo(float).eps * np.abs(a) @ np.abs(b)
    finite = ~infinite & np.isfinite(bound)
    assert (np.abs(guarded[finite] - expected[finite]) <= bound[finite]).all()


@pytest.mark.usefixtures("runtime_warnings_are_errors")
@pytest.mark.parametrize(
    "layer, hidden_layer_sizes, n_classes",
    [(0, (1, 16), 3), (1, (16, 1), 3), (2, (16, 16), 2)],
    ids=["first", "hidden", "output"],
)
def test_a_model_whose_products_overflow_predicts_finite_probabilities(
    layer, hidden_layer_sizes, n_classes
):
    X = np.abs(np.random.default_rng(0).normal(size=(60, 16)))
    clf = MLPBackpropClassifier(hidden_layer_sizes, max_iter=1, random_state=0)
    clf.fit(X, np.arange(60) % n_classes)
    # Weights of alternating sign near the largest float (times inputs of 1e300 for
    # the first layer) into a layer of one unit: BLAS sums the 16 terms in several
    # partial sums, which reach +inf and -inf and add up to NaN.
    W = clf.coefs_[layer]
    signs = np.where(np.arange(W.shape[0]) % 2, -1.0, 1.0)[:, np.newaxis]
    W[:] = signs * (1e10 if layer == 0 else 1.7e308)
    if layer == 0:
        X = X * 1e300
    else:  # the layer's inputs S_postA near 1, so that any two terms overflow
        clf.intercepts_[layer - 1][:] = 30.0
    S_postA = [np.empty((X.shape[0], W.shape[1])) for W in clf.coefs_]
    with np.errstate(over="ignore", invalid="ignore"):
        plain = forward(X, clf.coefs_, clf.intercepts_, S_postA)
    assert np.isnan(plain).any()
    assert_probabilities(clf, X)


@pytest.mark.usefixtures("runtime_warnings_are_errors")
def test_outputs_that_all_overflow_to_minus_infinity_tie():
    X = np.abs(np.random.default_rng(0).normal(size=(30, 4)))
    clf = MLPBackpropClassifier((16,), max_iter=1, random_state=0)
    clf.fit(X, np.arange(30) % 3)
    clf.intercepts_[0][:] = 30.0  # hidden S_postA near 1
    clf.coefs_[-1][:] = -1.7e308  # so every S_preA,O is -inf
    assert_allclose(clf.predict_proba(X), 1 / 3)
    assert_probabilities(clf, X)


def extreme_problem(seed):
    """Draw data of magnitudes 1e-300 to 1e300 and a training configuration."""
    rng = np.random.default_rng(seed)
    n, d = rng.integers(4, 30), rng.integers(1, 7)
    X = rng.standard_normal((n, d)) * 10.0 ** rng.uniform(-300, 300, (1, d))
    y = np.arange(n) % rng.integers(2, 4)
    layers = rng.integers(1, 9, rng.integers(1, 3))
    params = dict(
        hidden_layer_sizes=tuple(int(units) for units in layers),
        alpha=float(rng.choice([0, 10.0])),
        batch_size=int(rng.choice([1, 3, 20])),
        max_iter=5,
        random_state=0,
        weight_init=str(rng.choice(["data", "glorot", "uniform"])),
    )
    if rng.random() < 0.5:
        params["learning_rate"] = float(rng.choice([1.0, 1e10, 1e307]))
    params["momentum"] = float(rng.choice([0, 0.9]))
    return X, y, params


@pytest.mark.usefixtures("runtime_warnings_are_errors")
@pytest.mark.parametrize("seed", [186, 1264, *range(20)])
def test_extreme_data_give_a_finite_model_or_the_divergence_error(seed):
    # Seeds 186 and 1264 used to return models that predict NaN: products of
    # finite inputs and weights summing inf and -inf in the online loop.
    X, y, params = extreme_problem(seed)
    clf = MLPBackpropClassifier(**params)
    try:
        clf.fit(X, y)
    except ValueError as error:
        assert "diverged" in str(error)
        if not hasattr(clf, "loss_curve_") or not clf.loss_curve_:
            return
    assert all(np.isfinite(param).all() for param in clf.coefs_ + clf.intercepts_)
    assert_probabilities(clf, X)


# -- any data -------------------------------------------------------------------


@st.composite
def problems(draw):
    """Draw a random problem: X, y, and the parameters of the network and its training.

    X has 1-25 rows and 1-6 columns, with values of magnitudes 1e-300 to 1e300 of
    either sign, zeros and constant columns; y has 1-3 classes; the batch size, hidden
    layers, learning rate (up to 1e307), momentum, weight initialisation and L2
    penalty are random.
    """
    n_samples = draw(st.integers(1, 25))
    n_features = draw(st.integers(1, 6))
    size = n_samples * n_features
    mantissas = st.sampled_from([-9.5, -3.0, -1.0, 0.0, 1.0, 2.5, 7.0])
    X = np.array(draw(st.lists(mantissas, min_size=size, max_size=size)))
    exponents = draw(st.lists(st.integers(-300, 300), min_size=size, max_size=size))
    X = (X * 10.0 ** np.array(exponents)).reshape(n_samples, n_features)
    for column in draw(st.sets(st.integers(0, n_features - 1))):
        X[:, column] = X[0, column]
    labels = st.integers(0, draw(st.integers(1, 3)) - 1)
    y = np.array(draw(st.lists(labels, min_size=n_samples, max_size=n_samples)))
    layers = st.lists(st.integers(1, 4), min_size=1, max_size=2)
    params = {
        "hidden_layer_sizes": tuple(draw(layers)),
        "batch_size": draw(st.integers(1, n_samples + 5)),
        "learning_rate": draw(st.sampled_from([0.1, 1.5, 1e3, 1e10, 1e307])),
        "momentum": draw(st.sampled_from([0.0, 0.9])),
        "max_iter": draw(st.integers(1, 10)),
        "weight_init": draw(st.sampled_from(["data", "glorot", "uniform"])),
        "alpha": draw(st.sampled_from([0.0, 10.0])),
    }
    return X, y, params


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(problems())
def test_any_data_gives_a_clean_error_or_finite_probabilities(problem):
    X, y, params = problem
    clf = MLPBackpropClassifier(random_state=0, **params)
    with no_runtime_warnings():
        try:
            clf.fit(X, y)
        except (ValueError, TypeError) as error:
            # The only clean refusals possible here: one class, or divergence.
            assert re.search("at least 2 classes|diverged", str(error))
            return
        assert_probabilities(clf, X)
