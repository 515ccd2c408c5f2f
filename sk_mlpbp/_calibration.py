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
from sklearn.utils import gen_batches

#: Rows of X the measurements use at most (evenly spaced through X).
MAX_ROWS = 1000

#: A sparse X's sampled rows are made dense when they hold at most this many values.
MAX_DENSE_VALUES = 2**22

#: The rows are measured a chunk of at most this many values (1 MiB) at a time, so
#: that 1,000 rows of a wide X are never copied whole.
CHUNK_VALUES = 2**17

#: Inputs count as far from standardised when less than this fraction of their mean
#: squared norm varies from row to row (the rest is a constant offset)...
MIN_VARYING_FRACTION = 0.2

#: ... or when one column's standard deviation is more than this many times the
#: median of the other columns'.
MAX_SPREAD = 30.0

#: Fewer rows than this cannot tell an offset from a spread (one row is all offset,
#: as in a first partial_fit or explain_step on one sample): they are not judged.
MIN_JUDGED_ROWS = 10

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


class CalibrationRows:
    """Rows a layer's measurements are taken on, with their weights, read in chunks.

    A pass over the rows sees them a chunk of at most ``CHUNK_VALUES`` values at a
    time (all of them at once when they fit), so that measuring costs a few MiB
    however wide the layer's inputs are; rows gathered from X are gathered again by
    every pass rather than held as a copy.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The inputs the rows are taken from.

    weights : ndarray of shape (n_rows,)
        The rows' weights, summing to 1.

    indices : ndarray of shape (n_rows,), default=None
        The rows of X measured on; None for all of them.

    dense : bool, default=True
        Whether sparse rows are made dense, a chunk at a time (else they are one
        sparse chunk).
    """

    def __init__(self, X, weights, indices=None, dense=True):
        self.X, self.weights, self.indices, self.dense = X, weights, indices, dense
        self.shape = (weights.shape[0], X.shape[1])

    def chunks(self, width=0):
        """Yield the rows (float64, dense unless ``dense`` is False) and their weights.

        A chunk holds at most ``CHUNK_VALUES`` values, and so does an array of
        ``width`` values a row computed from it.
        """
        if self.whole(width):
            # All at once: the same arithmetic as on one matrix of the rows.
            rows = self.X if self.indices is None else self.X[self.indices]
            yield _float_rows(rows, self.dense), self.weights
            return
        n_rows, n_features = self.shape
        for batch in gen_batches(n_rows, CHUNK_VALUES // max(n_features, width)):
            rows = self.X[batch if self.indices is None else self.indices[batch]]
            yield _float_rows(rows, self.dense), self.weights[batch]

    def whole(self, width=0):
        """Return whether :meth:`chunks` gives the rows in one chunk (sparse do)."""
        n_rows, n_features = self.shape
        return not self.dense or n_rows * max(1, n_features, width) <= CHUNK_VALUES


def _float_rows(rows, dense):
    """Return rows of X in float64, dense if asked, for reading only."""
    if sparse.issparse(rows):
        # Dense: the same numbers as from a dense X, to the last bit.
        return rows.toarray() if dense else rows
    # Rows already in one contiguous float64 block are read in place; others are
    # copied into one, as the products would do.
    contiguous = rows.flags.c_contiguous or rows.flags.f_contiguous
    return rows if rows.dtype == np.float64 and contiguous else rows.astype(np.float64)


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
    rows : CalibrationRows
        At most ``MAX_ROWS`` rows, evenly spaced through X (all of them for small X),
        read in float64 chunks; dense unless they would hold more than
        ``MAX_DENSE_VALUES`` values. Their weights sum to 1.
    """
    n_samples = X.shape[0]
    indices = None
    if n_samples > MAX_ROWS:
        indices = np.linspace(0, n_samples - 1, MAX_ROWS).astype(np.intp)
        sample_weight = None if sample_weight is None else sample_weight[indices]
    n_rows = n_samples if indices is None else MAX_ROWS
    dense = True
    if sparse.issparse(X):
        # A sparse X's rows are gathered once, their stored values in float64.
        X = (X if indices is None else X[indices]).astype(np.float64, copy=False)
        indices, dense = None, n_rows * X.shape[1] <= MAX_DENSE_VALUES
    weights = (
        np.ones(n_rows)
        if sample_weight is None
        else np.asarray(sample_weight, dtype=np.float64)
    )
    if not weights.sum() > 0:  # the sampled rows all have zero weight
        weights = np.ones(n_rows)
    return CalibrationRows(X, weights / weights.sum(), indices, dense)


def _largest_magnitude(rows):
    """Return ``max |x|`` over the entries of the rows, or 1 for all-zero rows."""
    largest = 0.0
    if rows.shape[0] and rows.shape[1]:
        largest = max(abs(X).max() for X, _ in rows.chunks())
    return float(largest) if largest > 0 else 1.0


def root_mean_squared_norm(rows):
    """Return ``sqrt(E||x||^2)``, the weighted mean over rows, without overflow."""
    scale = _largest_magnitude(rows)
    mean_square = 0.0
    for X, weights in rows.chunks():
        X = X / scale
        if sparse.issparse(X):
            squares = np.asarray(X.multiply(X).sum(axis=1)).ravel()
        else:
            squares = np.einsum("ij,ij->i", X, X)
        mean_square += float(np.dot(weights, squares))
    return scale * np.sqrt(mean_square)


def top_singular_value(rows, bias=0.0):
    """Return the square root of the largest eigenvalue of ``E[x x^T]``.

    ``E[x x^T]`` is the inputs' second moment; the value is computed without overflow.
    With a nonzero ``bias`` each input row gets a trailing constant ``bias`` (the
    bias's input, in the units the rows are measured in). Computed by power
    iteration, which never forms the matrix (X may be sparse and wide).
    """
    scale = _largest_magnitude(rows)
    # Rows read as one chunk are divided by the scale once; more chunks are divided
    # as they are read (holding them would hold the rows whole).
    held = [(X / scale, w) for X, w in rows.chunks()] if rows.whole() else None
    bias = bias / scale
    v = np.random.RandomState(0).standard_normal(rows.shape[1])
    v_bias = bias
    eigenvalue = 0.0
    for _ in range(_POWER_ITERATIONS):
        # A^T diag(w) A v, A = [X, bias] / scale, a chunk of rows of A at a time.
        A_T_u, u_sum = 0.0, 0.0
        for X, weights in held or rows.chunks():
            if held is None:
                X = X / scale
            u = weights * (X @ v + bias * v_bias)
            A_T_u = A_T_u + X.T @ u
            u_sum += u.sum()
        v, v_bias = A_T_u, bias * u_sum
        eigenvalue = np.sqrt(v @ v + v_bias**2)
        if eigenvalue == 0:
            return 0.0
        v, v_bias = v / eigenvalue, v_bias / eigenvalue
    return scale * np.sqrt(eigenvalue)


def _next_layer(rows, W, b=None, keep=True):
    """Return a layer's S_postA on the rows and the mean square of its f_A'.

    ``S_postA = expit(x @ W + b)`` is computed a chunk of rows at a time (of at most
    ``CHUNK_VALUES`` values in and out); ``E[f_A'(S_preA) ** 2]``, one value per unit,
    is the weighted mean over the rows.

    Returns
    -------
    S_postA : CalibrationRows or None
        The layer's outputs on the rows, with their weights; None unless ``keep``.

    f_prime_square : ndarray of shape (n_units,)
        The mean square of each unit's f_A'.
    """
    W = W.astype(np.float64)
    S_postA = np.empty((rows.shape[0], W.shape[1])) if keep else None
    f_prime_square = 0.0
    start = 0
    for X, weights in rows.chunks(W.shape[1]):
        S = X @ W
        if b is not None:
            S += b
        expit(S, out=S)
        f_prime_square = f_prime_square + weights @ (S * (1.0 - S)) ** 2
        if keep:
            S_postA[start : start + S.shape[0]] = S
        start += S.shape[0]
    if keep:
        S_postA = CalibrationRows(S_postA, rows.weights)
    return S_postA, f_prime_square


def scaled_weights(unit_draws, rows):
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

    rows : CalibrationRows
        The rows of :func:`calibration_rows`.
    """
    for i, W in enumerate(unit_draws):
        norm = root_mean_squared_norm(rows)
        W *= np.sqrt(3.0) / norm if norm > 0 else 1.0
        if i < len(unit_draws) - 1:  # the output layer's S_postA is not needed
            rows, _ = _next_layer(rows, W)
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


def layer_learning_rates(
    coefs, intercepts, rows, use_bias, alpha, activate_output=True
):
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

    rows : CalibrationRows
        The rows of :func:`calibration_rows`.

    use_bias : bool
        Whether the biases are trained (a constant input of each layer).

    alpha : float
        The L2 penalty, whose curvature adds to every layer's weights'.

    activate_output : bool, default=True
        Whether the output units are logistic; identity output units have
        ``f_A' = 1``, so ``g_{L,k} = 1``.

    Returns
    -------
    coef_rates, intercept_rates : list of float
        The LR of each layer's weights and of its biases, input layer first.
    """
    layer_inputs, f_prime_squares = [rows], []
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        # The output layer's S_postA is not kept: only its f_A' counts.
        S_postA, f_prime_square = _next_layer(
            layer_inputs[-1], W, b, keep=i < len(coefs) - 1
        )
        layer_inputs.append(S_postA)
        f_prime_squares.append(f_prime_square)
    if not activate_output:
        f_prime_squares[-1] = np.ones_like(f_prime_squares[-1])
    gains = [f_prime_squares[-1]]
    for W, f_prime_square in zip(coefs[:0:-1], f_prime_squares[-2::-1]):
        gains.insert(0, f_prime_square * ((W.astype(np.float64) ** 2) @ gains[0]))
    coef_rates, intercept_rates = [], []
    last = len(coefs) - 1
    for i, (inputs, gain) in enumerate(zip(layer_inputs, gains)):
        # sqrt(lambda_l): inputs so large that it overflows get LR 0 for their
        # weights; they saturate the layer above, which cannot learn from them.
        input_scale = top_singular_value(inputs)
        shared = 1.0
        if use_bias and 0 < input_scale < np.inf:
            shared = (top_singular_value(inputs, input_scale) / input_scale) ** 2
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


def unscaled_inputs(rows):
    """Say how the inputs are far from standardised, or return "" when they are not.

    Logistic units learn from how the inputs vary: an input that is mostly a constant
    offset looks like a bias to them, and columns on very different scales cannot
    share one LR. Either makes a network train poorly; ``StandardScaler`` removes
    both. (One constant factor on every input does not: the rates follow it.) The
    rows count alike, whatever their sample weights: this is about the inputs.

    Parameters
    ----------
    rows : CalibrationRows
        The rows of :func:`calibration_rows`.

    Returns
    -------
    problem : str
        What is wrong, for a warning; "" for inputs near standardised, and for
        fewer than ``MIN_JUDGED_ROWS`` rows.
    """
    if rows.shape[0] < MIN_JUDGED_ROWS:
        return ""
    mean, mean_square = 0.0, 0.0
    for X, _ in rows.chunks():
        weights = np.full(X.shape[0], 1.0 / rows.shape[0])
        mean = mean + np.asarray(X.T @ weights).ravel()
        squares = X.multiply(X) if sparse.issparse(X) else X * X
        mean_square = mean_square + np.asarray(squares.T @ weights).ravel()
    variance = np.maximum(mean_square - mean**2, 0.0)
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
