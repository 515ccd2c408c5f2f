"""Shared constants and helpers of the tests (the fixtures are in conftest.py).

``ARTICLE`` is the one definition of the article's network and update rule; a test
that varies one of its parameters writes ``{**ARTICLE, "batch_size": 4}``.
"""

import signal
import subprocess

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

# The article's network: 4 hidden logistic units, LR = 1, one sample per step in the
# given order, no biases, and weights drawn from U(-1, 1).
ARTICLE = dict(
    hidden_layer_sizes=(4,),
    learning_rate=1.0,
    batch_size=1,
    shuffle=False,
    use_bias=False,
    weight_init="uniform",
)

# Short fits stop at max_iter on purpose; the ConvergenceWarning says nothing there.
ignore_convergence = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


def three_classes(n_samples, n_features, labels=(0, 1, 2), seed=0):
    """Return normal X of ``n_samples`` rows and ``n_features`` columns, and its labels.

    The class of a row is the largest of its first three columns.
    """
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features))
    return X, np.asarray(labels)[np.argmax(X[:, :3], axis=1)]


def random_problem(n_samples=23, n_classes=3, seed=0):
    """Return the generator for the weights, normal X and cycling labels.

    X has 4 columns, and the labels cycle through ``n_classes`` classes.
    """
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4))
    y = np.arange(n_samples) % n_classes
    return rng, X, y


def warm_started(clf, coefs, intercepts):
    """Give ``clf`` starting weights as a user would: assign, then warm-start."""
    clf.set_params(warm_start=True, shuffle=False)
    clf.coefs_ = [np.array(W) for W in coefs]
    clf.intercepts_ = [np.array(b) for b in intercepts]
    return clf


def parameters(clf):
    """Every weight and bias of a fitted ``clf``, layer by layer."""
    return clf.coefs_ + clf.intercepts_


def assert_weights_close(actual, desired, **tolerance):
    """Assert that the weights and biases of ``actual`` equal those of ``desired``.

    ``tolerance`` is ``numpy.testing.assert_allclose``'s rtol and atol.
    """
    for W, V in zip(parameters(actual), parameters(desired)):
        assert_allclose(W, V, **tolerance)


def assert_same_model(first, second):
    """Bit-identical weights and biases."""
    for W, V in zip(parameters(first), parameters(second)):
        assert_array_equal(W, V)


def assert_matches_reference(clf, reference, atol=1e-8):
    """Weights, biases and loss curve equal a loop reference's, to ``atol``."""
    ref_coefs, ref_intercepts, ref_errors = reference
    for W, ref in zip(parameters(clf), ref_coefs + ref_intercepts):
        assert_allclose(W, ref, rtol=0, atol=atol)
    assert_allclose(clf.loss_curve_, ref_errors, rtol=0, atol=atol)


def interrupted_run(command, line_prefix, timeout=600):
    """Run ``command`` in a child process and press Ctrl-C once it prints a line.

    SIGINT is sent when the child writes a line starting with ``line_prefix`` to
    its standard output.

    Returns
    -------
    returncode : int
        The child's exit status.

    out, err : str
        The rest of its standard output, and its standard error.
    """
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        for line in child.stdout:
            if line.startswith(line_prefix):
                child.send_signal(signal.SIGINT)
                break
        out, err = child.communicate(timeout=timeout)
    finally:
        child.kill()
    return child.returncode, out, err
