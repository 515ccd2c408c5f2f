"""The article's update rule as the specification.

The references (``tests/_reference.py``) are written independently of the estimator:
scalar loops over samples and nodes with ``math.exp``, the way the article's own
Python code loops, and finite differences of the sum-of-squares error.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from sk_mlpbp import MLPBackpropClassifier, make_article_data
from tests._helpers import (
    ARTICLE,
    assert_matches_reference,
    parameters,
    warm_started,
)
from tests._reference import (
    article_training_loop,
    mean_error,
    minibatch_reference,
    random_network,
    targets,
)

pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


@pytest.mark.parametrize("epochs", [1, 3])
def test_online_mode_equals_the_articles_node_by_node_loop(epochs):
    rng = np.random.RandomState(0)
    X, y = make_article_data(60, random_state=rng)
    weights_ItoH = rng.uniform(-1, 1, (3, 4))
    weights_HtoO = rng.uniform(-1, 1, 4)

    ref_ItoH, ref_HtoO, ref_errors = article_training_loop(
        X, y, weights_ItoH, weights_HtoO, LR=1.0, epochs=epochs
    )
    clf = MLPBackpropClassifier(**ARTICLE, max_iter=epochs)
    warm_started(clf, [weights_ItoH, weights_HtoO[:, None]], [np.zeros(4), np.zeros(1)])
    clf.fit(X, y)

    assert_allclose(clf.coefs_[0], ref_ItoH, rtol=0, atol=1e-10)
    assert_allclose(clf.coefs_[1][:, 0], ref_HtoO, rtol=0, atol=1e-10)
    assert_allclose(clf.loss_curve_, ref_errors, rtol=0, atol=1e-10)
    assert not any(intercept.any() for intercept in clf.intercepts_)


@pytest.mark.parametrize(
    "hidden, n_classes, batch_size",
    [((5,), 2, 4), ((4, 3), 3, 7), ((3, 4, 2), 4, 5), ((6,), 3, 30)],
)
def test_minibatch_steps_equal_the_loop_reference(hidden, n_classes, batch_size):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(30, 4))
    y = np.arange(30) % n_classes
    T = targets(y, n_classes)
    coefs, intercepts = random_network(rng, [4, *hidden, T.shape[1]])

    reference = minibatch_reference(
        X, T, coefs, intercepts, LR=0.7, batch_size=batch_size, epochs=2
    )
    clf = MLPBackpropClassifier(
        hidden, learning_rate=0.7, batch_size=batch_size, max_iter=2
    )
    warm_started(clf, coefs, intercepts).fit(X, y)

    assert_matches_reference(clf, reference, atol=1e-10)


def test_use_bias_false_keeps_intercepts_at_zero_in_minibatch_reference():
    rng = np.random.RandomState(2)
    X = rng.normal(size=(11, 3))
    y = np.arange(11) % 3
    coefs, _ = random_network(rng, [3, 4, 3])
    intercepts = [np.zeros(4), np.zeros(3)]
    ref_coefs, _, _ = minibatch_reference(
        X,
        np.eye(3)[y],
        coefs,
        intercepts,
        LR=1.0,
        batch_size=4,
        epochs=1,
        use_bias=False,
    )
    clf = MLPBackpropClassifier(**{**ARTICLE, "batch_size": 4}, max_iter=1)
    warm_started(clf, coefs, intercepts).fit(X, y)
    for W, ref in zip(clf.coefs_, ref_coefs):
        assert_allclose(W, ref, rtol=0, atol=1e-10)
    assert all((intercept == 0).all() for intercept in clf.intercepts_)


@pytest.mark.parametrize(
    "hidden, n_classes", [((3,), 2), ((4, 3), 3), ((5, 4, 3), 4), ((2, 2, 2, 2), 2)]
)
def test_gradient_matches_finite_differences(hidden, n_classes):
    rng = np.random.RandomState(3)
    X = rng.normal(size=(9, 4))
    y = np.arange(9) % n_classes
    T = targets(y, n_classes)
    coefs, intercepts = random_network(rng, [4, *hidden, T.shape[1]])
    params = coefs + intercepts

    # One full-batch step with LR = 1 moves every parameter by minus its gradient.
    clf = MLPBackpropClassifier(hidden, learning_rate=1.0, batch_size=9, max_iter=1)
    warm_started(clf, coefs, intercepts).fit(X, y)
    backprop = [p - q for p, q in zip(params, parameters(clf))]

    eps = 1e-6
    for index, param in enumerate(params):
        numeric = np.zeros_like(param)
        for pos in np.ndindex(param.shape):
            shifted = [p.copy() for p in params]
            shifted[index][pos] += eps
            up = mean_error(X, T, shifted[: len(coefs)], shifted[len(coefs) :])
            shifted[index][pos] -= 2 * eps
            down = mean_error(X, T, shifted[: len(coefs)], shifted[len(coefs) :])
            numeric[pos] = (up - down) / (2 * eps)
        assert_allclose(backprop[index], numeric, rtol=1e-6, atol=1e-9)


def test_full_batch_step_does_not_depend_on_the_shuffled_order():
    X, y = make_article_data(40, random_state=4)
    kwargs = dict(hidden_layer_sizes=(4,), batch_size=40, max_iter=3, random_state=0)
    ordered = MLPBackpropClassifier(shuffle=False, **kwargs).fit(X, y)
    shuffled = MLPBackpropClassifier(shuffle=True, **kwargs).fit(X, y)
    for W, V in zip(ordered.coefs_, shuffled.coefs_):
        assert_allclose(W, V, rtol=1e-12, atol=1e-14)


def test_article_mode_validation_accuracy_over_20_seeds():
    accuracies = []
    for seed in range(20):
        rng = np.random.RandomState(seed)
        X_train, y_train = make_article_data(199, random_state=rng)
        X_valid, y_valid = make_article_data(199, random_state=rng)
        clf = MLPBackpropClassifier(**ARTICLE, max_iter=1, random_state=rng)
        accuracies.append(clf.fit(X_train, y_train).score(X_valid, y_valid))
    assert np.mean(accuracies) >= 0.95
