"""The BLAS thread policy of a fit (sk_mlpbp/_threads.py).

Small fits run on one thread, a caller's limit is never exceeded, and every fit,
however it ends, leaves the threads as it found them. No timings: which count is
faster is for benchmarks/threads.py to show.
"""

import threading
from contextlib import nullcontext

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import ThreadpoolController, threadpool_info, threadpool_limits

import sk_mlpbp._threads
from sk_mlpbp import MLPBackpropClassifier, make_article_data
from sk_mlpbp._epoch import Epoch, MinibatchEpoch
from tests._helpers import assert_same_model, assert_weights_close

pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


def blas_threads():
    """Return every loaded BLAS library's thread count, as threadpoolctl reads it."""
    return [
        lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"
    ]


@pytest.fixture
def two_threads():
    """Run the test with 2 BLAS threads allowed, so that a limit of 1 shows."""
    if not blas_threads():
        pytest.skip("no BLAS library that threadpoolctl can control is loaded")
    with threadpool_limits(limits=2, user_api="blas"):
        if min(blas_threads()) < 2:
            pytest.skip(
                "the BLAS cannot run 2 threads here (one core?), so a limit of 1 "
                "cannot be told from no limit"
            )
        yield


@pytest.fixture
def seen_during_epochs(monkeypatch):
    """Record the BLAS thread counts seen at the start of every epoch of a fit."""
    seen = []
    run = Epoch.run

    def recording_run(epoch):
        seen.append(blas_threads())
        return run(epoch)

    monkeypatch.setattr(Epoch, "run", recording_run)
    return seen


@pytest.fixture
def seen_during_steps(monkeypatch):
    """Record the BLAS thread counts seen at every training step of a fit."""
    seen = []
    step = MinibatchEpoch._step

    def recording_step(epoch, *args):
        seen.append(blas_threads())
        return step(epoch, *args)

    monkeypatch.setattr(MinibatchEpoch, "_step", recording_step)
    return seen


def count_every_fit_as_large_work(patch):
    """Make every fit probe its thread count while it trains, starting afresh.

    Nothing is carried over from an earlier test's fits.
    """
    patch.setattr(sk_mlpbp._threads, "SMALL_STEP", 0)
    patch.setattr(sk_mlpbp._threads, "_last", None)


@pytest.fixture
def large_work(monkeypatch):
    count_every_fit_as_large_work(monkeypatch)


def small_problem():
    return make_article_data(60, random_state=0)


def test_small_fit_runs_on_one_thread_and_restores_the_setting(
    two_threads, seen_during_epochs
):
    X, y = small_problem()
    MLPBackpropClassifier((4,), max_iter=3, random_state=0).fit(X, y)
    assert seen_during_epochs == [[1] * len(blas_threads())] * 3
    assert min(blas_threads()) == 2


def test_small_partial_fit_runs_on_one_thread_and_restores_the_setting(
    two_threads, seen_during_epochs
):
    X, y = small_problem()
    clf = MLPBackpropClassifier((4,), random_state=0)
    clf.partial_fit(X, y, classes=[0, 1]).partial_fit(X, y)
    assert seen_during_epochs == [[1] * len(blas_threads())] * 2
    assert min(blas_threads()) == 2


def test_large_fit_probes_more_threads_and_restores_the_setting(
    two_threads, large_work, seen_during_steps
):
    X, y = small_problem()
    MLPBackpropClassifier((4,), batch_size=2, max_iter=2, random_state=0).fit(X, y)
    # The probe starts on one thread, then tries two: whatever it picks, both show.
    assert {max(threads) for threads in seen_during_steps} == {1, 2}
    assert min(blas_threads()) == 2


def test_what_a_probe_found_carries_over_to_the_next_call(
    two_threads, large_work, monkeypatch, seen_during_steps
):
    # Two threads always win the probe here.
    monkeypatch.setattr(sk_mlpbp._threads, "MARGIN", -np.inf)
    X, y = small_problem()
    clf = MLPBackpropClassifier((4,), batch_size=2, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    assert max(seen_during_steps[0]) == 1
    assert max(seen_during_steps[-1]) == 2
    assert min(blas_threads()) == 2
    steps = len(seen_during_steps)
    with threadpool_limits(limits=1, user_api="blas"):
        clf.partial_fit(X, y)  # other limits: a fresh start on one thread
    assert {max(threads) for threads in seen_during_steps[steps:]} == {1}
    steps = len(seen_during_steps)
    clf.partial_fit(X, y)
    assert max(seen_during_steps[steps]) == 2


@pytest.mark.parametrize("work", ["small", "large"])
def test_a_callers_limit_of_one_thread_is_respected_and_kept(
    two_threads, monkeypatch, seen_during_steps, work
):
    if work == "large":
        count_every_fit_as_large_work(monkeypatch)
    X, y = small_problem()
    with threadpool_limits(limits=1, user_api="blas"):
        MLPBackpropClassifier((4,), batch_size=2, max_iter=2).fit(X, y)
        assert max(blas_threads()) == 1
    assert {max(threads) for threads in seen_during_steps} == {1}
    assert min(blas_threads()) == 2


def test_an_error_during_fit_restores_the_setting(two_threads, monkeypatch):
    def failing_run(epoch):
        assert max(blas_threads()) == 1
        raise RuntimeError("failed inside the epoch")

    monkeypatch.setattr(Epoch, "run", failing_run)
    X, y = small_problem()
    with pytest.raises(RuntimeError, match="failed inside the epoch"):
        MLPBackpropClassifier((4,)).fit(X, y)
    assert min(blas_threads()) == 2


@pytest.mark.parametrize("where", ["epoch", "set-up"])
def test_a_keyboard_interrupt_during_fit_restores_the_setting(
    two_threads, monkeypatch, where
):
    """Ctrl-C during a fit puts the threads back, wherever it comes.

    During an epoch or the set-up of the epochs it ends the fit with a warning (before
    the first epoch completes, leaving the estimator as it was).
    """

    def interrupted(*args, **kwargs):
        assert max(blas_threads()) == 1
        raise KeyboardInterrupt

    X, y = small_problem()
    clf = MLPBackpropClassifier((4,))
    if where == "epoch":
        monkeypatch.setattr(Epoch, "run", interrupted)
        with pytest.warns(UserWarning, match="interrupted"):
            clf.fit(X, y)
    else:
        monkeypatch.setattr(Epoch, "__init__", interrupted)
        with pytest.warns(UserWarning, match="interrupted"):
            clf.fit(X, y)
    assert min(blas_threads()) == 2


def test_a_fit_in_another_thread_leaves_the_caller_in_control(large_work):
    """A fit in a worker thread hands the control of the threads back.

    threadpoolctl (>= 3.8) lets one thread at a time set OpenBLAS's threads; a fit in a
    worker thread must hand that back, or the caller's limits would silently do nothing
    afterwards.
    """
    before = blas_threads()
    if not before or max(before) < 2:
        pytest.skip("the BLAS runs 1 thread here, so a limit of 1 cannot show")
    X, y = small_problem()
    clf = MLPBackpropClassifier((4,), batch_size=2, max_iter=2)
    worker = threading.Thread(target=clf.fit, args=(X, y))
    worker.start()
    worker.join()
    assert clf.n_iter_ == 2
    assert blas_threads() == before
    with threadpool_limits(limits=1, user_api="blas"):
        assert max(blas_threads()) == 1


def test_overlapping_fits_leave_the_setting_as_they_found_it(two_threads, monkeypatch):
    """A fit that starts while another holds the threads leaves them to it.

    Here the second fit starts during the first and ends after it, and when both have
    ended the threads are what they were before either.
    """
    second_started = threading.Event()
    first_done = threading.Event()
    run = Epoch.run
    first = MLPBackpropClassifier((4,), max_iter=1)
    second = MLPBackpropClassifier((4,), max_iter=1)
    X, y = small_problem()
    worker = threading.Thread(target=second.fit, args=(X, y))

    def overlapping_run(epoch):
        if epoch.coefs is first.coefs_:
            worker.start()
            second_started.wait(timeout=60)
        else:
            second_started.set()
            first_done.wait(timeout=60)
        return run(epoch)

    monkeypatch.setattr(Epoch, "run", overlapping_run)
    try:
        first.fit(X, y)
    finally:
        first_done.set()
        second_started.set()
        if worker.is_alive():
            worker.join()
    assert first.n_iter_ == second.n_iter_ == 1
    assert min(blas_threads()) == 2


def test_a_callers_limit_on_one_library_is_kept_for_it(
    two_threads, large_work, seen_during_steps
):
    """A caller's limit on one BLAS library holds while the probe tries another.

    With NumPy's and SciPy's BLAS loaded, a limit on one of them holds while the probe
    tries more threads on the other.
    """
    libraries = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    if len(libraries) < 2:
        pytest.skip("needs two BLAS libraries loaded (NumPy's and SciPy's)")
    X, y = small_problem()
    first_library = ThreadpoolController().select(filepath=libraries[0]["filepath"])
    with first_library.limit(limits=1):
        MLPBackpropClassifier((4,), batch_size=2, max_iter=2).fit(X, y)
        assert blas_threads()[:2] == [1, 2]
    assert {threads[0] for threads in seen_during_steps} == {1}
    assert {threads[1] for threads in seen_during_steps} == {1, 2}
    assert min(blas_threads()) == 2


def wide_problem():
    """Return data on which a network's results depend on the BLAS thread count.

    OpenBLAS sums the network's products differently on one thread and on two (an
    inner dimension of 400, beyond its block of 384 on this machine's kernels), while a
    step (200 x (400 x 20 + 20)) is still small work.
    """
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 400))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return X, y


def fits_under_limits(X, y, limits):
    fits = []
    for limit in limits:
        with threadpool_limits(limits=limit, user_api="blas"):
            clf = MLPBackpropClassifier((20,), max_iter=3, random_state=0)
            fits.append(clf.fit(X, y))
    return fits


def test_small_fits_are_identical_whatever_the_callers_thread_count(two_threads):
    X, y = wide_problem()
    one, two = fits_under_limits(X, y, [1, 2])
    assert_same_model(one, two)
    assert_array_equal(one.loss_curve_, two.loss_curve_)


@pytest.mark.parametrize("policy", ["off", "probing"])
def test_the_thread_count_changes_results_by_rounding_at_most(two_threads, policy):
    """The thread count changes a fit's model by rounding at most.

    Compared on one thread and on two (policy off), or on one and under the probe,
    which switches between counts while it trains.
    """
    X, y = wide_problem()
    with pytest.MonkeyPatch.context() as patch:
        if policy == "off":
            patch.setattr(
                "sk_mlpbp._base.fit_threads", lambda rows, coefs: nullcontext()
            )
        else:
            count_every_fit_as_large_work(patch)
        one, other = fits_under_limits(X, y, [1, 2])
    assert_weights_close(one, other, rtol=1e-9, atol=1e-12)
    assert_allclose(one.loss_curve_, other.loss_curve_, rtol=1e-9)


class FakeLibrary:
    """A BLAS library's controller that only records its thread count."""

    def __init__(self, num_threads):
        self.num_threads = num_threads

    def set_num_threads(self, num_threads):
        self.num_threads = num_threads


def probe(step_seconds, batches=40):
    """Run a probed policy over ``batches`` steps and return the counts they ran on.

    Each step has 200 rows and takes ``step_seconds[count]`` on ``count`` threads.
    """
    library = FakeLibrary(2)
    policy = sk_mlpbp._threads._Policy([library], [2], work=10**9)
    counts = []
    for _ in range(batches):
        counts.append(library.num_threads)
        policy._after_batch(200, step_seconds[library.num_threads])
    return counts


@pytest.mark.parametrize("faster", [1, 2])
def test_the_probe_keeps_the_faster_count(faster):
    counts = probe({faster: 1.0, 3 - faster: 1.3})
    assert counts[0] == 1
    assert set(counts[:18]) == {1, 2}
    assert set(counts[18:]) == {faster}


def test_the_probe_spends_little_on_a_much_slower_count():
    counts = probe({1: 1.0, 2: 20.0})
    assert counts.count(2) == 1
    assert set(counts[counts.index(2) + 1 :]) == {1}
