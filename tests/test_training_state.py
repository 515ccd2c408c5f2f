"""The training state is declared once, in sk_mlpbp/_state.py.

Every attribute an epoch changes is declared, so the snapshot that a failed or
interrupted epoch returns to covers it.
"""

import pickle

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sk_mlpbp import MLPBackpropClassifier, make_article_data
from sk_mlpbp._state import TRAINING_STATE, snapshot

pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


def training_attributes(estimator):
    """Return the declared training attributes, as bytes that compare by value."""
    return pickle.dumps({name: getattr(estimator, name) for name in TRAINING_STATE})


@pytest.mark.parametrize(
    "params",
    [
        dict(momentum=0.9, early_stopping=True, n_iter_no_change=2),
        dict(learning_rate_schedule="adaptive", tol=10.0, n_iter_no_change=1),
        dict(batch_size=1, momentum=0.5, learning_rate_schedule="invscaling"),
    ],
    ids=["momentum-early-stopping", "adaptive", "online-invscaling"],
)
def test_every_attribute_an_epoch_changes_is_declared_training_state(params):
    X, y = make_article_data(120, random_state=0)
    states = []
    clf = MLPBackpropClassifier((5,), max_iter=6, random_state=0, **params)

    def record(estimator):
        # Not the hook itself, nor scikit-learn's callback context: that is the
        # callback API's, not training state.
        attributes = {
            name: value
            for name, value in vars(estimator).items()
            if name != "_epoch_hook" and not name.startswith("_callback")
        }
        states.append(pickle.dumps(attributes))

    clf._epoch_hook = record
    clf.fit(X, y)
    assert len(states) >= 3
    changed = set()
    for before, after in zip(states, states[1:]):
        before, after = pickle.loads(before), pickle.loads(after)
        changed |= {
            name
            for name in before.keys() | after.keys()
            if pickle.dumps(before.get(name)) != pickle.dumps(after.get(name))
        }
    assert "n_iter_" in changed and "coefs_" in changed
    assert changed <= set(TRAINING_STATE), changed - set(TRAINING_STATE)


def test_restore_returns_every_declared_attribute_to_its_snapshot():
    X, y = make_article_data(120, random_state=0)
    X_val, y_val = make_article_data(60, random_state=1)
    clf = MLPBackpropClassifier(
        (5,), momentum=0.9, max_iter=3, warm_start=True, random_state=0
    )
    clf.fit(X, y, X_val=X_val, y_val=y_val)
    expected = training_attributes(clf)
    saved = snapshot(vars(clf))
    clf.fit(X, y, X_val=X_val, y_val=y_val)  # three more epochs, warm-started
    assert training_attributes(clf) != expected
    clf._return_to(saved)
    assert training_attributes(clf) == expected
    assert clf.n_iter_ == len(clf.loss_curve_) == len(clf.validation_scores_) == 3


def test_a_fresh_fit_starts_every_model_attribute_afresh():
    X, y = make_article_data(120, random_state=0)
    X_val, y_val = make_article_data(60, random_state=1)
    clf = MLPBackpropClassifier((5,), max_iter=3, random_state=0)
    clf.fit(X, y, X_val=X_val, y_val=y_val)
    first = training_attributes(clf)
    clf.fit(X, y, X_val=X_val, y_val=y_val)
    assert training_attributes(clf) == first
    clf.fit(X, y)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert clf._best_coefs is None
    assert clf.n_iter_ == len(clf.loss_curve_) == 3
    assert np.isfinite(clf.best_loss_)
