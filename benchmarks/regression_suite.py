"""A fixed suite of offline regression problems, with contenders side by side.

The sibling of ``suite.py`` (the classifier's suite) for regressors: each problem runs
through the same cross-validation for several contenders, and the results are printed
as one table.

Every problem is generated or loaded offline and deterministically. Every contender
sees the same folds (``KFold(n_splits, shuffle=True, random_state=0)``) and the same
seed. The score is R^2 (``r2_score``, averaged uniformly over the outputs of a
multi-output target). The table reports, per problem and contender, the mean R^2 over
the folds, the mean number of epochs (``n_iter_`` of the fitted regressor, of
``regressor_`` inside a ``TransformedTargetRegressor``) and the wall time of the whole
cross-validation; then ``ours`` minus the best of ``mlp``, ``mlp-std-target`` and
``ridge``, and the time ratio of ``ours`` against ``mlp``. It is a Markdown pipe
table, aligned so that it reads as a table in a terminal too. The suite scales the
inputs of the
"scaled" problems, never a target: the targets reach every contender as they are
(``mlp-std-target`` standardises its own).

    python benchmarks/regression_suite.py                # everything, 5 folds
    python benchmarks/regression_suite.py --quick        # 3 folds
    python benchmarks/regression_suite.py --problems diabetes offset --contenders mlp
    python benchmarks/regression_suite.py --set learning_rate=2
    python benchmarks/regression_suite.py --output report.md  # and a Markdown report

``--set key=value`` overrides a parameter of ``ours`` (the value is read with
``ast.literal_eval``, or kept as a string), to compare variants of the defaults.
``--output PATH`` also writes a Markdown report to PATH, for the documentation to
include: a line saying when, on which commit and with which command it ran, the
environment as a list, the setup, the table and the legend (as ``suite.py`` does).
Until ``sk_mlpbp`` has ``MLPBackpropRegressor``, ``ours`` shows "-" and the other
contenders run.

On a shared machine, set ``OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1`` (see
``suite.py``); the header reports the thread pools, the two variables and the load
average, so that every table says how it was timed.

Contenders:
  ours              MLPBackpropRegressor(random_state=0), its defaults
  mlp               MLPRegressor(random_state=0), its defaults (relu, adam)
  mlp-std-target    TransformedTargetRegressor(MLPRegressor(random_state=0),
                    transformer=StandardScaler()): scikit-learn's remedy for targets
                    off the unit scale
  mlp-logistic-sgd  MLPRegressor(activation="logistic", solver="sgd", random_state=0)
  ridge             RidgeCV(), the linear floor

Problems (n_samples x n_features [-> n_outputs]; target; kind):
  diabetes          442 x 10; disease progression, ~150 +- 77         scaled
  diabetes-raw      the same on the raw columns: age in years, sex 1  unscaled
                    or 2, blood pressure, serum values
                    (``load_diabetes(scaled=False)``)
  linnerud          20 x 3 -> 3; weight, waist, pulse (~180, 35, 56)  scaled
  linnerud-raw      the same on the raw exercise counts (1 to 250)    unscaled
                    (both at most 3 folds: 20 rows)
  friedman1         2,000 x 10, 5 informative, noise 1; ~14 +- 5      scaled
  friedman2         2,000 x 4; ~500 +- 400                            scaled
  friedman2-raw     the same on the raw inputs (0-100, 40pi-560pi,    unscaled
                    0-1, 1-11)
  friedman3         2,000 x 4; ~1.3 +- 0.3                            scaled
  friedman3-raw     the same on the raw inputs                        unscaled
  linear            make_regression 1,000 x 20, 10 informative,       scaled
                    noise 0; ~0 +- 210
  linear-noisy      the same plus N(0, 20^2) noise                    scaled
  sine              1,000 x 1, x uniform in [-2, 2],                  natural
                    y = sin(3 x) + N(0, 0.1^2)
  heteroscedastic   1,000 x 5 standard normal, y = x0 + x1^2 +        scaled
                    N(0, (0.5 (|x2| + 0.1))^2)
  offset            linear's data with 5e5 added to the target:       scaled
                    ~5e5 +- 210
  scale1e6          friedman1's data with the target times 1e6:       scaled
                    ~1.4e7 +- 5e6
  text              600 synthetic documents (``make_topic_corpus(3,   text
                    600)`` of suite.py), TF-IDF; y = 100 x a linear
                    function of the shares of 5 words + N(0, 2^2)
  rows20k           20,000 x 20, friedman1 with 15 uninformative      scaled
                    features, noise 1
  multi             make_regression 1,000 x 10 -> 3, 5 informative,   scaled
                    noise 10

"scaled" problems run in ``make_pipeline(StandardScaler(), regressor)``, "text" ones
in ``make_pipeline(TfidfVectorizer(), regressor)``; "unscaled" and "natural" ones feed
the features as they are ("natural" data already lie on a unit scale).

Notes: SHORT when ours scores more than 0.03 below the best of mlp, mlp-std-target and
ridge, except on an unscaled problem where ours raised ``SaturationWarning`` (it told
the user to scale); SAT when ours raised it. offset and scale1e6 are linear and
friedman1 with the target moved off the unit scale: DRIFT when ours scores more than
0.03 below ours on that base problem. The totals are per kind, then over everything.

Programmatic use, with benchmarks/ on ``sys.path``::

    from regression_suite import PROBLEMS, run
    result = run(PROBLEMS["sine"], lambda seed: MyRegressor(random_state=seed))
"""

import argparse
import sys
import textwrap
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# benchmarks/ is no package: this runs as a script (its directory is on sys.path) or
# is imported with benchmarks/ on sys.path, and imports its siblings _report.py and
# suite.py by name, as threads.py imports bench.py.
from _report import environment, provenance, render, write_report
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import (
    load_diabetes,
    load_linnerud,
    make_friedman1,
    make_friedman2,
    make_friedman3,
    make_regression,
)
from sklearn.linear_model import RidgeCV
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler
from suite import (
    COMMON_WORDS,
    PIPELINES,
    SEED,
    SHORT_MARGIN,
    Result,
    _final_step,
    _is_counted,
    _is_saturation,
    _mean,
    _ratio,
    _size,
    _take,
    _with_pipeline,
    make_topic_corpus,
    parser,
)

try:
    from sk_mlpbp import MLPBackpropRegressor
except ImportError:  # not written yet: ours shows "-"
    MLPBackpropRegressor = None

KINDS = ("scaled", "unscaled", "natural", "text")
# The contenders whose best R^2 ours is held against ("ours - best").
BEST_OF = ("mlp", "mlp-std-target", "ridge")
# The means of the totals floor every R^2 at this, so that one contender failing
# outright on one problem (R^2 of -5e6 on offset) does not swamp its mean.
R2_FLOOR = -1.0
# What the offset and scale1e6 problems do to their base problem's target.
OFFSET = 5e5
SCALE = 1e6
# A result for a contender that could not run (ours, before MLPBackpropRegressor).
MISSING = Result(np.nan, np.nan, np.nan)


@dataclass(frozen=True)
class Problem:
    """One regression problem of the suite.

    Parameters
    ----------
    name : str
        Short lower-case name, used on the command line and in the table.
    kind : {"scaled", "unscaled", "natural", "text"}
        How the features reach the regressor: standardised, raw, on their own
        (already unit) scale, or as documents turned into TF-IDF vectors. The target
        always reaches it as it is.
    make : callable
        ``make()`` returns ``(X, y)``, the same arrays on every call. X is an array
        of shape (n_samples, n_features), or a list of n_samples strings for kind
        "text"; y is of shape (n_samples,) or (n_samples, n_outputs).
    pipeline : {"scale", "tfidf"} or None, default="scale"
        The step put before the regressor: ``StandardScaler()``,
        ``TfidfVectorizer()`` or nothing.
    base : str, default=None
        The problem whose data this one shares with the target moved off the unit
        scale (offset, scale1e6); ours is expected to score as it does there.
    max_splits : int, default=None
        At most this many folds, whatever the suite's number (linnerud has 20 rows).
    """

    name: str
    kind: str
    make: Callable[[], tuple]
    pipeline: str | None = "scale"
    base: str | None = None
    max_splits: int | None = None

    def __post_init__(self):
        """Check the names of the kind and the pipeline."""
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.pipeline not in PIPELINES:
            raise ValueError(
                f"pipeline must be one of {PIPELINES}, got {self.pipeline!r}"
            )


# ----------------------------------------------------------------------------------
# Data


def _diabetes():
    # The raw columns; load_diabetes' default pre-scales them (which StandardScaler
    # would undo anyway), and the raw problem is about the raw ones.
    return load_diabetes(return_X_y=True, scaled=False)


def _linnerud():
    return load_linnerud(return_X_y=True)


def _friedman1():
    return make_friedman1(2000, n_features=10, noise=1.0, random_state=SEED)


def _friedman2():
    return make_friedman2(2000, random_state=SEED)


def _friedman3():
    return make_friedman3(2000, random_state=SEED)


def _linear():
    return make_regression(1000, 20, n_informative=10, random_state=SEED)


def _linear_noisy():
    # Noise added here, not by make_regression, which would draw other rows.
    X, y = _linear()
    return X, y + np.random.RandomState(SEED).normal(0, 20, len(y))


def _sine():
    rng = np.random.RandomState(SEED)
    X = rng.uniform(-2, 2, (1000, 1))
    return X, np.sin(3 * X[:, 0]) + rng.normal(0, 0.1, 1000)


def _heteroscedastic():
    rng = np.random.RandomState(SEED)
    X = rng.normal(size=(1000, 5))
    noise = 0.5 * (np.abs(X[:, 2]) + 0.1) * rng.normal(size=1000)
    return X, X[:, 0] + X[:, 1] ** 2 + noise


def _offset():
    X, y = _linear()
    return X, y + OFFSET


def _scale1e6():
    X, y = _friedman1()
    return X, y * SCALE


# The weights of the five most frequent made-up words' shares in the text target.
TEXT_WEIGHTS = np.array([2.0, -1.0, 1.0, -2.0, 1.5])


def _text():
    docs, _ = make_topic_corpus(3, 600)
    tokens = [doc.split() for doc in docs]
    counts = Counter(word for doc in tokens for word in doc if word not in COMMON_WORDS)
    markers = [word for word, _ in counts.most_common(len(TEXT_WEIGHTS))]
    shares = np.array(
        [[doc.count(word) / len(doc) for word in markers] for doc in tokens]
    )
    noise = np.random.RandomState(SEED).normal(0, 2, len(docs))
    return docs, 100 * shares @ TEXT_WEIGHTS + noise


def _rows20k():
    return make_friedman1(20_000, n_features=20, noise=1.0, random_state=SEED)


def _multi():
    return make_regression(
        1000, 10, n_informative=5, n_targets=3, noise=10, random_state=SEED
    )


def _problems():
    raw = {"pipeline": None}
    problems = [
        Problem("diabetes", "scaled", _diabetes),
        Problem("diabetes-raw", "unscaled", _diabetes, **raw),
        Problem("linnerud", "scaled", _linnerud, max_splits=3),
        Problem("linnerud-raw", "unscaled", _linnerud, max_splits=3, **raw),
        Problem("friedman1", "scaled", _friedman1),
        Problem("friedman2", "scaled", _friedman2),
        Problem("friedman2-raw", "unscaled", _friedman2, **raw),
        Problem("friedman3", "scaled", _friedman3),
        Problem("friedman3-raw", "unscaled", _friedman3, **raw),
        Problem("linear", "scaled", _linear),
        Problem("linear-noisy", "scaled", _linear_noisy),
        Problem("sine", "natural", _sine, **raw),
        Problem("heteroscedastic", "scaled", _heteroscedastic),
        Problem("offset", "scaled", _offset, base="linear"),
        Problem("scale1e6", "scaled", _scale1e6, base="friedman1"),
        Problem("text", "text", _text, pipeline="tfidf"),
        Problem("rows20k", "scaled", _rows20k),
        Problem("multi", "scaled", _multi),
    ]
    return {problem.name: problem for problem in problems}


#: The suite, in the order of the table: name -> Problem.
PROBLEMS = _problems()

#: The contenders, in the order of the table: name -> factory(seed) of an unfitted
#: regressor. ``ours`` cannot be called while ``MLPBackpropRegressor`` is None.
CONTENDERS = {
    "ours": lambda seed: MLPBackpropRegressor(random_state=seed),
    "mlp": lambda seed: MLPRegressor(random_state=seed),
    "mlp-std-target": lambda seed: TransformedTargetRegressor(
        MLPRegressor(random_state=seed), transformer=StandardScaler()
    ),
    "mlp-logistic-sgd": lambda seed: MLPRegressor(
        activation="logistic", solver="sgd", random_state=seed
    ),
    "ridge": lambda seed: RidgeCV(),
}


# ----------------------------------------------------------------------------------
# Running


def subsample(X, y, max_rows, seed=SEED):
    """Return at most ``max_rows`` rows of ``(X, y)`` drawn with ``seed``, in order."""
    if max_rows is None or len(y) <= max_rows:
        return X, y
    rows = np.sort(np.random.RandomState(seed).choice(len(y), max_rows, replace=False))
    return _take(X, rows), y[rows]


def _epochs(regressor):
    """Return the fitted regressor's ``n_iter_``, looking inside a target transform."""
    if isinstance(regressor, TransformedTargetRegressor):
        regressor = regressor.regressor_
    return getattr(regressor, "n_iter_", np.nan)


def _r2(y_true, y_pred):
    # A diverged fit predicts inf or NaN, which r2_score rejects: it scores -inf.
    if not np.all(np.isfinite(y_pred)):
        return -np.inf
    return r2_score(y_true, y_pred)


def run(problem, make_regressor, n_splits=5, *, data=None):
    """Cross-validate one regressor on one problem.

    On every fold, the regressor (in the problem's pipeline) is fitted on the
    training rows and scored by R^2 on the test rows.

    Parameters
    ----------
    problem : Problem
        The problem; its pipeline is put around the regressor.
    make_regressor : callable
        ``make_regressor(seed)`` returns an unfitted regressor; it is called for
        every fold with the suite's seed.
    n_splits : int, default=5
        Number of folds (at most ``problem.max_splits``).
    data : tuple of (X, y), default=None
        The problem's data when already made (or subsampled); ``problem.make()``
        otherwise.

    Returns
    -------
    result : Result
        Mean R^2 and epochs over the folds, the wall time of the whole
        cross-validation, and how many folds raised warnings.
    """
    X, y = problem.make() if data is None else data
    n_splits = min(n_splits, problem.max_splits or n_splits)
    folds = list(KFold(n_splits, shuffle=True, random_state=SEED).split(y))
    scores, epochs = [], []
    warned = saturated = 0
    start = time.perf_counter()
    for train, test in folds:
        fitted = _with_pipeline(problem, make_regressor(SEED))
        # Warnings are recorded, not printed, so that the table stays readable; the
        # table counts them instead.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fitted.fit(_take(X, train), y[train])
            scores.append(_r2(y[test], fitted.predict(_take(X, test))))
        epochs.append(_epochs(_final_step(fitted)))
        warned += int(any(_is_counted(w) for w in caught))
        saturated += int(any(_is_saturation(w) for w in caught))
    seconds = time.perf_counter() - start
    return Result(
        float(np.mean(scores)), float(np.mean(epochs)), seconds, warned, saturated
    )


# ----------------------------------------------------------------------------------
# Report


def describe_target(y):
    """Return the target's mean and standard deviation, "mean +- sd", 3 digits.

    For several outputs, the mean of their means and of their deviations.
    """
    y = np.asarray(y, dtype=float).reshape(len(y), -1)
    return f"{np.mean(y.mean(axis=0)):.3g} +- {np.mean(y.std(axis=0)):.3g}"


def _size_cell(problem, X, y):
    size = _size(problem, X)
    return f"{size} -> {y.shape[1]}" if np.ndim(y) > 1 else size


def _r2_number(value, sign=""):
    """Return an R^2 or a difference of R^2, failures far below 0 in 3 digits."""
    if np.isnan(value):
        return "-"
    # 3 significant digits keep -5.56e+06 narrow; 3 decimals are finer above.
    return f"{value:{sign}.3f}" if value > -1000 else f"{value:{sign}.3g}"


def _r2_cell(result):
    if np.isnan(result.score):  # the contender did not run
        return "-"
    cell = _r2_number(result.score)
    if result.warned:
        cell += f" w{result.warned}"
    return cell


def _number(value, spec):
    return "-" if np.isnan(value) else format(value, spec)


def _best(results):
    """Return the best R^2 of the BEST_OF contenders present (NaN when none ran)."""
    scores = [results[name].score for name in BEST_OF if name in results]
    return max((s for s in scores if not np.isnan(s)), default=np.nan)


def _within(score, best):
    return score >= best - SHORT_MARGIN


def _short(problem, results):
    """Return whether ours is SHORT: more than 0.03 below the best.

    On an unscaled problem, a SaturationWarning excuses it: ours said the inputs
    needed scaling.
    """
    ours = results.get("ours", MISSING)
    if not ours.score < _best(results) - SHORT_MARGIN:  # False when either is NaN
        return False
    return not (problem.kind == "unscaled" and ours.saturated)


def _drifts(results, base_results):
    """Return whether ours scores more than SHORT_MARGIN below ours on the base."""
    ours = results.get("ours", MISSING)
    base = (base_results or {}).get("ours", MISSING)
    return ours.score < base.score - SHORT_MARGIN


def _notes(problem, results, base_results=None):
    notes = []
    if _short(problem, results):
        notes.append("SHORT")
    if _drifts(results, base_results):
        notes.append("DRIFT")
    if results.get("ours", MISSING).saturated:
        notes.append("SAT")
    return " ".join(notes)


def _floored_mean(scores):
    return _mean([max(score, R2_FLOOR) for score in scores])


def _time_ratio(ours, mlp):
    """Return ``ours / mlp`` seconds, "-" when either did not run."""
    return "-" if np.isnan(ours) or np.isnan(mlp) else _ratio(ours, mlp)


def _summary_row(label, rows, contenders, by_name):
    """Return one row of totals over ``rows``, a non-empty list of (problem, results).

    ``by_name`` maps the name of every problem in the table to its results, for the
    base problems of offset and scale1e6.
    """
    cells = [label, "", f"{len(rows)} problems", ""]
    seconds = {}
    for name in contenders:
        scores = [results[name].score for _, results in rows]
        # NaN when the contender did not run.
        seconds[name] = float(np.sum([results[name].seconds for _, results in rows]))
        ran = [
            (score, _best(results))
            for score, (_, results) in zip(scores, rows)
            if not np.isnan(score) and not np.isnan(_best(results))
        ]
        ok = f"ok {sum(_within(score, best) for score, best in ran)}" if ran else "-"
        cells += [
            _number(_floored_mean(scores), ".3f"),
            ok,
            _number(seconds[name], ".1f"),
        ]
    diffs = [max(r["ours"].score, R2_FLOOR) - _best(r) for _, r in rows if "ours" in r]
    cells.append(_r2_number(_mean(diffs), "+"))
    both = "ours" in contenders and "mlp" in contenders
    cells.append(_time_ratio(seconds["ours"], seconds["mlp"]) if both else "-")
    counts = []
    if "ours" in contenders and not np.isnan(_mean([r["ours"].score for _, r in rows])):
        short = sum(_short(p, r) for p, r in rows)
        counts.append(f"SHORT {short}")
        if any(p.base in by_name for p, _ in rows):
            drift = sum(_drifts(r, by_name.get(p.base)) for p, r in rows)
            counts.append(f"DRIFT {drift}")
        counts.append(f"SAT {sum(bool(r['ours'].saturated) for _, r in rows)}")
    cells.append(", ".join(counts))
    return cells


def format_table(rows, contenders):
    """Return the suite's table, aligned, with ``|`` separators (valid Markdown).

    Parameters
    ----------
    rows : list of (Problem, str, str, dict)
        Per problem: the problem, its size ("n_samples x n_features", with
        " -> n_outputs" for several outputs), its target ("mean +- sd"), and its
        results by contender name.
    contenders : list of str
        Contender names, in column order.

    Returns
    -------
    table : str
    """
    header = ["problem", "kind", "size", "y mean +- sd"]
    for name in contenders:
        header += [f"{name} R2", f"{name} ep", f"{name} s"]
    header += ["ours-best", "time ours/mlp", "notes"]
    both = "ours" in contenders and "mlp" in contenders
    by_name = {problem.name: results for problem, _, _, results in rows}
    lines = []
    for problem, size, target, results in rows:
        cells = [problem.name, problem.kind, size, target]
        for name in contenders:
            result = results[name]
            cells += [
                _r2_cell(result),
                _number(result.epochs, ".0f"),
                _number(result.seconds, ".1f"),
            ]
        ours = results.get("ours", MISSING)
        cells.append(_r2_number(ours.score - _best(results), "+"))
        cells.append(_time_ratio(ours.seconds, results["mlp"].seconds) if both else "-")
        cells.append(_notes(problem, results, by_name.get(problem.base)))
        lines.append(cells)
    groups = {
        f"total {kind}": [(p, r) for p, _, _, r in rows if p.kind == kind]
        for kind in KINDS
    }
    groups = {label: group for label, group in groups.items() if group}
    if len(groups) > 1:
        groups["total"] = [(p, r) for p, _, _, r in rows]
    summary = [
        _summary_row(label, group, contenders, by_name)
        for label, group in groups.items()
    ]
    return render([header, *lines, *summary], left={0, 1, len(header) - 1})


LEGEND = (
    "R2: mean R^2 over the folds (uniform average over the outputs); wN: N folds "
    "raised a ConvergenceWarning or a UserWarning of sk_mlpbp. ep: mean epochs "
    "(n_iter_). s: wall time of the whole cross-validation. ours-best: ours minus "
    "the best R^2 of mlp, mlp-std-target and ridge. SHORT: ours more than 0.03 below "
    "that best (on an unscaled problem, unless ours raised a SaturationWarning); "
    "DRIFT: on offset and scale1e6, ours more than 0.03 below ours on the same data "
    "with the target unmoved (linear, friedman1); SAT: ours raised a "
    "SaturationWarning. Totals: mean R^2 and mean ours-best, every R^2 floored at -1; "
    "the number of problems where the contender is within 0.03 of the best or above "
    "(ok, under ep), summed time, and ours' notes counted. Inputs of scaled problems "
    "are standardised; no target is."
)


# ----------------------------------------------------------------------------------
# Command line


def _parser():
    """Return the suite's command line: suite.py's (``--output`` included)."""
    command = parser(__doc__, PROBLEMS, CONTENDERS)
    # For the tests: N folds.
    command.add_argument("--n-splits", type=int, default=None, help=argparse.SUPPRESS)
    return command


def main(argv=None):
    """Run the suite and print the environment, the table and its legend.

    With ``--output PATH``, write them to PATH as a Markdown report as well.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments; ``sys.argv[1:]`` when None.

    Returns
    -------
    rows : list of (Problem, str, str, dict)
        What the table shows: problem, size, target, results by contender.
    """
    command = _parser()
    args = command.parse_args(argv)
    run_line = provenance(__file__, argv) if args.output else None
    overrides = dict(args.set)
    if overrides and MLPBackpropRegressor is None:
        command.error("--set: sk_mlpbp has no MLPBackpropRegressor to set")
    if overrides:
        unknown = sorted(set(overrides) - set(MLPBackpropRegressor().get_params()))
        if unknown:
            command.error(f"--set: MLPBackpropRegressor has no parameter {unknown}")
    contenders = dict(CONTENDERS)
    if overrides:
        contenders["ours"] = lambda seed: MLPBackpropRegressor(
            random_state=seed, **overrides
        )
    names = [name for name in CONTENDERS if name in args.contenders]
    n_splits = args.n_splits or (3 if args.quick else 5)

    lines = environment()
    setup = f"{n_splits}-fold cross-validation (shuffled KFold), seed {SEED}"
    if "ours" in names:
        if MLPBackpropRegressor is None:
            setup += "; ours: sk_mlpbp has no MLPBackpropRegressor yet (-)"
        else:
            setup += f"; ours = {contenders['ours'](SEED)!r}"
    print("\n".join([*lines, setup, ""]), flush=True)
    rows = []
    for name in [name for name in PROBLEMS if name in args.problems]:
        problem = PROBLEMS[name]
        X, y = subsample(*problem.make(), args.max_rows)
        results = {}
        for contender in names:
            if contender == "ours" and MLPBackpropRegressor is None:
                results[contender] = MISSING
                continue
            result = run(problem, contenders[contender], n_splits, data=(X, y))
            results[contender] = result
            print(
                f"{name}: {contender} {result.score:.3f} in {result.seconds:.1f} s",
                file=sys.stderr,
                flush=True,
            )
        rows.append((problem, _size_cell(problem, X, y), describe_target(y), results))
    table = format_table(rows, names)
    print("\n".join([table, "", textwrap.fill(LEGEND, 88)]))
    if args.output:
        write_report(args.output, run_line, lines, setup, table, LEGEND)
    return rows


if __name__ == "__main__":
    main()
