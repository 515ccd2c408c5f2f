"""Fit's peak memory is bounded by the data, whatever the number of outputs.

The target matrix T is boolean, one byte a target: nothing in ``fit`` makes a float
copy of it, or of the outputs of every row (the error of the best constant, the
error and accuracy measured on the training or validation rows), and measuring the
start reads the 1,000 calibration rows of X a chunk at a time instead of copying
them. Memory is what tracemalloc traces during ``fit``, the inputs (allocated
before) excluded; there are no timings here.
"""

import tracemalloc
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sk_mlpbp import MLPBackpropClassifier


def peak_of_fit(estimator, *args, **kwargs):
    """Return the peak memory in bytes that tracemalloc traces during ``fit``."""
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(*args, **kwargs)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def one_epoch(**params):
    params = {"max_iter": 1, **params}
    return MLPBackpropClassifier((10,), batch_size=200, random_state=0, **params)


def test_a_1000_label_indicator_costs_little_more_than_its_targets():
    # The error of the best constant output made float64 copies of T and of
    # mean - T, and so did the end-of-fit check of the model's error on the
    # training rows: 17 times T's bytes (1,626 MiB for 100,000 rows).
    rng = np.random.RandomState(0)
    X = rng.standard_normal((5000, 20))
    y = (rng.random_sample((5000, 1000)) < 0.05).astype(np.int8)
    peak = peak_of_fit(one_epoch(early_stopping=False), X, y)
    assert peak < 4 * y.size  # T: one byte a target


def test_1000_classes_cost_less_than_in_mlpclassifier():
    # MLPClassifier holds an int64 indicator matrix of the classes (8 bytes a
    # target); fit peaked at twice its memory (858 against 1,626 MiB on 100,000 rows).
    rng = np.random.RandomState(0)
    X = rng.standard_normal((5000, 20))
    y = np.arange(5000) % 1000
    ours = peak_of_fit(one_epoch(early_stopping=False), X, y)
    theirs = peak_of_fit(
        MLPClassifier((10,), activation="logistic", solver="sgd", max_iter=1),
        X,
        y,
    )
    assert ours < 4 * y.shape[0] * 1000  # T: one byte a target
    assert ours < theirs / 2


def test_validating_each_epoch_holds_no_outputs_of_every_validation_row():
    # The validation error and accuracy of every epoch came from the outputs of all
    # validation rows at once, in float64: several times 8 bytes a target.
    rng = np.random.RandomState(0)
    X, X_val = rng.standard_normal((500, 20)), rng.standard_normal((5000, 20))
    y = (rng.random_sample((500, 1000)) < 0.05).astype(np.int8)
    y_val = (rng.random_sample((5000, 1000)) < 0.05).astype(np.int8)
    clf = one_epoch(max_iter=2)
    peak = peak_of_fit(clf, X, y, X_val=X_val, y_val=y_val)
    assert len(clf.validation_loss_curve_) == 2
    assert peak < 4 * y_val.size  # T_val: one byte a target


def test_measuring_the_start_holds_no_copy_of_the_rows_of_a_wide_X():
    # The weights' scale and the "auto" learning rates are measured on 1,000 rows
    # of X; they were copied whole in float64, and then again divided by their
    # largest value (2 x 16 MB here).
    rng = np.random.RandomState(0)
    X = rng.standard_normal((2000, 2000))
    y = np.arange(2000) % 2
    peak = peak_of_fit(one_epoch(early_stopping=False), X, y)
    rows_in_float64 = 1000 * X.shape[1] * 8
    assert peak < rows_in_float64 / 2


def test_judging_the_returned_model_copies_no_sample_of_a_wide_X():
    # The end-of-fit check measures 1,000 evenly spaced rows first; gathering them
    # whole from a 2,000-column X would be a 16 MB copy (peak 3.4 MiB without).
    rng = np.random.RandomState(0)
    X, y = rng.standard_normal((5000, 2000)), rng.randint(0, 2, 5000)
    peak = peak_of_fit(one_epoch(early_stopping=False), X, y)
    assert peak < 8 * 2**20
