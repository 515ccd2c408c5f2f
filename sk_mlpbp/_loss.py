"""The sum-of-squares error and the output layer's error signal S_ERROR."""

import numpy as np

from sk_mlpbp._activations import inplace_logistic_derivative


def sample_errors(FE):
    """Return the per-sample error ``E = 1/2 * sum_k FE_k ** 2`` of rows of FE."""
    return 0.5 * np.einsum("ij,ij->i", FE, FE)


def output_error_signal(S_postA_O, T, out, sample_weight=None):
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

    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the samples' errors in the sum.

    Returns
    -------
    error_sum : float
        The (weighted) sum over the samples of their error ``E``.
    """
    FE = np.subtract(S_postA_O, T, out=out)
    if sample_weight is None:
        flat = FE.reshape(-1)
        error_sum = 0.5 * float(np.dot(flat, flat))
    else:
        error_sum = float(np.dot(sample_weight, sample_errors(FE)))
    inplace_logistic_derivative(S_postA_O, FE)
    return error_sum


def mean_error(S_postA_O, T, sample_weight=None):
    """Return the (weighted) mean over samples of ``E = 1/2 * sum_k FE_k**2``.

    ``FE = S_postA,O - T`` is the final error of each output.

    Parameters
    ----------
    S_postA_O : ndarray of shape (n_samples, n_outputs)
        Post-activations of the output units.

    T : ndarray of shape (n_samples, n_outputs)
        Targets.

    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the samples in the mean.

    Returns
    -------
    error : float
        The mean error.
    """
    return float(np.average(sample_errors(S_postA_O - T), weights=sample_weight))


def constant_output_error(T, sample_weight=None):
    """Return the mean error E of the best constant output, the targets' mean.

    The best constant is the targets' (weighted) mean.

    It is ``1/2 * sum_k var(T_k)``; for 0/1 targets ``1/2 * sum_k p_k (1 - p_k)``
    with ``p_k`` the frequency of target k.

    Parameters
    ----------
    T : ndarray of shape (n_samples, n_outputs)
        Targets.

    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the samples.

    Returns
    -------
    error : float
        The mean error of the constant output.
    """
    T = np.asarray(T, dtype=np.float64)
    mean = np.average(T, axis=0, weights=sample_weight)
    return mean_error(np.broadcast_to(mean, T.shape), T, sample_weight)
