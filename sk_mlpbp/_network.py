"""The network's math on arrays: initial weights, forward pass, backward pass.

Nothing here sees the estimator: the functions take the weights ``coefs`` (the
article's ItoH, ..., HtoO), the biases ``intercepts`` and preallocated buffers. The
step that moves the weights is the optimizer's (:mod:`sk_mlpbp._optim`), and an
epoch's loop over the batches is in :mod:`sk_mlpbp._epoch`.
"""

import numpy as np
from scipy import sparse

from sk_mlpbp._activations import inplace_logistic, inplace_logistic_derivative


def initial_weights(layer_units, weight_init, dtype, random_state):
    """Draw the weights of a network with ``layer_units`` units per layer.

    ``"uniform"`` and ``"data"`` draw every weight from U(-1, 1) (``"data"`` is
    scaled afterwards, once the inputs are known: see
    :func:`sk_mlpbp._calibration.scaled_weights`); ``"glorot"`` draws a layer's
    weights from U(-b, b) with ``b = sqrt(12 / (fan_in + fan_out))``. Biases start
    at 0.

    Parameters
    ----------
    layer_units : list of int
        Units of every layer, input and output included.

    weight_init : {"data", "glorot", "uniform"}
        How the weights are drawn.

    dtype : numpy dtype
        The dtype of the weights.

    random_state : RandomState
        The source of the draws.

    Returns
    -------
    coefs : list of ndarray
        ``coefs[i]`` of shape (layer_units[i], layer_units[i + 1]).

    intercepts : list of ndarray
        ``intercepts[i]`` of shape (layer_units[i + 1],), zeros.
    """
    coefs, intercepts = [], []
    for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
        bound = np.sqrt(12.0 / (fan_in + fan_out)) if weight_init == "glorot" else 1.0
        # Drawn in float64 so that float32 and float64 fits start from the same
        # weights, up to rounding.
        coef = random_state.uniform(-bound, bound, (fan_in, fan_out))
        coefs.append(coef.astype(dtype, copy=False))
        intercepts.append(np.zeros(fan_out, dtype=dtype))
    return coefs, intercepts


def forward(
    X,
    coefs,
    intercepts,
    S_postA,
    *,
    activate_output=True,
    guard=False,
    check=None,
    S_preA=None,
):
    """Run the forward pass of the rows of ``X`` into the buffers ``S_postA``.

    Layer by layer, ``S_preA = S_postA(below) @ W + b`` and then
    ``S_postA = f_A(S_preA)``, in place.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_rows, n_features)
        The inputs, the post-activations of the input layer.

    coefs, intercepts : list of ndarray
        The weights and biases of every layer.

    S_postA : list of ndarray
        ``S_postA[i]`` of shape (n_rows, coefs[i].shape[1]) receives the
        post-activations of layer ``i + 1``.

    activate_output : bool, default=True
        Whether the output layer's pre-activations go through f_A; when False,
        ``S_postA[-1]`` is left holding S_preA,O.

    guard : bool, default=False
        Whether every product is guarded (see :func:`dot_into`), so that finite
        inputs and weights never give a NaN however large they are.

    check : callable, default=None
        Called without arguments when the first layer's ``X @ W`` does not sum to a
        finite number, before anything else: where X holds NaN or infinity, this is
        the one place it shows (prediction checks X there and raises).

    S_preA : list, default=None
        When given, receives a copy of every layer's pre-activations S_preA (the
        step trace of :mod:`sk_mlpbp._explain` shows them; training never keeps them,
        as ``f_A'`` is computed from S_postA).

    Returns
    -------
    output : ndarray of shape (n_rows, n_outputs)
        ``S_postA[-1]``.
    """
    below = X
    last = len(coefs) - 1
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        layer = dot_into(below, W, S_postA[i], guard=guard, check=check)
        check = None
        layer += b  # S_preA
        if S_preA is not None:
            S_preA.append(layer.copy())
        if i < last or activate_output:
            inplace_logistic(layer)  # S_postA
        below = layer
    return below


def backward(S_postA, S_ERROR, coefs, LR=None, sample_weight=None, guard=False):
    """Turn the output layer's error signal into every layer's step-sized S_ERROR.

    The backward pass is linear in S_ERROR,O, so scaling its rows by each sample's
    share of the batch makes every gradient the batch's (weighted) mean, and folding
    each layer's LR in makes every later product ``S_postA(below).T @ S_ERROR`` equal
    to ``LR * gradient``, the step itself. All signals come from the weights as they
    are before the step. Without ``LR`` nothing is folded in: every ``S_ERROR[i]``
    is then the article's error signal of each sample (the step trace's).

    Parameters
    ----------
    S_postA : list of ndarray
        ``S_postA[0]`` the batch's inputs, ``S_postA[i]`` the post-activations of
        layer ``i`` from the forward pass.

    S_ERROR : list of ndarray
        ``S_ERROR[i]`` of shape (n_rows, coefs[i].shape[1]). On entry
        ``S_ERROR[-1]`` holds the output layer's ``FE * f_A'(S_preA,O)``; on return
        every ``S_ERROR[i]`` is layer ``i + 1``'s error signal times its share of
        the batch and ``LR[i]`` (just the error signal without ``LR``).

    coefs : list of ndarray
        The weights.

    LR : list of float, default=None
        The learning rate of every layer; None to fold in neither rates nor shares.

    sample_weight : ndarray of shape (n_rows,), default=None
        The batch's sample weights; None for equal weights.

    guard : bool, default=False
        Whether every product is guarded (see :func:`dot_into`).
    """
    n_rows = S_ERROR[-1].shape[0]
    if LR is None:
        LR = [1.0] * len(coefs)
    elif sample_weight is None:
        S_ERROR[-1] *= LR[-1] / n_rows
    else:
        # Each sample's share first: in [0, 1] whatever the weights' scale, so that
        # a huge LR over a tiny total weight cannot overflow.
        share = sample_weight / sample_weight.sum()
        S_ERROR[-1] *= (share * LR[-1])[:, np.newaxis]
    for i in range(len(coefs) - 1, 0, -1):
        # S_ERROR,h = (S_ERROR,h+1 @ W.T) * f_A'(S_preA,h); with per-layer rates,
        # S_ERROR carries the rate of its own layer.
        dot_into(S_ERROR[i], coefs[i].T, S_ERROR[i - 1], guard=guard)
        inplace_logistic_derivative(S_postA[i], S_ERROR[i - 1])
        if LR[i - 1] != LR[i]:
            S_ERROR[i - 1] *= LR[i - 1] / LR[i]


def dot_into(a, b, out, guard=False, check=None):
    """Compute ``out = a @ b``, where ``a`` may be sparse (the product is dense).

    Parameters
    ----------
    a : {ndarray, sparse matrix} of shape (n, k)
        The left operand.

    b : ndarray of shape (k, m)
        The right operand.

    out : ndarray of shape (n, m)
        Receives the product.

    guard : bool, default=False
        Whether products of finite operands that overflow are kept off NaN. A sum
        of terms too large for floating point, some positive and some negative,
        comes out as ``inf - inf = NaN``; such entries are computed again on
        operands scaled into [-1, 1] and scaled back, which gives the infinity of
        the sum's sign (or its finite value). Only a product that does not sum to a
        finite number is looked at, so the guard costs one sum.

    check : callable, default=None
        Called without arguments, first, when the product does not sum to a
        finite number.

    Returns
    -------
    out : ndarray of shape (n, m)
        The product.
    """
    if sparse.issparse(a):
        np.copyto(out, a @ b)
    else:
        np.dot(a, b, out=out)
    if (guard or check is not None) and not np.isfinite(out.sum()):
        if check is not None:
            check()
        if guard:
            _recompute_overflow(a, b, out)
    return out


def _recompute_overflow(a, b, out):
    """Recompute, on scaled operands, the entries of ``out = a @ b`` that are NaN."""
    nan = np.isnan(out)
    rows = np.flatnonzero(nan.any(axis=1))
    if rows.size == 0:
        return
    a_rows = a[rows].toarray() if sparse.issparse(a) else a[rows]
    # A row with a NaN has a nonzero term, so neither scale is 0.
    a_scale = np.abs(a_rows).max(axis=1, keepdims=True)
    b_scale = np.abs(b).max()
    # Each scaled term is in [-1, 1], so their sum is finite; scaling it back can
    # only overflow to the infinity of its sign.
    rescaled = np.dot(a_rows / a_scale, b / b_scale)
    rescaled *= a_scale
    rescaled *= b_scale
    out[rows] = np.where(nan[rows], rescaled, out[rows])
