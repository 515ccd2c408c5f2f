"""MLPBackpropClassifier inside scikit-learn's model-selection tools, and its accuracy
with default parameters on scikit-learn's built-in data sets."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import MLPBackpropClassifier, make_article_data


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


@pytest.mark.parametrize(
    "load, bar",
    [
        (load_iris, 0.95),
        (load_wine, 0.97),
        (load_breast_cancer, 0.965),
        (load_digits, 0.97),
    ],
    ids=["iris", "wine", "breast_cancer", "digits"],
)
def test_default_parameters_reach_the_accuracy_bar(load, bar):
    X, y = load(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPBackpropClassifier(random_state=0))
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    assert cross_val_score(pipe, X, y, cv=cv).mean() >= bar
