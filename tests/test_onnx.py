"""ONNX export: ONNX Runtime predicts what the estimators predict.

Every kind of estimator (two classes, several, multilabel; integer, string, float
and boolean classes; any depth, with and without biases; the regressor's outputs
and target scalings; one or several outputs) is converted by ``sk_mlpbp.to_onnx``
and run by ONNX Runtime: its labels equal ``predict``, and its probabilities or
values equal ``predict_proba`` or ``predict`` to 1e-5 relative in float32 and
1e-10 in float64. The graph is checked node by node. Skipped without the onnx
extra (skl2onnx, onnx, onnxruntime).
"""

import doctest
import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, TransformerMixin, is_classifier
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import sk_mlpbp
from sk_mlpbp import MLPBackpropClassifier, MLPBackpropRegressor, to_onnx
from sk_mlpbp import _onnx as onnx_export

onnx = pytest.importorskip("onnx")
onnxruntime = pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

#: Relative tolerance of ONNX Runtime's values against the estimator's, by dtype.
RTOL = {np.float32: 1e-5, np.float64: 1e-10}

X = np.random.RandomState(0).normal(size=(40, 4))

#: Class labels by kind: two classes, three, and an indicator matrix of three labels.
LABELS = {
    "two ints": np.array([-1, 5])[(X[:, 0] > 0).astype(int)],
    "two strings": np.array(["no", "sí"])[(X[:, 0] > 0).astype(int)],
    "two strings of dtype object": np.array(["no", "yes"], dtype=object)[
        (X[:, 0] > 0).astype(int)
    ],
    "booleans": X[:, 0] > 0,
    "three ints": np.array([10, 20, 30])[np.argmax(X[:, :3], axis=1)],
    "three strings": np.array(["a", "b", "c"])[np.argmax(X[:, :3], axis=1)],
    "three integral floats": np.array([1.0, 2.0, 3.0])[np.argmax(X[:, :3], axis=1)],
    "multilabel": (X[:, :3] > 0).astype(int),
}

#: Hidden layers and use_bias.
NETWORKS = {
    "one hidden layer": ((4,), True),
    "three hidden layers": ((5, 4, 3), True),
    "no biases": ((4, 3), False),
}

DTYPES = [np.float32, np.float64]


def _session(onnx_model):
    return onnxruntime.InferenceSession(
        onnx_model.SerializeToString(), providers=["CPUExecutionProvider"]
    )


def _run(model, X, **kwargs):
    """Convert ``model`` with ``X``'s type and run it on ``X``; return its outputs."""
    session = _session(to_onnx(model, X[:1], **kwargs))
    return session.run(None, {"X": X})


def _classifier(labels, network="one hidden layer", dtype=np.float64):
    hidden, use_bias = NETWORKS[network]
    clf = MLPBackpropClassifier(hidden, use_bias=use_bias, max_iter=20, random_state=0)
    return clf.fit(X.astype(dtype), LABELS[labels])


def _regressor_targets(n_outputs):
    # In (0.1, 0.9): logistic outputs without target scaling must fit in (0, 1).
    y = 0.5 + 0.4 * np.tanh(X[:, :n_outputs] - X[:, 3:4])
    return y[:, 0] if n_outputs == 1 else y


def _assert_close(actual, expected, dtype):
    assert actual.dtype == dtype
    assert_allclose(actual, expected, rtol=RTOL[dtype], atol=0)


def _layer_ops(model, activate_output):
    """Return the nodes of the layers: MatMul, Add (biases), Sigmoid (logistic)."""
    ops = []
    for i in range(len(model.intercepts_)):
        ops.append("MatMul")
        if model.use_bias:
            ops.append("Add")
        if i < len(model.intercepts_) - 1 or activate_output:
            ops.append("Sigmoid")
    return ops


#: What may follow the output layer, by output kind (with zipmap=False): the
#: probabilities and the index of the largest one, then that class's label.
POST_PROCESSING = {
    "two classes": ["Sub", "Concat", "ArgMax", "Gather"],  # [1 - a, a]
    "several classes": ["ReduceSum", "Div", "ArgMax", "Gather"],  # a / sum a
    "multilabel": ["Greater", "Cast"],  # a > 0.5, as int64
}


def _output_kind(clf):
    if clf._multilabel:
        return "multilabel"
    return "two classes" if clf.classes_.shape[0] == 2 else "several classes"


# ----------------------------------------------------------------------------------
# The classifier


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("labels", LABELS)
def test_the_classifier_predicts_as_onnx_runtime_does(labels, network, dtype):
    clf = _classifier(labels, network, dtype)
    Xd = X.astype(dtype)
    label, probabilities = _run(clf, Xd, options={"zipmap": False})
    assert_array_equal(label, clf.predict(Xd))
    assert label.dtype == (object if clf.classes_.dtype.kind in "OU" else np.int64)
    _assert_close(probabilities, clf.predict_proba(Xd), dtype)


@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("labels", ["two ints", "three strings", "multilabel"])
def test_the_classifier_graph_is_its_layers_then_its_outputs(labels, network):
    # Exactly these nodes, in this order: nothing else on the way from X to the
    # outputs (X is float64, the graph's type: no Cast of the input).
    clf = _classifier(labels, network)
    graph = to_onnx(clf, X[:1], options={"zipmap": False}).graph
    expected = _layer_ops(clf, True) + POST_PROCESSING[_output_kind(clf)]
    assert [node.op_type for node in graph.node] == expected
    assert [output.name for output in graph.output] == ["label", "probabilities"]


def test_use_bias_false_has_no_add():
    clf = _classifier("three ints", "no biases")
    ops = [node.op_type for node in to_onnx(clf, X[:1]).graph.node]
    assert ops.count("MatMul") == 3
    assert "Add" not in ops


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize(
    ("labels", "keys"),
    [
        ("two strings", ["no", "sí"]),
        ("three ints", [10, 20, 30]),
        ("booleans", [0, 1]),
    ],
)
def test_zipmap_maps_each_class_to_its_probability(labels, keys, dtype):
    # ZipMap is skl2onnx's default; it takes float32 probabilities, so those of a
    # float64 graph are cast to float32 for it (the labels are taken before).
    clf = _classifier(labels, dtype=dtype)
    Xd = X.astype(dtype)
    onnx_model = to_onnx(clf, Xd[:1])
    label, maps = _session(onnx_model).run(None, {"X": Xd})
    assert_array_equal(label, clf.predict(Xd))
    assert [list(row) for row in maps] == [keys] * X.shape[0]
    # Beside the nodes of zipmap=False: ZipMap, skl2onnx's copy of the labels
    # (Identity for strings, Cast for integers) and, in float64, the Cast of the
    # probabilities to float32.
    extra = ["ZipMap", "Identity" if isinstance(keys[0], str) else "Cast"]
    if dtype == np.float64:
        extra.append("Cast")
    expected = _layer_ops(clf, True) + POST_PROCESSING[_output_kind(clf)] + extra
    assert sorted(node.op_type for node in onnx_model.graph.node) == sorted(expected)
    proba = np.array([[row[key] for key in keys] for row in maps])
    assert_allclose(proba, clf.predict_proba(Xd), rtol=RTOL[np.float32], atol=0)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_zipmap_columns_gives_one_output_per_class(dtype):
    clf = _classifier("three strings", dtype=dtype)
    Xd = X.astype(dtype)
    session = _session(to_onnx(clf, Xd[:1], options={"zipmap": "columns"}))
    assert [output.name for output in session.get_outputs()][1:] == ["sa", "sb", "sc"]
    label, *columns = session.run(None, {"X": Xd})
    assert_array_equal(label, clf.predict(Xd))
    _assert_close(np.column_stack(columns), clf.predict_proba(Xd), dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("labels", ["two strings", "three strings"])
def test_equal_outputs_give_the_first_class_as_predict_does(labels, dtype):
    # Output weights and biases of 0: every output unit is exactly 0.5, so a = 0.5
    # (not above it) for two classes, and a tie of all classes for three.
    clf = _classifier(labels, dtype=dtype)
    clf.coefs_[-1][:] = 0
    clf.intercepts_[-1][:] = 0
    Xd = X.astype(dtype)
    label, probabilities = _run(clf, Xd, options={"zipmap": False})
    assert_array_equal(clf.predict(Xd), clf.classes_[0])
    assert_array_equal(label, clf.predict(Xd))
    _assert_close(probabilities, clf.predict_proba(Xd), dtype)


@pytest.mark.parametrize("labels", ["two strings", "three strings"])
def test_nocl_labels_are_class_indices(labels):
    clf = _classifier(labels)
    label, _ = _run(clf, X, options={"zipmap": False, "nocl": True})
    assert label.dtype == np.int64
    assert_array_equal(label, np.searchsorted(clf.classes_, clf.predict(X)))


def test_a_multilabel_classifier_has_no_zipmap():
    clf = _classifier("multilabel", dtype=np.float32)
    X32 = X.astype(np.float32)
    label, probabilities = _run(clf, X32)  # zipmap not given: none
    assert label.shape == (X.shape[0], 3)
    assert_array_equal(label, clf.predict(X32))
    _assert_close(probabilities, clf.predict_proba(X32), np.float32)
    with pytest.raises(ValueError, match="multilabel.*zipmap=False"):
        to_onnx(clf, X32[:1], options={"zipmap": True})


def test_opsets_before_13_sum_the_outputs_with_an_attribute():
    # ReduceSum takes its axes as an attribute before opset 13, as an input after.
    clf = _classifier("three ints")
    onnx_model = to_onnx(clf, X[:1], target_opset=12, options={"zipmap": False})
    (reduce_sum,) = [n for n in onnx_model.graph.node if n.op_type == "ReduceSum"]
    assert [attribute.name for attribute in reduce_sum.attribute] == ["axes"]
    label, probabilities = _session(onnx_model).run(None, {"X": X})
    assert_array_equal(label, clf.predict(X))
    _assert_close(probabilities, clf.predict_proba(X), np.float64)


# ----------------------------------------------------------------------------------
# The regressor


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("n_outputs", [1, 2])
@pytest.mark.parametrize("scale_target", [True, False])
@pytest.mark.parametrize("out_activation", ["identity", "logistic"])
@pytest.mark.parametrize("network", ["one hidden layer", "no biases"])
def test_the_regressor_predicts_as_onnx_runtime_does(
    network, out_activation, scale_target, n_outputs, dtype
):
    hidden, use_bias = NETWORKS[network]
    reg = MLPBackpropRegressor(
        hidden,
        use_bias=use_bias,
        out_activation=out_activation,
        scale_target=scale_target,
        max_iter=20,
        random_state=0,
    )
    Xd = X.astype(dtype)
    reg.fit(Xd, _regressor_targets(n_outputs))
    onnx_model = to_onnx(reg, Xd[:1])
    (y,) = _session(onnx_model).run(None, {"X": Xd})
    # One column or several, the ONNX output is (N, n_outputs), as skl2onnx's
    # regressors' are.
    assert y.shape == (X.shape[0], n_outputs)
    _assert_close(y, reg.predict(Xd).reshape(X.shape[0], -1), dtype)
    # The layers (identity output units add no node: skl2onnx removes Identity
    # nodes), then the target scaling.
    scaling = ["Mul", "Add"] if scale_target else []
    expected = _layer_ops(reg, out_activation == "logistic") + scaling
    assert [node.op_type for node in onnx_model.graph.node] == expected


# ----------------------------------------------------------------------------------
# Pipelines, and skl2onnx's own functions


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize(
    "estimator",
    [
        MLPBackpropClassifier((4,), max_iter=20, random_state=0),
        MLPBackpropRegressor((4,), max_iter=20, random_state=0),
    ],
    ids=["classifier", "regressor"],
)
def test_a_standard_scaler_pipeline_converts(estimator, dtype):
    Xd = (10 * X + 3).astype(dtype)
    model = make_pipeline(StandardScaler(), estimator)
    if is_classifier(estimator):
        model.fit(Xd, LABELS["three strings"])
        label, probabilities = _run(model, Xd, options={"zipmap": False})
        assert_array_equal(label, model.predict(Xd))
        _assert_close(probabilities, model.predict_proba(Xd), dtype)
    else:
        model.fit(Xd, _regressor_targets(2))
        (y,) = _run(model, Xd)
        _assert_close(y, model.predict(Xd), dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_a_column_transformer_pipeline_converts(dtype):
    # A DataFrame: one ONNX input per column, each of shape (N, 1).
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "colour": np.array(["red", "green", "blue"])[np.arange(40) % 3],
            "x1": X[:, 0].astype(dtype),
            "x2": 5 * X[:, 1].astype(dtype),
        }
    )
    preprocess = ColumnTransformer(
        [("cat", OneHotEncoder(), ["colour"]), ("num", StandardScaler(), ["x1", "x2"])]
    )
    model = make_pipeline(
        preprocess, MLPBackpropClassifier((4,), max_iter=20, random_state=0)
    ).fit(frame, LABELS["three ints"])
    session = _session(to_onnx(model, frame[:1], options={"zipmap": False}))
    inputs = {name: frame[name].to_numpy().reshape(-1, 1) for name in frame.columns}
    label, probabilities = session.run(None, inputs)
    assert_array_equal(label, model.predict(frame))
    _assert_close(probabilities, model.predict_proba(frame), dtype)


def test_skl2onnx_converts_a_pipeline_once_registered():
    onnx_export.register()
    onnx_export.register()  # again: nothing changes
    model = make_pipeline(
        StandardScaler(), MLPBackpropClassifier((4,), max_iter=20, random_state=0)
    ).fit(X, LABELS["three strings"])
    clf = model[-1]
    onnx_model = skl2onnx.to_onnx(model, X[:1], options={id(clf): {"zipmap": False}})
    label, probabilities = _session(onnx_model).run(None, {"X": X})
    assert_array_equal(label, model.predict(X))
    _assert_close(probabilities, model.predict_proba(X), np.float64)


# ----------------------------------------------------------------------------------
# Precision: the input's type decides the graph's


def test_a_float64_model_converted_for_float32_inputs_computes_in_float32():
    clf = _classifier("three ints", dtype=np.float64)
    X32 = X.astype(np.float32)
    onnx_model = to_onnx(clf, X32[:1], options={"zipmap": False})
    weights = [i for i in onnx_model.graph.initializer if i.name.startswith("coefs_")]
    assert {w.data_type for w in weights} == {onnx.TensorProto.FLOAT}
    label, probabilities = _session(onnx_model).run(None, {"X": X32})
    assert_array_equal(label, clf.predict(X32))
    _assert_close(probabilities, clf.predict_proba(X32).astype(np.float32), np.float32)


def test_a_float32_model_converted_for_float64_inputs_computes_as_predict():
    clf = _classifier("three ints", dtype=np.float32)
    label, probabilities = _run(clf, X, options={"zipmap": False})
    assert_array_equal(label, clf.predict(X))
    _assert_close(probabilities, clf.predict_proba(X), np.float64)


def test_integer_inputs_are_cast_to_float():
    clf = _classifier("three ints")
    X_int = np.round(3 * X).astype(np.int64)
    onnx_model = to_onnx(clf, X_int[:1], options={"zipmap": False})
    assert onnx_model.graph.node[0].op_type == "Cast"
    label, probabilities = _session(onnx_model).run(None, {"X": X_int})
    _assert_close(
        probabilities, clf.predict_proba(X_int).astype(np.float32), np.float32
    )


# ----------------------------------------------------------------------------------
# What cannot be converted


@pytest.mark.parametrize(
    "estimator", [MLPBackpropClassifier(), MLPBackpropRegressor()], ids=["clf", "reg"]
)
def test_an_unfitted_estimator_is_not_fitted(estimator):
    with pytest.raises(NotFittedError):
        to_onnx(estimator, X[:1])
    onnx_export.register()
    with pytest.raises(NotFittedError):  # skl2onnx's own function: the same
        skl2onnx.to_onnx(make_pipeline(StandardScaler().fit(X), estimator), X[:1])


def test_classes_beyond_int64_cannot_be_labels():
    classes = np.array([2**63, 2**63 + 1], dtype=np.uint64)
    clf = MLPBackpropClassifier((3,), max_iter=5, random_state=0)
    clf.fit(X, classes[(X[:, 0] > 0).astype(int)])
    with pytest.raises(ValueError, match=r"classes \[9223372036854775808, .*int64"):
        to_onnx(clf, X[:1], options={"zipmap": False})


@pytest.mark.parametrize(
    ("labels", "options", "message"),
    [
        ("three ints", {"zipmap": "yes"}, "takes \\[True, False, 'columns'\\]"),
        ("three ints", {"raw_scores": True}, "takes no ONNX option 'raw_scores'"),
    ],
)
def test_options_the_classifier_does_not_take_raise(labels, options, message):
    with pytest.raises(ValueError, match=message):
        to_onnx(_classifier(labels), X[:1], options=options)


def test_the_regressor_takes_no_option():
    reg = MLPBackpropRegressor((3,), max_iter=5, random_state=0).fit(X, X[:, 0])
    with pytest.raises(
        ValueError, match="takes no ONNX option 'zipmap'; it takes none"
    ):
        to_onnx(reg, X[:1], options={"zipmap": False})


class _Doubler(TransformerMixin, BaseEstimator):
    """A transformer skl2onnx has no converter for."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return 2 * X


def test_a_step_skl2onnx_cannot_convert_raises_a_value_error():
    model = make_pipeline(
        _Doubler(), MLPBackpropRegressor((3,), max_iter=5, random_state=0)
    ).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="skl2onnx cannot convert this model"):
        to_onnx(model, X[:1])


def test_without_the_extra_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "skl2onnx", None)
    with pytest.raises(ModuleNotFoundError, match=r'pip install "\.\[onnx\]"'):
        to_onnx(_classifier("two ints"), X[:1])


def test_importing_sk_mlpbp_does_not_import_skl2onnx():
    code = (
        "import sys, sk_mlpbp; "
        "assert not {'skl2onnx', 'onnx', 'onnxruntime'} & set(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_example_of_to_onnx_runs():
    # Its lines that need the extra are skipped by the doctests of sk_mlpbp (which
    # run without it); here they run.
    test = doctest.DocTestParser().get_doctest(
        sk_mlpbp.to_onnx.__doc__, {}, "to_onnx", None, 0
    )
    for example in test.examples:
        example.options.pop(doctest.SKIP, None)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0
    assert runner.tries == len(test.examples)
