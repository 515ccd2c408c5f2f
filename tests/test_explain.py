"""The step trace (``explain_step``) and the gradient check (``check_gradients``).

The trace is compared with an independent node-by-node reference of the article's
formulas (``tests/_reference.py``: scalar loops and ``math.exp``) to 1e-12, and its
weights after the step with the estimator's own step (``partial_fit`` on one batch,
in order) bit for bit.
"""

import copy
import html
import math
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import sk_mlpbp
from sk_mlpbp import (
    GradientCheck,
    MLPBackpropClassifier,
    StepTrace,
    check_gradients,
    make_article_data,
)
from tests._helpers import ARTICLE
from tests._reference import (
    article_step_reference,
    article_training_loop,
    random_network,
)

pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)

# Measured: the trace is within 2e-13 of the reference relatively, 9e-16 absolutely.
# An atol of 1e-12 would hide a wrong S_ERROR deep in a network (about 1e-4 there).
TOL = dict(rtol=1e-12, atol=1e-15)


# Data and estimators --------------------------------------------------------------


def _data(target=2, n_samples=40, n_features=4, seed=0):
    """Return normal X and labels: two classes, three classes or three labels."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features))
    if target == "multilabel":
        y = (X[:, :3] > 0).astype(np.int64)
    elif target == 2:
        y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64)
    else:
        y = np.argmax(X[:, :target], axis=1)
    return X, y


def _batch(target=2, n_samples=7):
    """Return a batch the estimator has not seen, with unequal sample weights."""
    X, y = _data(target, n_samples=n_samples, seed=1)
    sample_weight = np.random.RandomState(2).uniform(0.2, 3.0, n_samples)
    return X, y, sample_weight


def _targets(y, target=2):
    """Return the output units' targets, written without the estimator."""
    if target == "multilabel":
        return y.astype(float)
    if target == 2:
        return y[:, np.newaxis].astype(float)
    return np.eye(target)[y]


def _fitted(target=2, hidden=(5,), dtype=np.float64, **params):
    X, y = _data(target)
    params = {"max_iter": 3, "random_state": 0, **params}
    return MLPBackpropClassifier(hidden, **params).fit(X.astype(dtype), y)


def _assigned(hidden, seed=3, use_bias=True, n_features=4, n_outputs=1, **params):
    """Return an estimator never fitted, its weights assigned by hand."""
    rng = np.random.RandomState(seed)
    coefs, intercepts = random_network(rng, [n_features, *hidden, n_outputs])
    clf = MLPBackpropClassifier(hidden, use_bias=use_bias, **params)
    clf.coefs_ = coefs
    if use_bias:
        clf.intercepts_ = intercepts
    else:
        intercepts = [np.zeros_like(b) for b in intercepts]
    return clf, coefs, intercepts


def _article_network(n_samples=1, seed=0):
    """Return the article's 3-4-1 network: no biases, U(-1, 1) weights, LR = 1."""
    rng = np.random.RandomState(seed)
    X, y = make_article_data(20, random_state=rng)
    # Classes 1 and 0 in turn, so that two rows or more hold both.
    rows = np.stack([np.flatnonzero(y == 1)[:3], np.flatnonzero(y == 0)[:3]], axis=1)
    rows = rows.ravel()[:n_samples]
    X, y = X[rows], y[rows]
    ItoH, HtoO = rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, (4, 1))
    clf = MLPBackpropClassifier(**ARTICLE)
    clf.coefs_ = [ItoH, HtoO]
    return clf, X, y, [ItoH, HtoO]


def _fitted_reference(clf, X, y, sample_weight, target=2, **options):
    """Return the reference of a fitted estimator's step (weights, rates...)."""
    return article_step_reference(
        X,
        _targets(y, target),
        clf.coefs_,
        clf.intercepts_,
        LR=clf.learning_rates_,
        intercept_LR=clf.intercept_learning_rates_,
        sample_weight=sample_weight,
        alpha=clf.alpha,
        momentum=clf.momentum,
        nesterov=clf.nesterovs_momentum,
        velocities=getattr(clf, "_velocities", None),
        use_bias=clf.use_bias,
    )


# The trace against the node-by-node reference -------------------------------------


def _article_case():
    clf, X, y, coefs = _article_network()
    trace = clf.explain_step(X, y, classes=[0, 1])
    intercepts = [np.zeros(4), np.zeros(1)]
    options = dict(use_bias=False)
    ref = article_step_reference(X, _targets(y), coefs, intercepts, LR=1.0, **options)
    return trace, ref, options


def _two_hidden_layers_with_biases_case():
    clf, coefs, intercepts = _assigned((5, 3), learning_rate=0.7)
    X, y, _ = _batch()
    trace = clf.explain_step(X, y, classes=[0, 1])
    ref = article_step_reference(X, _targets(y), coefs, intercepts, LR=0.7)
    return trace, ref, {}


def _biases_off_case():
    clf, coefs, intercepts = _assigned((5, 3), use_bias=False, learning_rate=0.7)
    X, y, _ = _batch()
    trace = clf.explain_step(X, y, classes=[0, 1])
    options = dict(use_bias=False)
    ref = article_step_reference(X, _targets(y), coefs, intercepts, 0.7, **options)
    return trace, ref, options


def _per_layer_rates_case():
    rates = [0.9, 0.4, 0.2]
    clf, coefs, intercepts = _assigned((5, 3), learning_rate=rates)
    X, y, sample_weight = _batch()
    trace = clf.explain_step(X, y, sample_weight, classes=[0, 1])
    ref = article_step_reference(
        X, _targets(y), coefs, intercepts, LR=rates, sample_weight=sample_weight
    )
    return trace, ref, {}


def _assigned_momentum_case():
    clf, coefs, intercepts = _assigned((5,), learning_rate=0.5, momentum=0.9)
    X, y, sample_weight = _batch()
    trace = clf.explain_step(X, y, sample_weight, classes=[0, 1])
    options = dict(momentum=0.9, nesterov=True)
    ref = article_step_reference(
        X, _targets(y), coefs, intercepts, 0.5, None, sample_weight, **options
    )
    return trace, ref, options


def _auto_rates_case():
    clf, coefs, intercepts = _assigned((5,), learning_rate="auto")
    X, y, sample_weight = _batch()
    trace = clf.explain_step(X, y, sample_weight, classes=[0, 1])
    ref = article_step_reference(
        X,
        _targets(y),
        coefs,
        intercepts,
        LR=[w.LR for w in trace.weights],
        intercept_LR=[w.intercept_LR for w in trace.weights],
        sample_weight=sample_weight,
    )
    return trace, ref, {}


def _fitted_case(target=2, hidden=(5,), n_samples=7, weighted=True, **params):
    def case():
        clf = _fitted(target, hidden, **params)
        X, y, sample_weight = _batch(target, n_samples)
        sample_weight = sample_weight if weighted else None
        trace = clf.explain_step(X, y, sample_weight)
        ref = _fitted_reference(clf, X, y, sample_weight, target)
        options = dict(
            alpha=clf.alpha,
            momentum=clf.momentum,
            nesterov=clf.nesterovs_momentum and clf.momentum > 0,
            use_bias=clf.use_bias,
        )
        return trace, ref, options

    return case


REFERENCE_CASES = {
    "article 3-4-1, no biases, one sample": _article_case,
    "two hidden layers with biases": _two_hidden_layers_with_biases_case,
    "biases off": _biases_off_case,
    "minibatch with sample weights": _fitted_case(),
    "momentum": _fitted_case(momentum=0.9, nesterovs_momentum=False),
    "nesterov": _fitted_case(momentum=0.9, nesterovs_momentum=True),
    "momentum from zero, assigned weights": _assigned_momentum_case,
    "L2": _fitted_case(alpha=0.05),
    "L2 and momentum": _fitted_case(alpha=0.05, momentum=0.5),
    "per-layer rates": _per_layer_rates_case,
    "auto rates": _auto_rates_case,
    "one sample, auto rates, momentum": _fitted_case(n_samples=1, momentum=0.9),
    "multi-class": _fitted_case(target=3),
    "multilabel": _fitted_case(target="multilabel", hidden=(6, 4)),
}


def _assert_trace_equals_reference(trace, ref, alpha=0.0, momentum=0.0, **options):
    use_bias = options.get("use_bias", True)
    layers = trace.layers
    assert len(layers) == len(ref["S_postA"])
    assert layers[0].S_preA is None and layers[0].S_ERROR is None
    for k, layer in enumerate(layers):
        assert_allclose(layer.S_postA, ref["S_postA"][k], **TOL)
        if k:
            assert_allclose(layer.S_preA, ref["S_preA"][k - 1], **TOL)
            assert_allclose(layer.S_ERROR, ref["S_ERROR"][k - 1], **TOL)
    assert_array_equal(trace.T, ref["T"])
    for name in ("FE", "E", "share"):
        assert_allclose(getattr(trace, name), ref[name], **TOL)
    assert_allclose(trace.loss, ref["loss"], **TOL)
    assert (trace.alpha, trace.momentum) == (alpha, momentum)
    assert trace.nesterov == options.get("nesterov", False) or not momentum
    for i, w in enumerate(trace.weights):
        assert_allclose(w.LR, ref["LR"][i], rtol=1e-15)
        assert_array_equal(w.weights, ref["weights"][i])
        assert_allclose(w.gradient, ref["gradient"][i], **TOL)
        assert_allclose(w.weights_after, ref["weights_after"][i], **TOL)
        if alpha:
            assert_allclose(w.l2, ref["l2"][i], **TOL)
        else:
            assert w.l2 is None
        if momentum:
            # A velocity carried over from the fit (zeros for assigned weights).
            velocity = ref["velocity"]
            velocity = np.zeros_like(w.weights) if velocity is None else velocity[i]
            assert_array_equal(w.velocity, velocity)
            assert_allclose(w.velocity_after, ref["velocity_after"][i], **TOL)
        else:
            assert w.velocity is None and w.velocity_after is None
        if use_bias:
            assert_allclose(w.intercept_LR, ref["intercept_LR"][i], rtol=1e-15)
            assert_array_equal(w.intercepts, ref["intercepts"][i])
            assert_allclose(w.intercept_gradient, ref["intercept_gradient"][i], **TOL)
            assert_allclose(w.intercepts_after, ref["intercepts_after"][i], **TOL)
            if momentum:
                assert_allclose(
                    w.intercept_velocity_after,
                    ref["intercept_velocity_after"][i],
                    **TOL,
                )
        else:
            assert w.intercept_LR is None and w.intercepts is None
            assert w.intercept_gradient is None and w.intercepts_after is None


@pytest.mark.parametrize("case", REFERENCE_CASES.values(), ids=REFERENCE_CASES)
def test_trace_equals_the_node_by_node_reference(case):
    trace, ref, options = case()
    assert isinstance(trace, StepTrace)
    _assert_trace_equals_reference(trace, ref, **options)


def test_article_trace_moves_the_weights_as_the_articles_training_loop():
    clf, X, y, (ItoH, HtoO) = _article_network()
    trace = clf.explain_step(X, y, classes=[0, 1])
    ref_ItoH, ref_HtoO, ref_errors = article_training_loop(
        X, y, ItoH, HtoO[:, 0], LR=1.0, epochs=1
    )
    assert_allclose(trace["ItoH"].weights_after, ref_ItoH, **TOL)
    assert_allclose(trace["HtoO"].weights_after[:, 0], ref_HtoO, **TOL)
    assert_allclose(trace.loss, ref_errors[0], **TOL)


def test_hidden_error_signal_is_the_articles_formula_for_one_node():
    clf, X, y, (ItoH, HtoO) = _article_network()
    trace = clf.explain_step(X, y, classes=[0, 1])
    S_preA_O = trace["O"].S_preA[0, 0]
    f_prime_O = math.exp(-S_preA_O) / (1 + math.exp(-S_preA_O)) ** 2
    S_ERROR_O = trace.FE[0, 0] * f_prime_O
    S_preA_H2 = sum(X[0, i] * ItoH[i, 2] for i in range(3))
    f_prime_H2 = math.exp(-S_preA_H2) / (1 + math.exp(-S_preA_H2)) ** 2
    assert_allclose(trace["O"].S_ERROR[0, 0], S_ERROR_O, **TOL)
    assert_allclose(
        trace["H"].S_ERROR[0, 2], S_ERROR_O * HtoO[2, 0] * f_prime_H2, **TOL
    )
    # The gradient of ItoH's weight from I1 to H2 is S_ERROR,H2 x S_postA,I1.
    assert_allclose(
        trace["ItoH"].gradient[1, 2],
        S_ERROR_O * HtoO[2, 0] * f_prime_H2 * X[0, 1],
        **TOL,
    )


def test_auto_rates_of_a_fitted_estimator_are_its_learning_rates():
    clf = _fitted(hidden=(5, 3))
    X, y, _ = _batch()
    trace = clf.explain_step(X, y)
    assert [w.LR for w in trace.weights] == clf.learning_rates_
    assert_allclose(
        [w.intercept_LR for w in trace.weights],
        clf.intercept_learning_rates_,
        rtol=1e-15,
    )
    # "auto" gives the biases rates of their own: the ratio is not 1.
    assert not np.allclose(clf.intercept_learning_rates_, clf.learning_rates_)


def test_trace_of_a_scheduled_estimator_uses_the_current_rate():
    clf = _fitted(learning_rate=0.5, learning_rate_schedule="invscaling")
    X, y, _ = _batch()
    trace = clf.explain_step(X, y)
    current = 0.5 / (clf.t_ + 1) ** clf.power_t
    assert_allclose([w.LR for w in trace.weights], [current, current], rtol=1e-15)


# The trace's step is the estimator's step, bit for bit -----------------------------


def _assert_step_equals(trace, other):
    n_layers = len(other.coefs_)
    assert len(trace.weights) == n_layers
    for i, w in enumerate(trace.weights):
        assert w.weights_after.dtype == other.coefs_[i].dtype
        assert_array_equal(w.weights_after, other.coefs_[i])
        if other.use_bias:
            assert_array_equal(w.intercepts_after, other.intercepts_[i])
        else:
            assert w.intercepts_after is None
        if other.momentum:
            assert_array_equal(w.velocity_after, other._velocities[i])
            if other.use_bias:
                assert_array_equal(
                    w.intercept_velocity_after, other._velocities[n_layers + i]
                )
    # The step moved every weight matrix.
    for w in trace.weights:
        assert not np.array_equal(w.weights_after, w.weights)


def _partial_fit_step(clf, X, y, sample_weight, classes=None):
    other = copy.deepcopy(clf)
    other.set_params(batch_size=X.shape[0], shuffle=False)
    return other.partial_fit(X, y, classes=classes, sample_weight=sample_weight)


BIT_CASES = {
    "minibatch with sample weights": dict(),
    "minibatch without sample weights": dict(weighted=False),
    "one sample (online loop)": dict(n_samples=1),
    "one sample, momentum": dict(n_samples=1, momentum=0.9),
    "float32": dict(dtype=np.float32),
    "float32, one sample": dict(dtype=np.float32, n_samples=1),
    "sparse CSR": dict(sparse=True),
    "sparse CSR, one sample": dict(sparse=True, n_samples=1),
    "momentum": dict(momentum=0.9, nesterovs_momentum=False),
    "nesterov": dict(momentum=0.9, nesterovs_momentum=True),
    "L2": dict(alpha=0.05),
    "L2, momentum, one sample": dict(alpha=0.05, momentum=0.5, n_samples=1),
    "per-layer rates": dict(hidden=(5, 3), learning_rate=[0.9, 0.4, 0.2]),
    "per-layer rates, one sample": dict(
        hidden=(5, 3), learning_rate=[0.9, 0.4, 0.2], n_samples=1
    ),
    "auto rates, two hidden layers": dict(hidden=(5, 3)),
    "no biases": dict(use_bias=False, momentum=0.5),
    "no biases, one sample": dict(use_bias=False, n_samples=1),
    "multi-class": dict(target=3),
    "multilabel": dict(target="multilabel", hidden=(6, 4)),
    "invscaling schedule": dict(learning_rate_schedule="invscaling"),
}


@pytest.mark.parametrize("params", BIT_CASES.values(), ids=BIT_CASES)
def test_after_weights_equal_partial_fit_bit_for_bit(params):
    params = dict(params)
    target = params.pop("target", 2)
    n_samples = params.pop("n_samples", 7)
    weighted = params.pop("weighted", True)
    as_sparse = params.pop("sparse", False)
    dtype = params.pop("dtype", np.float64)
    clf = _fitted(target, params.pop("hidden", (5,)), dtype=dtype, **params)
    X, y, sample_weight = _batch(target, n_samples)
    X = X.astype(dtype)
    if as_sparse:
        X[np.abs(X) < 0.5] = 0.0
        X = sparse.csr_matrix(X)
    sample_weight = sample_weight if weighted else None

    trace = clf.explain_step(X, y, sample_weight)
    other = _partial_fit_step(clf, X, y, sample_weight)

    _assert_step_equals(trace, other)


ASSIGNED_CASES = {
    "article network, one sample": dict(hidden=(4,), use_bias=False, n_samples=1),
    "two hidden layers with biases": dict(hidden=(5, 3), learning_rate=0.7),
    "auto rates": dict(hidden=(5,)),
    "auto rates, one sample": dict(hidden=(5,), n_samples=1),
    "momentum": dict(hidden=(5,), learning_rate=0.5, momentum=0.9),
    "sparse CSR": dict(hidden=(5,), learning_rate=0.5, sparse=True),
}


@pytest.mark.parametrize("params", ASSIGNED_CASES.values(), ids=ASSIGNED_CASES)
def test_after_weights_of_assigned_weights_equal_partial_fit_bit_for_bit(params):
    params = dict(params)
    n_samples = params.pop("n_samples", 7)
    as_sparse = params.pop("sparse", False)
    clf, _, _ = _assigned(params.pop("hidden"), **params)
    X, y, sample_weight = _batch(n_samples=n_samples)
    if as_sparse:
        X = sparse.csr_matrix(np.where(np.abs(X) < 0.5, 0.0, X))

    trace = clf.explain_step(X, y, sample_weight, classes=[0, 1])
    other = _partial_fit_step(clf, X, y, sample_weight, classes=[0, 1])

    _assert_step_equals(trace, other)
    assert [w.LR for w in trace.weights] == other.learning_rates_
    if other.use_bias:
        assert_allclose(
            [w.intercept_LR for w in trace.weights],
            other.intercept_learning_rates_,
            rtol=1e-15,
        )


# The estimator and the caller's data are left alone --------------------------------


def _assert_same(before, after, where="vars"):
    if isinstance(before, np.ndarray):
        assert isinstance(after, np.ndarray), where
        assert before.dtype == after.dtype, where
        assert_array_equal(after, before, err_msg=where)
    elif isinstance(before, list | tuple):
        assert type(before) is type(after) and len(before) == len(after), where
        for i, (b, a) in enumerate(zip(before, after)):
            _assert_same(b, a, f"{where}[{i}]")
    elif isinstance(before, dict):
        assert before.keys() == after.keys(), where
        for key in before:
            _assert_same(before[key], after[key], f"{where}[{key!r}]")
    elif isinstance(before, float) and math.isnan(before):
        assert isinstance(after, float) and math.isnan(after), where
    else:
        assert type(before) is type(after) and before == after, where


UNCHANGED_CASES = {
    "fitted, momentum": lambda: _fitted(momentum=0.9),
    "fitted, float32, L2": lambda: _fitted(dtype=np.float32, alpha=0.01),
    "fitted, two hidden layers of 2": lambda: _fitted(hidden=(2, 2)),
    "fitted with validation data": lambda: _fitted(early_stopping=True, max_iter=4),
    "assigned, auto rates": lambda: _assigned((5,))[0],
    "assigned, momentum": lambda: _assigned((5,), learning_rate=0.3, momentum=0.9)[0],
    "assigned, no biases": lambda: _assigned((5, 3), use_bias=False)[0],
}


@pytest.mark.parametrize("n_samples", [1, 7])
@pytest.mark.parametrize("make", UNCHANGED_CASES.values(), ids=UNCHANGED_CASES)
def test_explain_step_leaves_the_estimator_unchanged(make, n_samples):
    clf = make()
    X, y, sample_weight = _batch(n_samples=n_samples)
    before = copy.deepcopy(vars(clf))
    clf.explain_step(X, y, sample_weight, classes=[0, 1])
    _assert_same(before, vars(clf))


def test_explain_step_leaves_the_callers_data_unchanged():
    clf = _fitted(momentum=0.9)
    X, y, sample_weight = _batch()
    X_sparse = sparse.csr_matrix(np.where(np.abs(X) < 0.5, 0.0, X))
    copies = [a.copy() for a in (X, y, sample_weight, X_sparse.toarray())]
    clf.explain_step(X, y, sample_weight)
    clf.explain_step(X_sparse, y, sample_weight)
    clf.explain_step(X[:1], y[:1], sample_weight[:1])
    for array, kept in zip((X, y, sample_weight, X_sparse.toarray()), copies):
        assert_array_equal(array, kept)


def test_trace_arrays_are_copies_not_the_estimators_or_the_callers():
    clf = _fitted(momentum=0.9)
    X, y, sample_weight = _batch()
    X_kept = X.copy()
    before = copy.deepcopy(vars(clf))
    trace = clf.explain_step(X, y, sample_weight)
    for layer in trace.layers:
        layer.S_postA[...] = 7.0
    for w in trace.weights:
        for name in ("weights", "weights_after", "velocity", "velocity_after"):
            getattr(w, name)[...] = 7.0
        for name in ("intercepts", "intercepts_after", "intercept_velocity"):
            getattr(w, name)[...] = 7.0
    _assert_same(before, vars(clf))
    assert_array_equal(X, X_kept)


def test_explain_step_twice_gives_the_same_trace():
    clf = _fitted(momentum=0.9)
    X, y, sample_weight = _batch()
    first = clf.explain_step(X, y, sample_weight)
    second = clf.explain_step(X, y, sample_weight)
    for a, b in zip(first.weights, second.weights):
        assert_array_equal(a.weights_after, b.weights_after)
        assert_array_equal(a.velocity_after, b.velocity_after)


# Names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hidden, layers, weights",
    [
        ((4,), ["I", "H", "O"], ["ItoH", "HtoO"]),
        ((4, 3), ["I", "H1", "H2", "O"], ["ItoH1", "H1toH2", "H2toO"]),
        (
            (4, 3, 2),
            ["I", "H1", "H2", "H3", "O"],
            ["ItoH1", "H1toH2", "H2toH3", "H3toO"],
        ),
    ],
)
def test_layers_and_weights_are_named_as_the_article_names_them(
    hidden, layers, weights
):
    clf, _, _ = _assigned(hidden, learning_rate=0.5)
    X, y, _ = _batch(n_samples=3)
    trace = clf.explain_step(X, y, classes=[0, 1])
    assert [layer.name for layer in trace.layers] == layers
    assert [w.name for w in trace.weights] == weights
    for layer in trace.layers:
        assert trace[layer.name] is layer
    for w in trace.weights:
        assert trace[w.name] is w


def test_trace_looks_up_layers_and_matrices_by_name():
    clf, X, y, _ = _article_network()
    trace = clf.explain_step(X, y, classes=[0, 1])
    assert trace["HtoO"] is trace.weights[1]
    assert trace["HtoO"].weights.shape == (4, 1)
    assert trace["O"] is trace.layers[2]
    assert trace["H"].S_postA.shape == (1, 4)
    with pytest.raises(KeyError, match="No layer or weight matrix named 'H1'"):
        trace["H1"]


# Printing --------------------------------------------------------------------------


def _section(text, start, end):
    return text[text.index(start) : text.index(end)]


def test_printed_trace_lays_out_the_blocks_in_the_articles_order():
    clf, X, y, _ = _article_network()
    text = str(clf.explain_step(X, y, classes=[0, 1]))
    blocks = ["Forward pass", "Final error", "Error signal", "Gradients", "Update"]
    positions = [text.index(block) for block in blocks]
    assert positions == sorted(positions)


def test_printed_trace_uses_the_articles_names():
    clf, X, y, _ = _article_network()
    text = str(clf.explain_step(X, y, classes=[0, 1]))
    for name in ("S_preA", "S_postA", "FE", "S_ERROR", "ItoH", "HtoO", "LR"):
        assert re.search(rf"\b{name}\b", text), name
    # One block per layer in the forward pass, input to output.
    forward = _section(text, "Forward pass", "Final error")
    headers = [
        re.search(rf"^\s*{name}\b.*\b{n} nodes?\b", forward, re.M)
        for name, n in [("I", 3), ("H", 4), ("O", 1)]
    ]
    assert all(headers)
    assert [h.start() for h in headers] == sorted(h.start() for h in headers)
    # S_ERROR from the outputs back, then the gradients from HtoO down to ItoH.
    gradients = _section(text, "Gradients", "Update")
    assert gradients.index("HtoO") < gradients.index("ItoH")


def test_printed_trace_shows_the_numbers_with_six_significant_digits():
    clf, X, y, _ = _article_network()
    trace = clf.explain_step(X, y, classes=[0, 1])
    text = str(trace)
    values = {
        "Final error": trace.FE[0, 0],
        "Error signal": trace["H"].S_ERROR[0, 2],
        "Gradients": trace["ItoH"].gradient[1, 3],
        "Update": trace["HtoO"].weights_after[3, 0],
    }
    blocks = ["Forward pass", "Final error", "Error signal", "Gradients", "Update"]
    for block, value in values.items():
        following = blocks[blocks.index(block) + 1 :]
        section = text[text.index(block) :]
        if following:
            section = section[: section.index(following[0])]
        assert re.search(rf"(?<![\d.]){re.escape(f'{value:.6g}')}(?!\d)", section)
    update = text[text.index("Update") :]
    assert re.search(r"\bHtoO: LR 1\b", update) and re.search(r"\bItoH: LR 1\b", update)


def test_printed_wide_layer_shows_its_first_and_last_nodes_with_an_ellipsis():
    clf, _, _ = _assigned((30,), learning_rate=0.5)
    X, y, _ = _batch(n_samples=2)
    text = str(clf.explain_step(X, y, classes=[0, 1]))
    for node in (0, 4, 25, 29):
        assert re.search(rf"\bH\[?{node}\]?(?!\d)", text), node
    for node in (5, 15, 24):
        assert not re.search(rf"\bH\[?{node}\]?(?!\d)", text), node
    assert "..." in _section(text, "Forward pass", "Final error")
    assert "..." in _section(text, "Gradients", "Update")


def test_printed_long_batch_shows_its_first_and_last_samples_with_an_ellipsis():
    clf, _, _ = _assigned((4,), learning_rate=0.5)
    X, y, _ = _batch(n_samples=30)
    text = str(clf.explain_step(X, y))
    assert re.search(r"\bsample 0\b", text) and re.search(r"\bsample 29\b", text)
    assert not re.search(r"\bsample 15\b", text)
    assert re.search(r"^\s*\.\.\.\s*$", text, re.M)


def test_small_trace_prints_without_an_ellipsis():
    clf, _, _ = _assigned((4,), learning_rate=0.5)
    X, y, _ = _batch(n_samples=3)
    assert "..." not in str(clf.explain_step(X, y))


@pytest.mark.parametrize("nesterov", [False, True])
def test_printed_trace_shows_velocities_the_L2_term_and_the_biases_rate(nesterov):
    clf = _fitted(momentum=0.9, nesterovs_momentum=nesterov, alpha=0.0125)
    X, y, sample_weight = _batch(n_samples=3)
    trace = clf.explain_step(X, y, sample_weight)
    text = str(trace)
    gradients = _section(text, "Gradients", "Update")
    assert "L2" in gradients and "0.0125" in gradients
    assert f"{trace['HtoO'].l2[1, 0]:.6g}" in gradients
    update = text[text.index("Update") :]
    assert ("Nesterov" in update) == nesterov
    assert "velocity before" in update and "velocity after" in update
    for w in trace.weights:
        assert f"{w.velocity[0, 0]:.6g}" in update
        assert f"{w.velocity_after[0, 0]:.6g}" in update
        # "auto" rates: the biases' LR differs from the weights' and is shown.
        assert re.search(
            rf"{w.name}: LR {w.LR:.6g}, biases' LR {w.intercept_LR:.6g}\b", update
        )


def test_reprs_name_the_network_and_the_largest_error():
    clf, X, y, _ = _article_network(n_samples=6)
    trace = clf.explain_step(X, y)
    assert "3-4-1" in repr(trace) and "6 sample" in repr(trace)
    check = check_gradients(clf, X, y)
    assert f"{check.max_relative_error:.2e}" in repr(check)


def test_html_repr_is_the_escaped_text_in_a_pre_block():
    clf, X, y, _ = _article_network()
    trace = clf.explain_step(X, y, classes=[0, 1])
    rendered = trace._repr_html_()
    match = re.fullmatch(r"<pre[^>]*>(.*)</pre>", rendered, re.S)
    assert match
    assert match.group(1) == html.escape(str(trace))
    assert "f_A&#x27;" in match.group(1) and "f_A'" not in match.group(1)


def test_to_frame_is_a_tidy_table_of_the_trace():
    pd = pytest.importorskip("pandas")
    clf, _, _ = _assigned((4,), learning_rate=0.5)
    X, y, sample_weight = _batch(n_samples=3)
    trace = clf.explain_step(X, y, sample_weight, classes=[0, 1])
    frame = trace.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [
        "quantity",
        "layer",
        "sample",
        "node",
        "from_node",
        "value",
    ]
    # S_postA of every node and sample, the inputs included.
    n_postA = (frame["quantity"] == "S_postA").sum()
    assert n_postA == 3 * (4 + 4 + 1)

    rows = frame[(frame["quantity"] == "S_ERROR") & (frame["layer"] == "H")]
    rows = rows.sort_values(["sample", "node"])
    assert_array_equal(rows["value"].to_numpy().reshape(3, 4), trace["H"].S_ERROR)

    gradient = frame[(frame["quantity"] == "gradient") & (frame["layer"] == "ItoH")]
    weights = gradient[gradient["from_node"] >= 0].sort_values(["from_node", "node"])
    assert_array_equal(
        weights["value"].to_numpy().reshape(4, 4), trace["ItoH"].gradient
    )
    biases = gradient[gradient["from_node"] == -1].sort_values("node")
    assert_array_equal(biases["value"].to_numpy(), trace["ItoH"].intercept_gradient)

    after = frame[(frame["quantity"] == "weight_after") & (frame["layer"] == "HtoO")]
    after = after[after["from_node"] >= 0].sort_values("from_node")
    assert_array_equal(after["value"].to_numpy(), trace["HtoO"].weights_after[:, 0])


def test_to_frame_holds_every_quantity_of_the_step():
    pytest.importorskip("pandas")
    clf = _fitted(momentum=0.9, alpha=0.01)
    X, y, sample_weight = _batch(n_samples=3)
    trace = clf.explain_step(X, y, sample_weight)
    frame = trace.to_frame()
    assert set(frame["quantity"]) == {
        "S_preA",
        "S_postA",
        "T",
        "FE",
        "E",
        "share",
        "S_ERROR",
        "LR",
        "intercept_LR",
        "weight",
        "gradient",
        "l2",
        "velocity",
        "velocity_after",
        "weight_after",
    }
    E = frame[frame["quantity"] == "E"].sort_values("sample")["value"].to_numpy()
    share = frame[frame["quantity"] == "share"].sort_values("sample")["value"]
    assert_array_equal(E, trace.E)
    assert_allclose(np.dot(share.to_numpy(), E), trace.loss, rtol=1e-15)
    assert_allclose(share.sum(), 1.0, rtol=1e-15)


# Errors ----------------------------------------------------------------------------


def test_explain_step_without_weights_raises_not_fitted():
    X, y, _ = _batch()
    with pytest.raises(NotFittedError, match="has no weights"):
        MLPBackpropClassifier((4,)).explain_step(X, y)


def test_explain_step_with_the_wrong_number_of_features_raises():
    clf = _fitted()
    X, y, _ = _batch()
    with pytest.raises(ValueError, match="5 features"):
        clf.explain_step(np.hstack([X, X[:, :1]]), y)


def test_explain_step_with_an_unknown_label_raises():
    clf = _fitted()
    X, y, _ = _batch()
    with pytest.raises(ValueError, match=r"labels \[7\] that are not among"):
        clf.explain_step(X, np.where(y == 1, 7, 0))


def test_explain_step_of_assigned_weights_needs_two_classes_or_classes():
    clf, _, _ = _assigned((4,), learning_rate=0.5)
    X, y, _ = _batch()
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.explain_step(X, np.ones_like(y))
    # With the classes given, one class in the batch is fine.
    clf.explain_step(X, np.ones_like(y), classes=[0, 1])


def test_explain_step_refuses_balanced_class_weight():
    clf = _fitted()
    clf.set_params(class_weight="balanced")
    X, y, _ = _batch()
    with pytest.raises(ValueError, match="class_weight='balanced'.*explain_step"):
        clf.explain_step(X, y)


def test_explain_step_refuses_nan_in_X():
    clf = _fitted()
    X, y, _ = _batch()
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.explain_step(X, y)


def test_explain_step_refuses_assigned_weights_of_the_wrong_shape():
    clf = MLPBackpropClassifier((4,), learning_rate=0.5)
    clf.coefs_ = [np.zeros((3, 4)), np.zeros((4, 1))]  # 3 inputs for 4 features
    X, y, _ = _batch()
    with pytest.raises(ValueError, match=r"layer sizes \[4, 4, 1\]"):
        clf.explain_step(X, y)


# The gradient check ----------------------------------------------------------------


def _check_article():
    clf, X, y, _ = _article_network(n_samples=6)
    return check_gradients(clf, X, y)


def _check_fitted(
    target=2, hidden=(5,), weighted=False, dtype=np.float64, as_sparse=False
):
    def check():
        clf = _fitted(target, hidden, dtype=dtype)
        X, y, sample_weight = _batch(target, n_samples=6)
        X = X.astype(dtype)
        if as_sparse:
            X = sparse.csr_matrix(np.where(np.abs(X) < 0.5, 0.0, X))
        return check_gradients(clf, X, y, sample_weight if weighted else None)

    return check


def _check_two_hidden_layers_assigned():
    clf, _, _ = _assigned((5, 3), learning_rate=0.5)
    X, y, _ = _batch(n_samples=6)
    return check_gradients(clf, X, y)


CHECK_CASES = {
    "article network": (_check_article, ["ItoH", "HtoO"]),
    "two hidden layers with biases": (
        _check_two_hidden_layers_assigned,
        ["ItoH1", "H1toH2", "H2toO"],
    ),
    "fitted, two hidden layers": (
        _check_fitted(hidden=(5, 3)),
        ["ItoH1", "H1toH2", "H2toO"],
    ),
    "multi-class": (_check_fitted(target=3), ["ItoH", "HtoO"]),
    "multilabel": (
        _check_fitted(target="multilabel", hidden=(6, 4)),
        ["ItoH1", "H1toH2", "H2toO"],
    ),
    "sample weights": (_check_fitted(weighted=True), ["ItoH", "HtoO"]),
    "float32-fitted": (_check_fitted(dtype=np.float32), ["ItoH", "HtoO"]),
    "sparse X": (_check_fitted(as_sparse=True), ["ItoH", "HtoO"]),
}


@pytest.mark.parametrize("case", CHECK_CASES.values(), ids=CHECK_CASES)
def test_gradient_check_agrees_with_backpropagation(case):
    make, names = case
    check = make()
    assert isinstance(check, GradientCheck)
    assert check.names == names
    assert list(check.relative_error) == names
    assert check.max_relative_error < 1e-7, check.relative_error
    assert check.max_relative_error == max(check.relative_error.values())


def test_gradient_check_compares_every_weight_and_bias():
    clf = _fitted(hidden=(5, 3))
    X, y, _ = _batch(n_samples=6)
    check = check_gradients(clf, X, y)
    shapes = [(4 + 1, 5), (5 + 1, 3), (3 + 1, 1)]  # the biases as a last row
    assert [bp.shape for bp in check.backprop] == shapes
    assert [fd.shape for fd in check.numerical] == shapes
    for bp, fd in zip(check.backprop, check.numerical):
        assert_allclose(bp, fd, rtol=1e-5, atol=1e-10)


def test_gradient_check_backprop_is_the_traces_gradient():
    clf = _fitted(hidden=(5, 3))
    X, y, sample_weight = _batch(n_samples=6)
    check = check_gradients(clf, X, y, sample_weight)
    trace = clf.explain_step(X, y, sample_weight)
    for bp, w in zip(check.backprop, trace.weights):
        assert_array_equal(bp, np.vstack([w.gradient, w.intercept_gradient]))


def test_printed_gradient_check_has_one_line_per_matrix():
    clf = _fitted(hidden=(5, 3))
    X, y, _ = _batch(n_samples=6)
    check = check_gradients(clf, X, y)
    lines = str(check).splitlines()
    for name in check.names:
        matching = [line for line in lines if re.search(rf"^\s*{name}\b", line)]
        assert len(matching) == 1, name
        assert f"{check.relative_error[name]:.2e}" in matching[0]


def test_gradient_check_finds_a_planted_sign_error(monkeypatch):
    clf = _fitted(hidden=(5,))
    X, y, _ = _batch(n_samples=6)
    derivative = sk_mlpbp._network.inplace_logistic_derivative

    def negated(S_postA, delta):
        derivative(S_postA, delta)
        np.negative(delta, out=delta)

    # The backward pass multiplies a hidden layer's S_ERROR by minus f_A'.
    monkeypatch.setattr(sk_mlpbp._network, "inplace_logistic_derivative", negated)
    check = check_gradients(clf, X, y)
    assert check.relative_error["ItoH"] > 0.1
    assert check.relative_error["HtoO"] < 1e-7


def test_gradient_check_leaves_the_estimator_unchanged():
    clf = _fitted(hidden=(5, 3), momentum=0.9)
    X, y, sample_weight = _batch(n_samples=6)
    before = copy.deepcopy(vars(clf))
    check_gradients(clf, X, y, sample_weight)
    _assert_same(before, vars(clf))


@pytest.mark.parametrize("epsilon", [0, -1e-6, 1, 2.5, float("nan"), "1e-6"])
def test_gradient_check_refuses_epsilon_outside_0_1(epsilon):
    clf = _fitted()
    X, y, _ = _batch()
    with pytest.raises(ValueError, match="epsilon must be a number in"):
        check_gradients(clf, X, y, epsilon=epsilon)
