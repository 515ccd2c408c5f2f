"""Training on: warm-started fits, partial_fit, and fits that start afresh.

A warm-started fit and partial_fit go on from the weights, velocities and schedule the
model has; a fit without warm_start starts afresh; partial_fit streams chunks.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sk_mlpbp import MLPBackpropClassifier, make_article_data
from tests._helpers import (
    assert_weights_close,
    ignore_convergence,
    parameters,
    warm_started,
)

# -- warm_start ---------------------------------------------------------------


@ignore_convergence
def test_warm_start_continues_where_the_previous_fit_stopped():
    X, y = make_article_data(40, random_state=0)
    kwargs = dict(hidden_layer_sizes=(4,), shuffle=False, random_state=0)
    once = MLPBackpropClassifier(max_iter=6, **kwargs).fit(X, y)
    twice = (
        MLPBackpropClassifier(max_iter=3, warm_start=True, **kwargs).fit(X, y).fit(X, y)
    )
    assert_weights_close(once, twice, rtol=1e-12)
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
    with pytest.raises(ValueError, match="coefs_ and intercepts_ .which warm_start"):
        clf.fit(X, y)


@ignore_convergence
def test_warm_start_rejects_other_classes():
    X, y = make_article_data(30, random_state=0)
    clf = MLPBackpropClassifier((2,), max_iter=2, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="classes of the previous fit"):
        clf.fit(X, y + 1)


@ignore_convergence
def test_warm_started_fit_restarts_from_the_new_learning_rate():
    # A warm-started fit after set_params(learning_rate=) moves the weights as a fresh
    # fit at the new rate from the same weights would.
    X, y = load_iris(return_X_y=True)
    kwargs = dict(hidden_layer_sizes=(5,), max_iter=5, shuffle=False, random_state=0)
    clf = MLPBackpropClassifier(learning_rate=1.0, warm_start=True, **kwargs)
    clf.fit(X, y)
    start = [W.copy() for W in parameters(clf)]
    clf.set_params(learning_rate=0.001).fit(X, y)
    fresh = MLPBackpropClassifier(learning_rate=0.001, **kwargs)
    warm_started(fresh, start[:2], start[2:]).fit(X, y)
    assert_weights_close(clf, fresh, rtol=1e-12)


@ignore_convergence
@pytest.mark.parametrize("schedule", ["adaptive", "invscaling"])
def test_warm_started_fit_restarts_the_schedule(schedule):
    X, y = make_article_data(60, random_state=0)
    kwargs = dict(
        hidden_layer_sizes=(4,), learning_rate=1.0, learning_rate_schedule=schedule,
        tol=1e9, n_iter_no_change=1, max_iter=8, shuffle=False, random_state=0,
    )  # fmt: skip
    trained = MLPBackpropClassifier(**kwargs).fit(X, y)
    assert max(trained._current_learning_rates) < 1.0  # the schedule has cut the rate
    start = [W.copy() for W in parameters(trained)]
    trained.set_params(warm_start=True, max_iter=1).fit(X, y)
    fresh = MLPBackpropClassifier(**{**kwargs, "max_iter": 1})
    warm_started(fresh, start[:2], start[2:]).fit(X, y)
    assert_weights_close(trained, fresh, rtol=1e-12)


@ignore_convergence
def test_momentum_velocities_persist_across_partial_fit_and_warm_start():
    X, y = make_article_data(30, random_state=1)
    kwargs = dict(hidden_layer_sizes=(4,), batch_size=7, momentum=0.9, shuffle=False)
    straight = MLPBackpropClassifier(max_iter=3, random_state=0, **kwargs).fit(X, y)
    partial = MLPBackpropClassifier(random_state=0, **kwargs)
    for _ in range(3):
        partial.partial_fit(X, y, classes=[0, 1])
    warm = MLPBackpropClassifier(max_iter=1, warm_start=True, random_state=0, **kwargs)
    for _ in range(3):
        warm.fit(X, y)
    for other in (partial, warm):
        assert_weights_close(straight, other, rtol=1e-12)
        assert other.n_iter_ == 3
        assert other.t_ == 90


@ignore_convergence
def test_fit_without_warm_start_restarts_the_velocities():
    X, y = make_article_data(30, random_state=1)
    clf = MLPBackpropClassifier((4,), momentum=0.9, max_iter=2, random_state=0)
    first = clf.fit(X, y).coefs_[0].copy()
    assert_array_equal(clf.fit(X, y).coefs_[0], first)


# -- partial_fit --------------------------------------------------------------


@ignore_convergence
def test_partial_fit_continues_at_the_rate_the_schedule_reached():
    X, y = make_article_data(60, random_state=0)
    kwargs = dict(hidden_layer_sizes=(4,), shuffle=False, random_state=0)
    clf = MLPBackpropClassifier(
        learning_rate=1.0, learning_rate_schedule="invscaling", max_iter=8, **kwargs
    ).fit(X, y)
    start = [W.copy() for W in parameters(clf)]
    clf.partial_fit(X, y)
    # After 8 epochs of 60 samples the rate is 1 / (480 + 1) ** 0.5.
    constant = MLPBackpropClassifier(learning_rate=481**-0.5, max_iter=1, **kwargs)
    warm_started(constant, start[:2], start[2:]).fit(X, y)
    assert_weights_close(clf, constant, rtol=1e-12)


def test_partial_fit_never_reinitialises():
    X, y = make_article_data(40, random_state=0)
    clf = MLPBackpropClassifier((3,), random_state=0).partial_fit(X, y, classes=[0, 1])
    before = [W.copy() for W in clf.coefs_]
    clf.partial_fit(X[:10], y[:10])
    assert clf.n_iter_ == 2
    assert not np.allclose(clf.coefs_[0], before[0])
    assert_allclose(clf.coefs_[0], before[0], atol=1.0)


def test_partial_fit_needs_fixed_classes_and_no_whole_data_options():
    X, y = make_article_data(20, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        MLPBackpropClassifier((3,)).partial_fit(X, y)
    clf = MLPBackpropClassifier((3,)).partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match=r"y has labels \[5\]"):
        clf.partial_fit(X[:2], [0, 5])
    with pytest.raises(ValueError, match="differs from the classes"):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="early_stopping"):
        MLPBackpropClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="balanced"):
        MLPBackpropClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1])


def test_partial_fit_accepts_a_chunk_with_one_class():
    X, y = make_article_data(20, random_state=0)
    clf = MLPBackpropClassifier((3,)).partial_fit(X[y == 1], y[y == 1], classes=[0, 1])
    assert_array_equal(clf.classes_, [0, 1])


def test_streaming_partial_fit_over_ten_chunks_of_digits(digits):
    X, X_test, y, y_test = digits
    clf = MLPBackpropClassifier((64,), learning_rate=1.0, batch_size=4, random_state=0)
    # One pass: each chunk is seen once, as from a stream.
    for chunk in np.array_split(np.arange(len(y)), 10):
        clf.partial_fit(X[chunk], y[chunk], classes=np.arange(10))
    assert clf.score(X_test, y_test) >= 0.90
    assert clf.n_iter_ == 10
    assert clf.t_ == len(y)


@pytest.mark.parametrize("early_stopping", ["auto", True, False])
def test_warm_start_on_new_data_trains_on_the_new_data(early_stopping):
    # Fit on A, then warm-start on B (other rows, another target): the best-epoch
    # record (early stopping's kept weights, best_validation_score_, the watched
    # best) starts again, so B's epochs are judged among themselves. It used to
    # carry over from A: B's epochs never beat it, and the model returned was A's
    # (0.37 on B against 0.91 for a fresh fit).
    X_A, y_A = make_classification(2000, 20, n_informative=10, random_state=1)
    X_B, y_B = make_classification(2000, 20, n_informative=10, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X_B, y_B, random_state=0)
    kwargs = dict(early_stopping=early_stopping, random_state=0)
    warm = MLPBackpropClassifier(warm_start=True, **kwargs).fit(X_A, y_A)
    n_iter_A, curve_A = warm.n_iter_, list(warm.loss_curve_)
    warm.fit(X_train, y_train)
    fresh = MLPBackpropClassifier(**kwargs).fit(X_train, y_train)
    assert warm.score(X_test, y_test) >= fresh.score(X_test, y_test) - 0.03
    # The curves and counters go on.
    assert warm.loss_curve_[:n_iter_A] == curve_A
    assert warm.n_iter_ > n_iter_A
    if early_stopping is True:  # the most accurate of B's epochs
        assert warm.best_validation_score_ == max(warm.validation_scores_[n_iter_A:])


@pytest.mark.parametrize("incremental", [False, True])
def test_a_model_saved_before_the_newer_training_state_trains_on(incremental):
    # Models fitted before the biases had their own rates and each fit its own
    # best-epoch record lack those attributes; warm starts and partial_fit go on.
    X, y = make_article_data(60, random_state=0)
    clf = MLPBackpropClassifier((4,), max_iter=3, warm_start=True, random_state=0)
    if incremental:
        clf.partial_fit(X, y, classes=[0, 1])
    else:
        with pytest.warns(ConvergenceWarning):
            clf.fit(X, y)
    for name in (
        "intercept_learning_rates_",
        "_calibrated_intercept_learning_rates",
        "_fit_epochs",
        "_best_validation_loss",
    ):
        vars(clf).pop(name, None)
    if incremental:
        clf.partial_fit(X, y)
    else:
        with pytest.warns(ConvergenceWarning):
            clf.fit(X, y)
    assert clf.n_iter_ == (2 if incremental else 6)
    assert len(clf.intercept_learning_rates_) == 2
