"""Speed and memory of MLPBackpropClassifier beside scikit-learn's MLPClassifier.

Every workload runs both estimators on identical work in one process, side by side:
the same architecture of logistic units, plain SGD without momentum or L2, the same
batch size and number of epochs, shuffling on, and stopping rules switched off so that
both run every epoch. Times are the best of ``--repeats`` runs and only their ratios
are reported, since this machine is shared and noisy.

The environment (versions, thread pools, BLAS variables, load average), the setup and
one table are printed: per workload, what was measured, what it is held against,
their ratio and the target. ``--output PATH`` also writes them to PATH as a Markdown
report, for the documentation to include, after a line saying when, on which commit
and with which command it ran (as ``suite.py`` does).

    python benchmarks/bench.py                      # every workload, full size
    python benchmarks/bench.py --workload 1 3       # some of them
    python benchmarks/bench.py --samples 5000 --epochs 1 --repeats 1   # quick look
    python benchmarks/bench.py --output report.md   # and a Markdown report

Workloads:
  1  MNIST-shaped: make_classification(60_000, 784 features, 10 classes), one hidden
     layer of 100, batch 200, float64; also against the "floor", the bare matrix
     products of the same epochs (forward X@W1, H@W2; backward dW2, delta@W2.T, dW1),
     and the floor against a bare loop: the floor's products plus only the work the
     method cannot leave out (shuffled batches, expit, error signals, weight steps)
  2  the same in float32
  3  the article's online mode: 2,000 x 20, 2 classes, hidden 10, batch_size=1
  4  predict_proba on workload 1's data with the fitted models
  5  peak memory allocated during one epoch of workload 1 (tracemalloc)
  6  epoch cost against n_samples: time per sample from 10k to 80k rows (1/6 to 4/3
     of --samples)
  7  peak memory of one epoch with 1,000 outputs (tracemalloc): 1,000 classes, and a
     1,000-label int8 indicator y (5% of the labels on), on 100,000 x 50 random
     inputs (5/3 of --samples rows)
  8  batch prediction in float32 against onnxruntime: workload 4's network fitted
     one epoch on workload 1's data in float32 (so its weights are float32 and
     predict_proba computes in float32), its predict_proba against one
     InferenceSession.run of the model converted by sk_mlpbp.to_onnx (a float32
     input, probabilities as a tensor: no ZipMap) over the same rows; a row saying
     it was skipped when the onnx extra (onnxruntime, onnx, skl2onnx) is missing
"""

import argparse
import importlib.util
import sys
import textwrap
import time
import tracemalloc
import warnings
from functools import partial

import numpy as np

# benchmarks/ is no package: this runs as a script (its directory is on sys.path) or
# is imported with benchmarks/ on sys.path, and imports its sibling _report.py by name.
from _report import add_output, environment, provenance, render, write_report
from scipy.special import expit
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_info

from sk_mlpbp import MLPBackpropClassifier

N_FEATURES, N_CLASSES, HIDDEN, BATCH = 784, 10, 100, 200
# The table's columns; every workload returns rows of these cells.
HEADER = ["workload", "measured", "against", "ratio", "ratio of; target"]
LEGEND = (
    "ours: MLPBackpropClassifier; sklearn: MLPClassifier on the same work (logistic "
    "units, plain SGD without momentum or L2, the same batch size and epochs, "
    "shuffling on, stopping rules off). measured and against: the best of the "
    "repeated times, the peak memory tracemalloc sees during a one-epoch fit, or the "
    "time per sample of a one-epoch fit; the last column says which of the two the "
    "ratio divides by which, and the target set for it. floor: the bare matrix "
    "products of the same epochs; bare loop: the floor's products plus only the work "
    "the method cannot leave out (shuffled batches, expit, error signals, weight "
    "steps). onnxruntime: the same fitted network converted by `sk_mlpbp.to_onnx`, "
    "run by one `InferenceSession.run` over all rows with its default threads. The "
    "workloads are described in `benchmarks/bench.py`."
)

#: What workload 8 needs beyond sk_mlpbp's own requirements: the onnx extra.
ONNX_EXTRA = ("onnxruntime", "onnx", "skl2onnx")


def ours(hidden, batch_size, epochs, learning_rate=0.1):
    """Return our estimator for ``epochs`` epochs of plain SGD, never stopping early."""
    return MLPBackpropClassifier(
        (hidden,),
        learning_rate=learning_rate,
        batch_size=batch_size,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=np.inf,
        random_state=0,
    )


def sklearns(hidden, batch_size, epochs, learning_rate=0.1):
    """Return scikit-learn's MLPClassifier set up for the same work as :func:`ours`."""
    return MLPClassifier(
        (hidden,),
        activation="logistic",
        solver="sgd",
        learning_rate_init=learning_rate,
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        batch_size=batch_size,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=10**9,
        shuffle=True,
        random_state=0,
    )


def best_times(functions, repeats):
    """Return the best-of-``repeats`` time of each function.

    The functions take turns, so that a burst of load on this shared machine hits
    every contender alike.
    """
    times = [[] for _ in functions]
    for _ in range(repeats):
        for function, spent in zip(functions, times):
            start = time.perf_counter()
            function()
            spent.append(time.perf_counter() - start)
    return [min(spent) for spent in times]


def fit(estimator, X, y):
    """Fit ``estimator``, silencing the ConvergenceWarning of its last epoch."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def mnist_shaped(n_samples, dtype):
    """Return MNIST-shaped data: ``n_samples`` x 784 features, 10 classes."""
    X, y = make_classification(
        n_samples,
        N_FEATURES,
        n_informative=50,
        n_classes=N_CLASSES,
        random_state=0,
    )
    return X.astype(dtype), y


def initial_weights(X, rng):
    """Return the baselines' weights: 784-100-10, U(-0.05, 0.05), in X's dtype."""
    W1 = rng.uniform(-0.05, 0.05, (X.shape[1], HIDDEN)).astype(X.dtype)
    W2 = rng.uniform(-0.05, 0.05, (HIDDEN, N_CLASSES)).astype(X.dtype)
    return W1, W2


def floor(X, epochs, rng):
    """Run the bare matrix products of the same epochs, nothing else."""
    W1, W2 = initial_weights(X, rng)
    H = np.empty((BATCH, HIDDEN), X.dtype)
    out = np.empty((BATCH, N_CLASSES), X.dtype)
    dH = np.empty_like(H)
    dW1 = np.empty_like(W1)
    dW2 = np.empty_like(W2)
    for _ in range(epochs):
        for start in range(0, X.shape[0], BATCH):
            Xb = X[start : start + BATCH]
            m = Xb.shape[0]
            np.dot(Xb, W1, out=H[:m])
            np.dot(H[:m], W2, out=out[:m])
            np.dot(H[:m].T, out[:m], out=dW2)
            np.dot(out[:m], W2.T, out=dH[:m])
            np.dot(Xb.T, dH[:m], out=dW1)


def bare_loop(X, y, epochs, rng, learning_rate=0.1):
    """Run the floor's products plus the work that the method cannot leave out.

    That work, and nothing else, is what no implementation of the method can leave
    out: each epoch's shuffled batches gathered from X, expit on both layers, the
    output error signal and f_A' of the hidden layer, and the step on both weight
    matrices. No biases, no loss, no checks, no bookkeeping.
    """
    T = np.eye(N_CLASSES, dtype=X.dtype)[y]
    W1, W2 = initial_weights(X, rng)
    Xb = np.empty((BATCH, X.shape[1]), X.dtype)
    H, dH, fH = (np.empty((BATCH, HIDDEN), X.dtype) for _ in range(3))
    out, delta, f_out = (np.empty((BATCH, N_CLASSES), X.dtype) for _ in range(3))
    dW1, dW2 = np.empty_like(W1), np.empty_like(W2)
    order = np.arange(X.shape[0])
    for _ in range(epochs):
        rng.shuffle(order)
        for start in range(0, X.shape[0], BATCH):
            rows = order[start : start + BATCH]
            m = rows.shape[0]
            x = np.take(X, rows, axis=0, out=Xb[:m], mode="clip")
            h = expit(np.dot(x, W1, out=H[:m]), out=H[:m])
            o = expit(np.dot(h, W2, out=out[:m]), out=out[:m])
            d_o = np.subtract(o, T[rows], out=delta[:m])
            d_o *= np.multiply(o, np.subtract(1, o, out=f_out[:m]), out=f_out[:m])
            d_o *= learning_rate / m
            d_h = np.dot(d_o, W2.T, out=dH[:m])
            d_h *= np.multiply(h, np.subtract(1, h, out=fH[:m]), out=fH[:m])
            W2 -= np.dot(h.T, d_o, out=dW2)
            W1 -= np.dot(x.T, d_h, out=dW1)


def row(name, measured, against, ratio, target, unit="s"):
    """Return one row of the table: two values in ``unit``, their ratio, the target.

    Times in seconds get 3 decimals, MiB 1, microseconds 2. ``against`` and
    ``ratio`` may be None ("-").
    """
    digits = {"s": 3, "MiB": 1, "us": 2}[unit]

    def value(number):
        return "-" if number is None else f"{number:.{digits}f} {unit}"

    ratio = "-" if ratio is None else f"{ratio:.2f}x"
    return [name, value(measured), value(against), ratio, target]


def training_workload(args, dtype, number):
    """Time workload 1 or 2: fit against MLPClassifier, the floor and a bare loop."""
    X, y = mnist_shaped(args.samples, dtype)
    rng = np.random.RandomState(0)
    t_ours, t_sk, t_floor, t_bare = best_times(
        [
            lambda: fit(ours(HIDDEN, BATCH, args.epochs), X, y),
            lambda: fit(sklearns(HIDDEN, BATCH, args.epochs), X, y),
            lambda: floor(X, args.epochs, rng),
            lambda: bare_loop(X, y, args.epochs, rng),
        ],
        args.repeats,
    )
    label = f"{number}. fit, {np.dtype(dtype).name}, {args.samples} x {N_FEATURES}"
    return [
        row(
            f"{label}: ours vs sklearn",
            *(t_ours, t_sk, t_sk / t_ours),
            "sklearn / ours; target >= 1.35x",
        ),
        row(
            f"{label}: ours vs the matrix-product floor",
            *(t_ours, t_floor, t_ours / t_floor),
            "ours / floor; target <= 1.3x",
        ),
        row(
            f"{label}: a bare loop vs the floor",
            *(t_bare, t_floor, t_bare / t_floor),
            "bare loop / floor",
        ),
    ]


def online_workload(args):
    """Time workload 3: the article's online mode, ``batch_size=1``."""
    X, y = make_classification(2000, 20, n_classes=2, random_state=0)
    epochs = max(1, args.epochs)
    t_ours, t_sk = best_times(
        [
            lambda: fit(ours(10, 1, epochs), X, y),
            lambda: fit(sklearns(10, 1, epochs), X, y),
        ],
        args.repeats,
    )
    return [
        row(
            "3. online fit, batch_size=1, 2000 x 20: ours vs sklearn",
            *(t_ours, t_sk, t_sk / t_ours),
            "sklearn / ours; target >= 10x",
        )
    ]


def predict_workload(args):
    """Time workload 4: ``predict_proba`` of models fitted for one epoch."""
    X, y = mnist_shaped(args.samples, np.float64)
    mine = fit(ours(HIDDEN, BATCH, 1), X, y)
    theirs = fit(sklearns(HIDDEN, BATCH, 1), X, y)
    t_ours, t_sk = best_times(
        [lambda: mine.predict_proba(X), lambda: theirs.predict_proba(X)], args.repeats
    )
    return [
        row(
            f"4. predict_proba, {args.samples} x {N_FEATURES}: ours vs sklearn",
            *(t_ours, t_sk, t_sk / t_ours),
            "sklearn / ours; target >= 1.1x",
        )
    ]


def onnx_workload(args):
    """Time workload 8: predict_proba against onnxruntime, both in float32.

    The network is workload 4's (one epoch on workload 1's data), fitted on float32
    inputs so that its weights and its predict_proba are float32 as onnxruntime's
    are: like for like. onnxruntime runs the model that ``sk_mlpbp.to_onnx``
    converts (a float32 input ``X``, probabilities as a tensor) once over all the
    rows. The two must agree before they are timed.
    """
    label = (
        f"8. batch predict_proba, float32, {args.samples} x {N_FEATURES}: "
        "ours vs onnxruntime"
    )
    missing = [name for name in ONNX_EXTRA if importlib.util.find_spec(name) is None]
    if missing:
        return [
            row(
                label,
                *(None, None, None),
                f'skipped: {", ".join(missing)} not installed (pip install ".[onnx]")',
            )
        ]
    import onnxruntime

    from sk_mlpbp import to_onnx

    X, y = mnist_shaped(args.samples, np.float32)
    mine = fit(ours(HIDDEN, BATCH, 1), X, y)
    onnx_model = to_onnx(mine, X[:1], options={"zipmap": False})
    # onnxruntime gets as many threads as the BLAS behind predict_proba: like for like.
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    threads = max((pool["num_threads"] for pool in blas), default=1)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    session = onnxruntime.InferenceSession(
        onnx_model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    feed, outputs = {"X": X}, ["probabilities"]
    (probabilities,) = session.run(outputs, feed)
    expected = mine.predict_proba(X)
    if not (
        probabilities.dtype == expected.dtype == np.float32
        and np.allclose(probabilities, expected, rtol=1e-4, atol=1e-6)
    ):
        raise RuntimeError("onnxruntime's probabilities are not predict_proba's")
    t_ours, t_onnx = best_times(
        [lambda: mine.predict_proba(X), lambda: session.run(outputs, feed)],
        args.repeats,
    )
    return [
        row(
            label,
            *(t_ours, t_onnx, t_ours / t_onnx),
            f"ours / onnxruntime {onnxruntime.__version__} on {threads} thread(s); "
            "reported",
        )
    ]


def peak_memory(estimator, X, y):
    """Return the peak memory in bytes that tracemalloc sees during the fit."""
    tracemalloc.start()
    try:
        fit(estimator, X, y)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def memory_workload(args):
    """Measure workload 5: the peak memory of one epoch, ours against sklearn's."""
    X, y = mnist_shaped(args.samples, np.float64)
    mine = peak_memory(ours(HIDDEN, BATCH, 1), X, y)
    theirs = peak_memory(sklearns(HIDDEN, BATCH, 1), X, y)
    half = peak_memory(ours(HIDDEN, BATCH, 1), X[: len(y) // 2], y[: len(y) // 2])
    label = f"5. peak memory in one epoch, {args.samples} x {N_FEATURES}"
    return [
        row(
            f"{label}: ours vs sklearn",
            *(mine / 2**20, theirs / 2**20, theirs / mine),
            "sklearn / ours; target >= 1 (ours <= sklearn's)",
            unit="MiB",
        ),
        row(
            f"{label}: ours at half the rows vs all",
            *(half / 2**20, mine / 2**20, half / mine),
            "half / all; beyond X, it should not grow with n_samples",
            unit="MiB",
        ),
    ]


def many_outputs(n_samples, multilabel):
    """Return random inputs with 1,000 classes, or a 1,000-label indicator y."""
    rng = np.random.RandomState(0)
    X = rng.standard_normal((n_samples, 50))
    if multilabel:
        return X, (rng.random_sample((n_samples, 1000)) < 0.05).astype(np.int8)
    return X, rng.randint(0, 1000, n_samples)


def outputs_memory_workload(args):
    """Measure workload 7: the peak memory of one epoch with 1,000 outputs."""
    n_samples = args.samples * 5 // 3
    rows = []
    for name, multilabel in (("classes", False), ("labels (int8 y)", True)):
        X, y = many_outputs(n_samples, multilabel)
        mine = peak_memory(ours(HIDDEN, BATCH, 1), X, y)
        theirs = peak_memory(sklearns(HIDDEN, BATCH, 1), X, y)
        rows.append(
            row(
                f"7. peak memory, 1,000 {name}, {n_samples} x 50: ours vs sklearn",
                *(mine / 2**20, theirs / 2**20, theirs / mine),
                "sklearn / ours; target >= 1 (ours <= sklearn's)",
                unit="MiB",
            )
        )
    return rows


def scaling_workload(args):
    """Time workload 6: the time per sample of one epoch as n_samples grows."""
    # 10k, 20k, 40k and 80k rows at the default --samples of 60,000; the sizes take
    # turns, like the contenders of the other workloads.
    sizes = (args.samples // 6, args.samples // 3, args.samples * 2 // 3,
             args.samples * 4 // 3)  # fmt: skip
    data = [mnist_shaped(n_samples, np.float64) for n_samples in sizes]
    times = best_times(
        [partial(fit, ours(HIDDEN, BATCH, 1), X, y) for X, y in data], args.repeats
    )
    base = times[0] / sizes[0]
    return [
        row(
            f"6. time per sample, one epoch, {n_samples} x {N_FEATURES}: ours",
            *(seconds / n_samples * 1e6, base * 1e6, seconds / n_samples / base),
            f"{n_samples} rows / {sizes[0]} rows; target: within 15%",
            unit="us",
        )
        for n_samples, seconds in zip(sizes, times)
    ]


WORKLOADS = {
    1: lambda args: training_workload(args, np.float64, 1),
    2: lambda args: training_workload(args, np.float32, 2),
    3: online_workload,
    4: predict_workload,
    5: memory_workload,
    6: scaling_workload,
    7: outputs_memory_workload,
    8: onnx_workload,
}


def main(argv=None):
    """Run the workloads named on the command line (all of them by default).

    Print the environment, the setup, the table and its legend; with ``--output
    PATH``, write them to PATH as a Markdown report as well.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments; ``sys.argv[1:]`` when None.

    Returns
    -------
    rows : list of list of str
        The table's rows, cells as printed.
    """
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[1:]),
    )
    parser.add_argument("--workload", type=int, nargs="+", choices=sorted(WORKLOADS))
    parser.add_argument("--samples", type=int, default=60_000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    add_output(parser)
    args = parser.parse_args(argv)
    run_line = provenance(__file__, argv) if args.output else None
    lines = environment()
    setup = (
        f"{args.samples} samples, {args.epochs} epoch(s), best of {args.repeats} "
        f"repeat(s); hidden layer of {HIDDEN}, batch {BATCH}"
    )
    print("\n".join([*lines, setup, ""]), flush=True)
    rows = []
    for number in args.workload or sorted(WORKLOADS):
        for cells in WORKLOADS[number](args):
            rows.append(cells)
            print(" ".join(cells[:4]), file=sys.stderr, flush=True)
    table = render([HEADER, *rows], left={0, len(HEADER) - 1})
    print("\n".join([table, "", textwrap.fill(LEGEND, 88)]))
    if args.output:
        write_report(args.output, run_line, lines, setup, table, LEGEND)
    return rows


if __name__ == "__main__":
    main()
