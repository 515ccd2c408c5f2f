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


def forward(X, coefs, intercepts, S_postA, *, activate_output=True, check=None):
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

    check : callable, default=None
        Called with the first layer's ``S_preA = X @ W`` before the biases and f_A,
        the one place where every non-finite input shows (prediction checks X
        there).

    Returns
    -------
    output : ndarray of shape (n_rows, n_outputs)
        ``S_postA[-1]``.
    """
    below = X
    last = len(coefs) - 1
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        S_preA = dot_into(below, W, S_postA[i])
        if i == 0 and check is not None:
            check(S_preA)
        S_preA += b
        if i < last or activate_output:
            inplace_logistic(S_preA)
        below = S_preA
    return below


def backward(S_postA, S_ERROR, coefs, LR, sample_weight=None):
    """Turn the output layer's error signal into every layer's step-sized S_ERROR.

    The backward pass is linear in S_ERROR,O, so scaling its rows by each sample's
    share of the batch makes every gradient the batch's (weighted) mean, and folding
    each layer's LR in makes every later product ``S_postA(below).T @ S_ERROR`` equal
    to ``LR * gradient``, the step itself. All signals come from the weights as they
    are before the step.

    Parameters
    ----------
    S_postA : list of ndarray
        ``S_postA[0]`` the batch's inputs, ``S_postA[i]`` the post-activations of
        layer ``i`` from the forward pass.

    S_ERROR : list of ndarray
        ``S_ERROR[i]`` of shape (n_rows, coefs[i].shape[1]). On entry
        ``S_ERROR[-1]`` holds the output layer's ``FE * f_A'(S_preA,O)``; on return
        every ``S_ERROR[i]`` is layer ``i + 1``'s error signal times its share of
        the batch and ``LR[i]``.

    coefs : list of ndarray
        The weights.

    LR : list of float
        The learning rate of every layer.

    sample_weight : ndarray of shape (n_rows,), default=None
        The batch's sample weights; None for equal weights.
    """
    n_rows = S_ERROR[-1].shape[0]
    if sample_weight is None:
        S_ERROR[-1] *= LR[-1] / n_rows
    else:
        S_ERROR[-1] *= (LR[-1] / sample_weight.sum() * sample_weight)[:, np.newaxis]
    for i in range(len(coefs) - 1, 0, -1):
        # S_ERROR,h = (S_ERROR,h+1 @ W.T) * f_A'(S_preA,h); with per-layer rates,
        # S_ERROR carries the rate of its own layer.
        np.dot(S_ERROR[i], coefs[i].T, out=S_ERROR[i - 1])
        inplace_logistic_derivative(S_postA[i], S_ERROR[i - 1])
        if LR[i - 1] != LR[i]:
            S_ERROR[i - 1] *= LR[i - 1] / LR[i]


def dot_into(a, b, out):
    """Compute ``out = a @ b``, where ``a`` may be sparse (the product is dense)."""
    if sparse.issparse(a):
        np.copyto(out, a @ b)
        return out
    return np.dot(a, b, out=out)
