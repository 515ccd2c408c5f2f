"""Export to ONNX: skl2onnx converters for the classifier and the regressor.

:func:`register` gives skl2onnx a parser (the classifier's), a shape calculator and
a converter for :class:`~sk_mlpbp.MLPBackpropClassifier` and
:class:`~sk_mlpbp.MLPBackpropRegressor`, so that ``skl2onnx.to_onnx`` converts them
alone or as the last step of a pipeline of scikit-learn transformers;
:func:`to_onnx` registers and converts in one call.

The graph computes what ``predict`` computes. Each layer is one ``MatMul`` by its
weights (``coefs_[i]``), one ``Add`` of its biases (none when they are all zero, as
with ``use_bias=False``) and one ``Sigmoid`` for logistic units; identity output
units add no node (skl2onnx removes Identity nodes from the graphs it writes).
What follows the output layer:

- classifier, two classes (one output unit ``a``): probabilities
  ``Concat(Sub(1, a), a)``, labels ``Gather(classes_, ArgMax(probabilities))``
  (``ArgMax`` takes the first of equal values, so ``a = 0.5`` gives ``classes_[0]``
  as ``a > 0.5`` does);
- classifier, several classes: probabilities ``Div(a, ReduceSum(a))``, labels as
  for two classes;
- classifier, multilabel: probabilities ``a``, labels ``Cast(Greater(a, 0.5))``,
  int64 of shape (N, n_labels);
- regressor: ``Add(Mul(S_postA,O, target_scale_), target_offset_)`` (each left out
  when it changes nothing), of shape (N, n_outputs) even for one output.

skl2onnx may add its ``ZipMap`` to a classifier's probabilities (its default, see
:func:`to_onnx`), and a ``Cast`` before the first layer when the input is neither
float nor double. Nothing here imports skl2onnx until it is called.
"""

import numpy as np

from sk_mlpbp._mlp import MLPBackpropClassifier, MLPBackpropRegressor

#: The install command of the onnx extra, from a clone of sk_mlpbp.
INSTALL_HINT = 'pip install ".[onnx]"'

#: The names the converters are registered under in skl2onnx.
CLASSIFIER_ALIAS = "SkMlpbpMLPBackpropClassifier"
REGRESSOR_ALIAS = "SkMlpbpMLPBackpropRegressor"

#: The options each estimator's converter takes, with their allowed values.
CLASSIFIER_OPTIONS = {"zipmap": [True, False, "columns"], "nocl": [True, False]}
REGRESSOR_OPTIONS = {}

_registered = False


def _skl2onnx():
    """Import skl2onnx, or explain how to install it."""
    try:
        import onnx  # noqa: F401
        import skl2onnx
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            f"Exporting to ONNX needs the onnx extra (skl2onnx, onnx and "
            f"onnxruntime), and {error.name} is not installed: run {INSTALL_HINT} in "
            "the sk_mlpbp checkout."
        ) from error
    return skl2onnx


def register():
    """Register the converters of both estimators with skl2onnx.

    After this call, ``skl2onnx.to_onnx`` converts the estimators alone and in
    pipelines. Calling it again changes nothing.

    Raises
    ------
    ModuleNotFoundError
        When skl2onnx or onnx is not installed.
    """
    global _registered
    if _registered:
        return
    skl2onnx = _skl2onnx()
    skl2onnx.update_registered_converter(
        MLPBackpropClassifier,
        CLASSIFIER_ALIAS,
        _classifier_shapes,
        _convert_classifier,
        parser=_parse_classifier,
        options=CLASSIFIER_OPTIONS,
    )
    skl2onnx.update_registered_converter(
        MLPBackpropRegressor,
        REGRESSOR_ALIAS,
        _regressor_shapes,
        _convert_regressor,
    )
    _registered = True


def to_onnx(model, X_sample, target_opset=None, *, options=None):
    """Convert a fitted estimator, or a pipeline ending in one, to ONNX.

    Registers the converters with skl2onnx (see below) and calls
    ``skl2onnx.to_onnx``. The ONNX model computes what ``predict`` and
    ``predict_proba`` compute, in the input's precision.

    Parameters
    ----------
    model : estimator
        A fitted :class:`~sk_mlpbp.MLPBackpropClassifier` or
        :class:`~sk_mlpbp.MLPBackpropRegressor`, or a pipeline (or any model
        skl2onnx converts) that contains one, with scikit-learn transformers
        before it.

    X_sample : ndarray or DataFrame
        Inputs like the ones the model will get; only their types are read (one
        row is enough). A float32 array makes a float graph (input type
        ``FloatTensorType``), a float64 array a double graph (``DoubleTensorType``);
        a DataFrame gives one input per column, named after it.

    target_opset : int, default=None
        The ONNX opset to convert to; None for the newest that the installed
        skl2onnx and onnx support.

    options : dict, default=None
        Options for the model's final estimator (the model itself, or the last
        step of a pipeline). The classifier takes ``"zipmap"`` (True: skl2onnx's
        default, probabilities as a list of ``{class: probability}``; False: a
        tensor of shape (N, n_classes); ``"columns"``: one output per class) and
        ``"nocl"`` (True: labels are class indices, int64, rather than
        ``classes_``). The regressor takes none.

    Returns
    -------
    onnx_model : onnx.ModelProto
        The converted model; its input is named ``X`` when ``X_sample`` is an
        array. A classifier outputs its labels (``label``, of shape (N,), or
        (N, n_labels) int64 for a multilabel classifier) and its probabilities
        (``probabilities``, or ``output_label`` and ``output_probability`` with
        ZipMap); a regressor ``variable``, of shape (N, n_outputs).

    Raises
    ------
    ModuleNotFoundError
        When skl2onnx or onnx is not installed (install the onnx extra).
    ValueError
        For what cannot be converted: an unfitted estimator (scikit-learn's
        ``NotFittedError``, a ValueError), class labels that are neither integers
        nor strings (ONNX labels are int64 or strings), ZipMap asked for on a
        multilabel classifier, options the final estimator does not take, or a
        step that skl2onnx has no converter for.

    Notes
    -----
    The labels are ``classes_`` as ONNX holds them: int64 for integer, boolean
    (0 and 1) and integral float classes, strings for string classes.

    A float64 model converted with float32 inputs computes in float32, its weights
    rounded to float32; ``predict`` of float32 inputs computes in float64 with such
    a model, so the two agree to float32 precision. A float32 model converted with
    float64 inputs computes exactly as ``predict`` does, in float64.

    ONNX's ``ZipMap`` takes float32 probabilities only: with it (skl2onnx's
    default), a double graph's probabilities are cast to float32 after the labels
    are taken from them; ``zipmap=False`` keeps them in float64. A multilabel
    classifier has no ZipMap.

    Where a classifier of three or more classes has outputs so small that their
    sum is below ``sqrt(tiny)`` of the dtype (about 1e-19 in float32, 1e-154 in
    float64), ``predict_proba`` switches to the softmax of their logarithms; the
    ONNX model does not, and its probabilities of such rows lose precision, or are
    NaN where every output underflowed to 0. ``predict`` refuses NaN and infinite
    inputs; the ONNX model propagates them.

    After a first call, ``skl2onnx.to_onnx`` and ``skl2onnx.convert_sklearn``
    convert the estimators too (with skl2onnx's own options, by estimator id or
    class).

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime  # doctest: +SKIP
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sk_mlpbp import MLPBackpropClassifier, make_article_data, to_onnx
    >>> X, y = make_article_data(199, random_state=0)
    >>> X = X.astype(np.float32)
    >>> clf = MLPBackpropClassifier((4,), random_state=0)
    >>> model = make_pipeline(StandardScaler(), clf).fit(X, y)
    >>> onnx_model = to_onnx(model, X[:1], options={"zipmap": False})  # doctest: +SKIP
    >>> session = onnxruntime.InferenceSession(
    ...     onnx_model.SerializeToString(), providers=["CPUExecutionProvider"]
    ... )  # doctest: +SKIP
    >>> labels, probabilities = session.run(None, {"X": X})  # doctest: +SKIP
    >>> bool((labels == model.predict(X)).all())  # doctest: +SKIP
    True
    """
    skl2onnx = _skl2onnx()
    from skl2onnx.common.exceptions import MissingConverter, MissingShapeCalculator
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    register()
    check_is_fitted(model)
    if not hasattr(X_sample, "dtype") and not hasattr(X_sample, "dtypes"):
        X_sample = np.asarray(X_sample)
    final = model[-1] if isinstance(model, Pipeline) else model
    if options:
        _check_options(final, options)
    try:
        return skl2onnx.to_onnx(
            model,
            X_sample,
            target_opset=target_opset,
            options={id(final): dict(options)} if options else None,
        )
    except (MissingConverter, MissingShapeCalculator) as error:
        raise ValueError(f"skl2onnx cannot convert this model: {error}") from error


def _check_options(estimator, options):
    """Refuse options that the converter of ``estimator`` does not take."""
    allowed = {
        MLPBackpropClassifier: CLASSIFIER_OPTIONS,
        MLPBackpropRegressor: REGRESSOR_OPTIONS,
    }.get(type(estimator))
    if allowed is None:  # another estimator's options: skl2onnx checks them
        return
    for name, value in options.items():
        if name not in allowed:
            raise ValueError(
                f"{type(estimator).__name__} takes no ONNX option {name!r}; it takes "
                f"{sorted(allowed) or 'none'}."
            )
        if value not in allowed[name]:
            raise ValueError(
                f"The ONNX option {name!r} of {type(estimator).__name__} takes "
                f"{allowed[name]}; got {value!r}."
            )


# ----------------------------------------------------------------------------------
# Parser and shape calculators


def _check_fitted(model):
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model, list(model._fitted_attributes))


def _is_double(variable):
    from skl2onnx.common.data_types import DoubleTensorType

    return isinstance(variable.type, DoubleTensorType)


def _parse_classifier(scope, model, inputs, custom_parsers=None):
    """Declare the classifier's outputs: labels and probabilities, ZipMap or not.

    skl2onnx's own classifier parser, which adds ZipMap unless ``zipmap=False``;
    ZipMap maps one class to one probability, so a multilabel classifier has none.
    """
    from skl2onnx._parse import _parse_sklearn_classifier, _parse_sklearn_simple_model

    _check_fitted(model)
    _onnx_labels(model, _label_classes(scope, model))  # refuses unusable classes
    if not model._multilabel:
        return _parse_sklearn_classifier(
            scope, model, inputs, custom_parsers=custom_parsers
        )
    if scope.get_options(model, {}).get("zipmap"):  # given, and not False
        raise ValueError(
            "ZipMap maps each class to its probability, but a multilabel "
            "MLPBackpropClassifier outputs one probability per label: convert it "
            "without the option zipmap, or with zipmap=False."
        )
    return _parse_sklearn_simple_model(
        scope, model, inputs, custom_parsers=custom_parsers
    )


def _zipmapped(scope, model):
    """Whether ONNX's ZipMap takes the probabilities (which must then be float32).

    It does with the option zipmap=True, skl2onnx's default; "columns" slices them
    instead.
    """
    if model._multilabel:
        return False
    return scope.get_options(model, {"zipmap": True})["zipmap"] is True


def _output_type(operator):
    """Return the tensor type the network computes in, from the operator's input.

    As for skl2onnx's own MLP converter: double for double inputs, float otherwise.
    """
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    return DoubleTensorType if _is_double(operator.inputs[0]) else FloatTensorType


def _check_operator(operator, n_outputs):
    from skl2onnx.common.data_types import (
        BooleanTensorType,
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
    )
    from skl2onnx.common.utils import (
        check_input_and_output_numbers,
        check_input_and_output_types,
    )

    check_input_and_output_numbers(
        operator, input_count_range=1, output_count_range=n_outputs
    )
    check_input_and_output_types(
        operator,
        good_input_types=[
            FloatTensorType,
            DoubleTensorType,
            Int64TensorType,
            BooleanTensorType,
        ],
    )


def _classifier_shapes(operator):
    """Set the classifier's output types: labels, then probabilities."""
    from skl2onnx.common.data_types import (
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )

    _check_operator(operator, 2)
    model = operator.raw_operator
    N = operator.inputs[0].get_first_dimension()
    n_classes = model.classes_.shape[0]
    labels = _onnx_labels(model, _label_classes(operator.scope_inst, model))
    if model._multilabel:
        label_type = Int64TensorType([N, n_classes])
    elif labels.dtype.kind == "U":
        label_type = StringTensorType([N])
    else:
        label_type = Int64TensorType([N])
    operator.outputs[0].type = label_type
    # ZipMap takes float32 probabilities only: a double graph's are cast for it.
    if _zipmapped(operator.scope_inst, model):
        proba_type = FloatTensorType
    else:
        proba_type = _output_type(operator)
    operator.outputs[1].type = proba_type([N, n_classes])


def _regressor_shapes(operator):
    """Set the regressor's output type: (N, n_outputs), one column or more."""
    _check_operator(operator, 1)
    model = operator.raw_operator
    _check_fitted(model)
    N = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = _output_type(operator)([N, model.n_outputs_])


def _label_classes(scope, model):
    """Return ``classes_``, or their indices with the option ``nocl``."""
    from skl2onnx.common.utils_classifier import get_label_classes

    return get_label_classes(scope, model)


def _onnx_labels(model, classes):
    """Return the class labels as ONNX holds them: int64, or strings.

    Integers and booleans become int64, floats too (scikit-learn takes only
    integral ones as classes); strings stay strings. Anything else (integers
    beyond int64) raises a ValueError.
    """
    if classes.dtype == object and all(isinstance(c, str) for c in classes):
        classes = classes.astype(str)
    if classes.dtype.kind == "U":
        return classes
    if classes.dtype.kind in "biuf":
        labels = classes.astype(np.int64)
        if np.array_equal(labels, classes):
            return labels
    raise ValueError(
        f"{type(model).__name__} has classes {classes.tolist()!r}: ONNX class labels "
        "are int64 or strings, so only integer (or integral float, or boolean) and "
        "string classes can be converted."
    )


# ----------------------------------------------------------------------------------
# Converters


def _constant(scope, container, name, proto_type, values):
    """Add ``values`` (an array) as an initializer of type ``proto_type``."""
    unique = scope.get_unique_variable_name(name)
    values = np.asarray(values)
    container.add_initializer(unique, proto_type, list(values.shape), values.ravel())
    return unique


def _node(scope, container, op_type, inputs, hint=None, output=None, **attributes):
    """Add one node of the main domain; return the name of its output.

    The output is ``output`` (one of the operator's outputs) when given, else a new
    variable named after ``hint``.
    """
    output = output or scope.get_unique_variable_name(hint)
    container.add_node(
        op_type,
        inputs,
        output,
        name=scope.get_unique_operator_name(op_type),
        **attributes,
    )
    return output


def _graph_type(operator):
    """Return the ONNX and NumPy types the graph computes in (see _output_type)."""
    from onnx import TensorProto

    if _is_double(operator.inputs[0]):
        return TensorProto.DOUBLE, np.float64
    return TensorProto.FLOAT, np.float32


def _layers(model):
    """Return the steps of the forward pass, for :func:`_chain`.

    Layer by layer ``S_preA = S_postA(below) @ W + b`` and ``S_postA = f_A(S_preA)``
    with f_A the logistic function, as :func:`sk_mlpbp._network.forward` computes
    them: a MatMul, an Add unless the biases are all zero (``use_bias=False``), and
    a Sigmoid unless the layer is an identity output layer.
    """
    steps = []
    last = len(model.coefs_) - 1
    for i, (W, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        steps.append(("MatMul", W, f"coefs_{i}", f"S_preA_{i}"))
        if np.any(b):
            steps.append(("Add", b, f"intercepts_{i}", f"S_preA_{i}"))
        # f_A is the logistic; the regressor's identity output units need no node
        # (skl2onnx would remove an Identity node when it optimises the graph).
        if i < last or model._activates_output():
            steps.append(("Sigmoid", None, None, f"S_postA_{i}"))
    return steps


def _chain(scope, container, operator, steps, output=None):
    """Add ``steps`` applied in turn to the operator's input; return the result.

    Each step ``(op_type, values, values_name, hint)`` is a node of the main domain
    whose inputs are the result so far and, unless ``values`` is None, ``values``
    as a constant of the graph's type named after ``values_name``; its result is
    named after ``hint``. The input is cast to the graph's type first when it is
    of another, and the last step writes ``output`` when given.
    """
    proto_type, dtype = _graph_type(operator)
    result = operator.inputs[0].full_name
    if not isinstance(operator.inputs[0].type, _output_type(operator)):
        result = _node(scope, container, "Cast", [result], "X", to=proto_type)
    for k, (op_type, values, values_name, hint) in enumerate(steps):
        inputs = [result]
        if values is not None:
            values = np.asarray(values, dtype=dtype)
            inputs.append(_constant(scope, container, values_name, proto_type, values))
        last = k == len(steps) - 1
        result = _node(
            scope, container, op_type, inputs, hint, output=output if last else None
        )
    return result


def _convert_classifier(scope, operator, container):
    """Add the classifier: its layers, probabilities and labels.

    See the module's docstring for the nodes of each kind of classifier.
    """
    from onnx import TensorProto

    model = operator.raw_operator
    label, probabilities = (variable.full_name for variable in operator.outputs)
    proto_type, dtype = _graph_type(operator)
    layers = _layers(model)
    if model._multilabel:  # the probabilities are S_postA,O
        a = _chain(scope, container, operator, layers, output=probabilities)
        half = _constant(scope, container, "half", proto_type, dtype(0.5))
        above = _node(scope, container, "Greater", [a, half], "above_half")
        _node(scope, container, "Cast", [above], output=label, to=TensorProto.INT64)
        return
    a = _chain(scope, container, operator, layers)  # S_postA,O
    # ZipMap takes float32 probabilities: a double graph's are cast for it, after
    # the labels are taken from them.
    cast = proto_type == TensorProto.DOUBLE and _zipmapped(scope, model)
    proba = None if cast else probabilities
    if model.n_outputs_ == 1:  # two classes: [1 - a, a]
        one = _constant(scope, container, "one", proto_type, dtype(1.0))
        one_minus_a = _node(scope, container, "Sub", [one, a], "one_minus_a")
        proba = _node(
            scope, container, "Concat", [one_minus_a, a], "proba", proba, axis=1
        )
    else:  # a_k / sum_j a_j
        if container.target_opset < 13:  # axes became an input in opset 13
            total = _node(scope, container, "ReduceSum", [a], "total", axes=[1])
        else:
            axes = _constant(scope, container, "axes", TensorProto.INT64, [1])
            total = _node(scope, container, "ReduceSum", [a, axes], "total")
        proba = _node(scope, container, "Div", [a, total], "proba", proba)
    if cast:
        _node(
            scope, container, "Cast", [proba], None, probabilities, to=TensorProto.FLOAT
        )
    # The index of the largest probability, the first of equal ones; with the
    # option nocl, that is the label.
    nocl = scope.get_options(model, {"nocl": False})["nocl"]
    index = _node(
        scope,
        container,
        "ArgMax",
        [proba],
        "index",
        output=label if nocl else None,
        axis=1,
        keepdims=0,
    )
    if nocl:
        return
    labels = _onnx_labels(model, _label_classes(scope, model))
    if labels.dtype.kind == "U":  # as UTF-8 bytes, which every onnx release takes
        labels = np.array([name.encode("utf-8") for name in labels], dtype=object)
        classes = _constant(scope, container, "classes", TensorProto.STRING, labels)
    else:
        classes = _constant(scope, container, "classes", TensorProto.INT64, labels)
    _node(scope, container, "Gather", [classes, index], output=label, axis=0)


def _convert_regressor(scope, operator, container):
    """Add the regressor: its layers, then ``S_postA,O * target_scale_ + offset``.

    As predict does, the scaling is in the graph's type, multiplied then added; a
    scale of 1 or an offset of 0 (``scale_target=False``) is left out.
    """
    model = operator.raw_operator
    steps = _layers(model)
    if np.any(model.target_scale_ != 1.0):
        steps.append(("Mul", model.target_scale_[np.newaxis], "target_scale_", "y"))
    if np.any(model.target_offset_ != 0.0):
        steps.append(("Add", model.target_offset_[np.newaxis], "target_offset_", "y"))
    _chain(scope, container, operator, steps, output=operator.outputs[0].full_name)
