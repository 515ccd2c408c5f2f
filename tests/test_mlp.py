"""Behaviour of MLPBackpropClassifier's parameters, attributes and methods."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from sk_mlpbp import MLPBackpropClassifier, make_article_data

ignore_convergence = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


@pytest.fixture
def three_classes():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    y = np.array(["a", "b", "c"])[np.argmax(X[:, :3], axis=1)]
    return X, y


def test_two_classes_use_one_output_unit():
    X, y = make_article_data(50, random_state=0)
    clf = MLPBackpropClassifier((5, 3), max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert clf.n_outputs_ == 1
    assert clf.n_layers_ == 4
    assert [W.shape for W in clf.coefs_] == [(3, 5), (5, 3), (3, 1)]
    assert [b.shape for b in clf.intercepts_] == [(5,), (3,), (1,)]


@ignore_convergence
def test_several_classes_use_one_output_unit_each(three_classes):
    X, y = three_classes
    clf = MLPBackpropClassifier((6,), max_iter=5, random_state=0).fit(X, y)
    assert clf.n_outputs_ == 3
    assert_array_equal(clf.classes_, ["a", "b", "c"])
    assert clf.coefs_[-1].shape == (6, 3)


@ignore_convergence
def test_binary_predict_proba_is_one_minus_output_and_output():
    X, y = make_article_data(50, random_state=0)
    clf = MLPBackpropClassifier((4,), max_iter=3, random_state=0).fit(X, y)
    hidden = 1 / (1 + np.exp(-(X @ clf.coefs_[0] + clf.intercepts_[0])))
    output = 1 / (1 + np.exp(-(hidden @ clf.coefs_[1] + clf.intercepts_[1])))[:, 0]
    proba = clf.predict_proba(X)
    assert_allclose(proba[:, 1], output, rtol=1e-12)
    assert_array_equal(proba[:, 0], 1 - proba[:, 1])
    assert_array_equal(clf.predict(X), clf.classes_[(output > 0.5).astype(int)])


@ignore_convergence
def test_binary_output_of_exactly_one_half_predicts_the_first_class():
    X, y = make_article_data(20, random_state=0)
    clf = MLPBackpropClassifier((2,), max_iter=1, random_state=0).fit(X, y)
    clf.coefs_ = [np.zeros_like(W) for W in clf.coefs_]
    clf.intercepts_ = [np.zeros_like(b) for b in clf.intercepts_]
    assert_array_equal(clf.predict_proba(X[:3]), np.full((3, 2), 0.5))
    assert_array_equal(clf.predict(X[:3]), [clf.classes_[0]] * 3)


@ignore_convergence
def test_multiclass_predict_proba_normalises_the_outputs(three_classes):
    X, y = three_classes
    clf = MLPBackpropClassifier((5,), max_iter=3, random_state=0).fit(X, y)
    hidden = 1 / (1 + np.exp(-(X @ clf.coefs_[0] + clf.intercepts_[0])))
    output = 1 / (1 + np.exp(-(hidden @ clf.coefs_[1] + clf.intercepts_[1])))
    proba = clf.predict_proba(X)
    assert_allclose(proba, output / output.sum(axis=1, keepdims=True), rtol=1e-12)
    assert_array_equal(clf.predict(X), clf.classes_[np.argmax(output, axis=1)])
    assert_allclose(clf.predict_log_proba(X), np.log(proba))


@ignore_convergence
def test_multiclass_predict_proba_stays_finite_when_every_output_underflows(
    three_classes,
):
    X, y = three_classes
    clf = MLPBackpropClassifier((5,), max_iter=1, random_state=0).fit(X, y)
    clf.intercepts_[-1] = np.array([-2000.0, -2050.0, -1950.0])
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all()
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(clf.predict(X), ["c"] * X.shape[0])


def test_use_bias_false_keeps_intercepts_exactly_zero(three_classes):
    X, y = three_classes
    clf = MLPBackpropClassifier((5, 4), use_bias=False, max_iter=20, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    for intercept in clf.intercepts_:
        assert_array_equal(intercept, 0.0)


@pytest.mark.parametrize(
    "weight_init, bound", [("uniform", 1.0), ("glorot", np.sqrt(12 / 60))]
)
def test_weight_init_draws_from_its_uniform_range(weight_init, bound):
    X = np.random.RandomState(0).normal(size=(40, 30))
    y = np.arange(40) % 2
    # A learning rate this small leaves the initial weights as they were drawn.
    clf = MLPBackpropClassifier(
        (30,), learning_rate=1e-300, weight_init=weight_init, max_iter=1, random_state=0
    )
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    W = clf.coefs_[0]
    assert np.abs(W).max() <= bound
    assert np.abs(W).max() > 0.95 * bound
    assert_allclose(clf.intercepts_[0], 0.0, atol=1e-250)


@ignore_convergence
def test_float32_input_trains_and_predicts_in_float32(three_classes):
    X, y = three_classes
    clf = MLPBackpropClassifier((5,), max_iter=3, random_state=0).fit(
        X.astype(np.float32), y
    )
    assert all(W.dtype == np.float32 for W in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32
    reference = MLPBackpropClassifier((5,), max_iter=3, random_state=0).fit(X, y)
    assert reference.coefs_[0].dtype == np.float64
    assert_allclose(clf.coefs_[0], reference.coefs_[0], rtol=1e-4, atol=1e-5)


def test_training_stops_when_the_loss_stops_improving():
    X, y = make_article_data(60, random_state=0)
    clf = MLPBackpropClassifier(
        (4,), tol=1e-2, n_iter_no_change=3, max_iter=500, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.n_iter_ < 500
    losses = clf.loss_curve_
    for epoch in range(len(losses) - 3, len(losses)):
        assert losses[epoch] > min(losses[:epoch]) - 1e-2


def test_max_iter_reached_warns_and_runs_every_epoch():
    X, y = make_article_data(40, random_state=0)
    clf = MLPBackpropClassifier(
        (4,), max_iter=7, n_iter_no_change=np.inf, random_state=0
    )
    with pytest.warns(ConvergenceWarning, match="max_iter=7"):
        clf.fit(X, y)
    assert clf.n_iter_ == 7
    assert len(clf.loss_curve_) == 7
    assert clf.t_ == 7 * 40
    assert clf.best_loss_ == min(clf.loss_curve_)


@ignore_convergence
def test_warm_start_continues_where_the_previous_fit_stopped():
    X, y = make_article_data(40, random_state=0)
    kwargs = dict(hidden_layer_sizes=(4,), shuffle=False, random_state=0)
    once = MLPBackpropClassifier(max_iter=6, **kwargs).fit(X, y)
    twice = (
        MLPBackpropClassifier(max_iter=3, warm_start=True, **kwargs).fit(X, y).fit(X, y)
    )
    for W, V in zip(once.coefs_ + once.intercepts_, twice.coefs_ + twice.intercepts_):
        assert_allclose(W, V, rtol=1e-12)
    assert_allclose(twice.loss_curve_, once.loss_curve_, rtol=1e-12)
    assert twice.n_iter_ == 6
    assert twice.t_ == 6 * 40


@ignore_convergence
def test_warm_start_from_assigned_weights_never_writes_to_them():
    X, y = make_article_data(30, random_state=0)
    W1, W2 = np.ones((3, 2)), np.ones((2, 1))
    clf = MLPBackpropClassifier((2,), max_iter=2, warm_start=True)
    clf.coefs_ = [W1, W2]
    clf.fit(X, y)
    assert_array_equal(W1, 1.0)
    assert_array_equal(W2, 1.0)
    assert not np.allclose(clf.coefs_[0], 1.0)
    assert clf.n_features_in_ == 3


@ignore_convergence
def test_warm_start_rejects_weights_of_another_shape():
    X, y = make_article_data(30, random_state=0)
    clf = MLPBackpropClassifier((2,), max_iter=2, warm_start=True)
    clf.coefs_ = [np.ones((3, 5)), np.ones((5, 1))]
    with pytest.raises(ValueError, match="warm_start needs coefs_"):
        clf.fit(X, y)


@ignore_convergence
def test_warm_start_rejects_other_classes():
    X, y = make_article_data(30, random_state=0)
    clf = MLPBackpropClassifier((2,), max_iter=2, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="classes of the previous fit"):
        clf.fit(X, y + 1)


@ignore_convergence
def test_same_random_state_gives_identical_weights():
    X, y = make_article_data(50, random_state=0)
    first = MLPBackpropClassifier((4,), max_iter=3, random_state=7).fit(X, y)
    second = MLPBackpropClassifier((4,), max_iter=3, random_state=7).fit(X, y)
    other = MLPBackpropClassifier((4,), max_iter=3, random_state=8).fit(X, y)
    for W, V in zip(first.coefs_, second.coefs_):
        assert_array_equal(W, V)
    assert not np.array_equal(first.coefs_[0], other.coefs_[0])


@ignore_convergence
def test_shuffle_changes_the_online_updates_reproducibly():
    X, y = make_article_data(50, random_state=0)
    kwargs = dict(hidden_layer_sizes=(4,), batch_size=1, max_iter=2, random_state=0)
    ordered = MLPBackpropClassifier(shuffle=False, **kwargs).fit(X, y)
    shuffled = MLPBackpropClassifier(shuffle=True, **kwargs).fit(X, y)
    again = MLPBackpropClassifier(shuffle=True, **kwargs).fit(X, y)
    assert not np.allclose(ordered.coefs_[0], shuffled.coefs_[0])
    assert_array_equal(shuffled.coefs_[0], again.coefs_[0])


@ignore_convergence
def test_fit_does_not_modify_its_inputs():
    X, y = make_article_data(30, random_state=0)
    X_before, y_before = X.copy(), y.copy()
    MLPBackpropClassifier((3,), max_iter=2, random_state=0).fit(X, y)
    assert_array_equal(X, X_before)
    assert_array_equal(y, y_before)


@ignore_convergence
def test_batch_size_larger_than_the_data_is_clipped_with_a_warning():
    X, y = make_article_data(30, random_state=0)
    clf = MLPBackpropClassifier((3,), batch_size=100, max_iter=2, random_state=0)
    with pytest.warns(UserWarning, match="clipped"):
        clf.fit(X, y)
    full = MLPBackpropClassifier((3,), batch_size=30, max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning):
        full.fit(X, y)
    assert_allclose(clf.coefs_[0], full.coefs_[0])


@ignore_convergence
def test_verbose_prints_one_line_per_epoch(capsys):
    X, y = make_article_data(30, random_state=0)
    MLPBackpropClassifier((3,), max_iter=4, verbose=True, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("Epoch 1, loss = ")
    assert lines[-1].startswith("Epoch 4, loss = ")
    assert lines[0].endswith("s")


def test_weights_that_overflow_during_training_raise_a_clear_error():
    # The output unit sits at S_preA,O = 1.0 * -1.7e308 + 1.7e308 = 0, unsaturated,
    # so one step with LR = 1e308 pushes its weight past the largest float.
    clf = MLPBackpropClassifier(
        (1,),
        learning_rate=1e308,
        batch_size=1,
        shuffle=False,
        max_iter=5,
        warm_start=True,
    )
    clf.coefs_ = [np.array([[100.0]]), np.array([[-1.7e308]])]
    clf.intercepts_ = [np.zeros(1), np.array([1.7e308])]
    with pytest.raises(ValueError, match="learning_rate.*scale the inputs"):
        clf.fit([[1.0], [1.0]], [0, 1])


def test_single_class_raises():
    X = np.zeros((5, 2))
    with pytest.raises(ValueError, match="at least 2 classes"):
        MLPBackpropClassifier().fit(X, np.ones(5))


def test_continuous_targets_raise():
    X = np.zeros((5, 2))
    with pytest.raises(ValueError, match="Unknown label type"):
        MLPBackpropClassifier().fit(X, np.linspace(0, 1, 5))


def test_predict_before_fit_raises():
    with pytest.raises(NotFittedError):
        MLPBackpropClassifier().predict(np.zeros((2, 2)))


@ignore_convergence
def test_predict_on_another_width_raises():
    X, y = make_article_data(20, random_state=0)
    clf = MLPBackpropClassifier((2,), max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        clf.predict(np.zeros((2, 4)))


@pytest.mark.parametrize("sizes", [(0,), (-1,), (), "abc", (2.5,), (3, 0), (True,)])
def test_invalid_hidden_layer_sizes_raise(sizes):
    X, y = make_article_data(20, random_state=0)
    with pytest.raises((ValueError, InvalidParameterError), match="hidden_layer_sizes"):
        MLPBackpropClassifier(hidden_layer_sizes=sizes).fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        {"learning_rate": 0},
        {"learning_rate": -1.0},
        {"learning_rate": float("nan")},
        {"batch_size": 0},
        {"batch_size": "big"},
        {"max_iter": 0},
        {"weight_init": "normal"},
        {"tol": -1.0},
        {"n_iter_no_change": 0},
    ],
)
def test_invalid_parameters_raise_naming_the_parameter(params):
    X, y = make_article_data(20, random_state=0)
    with pytest.raises(InvalidParameterError, match=next(iter(params))):
        MLPBackpropClassifier(**params).fit(X, y)


@ignore_convergence
def test_dataframe_input_records_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = make_article_data(30, random_state=0)
    frame = pd.DataFrame(X, columns=["x", "y", "z"])
    clf = MLPBackpropClassifier((3,), max_iter=2, random_state=0).fit(frame, y)
    assert_array_equal(clf.feature_names_in_, ["x", "y", "z"])
    assert_array_equal(clf.predict(frame), clf.predict(X))
