"""Safety and reproducibility of fits and predictions.

Ctrl-C during a fit (in this process, and signalled to a fitting child process),
bit-identical refits, concurrent predictions, and inputs that fit never writes to
(read-only arrays, memmaps, read-only sparse matrices).
"""

import copy
import os
import signal
import sys
import threading
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import sparse
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

import sk_mlpbp._base
from sk_mlpbp import MLPBackpropClassifier, make_article_data
from tests._helpers import assert_same_model, ignore_convergence, interrupted_run

# -- Ctrl-C -----------------------------------------------------------------------

# Fits with one line per epoch until interrupted, then checks the model it kept.
FIT_UNTIL_INTERRUPTED = """
import warnings
import numpy as np
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from sk_mlpbp import MLPBackpropClassifier

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
clf = MLPBackpropClassifier(
    (32,), batch_size=8, max_iter=100_000, n_iter_no_change=np.inf, verbose=True,
    random_state=0,
)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    clf.fit(X, y)
assert any("interrupted" in str(w.message) for w in caught), caught
# "Epoch 2" was printed before the signal, so at least two epochs completed.
assert 2 <= clf.n_iter_ < 100_000, clf.n_iter_
assert clf.n_iter_ == len(clf.loss_curve_), (clf.n_iter_, len(clf.loss_curve_))
assert clf.t_ == clf.n_iter_ * len(y)
proba = clf.predict_proba(X)
assert np.isfinite(proba).all() and np.allclose(proba.sum(axis=1), 1.0)
print("OK", clf.n_iter_)
"""


def test_sigint_to_a_fitting_process_keeps_a_usable_model():
    returncode, out, err = interrupted_run(
        [sys.executable, "-u", "-c", FIT_UNTIL_INTERRUPTED], "Epoch 2,"
    )
    assert returncode == 0, err
    assert out.splitlines()[-1].startswith("OK"), out


def test_keyboard_interrupt_keeps_the_last_completed_epoch():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    kwargs = dict(
        hidden_layer_sizes=(32,), batch_size=8, n_iter_no_change=np.inf, random_state=0
    )
    clf = MLPBackpropClassifier(max_iter=100_000, **kwargs)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.warns(UserWarning, match="interrupted"):
            clf.fit(X, y)
    except KeyboardInterrupt:  # must not end the test session
        pytest.fail("KeyboardInterrupt escaped from fit")
    finally:
        timer.cancel()
    assert 0 < clf.n_iter_ < 100_000
    assert len(clf.loss_curve_) == clf.n_iter_
    assert clf.t_ == clf.n_iter_ * len(y)
    # The weights are exactly those of a fit that ran n_iter_ epochs.
    again = MLPBackpropClassifier(max_iter=clf.n_iter_, **kwargs)
    with pytest.warns(ConvergenceWarning):
        again.fit(X, y)
    assert_same_model(clf, again)
    assert_array_equal(clf.loss_curve_, again.loss_curve_)


# -- reproducibility ----------------------------------------------------------------


@ignore_convergence
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"batch_size": 16, "shuffle": True},
        {"batch_size": 1},
        {"early_stopping": True, "batch_size": 16},
        {"momentum": 0.9, "batch_size": 16, "nesterovs_momentum": False},
    ],
    ids=["default", "shuffled-minibatches", "online", "early-stopping", "momentum"],
)
def test_same_random_state_gives_bit_identical_models(three_classes, params):
    X, y = three_classes
    kwargs = dict(hidden_layer_sizes=(6, 4), max_iter=15, random_state=3, **params)
    first = MLPBackpropClassifier(**kwargs).fit(X, y)
    second = MLPBackpropClassifier(**kwargs).fit(X, y)
    assert_same_model(first, second)
    assert first.loss_curve_ == second.loss_curve_
    assert first.validation_scores_ == second.validation_scores_
    other = MLPBackpropClassifier(**{**kwargs, "random_state": 4}).fit(X, y)
    assert not np.array_equal(first.coefs_[0], other.coefs_[0])


@ignore_convergence
def test_grid_search_scores_do_not_depend_on_n_jobs(three_classes):
    X, y = three_classes
    grid = {"learning_rate": [0.5, 2.0], "hidden_layer_sizes": [(3,), (6,)]}
    estimator = MLPBackpropClassifier(batch_size=16, max_iter=10, random_state=0)
    scores = [
        GridSearchCV(estimator, grid, cv=3, n_jobs=n_jobs)
        .fit(X, y)
        .cv_results_["mean_test_score"]
        for n_jobs in (1, 2)
    ]
    assert_array_equal(scores[0], scores[1])
    assert len(set(scores[0])) > 1


# -- threads ------------------------------------------------------------------------


def test_concurrent_predict_proba_equals_the_sequential_result(fitted_model):
    rng = np.random.RandomState(1)
    inputs = [rng.normal(scale=1 + i, size=(2000 + 97 * i, 5)) for i in range(8)]
    expected = [fitted_model.predict_proba(X) for X in inputs]
    barrier = threading.Barrier(8)

    def predict(X):
        barrier.wait()
        return [fitted_model.predict_proba(X) for _ in range(5)]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(predict, inputs))
    for runs, reference in zip(results, expected):
        for proba in runs:
            assert_array_equal(proba, reference)


# -- inputs fit never writes to -----------------------------------------------------


@ignore_convergence
def test_fit_does_not_modify_its_inputs():
    X, y = make_article_data(30, random_state=0)
    X_before, y_before = X.copy(), y.copy()
    MLPBackpropClassifier((3,), max_iter=2, random_state=0).fit(X, y)
    assert_array_equal(X, X_before)
    assert_array_equal(y, y_before)


@ignore_convergence
def test_fit_never_writes_into_sample_weight():
    X, y = make_article_data(20, random_state=0)
    weights = np.linspace(0.5, 2.0, 20)
    before = weights.copy()
    MLPBackpropClassifier((3,), class_weight={0: 2.0}, max_iter=2).fit(X, y, weights)
    assert_array_equal(weights, before)


def read_only(array):
    array = np.array(array)
    array.setflags(write=False)
    return array


def memmapped(array, path):
    np.save(path, array)
    return np.load(path, mmap_mode="r")


@ignore_convergence
@pytest.mark.parametrize("storage", ["read-only-array", "memmap"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("params", [{"batch_size": 7}, {"batch_size": 1}])
def test_fit_reads_read_only_inputs_and_never_writes_to_them(
    three_classes, tmp_path, storage, dtype, params
):
    X, y = three_classes
    weights = np.linspace(0.5, 2.0, len(y))
    originals = [X.astype(dtype), y, weights]
    if storage == "memmap":
        inputs = [memmapped(a, tmp_path / f"{i}.npy") for i, a in enumerate(originals)]
    else:
        inputs = [read_only(a) for a in originals]
    clf = MLPBackpropClassifier((4,), max_iter=3, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "With batch_size=1", UserWarning)
        X_in, y_in, weights_in = inputs
        clf.fit(X_in, y_in, sample_weight=weights_in)
        clf.partial_fit(X_in, y_in, sample_weight=weights_in)
        clf.set_params(early_stopping=True).fit(X_in, y_in, sample_weight=weights_in)
    for given, original in zip(inputs, originals):
        assert_array_equal(given, original)
    assert np.isfinite(clf.predict_proba(inputs[0])).all()


@ignore_convergence
def test_fit_reads_a_read_only_sparse_matrix(three_classes):
    X, y = three_classes
    X = sparse.csr_matrix(np.where(np.abs(X) > 1, X, 0.0))
    data_before = X.data.copy()
    for array in (X.data, X.indices, X.indptr):
        array.setflags(write=False)
    clf = MLPBackpropClassifier((4,), batch_size=7, max_iter=3, random_state=0)
    clf.fit(X, y)
    assert_array_equal(X.data, data_before)
    assert np.isfinite(clf.predict_proba(X)).all()


# -- memory --------------------------------------------------------------------------


@ignore_convergence
@pytest.mark.parametrize("validation", [False, True], ids=["train", "validation"])
def test_a_long_fit_runs_in_constant_memory(validation):
    """Memory grows by the curves' entries only: nothing else is kept per epoch."""
    X, y = make_article_data(20, random_state=0)
    fit_params = {}
    if validation:
        fit_params = dict(
            zip(["X_val", "y_val"], make_article_data(20, random_state=1))
        )
    allocated = {}

    def measure(estimator):
        if estimator.n_iter_ in (500, 2500):
            allocated[estimator.n_iter_] = tracemalloc.get_traced_memory()[0]

    clf = MLPBackpropClassifier((4,), max_iter=2500, n_iter_no_change=np.inf)
    clf._epoch_hook = measure
    tracemalloc.start()
    try:
        clf.fit(X, y, **fit_params)
    finally:
        tracemalloc.stop()
    # A float in a list is 32 bytes: loss_curve_, and with validation data
    # validation_scores_ and validation_loss_curve_ too; the margin is for the
    # interpreter's own caches. A callback subcontext kept per epoch was 460 bytes.
    curves = 3 if validation else 1
    per_epoch = (allocated[2500] - allocated[500]) / 2000
    assert per_epoch < 32 * curves + 100


# -- concurrent fits -----------------------------------------------------------------


@ignore_convergence
@pytest.mark.parametrize("second", ["fit", "partial_fit"])
def test_a_second_concurrent_fit_of_one_estimator_raises(second):
    X, y = make_article_data(60, random_state=0)
    X3, y3 = np.c_[X, X[:, :1]], np.arange(60) % 3  # another width, other classes
    clf = MLPBackpropClassifier((4,), max_iter=20, n_iter_no_change=np.inf)
    errors = []

    def fit_from_another_thread(estimator):
        try:
            if second == "fit":
                estimator.fit(X3, y3)
            else:
                estimator.partial_fit(X3, y3, classes=[0, 1, 2])
        except RuntimeError as error:
            errors.append(error)

    def run_in_thread(estimator):
        # Once: the hook is the estimator's, so a fit it let through would call it.
        if estimator.n_iter_ == 5 and not started:
            started.append(True)
            thread = threading.Thread(target=fit_from_another_thread, args=(estimator,))
            thread.start()
            thread.join()

    started = []
    clf._epoch_hook = run_in_thread
    clf.fit(X, y)
    assert len(errors) == 1
    assert "already being fitted" in str(errors[0])
    # The first fit ran undisturbed, and the estimator fits again afterwards.
    assert clf.n_iter_ == len(clf.loss_curve_) == 20
    assert clf.classes_.tolist() == [0, 1]
    assert [W.shape for W in clf.coefs_] == [(3, 4), (4, 1)]
    del clf._epoch_hook
    assert clf.fit(X3, y3).classes_.tolist() == [0, 1, 2]


def test_a_fit_that_fails_leaves_the_estimator_free_to_fit():
    clf = MLPBackpropClassifier((4,), max_iter=2)
    with pytest.raises(ValueError):
        clf.fit([[1.0], [2.0]], [0, 0])
    X, y = make_article_data(20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert clf.fit(X, y).n_iter_ == 2


# -- a fit that fails or is interrupted before its first epoch -----------------------


def _hundred_classes():
    X, y = make_classification(
        600, 20, n_informative=15, n_classes=100, n_clusters_per_class=1,
        flip_y=0, class_sep=2, random_state=0,
    )  # fmt: skip
    return X, y


def test_a_failed_first_fit_leaves_the_estimator_unfitted():
    # early_stopping=True cannot hold out 100 classes of 6 rows: fit raises, and
    # the estimator must not look fitted (it used to predict from untrained
    # weights).
    clf = MLPBackpropClassifier(early_stopping=True)
    with pytest.raises(ValueError, match="stratified"):
        clf.fit(*_hundred_classes())
    with pytest.raises(NotFittedError):
        clf.predict(np.zeros((1, 20)))
    assert vars(clf) == vars(MLPBackpropClassifier(early_stopping=True))


@ignore_convergence
def test_a_failed_refit_keeps_the_previous_model():
    X, y = _hundred_classes()
    clf = MLPBackpropClassifier((8,), max_iter=3, random_state=0).fit(X, y)
    before = {name: copy.deepcopy(value) for name, value in vars(clf).items()}
    clf.set_params(early_stopping=True)
    with pytest.raises(ValueError, match="stratified"):
        clf.fit(X, y)
    assert set(vars(clf)) == set(before)
    assert_same_model(clf, before_model(before))
    assert clf.n_iter_ == before["n_iter_"] and clf.loss_curve_ == before["loss_curve_"]


def before_model(attributes):
    model = MLPBackpropClassifier()
    vars(model).update(attributes)
    return model


@pytest.mark.parametrize("where", ["calibration_rows", "make_epoch"])
@pytest.mark.parametrize("fitted", [False, True])
def test_ctrl_c_before_the_first_epoch_leaves_the_estimator_as_it_was(
    monkeypatch, where, fitted
):
    # Ctrl-C while fit prepares (calibration_rows) or during the first epoch: fit
    # ends with the interrupt warning and changes nothing. It used to raise
    # KeyboardInterrupt from the preparation, and to leave untrained weights after
    # an interrupted first epoch.
    X, y = make_classification(200, 5, random_state=0)
    clf = MLPBackpropClassifier((4,), max_iter=2, random_state=0)
    if fitted:
        with pytest.warns(ConvergenceWarning):
            clf.fit(X, y)
    before = {name: copy.deepcopy(value) for name, value in vars(clf).items()}

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    if where == "make_epoch":
        real = sk_mlpbp._base.make_epoch

        def make_epoch(*args, **kwargs):
            epoch = real(*args, **kwargs)
            epoch.run = interrupt
            return epoch

        monkeypatch.setattr(sk_mlpbp._base, "make_epoch", make_epoch)
    else:
        monkeypatch.setattr(sk_mlpbp._base, where, interrupt)
    try:
        with pytest.warns(UserWarning, match="interrupted"):
            assert clf.set_params(max_iter=5).fit(X[::-1], y[::-1]) is clf
    except KeyboardInterrupt:  # must not end the test session
        pytest.fail("KeyboardInterrupt escaped from fit")
    assert set(vars(clf)) == set(before)
    if fitted:
        assert_same_model(clf, before_model(before))
        assert clf.loss_curve_ == before["loss_curve_"]
    else:
        with pytest.raises(NotFittedError):
            clf.predict(X)


def test_prediction_memory_is_bounded_by_the_rows_however_wide_a_layer():
    # A model file crafted with 2,000,000 hidden units (weights of 16 MB): its
    # predict_proba on 100 rows used to allocate 64 rows of the widest layer,
    # 992 MiB traced; one row of it is 16 MB.
    clf = MLPBackpropClassifier((3,))
    clf.fit(np.zeros((4, 1)), [0, 1, 0, 1])
    clf.coefs_ = [np.ones((1, 2_000_000)), np.full((2_000_000, 1), 1e-6)]
    clf.intercepts_ = [np.zeros(2_000_000), np.zeros(1)]
    tracemalloc.start()
    try:
        proba = clf.predict_proba(np.zeros((100, 1)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.isfinite(proba).all()
    assert peak < 100 * 2**20
