"""The logistic activation f_A and its derivative, as in-place array operations.

The article calls the signal entering a node its pre-activation ``S_preA`` and the
signal leaving it its post-activation ``S_postA = f_A(S_preA)``, with ``f_A`` the
logistic function. Its derivative is written in terms of the post-activation,
``f_A'(S_preA) = S_postA * (1 - S_postA)``, so the backward pass never needs to keep
the pre-activations.
"""

import numpy as np
from scipy.special import expit


def inplace_logistic(S_preA):
    """Turn pre-activations into post-activations in place: ``S_postA = f_A(S_preA)``.

    Parameters
    ----------
    S_preA : ndarray of shape (n_samples, n_units)
        Pre-activations; overwritten with the post-activations.
    """
    expit(S_preA, out=S_preA)


def logistic_derivative(S_postA, out):
    """``out = f_A'(S_preA) = S_postA * (1 - S_postA)``.

    Parameters
    ----------
    S_postA : ndarray
        Post-activations.

    out : ndarray of the same shape
        Receives the derivative.
    """
    # 1 - S_postA is exact for S_postA >= 0.5, so saturated units lose no precision.
    np.subtract(1, S_postA, out=out)
    out *= S_postA
    return out


def inplace_logistic_derivative(S_postA, delta):
    """Multiply ``delta`` in place by ``f_A'(S_preA) = S_postA * (1 - S_postA)``.

    Parameters
    ----------
    S_postA : ndarray of shape (n_samples, n_units)
        Post-activations of the layer whose pre-activations the derivative is taken at.

    delta : ndarray of shape (n_samples, n_units)
        The signal to scale; modified in place.
    """
    delta *= logistic_derivative(S_postA, out=np.empty_like(S_postA))
