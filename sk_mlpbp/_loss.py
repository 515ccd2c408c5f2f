"""The sum-of-squares error and the output layer's error signal S_ERROR."""

import numpy as np

from sk_mlpbp._activations import inplace_logistic_derivative


def sample_errors(FE):
    """Return the per-sample error ``E = 1/2 * sum_k FE_k ** 2`` of rows of FE."""
    return 0.5 * np.einsum("ij,ij->i", FE, FE)


def output_error_signal(S_postA_O, T, out, sample_weight=None, activate_output=True):
    """Compute the output error signal and the summed sum-of-squares error.

    For every sample the final error is ``FE = S_postA,O - T`` and the error signal is
    ``S_ERROR = FE * f_A'(S_preA,O)`` (just FE for identity output units, whose
    derivative is 1); the per-sample error is ``E = 1/2 * sum_k FE_k ** 2``.

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

    activate_output : bool, default=True
        Whether the output units are logistic (the article's); else identity.

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
    if activate_output:
        inplace_logistic_derivative(S_postA_O, FE)
    return error_sum


def constant_output_error(T, sample_weight=None):
    """Return the mean error E of the best constant output, the targets' mean.

    The best constant is the targets' (weighted) mean, and its error is
    ``1/2 * sum_k var(T_k)``: for 0/1 targets ``1/2 * sum_k p_k (1 - p_k)`` with
    ``p_k`` the (weighted) frequency of target k. Only the frequencies are computed,
    one number per output, never a float copy of T. Float targets (a regressor's)
    get their (weighted) variance.

    Parameters
    ----------
    T : ndarray of shape (n_samples, n_outputs)
        Targets: 0 or 1 (boolean), or floats.

    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the samples.

    Returns
    -------
    error : float
        The mean error of the constant output.
    """
    if T.dtype != bool:
        mean = np.average(T, axis=0, weights=sample_weight)
        variance = np.average((T - mean) ** 2, axis=0, weights=sample_weight)
        return 0.5 * float(variance.sum())
    if sample_weight is None:
        p = T.sum(axis=0) / T.shape[0]
    else:
        # einsum casts T to float a buffer at a time (w @ T would copy it whole).
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        p = np.einsum("i,ik->k", sample_weight, T) / sample_weight.sum()
        # A target on in every row (with positive weight) has the frequency 1, which
        # the two sums' rounding can put just below or above.
        p[T.all(axis=0)] = 1.0
        np.minimum(p, 1.0, out=p)
    return 0.5 * float(np.dot(p, 1.0 - p))
