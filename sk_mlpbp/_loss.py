"""The sum-of-squares error and the output layer's error signal S_ERROR."""

import numpy as np

from sk_mlpbp._activations import inplace_logistic_derivative


def output_error_signal(S_postA_O, T, out):
    """Compute the output error signal and the summed sum-of-squares error.

    For every sample the final error is ``FE = S_postA,O - T`` and the error signal is
    ``S_ERROR = FE * f_A'(S_preA,O)``; the per-sample error is
    ``E = 1/2 * sum_k FE_k ** 2``.

    Parameters
    ----------
    S_postA_O : ndarray of shape (n_samples, n_outputs)
        Post-activations of the output units.

    T : ndarray of shape (n_samples, n_outputs)
        Targets.

    out : ndarray of shape (n_samples, n_outputs)
        Receives ``S_ERROR``.

    Returns
    -------
    error_sum : float
        The sum over the samples of their error ``E``.
    """
    FE = np.subtract(S_postA_O, T, out=out)
    flat = FE.reshape(-1)
    error_sum = 0.5 * float(np.dot(flat, flat))
    inplace_logistic_derivative(S_postA_O, FE)
    return error_sum
