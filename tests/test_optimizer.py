"""The update rules against the loop reference (``tests/_reference.py``).

Momentum, Nesterov, L2, the online loop with every control, the learning-rate
schedules, and one learning rate per layer.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import sparse
from sklearn.datasets import make_classification

from sk_mlpbp import MLPBackpropClassifier, make_article_data
from tests._helpers import (
    assert_matches_reference,
    assert_weights_close,
    ignore_convergence,
    random_problem,
    warm_started,
)
from tests._reference import minibatch_reference, random_network, targets

# -- momentum and L2 ----------------------------------------------------------


@ignore_convergence
@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_matches_the_reference(nesterov):
    rng, X, y = random_problem()
    coefs, intercepts = random_network(rng, [4, 5, 3])
    reference = minibatch_reference(
        X, targets(y, 3), coefs, intercepts, LR=0.8, batch_size=5, epochs=3,
        momentum=0.9, nesterov=nesterov,
    )  # fmt: skip
    clf = MLPBackpropClassifier(
        (5,), learning_rate=0.8, batch_size=5, max_iter=3, momentum=0.9,
        nesterovs_momentum=nesterov,
    )  # fmt: skip
    warm_started(clf, coefs, intercepts).fit(X, y)
    assert_matches_reference(clf, reference)


@ignore_convergence
def test_l2_penalty_matches_the_reference_and_spares_the_biases():
    rng, X, y = random_problem(n_classes=2)
    coefs, intercepts = random_network(rng, [4, 3, 2, 1])
    reference = minibatch_reference(
        X, targets(y, 2), coefs, intercepts, LR=0.5, batch_size=6, epochs=2, alpha=0.3
    )
    clf = MLPBackpropClassifier((3, 2), learning_rate=0.5, batch_size=6, max_iter=2)
    warm_started(clf.set_params(alpha=0.3), coefs, intercepts).fit(X, y)
    assert_matches_reference(clf, reference)


# -- the online loop ----------------------------------------------------------


@ignore_convergence
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"momentum": 0.9, "nesterov": False},
        {"momentum": 0.8, "nesterov": True},
        {"alpha": 0.2},
        {"weighted": True},
    ],
    ids=["plain", "momentum", "nesterov", "alpha", "zero-and-positive-weights"],
)
def test_online_mode_matches_the_reference_with_every_control(options):
    rng, X, y = random_problem(n_samples=11)
    coefs, intercepts = random_network(rng, [4, 3, 2, 3])
    weights = None
    if options.pop("weighted", False):
        weights = rng.uniform(0.5, 2.0, size=11)
        weights[[2, 7]] = 0.0
    reference = minibatch_reference(
        X, targets(y, 3), coefs, intercepts, LR=0.9, batch_size=1, epochs=2,
        sample_weight=weights, **options,
    )  # fmt: skip
    clf = MLPBackpropClassifier(
        (3, 2), learning_rate=0.9, batch_size=1, max_iter=2,
        momentum=options.get("momentum", 0.0),
        nesterovs_momentum=options.get("nesterov", True),
        alpha=options.get("alpha", 0.0),
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # weights at batch_size=1
        warm_started(clf, coefs, intercepts).fit(X, y, sample_weight=weights)
    assert_matches_reference(clf, reference)


@ignore_convergence
@pytest.mark.parametrize("use_bias", [True, False])
def test_online_mode_matches_the_reference_over_many_samples(use_bias):
    # More samples than the online loop gathers at a time, with zero weights on
    # either side of its chunk boundaries and momentum carried across them.
    rng, X, y = random_problem(n_samples=600, n_classes=2)
    coefs, intercepts = random_network(rng, [4, 3, 1])
    if not use_bias:
        intercepts = [np.zeros_like(b) for b in intercepts]
    weights = np.ones(600)
    weights[[0, 255, 256, 511, 512, 599]] = 0.0
    reference = minibatch_reference(
        X, targets(y, 2), coefs, intercepts, LR=0.3, batch_size=1, epochs=2,
        use_bias=use_bias, sample_weight=weights, momentum=0.5,
    )  # fmt: skip
    clf = MLPBackpropClassifier(
        (3,), learning_rate=0.3, batch_size=1, max_iter=2, use_bias=use_bias,
        momentum=0.5, nesterovs_momentum=False,
    )  # fmt: skip
    warm_started(clf, coefs, intercepts).fit(X, y, sample_weight=weights)
    assert_matches_reference(clf, reference)


# -- learning-rate schedules --------------------------------------------------


@ignore_convergence
def test_invscaling_schedule_matches_the_reference():
    rng, X, y = random_problem(n_classes=2)
    coefs, intercepts = random_network(rng, [4, 3, 1])
    reference = minibatch_reference(
        X, targets(y, 2), coefs, intercepts, LR=2.0, batch_size=4, epochs=3,
        power_t=0.25,
    )  # fmt: skip
    clf = MLPBackpropClassifier(
        (3,), learning_rate=2.0, batch_size=4, max_iter=3,
        learning_rate_schedule="invscaling", power_t=0.25,
    )  # fmt: skip
    warm_started(clf, coefs, intercepts).fit(X, y)
    assert_matches_reference(clf, reference)


def test_adaptive_schedule_divides_the_rate_by_five_until_1e_6():
    X, y = make_article_data(40, random_state=0)
    # tol is so large that no epoch after the first counts as an improvement.
    kwargs = dict(
        hidden_layer_sizes=(3,),
        learning_rate=1.5,
        tol=1e9,
        n_iter_no_change=2,
        random_state=0,
    )
    constant = MLPBackpropClassifier(**kwargs).fit(X, y)
    adaptive = MLPBackpropClassifier(learning_rate_schedule="adaptive", **kwargs)
    adaptive.fit(X, y)
    # The constant schedule stops at the first trigger: n_iter_no_change epochs
    # without improvement, once the loss (its mean over the last n_iter_no_change
    # epochs) is off the constant-output plateau.
    p = np.mean(y == 1)
    plateau = 0.9 * 0.5 * p * (1 - p)  # 0.9 x the error of the constant output p
    losses = constant.loss_curve_
    assert np.mean(losses[-2:]) <= plateau < np.mean(losses[-3:-1])
    # LR 1.5 is divided by 5 nine times before it is <= 1e-6; the tenth trigger stops.
    assert adaptive.n_iter_ == constant.n_iter_ + 9 * 2


# -- one learning rate per layer ----------------------------------------------


@ignore_convergence
@pytest.mark.parametrize("alpha", [0.0, 0.01])
def test_a_learning_rate_per_layer_scales_each_layers_step(alpha):
    # One full-batch step with LR = 1 moves every parameter by its gradient, so with
    # LR_i for layer i the step of layer i is LR_i times that one.
    rng, X, y = random_problem()
    coefs, intercepts = random_network(rng, [4, 5, 4, 3])
    rates = [0.3, 2.0, 0.7]
    kwargs = dict(hidden_layer_sizes=(5, 4), batch_size=23, max_iter=1, alpha=alpha)
    unit = MLPBackpropClassifier(learning_rate=1.0, **kwargs)
    warm_started(unit, coefs, intercepts).fit(X, y)
    per_layer = MLPBackpropClassifier(learning_rate=rates, **kwargs)
    warm_started(per_layer, coefs, intercepts).fit(X, y)
    assert per_layer.learning_rates_ == rates
    for i, LR in enumerate(rates):
        for start, one, scaled in [
            (coefs[i], unit.coefs_[i], per_layer.coefs_[i]),
            (intercepts[i], unit.intercepts_[i], per_layer.intercepts_[i]),
        ]:
            assert_allclose(start - scaled, LR * (start - one), rtol=1e-10, atol=1e-14)


@ignore_convergence
def test_online_loop_takes_per_layer_rates_like_the_batch_loop():
    # Dense X at batch_size=1 runs the online loop; sparse X the general batch loop.
    rng, X, y = random_problem(n_samples=40)
    kwargs = dict(
        hidden_layer_sizes=(5, 4), learning_rate=[0.3, 2.0, 0.7], batch_size=1,
        max_iter=3, momentum=0.5, alpha=1e-3, random_state=0,
    )  # fmt: skip
    dense = MLPBackpropClassifier(**kwargs).fit(X, y)
    from_sparse = MLPBackpropClassifier(**kwargs).fit(sparse.csr_matrix(X), y)
    assert_weights_close(from_sparse, dense, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("rates", [[1.0], [1.0, -1.0], [1.0, np.nan], [[1.0, 1.0]]])
def test_a_learning_rate_list_needs_one_positive_rate_per_layer(rates):
    X, y = make_article_data(20, random_state=0)
    with pytest.raises(ValueError, match="one positive number per layer"):
        MLPBackpropClassifier((3,), learning_rate=rates).fit(X, y)


def test_the_online_loop_steps_biases_at_their_own_auto_rate():
    # With "auto" rates the biases' LR differs from the weights' (here 0.8 to 4.4
    # times theirs); the online loop keeps each layer's biases as a row of its
    # weights, fed by the constant sqrt(ratio) instead of 1. A sparse X takes the
    # minibatch path, which scales the biases' step itself: the two must agree (to
    # rounding, which steps of LR in the hundreds amplify).
    X, y = make_classification(300, 5, random_state=0)
    X, y = X[:20], y[:20]
    for momentum in (0.0, 0.5):
        kwargs = dict(batch_size=1, max_iter=3, momentum=momentum, random_state=0)
        online = MLPBackpropClassifier((6, 3), **kwargs).fit(X, y)
        minibatch = MLPBackpropClassifier((6, 3), **kwargs).fit(sparse.csr_matrix(X), y)
        ratios = np.divide(online.intercept_learning_rates_, online.learning_rates_)
        assert (np.abs(np.log(ratios)) > 0.2).all()
        assert_weights_close(online, minibatch, rtol=1e-9)
