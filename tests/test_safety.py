"""Safety and reproducibility: Ctrl-C signalled to a fitting process, bit-identical
refits, concurrent predictions, read-only inputs, pickle and skops round trips, and
the warning for a model saved by another version."""

import pickle
import signal
import subprocess
import sys
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

import sk_mlpbp
from sk_mlpbp import MLPBackpropClassifier
from sk_mlpbp.exceptions import InconsistentVersionWarning

ignore_convergence = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


def assert_same_model(first, second):
    for W, V in zip(
        first.coefs_ + first.intercepts_, second.coefs_ + second.intercepts_
    ):
        assert_array_equal(W, V)


@pytest.fixture(scope="module")
def three_classes():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 5))
    y = np.argmax(X[:, :3], axis=1)
    return X, y


@pytest.fixture(scope="module")
def fitted(three_classes):
    X, y = three_classes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MLPBackpropClassifier((6, 4), max_iter=20, random_state=0).fit(X, y)


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
    child = subprocess.Popen(
        [sys.executable, "-u", "-c", FIT_UNTIL_INTERRUPTED],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in child.stdout:
            if line.startswith("Epoch 2,"):
                child.send_signal(signal.SIGINT)
                break
        out, err = child.communicate(timeout=600)
    finally:
        child.kill()
    assert child.returncode == 0, err
    assert out.splitlines()[-1].startswith("OK"), out


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


def test_concurrent_predict_proba_equals_the_sequential_result(fitted):
    rng = np.random.RandomState(1)
    inputs = [rng.normal(scale=1 + i, size=(2000 + 97 * i, 5)) for i in range(8)]
    expected = [fitted.predict_proba(X) for X in inputs]
    barrier = threading.Barrier(8)

    def predict(X):
        barrier.wait()
        return [fitted.predict_proba(X) for _ in range(5)]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(predict, inputs))
    for runs, reference in zip(results, expected):
        for proba in runs:
            assert_array_equal(proba, reference)


# -- read-only inputs ---------------------------------------------------------------


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


# -- persistence ----------------------------------------------------------------------


def skops_dumps(clf):
    return pytest.importorskip("skops.io").dumps(clf)


def skops_loads(data):
    sio = pytest.importorskip("skops.io")
    untrusted = sio.get_untrusted_types(data=data)
    # Nothing but the estimator itself needs trusting.
    assert untrusted == ["sk_mlpbp._mlp.MLPBackpropClassifier"]
    return sio.loads(data, trusted=untrusted)


FORMATS = [
    pytest.param((pickle.dumps, pickle.loads), id="pickle"),
    pytest.param((skops_dumps, skops_loads), id="skops"),
]


def round_trip(clf, dumps=pickle.dumps, loads=pickle.loads):
    return loads(dumps(clf))


@pytest.mark.parametrize("serialization", FORMATS)
def test_round_trips_predict_identically(fitted, three_classes, serialization):
    X, _ = three_classes
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        loaded = round_trip(fitted, *serialization)
    assert_same_model(fitted, loaded)
    assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    assert_array_equal(loaded.predict(X), fitted.predict(X))
    assert loaded.get_params() == fitted.get_params()
    assert loaded.loss_curve_ == fitted.loss_curve_


@pytest.mark.parametrize("serialization", FORMATS)
def test_loading_a_model_of_another_version_warns(
    fitted, three_classes, serialization, monkeypatch
):
    X, _ = three_classes
    dumps, loads = serialization
    data = dumps(fitted)
    saved_by = sk_mlpbp.__version__
    monkeypatch.setattr(sk_mlpbp, "__version__", "99.0")
    with pytest.warns(InconsistentVersionWarning) as record:
        loaded = loads(data)
    (warning,) = [w.message for w in record]
    assert warning.original_version == saved_by
    assert warning.current_version == "99.0"
    assert f"saved by sk_mlpbp {saved_by}" in str(warning)
    assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))


def test_a_model_pickled_before_versions_were_recorded_warns(fitted):
    state = fitted.__getstate__()
    del state["_sk_mlpbp_version"]
    loaded = MLPBackpropClassifier.__new__(MLPBackpropClassifier)
    with pytest.warns(InconsistentVersionWarning, match="saved by sk_mlpbp unknown"):
        loaded.__setstate__(state)
    assert "_sk_mlpbp_version" not in vars(loaded)


def test_pickled_state_records_the_version_but_the_model_does_not_keep_it(fitted):
    assert fitted.__getstate__()["_sk_mlpbp_version"] == sk_mlpbp.__version__
    assert "_sk_mlpbp_version" not in vars(round_trip(fitted))
    assert "_sk_mlpbp_version" not in vars(fitted)


def test_unfitted_and_partially_fitted_models_round_trip(three_classes):
    X, y = three_classes
    clf = MLPBackpropClassifier((3,), learning_rate=0.7, random_state=0)
    assert round_trip(clf).get_params() == clf.get_params()
    clf.partial_fit(X, y, classes=[0, 1, 2])
    loaded = round_trip(clf).partial_fit(X, y)
    clf.partial_fit(X, y)
    assert_same_model(clf, loaded)
