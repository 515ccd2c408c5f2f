"""When training stops, and what it records on the way.

The loss's tol rule, max_iter, validation data and their curves, early stopping on
them, and X_val through a pipeline.
"""

import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose
from sklearn.datasets import make_circles
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import MLPBackpropClassifier, make_article_data
from tests._helpers import ignore_convergence

# -- the training loss --------------------------------------------------------


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


# -- validation data and early stopping ---------------------------------------


def test_validation_data_are_recorded_every_epoch(digits):
    X, X_val, y, y_val = digits
    clf = MLPBackpropClassifier((16,), batch_size=32, max_iter=8, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y, X_val=X_val, y_val=y_val)
    assert len(clf.validation_scores_) == len(clf.validation_loss_curve_) == 8
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    # Without early stopping the model keeps its last epoch.
    assert clf.score(X_val, y_val) == clf.validation_scores_[-1]
    S_postA_O = 1 / (1 + np.exp(-clf._output_preactivation(X_val)))
    T_val = np.eye(10)[y_val]
    expected_loss = 0.5 * np.sum((S_postA_O - T_val) ** 2) / len(y_val)
    assert_allclose(clf.validation_loss_curve_[-1], expected_loss)


@ignore_convergence
def test_no_validation_data_leaves_validation_attributes_none():
    X, y = make_article_data(30, random_state=0)
    clf = MLPBackpropClassifier((3,), max_iter=2).fit(X, y)
    assert clf.validation_scores_ is None
    assert clf.validation_loss_curve_ is None
    assert clf.best_validation_score_ is None


def test_early_stopping_restores_the_best_epoch(digits):
    X, X_val, y, y_val = digits
    clf = MLPBackpropClassifier(
        (16,), learning_rate=3.0, batch_size=16, early_stopping=True,
        n_iter_no_change=3, tol=0.0, max_iter=200, random_state=0,
    )  # fmt: skip
    clf.fit(X, y, X_val=X_val, y_val=y_val)
    best_epoch = int(np.argmax(clf.validation_scores_))
    assert clf.n_iter_ == best_epoch + 1 + 3
    assert clf.best_validation_score_ == clf.validation_scores_[best_epoch]
    assert clf.score(X_val, y_val) == clf.best_validation_score_
    assert clf.score(X_val, y_val) > clf.validation_scores_[-1] or (
        clf.validation_scores_[-1] == clf.best_validation_score_
    )


def test_early_stopping_holds_out_a_stratified_fraction():
    X, y = make_article_data(200, random_state=0)
    clf = MLPBackpropClassifier(
        (4,), early_stopping=True, validation_fraction=0.2, random_state=0
    ).fit(X, y)
    assert clf.t_ == clf.n_iter_ * 160
    assert len(clf.validation_scores_) == clf.n_iter_


@pytest.mark.skipif(
    sklearn.__version__ < "1.6", reason="Pipeline(transform_input=) is new in 1.6"
)
@ignore_convergence
def test_pipeline_transforms_x_val_for_the_estimator(digits):
    X, X_val, y, y_val = digits
    with sklearn.config_context(enable_metadata_routing=True):
        mlp = MLPBackpropClassifier((8,), batch_size=32, max_iter=3, random_state=0)
        pipe = Pipeline(
            [
                ("scale", StandardScaler()),
                ("mlp", mlp.set_fit_request(X_val=True, y_val=True)),
            ],
            transform_input=["X_val"],
        )
        pipe.fit(X * 100, y, X_val=X_val * 100, y_val=y_val)
        fitted = pipe.named_steps["mlp"]
        assert fitted.validation_scores_[-1] == pipe.score(X_val * 100, y_val)


# -- the model returned is the one judged ---------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_near_constant_model_returned_is_reported_whatever_the_epochs_saw(seed):
    # Validation labels that are the training labels flipped: early stopping keeps
    # the most "accurate" epoch on them, an early one near the constant output,
    # while the training loss of later epochs went far below it. The warning used
    # to look at that best training loss and said nothing.
    X, y = make_circles(400, noise=0.05, factor=0.5, random_state=0)
    clf = MLPBackpropClassifier((8,), early_stopping=True, random_state=seed)
    with pytest.warns(ConvergenceWarning, match="mean loss on the training data"):
        clf.fit(X, y, X_val=X, y_val=1 - y)
    p = np.mean(y)
    loss = np.mean(0.5 * (clf.predict_proba(X)[:, 1] - y) ** 2)
    assert loss > 0.9 * 0.5 * p * (1 - p)
    assert clf.best_loss_ < 0.9 * 0.5 * p * (1 - p)


def test_a_model_off_the_plateau_is_not_reported():
    X, y = make_circles(400, noise=0.05, factor=0.5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = MLPBackpropClassifier((8,), random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.95
