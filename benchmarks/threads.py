"""BLAS threads: 2 threads, 1 thread and the automatic policy, quiet and busy.

Times small and large work with the BLAS threads forced to 2 and to 1 (the thread
policy switched off, as before it existed) and with the automatic policy of
``sk_mlpbp/_threads.py``, each on the machine as it is ("quiet") and with a busy
process that this script starts: a pure-Python loop that keeps one core busy, as
another job on the machine would ("busy"). MLPClassifier runs beside them with 2 and 1
threads for reference. Each repeat runs every contender once in both conditions,
taking turns, and the table shows the best of ``--repeats`` times and their ratios.

    python benchmarks/threads.py                 # full size, 3 repeats
    python benchmarks/threads.py --quick         # a quick look: small sizes, 1 repeat

Workloads:
  iris         the class docstring's example: StandardScaler + the default
               estimator on load_iris, fit
  quick start  the README's quick start: StandardScaler + the default estimator,
               fit on load_digits' training split, then score on its test split
  large        bench.py's workload 1: 60,000 x 784 float64, hidden 100, batch 200,
               plain SGD, one epoch (--epochs)
"""

import argparse
import multiprocessing
import time
import warnings
from contextlib import contextmanager, nullcontext
from functools import partial
from unittest import mock

import numpy as np
from bench import BATCH, HIDDEN, mnist_shaped, ours, sklearns
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

from sk_mlpbp import MLPBackpropClassifier

# The busy process ends by itself after this many seconds, should this script die
# before it can stop it.
BUSY_LIMIT = 3600
CONDITIONS = ("quiet", "busy")
# (features, hidden units) of the networks that --crossover times, 10 classes.
CROSSOVER = [(64, 30), (64, 100), (100, 100), (64, 300), (200, 100), (256, 256),
             (784, 30), (784, 100), (784, 300)]  # fmt: skip


def spin(seconds):
    """Keep one core busy for ``seconds``, as a pure-Python job would."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def policy_off():
    """Return a patch that switches the estimator's thread policy off.

    The BLAS threads are then as the caller set them, which is how a fit ran before
    the policy existed.
    """
    return mock.patch("sk_mlpbp._base.fit_threads", lambda rows, coefs: nullcontext())


def forced(function, threads, policy=False):
    """Return ``function`` made to run with the BLAS threads limited to ``threads``.

    With ``policy=False`` our estimator's thread policy is off, so the limit is the
    count.
    """

    def run():
        with nullcontext() if policy else policy_off(), threadpool_limits(threads):
            function()

    return run


def contenders(workload):
    """Return ``{name: function}``, each timing a run of ``workload`` in one setting."""
    ours_fit, sklearn_fit = workload
    return {
        "2 threads": forced(ours_fit, 2),
        "1 thread": forced(ours_fit, 1),
        "auto": ours_fit,
        "MLPClassifier, 2": forced(sklearn_fit, 2),
        "MLPClassifier, 1": forced(sklearn_fit, 1),
    }


def small_workloads(quick):
    """Return the iris example and the README's quick start, as (ours, sklearn)."""
    # --quick shortens the fits to 5 epochs, so that the forced 2 threads do not
    # take half a minute in the busy condition.
    max_iter = {"max_iter": 5} if quick else {}
    X_iris, y_iris = load_iris(return_X_y=True)
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

    def iris(estimator):
        make_pipeline(StandardScaler(), estimator).fit(X_iris, y_iris)

    def quick_start(estimator):
        clf = make_pipeline(StandardScaler(), estimator)
        clf.fit(X_train, y_train).score(X_test, y_test)

    return {
        "iris, 150 x 4": (
            lambda: iris(MLPBackpropClassifier(random_state=0, **max_iter)),
            lambda: iris(MLPClassifier(random_state=0, **max_iter)),
        ),
        "quick start, digits 1,347 x 64": (
            lambda: quick_start(MLPBackpropClassifier(random_state=0, **max_iter)),
            lambda: quick_start(MLPClassifier(random_state=0, **max_iter)),
        ),
    }


def large_workload(samples, epochs):
    """Return bench.py's workload 1 as (ours, sklearn), keyed by its label."""
    X, y = mnist_shaped(samples, np.float64)
    label = f"large, {samples:,} x {X.shape[1]}, {epochs} epoch(s)"
    return {
        label: (
            lambda: ours(HIDDEN, BATCH, epochs).fit(X, y),
            lambda: sklearns(HIDDEN, BATCH, epochs).fit(X, y),
        )
    }


def measure(workloads, repeats):
    """Return the best time of every (workload, condition, contender).

    The best is over ``repeats`` rounds; each round runs everything quiet, then
    everything with the busy process.
    """
    runs = {name: contenders(workload) for name, workload in workloads.items()}
    times = {}
    for _ in range(repeats):
        for condition in CONDITIONS:
            busy = None
            if condition == "busy":
                busy = multiprocessing.Process(target=spin, args=(BUSY_LIMIT,))
                busy.start()
            try:
                for name, functions in runs.items():
                    for contender, function in functions.items():
                        start = time.perf_counter()
                        function()
                        spent = time.perf_counter() - start
                        key = (name, condition, contender)
                        times[key] = min(times.get(key, np.inf), spent)
            finally:
                if busy is not None:
                    busy.terminate()
                    busy.join()
    return times


def report(workloads, times):
    """Print the table of best times, then auto's busy / quiet ratio per workload."""
    names = list(contenders((None, None)))
    print(
        f"{'workload':<34} {'machine':<6}"
        + "".join(f"{name:>18}" for name in names)
        + f"{'auto / best':>13}"
    )
    for workload in workloads:
        for condition in CONDITIONS:
            row = [times[workload, condition, name] for name in names]
            best = min(row[:2])
            print(
                f"{workload:<34} {condition:<6}"
                + "".join(f"{seconds:17.3f}s" for seconds in row)
                + f"{row[2] / best:12.2f}x"
            )
    for workload in workloads:
        quiet, busy = (times[workload, condition, "auto"] for condition in CONDITIONS)
        print(f"auto, busy / quiet, {workload}: {busy / quiet:.2f}x")


def crossover(repeats, samples):
    """Time steps of batch 200 for networks of growing step size, 2 threads against 1.

    Prints the fastest step of each, and the 10th percentile, over ``repeats``
    one-epoch fits that take turns. Single steps are short enough to find the moments
    when the shared machine is quiet; where 2 threads start to pay is ``SMALL_STEP``.
    """
    rng = np.random.RandomState(0)
    print(f"{'features':>8} {'hidden':>6} {'step (M mult-adds)':>19}"
          f" {'fastest step, 1 thread':>23} {'2 threads':>10} {'2 / 1':>6}"
          f" {'10th percentile, 2 / 1':>23}")  # fmt: skip
    for n_features, hidden in CROSSOVER:
        X = rng.normal(size=(samples, n_features))
        y = rng.randint(0, 10, samples)
        fit = partial(ours(hidden, BATCH, 1).fit, X, y)
        steps = {1: [], 2: []}
        for _ in range(repeats):
            for threads, seconds in steps.items():
                with step_times(seconds):
                    forced(fit, threads)()
        one, two = (np.array(steps[threads]) for threads in (1, 2))
        step = BATCH * (n_features * hidden + hidden * 10) / 1e6
        print(f"{n_features:>8} {hidden:>6} {step:>19.1f} {one.min() * 1e3:>20.3f} ms"
              f" {two.min() * 1e3:>7.3f} ms {two.min() / one.min():>6.2f}"
              f" {np.percentile(two, 10) / np.percentile(one, 10):>23.2f}")  # fmt: skip


@contextmanager
def step_times(seconds):
    """Append the time of every training step (but a fit's first) to ``seconds``."""

    def timed(batches):
        for number, batch in enumerate(batches):
            start = time.perf_counter()
            yield batch
            if number:
                seconds.append(time.perf_counter() - start)

    with mock.patch("sk_mlpbp._epoch.paced", timed):
        yield


def describe_blas():
    """Return the BLAS libraries loaded, with their versions and thread counts."""
    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    return ", ".join(
        f"{lib['internal_api']} {lib['version']} ({lib['num_threads']} threads)"
        for lib in blas
    )


def main(argv=None):
    """Time the workloads quiet and busy, or with ``--crossover`` the step sizes."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[1:]),
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, 1 repeat")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument(
        "--crossover",
        action="store_true",
        help="instead: where 2 threads start to pay, step times by network size",
    )
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 3)
    samples = args.samples or (6_000 if args.quick else 60_000)
    warnings.simplefilter("ignore", ConvergenceWarning)
    if args.crossover:
        crossover(repeats, 2_000 if args.quick else 10_000)
        return
    workloads = {**small_workloads(args.quick), **large_workload(samples, args.epochs)}
    print(f"BLAS: {describe_blas()}; {repeats} repeat(s), best times")
    report(workloads, measure(workloads, repeats))


if __name__ == "__main__":
    main()
