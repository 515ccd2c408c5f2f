"""The article's step, shown: the step trace and the gradient check.

:func:`trace_step` takes one training step on a batch with the functions that train
(:func:`sk_mlpbp._network.forward` and :func:`~sk_mlpbp._network.backward`, the
optimizer's epoch) and records what it computed in the article's names: S_preA and
S_postA of every node, the target T, the final error FE, the error E, the error
signal S_ERROR of every non-input node, and per weight matrix the gradient, the LR
and the weights before and after. :func:`check_gradients` compares the
backpropagated gradient with central finite differences of the error.

Layers are named as the article names them: I, H and O for one hidden layer (the
weights ItoH and HtoO); I, H1, ..., Hn and O for deeper networks (the weights from
layer k to layer k + 1, ItoH1, H1toH2, ..., HntoO).
"""

import html
from numbers import Real

import numpy as np
from scipy import sparse

from sk_mlpbp import _network
from sk_mlpbp._epoch import make_epoch
from sk_mlpbp._loss import output_error_signal, sample_errors

#: A layer or matrix wider (or a batch longer) than this shows its first and last
#: ``SHOWN_EDGE`` entries with an ellipsis between.
SHOWN_MAX = 12
SHOWN_EDGE = 5


def layer_names(n_layers):
    """Return the article's names of the layers of a network of ``n_layers``.

    Parameters
    ----------
    n_layers : int
        The number of layers, input and output included (at least 3).

    Returns
    -------
    names : list of str
        ``["I", "H", "O"]`` for one hidden layer, else
        ``["I", "H1", ..., "Hn", "O"]``.
    """
    if n_layers == 3:
        return ["I", "H", "O"]
    return ["I", *(f"H{k}" for k in range(1, n_layers - 1)), "O"]


def weight_names(n_layers):
    """Return the names of the weight matrices: ``ItoH``, ``HtoO``, ``H1toH2``...

    Parameters
    ----------
    n_layers : int
        The number of layers, input and output included.

    Returns
    -------
    names : list of str
        The matrix from layer k to layer k + 1 is named ``f"{k}to{k + 1}"`` with
        the layers' names of :func:`layer_names`.
    """
    names = layer_names(n_layers)
    return [f"{below}to{above}" for below, above in zip(names[:-1], names[1:])]


class LayerTrace:
    """The nodes of one layer in one step.

    Parameters
    ----------
    name : str
        The layer's name (``"I"``, ``"H"``, ``"H1"``, ..., ``"O"``).

    S_preA : ndarray of shape (n_samples, n_units) or None
        The signal entering each node, ``S_postA(below) @ weights + bias``; None for
        the input layer.

    S_postA : ndarray of shape (n_samples, n_units)
        The signal leaving each node, ``f_A(S_preA)``; the inputs for the input
        layer.

    S_ERROR : ndarray of shape (n_samples, n_units) or None
        The article's error signal of each node and sample: ``FE * f_A'(S_preA,O)``
        at the outputs, ``(S_ERROR(above) @ weights.T) * f_A'(S_preA)`` below them
        (no LR and no batch shares folded in); None for the input layer.
    """

    def __init__(self, name, S_preA, S_postA, S_ERROR):
        self.name = name
        self.S_preA = S_preA
        self.S_postA = S_postA
        self.S_ERROR = S_ERROR

    def __repr__(self):
        return f"LayerTrace({self.name!r}, {self.S_postA.shape[1]} nodes)"


class WeightsTrace:
    """One weight matrix (and its layer's biases) in one step.

    Without momentum the step is ``weights_after = weights - LR * (gradient + l2)``
    and ``intercepts_after = intercepts - intercept_LR * intercept_gradient``. With
    momentum each moves by its velocity ``velocity_after = momentum * velocity -
    LR * (gradient + l2)`` (with Nesterov's momentum by ``momentum *
    velocity_after - LR * (gradient + l2)``).

    Parameters
    ----------
    name : str
        ``"ItoH"``, ``"HtoO"``, ``"ItoH1"``, ``"H1toH2"``, ...

    LR : float
        The weights' learning rate in this step.

    weights : ndarray of shape (n_below, n_above)
        The weights before the step.

    gradient : ndarray of shape (n_below, n_above)
        The gradient of the error: the batch's weighted mean of
        ``S_postA(below) * S_ERROR(above)``.

    l2 : ndarray of shape (n_below, n_above) or None
        The L2 penalty's term of the gradient, ``alpha * weights``; None when
        ``alpha`` is 0.

    velocity, velocity_after : ndarray of shape (n_below, n_above) or None
        The momentum velocity before and after the step; None without momentum.

    weights_after : ndarray of shape (n_below, n_above)
        The weights after the step.

    intercept_LR : float or None
        The biases' learning rate (None without biases, ``use_bias=False``).

    intercepts, intercept_gradient, intercept_velocity, \
intercept_velocity_after, intercepts_after : ndarray of shape (n_above,) or None
        The same for the biases (the gradient is the batch's weighted mean of
        S_ERROR(above); no L2 term); None without biases or without momentum.
    """

    def __init__(
        self,
        name,
        LR,
        weights,
        gradient,
        l2,
        velocity,
        velocity_after,
        weights_after,
        intercept_LR,
        intercepts,
        intercept_gradient,
        intercept_velocity,
        intercept_velocity_after,
        intercepts_after,
    ):
        self.name = name
        self.LR = LR
        self.weights = weights
        self.gradient = gradient
        self.l2 = l2
        self.velocity = velocity
        self.velocity_after = velocity_after
        self.weights_after = weights_after
        self.intercept_LR = intercept_LR
        self.intercepts = intercepts
        self.intercept_gradient = intercept_gradient
        self.intercept_velocity = intercept_velocity
        self.intercept_velocity_after = intercept_velocity_after
        self.intercepts_after = intercepts_after

    def __repr__(self):
        return f"WeightsTrace({self.name!r}, shape {self.weights.shape})"


class StepTrace:
    """One training step on a batch, in the article's terms.

    Made by :meth:`MLPBackpropClassifier.explain_step`; every value comes from the
    code that trains, and ``weights_after`` is what the estimator's own step makes
    of the batch. ``print(trace)`` shows the step in the article's order (forward
    pass, FE, S_ERROR, gradients, update); ``trace["HtoO"]`` or ``trace["O"]``
    returns a weight matrix's or a layer's trace by name; :meth:`to_frame` gives a
    tidy table.

    Parameters
    ----------
    layers : list of LayerTrace
        Every layer, input to output.

    weights : list of WeightsTrace
        Every weight matrix, input side first.

    T : ndarray of shape (n_samples, n_outputs)
        The targets of the output units (0 or 1).

    FE : ndarray of shape (n_samples, n_outputs)
        The final error ``S_postA,O - T``.

    E : ndarray of shape (n_samples,)
        Each sample's error ``1/2 * sum(FE ** 2)``.

    share : ndarray of shape (n_samples,)
        Each sample's share of the batch's mean: ``1 / n_samples``, or its sample
        weight (times its class weight) over their sum.

    alpha, momentum : float
        The L2 penalty and the momentum of the step.

    nesterov : bool
        Whether the momentum is Nesterov's.

    activate_output : bool, default=True
        Whether the output units are logistic (the article's); else identity,
        where ``S_postA,O = S_preA,O`` and ``S_ERROR,O = FE``.

    Attributes
    ----------
    loss : float
        The batch's (weighted) mean error ``sum(share * E)``, before the step.
    """

    def __init__(
        self,
        layers,
        weights,
        T,
        FE,
        E,
        share,
        alpha,
        momentum,
        nesterov,
        activate_output=True,
    ):
        self.layers = layers
        self.weights = weights
        self.T = T
        self.FE = FE
        self.E = E
        self.share = share
        self.alpha = alpha
        self.momentum = momentum
        self.nesterov = nesterov
        self.activate_output = activate_output
        self.loss = float(np.dot(share, E))

    def __getitem__(self, name):
        for item in (*self.layers, *self.weights):
            if item.name == name:
                return item
        known = [item.name for item in (*self.layers, *self.weights)]
        raise KeyError(f"No layer or weight matrix named {name!r}; known: {known}.")

    def __repr__(self):
        sizes = "-".join(str(layer.S_postA.shape[1]) for layer in self.layers)
        return f"<StepTrace of a {sizes} network on {self.E.shape[0]} sample(s)>"

    def __str__(self):
        return "\n".join(line.rstrip() for line in _text_lines(self))

    def _repr_html_(self):
        return _html(self)

    def to_frame(self):
        """Return the trace as a tidy pandas DataFrame, one value a row.

        Columns: ``quantity`` (``"S_preA"``, ``"S_postA"``, ``"T"``, ``"FE"``,
        ``"E"``, ``"S_ERROR"``, ``"weight"``, ``"gradient"``, ``"l2"``,
        ``"velocity"``, ``"velocity_after"``, ``"weight_after"``, ``"LR"``,
        ``"intercept_LR"``, ``"share"``), ``layer`` (a layer's name for node
        values, a matrix's name for weight values), ``sample`` (the row in the
        batch, or -1), ``node`` (the node of the layer, or the upper node of a
        weight) and ``from_node`` (a weight's lower node: -1 for a bias and for
        node values); then ``value``.

        Returns
        -------
        frame : pandas.DataFrame
            The table.
        """
        try:
            import pandas as pd
        except ImportError as error:  # pragma: no cover - pandas is a test extra
            raise ImportError("StepTrace.to_frame needs pandas installed.") from error
        return pd.DataFrame(_rows(self), columns=_COLUMNS)


def trace_step(X, T, sample_weight, optimizer, activate_output=True):
    """Take one step of every layer on the batch ``X, T`` and record it.

    The article's quantities come from the training functions with nothing folded
    in (:func:`sk_mlpbp._network.forward` keeping S_preA,
    :func:`sk_mlpbp._loss.output_error_signal` and
    :func:`sk_mlpbp._network.backward` without LR); the step itself is the
    optimizer's epoch over the batch as one batch (:func:`sk_mlpbp._epoch.make_epoch`),
    exactly as ``partial_fit`` with ``batch_size=n_samples, shuffle=False`` takes it.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The batch's inputs.

    T : ndarray of shape (n_samples, n_outputs)
        Its targets.

    sample_weight : ndarray of shape (n_samples,) or None
        Its sample weights, positive in total; None for equal weights.

    optimizer : SGDOptimizer
        The update rule, holding the weights (``coefs``, ``intercepts``) and the
        velocities, which the step moves in place.

    activate_output : bool, default=True
        Whether the output units are logistic (the article's); else identity.

    Returns
    -------
    trace : StepTrace
        The step.
    """
    coefs, intercepts = optimizer.coefs, optimizer.intercepts
    n_layers = len(coefs) + 1
    n_samples = X.shape[0]
    dtype = coefs[0].dtype
    before = [W.copy() for W in coefs], [b.copy() for b in intercepts]
    velocities = [v.copy() for v in optimizer.velocities or ()]
    S_preA, S_postA, S_ERROR, FE = article_pass(
        X, coefs, intercepts, np.asarray(T, dtype=dtype), activate_output
    )
    if sample_weight is None:
        share = np.full(n_samples, 1.0 / n_samples, dtype=dtype)
    else:
        share = (sample_weight / sample_weight.sum()).astype(dtype, copy=False)
    gradients, intercept_gradients = mean_gradients(S_postA, S_ERROR, share)
    epoch = make_epoch(
        coefs,
        intercepts,
        X,
        T,
        sample_weight,
        n_samples,
        optimizer,
        False,
        None,
        activate_output,
    )
    epoch.run()
    names = layer_names(n_layers)
    inputs = X.toarray() if sparse.issparse(X) else np.array(X)
    layers = [LayerTrace(names[0], None, inputs, None)]
    layers += [
        LayerTrace(name, pre, post, error)
        for name, pre, post, error in zip(names[1:], S_preA, S_postA[1:], S_ERROR)
    ]
    use_bias = optimizer.use_bias
    weights = []
    for i, name in enumerate(weight_names(n_layers)):
        LR = float(optimizer.learning_rate[i])
        velocity_W, velocity_b = optimizer.layer_velocities(i)
        momentum = velocity_W is not None
        weights.append(
            WeightsTrace(
                name,
                LR,
                before[0][i],
                gradients[i],
                optimizer.alpha * before[0][i] if optimizer.alpha else None,
                velocities[i] if momentum else None,
                velocity_W.copy() if momentum else None,
                coefs[i].copy(),
                LR * optimizer.intercept_ratio[i] if use_bias else None,
                before[1][i] if use_bias else None,
                intercept_gradients[i] if use_bias else None,
                velocities[len(coefs) + i] if momentum and use_bias else None,
                velocity_b.copy() if momentum and use_bias else None,
                intercepts[i].copy() if use_bias else None,
            )
        )
    E = sample_errors(FE)
    return StepTrace(
        layers,
        weights,
        np.asarray(T, dtype=dtype),
        FE,
        E,
        share,
        float(optimizer.alpha),
        float(optimizer.momentum),
        bool(optimizer.nesterov),
        activate_output,
    )


def forward_pass(X, coefs, intercepts, activate_output=True):
    """Run the forward pass, keeping S_preA and S_postA of every layer.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The inputs.

    coefs, intercepts : list of ndarray
        The weights and biases.

    activate_output : bool, default=True
        Whether the output units are logistic; else identity.

    Returns
    -------
    S_preA : list of ndarray
        Every non-input layer's pre-activations.

    S_postA : list of ndarray
        The inputs ``X``, then every non-input layer's post-activations.
    """
    n_samples, dtype = X.shape[0], coefs[0].dtype
    S_preA = []
    S_postA = [X, *(np.empty((n_samples, W.shape[1]), dtype) for W in coefs)]
    _network.forward(
        X,
        coefs,
        intercepts,
        S_postA[1:],
        activate_output=activate_output,
        S_preA=S_preA,
    )
    return S_preA, S_postA


def article_pass(X, coefs, intercepts, T, activate_output=True):
    """Run the forward and backward passes, keeping every quantity of the article.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The inputs.

    coefs, intercepts : list of ndarray
        The weights and biases (left unchanged).

    T : ndarray of shape (n_samples, n_outputs)
        The targets, as floats.

    activate_output : bool, default=True
        Whether the output units are logistic; else identity.

    Returns
    -------
    S_preA : list of ndarray
        Every non-input layer's pre-activations.

    S_postA : list of ndarray
        The inputs, then every non-input layer's post-activations.

    S_ERROR : list of ndarray
        Every non-input layer's error signal, as the article defines it.

    FE : ndarray of shape (n_samples, n_outputs)
        The final error ``S_postA,O - T``.
    """
    S_preA, S_postA = forward_pass(X, coefs, intercepts, activate_output)
    FE = np.subtract(S_postA[-1], T)
    S_ERROR = [np.empty_like(layer) for layer in S_postA[1:]]
    # S_ERROR,O = FE * f_A'(S_preA,O), then each layer's from the one above.
    output_error_signal(S_postA[-1], T, S_ERROR[-1], activate_output=activate_output)
    _network.backward(S_postA, S_ERROR, coefs)
    return S_preA, S_postA, S_ERROR, FE


def mean_gradients(S_postA, S_ERROR, share):
    """Return each layer's gradient of the error: the batch's weighted mean.

    Parameters
    ----------
    S_postA, S_ERROR : list of ndarray
        What :func:`article_pass` returns.

    share : ndarray of shape (n_samples,)
        Each sample's share of the mean (they sum to 1).

    Returns
    -------
    gradients : list of ndarray
        ``sum_n share_n * S_postA(below)_n outer S_ERROR_n`` for every weight matrix.

    intercept_gradients : list of ndarray
        ``sum_n share_n * S_ERROR_n`` for every layer's biases.
    """
    gradients, intercept_gradients = [], []
    for below, error in zip(S_postA[:-1], S_ERROR):
        weighted = error * share[:, np.newaxis]
        gradients.append(np.asarray(below.T @ weighted))
        intercept_gradients.append(weighted.sum(axis=0))
    return gradients, intercept_gradients


class GradientCheck:
    """Backpropagated gradients beside central finite differences of the error.

    Made by :func:`check_gradients`. ``print(check)`` shows one line per weight
    matrix; ``check.relative_error`` maps each matrix's name to its largest
    relative error.

    Parameters
    ----------
    names : list of str
        The weight matrices' names (``"ItoH"``, ``"HtoO"``, ...).

    backprop, numerical : list of ndarray
        Per weight matrix, the gradient from backpropagation and from finite
        differences, with the biases' gradient as an extra last row when the
        network has biases.

    epsilon : float
        The finite differences' step.

    use_bias : bool
        Whether the last rows are the biases'.

    Attributes
    ----------
    relative_error : dict of str to float
        Per weight matrix (its biases included), the largest difference between
        the two gradients relative to their largest magnitude in that matrix:
        ``max|backprop - numerical| / max(|backprop|, |numerical|)`` (0 where both
        are 0). Backpropagation is right where this is about 1e-7 or less; a wrong
        sign or factor gives 0.1 to 2.

    max_relative_error : float
        The largest of them.
    """

    def __init__(self, names, backprop, numerical, epsilon, use_bias):
        self.names = names
        self.backprop = backprop
        self.numerical = numerical
        self.epsilon = epsilon
        self.use_bias = use_bias
        self.relative_error = {}
        for name, bp, fd in zip(names, backprop, numerical):
            scale = max(np.abs(bp).max(), np.abs(fd).max())
            error = np.abs(bp - fd).max()
            self.relative_error[name] = float(error / scale) if scale > 0 else 0.0
        self.max_relative_error = max(self.relative_error.values())

    def __repr__(self):
        return f"<GradientCheck: largest relative error {self.max_relative_error:.2e}>"

    def __str__(self):
        lines = [
            "Gradient check: backpropagation against central differences of E "
            f"(step {self.epsilon:g})",
            f"  {'weights':<10}{'shape':>16}{'largest relative error':>26}",
        ]
        for name, bp in zip(self.names, self.backprop):
            n_below = bp.shape[0] - self.use_bias
            shape = f"{n_below}x{bp.shape[1]}" + (" + bias" if self.use_bias else "")
            error = self.relative_error[name]
            lines.append(f"  {name:<10}{shape:>16}{error:>26.2e}")
        return "\n".join(lines)


def check_gradients(estimator, X, y, sample_weight=None, *, classes=None, epsilon=1e-6):
    """Compare every backpropagated gradient with central finite differences.

    The error is the batch's (weighted) mean sum-of-squares error
    ``sum_n share_n * 1/2 * sum_k FE_nk ** 2`` of the estimator's current weights
    (fitted, or assigned to ``coefs_`` and ``intercepts_``). Its gradient by
    backpropagation (the step trace's ``gradient``, computed by the functions that
    train) is compared, weight by weight and bias by bias, with
    ``(E(w + epsilon) - E(w - epsilon)) / (2 * epsilon)``, all in float64. This
    costs two forward passes of the batch per weight: use a few samples for a large
    network. The L2 term ``alpha * W`` is not part of the error and not checked.

    Parameters
    ----------
    estimator : MLPBackpropClassifier
        A fitted estimator, or one whose ``coefs_`` (and ``intercepts_``) were
        assigned.

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The batch's inputs.

    y : array-like of shape (n_samples,) or (n_samples, n_labels)
        Its labels.

    sample_weight : array-like of shape (n_samples,), default=None
        Its sample weights (times the estimator's class weights).

    classes : array-like of shape (n_classes,), default=None
        For an estimator that was not fitted, every class of the model, as for
        :meth:`MLPBackpropClassifier.explain_step`.

    epsilon : float, default=1e-6
        The step of the central differences.

    Returns
    -------
    check : GradientCheck
        The gradients and the largest relative error of each weight matrix.

    Examples
    --------
    >>> from sk_mlpbp import MLPBackpropClassifier, check_gradients
    >>> from sk_mlpbp import make_article_data
    >>> X, y = make_article_data(20, random_state=0)
    >>> clf = MLPBackpropClassifier((4,), random_state=0).fit(X, y)
    >>> check_gradients(clf, X[:5], y[:5]).max_relative_error < 1e-6
    True
    """
    if isinstance(epsilon, bool) or not (isinstance(epsilon, Real) and 0 < epsilon < 1):
        raise ValueError(f"epsilon must be a number in (0, 1); got {epsilon!r}.")
    model, X, T, sample_weight = estimator._step_model(
        X, y, sample_weight, classes, dtype=np.float64
    )
    coefs, intercepts, use_bias = model.coefs_, model.intercepts_, model.use_bias
    activate_output = model._activates_output()
    T = T.astype(np.float64)
    if sparse.issparse(X):
        X = X.toarray()
    n_samples = X.shape[0]
    if sample_weight is None:
        share = np.full(n_samples, 1.0 / n_samples)
    else:
        share = sample_weight / sample_weight.sum()
    _, S_postA, S_ERROR, _ = article_pass(X, coefs, intercepts, T, activate_output)
    gradients, intercept_gradients = mean_gradients(S_postA, S_ERROR, share)
    buffers = [np.empty((n_samples, W.shape[1])) for W in coefs]

    def error():
        output = _network.forward(
            X, coefs, intercepts, buffers, activate_output=activate_output
        )
        return float(np.dot(share, sample_errors(output - T)))

    def central_differences(param):
        numerical = np.empty_like(param)
        for index in np.ndindex(param.shape):
            kept = param[index]
            param[index] = kept + epsilon
            above = error()
            param[index] = kept - epsilon
            below = error()
            param[index] = kept
            numerical[index] = (above - below) / (2 * epsilon)
        return numerical

    backprop, numerical = [], []
    with np.errstate(over="ignore"):
        for W, b, gradient, intercept_gradient in zip(
            coefs, intercepts, gradients, intercept_gradients
        ):
            if use_bias:
                backprop.append(np.vstack([gradient, intercept_gradient]))
                numerical.append(
                    np.vstack([central_differences(W), central_differences(b)])
                )
            else:
                backprop.append(gradient)
                numerical.append(central_differences(W))
    return GradientCheck(
        weight_names(len(coefs) + 1), backprop, numerical, float(epsilon), use_bias
    )


# Printing -------------------------------------------------------------------------

_COLUMNS = ["quantity", "layer", "sample", "node", "from_node", "value"]


def _shown(n):
    """Return the indices shown of ``n`` entries, None where an ellipsis stands."""
    if n <= SHOWN_MAX:
        return list(range(n))
    return [*range(SHOWN_EDGE), None, *range(n - SHOWN_EDGE, n)]


def _number(value):
    return f"{value:.6g}"


def _line(label, cells, indent="    "):
    """Lay out a labelled row of cells: the label 20 wide, each cell 13 wide."""
    return f"{indent}{label:<20}" + "".join(f" {cell:>12}" for cell in cells)


def _cells(values):
    """Return the shown entries of ``values`` as text, ``...`` where skipped."""
    return ["..." if i is None else _number(values[i]) for i in _shown(len(values))]


def _header(n, prefix, indent="    "):
    """Name the shown nodes of a layer (``H[0]``, ``H[1]``, ...) above their cells."""
    return _line("", ["" if i is None else f"{prefix}[{i}]" for i in _shown(n)], indent)


def _matrix_lines(matrix, bias, below, above):
    """Lay out a weight matrix, a row per lower node, and its biases' row."""
    lines = [_header(matrix.shape[1], above, "      ")]
    for i in _shown(matrix.shape[0]):
        if i is None:
            lines.append(_line("...", [], "      "))
        else:
            lines.append(_line(f"from {below}[{i}]", _cells(matrix[i]), "      "))
    if bias is not None:
        lines.append(_line("bias", _cells(bias), "      "))
    return lines


def _sample_lines(values, label):
    """Lay out a per-sample quantity, a line per shown sample."""
    lines = []
    for n in _shown(values.shape[0]):
        if n is None:
            lines.append(_line("...", []))
        else:
            lines.append(_line(f"{label}  sample {n}", _cells(values[n])))
    return lines


def _text_lines(trace):
    layers, weights = trace.layers, trace.weights
    n_samples = trace.E.shape[0]
    sizes = "-".join(str(layer.S_postA.shape[1]) for layer in layers)
    plural = "s" if n_samples > 1 else ""
    lines = [f"One backpropagation step: {sizes} network, {n_samples} sample{plural}"]
    if n_samples > 1:
        lines.append("  each gradient is the batch's mean, weighted by these shares:")
        lines += _sample_lines(trace.share[:, np.newaxis], "share")
    lines += [
        "",
        "1. Forward pass: S_preA = S_postA(below) . weights (+ bias), "
        "S_postA = f_A(S_preA)",
    ]
    if not trace.activate_output:
        lines[-1] += f"; S_postA,{layers[-1].name} = S_preA (identity outputs)"
    for layer in layers:
        n = layer.S_postA.shape[1]
        lines.append(f"  {layer.name} ({n} node{'s' if n > 1 else ''})")
        lines.append(_header(n, layer.name))
        if layer.S_preA is not None:
            lines += _sample_lines(layer.S_preA, "S_preA")
        label = "input" if layer.S_preA is None else "S_postA"
        lines += _sample_lines(layer.S_postA, label)
    output = layers[-1].name
    lines += ["", f"2. Final error: FE = S_postA,{output} - T, E = 1/2 sum FE^2"]
    lines.append(_header(trace.T.shape[1], output))
    lines += _sample_lines(trace.T, "T")
    lines += _sample_lines(trace.FE, "FE")
    lines += _sample_lines(trace.E[:, np.newaxis], "E")
    lines.append(f"    mean E of the batch: {_number(trace.loss)}")
    lines += ["", "3. Error signal S_ERROR, from the outputs back"]
    for k in range(len(layers) - 1, 0, -1):
        layer = layers[k]
        if k == len(layers) - 1:
            formula = f"FE x f_A'(S_preA,{layer.name})"
            if not trace.activate_output:
                formula = "FE (identity output units: f_A' = 1)"
        else:
            above = layers[k + 1].name
            formula = (
                f"(S_ERROR,{above} . weights_{weights[k].name}^T) x "
                f"f_A'(S_preA,{layer.name})"
            )
        lines.append(f"  {layer.name}: S_ERROR = {formula}")
        lines.append(_header(layer.S_postA.shape[1], layer.name))
        lines += _sample_lines(layer.S_ERROR, "S_ERROR")
    lines += ["", "4. Gradients: the batch's mean of S_ERROR(above) x S_postA(below)"]
    for k in range(len(weights) - 1, -1, -1):
        w = weights[k]
        below, above = layers[k].name, layers[k + 1].name
        lines.append(f"  {w.name}: gradient = S_ERROR,{above} x S_postA,{below}")
        lines += _matrix_lines(w.gradient, w.intercept_gradient, below, above)
        if w.l2 is not None:
            lines.append(f"    L2 term: alpha x weights (alpha {trace.alpha:g})")
            lines += _matrix_lines(w.l2, None, below, above)
    lines += ["", "5. Update: " + _update_rule(trace)]
    for k in range(len(weights) - 1, -1, -1):
        w = weights[k]
        below, above = layers[k].name, layers[k + 1].name
        rates = f"LR {_number(w.LR)}"
        if w.intercept_LR is not None and w.intercept_LR != w.LR:
            rates += f", biases' LR {_number(w.intercept_LR)}"
        lines.append(f"  {w.name}: {rates}")
        parts = [("weights before", w.weights, w.intercepts)]
        if w.velocity is not None:
            parts.append(("velocity before", w.velocity, w.intercept_velocity))
            parts.append(
                ("velocity after", w.velocity_after, w.intercept_velocity_after)
            )
        parts.append(("weights after", w.weights_after, w.intercepts_after))
        for title, matrix, bias in parts:
            lines.append(f"    {title}")
            lines += _matrix_lines(matrix, bias, below, above)
    return lines


def _update_rule(trace):
    gradient = "(gradient + L2 term)" if trace.alpha else "gradient"
    if not trace.momentum:
        return f"weight = weight - LR x {gradient}"
    step = f"velocity = {trace.momentum:g} x velocity - LR x {gradient}; "
    if trace.nesterov:
        return step + (
            f"weight = weight + {trace.momentum:g} x velocity - LR x {gradient} "
            "(Nesterov)"
        )
    return step + "weight = weight + velocity"


def _html(trace):
    """Return the text layout in a ``<pre>`` block, escaped, for notebooks."""
    return (
        "<pre style='font-size: 12px; line-height: 1.25'>"
        + html.escape(str(trace))
        + "</pre>"
    )


def _node_rows(quantity, layer, values):
    for sample, row in enumerate(values):
        for node, value in enumerate(row):
            yield quantity, layer, sample, node, -1, float(value)


def _weight_rows(quantity, name, matrix, bias):
    for below, row in enumerate(matrix):
        for node, value in enumerate(row):
            yield quantity, name, -1, node, below, float(value)
    if bias is not None:
        for node, value in enumerate(bias):
            yield quantity, name, -1, node, -1, float(value)


def _rows(trace):
    for layer in trace.layers:
        if layer.S_preA is not None:
            yield from _node_rows("S_preA", layer.name, layer.S_preA)
        yield from _node_rows("S_postA", layer.name, layer.S_postA)
    output = trace.layers[-1].name
    yield from _node_rows("T", output, trace.T)
    yield from _node_rows("FE", output, trace.FE)
    for sample, (E, share) in enumerate(zip(trace.E, trace.share)):
        yield "E", output, sample, -1, -1, float(E)
        yield "share", "", sample, -1, -1, float(share)
    for layer in trace.layers[1:]:
        yield from _node_rows("S_ERROR", layer.name, layer.S_ERROR)
    for w in trace.weights:
        yield "LR", w.name, -1, -1, -1, w.LR
        if w.intercept_LR is not None:
            yield "intercept_LR", w.name, -1, -1, -1, w.intercept_LR
        yield from _weight_rows("weight", w.name, w.weights, w.intercepts)
        yield from _weight_rows("gradient", w.name, w.gradient, w.intercept_gradient)
        if w.l2 is not None:
            yield from _weight_rows("l2", w.name, w.l2, None)
        if w.velocity is not None:
            yield from _weight_rows(
                "velocity", w.name, w.velocity, w.intercept_velocity
            )
            yield from _weight_rows(
                "velocity_after", w.name, w.velocity_after, w.intercept_velocity_after
            )
        yield from _weight_rows(
            "weight_after", w.name, w.weights_after, w.intercepts_after
        )
