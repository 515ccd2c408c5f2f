"""Momentum, L2, schedules, sample and class weights, validation data and early
stopping, partial_fit, divergence, interrupts, verbose output and callbacks."""

import os
import signal
import threading
import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import recall_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import MLPBackpropClassifier, make_article_data
from tests._reference import minibatch_reference, random_network, targets

ignore_convergence = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


def small_problem(n_samples=23, n_classes=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4))
    y = np.arange(n_samples) % n_classes
    return rng, X, y


def warm_started(clf, coefs, intercepts):
    clf.set_params(warm_start=True, shuffle=False)
    clf.coefs_ = [np.array(W) for W in coefs]
    clf.intercepts_ = [np.array(b) for b in intercepts]
    return clf


def assert_matches_reference(clf, reference, atol=1e-8):
    ref_coefs, ref_intercepts, ref_errors = reference
    for W, ref in zip(clf.coefs_ + clf.intercepts_, ref_coefs + ref_intercepts):
        assert_allclose(W, ref, rtol=0, atol=atol)
    assert_allclose(clf.loss_curve_, ref_errors, rtol=0, atol=atol)


# -- update rules against the loop reference ---------------------------------------


@ignore_convergence
@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_matches_the_reference(nesterov):
    rng, X, y = small_problem()
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
    rng, X, y = small_problem(n_classes=2)
    coefs, intercepts = random_network(rng, [4, 3, 2, 1])
    reference = minibatch_reference(
        X, targets(y, 2), coefs, intercepts, LR=0.5, batch_size=6, epochs=2, alpha=0.3
    )
    clf = MLPBackpropClassifier((3, 2), learning_rate=0.5, batch_size=6, max_iter=2)
    warm_started(clf.set_params(alpha=0.3), coefs, intercepts).fit(X, y)
    assert_matches_reference(clf, reference)


@ignore_convergence
def test_weighted_batches_with_a_zero_weight_batch_match_the_reference():
    rng, X, y = small_problem()
    weights = rng.uniform(0.2, 3.0, size=X.shape[0])
    weights[5:10] = 0.0  # the second batch of 5 makes no step
    coefs, intercepts = random_network(rng, [4, 4, 3])
    reference = minibatch_reference(
        X, targets(y, 3), coefs, intercepts, LR=1.0, batch_size=5, epochs=2,
        sample_weight=weights, momentum=0.5,
    )  # fmt: skip
    clf = MLPBackpropClassifier(
        (4,), learning_rate=1.0, batch_size=5, max_iter=2, momentum=0.5,
        nesterovs_momentum=False,
    )  # fmt: skip
    warm_started(clf, coefs, intercepts).fit(X, y, sample_weight=weights)
    assert_matches_reference(clf, reference)


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
    rng, X, y = small_problem(n_samples=11)
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
    rng, X, y = small_problem(n_samples=600, n_classes=2)
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


@ignore_convergence
def test_invscaling_schedule_matches_the_reference():
    rng, X, y = small_problem(n_classes=2)
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
    # without improvement, once the loss is off the constant-output plateau.
    p = np.mean(y == 1)
    plateau = 0.9 * 0.5 * p * (1 - p)  # 0.9 x the error of the constant output p
    assert min(constant.loss_curve_) <= plateau < min(constant.loss_curve_[:-1])
    # LR 1.5 is divided by 5 nine times before it is <= 1e-6; the tenth trigger stops.
    assert adaptive.n_iter_ == constant.n_iter_ + 9 * 2


@ignore_convergence
@pytest.mark.parametrize("alpha", [0.0, 0.01])
def test_a_learning_rate_per_layer_scales_each_layers_step(alpha):
    # One full-batch step with LR = 1 moves every parameter by its gradient, so with
    # LR_i for layer i the step of layer i is LR_i times that one.
    rng, X, y = small_problem()
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
    rng, X, y = small_problem(n_samples=40)
    kwargs = dict(
        hidden_layer_sizes=(5, 4), learning_rate=[0.3, 2.0, 0.7], batch_size=1,
        max_iter=3, momentum=0.5, alpha=1e-3, random_state=0,
    )  # fmt: skip
    dense = MLPBackpropClassifier(**kwargs).fit(X, y)
    from_sparse = MLPBackpropClassifier(**kwargs).fit(sparse.csr_matrix(X), y)
    for W, V in zip(
        dense.coefs_ + dense.intercepts_, from_sparse.coefs_ + from_sparse.intercepts_
    ):
        assert_allclose(V, W, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("rates", [[1.0], [1.0, -1.0], [1.0, np.nan], [[1.0, 1.0]]])
def test_a_learning_rate_list_needs_one_positive_rate_per_layer(rates):
    X, y = make_article_data(20, random_state=0)
    with pytest.raises(ValueError, match="one positive number per layer"):
        MLPBackpropClassifier((3,), learning_rate=rates).fit(X, y)


@ignore_convergence
def test_warm_started_fit_restarts_from_the_new_learning_rate():
    # The reproduction: a warm-started fit after set_params(learning_rate=)
    # moves the weights as a fresh fit at the new rate from the same weights would.
    X, y = load_iris(return_X_y=True)
    kwargs = dict(hidden_layer_sizes=(5,), max_iter=5, shuffle=False, random_state=0)
    clf = MLPBackpropClassifier(learning_rate=1.0, warm_start=True, **kwargs)
    clf.fit(X, y)
    start = [W.copy() for W in clf.coefs_ + clf.intercepts_]
    clf.set_params(learning_rate=0.001).fit(X, y)
    fresh = MLPBackpropClassifier(learning_rate=0.001, **kwargs)
    warm_started(fresh, start[:2], start[2:]).fit(X, y)
    for W, V in zip(clf.coefs_ + clf.intercepts_, fresh.coefs_ + fresh.intercepts_):
        assert_allclose(W, V, rtol=1e-12)


@ignore_convergence
@pytest.mark.parametrize("schedule", ["adaptive", "invscaling"])
def test_warm_started_fit_restarts_the_schedule(schedule):
    X, y = make_article_data(60, random_state=0)
    kwargs = dict(
        hidden_layer_sizes=(4,), learning_rate=1.0, learning_rate_schedule=schedule,
        tol=1e9, n_iter_no_change=1, max_iter=8, shuffle=False, random_state=0,
    )  # fmt: skip
    trained = MLPBackpropClassifier(**kwargs).fit(X, y)
    assert max(trained._learning_rates) < 1.0  # the schedule has cut the rate
    start = [W.copy() for W in trained.coefs_ + trained.intercepts_]
    trained.set_params(warm_start=True, max_iter=1).fit(X, y)
    fresh = MLPBackpropClassifier(**{**kwargs, "max_iter": 1})
    warm_started(fresh, start[:2], start[2:]).fit(X, y)
    for W, V in zip(
        trained.coefs_ + trained.intercepts_, fresh.coefs_ + fresh.intercepts_
    ):
        assert_allclose(W, V, rtol=1e-12)


@ignore_convergence
def test_partial_fit_continues_at_the_rate_the_schedule_reached():
    X, y = make_article_data(60, random_state=0)
    kwargs = dict(hidden_layer_sizes=(4,), shuffle=False, random_state=0)
    clf = MLPBackpropClassifier(
        learning_rate=1.0, learning_rate_schedule="invscaling", max_iter=8, **kwargs
    ).fit(X, y)
    start = [W.copy() for W in clf.coefs_ + clf.intercepts_]
    clf.partial_fit(X, y)
    # After 8 epochs of 60 samples the rate is 1 / (480 + 1) ** 0.5.
    constant = MLPBackpropClassifier(learning_rate=481**-0.5, max_iter=1, **kwargs)
    warm_started(constant, start[:2], start[2:]).fit(X, y)
    for W, V in zip(
        clf.coefs_ + clf.intercepts_, constant.coefs_ + constant.intercepts_
    ):
        assert_allclose(W, V, rtol=1e-12)


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
        for W, V in zip(
            straight.coefs_ + straight.intercepts_, other.coefs_ + other.intercepts_
        ):
            assert_allclose(W, V, rtol=1e-12)
        assert other.n_iter_ == 3
        assert other.t_ == 90


@ignore_convergence
def test_fit_without_warm_start_restarts_the_velocities():
    X, y = make_article_data(30, random_state=1)
    clf = MLPBackpropClassifier((4,), momentum=0.9, max_iter=2, random_state=0)
    first = clf.fit(X, y).coefs_[0].copy()
    assert_array_equal(clf.fit(X, y).coefs_[0], first)


# -- sample and class weights ---------------------------------------------------------


@ignore_convergence
def test_integer_weights_in_full_batch_equal_repeated_rows():
    rng, X, y = small_problem(n_samples=12)
    weights = rng.randint(0, 4, size=12)
    weights[:3] = [1, 2, 3]
    kwargs = dict(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
    weighted = MLPBackpropClassifier(batch_size=12, **kwargs)
    weighted.fit(X, y, sample_weight=weights)
    n_repeated = int(weights.sum())
    repeated = MLPBackpropClassifier(batch_size=n_repeated, **kwargs)
    repeated.fit(np.repeat(X, weights, axis=0), np.repeat(y, weights))
    for W, V in zip(
        weighted.coefs_ + weighted.intercepts_, repeated.coefs_ + repeated.intercepts_
    ):
        assert_allclose(W, V, rtol=1e-10, atol=1e-12)
    assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-10)


@ignore_convergence
def test_class_weight_dict_equals_the_same_sample_weight():
    rng, X, y = small_problem()
    class_weight = {0: 0.5, 1: 2.0, 2: 3.0}
    kwargs = dict(hidden_layer_sizes=(4,), batch_size=5, max_iter=5, random_state=0)
    by_class = MLPBackpropClassifier(class_weight=class_weight, **kwargs).fit(X, y)
    by_sample = MLPBackpropClassifier(**kwargs).fit(
        X, y, sample_weight=np.array([class_weight[label] for label in y])
    )
    for W, V in zip(by_class.coefs_, by_sample.coefs_):
        assert_allclose(W, V, rtol=1e-12)


def test_balanced_class_weight_raises_minority_recall():
    rng = np.random.RandomState(0)
    n_major, n_minor = 950, 50
    X = np.vstack(
        [rng.normal(0.0, 1.0, (n_major, 2)), rng.normal(1.5, 1.0, (n_minor, 2))]
    )
    y = np.r_[np.zeros(n_major, int), np.ones(n_minor, int)]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    # Both on the training loss: a validation split would stop the plain model at
    # a different point.
    kwargs = dict(hidden_layer_sizes=(8,), early_stopping=False, random_state=0)
    plain = MLPBackpropClassifier(**kwargs).fit(X_train, y_train)
    balanced = MLPBackpropClassifier(class_weight="balanced", **kwargs)
    balanced.fit(X_train, y_train)
    plain_recall = recall_score(y_test, plain.predict(X_test))
    balanced_recall = recall_score(y_test, balanced.predict(X_test))
    assert balanced_recall >= plain_recall + 0.3


@ignore_convergence
def test_fit_never_writes_into_sample_weight():
    X, y = make_article_data(20, random_state=0)
    weights = np.linspace(0.5, 2.0, 20)
    before = weights.copy()
    MLPBackpropClassifier((3,), class_weight={0: 2.0}, max_iter=2).fit(X, y, weights)
    assert_array_equal(weights, before)


@ignore_convergence
def test_online_mode_warns_that_weights_only_count_when_zero():
    X, y = make_article_data(20, random_state=0)
    clf = MLPBackpropClassifier((3,), batch_size=1, max_iter=2, random_state=0)
    with pytest.warns(UserWarning, match="batch_size=1"):
        clf.fit(X, y, sample_weight=np.linspace(1, 2, 20))


@pytest.mark.parametrize(
    "weights, match",
    [
        (-np.ones(20), "[Nn]egative"),
        (np.zeros(20), "zero"),
        (np.where(np.arange(20) % 2, 1.0, 0.0), None),
    ],
    ids=["negative", "all-zero", "one-class-left"],
)
def test_bad_sample_weights_raise(weights, match):
    X, y = make_article_data(20, random_state=0)
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match=match or "only one class"):
        MLPBackpropClassifier((3,)).fit(X, y, sample_weight=weights)


# -- validation data and early stopping -------------------------------------------


def digits_split():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


def test_validation_data_are_recorded_every_epoch():
    X, X_val, y, y_val = digits_split()
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


def test_early_stopping_restores_the_best_epoch():
    X, X_val, y, y_val = digits_split()
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


def test_x_val_without_y_val_raises():
    # The other bad validation data are in tests/test_bad_inputs.py.
    X, y = make_article_data(30, random_state=0)
    with pytest.raises(ValueError, match="together"):
        MLPBackpropClassifier((3,)).fit(X, y, X_val=np.zeros((5, 3)))


@pytest.mark.skipif(
    sklearn.__version__ < "1.6", reason="Pipeline(transform_input=) is new in 1.6"
)
@ignore_convergence
def test_pipeline_transforms_x_val_for_the_estimator():
    X, X_val, y, y_val = digits_split()
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


# -- partial_fit ------------------------------------------------------------------


def test_streaming_partial_fit_over_ten_chunks_of_digits():
    X, X_test, y, y_test = digits_split()
    clf = MLPBackpropClassifier((64,), learning_rate=1.0, batch_size=4, random_state=0)
    # One pass: each chunk is seen once, as from a stream.
    for chunk in np.array_split(np.arange(len(y)), 10):
        clf.partial_fit(X[chunk], y[chunk], classes=np.arange(10))
    assert clf.score(X_test, y_test) >= 0.90
    assert clf.n_iter_ == 10
    assert clf.t_ == len(y)


def test_partial_fit_never_reinitialises():
    X, y = make_article_data(40, random_state=0)
    clf = MLPBackpropClassifier((3,), random_state=0).partial_fit(X, y, classes=[0, 1])
    before = [W.copy() for W in clf.coefs_]
    clf.partial_fit(X[:10], y[:10])
    assert clf.n_iter_ == 2
    assert not np.allclose(clf.coefs_[0], before[0])
    assert_allclose(clf.coefs_[0], before[0], atol=1.0)


def test_partial_fit_errors():
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


# -- divergence and interrupts ------------------------------------------------------


def test_divergence_keeps_the_last_finite_epoch():
    clf = MLPBackpropClassifier(
        (1,), learning_rate=1e308, batch_size=1, shuffle=False, warm_start=True
    )
    clf.coefs_ = [np.array([[100.0]]), np.array([[-1.7e308]])]
    clf.intercepts_ = [np.zeros(1), np.array([1.7e308])]
    with pytest.raises(ValueError, match="learning_rate.*scale the inputs"):
        clf.fit([[1.0], [1.0]], [0, 1])
    assert clf.n_iter_ == 0
    assert_array_equal(clf.coefs_[1], [[-1.7e308]])
    assert np.isfinite(clf.predict_proba([[1.0]])).all()


def test_keyboard_interrupt_keeps_the_last_completed_epoch():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    kwargs = dict(
        hidden_layer_sizes=(32,), batch_size=8, n_iter_no_change=np.inf, random_state=0
    )
    clf = MLPBackpropClassifier(max_iter=100_000, **kwargs)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.warns(UserWarning, match="interrupted"):
            clf.fit(X, y)
    except KeyboardInterrupt:  # must not end the test session
        pytest.fail("KeyboardInterrupt escaped from fit")
    finally:
        timer.cancel()
    assert 0 < clf.n_iter_ < 100_000
    assert len(clf.loss_curve_) == clf.n_iter_
    assert clf.t_ == clf.n_iter_ * len(y)
    # The weights are exactly those of a fit that ran n_iter_ epochs.
    again = MLPBackpropClassifier(max_iter=clf.n_iter_, **kwargs)
    with pytest.warns(ConvergenceWarning):
        again.fit(X, y)
    for W, V in zip(clf.coefs_ + clf.intercepts_, again.coefs_ + again.intercepts_):
        assert_array_equal(W, V)
    assert_array_equal(clf.loss_curve_, again.loss_curve_)


# -- progress --------------------------------------------------------------------------


def test_verbose_prints_validation_and_time(capsys):
    X, y = make_article_data(60, random_state=0)
    X_val, y_val = make_article_data(30, random_state=1)
    clf = MLPBackpropClassifier((3,), max_iter=3, verbose=True, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y, X_val=X_val, y_val=y_val)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[2].startswith("Epoch 3, loss = ")
    assert "validation score = " in lines[2]
    assert "validation loss = " in lines[2]
    assert lines[2].endswith("s")


@pytest.fixture
def callback():
    return pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_progress_bar_shows_every_epoch(capsys, callback):
    pytest.importorskip("rich")
    X, y = make_article_data(40, random_state=0)
    clf = MLPBackpropClassifier((3,), max_iter=5, random_state=0)
    clf.set_callbacks(callback.ProgressBar())
    clf.fit(X, y)
    out = capsys.readouterr().out
    assert "MLPBackpropClassifier - fit" in out
    assert "100%" in out


class RecordingCallback:
    """Records every hook call; asks to stop after ``stop_after`` epochs."""

    def __init__(self, stop_after=None):
        self.events = []
        self.stop_after = stop_after

    def setup(self, estimator, context):
        self.events.append(("setup", context.task_name))

    def teardown(self, estimator, context):
        self.events.append(("teardown", context.task_name))

    def on_fit_task_begin(self, estimator, context):
        self.events.append(("begin", context.task_name))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.events.append(("end", context.task_name))
        if fitted_estimator is not None and context.task_name == "epoch":
            self.events.append(("epoch model", fitted_estimator.n_iter_))
        epochs = self.events.count(("end", "epoch"))
        return self.stop_after is not None and epochs >= self.stop_after


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_callbacks_see_every_epoch_and_can_stop_training(callback):
    X, y = make_article_data(40, random_state=0)
    recorder = RecordingCallback()
    clf = MLPBackpropClassifier((3,), max_iter=4, random_state=0)
    clf.set_callbacks(recorder).fit(X, y)
    epoch_events = [("begin", "epoch"), ("end", "epoch")]
    assert recorder.events == [
        ("setup", "fit"),
        ("begin", "fit"),
        *[event for n in range(1, 5) for event in (*epoch_events, ("epoch model", n))],
        ("end", "fit"),
        ("teardown", "fit"),
    ]
    stopper = RecordingCallback(stop_after=2)
    with warnings.catch_warnings():
        # Stopped by the callback, not by running out of epochs.
        warnings.filterwarnings(
            "error", "MLPBackpropClassifier: the maximum", ConvergenceWarning
        )
        clf.set_callbacks(stopper).fit(X, y)
    assert clf.n_iter_ == 2


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_progress_bar_nests_under_grid_search(capsys, callback):
    pytest.importorskip("rich")
    X, y = make_article_data(40, random_state=0)
    search = GridSearchCV(
        MLPBackpropClassifier((3,), max_iter=4, random_state=0),
        {"learning_rate": [0.5, 1.0]},
        cv=2,
    )
    search.set_callbacks(callback.ProgressBar())
    search.fit(X, y)
    out = capsys.readouterr().out
    assert "GridSearchCV" in out
    assert "MLPBackpropClassifier" in out


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_scoring_monitor_logs_a_score_for_every_epoch(callback):
    X, y = make_article_data(40, random_state=0)
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = MLPBackpropClassifier((3,), max_iter=6, random_state=0)
    clf.set_callbacks(monitor).fit(X, y)
    log = monitor.get_logs()
    rows = [row for row in log.data if row["task_name"] == "epoch"]
    assert len(rows) == 6
    assert rows[-1]["accuracy"] == clf.score(X, y)
