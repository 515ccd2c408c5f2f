"""The article's update rule as the specification.

The references here are written independently of the estimator: scalar loops over
samples and nodes with ``math.exp``, the way the article's own Python code loops, and
finite differences of the sum-of-squares error.
"""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from sk_mlpbp import MLPBackpropClassifier, make_article_data

pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


def logistic(x):
    return 1.0 / (1.0 + math.exp(-x))


def logistic_deriv(x):
    return logistic(x) * (1.0 - logistic(x))


def article_training_loop(
    training_data, target_output, weights_ItoH, weights_HtoO, LR, epochs
):
    """The article's network (one hidden layer, one output, no bias), node by node."""
    weights_ItoH = [list(row) for row in weights_ItoH]
    weights_HtoO = list(weights_HtoO)
    I_dim, H_dim = len(weights_ItoH), len(weights_HtoO)
    epoch_errors = []
    for _ in range(epochs):
        error_total = 0.0
        for sample, target in zip(training_data, target_output):
            preActivation_H = [0.0] * H_dim
            postActivation_H = [0.0] * H_dim
            for node in range(H_dim):
                preActivation_H[node] = sum(
                    sample[i] * weights_ItoH[i][node] for i in range(I_dim)
                )
                postActivation_H[node] = logistic(preActivation_H[node])
            preActivation_O = sum(
                postActivation_H[h] * weights_HtoO[h] for h in range(H_dim)
            )
            postActivation_O = logistic(preActivation_O)
            FE = postActivation_O - target
            error_total += 0.5 * FE**2
            for H_node in range(H_dim):
                S_error = FE * logistic_deriv(preActivation_O)
                gradient_HtoO = S_error * postActivation_H[H_node]
                for I_node in range(I_dim):
                    input_value = sample[I_node]
                    gradient_ItoH = (
                        S_error
                        * weights_HtoO[H_node]
                        * logistic_deriv(preActivation_H[H_node])
                        * input_value
                    )
                    weights_ItoH[I_node][H_node] -= LR * gradient_ItoH
                weights_HtoO[H_node] -= LR * gradient_HtoO
        epoch_errors.append(error_total / len(training_data))
    return np.array(weights_ItoH), np.array(weights_HtoO), epoch_errors


def minibatch_reference(X, T, coefs, intercepts, LR, batch_size, epochs, use_bias=True):
    """Any depth, biases, several outputs: per-sample loops, batch-mean gradients.

    Every gradient of a step comes from the weights as they were before the step.
    """
    coefs = [[list(row) for row in W] for W in coefs]
    intercepts = [list(b) for b in intercepts]
    n_samples = len(X)
    epoch_errors = []
    for _ in range(epochs):
        error_total = 0.0
        for start in range(0, n_samples, batch_size):
            rows = range(start, min(start + batch_size, n_samples))
            grad_W = [[[0.0] * len(W[0]) for _ in W] for W in coefs]
            grad_b = [[0.0] * len(b) for b in intercepts]
            for r in rows:
                post = [list(X[r])]
                for W, b in zip(coefs, intercepts):
                    below = post[-1]
                    post.append(
                        [
                            logistic(
                                sum(below[i] * W[i][j] for i in range(len(below)))
                                + b[j]
                            )
                            for j in range(len(b))
                        ]
                    )
                FE = [post[-1][k] - T[r][k] for k in range(len(T[r]))]
                error_total += 0.5 * sum(e * e for e in FE)
                S_error = [
                    FE[k] * post[-1][k] * (1 - post[-1][k]) for k in range(len(FE))
                ]
                for layer in range(len(coefs) - 1, -1, -1):
                    below = post[layer]
                    for i in range(len(below)):
                        for j in range(len(S_error)):
                            grad_W[layer][i][j] += S_error[j] * below[i] / len(rows)
                    for j in range(len(S_error)):
                        grad_b[layer][j] += S_error[j] / len(rows)
                    W = coefs[layer]
                    S_error = [
                        sum(S_error[j] * W[i][j] for j in range(len(S_error)))
                        * below[i]
                        * (1 - below[i])
                        for i in range(len(below))
                    ]
            for layer, W in enumerate(coefs):
                for i in range(len(W)):
                    for j in range(len(W[i])):
                        W[i][j] -= LR * grad_W[layer][i][j]
                if use_bias:
                    for j in range(len(intercepts[layer])):
                        intercepts[layer][j] -= LR * grad_b[layer][j]
        epoch_errors.append(error_total / n_samples)
    return [np.array(W) for W in coefs], [np.array(b) for b in intercepts], epoch_errors


def warm_started(clf, coefs, intercepts):
    """Give ``clf`` starting weights as a user would: assign, then warm-start."""
    clf.set_params(warm_start=True, shuffle=False)
    clf.coefs_ = [np.array(W) for W in coefs]
    clf.intercepts_ = [np.array(b) for b in intercepts]
    return clf


@pytest.mark.parametrize("epochs", [1, 3])
def test_online_mode_equals_the_articles_node_by_node_loop(epochs):
    rng = np.random.RandomState(0)
    X, y = make_article_data(60, random_state=rng)
    weights_ItoH = rng.uniform(-1, 1, (3, 4))
    weights_HtoO = rng.uniform(-1, 1, 4)

    ref_ItoH, ref_HtoO, ref_errors = article_training_loop(
        X, y, weights_ItoH, weights_HtoO, LR=1.0, epochs=epochs
    )
    clf = MLPBackpropClassifier(
        (4,), learning_rate=1.0, batch_size=1, max_iter=epochs, use_bias=False
    )
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
    T = np.eye(n_classes)[y] if n_classes > 2 else y[:, None].astype(float)
    units = [4, *hidden, T.shape[1]]
    coefs = [rng.uniform(-1, 1, (a, b)) for a, b in zip(units[:-1], units[1:])]
    intercepts = [rng.uniform(-1, 1, b) for b in units[1:]]

    ref_coefs, ref_intercepts, ref_errors = minibatch_reference(
        X, T, coefs, intercepts, LR=0.7, batch_size=batch_size, epochs=2
    )
    clf = MLPBackpropClassifier(
        hidden, learning_rate=0.7, batch_size=batch_size, max_iter=2
    )
    warm_started(clf, coefs, intercepts).fit(X, y)

    for W, ref in zip(clf.coefs_ + clf.intercepts_, ref_coefs + ref_intercepts):
        assert_allclose(W, ref, rtol=0, atol=1e-10)
    assert_allclose(clf.loss_curve_, ref_errors, rtol=0, atol=1e-10)


def test_use_bias_false_keeps_intercepts_at_zero_in_minibatch_reference():
    rng = np.random.RandomState(2)
    X = rng.normal(size=(11, 3))
    y = np.arange(11) % 3
    units = [3, 4, 3]
    coefs = [rng.uniform(-1, 1, (a, b)) for a, b in zip(units[:-1], units[1:])]
    intercepts = [np.zeros(b) for b in units[1:]]
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
    clf = MLPBackpropClassifier(
        (4,), learning_rate=1.0, batch_size=4, max_iter=1, use_bias=False
    )
    warm_started(clf, coefs, intercepts).fit(X, y)
    for W, ref in zip(clf.coefs_, ref_coefs):
        assert_allclose(W, ref, rtol=0, atol=1e-10)
    assert all((intercept == 0).all() for intercept in clf.intercepts_)


def mean_error(X, T, coefs, intercepts):
    """Mean per-sample E = 1/2 sum_k (a_k - t_k)^2, written directly."""
    a = X
    for W, b in zip(coefs, intercepts):
        a = 1.0 / (1.0 + np.exp(-(a @ W + b)))
    return 0.5 * np.sum((a - T) ** 2) / X.shape[0]


@pytest.mark.parametrize(
    "hidden, n_classes", [((3,), 2), ((4, 3), 3), ((5, 4, 3), 4), ((2, 2, 2, 2), 2)]
)
def test_gradient_matches_finite_differences(hidden, n_classes):
    rng = np.random.RandomState(3)
    X = rng.normal(size=(9, 4))
    y = np.arange(9) % n_classes
    T = np.eye(n_classes)[y] if n_classes > 2 else y[:, None].astype(float)
    units = [4, *hidden, T.shape[1]]
    coefs = [rng.uniform(-1, 1, (a, b)) for a, b in zip(units[:-1], units[1:])]
    intercepts = [rng.uniform(-1, 1, b) for b in units[1:]]
    params = coefs + intercepts

    # One full-batch step with LR = 1 moves every parameter by minus its gradient.
    clf = MLPBackpropClassifier(hidden, learning_rate=1.0, batch_size=9, max_iter=1)
    warm_started(clf, coefs, intercepts).fit(X, y)
    backprop = [p - q for p, q in zip(params, clf.coefs_ + clf.intercepts_)]

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
        clf = MLPBackpropClassifier(
            (4,),
            learning_rate=1.0,
            batch_size=1,
            max_iter=1,
            shuffle=False,
            use_bias=False,
            weight_init="uniform",
            random_state=rng,
        )
        accuracies.append(clf.fit(X_train, y_train).score(X_valid, y_valid))
    assert np.mean(accuracies) >= 0.95
