"""Where training starts: weights and one learning rate per layer.

The weights are drawn to the scale of the data each layer sees, and each layer's
learning rate comes from the curvature of the error at that start.

This follows LeCun, Bottou, Orr and Mueller, "Efficient BackProp" (1998): a unit
learns best when its pre-activation ``S_preA`` starts in the logistic's linear range
(on initialising the weights), and each layer's LR should match the curvature of the
error along that layer's weights (on choosing learning rates, and the Hessian's
analysis), which in this network differs by orders of magnitude from layer to layer:
every layer the error signal S_ERROR passes down is multiplied by ``f_A' <= 1/4`` and
by weights, so the hidden layers see far smaller gradients than the output layer.

Everything here is measured once, on (a sample of) the training rows, before the
first step; the steps themselves stay ``W = W - LR * gradient``.
"""

import numpy as np
from scipy import sparse
from scipy.special import expit

#: Rows of X the measurements use at most (evenly spaced through X).
MAX_ROWS = 1000

#: A sparse X's sampled rows are made dense when they hold at most this many values.
MAX_DENSE_VALUES = 2**22

#: Inputs count as far from standardised when less than this fraction of their mean
#: squared norm varies from row to row (the rest is a constant offset)...
MIN_VARYING_FRACTION = 0.2

#: ... or when one column's standard deviation is more than this many times the
#: median of the other columns'.
MAX_SPREAD = 30.0

#: The fraction of the stability limit ``2 / curvature`` each layer's LR is set to.
STEP_FRACTION = 0.5

#: The hidden layers' curvature grows as training moves the weights above them off
#: their small initial values; their LR is set for this much more curvature than
#: they have at the start.
HIDDEN_CURVATURE_GROWTH = 16.0

#: An output unit whose target is the same on every training row starts, and stays,
#: at that constant: weights 0 and S_preA = +-40, where f_A is 0 or 1 to 4e-18 and
#: f_A', which scales its S_ERROR, is as small, so that its steps are nil.
CONSTANT_PREACTIVATION = 40.0

_POWER_ITERATIONS = 20


def calibration_rows(X, sample_weight):
    """Return the rows of ``X`` (and their weights) that the start is measured on.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training inputs.

    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights, or None for equal weights.

    Returns
    -------
    X_rows : {ndarray, sparse matrix} of shape (n_rows, n_features)
        At most ``MAX_ROWS`` rows, evenly spaced through X (all of them for small X),
        in float64; dense unless they would hold more than ``MAX_DENSE_VALUES``.

    weights : ndarray of shape (n_rows,)
        Their weights, summing to 1.
    """
    n_samples = X.shape[0]
    if n_samples > MAX_ROWS:
        rows = np.linspace(0, n_samples - 1, MAX_ROWS).astype(np.intp)
        X = X[rows]
        sample_weight = None if sample_weight is None else sample_weight[rows]
    X = X.astype(np.float64)
    if sparse.issparse(X) and X.shape[0] * X.shape[1] <= MAX_DENSE_VALUES:
        # The same numbers as from a dense X, to the last bit.
        X = X.toarray()
    weights = (
        np.ones(X.shape[0])
        if sample_weight is None
        else np.asarray(sample_weight, dtype=np.float64)
    )
    if not weights.sum() > 0:  # the sampled rows all have zero weight
        weights = np.ones(X.shape[0])
    return X, weights / weights.sum()


def _largest_magnitude(X):
    """Return ``max |x|`` over the entries of X, or 1 for an all-zero X."""
    largest = abs(X).max() if X.shape[0] and X.shape[1] else 0.0
    return float(largest) if largest > 0 else 1.0


def root_mean_squared_norm(X, weights):
    """Return ``sqrt(E||x||^2)``, the weighted mean over rows, without overflow."""
    scale = _largest_magnitude(X)
    X = X / scale
    if sparse.issparse(X):
        squares = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    else:
        squares = np.einsum("ij,ij->i", X, X)
    return scale * np.sqrt(float(np.dot(weights, squares)))


def top_singular_value(X, weights, bias=0.0):
    """Return the square root of the largest eigenvalue of ``E[x x^T]``.

    ``E[x x^T]`` is the inputs' second moment; the value is computed without overflow.
    With a nonzero ``bias`` each input row gets a trailing constant ``bias`` (the
    bias's input, in the units the rows are measured in). Computed by power
    iteration, which never forms the matrix (X may be sparse and wide).
    """
    scale = _largest_magnitude(X)
    X = X / scale
    bias = bias / scale
    v = np.random.RandomState(0).standard_normal(X.shape[1])
    v_bias = bias
    eigenvalue = 0.0
    for _ in range(_POWER_ITERATIONS):
        u = weights * (X @ v + bias * v_bias)  # diag(w) A v, A = [X, bias] / scale
        v, v_bias = X.T @ u, bias * u.sum()  # A^T diag(w) A v
        eigenvalue = np.sqrt(v @ v + v_bias**2)
        if eigenvalue == 0:
            return 0.0
        v, v_bias = v / eigenvalue, v_bias / eigenvalue
    return scale * np.sqrt(eigenvalue)


def scaled_weights(unit_draws, X, weights):
    """Scale each layer's U(-1, 1) draws so that its S_preA starts at unit scale.

    Layer by layer, the weights from inputs ``x`` are drawn from U(-b, b) with
    ``b = sqrt(3 / E||x||^2)``, so the mean of ``S_preA ** 2 = (x . w) ** 2`` over
    the rows and the draws is 1: the units start in the logistic's linear range
    whatever the scale of X. The inputs of the next layer are this layer's S_postA on
    the same rows (biases start at 0).

    Parameters
    ----------
    unit_draws : list of ndarray
        One U(-1, 1) matrix of shape (fan_in, fan_out) per layer, scaled in place.

    X, weights : the rows of :func:`calibration_rows`.
    """
    S_postA = X
    for W in unit_draws:
        norm = root_mean_squared_norm(S_postA, weights)
        W *= np.sqrt(3.0) / norm if norm > 0 else 1.0
        S_postA = expit(S_postA @ W.astype(np.float64))
    return unit_draws


def constant_outputs(coefs, intercepts, T):
    """Set the output units whose target never varies to that constant, in place.

    A label that is never (or always) on is the exact constant 0 (or 1), which a
    logistic unit trained on the squared error only creeps towards, slowing and
    misjudging the training of the others. Its unit gets weights 0 and the bias
    ``-CONSTANT_PREACTIVATION`` (or ``+``). A unit set so by an earlier fit whose
    target now varies starts again from weights and bias 0.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        The network's weights and biases; the output layer's are changed.

    T : ndarray of shape (n_samples, n_outputs)
        The training targets (boolean).
    """
    W, b = coefs[-1], intercepts[-1]
    on, off = T.any(axis=0), ~T.all(axis=0)
    constant = ~on | ~off
    # Set so earlier: S_preA is +-40 whatever the inputs (the weights' steps there,
    # about f_A'(40)**2 = 2e-35 each, leave them below 1e-20 for any fit).
    earlier = (np.abs(b) == CONSTANT_PREACTIVATION) & (abs(W).sum(axis=0) < 1e-20)
    b[earlier & ~constant] = 0.0
    W[:, constant] = 0.0
    b[constant] = np.where(
        on[constant], CONSTANT_PREACTIVATION, -CONSTANT_PREACTIVATION
    )


def layer_learning_rates(coefs, intercepts, X, weights, use_bias, alpha):
    r"""Return each layer's LR for its weights and for its biases, from the curvature.

    In the Gauss-Newton approximation, the curvature of the mean error E along layer
    ``l``'s weights is at most ``lambda_l * g_l``: ``lambda_l`` the largest eigenvalue
    of its inputs' second moment ``E[x x^T]`` and ``g_l`` the largest mean squared
    gain from one of its units' S_preA to the outputs,

    .. math::

        g_{L,k} = E[f_A'(S_{preA,O,k})^2], \quad
        g_{l,j} = E[f_A'(S_{preA,l,j})^2] \sum_k W_{l+1,jk}^2 \, g_{l+1,k}

    (the same products backpropagation applies to S_ERROR). Along the biases, whose
    input is the constant 1, it is ``g_l``. The weights and the biases get rates in
    that ratio, ``LR_b = lambda_l * LR_W``: gradient descent in the units where both
    curvatures are 1, so that inputs measured in other units (X times a constant)
    train exactly as the same network on the original inputs, its first weights
    divided by the constant. Weights and biases share the step, so both rates are
    divided by ``kappa_l`` in [1, 2], the largest eigenvalue of the second moment of
    ``[x / sqrt(lambda_l), 1]`` (1 when the inputs have mean 0; up to 2 when they
    are mostly a constant offset, which the biases can take up too). Plain gradient
    descent is stable for ``LR < 2 / curvature``; each layer gets ``STEP_FRACTION``
    of that, the hidden layers for ``HIDDEN_CURVATURE_GROWTH`` times their starting
    curvature; ``alpha``, the L2 penalty's curvature, adds to the weights'.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        The network's starting weights and biases.

    X, weights : the rows of :func:`calibration_rows`.

    use_bias : bool
        Whether the biases are trained (a constant input of each layer).

    alpha : float
        The L2 penalty, whose curvature adds to every layer's weights'.

    Returns
    -------
    coef_rates, intercept_rates : list of float
        The LR of each layer's weights and of its biases, input layer first.
    """
    layer_inputs, f_prime_squares = [X], []
    S_postA = X
    for W, b in zip(coefs, intercepts):
        S_postA = expit(S_postA @ W.astype(np.float64) + b)
        layer_inputs.append(S_postA)
        f_prime_squares.append(weights @ (S_postA * (1.0 - S_postA)) ** 2)
    gains = [f_prime_squares[-1]]
    for W, f_prime_square in zip(coefs[:0:-1], f_prime_squares[-2::-1]):
        gains.insert(0, f_prime_square * ((W.astype(np.float64) ** 2) @ gains[0]))
    coef_rates, intercept_rates = [], []
    last = len(coefs) - 1
    for i, (inputs, gain) in enumerate(zip(layer_inputs, gains)):
        # sqrt(lambda_l): inputs so large that it overflows get LR 0 for their
        # weights; they saturate the layer above, which cannot learn from them.
        input_scale = top_singular_value(inputs, weights)
        shared = 1.0
        if use_bias and 0 < input_scale < np.inf:
            shared = (
                top_singular_value(inputs, weights, input_scale) / input_scale
            ) ** 2
        curvature = shared * gain.max()
        if i < last:
            curvature *= HIDDEN_CURVATURE_GROWTH
        coef_curvature = curvature * input_scale**2 + alpha
        coef_rates.append(
            float(2.0 * STEP_FRACTION / coef_curvature) if coef_curvature > 0 else 1.0
        )
        intercept_rates.append(
            float(2.0 * STEP_FRACTION / curvature) if curvature > 0 else 1.0
        )
    return coef_rates, intercept_rates


def unscaled_inputs(X):
    """Say how the inputs are far from standardised, or return "" when they are not.

    Logistic units learn from how the inputs vary: an input that is mostly a constant
    offset looks like a bias to them, and columns on very different scales cannot
    share one LR. Either makes a network train poorly; ``StandardScaler`` removes
    both. (One constant factor on every input does not: the rates follow it.) The
    rows count alike, whatever their sample weights: this is about the inputs.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_rows, n_features)
        The rows of :func:`calibration_rows`.

    Returns
    -------
    problem : str
        What is wrong, for a warning; "" for inputs near standardised.
    """
    weights = np.full(X.shape[0], 1.0 / X.shape[0])
    mean = np.asarray(X.T @ weights).ravel()
    squares = X.multiply(X) if sparse.issparse(X) else X * X
    mean_square = np.asarray(squares.T @ weights)
    variance = np.maximum(mean_square.ravel() - mean**2, 0.0)
    total = mean_square.sum()
    if total > 0 and variance.sum() < MIN_VARYING_FRACTION * total:
        return (
            f"{1 - variance.sum() / total:.0%} of their mean square is a constant "
            "offset (their means are far from 0)"
        )
    spread = np.sqrt(variance)
    varying = np.flatnonzero(spread > 0)
    if varying.size > 1:
        # The widest column against the median of the others (for two columns, the
        # other one).
        widest = varying[np.argmax(spread[varying])]
        others = np.median(spread[varying[varying != widest]])
        if spread[widest] > MAX_SPREAD * others:
            return (
                f"the standard deviation of column {int(widest)} is "
                f"{spread[widest] / others:.4g} times the median of the other columns'"
            )
    return ""
