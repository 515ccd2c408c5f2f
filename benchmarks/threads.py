"""BLAS threads: 2 threads, 1 thread and the automatic policy, quiet and busy.

Times small and large work with the BLAS threads forced to 2 and to 1 (the thread
policy switched off, as before it existed) and with the automatic policy of
``sk_mlpbp/_threads.py``, each on the machine as it is ("quiet") and with a busy
process that this script starts: a pure-Python loop that keeps one core busy, as
another job on the machine would ("busy"). MLPClassifier runs beside them with 2 and 1
threads for reference. Each repeat runs every contender once in both conditions,
taking turns, and the table shows the best of ``--repeats`` times and their ratios.

The environment (versions, thread pools, BLAS variables, load average), the setup, the
table and its legend are printed; ``--output PATH`` also writes them to PATH as a
Markdown report, for the documentation to include, after a line saying when, on which
commit and with which command it ran (as ``suite.py`` does).

    python benchmarks/threads.py                 # full size, 3 repeats
    python benchmarks/threads.py --quick         # a quick look: small sizes, 1 repeat
    python benchmarks/threads.py --output report.md   # and a Markdown report

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
import sys
import textwrap
import time
import warnings
from contextlib import contextmanager, nullcontext
from functools import partial
from unittest import mock

import numpy as np

# benchmarks/ is no package: this runs as a script (its directory is on sys.path) and
# imports its siblings _report.py and bench.py by name.
from _report import add_output, environment, provenance, render, write_report
from bench import BATCH, HIDDEN, mnist_shaped, ours, sklearns
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sk_mlpbp import MLPBackpropClassifier

# The busy process ends by itself after this many seconds, should this script die
# before it can stop it.
BUSY_LIMIT = 3600
CONDITIONS = ("quiet", "busy")
# (features, hidden units) of the networks that --crossover times, 10 classes.
CROSSOVER = [(64, 30), (64, 100), (100, 100), (64, 300), (200, 100), (256, 256),
             (784, 30), (784, 100), (784, 300)]  # fmt: skip
LEGEND = (
    "Best times in seconds. 2 threads, 1 thread: ours with the BLAS threads forced to "
    "that count and its thread policy off, as before the policy existed; auto: ours "
    "with its thread policy (`sk_mlpbp/_threads.py`); MLPClassifier, 2 and 1: "
    "scikit-learn's with the BLAS threads forced. quiet: the machine as it is; busy: "
    "with one more process keeping a core busy (a pure-Python loop). auto / best: "
    "auto's time over the better of 2 threads and 1 thread; auto busy / quiet: auto's "
    "busy time over its quiet time."
)
CROSSOVER_LEGEND = (
    "Training steps of batch 200, 10 classes, one hidden layer; a step is "
    "batch x (features x hidden + hidden x 10) multiply-adds. fastest step: the "
    "fastest of all steps but each fit's first over the one-epoch fits, with the BLAS "
    "threads forced to 1 and to 2 and the thread policy off. 2 / 1: the fastest "
    "2-thread step over the fastest 1-thread step, then the same for their 10th "
    "percentiles; below 1, 2 threads pay."
)


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
    """Return the table of best times, with auto's ratios (a Markdown pipe table).

    A row per workload and condition: the best time of every contender, auto's time
    over the better of 2 threads and 1 thread, and in the busy row auto's busy time
    over its quiet time.
    """
    names = list(contenders((None, None)))
    header = ["workload", "machine", *(f"{name} s" for name in names)]
    header += ["auto / best", "auto busy / quiet"]
    rows = []
    for workload in workloads:
        quiet = times[workload, "quiet", "auto"]
        for condition in CONDITIONS:
            row = [times[workload, condition, name] for name in names]
            best = min(row[:2])
            rows.append(
                [workload, condition]
                + [f"{seconds:.3f}" for seconds in row]
                + [f"{row[2] / best:.2f}x"]
                + [f"{row[2] / quiet:.2f}x" if condition == "busy" else ""]
            )
    return render([header, *rows], left={0, 1})


def crossover(repeats, samples):
    """Time steps of batch 200 for networks of growing step size, 2 threads against 1.

    Returns the table of the fastest step of each, and the 10th percentile, over
    ``repeats`` one-epoch fits that take turns. Single steps are short enough to find
    the moments when the shared machine is quiet; where 2 threads start to pay is
    ``SMALL_STEP``.
    """
    rng = np.random.RandomState(0)
    header = ["features", "hidden", "step (M mult-adds)", "fastest step, 1 thread ms",
              "2 threads ms", "2 / 1", "10th percentile, 2 / 1"]  # fmt: skip
    rows = []
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
        tenth = np.percentile(two, 10) / np.percentile(one, 10)
        rows.append(
            [
                str(n_features),
                str(hidden),
                f"{step:.1f}",
                f"{one.min() * 1e3:.3f}",
                f"{two.min() * 1e3:.3f}",
                f"{two.min() / one.min():.2f}",
                f"{tenth:.2f}",
            ]
        )
        print(" ".join(rows[-1]), file=sys.stderr, flush=True)
    return render([header, *rows], left=set())


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


def main(argv=None):
    """Time the workloads quiet and busy, or with ``--crossover`` the step sizes.

    Print the environment, the setup, the table and its legend; with ``--output
    PATH``, write them to PATH as a Markdown report as well.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments; ``sys.argv[1:]`` when None.

    Returns
    -------
    table : str
        The table as printed.
    """
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
    add_output(parser)
    args = parser.parse_args(argv)
    run_line = provenance(__file__, argv) if args.output else None
    repeats = args.repeats or (1 if args.quick else 3)
    samples = args.samples or (6_000 if args.quick else 60_000)
    warnings.simplefilter("ignore", ConvergenceWarning)
    lines = environment()
    if args.crossover:
        n_rows = 2_000 if args.quick else 10_000
        setup = (
            f"Step times of {repeats} one-epoch fit(s) of {n_rows:,} rows per network "
            "and thread count, taking turns"
        )
        legend = CROSSOVER_LEGEND
    else:
        setup = (
            f"Best of {repeats} repeat(s), every contender quiet then busy in each; "
            "iris and quick start "
            + ("at max_iter=5 (--quick)" if args.quick else "at the defaults")
        )
        legend = LEGEND
    print("\n".join([*lines, setup, ""]), flush=True)
    if args.crossover:
        table = crossover(repeats, n_rows)
    else:
        workloads = {
            **small_workloads(args.quick),
            **large_workload(samples, args.epochs),
        }
        table = report(workloads, measure(workloads, repeats))
    print("\n".join([table, "", textwrap.fill(legend, 88)]))
    if args.output:
        write_report(args.output, run_line, lines, setup, table, legend)
    return table


if __name__ == "__main__":
    main()
