"""MLPBackpropRegressor: the classifier's network and training, for regression.

The training rule is compared with an independent node-by-node reference
(``tests/_reference.py``: ``minibatch_reference`` and ``article_step_reference`` with
identity outputs and the regressor's equal batches, scalar loops with ``math.exp``)
for identity and logistic output units; then the
targets' scaling, the behaviour shared with the classifier, bad input and
persistence.
"""

import copy
import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import RegressorMixin, clone, is_regressor
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import r2_score
from sklearn.preprocessing import StandardScaler

import sk_mlpbp
import sk_mlpbp._epoch
from sk_mlpbp import (
    LossCurveDisplay,
    MLPBackpropClassifier,
    MLPBackpropRegressor,
    NetworkDisplay,
    StepTrace,
    check_gradients,
)
from tests._helpers import (
    assert_matches_reference,
    assert_same_model,
    assert_weights_close,
    ignore_convergence,
    parameters,
    warm_started,
)
from tests._reference import (
    article_step_reference,
    minibatch_reference,
    random_network,
)

# Measured against the references: the weights, biases and losses agree to 9e-16
# (the references and the estimator sum in different orders); the trace to 1e-13
# relatively, 1.3e-15 absolutely.
REFERENCE_ATOL = 1e-10
TRACE_TOL = dict(rtol=1e-12, atol=1e-15)

OUTPUTS = ["identity", "logistic"]


# Data -------------------------------------------------------------------------------


def _problem(n_samples=23, n_features=4, n_outputs=1, seed=0):
    """Return normal X and a smooth target: 1-D for one output, else (n, k)."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features))
    columns = [
        X[:, 0] - 0.5 * X[:, 1] ** 2 + 3.0,
        np.sin(X[:, 2]) + X[:, 3],
        X[:, 0] * X[:, 1],
    ]
    Y = np.column_stack(columns[:n_outputs])
    return X, (Y[:, 0] if n_outputs == 1 else Y)


@pytest.fixture(scope="module")
def friedman1():
    """make_friedman1's 1,000 rows, the inputs standardised."""
    X, y = make_friedman1(1000, random_state=0)
    return StandardScaler().fit_transform(X), y


def _fitted(out_activation="identity", hidden=(5,), n_outputs=1, **params):
    X, y = _problem(40, n_outputs=n_outputs)
    params = {"max_iter": 3, "random_state": 0, **params}
    reg = MLPBackpropRegressor(hidden, out_activation=out_activation, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return reg.fit(X, y)


def _scaled(reg, y):
    """Return the targets T the network trains on, written without the estimator."""
    Y = y.reshape(-1, 1) if np.ndim(y) == 1 else y
    return (Y - reg.target_offset_) / reg.target_scale_


# The training rule against the node-by-node reference ------------------------------

REFERENCE_CASES = {
    "one hidden layer": dict(),
    "two hidden layers, three outputs": dict(hidden=(5, 3), n_outputs=3),
    "biases off": dict(use_bias=False),
    "biases off, two hidden layers": dict(use_bias=False, hidden=(4, 3)),
    "weighted minibatches, zero weights": dict(weighted=True, batch_size=4),
    "momentum": dict(momentum=0.9, nesterov=False),
    "nesterov, two outputs": dict(momentum=0.8, nesterov=True, n_outputs=2),
    "L2": dict(alpha=0.1),
    "L2 and momentum, two hidden layers": dict(
        alpha=0.05, momentum=0.5, nesterov=True, hidden=(4, 3)
    ),
    "full batch": dict(batch_size=23),
    "online": dict(batch_size=1),
    "online, two outputs, weights, momentum": dict(
        batch_size=1, n_outputs=2, weighted=True, momentum=0.5, nesterov=False
    ),
    "online, L2, biases off": dict(batch_size=1, alpha=0.05, use_bias=False),
}


@ignore_convergence
@pytest.mark.parametrize("out_activation", OUTPUTS)
@pytest.mark.parametrize("case", REFERENCE_CASES.values(), ids=REFERENCE_CASES)
def test_training_equals_the_node_by_node_reference(case, out_activation):
    case = dict(case)
    hidden = case.pop("hidden", (5,))
    n_outputs = case.pop("n_outputs", 1)
    batch_size = case.pop("batch_size", 5)
    use_bias = case.pop("use_bias", True)
    momentum = case.pop("momentum", 0.0)
    nesterov = case.pop("nesterov", False)
    alpha = case.pop("alpha", 0.0)
    weighted = case.pop("weighted", False)
    assert not case

    rng = np.random.RandomState(1)
    X = rng.normal(size=(23, 4))
    if out_activation == "identity":
        T = rng.normal(size=(23, n_outputs))
    else:
        T = rng.uniform(0.05, 0.95, size=(23, n_outputs))
    coefs, intercepts = random_network(rng, [4, *hidden, n_outputs])
    if not use_bias:
        intercepts = [np.zeros_like(b) for b in intercepts]
    sample_weight = None
    if weighted:
        sample_weight = rng.uniform(0.2, 3.0, size=23)
        sample_weight[[0, 5, 6, 22]] = 0.0

    reference = minibatch_reference(
        X, T, coefs, intercepts, LR=0.3, batch_size=batch_size, epochs=3,
        identity_output=out_activation == "identity", even_batches=True,
        use_bias=use_bias, sample_weight=sample_weight, momentum=momentum,
        nesterov=nesterov, alpha=alpha,
    )  # fmt: skip
    reg = MLPBackpropRegressor(
        hidden, out_activation=out_activation, scale_target=False,
        learning_rate=0.3, batch_size=batch_size, max_iter=3, use_bias=use_bias,
        momentum=momentum, nesterovs_momentum=nesterov, alpha=alpha,
        early_stopping=False, n_iter_no_change=np.inf,
    )  # fmt: skip
    y = T[:, 0] if n_outputs == 1 else T
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # weights at batch_size=1
        warm_started(reg, coefs, intercepts).fit(X, y, sample_weight=sample_weight)

    assert reg.n_iter_ == 3
    assert_matches_reference(reg, reference, atol=REFERENCE_ATOL)
    if not use_bias:
        assert not any(b.any() for b in reg.intercepts_)


@ignore_convergence
@pytest.mark.parametrize("out_activation", OUTPUTS)
def test_online_loop_equals_the_reference_over_many_samples(out_activation):
    # More samples than the online loop gathers at a time, zero weights on either
    # side of its chunk boundaries, and momentum carried across them.
    rng = np.random.RandomState(2)
    X = rng.normal(size=(600, 3))
    T = rng.uniform(0.1, 0.9, size=(600, 1))
    coefs, intercepts = random_network(rng, [3, 3, 1])
    weights = np.ones(600)
    weights[[0, 255, 256, 511, 512, 599]] = 0.0
    reference = minibatch_reference(
        X, T, coefs, intercepts, LR=0.1, batch_size=1, epochs=2,
        identity_output=out_activation == "identity", even_batches=True,
        sample_weight=weights, momentum=0.5,
    )  # fmt: skip
    reg = MLPBackpropRegressor(
        (3,), out_activation=out_activation, scale_target=False, learning_rate=0.1,
        batch_size=1, max_iter=2, momentum=0.5, nesterovs_momentum=False,
        early_stopping=False, n_iter_no_change=np.inf,
    )  # fmt: skip
    warm_started(reg, coefs, intercepts).fit(X, T[:, 0], sample_weight=weights)
    assert_matches_reference(reg, reference, atol=REFERENCE_ATOL)


@pytest.mark.parametrize("out_activation", OUTPUTS)
def test_partial_fit_chunks_equal_the_reference_minibatches(out_activation):
    # One partial_fit call per chunk, each chunk one batch, is one epoch of the
    # reference in batches of the chunk's size.
    rng = np.random.RandomState(3)
    X = rng.normal(size=(30, 4))
    T = rng.uniform(0.1, 0.9, size=(30, 2))
    coefs, intercepts = random_network(rng, [4, 5, 2])
    reference = minibatch_reference(
        X, T, coefs, intercepts, LR=0.4, batch_size=10, epochs=1,
        identity_output=out_activation == "identity", even_batches=True,
        momentum=0.9, nesterov=True,
    )  # fmt: skip
    reg = MLPBackpropRegressor(
        (5,), out_activation=out_activation, scale_target=False, learning_rate=0.4,
        batch_size=10, momentum=0.9, shuffle=False,
    )  # fmt: skip
    reg.coefs_ = [W.copy() for W in coefs]
    reg.intercepts_ = [b.copy() for b in intercepts]
    for chunk in np.array_split(np.arange(30), 3):
        reg.partial_fit(X[chunk], T[chunk])
    ref_coefs, ref_intercepts, _ = reference
    for W, ref in zip(parameters(reg), ref_coefs + ref_intercepts):
        assert_allclose(W, ref, rtol=0, atol=REFERENCE_ATOL)
    assert reg.n_iter_ == 3 and reg.t_ == 30


# The targets' scaling ---------------------------------------------------------------


@pytest.mark.parametrize("out_activation", OUTPUTS)
def test_targets_on_any_offset_and_scale_train_the_same_model(out_activation):
    # A power of two gives the very same scaled targets, so the very same network;
    # any other factor and offset differ from them in the scale's ninth
    # significant bit and the offset's grid only.
    X, y = _problem(60)
    params = dict(out_activation=out_activation, max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = MLPBackpropRegressor((6,), **params).fit(X, y)
        exact = MLPBackpropRegressor((6,), **params).fit(X, 2.0**20 * y)
        shifted = MLPBackpropRegressor((6,), **params).fit(X, 1e6 * y + 5e5)
    assert_allclose(exact.predict(X), 2.0**20 * plain.predict(X), rtol=1e-12)
    assert_allclose(exact.loss_curve_, plain.loss_curve_, rtol=1e-12)
    assert_allclose(shifted.predict(X), 1e6 * plain.predict(X) + 5e5, rtol=1e-2)
    assert shifted.score(X, 1e6 * y + 5e5) == pytest.approx(plain.score(X, y), abs=0.01)


def _rounded(value, up=False):
    """Round as the scaling rule does, to 8 significant bits (written apart)."""
    exponent = np.floor(np.log2(np.abs(value))) - 7
    step = 2.0**exponent
    return (np.ceil if up else np.round)(value / step) * step


@ignore_convergence
def test_identity_outputs_standardise_each_target_column():
    X, Y = _problem(50, n_outputs=3)
    Y = Y * [1.0, 100.0, 1e-3] + [0.0, -7.0, 10.0]
    reg = MLPBackpropRegressor((4,), max_iter=2, random_state=0).fit(X, Y)
    scale = _rounded(Y.std(axis=0))
    assert_allclose(reg.target_scale_, scale, rtol=1e-15)
    grid = scale / 256
    assert_allclose(reg.target_offset_, np.round(Y.mean(axis=0) / grid) * grid)
    assert reg.target_offset_.shape == reg.target_scale_.shape == (3,)
    T = _scaled(reg, Y)
    assert_allclose(T.mean(axis=0), 0.0, atol=2**-9)
    assert_allclose(T.std(axis=0), 1.0, rtol=2**-8)


@ignore_convergence
def test_logistic_outputs_map_the_training_range_onto_0_1_to_0_9():
    X, Y = _problem(50, n_outputs=2)
    Y = Y * [1e3, -2.0] + [5.0, 1e5]
    reg = MLPBackpropRegressor(
        (4,), out_activation="logistic", max_iter=2, random_state=0
    ).fit(X, Y)
    scale = _rounded((Y.max(axis=0) - Y.min(axis=0)) / 0.8, up=True)
    assert_allclose(reg.target_scale_, scale, rtol=1e-15)
    grid = scale / 256
    offset = np.round((Y.min(axis=0) - 0.1 * scale) / grid) * grid
    assert_allclose(reg.target_offset_, offset, rtol=1e-15)
    T = _scaled(reg, Y)
    # The range maps into [0.1, 0.9], give or take half a grid step at the bottom.
    assert (T.min(axis=0) >= 0.1 - 2**-9).all() and (T.min(axis=0) <= 0.1 + 2**-9).all()
    assert (T.max(axis=0) <= 0.9 + 2**-9).all() and (T.max(axis=0) >= 0.89).all()
    # The predictions stay inside the range logistic units can reach.
    predictions = reg.predict(X * 100)
    assert (predictions > reg.target_offset_).all()
    assert (predictions < reg.target_offset_ + reg.target_scale_).all()


@ignore_convergence
@pytest.mark.parametrize("out_activation", OUTPUTS)
def test_scale_target_false_trains_on_the_targets_as_given(out_activation):
    X, _ = _problem(30, n_outputs=1)
    y = np.linspace(0.05, 0.95, 30)
    reg = MLPBackpropRegressor(
        (4,), out_activation=out_activation, scale_target=False, max_iter=2
    ).fit(X, y)
    assert_array_equal(reg.target_offset_, [0.0])
    assert_array_equal(reg.target_scale_, [1.0])
    trace = reg.explain_step(X[:3], y[:3])
    assert_array_equal(trace.T[:, 0], y[:3])


@pytest.mark.parametrize("y_first", [-0.5, 1.5])
def test_logistic_outputs_without_scaling_refuse_targets_outside_0_1(y_first):
    X, _ = _problem(30)
    y = np.r_[y_first, np.full(29, 0.5)]
    reg = MLPBackpropRegressor(out_activation="logistic", scale_target=False)
    with pytest.raises(ValueError, match=r"outside \[0, 1\].*scale_target=True"):
        reg.fit(X, y)
    assert not hasattr(reg, "coefs_")


@ignore_convergence
@pytest.mark.parametrize("out_activation", OUTPUTS)
def test_a_constant_target_column_is_centred_with_scale_1(out_activation):
    X, Y = _problem(60, n_outputs=2)
    Y = np.c_[Y[:, 0], np.full(60, 7.0), Y[:, 1]]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no division by zero
        reg = MLPBackpropRegressor(
            (6,), out_activation=out_activation, random_state=0
        ).fit(X, Y)
    assert reg.target_scale_[1] == 1.0
    centre = 7.0 if out_activation == "identity" else 6.5  # T = 0, or 0.5
    assert reg.target_offset_[1] == centre
    predictions = reg.predict(X)
    assert predictions.shape == (60, 3)
    assert np.isfinite(predictions).all()
    # Trained towards T = 0 (0.5), not set to it: close on average.
    assert abs(predictions[:, 1].mean() - 7.0) < 0.05


@pytest.mark.parametrize("out_activation", OUTPUTS)
def test_target_scaling_uses_the_sample_weights(out_activation):
    # A sample of weight 0 is no sample: an extreme target on it must not change
    # the scaling (the mean and standard deviation, or the range, of the others).
    X, y = _problem(30)
    y_outlier = y.copy()
    y_outlier[0] = 100.0
    weights = np.ones(30)
    weights[0] = 0.0
    params = dict(out_activation=out_activation, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        removed = MLPBackpropRegressor((4,), **params).fit(X[1:], y[1:])
        weighted = MLPBackpropRegressor((4,), **params).fit(
            X, y_outlier, sample_weight=weights
        )
    assert_allclose(weighted.target_offset_, removed.target_offset_, rtol=1e-12)
    assert_allclose(weighted.target_scale_, removed.target_scale_, rtol=1e-12)


def test_identity_target_scaling_is_the_weighted_mean_and_std():
    X, y = _problem(30)
    weights = np.random.RandomState(0).randint(1, 5, size=30).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = MLPBackpropRegressor((4,), max_iter=2).fit(X, y, sample_weight=weights)
    mean = np.average(y, weights=weights)
    std = _rounded(np.sqrt(np.average((y - mean) ** 2, weights=weights)))
    assert_allclose(reg.target_scale_, [std], rtol=1e-15)
    assert_allclose(reg.target_offset_, [np.round(mean / (std / 256)) * std / 256])


@pytest.mark.parametrize("shift", [False, True], ids=["standardised", "1e6 y + 5e5"])
def test_default_regressor_learns_friedman1(friedman1, shift):
    X, y = friedman1
    if shift:
        y = 1e6 * y + 5e5
    reg = MLPBackpropRegressor(random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.9


@ignore_convergence
@pytest.mark.parametrize("out_activation", OUTPUTS)
def test_several_target_columns(out_activation):
    X, Y = _problem(60, n_outputs=3)
    reg = MLPBackpropRegressor(
        (6,), out_activation=out_activation, max_iter=20, random_state=0
    ).fit(X, Y)
    assert reg.n_outputs_ == 3
    assert reg.coefs_[-1].shape == (6, 3)
    predictions = reg.predict(X)
    assert predictions.shape == (60, 3)
    assert reg.score(X, Y) == pytest.approx(r2_score(Y, predictions))


@ignore_convergence
def test_one_target_column_of_a_2d_y_is_a_1d_target():
    X, y = _problem(40)
    params = dict(max_iter=5, random_state=0)
    flat = MLPBackpropRegressor((4,), **params).fit(X, y)
    column = MLPBackpropRegressor((4,), **params).fit(X, y[:, np.newaxis])
    assert column.n_outputs_ == 1
    assert column.predict(X).shape == (40,)
    assert_array_equal(column.predict(X), flat.predict(X))
    assert column.score(X, y[:, np.newaxis]) == flat.score(X, y)


# Behaviour shared with the classifier ----------------------------------------------


def test_the_regressor_is_exported_as_a_scikit_learn_regressor():
    assert "MLPBackpropRegressor" in sk_mlpbp.__all__
    reg = MLPBackpropRegressor()
    assert isinstance(reg, RegressorMixin) and is_regressor(reg)
    params = reg.get_params()
    assert params["out_activation"] == "identity"
    assert params["scale_target"] is True
    assert "class_weight" not in params
    assert clone(reg).get_params() == params


@ignore_convergence
def test_a_learning_rate_per_layer_scales_each_layers_step():
    # One full-batch step with LR = 1 moves every parameter by minus its gradient,
    # so with LR_i for layer i the step of layer i is LR_i times that one.
    X, Y = _problem(23, n_outputs=2)
    coefs, intercepts = random_network(np.random.RandomState(0), [4, 5, 4, 2])
    rates = [0.3, 2.0, 0.7]
    params = dict(hidden_layer_sizes=(5, 4), batch_size=23, max_iter=1, alpha=0.01)
    unit = MLPBackpropRegressor(learning_rate=1.0, **params)
    warm_started(unit, coefs, intercepts).fit(X, Y)
    per_layer = MLPBackpropRegressor(learning_rate=rates, **params)
    warm_started(per_layer, coefs, intercepts).fit(X, Y)
    assert per_layer.learning_rates_ == rates
    assert per_layer.intercept_learning_rates_ == rates
    for i, LR in enumerate(rates):
        for start, one, scaled in [
            (coefs[i], unit.coefs_[i], per_layer.coefs_[i]),
            (intercepts[i], unit.intercepts_[i], per_layer.intercepts_[i]),
        ]:
            assert_allclose(start - scaled, LR * (start - one), rtol=1e-10, atol=1e-14)


@ignore_convergence
@pytest.mark.parametrize("out_activation", OUTPUTS)
def test_auto_rates_train_the_same_model_on_inputs_in_other_units(out_activation):
    X, y = _problem(40)
    params = dict(out_activation=out_activation, max_iter=10, random_state=0)
    reg = MLPBackpropRegressor((5,), **params).fit(X, y)
    assert len(reg.learning_rates_) == len(reg.intercept_learning_rates_) == 2
    assert all(LR > 0 for LR in reg.learning_rates_ + reg.intercept_learning_rates_)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the inputs are far from standardised
        scaled = MLPBackpropRegressor((5,), **params).fit(1000 * X, y)
    assert_allclose(scaled.learning_rates_[0], reg.learning_rates_[0] / 1000**2)
    assert_allclose(scaled.predict(1000 * X), reg.predict(X), rtol=1e-9, atol=1e-12)


def test_adaptive_schedule_divides_the_rate_by_five_until_1e_6():
    X, y = _problem(40)
    # tol is so large that no epoch after the first counts as an improvement.
    params = dict(
        hidden_layer_sizes=(3,),
        learning_rate=0.5,
        tol=1e9,
        n_iter_no_change=2,
        random_state=0,
    )
    constant = MLPBackpropRegressor(**params).fit(X, y)
    adaptive = MLPBackpropRegressor(learning_rate_schedule="adaptive", **params)
    adaptive.fit(X, y)
    # LR 0.5 is divided by 5 nine times before it is <= 1e-6 (0.5 / 5**9 = 2.6e-7);
    # the tenth trigger stops.
    n_divisions = 9
    assert adaptive.n_iter_ == constant.n_iter_ + n_divisions * 2


@ignore_convergence
def test_invscaling_schedule_sets_the_current_rate():
    reg = _fitted(learning_rate=0.5, learning_rate_schedule="invscaling")
    X, y = _problem(7, seed=1)
    trace = reg.explain_step(X, y)
    current = 0.5 / (reg.t_ + 1) ** reg.power_t
    assert_allclose([w.LR for w in trace.weights], [current, current], rtol=1e-15)


@pytest.mark.parametrize("out_activation", OUTPUTS)
def test_partial_fit_continues_and_keeps_the_first_calls_scaling(out_activation):
    X, y = _problem(60)
    reg = MLPBackpropRegressor((5,), out_activation=out_activation, random_state=0)
    reg.partial_fit(X[:30], y[:30])
    offset, scale = reg.target_offset_.copy(), reg.target_scale_.copy()
    weights = [p.copy() for p in parameters(reg)]
    # The second chunk's targets lie inside the first chunk's range.
    second = np.clip(y[30:], y[:30].min(), y[:30].max())
    reg.partial_fit(X[30:], second)
    assert_array_equal(reg.target_offset_, offset)
    assert_array_equal(reg.target_scale_, scale)
    assert reg.n_iter_ == 2 and reg.t_ == 60 and len(reg.loss_curve_) == 2
    assert not all(np.array_equal(p, q) for p, q in zip(parameters(reg), weights))


def test_partial_fit_refuses_another_number_of_outputs():
    X, Y = _problem(30, n_outputs=2)
    reg = MLPBackpropRegressor((4,)).partial_fit(X, Y)
    with pytest.raises(ValueError, match="3 target column.*model has 2"):
        reg.partial_fit(X, np.c_[Y, Y[:, 0]])


@ignore_convergence
def test_warm_start_continues_the_weights_and_keeps_the_scaling():
    X, y = _problem(40)
    params = dict(learning_rate=0.3, shuffle=False, random_state=0)
    in_one = MLPBackpropRegressor((5,), max_iter=5, **params).fit(X, y)
    in_two = MLPBackpropRegressor((5,), max_iter=3, warm_start=True, **params)
    in_two.fit(X, y)
    offset, scale = in_two.target_offset_.copy(), in_two.target_scale_.copy()
    in_two.set_params(max_iter=2).fit(X, y)
    assert in_two.n_iter_ == 5
    assert_weights_close(in_two, in_one, rtol=1e-12, atol=1e-14)
    assert_allclose(in_two.loss_curve_, in_one.loss_curve_, rtol=1e-12)
    # A warm start on targets of another offset keeps the first fit's scaling.
    in_two.fit(X, y + 1.0)
    assert_array_equal(in_two.target_offset_, offset)
    assert_array_equal(in_two.target_scale_, scale)


@ignore_convergence
def test_warm_start_refuses_another_number_of_outputs():
    X, Y = _problem(30, n_outputs=2)
    reg = MLPBackpropRegressor((4,), max_iter=2, warm_start=True).fit(X, Y[:, 0])
    before = [p.copy() for p in parameters(reg)]
    with pytest.raises(ValueError, match="2 target column.*model has 1"):
        reg.fit(X, Y)
    for p, q in zip(parameters(reg), before):
        assert_array_equal(p, q)


@ignore_convergence
@pytest.mark.parametrize("batch_size", [1, 7, "auto"])
def test_sparse_input_trains_the_dense_model(batch_size):
    X, Y = _problem(40, n_outputs=2)
    X[np.abs(X) < 0.7] = 0.0
    params = dict(batch_size=batch_size, max_iter=4, momentum=0.5, random_state=0)
    dense = MLPBackpropRegressor((5,), **params).fit(X, Y)
    from_sparse = MLPBackpropRegressor((5,), **params).fit(sparse.csr_matrix(X), Y)
    assert_weights_close(from_sparse, dense, rtol=0, atol=1e-10)
    assert_allclose(
        from_sparse.predict(sparse.csr_matrix(X)), dense.predict(X), atol=1e-10
    )


@ignore_convergence
@pytest.mark.parametrize("out_activation", OUTPUTS)
def test_float32_trains_and_predicts_in_float32(out_activation):
    X, Y = _problem(40, n_outputs=2)
    params = dict(out_activation=out_activation, max_iter=5, random_state=0)
    reg = MLPBackpropRegressor((5,), momentum=0.9, **params)
    reg.fit(X.astype(np.float32), Y, X_val=X.astype(np.float32), y_val=Y)
    assert all(p.dtype == np.float32 for p in parameters(reg))
    assert all(v.dtype == np.float32 for v in reg._velocities)
    reference = MLPBackpropRegressor((5,), momentum=0.9, **params).fit(X, Y)
    assert_allclose(reg.coefs_[0], reference.coefs_[0], rtol=1e-4, atol=1e-5)
    predictions = reg.predict(X.astype(np.float32))
    assert_allclose(predictions, reference.predict(X), rtol=1e-4, atol=1e-4)
    assert predictions.dtype == np.float32


@ignore_convergence
def test_validation_scores_are_the_r2_of_each_epoch():
    X, Y = _problem(80, n_outputs=2)
    X_val, Y_val = X[60:], 1000 * Y[60:] + 3
    X, Y = X[:60], 1000 * Y[:60] + 3
    weights = np.random.RandomState(0).uniform(0.5, 2.0, 20)
    reg = MLPBackpropRegressor((5,), max_iter=1, warm_start=True, random_state=0)
    for epoch in range(1, 4):
        # One epoch a call; the curves go on across warm starts.
        reg.fit(X, Y, X_val=X_val, y_val=Y_val, sample_weight_val=weights)
        assert len(reg.validation_scores_) == len(reg.validation_loss_curve_) == epoch
        score = reg.score(X_val, Y_val, sample_weight=weights)
        assert reg.validation_scores_[-1] == score
        assert score == r2_score(Y_val, reg.predict(X_val), sample_weight=weights)
        T_val = _scaled(reg, Y_val)
        P_val = _scaled(reg, reg.predict(X_val))
        loss = np.average(0.5 * np.sum((P_val - T_val) ** 2, axis=1), weights=weights)
        assert_allclose(reg.validation_loss_curve_[-1], loss, rtol=1e-10)
    assert reg.n_iter_ == 3


def test_early_stopping_keeps_the_epoch_of_the_best_r2():
    X, y = make_friedman1(600, noise=1.0, random_state=0)
    X = StandardScaler().fit_transform(X)
    X, X_val, y, y_val = X[:100], X[100:], y[:100], y[100:]
    reg = MLPBackpropRegressor(
        (32,), learning_rate=0.3, batch_size=4, early_stopping=True,
        n_iter_no_change=3, tol=0.0, max_iter=300, random_state=0,
    )  # fmt: skip
    reg.fit(X, y, X_val=X_val, y_val=y_val)
    best_epoch = int(np.argmax(reg.validation_scores_))
    assert reg.n_iter_ == best_epoch + 1 + 3 < 300
    assert reg.best_validation_score_ == reg.validation_scores_[best_epoch]
    assert reg.score(X_val, y_val) == reg.best_validation_score_


def test_auto_early_stopping_watches_the_validation_loss_on_large_data(friedman1):
    X, y = friedman1
    reg = MLPBackpropRegressor((16,), random_state=0).fit(X, y)
    # 10% of 1,000 rows are held out: 100 >= 50 validation samples.
    assert reg.t_ == reg.n_iter_ * 900
    assert len(reg.validation_scores_) == len(reg.validation_loss_curve_)
    assert len(reg.validation_scores_) == reg.n_iter_
    best = int(np.argmin(reg.validation_loss_curve_))
    assert reg.best_validation_score_ == reg.validation_scores_[best]
    # Given validation data, the model is the epoch of the lowest validation loss.
    X_val, y_val = X[:100], y[:100]
    reg = MLPBackpropRegressor((16,), random_state=0)
    reg.fit(X[100:], y[100:], X_val=X_val, y_val=y_val)
    best = int(np.argmin(reg.validation_loss_curve_))
    assert reg.score(X_val, y_val) == reg.validation_scores_[best]
    assert reg.best_validation_score_ == reg.validation_scores_[best]


@ignore_convergence
def test_auto_early_stopping_holds_nothing_out_of_small_data():
    X, y = _problem(200)
    reg = MLPBackpropRegressor((4,), max_iter=5, random_state=0).fit(X, y)
    assert reg.validation_scores_ is None and reg.validation_loss_curve_ is None
    assert reg.t_ == 5 * 200


def test_verbose_prints_the_validation_r2(capsys):
    X, y = _problem(60)
    reg = MLPBackpropRegressor(
        (4,), max_iter=3, verbose=True, early_stopping=True, random_state=0
    )
    with pytest.warns(ConvergenceWarning):
        reg.fit(X[:40], y[:40], X_val=X[40:], y_val=y[40:])
    lines = capsys.readouterr().out.strip().splitlines()
    epochs = [line for line in lines if line.startswith("Epoch ")]
    assert len(epochs) == 3
    assert "validation score = " in epochs[-1]
    assert f"{reg.validation_scores_[-1]:.6f}" in epochs[-1]
    assert "validation loss = " in epochs[-1]


def test_verbose_names_the_validation_r2_when_it_stops(capsys):
    X, y = _problem(60)
    reg = MLPBackpropRegressor(
        (4,), tol=1e9, n_iter_no_change=2, verbose=True, early_stopping=True,
        random_state=0,
    )  # fmt: skip
    reg.fit(X[:40], y[:40], X_val=X[40:], y_val=y[40:])
    out = capsys.readouterr().out
    assert "The validation R^2 did not improve" in out


class RecordingCallback:
    """Records the epochs it is called on; asks to stop after ``stop_after``."""

    def __init__(self, stop_after=None):
        self.epochs = []
        self.stop_after = stop_after

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "epoch" and fitted_estimator is not None:
            self.epochs.append(fitted_estimator.n_iter_)
        return self.stop_after is not None and len(self.epochs) >= self.stop_after


@ignore_convergence
def test_callbacks_see_every_epoch_and_can_stop_training():
    callback = pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")
    X, y = _problem(40)
    recorder = RecordingCallback()
    reg = MLPBackpropRegressor((3,), max_iter=4, random_state=0)
    reg.set_callbacks(recorder).fit(X, y)
    assert recorder.epochs == [1, 2, 3, 4]
    reg.set_callbacks(RecordingCallback(stop_after=2)).fit(X, y)
    assert reg.n_iter_ == 2
    monitor = callback.ScoringMonitor(scoring="r2")
    reg.set_callbacks(monitor).fit(X, y)
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert len(rows) == 4
    assert rows[-1]["r2"] == pytest.approx(reg.score(X, y), rel=1e-12)


# Displays ----------------------------------------------------------------------------


@pytest.fixture
def pyplot():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


@ignore_convergence
def test_loss_curve_display_labels_the_score_axis_validation_r2(pyplot):
    X, y = _problem(60)
    reg = MLPBackpropRegressor((4,), max_iter=4, random_state=0)
    reg.fit(X[:40], y[:40], X_val=X[40:], y_val=y[40:])
    display = LossCurveDisplay.from_estimator(reg)
    assert display.ax_accuracy_.get_ylabel() == "validation R^2"
    assert_allclose(
        display.lines_["validation_score"].get_ydata(), reg.validation_scores_
    )
    assert_allclose(display.lines_["loss"].get_ydata(), reg.loss_curve_)


@pytest.mark.parametrize("out_activation", OUTPUTS)
def test_network_display_draws_a_samples_step(pyplot, out_activation):
    reg = _fitted(out_activation, hidden=(4, 3))
    X, y = _problem(1, seed=1)
    display = NetworkDisplay.from_estimator(reg, X, y)
    assert display.figure_ is not None
    trace = reg.explain_step(X, y)
    assert_array_equal(display.T, trace.T[0])
    assert_array_equal(display.FE, trace.FE[0])
    assert_allclose(display.T, _scaled(reg, y)[0], rtol=1e-15)
    gradients = NetworkDisplay.from_estimator(reg, X, y, show="gradient")
    assert gradients.figure_ is not None
    forward = NetworkDisplay.from_estimator(reg, X)
    S_preA_O = reg._output_preactivation(X)[0]
    S_postA_O = (
        S_preA_O if out_activation == "identity" else 1 / (1 + np.exp(-S_preA_O))
    )
    assert_allclose(forward.S_postA[-1], S_postA_O, rtol=1e-12)


# The step trace and the gradient check ----------------------------------------------

TRACE_CASES = {
    "minibatch with sample weights": dict(),
    "two hidden layers, two outputs": dict(hidden=(5, 3), n_outputs=2),
    "momentum": dict(momentum=0.9, nesterovs_momentum=False),
    "nesterov": dict(momentum=0.9, nesterovs_momentum=True),
    "L2": dict(alpha=0.05),
    "no biases": dict(use_bias=False),
    "per-layer rates": dict(hidden=(5, 3), learning_rate=[0.2, 0.1, 0.05]),
    "one sample, momentum": dict(n_samples=1, momentum=0.5),
}


def _trace_case(out_activation, params):
    params = dict(params)
    n_samples = params.pop("n_samples", 7)
    n_outputs = params.pop("n_outputs", 1)
    reg = _fitted(out_activation, params.pop("hidden", (5,)), n_outputs, **params)
    X, y = _problem(n_samples, n_outputs=n_outputs, seed=1)
    if out_activation == "logistic":  # inside the training targets' range
        y = np.clip(y, reg.target_offset_ + 0.05 * reg.target_scale_, None)
        y = np.clip(y, None, reg.target_offset_ + 0.95 * reg.target_scale_)
    sample_weight = np.random.RandomState(2).uniform(0.2, 3.0, n_samples)
    return reg, X, y, sample_weight


@pytest.mark.parametrize("out_activation", OUTPUTS)
@pytest.mark.parametrize("params", TRACE_CASES.values(), ids=TRACE_CASES)
def test_trace_equals_the_node_by_node_reference(params, out_activation):
    reg, X, y, sample_weight = _trace_case(out_activation, params)
    trace = reg.explain_step(X, y, sample_weight)
    assert isinstance(trace, StepTrace)
    ref = article_step_reference(
        X, _scaled(reg, y), reg.coefs_, reg.intercepts_,
        LR=reg.learning_rates_, intercept_LR=reg.intercept_learning_rates_,
        identity_output=out_activation == "identity", sample_weight=sample_weight,
        alpha=reg.alpha, momentum=reg.momentum, nesterov=reg.nesterovs_momentum,
        velocities=getattr(reg, "_velocities", None), use_bias=reg.use_bias,
    )  # fmt: skip
    for k, layer in enumerate(trace.layers):
        assert_allclose(layer.S_postA, ref["S_postA"][k], **TRACE_TOL)
        if k:
            assert_allclose(layer.S_preA, ref["S_preA"][k - 1], **TRACE_TOL)
            assert_allclose(layer.S_ERROR, ref["S_ERROR"][k - 1], **TRACE_TOL)
    if out_activation == "identity":
        assert_array_equal(trace.layers[-1].S_postA, trace.layers[-1].S_preA)
        assert_array_equal(trace.layers[-1].S_ERROR, trace.FE)
    assert_allclose(trace.T, ref["T"], rtol=1e-15)
    for name in ("FE", "E", "share"):
        assert_allclose(getattr(trace, name), ref[name], **TRACE_TOL)
    assert_allclose(trace.loss, ref["loss"], **TRACE_TOL)
    for i, w in enumerate(trace.weights):
        assert_allclose(w.gradient, ref["gradient"][i], **TRACE_TOL)
        assert_allclose(w.weights_after, ref["weights_after"][i], **TRACE_TOL)
        if reg.momentum:
            assert_allclose(w.velocity_after, ref["velocity_after"][i], **TRACE_TOL)
        if reg.use_bias:
            assert_allclose(
                w.intercept_gradient, ref["intercept_gradient"][i], **TRACE_TOL
            )
            assert_allclose(w.intercepts_after, ref["intercepts_after"][i], **TRACE_TOL)
        else:
            assert w.intercepts_after is None


@pytest.mark.parametrize("out_activation", OUTPUTS)
@pytest.mark.parametrize("params", TRACE_CASES.values(), ids=TRACE_CASES)
def test_trace_weights_after_equal_partial_fit_bit_for_bit(params, out_activation):
    reg, X, y, sample_weight = _trace_case(out_activation, params)
    trace = reg.explain_step(X, y, sample_weight)
    other = copy.deepcopy(reg)
    other.set_params(batch_size=X.shape[0], shuffle=False)
    other.partial_fit(X, y, sample_weight=sample_weight)
    for i, w in enumerate(trace.weights):
        assert_array_equal(w.weights_after, other.coefs_[i])
        if reg.use_bias:
            assert_array_equal(w.intercepts_after, other.intercepts_[i])
        if reg.momentum:
            assert_array_equal(w.velocity_after, other._velocities[i])
        assert not np.array_equal(w.weights_after, w.weights)


def test_explain_step_leaves_the_regressor_unchanged():
    reg = _fitted(momentum=0.9)
    before = copy.deepcopy(reg)
    X, y = _problem(7, seed=1)
    reg.explain_step(X, y)
    assert_same_model(reg, before)
    assert_array_equal(reg._velocities[0], before._velocities[0])
    assert reg.n_iter_ == before.n_iter_ and reg.t_ == before.t_


@pytest.mark.parametrize("out_activation", OUTPUTS)
@pytest.mark.parametrize(
    "hidden, n_outputs", [((5,), 1), ((5, 3), 2)], ids=["5", "5-3, two outputs"]
)
def test_gradient_check_agrees_with_backpropagation(hidden, n_outputs, out_activation):
    reg, X, y, sample_weight = _trace_case(
        out_activation, dict(hidden=hidden, n_outputs=n_outputs, n_samples=6)
    )
    check = check_gradients(reg, X, y, sample_weight)
    assert check.max_relative_error < 1e-6, check.relative_error


# Bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "y, message",
    [
        (np.array(["a", "b"] * 10), "strings"),
        (np.array(["1.5", "b"] * 10, dtype=object), "could not convert"),
        (np.r_[np.nan, np.zeros(19)], "y contains NaN"),
        (np.r_[np.inf, np.zeros(19)], "y contains infinity"),
        (np.zeros((20, 2, 2)), "dim 3"),
    ],
    ids=["strings", "object strings", "NaN", "infinity", "3 dims"],
)
def test_bad_targets_raise_a_clear_value_error(y, message):
    X, _ = _problem(20)
    with pytest.raises(ValueError, match=message):
        MLPBackpropRegressor((3,), max_iter=2).fit(X, y)


@pytest.mark.parametrize(
    "n_columns, y_val_columns", [(1, 2), (3, 2), (2, 1)], ids=["1-2", "3-2", "2-1"]
)
def test_validation_targets_of_another_width_raise(n_columns, y_val_columns):
    X, Y = _problem(40, n_outputs=3)
    y = Y[:, 0] if n_columns == 1 else Y[:, :n_columns]
    y_val = Y[:10, :y_val_columns]
    if y_val_columns == 1:
        y_val = y_val[:, 0]
    with pytest.raises(ValueError, match=f"y_val has {y_val_columns} target column"):
        MLPBackpropRegressor((3,), max_iter=2).fit(X, y, X_val=X[:10], y_val=y_val)


def test_nan_in_validation_targets_raises():
    X, y = _problem(40)
    y_val = np.r_[np.nan, y[1:10]]
    with pytest.raises(ValueError, match="y_val contains NaN"):
        MLPBackpropRegressor((3,), max_iter=2).fit(X, y, X_val=X[:10], y_val=y_val)


def test_predict_before_fit_raises_not_fitted():
    X, _ = _problem(5)
    with pytest.raises(NotFittedError):
        MLPBackpropRegressor().predict(X)
    with pytest.raises(NotFittedError):
        MLPBackpropRegressor().score(X, np.zeros(5))


def test_assigned_weights_without_a_scaling_are_not_a_fitted_model():
    X, _ = _problem(5)
    reg = MLPBackpropRegressor((3,))
    reg.coefs_, reg.intercepts_ = random_network(np.random.RandomState(0), [4, 3, 1])
    with pytest.raises(NotFittedError):
        reg.predict(X)


def test_sample_weights_all_zero_raise():
    X, y = _problem(20)
    with pytest.raises(ValueError, match="non-zero|positive weight"):
        MLPBackpropRegressor((3,)).fit(X, y, sample_weight=np.zeros(20))


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(out_activation="softmax"), "out_activation"),
        (dict(scale_target="yes"), "scale_target"),
        (dict(class_weight="balanced"), "class_weight"),
    ],
)
def test_invalid_parameters_raise(params, message):
    X, y = _problem(20)
    with pytest.raises((TypeError, ValueError), match=message):
        MLPBackpropRegressor(**params).fit(X, y)


# Persistence ------------------------------------------------------------------------


@pytest.mark.parametrize("out_activation", OUTPUTS)
def test_pickle_round_trip_predicts_the_same(out_activation):
    reg = _fitted(out_activation, hidden=(5, 3), n_outputs=2, momentum=0.5)
    restored = pickle.loads(pickle.dumps(reg))
    X, _ = _problem(11, seed=3)
    assert_array_equal(restored.predict(X), reg.predict(X))
    assert_array_equal(restored.target_offset_, reg.target_offset_)
    assert_array_equal(restored.target_scale_, reg.target_scale_)
    # And it trains on as the original does.
    X, Y = _problem(10, n_outputs=2, seed=4)
    assert_same_model(restored.partial_fit(X, Y), reg.partial_fit(X, Y))


def test_an_epoch_takes_batches_of_equal_size():
    # 10 samples in batches of at most 4: three batches of 3, 3 and 4 samples (the
    # classifier takes 4, 4 and 2).
    X, y = _problem(10)
    reg = MLPBackpropRegressor((3,), batch_size=4, max_iter=1, shuffle=False)
    seen = []
    real = sk_mlpbp._epoch.MinibatchEpoch._step

    def step(epoch, inputs, *args):
        seen.append(inputs.shape[0])
        return real(epoch, inputs, *args)

    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        patch.setattr(sk_mlpbp._epoch.MinibatchEpoch, "_step", step)
        reg.fit(X, y)
        assert seen == [3, 3, 4]
        seen.clear()
        MLPBackpropClassifier((3,), batch_size=4, max_iter=1, shuffle=False).fit(
            X, y > np.median(y)
        )
        assert seen == [4, 4, 2]
