"""The estimator's API.

The network a fit builds, what predict and predict_proba return, the parameters that
shape training (use_bias, weight_init, shuffle, batch_size), and the estimator inside
scikit-learn's Pipeline, GridSearchCV and cross_val_score.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import MLPBackpropClassifier, make_article_data
from tests._helpers import ignore_convergence

# -- the network --------------------------------------------------------------


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
def test_several_classes_use_one_output_unit_each(named_classes):
    X, y = named_classes
    clf = MLPBackpropClassifier((6,), max_iter=5, random_state=0).fit(X, y)
    assert clf.n_outputs_ == 3
    assert_array_equal(clf.classes_, ["a", "b", "c"])
    assert clf.coefs_[-1].shape == (6, 3)


# -- predictions --------------------------------------------------------------


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
def test_multiclass_predict_proba_normalises_the_outputs(named_classes):
    X, y = named_classes
    clf = MLPBackpropClassifier((5,), max_iter=3, random_state=0).fit(X, y)
    hidden = 1 / (1 + np.exp(-(X @ clf.coefs_[0] + clf.intercepts_[0])))
    output = 1 / (1 + np.exp(-(hidden @ clf.coefs_[1] + clf.intercepts_[1])))
    proba = clf.predict_proba(X)
    assert_allclose(proba, output / output.sum(axis=1, keepdims=True), rtol=1e-12)
    assert_array_equal(clf.predict(X), clf.classes_[np.argmax(output, axis=1)])
    assert_allclose(clf.predict_log_proba(X), np.log(proba))


# -- parameters ---------------------------------------------------------------


def test_use_bias_false_keeps_intercepts_exactly_zero(named_classes):
    X, y = named_classes
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
def test_shuffle_changes_the_online_updates_reproducibly():
    X, y = make_article_data(50, random_state=0)
    kwargs = dict(hidden_layer_sizes=(4,), batch_size=1, max_iter=2, random_state=0)
    ordered = MLPBackpropClassifier(shuffle=False, **kwargs).fit(X, y)
    shuffled = MLPBackpropClassifier(shuffle=True, **kwargs).fit(X, y)
    again = MLPBackpropClassifier(shuffle=True, **kwargs).fit(X, y)
    assert not np.allclose(ordered.coefs_[0], shuffled.coefs_[0])
    assert_array_equal(shuffled.coefs_[0], again.coefs_[0])


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


# -- model selection ----------------------------------------------------------


def test_grid_search_over_learning_rate_and_hidden_size_in_a_pipeline():
    X, y = make_article_data(120, random_state=0)
    pipe = Pipeline(
        [("scale", StandardScaler()), ("mlp", MLPBackpropClassifier(random_state=0))]
    )
    grid = {"mlp__learning_rate": [0.1, 1.0], "mlp__hidden_layer_sizes": [(2,), (4,)]}
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_score_ >= 0.9
    fitted = search.best_estimator_.named_steps["mlp"]
    assert fitted.learning_rate == search.best_params_["mlp__learning_rate"]
    assert (
        fitted.coefs_[0].shape[1] == search.best_params_["mlp__hidden_layer_sizes"][0]
    )


def test_cross_val_score_matches_fitting_each_fold_by_hand():
    X, y = make_article_data(90, random_state=1)
    clf = MLPBackpropClassifier((4,), random_state=0)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(clf, X, y, cv=cv)
    by_hand = [
        MLPBackpropClassifier((4,), random_state=0)
        .fit(X[tr], y[tr])
        .score(X[te], y[te])
        for tr, te in cv.split(X, y)
    ]
    assert_allclose(scores, by_hand)
