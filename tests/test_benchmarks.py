"""The benchmark scripts run (on a tiny size, so that they cannot rot).

They measure ratios and scores for people to read; nothing here asserts a timing.
Each writes a Markdown report with ``--output``, for the documentation to include.
"""

import argparse
import datetime
import importlib.util
import re
import shlex
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier

import sk_mlpbp.exceptions

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"


def run_script(name, *args, check=True):
    """Run ``benchmarks/<name>`` with ``args`` in a subprocess; return the result."""
    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / name), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=check,
    )


def test_bench_script_prints_every_workload():
    result = run_script(
        "bench.py", "--samples", "400", "--epochs", "1", "--repeats", "1"
    )
    workloads = [
        "1. fit, float64",
        "2. fit, float32",
        "3. online fit",
        "4. predict_proba",
        "5. peak memory",
        "6. time per sample",
        "7. peak memory, 1,000 classes",
        "7. peak memory, 1,000 labels",
        "8. batch predict_proba, float32",
    ]
    for workload in workloads:
        assert workload in result.stdout


def test_bench_script_writes_a_markdown_report(tmp_path):
    output = tmp_path / "bench.md"
    args = ["--samples", "400", "--epochs", "1", "--repeats", "1"]
    args += ["--workload", "1", "5", "--output", str(output)]
    result = run_script("bench.py", *args)
    setup, table, _ = check_report(output, "bench.py", args)
    assert setup.startswith("400 samples, 1 epoch(s), best of 1 repeat(s)")
    header, *rows = table
    assert header == ["workload", "measured", "against", "ratio", "ratio of; target"]
    assert [row[0] for row in rows] == [
        "1. fit, float64, 400 x 784: ours vs sklearn",
        "1. fit, float64, 400 x 784: ours vs the matrix-product floor",
        "1. fit, float64, 400 x 784: a bare loop vs the floor",
        "5. peak memory in one epoch, 400 x 784: ours vs sklearn",
        "5. peak memory in one epoch, 400 x 784: ours at half the rows vs all",
    ]
    assert all(re.fullmatch(r"\d+\.\d{3} s", row[1]) for row in rows[:3])
    assert all(re.fullmatch(r"\d+\.\d MiB", row[2]) for row in rows[3:])
    assert all(re.fullmatch(r"\d+\.\d{2}x", row[3]) for row in rows)
    assert table == _table(result.stdout.splitlines())


def test_bench_onnx_workload_times_onnxruntime_beside_predict_proba(tmp_path):
    # Workload 8 converts the float32 network with sk_mlpbp.to_onnx and times one
    # InferenceSession.run over the rows against predict_proba (after checking that
    # they agree); the ratio is reported, with no target.
    for name in ("onnxruntime", "onnx", "skl2onnx"):
        pytest.importorskip(name)
    output = tmp_path / "bench.md"
    args = ["--samples", "300", "--epochs", "1", "--repeats", "2"]
    args += ["--workload", "8", "--output", str(output)]
    result = run_script("bench.py", *args)
    _, table, legend = check_report(output, "bench.py", args)
    (cells,) = table[1:]
    assert cells[0] == (
        "8. batch predict_proba, float32, 300 x 784: ours vs onnxruntime"
    )
    assert all(re.fullmatch(r"\d+\.\d{3} s", cell) for cell in cells[1:3])
    assert re.fullmatch(r"\d+\.\d{2}x", cells[3])
    assert re.fullmatch(
        r"ours / onnxruntime \d+\.\d+\S* on \d+ thread\(s\); reported", cells[4]
    )
    assert "InferenceSession.run" in legend
    assert table == _table(result.stdout.splitlines())


def test_bench_onnx_workload_is_a_row_saying_what_is_missing(monkeypatch):
    # Without the onnx extra, workload 8 is one row that says so, and nothing runs.
    bench = _load("benchmarks_bench", "bench.py")
    monkeypatch.setattr(bench, "ONNX_EXTRA", ("numpy", "no_such_module_of_sk_mlpbp"))
    args = argparse.Namespace(samples=10**9, epochs=1, repeats=1)
    assert bench.onnx_workload(args) == [
        [
            f"8. batch predict_proba, float32, {10**9} x 784: ours vs onnxruntime",
            "-",
            "-",
            "-",
            'skipped: no_such_module_of_sk_mlpbp not installed (pip install ".[onnx]")',
        ]
    ]


def _table(lines):
    """Return the cells of the rows of the pipe table in ``lines``, header first."""
    rows = [line for line in lines if line.startswith("| ")]
    return [[cell.strip() for cell in row.split("|")[1:-1]] for row in rows]


def test_threads_script_prints_every_workload_quiet_and_busy():
    result = run_script("threads.py", "--quick", "--samples", "1000")
    header, *rows = _table(result.stdout.splitlines())
    assert header[:2] == ["workload", "machine"]
    assert header[-2:] == ["auto / best", "auto busy / quiet"]
    workloads = ["iris", "quick start", "large, 1,000 x 784"]
    assert [(row[0].split(",")[0], row[1]) for row in rows] == [
        (workload.split(",")[0], machine)
        for workload in workloads
        for machine in ["quiet", "busy"]
    ]
    assert rows[-1][0].startswith("large, 1,000 x 784")
    # auto's busy / quiet ratio is in the busy rows only.
    assert [row[-1].endswith("x") for row in rows] == [False, True] * 3


def test_threads_script_writes_a_markdown_report(tmp_path):
    output = tmp_path / "threads.md"
    args = ["--quick", "--samples", "1000", "--output", str(output)]
    result = run_script("threads.py", *args)
    setup, table, legend = check_report(output, "threads.py", args)
    assert setup.startswith("Best of 1 repeat(s)")
    assert table[0] == [
        "workload", "machine", "2 threads s", "1 thread s", "auto s",
        "MLPClassifier, 2 s", "MLPClassifier, 1 s", "auto / best", "auto busy / quiet",
    ]  # fmt: skip
    assert len(table) == 7
    assert table == _table(result.stdout.splitlines())
    assert legend.startswith("Best times in seconds.")


def _load(name, filename):
    """benchmarks/<filename> as a module named ``name`` (benchmarks/ is no package)."""
    # It imports its siblings (_report.py) by name, as it does when run as a script.
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / filename)
        module = importlib.util.module_from_spec(spec)
        # dataclasses look their module up in sys.modules while the class is made.
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


suite = _load("benchmarks_suite", "suite.py")
report = _load("benchmarks_report", "_report.py")


def check_report(path, script, args):
    """Check the layout of the Markdown report at ``path``; return its parts.

    The report of ``python benchmarks/<script> <args>``: the line saying how it was
    produced, the environment as bullets, the setup line, a pipe table and the legend
    on one line, as paragraphs, and no heading.

    Returns
    -------
    setup : str
    table : list of list of str
        The table's cells, the header first (the rule under it left out).
    legend : str
    """
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert not any(line.startswith("#") for line in text.splitlines())
    run_line, bullets, setup, table, legend = text[:-1].split("\n\n")
    command = shlex.join(["python", f"benchmarks/{script}", *args])
    code = (
        r"(on commit [0-9a-f]{4,40}( with uncommitted changes)?|outside a git checkout)"
    )
    date = r"\d{4}-\d{2}-\d{2}"
    assert re.fullmatch(f"Run on {date} {code} with `{re.escape(command)}`", run_line)
    bullets = bullets.splitlines()
    assert bullets[0].startswith("- python ") and " sk_mlpbp " in bullets[0]
    assert bullets[1].startswith("- thread pools: ")
    assert bullets[2].startswith("- OPENBLAS_NUM_THREADS")
    assert all(line.startswith("- ") for line in bullets)
    assert "\n" not in setup and not setup.startswith(("- ", "|"))
    lines = table.splitlines()
    assert re.fullmatch(r"\|((:-+)|(-+:))(\|((:-+)|(-+:)))*\|", lines[1])
    widths = [len(line.split("|")) for line in lines]
    assert widths == [widths[1]] * len(lines)
    cells = _table(lines)
    assert len(cells) == len(lines) - 1
    assert "\n" not in legend and not legend.startswith(("- ", "|"))
    return setup, cells, legend


def test_report_provenance_names_the_commit_and_uncommitted_changes(monkeypatch):
    calls = []
    status = {"": "", "dirty": " M sk_mlpbp/_base.py"}

    def git(*args):
        calls.append(args)
        return "abc1234" if args[0] == "rev-parse" else status[state]

    monkeypatch.setattr(report, "_git", git)
    today = datetime.date.today().isoformat()
    args = ["--set", "hidden_layer_sizes=(10, 5)", "--output", "suite.md"]
    state = ""
    clean = report.provenance("/anywhere/benchmarks/suite.py", args)
    assert clean == (
        f"Run on {today} on commit abc1234 with `python benchmarks/suite.py "
        "--set 'hidden_layer_sizes=(10, 5)' --output suite.md`"
    )
    state = "dirty"
    dirty = report.provenance("bench.py", ["--repeats", "5"])
    assert dirty == (
        f"Run on {today} on commit abc1234 with uncommitted changes with "
        "`python benchmarks/bench.py --repeats 5`"
    )
    # Changes to the code count, not earlier reports of the same session.
    assert calls[1] == (
        "status", "--porcelain", "--", "sk_mlpbp", "benchmarks",
        ":(exclude)benchmarks/results",
    )  # fmt: skip


def test_report_provenance_outside_a_git_checkout(monkeypatch, tmp_path):
    monkeypatch.setattr(report, "ROOT", tmp_path)
    line = report.provenance("threads.py", ["--quick"])
    today = datetime.date.today().isoformat()
    assert line == (
        f"Run on {today} outside a git checkout with `python benchmarks/threads.py "
        "--quick`"
    )


def test_report_provenance_in_this_checkout_names_its_commit():
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    line = report.provenance(BENCHMARKS / "suite.py", [])
    assert f" on commit {commit} " in line
    assert line.endswith("with `python benchmarks/suite.py`")


def test_report_markdown_is_paragraphs_with_the_legend_on_one_line():
    text = report.markdown(
        "Run on ...", ["a", "b"], "setup", "| x |\n|--:|\n| 1 |", "a\n* legend"
    )
    assert (
        text == "Run on ...\n\n- a\n- b\n\nsetup\n\n| x |\n|--:|\n| 1 |\n\na * legend"
    )


# n_samples and n_features of every problem (None for the documents of "text").
SHAPES = {
    "iris": (150, 4),
    "iris-raw": (150, 4),
    "wine": (178, 13),
    "wine-raw": (178, 13),
    "breast_cancer": (569, 30),
    "breast_cancer-raw": (569, 30),
    "digits": (1797, 64),
    "digits-raw": (1797, 64),
    "highdim": (1000, 500),
    "classes30": (3000, 40),
    "classes100": (600, 20),
    "imbalanced": (2000, 20),
    "label_noise": (2000, 20),
    "rows20k": (20_000, 20),
    "outlier_weight": (20_000, 20),
    "warm_start": (2000, 20),
    "moons": (1000, 2),
    "moons-x0.01": (1000, 2),
    "moons-x100": (1000, 2),
    "circles": (1000, 2),
    "circles-x0.01": (1000, 2),
    "circles-x100": (1000, 2),
    "xor": (1000, 2),
    "xor-x0.01": (1000, 2),
    "xor-x100": (1000, 2),
    "band": (1000, 2),
    "band-x0.01": (1000, 2),
    "band-x100": (1000, 2),
    "quantiles": (1000, 2),
    "quantiles-x0.01": (1000, 2),
    "quantiles-x100": (1000, 2),
    "shells4": (1500, 4),
    "age_income": (1000, 2),
    "age_income-raw": (1000, 2),
    "text3": (600, None),
    "text8": (1200, None),
    "multilabel": (1000, 20),
}
PIPELINES = {
    "scaled": "scale",
    "unscaled": None,
    "natural": None,
    "rescaled": None,
    "text": "tfidf",
}
RESCALED = [name for name in SHAPES if "-x" in name]


def test_suite_has_the_documented_problems_in_order():
    assert list(suite.PROBLEMS) == list(SHAPES)
    assert list(suite.CONTENDERS) == ["ours", "mlp", "mlp-logistic-sgd"]


@pytest.mark.parametrize("name", list(SHAPES))
def test_suite_problem_makes_the_documented_data(name):
    problem = suite.PROBLEMS[name]
    assert problem.name == name
    assert problem.pipeline == PIPELINES[problem.kind]
    assert problem.metric in suite.METRICS
    X, y = problem.make()
    n_samples, n_features = SHAPES[name]
    assert len(X) == n_samples
    if problem.kind == "text":
        assert all(isinstance(doc, str) for doc in X)
        assert len(np.unique(y)) == int(name.removeprefix("text"))
    else:
        assert X.shape == (n_samples, n_features)
    assert y.shape == ((n_samples, 5) if name == "multilabel" else (n_samples,))
    X_again, y_again = problem.make()
    assert_array_equal(y_again, y)
    assert_array_equal(np.asarray(X_again), np.asarray(X))


def test_suite_problem_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="kind must be one of"):
        suite.Problem("mine", "raw", lambda: None)


def test_suite_problem_rejects_a_base_unless_rescaled():
    with pytest.raises(ValueError, match="has a base exactly when"):
        suite.Problem("mine", "natural", lambda: None, pipeline=None, base="moons")
    with pytest.raises(ValueError, match="has a base exactly when"):
        suite.Problem("mine", "rescaled", lambda: None, pipeline=None)


def test_suite_rescales_every_natural_problem_by_both_factors_after_it():
    names = list(suite.PROBLEMS)
    natural = [name for name in names if suite.PROBLEMS[name].kind == "natural"]
    assert natural == ["moons", "circles", "xor", "band", "quantiles"]
    for name in natural:
        at = names.index(name)
        assert names[at + 1 : at + 3] == [f"{name}-x0.01", f"{name}-x100"]
    kinds = {name: suite.PROBLEMS[name].kind for name in names}
    assert sorted(name for name, kind in kinds.items() if kind == "rescaled") == sorted(
        RESCALED
    )


@pytest.mark.parametrize("name", RESCALED)
def test_suite_rescaled_copy_is_its_base_times_the_factor(name):
    problem = suite.PROBLEMS[name]
    assert problem.kind == "rescaled"
    assert problem.factor == {"0.01": 1e-2, "100": 1e2}[name.rpartition("-x")[2]]
    assert problem.base == name.rpartition("-x")[0]
    X, y = problem.make()
    X_base, y_base = suite.PROBLEMS[problem.base].make()
    assert_array_equal(y, y_base)
    np.testing.assert_allclose(X, X_base * problem.factor, rtol=1e-15)


def test_suite_classes100_has_exactly_six_rows_in_each_of_100_classes():
    _, y = suite.PROBLEMS["classes100"].make()
    classes, counts = np.unique(y, return_counts=True)
    assert len(classes) == 100
    assert_array_equal(counts, 6)


def test_suite_shells4_has_three_classes_of_500_rows():
    problem = suite.PROBLEMS["shells4"]
    assert problem.kind == "scaled"
    _, y = problem.make()
    assert_array_equal(np.bincount(y), [500, 500, 500])


def test_suite_age_income_has_two_columns_on_far_scales():
    X, y = suite.PROBLEMS["age_income-raw"].make()
    moons, y_moons = suite.PROBLEMS["moons"].make()
    age, income = X.T
    np.testing.assert_allclose(age, 45 + 15 * moons[:, 0])
    np.testing.assert_allclose(income, 40_000 + 30_000 * moons[:, 1])
    assert_array_equal(y, y_moons)
    assert age.min() > 15 and age.max() < 90
    assert income.std() / age.std() > 1000
    X_scaled, y_scaled = suite.PROBLEMS["age_income"].make()
    assert_array_equal(X_scaled, X)
    assert_array_equal(y_scaled, y)
    assert suite.PROBLEMS["age_income"].pipeline == "scale"
    assert suite.PROBLEMS["age_income-raw"].kind == "unscaled"


def test_suite_outlier_weight_weighs_one_row_1e4_and_the_others_1():
    problem = suite.PROBLEMS["outlier_weight"]
    _, y = problem.make()
    assert len(np.unique(y)) == 2
    weights = problem.weigh(y[:1000])
    assert weights.shape == (1000,)
    assert weights[0] == 1e4
    assert_array_equal(weights[1:], 1.0)


def test_suite_warm_start_first_data_have_the_features_and_classes_but_differ():
    problem = suite.PROBLEMS["warm_start"]
    X, y = problem.make()
    X_first, y_first = problem.warm_start_from()
    assert X_first.shape == X.shape
    assert_array_equal(np.unique(y_first), np.unique(y))
    assert not np.allclose(X_first, X)
    assert problem.weigh is None


def test_suite_subsample_keeps_whole_classes_when_they_are_few():
    X, y = suite.subsample(*suite.PROBLEMS["classes100"].make(), 150)
    classes, counts = np.unique(y, return_counts=True)
    assert (len(y), len(X)) == (150, 150)
    assert len(classes) == 25
    assert_array_equal(counts, 6)


def test_suite_subsample_draws_rows_at_random_otherwise():
    X_all, y_all = suite.PROBLEMS["iris"].make()
    X, y = suite.subsample(X_all, y_all, 60)
    assert X.shape == (60, 4)
    # Some rows of every class, all rows of none.
    counts = np.bincount(y)
    assert counts.min() > 0
    assert counts.max() < 50


def test_suite_flips_a_fifth_of_the_labels():
    # The label-noise problem's noise is exact, not a rate left to chance.
    X, y = suite.PROBLEMS["label_noise"].make()
    clean = make_classification(2000, 20, n_informative=10, flip_y=0.0, random_state=0)[
        1
    ]
    assert np.mean(y != clean) == pytest.approx(0.2)


def test_suite_chance_levels():
    iris = suite.PROBLEMS["iris"]
    assert suite.chance_level(iris, np.array([0, 0, 0, 1])) == 0.75
    imbalanced = suite.PROBLEMS["imbalanced"]
    assert suite.chance_level(imbalanced, np.array([0, 0, 0, 1])) == 0.5
    multilabel = suite.PROBLEMS["multilabel"]
    rows = np.array([[1, 0], [1, 0], [0, 1], [1, 1]])
    assert suite.chance_level(multilabel, rows) == 0.5


class _SaturatingClassifier(DummyClassifier):
    """A classifier whose every fit raises the (future) SaturationWarning."""

    def fit(self, X, y):
        warnings.warn("saturated", sk_mlpbp.exceptions.SaturationWarning)
        return super().fit(X, y)


class _RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Records every fit; runs 3 epochs from scratch, 4 when warm-started.

    As MLPClassifier does, ``n_iter_`` restarts at every fit while ``loss_curve_``
    carries on over a warm start.
    """

    def __init__(self, calls=None, warm_start=False):
        self.calls = calls
        self.warm_start = warm_start

    def fit(self, X, y, sample_weight=None):
        continuing = self.warm_start and hasattr(self, "loss_curve_")
        self.calls.append(
            {
                "n_rows": len(X),
                "y": y.copy(),
                "sample_weight": sample_weight,
                "warm_start": self.warm_start,
                "continuing": continuing,
            }
        )
        self.n_iter_ = 4 if continuing else 3
        self.loss_curve_ = (self.loss_curve_ if continuing else []) + [0.0] * (
            self.n_iter_
        )
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_suite_run_passes_the_sample_weight_through_the_pipeline():
    problem = suite.PROBLEMS["outlier_weight"]
    assert problem.pipeline == "scale"
    data = suite.subsample(*problem.make(), 90)
    calls = []
    result = suite.run(problem, lambda seed: _RecordingClassifier(calls), 3, data=data)
    assert len(calls) == 3
    for call in calls:
        assert call["n_rows"] == 60
        weights = call["sample_weight"]
        assert weights.shape == (60,)
        assert np.sum(weights == 1e4) == 1
        assert np.sum(weights == 1.0) == 59
    assert result.epochs == 3


def test_suite_run_skips_weights_for_a_classifier_without_them():
    # MLPClassifier before scikit-learn 1.7 has no sample_weight: its cell is "-"
    # and the totals leave it out, rather than the run failing.
    problem = suite.Problem(
        "weighted_moons",
        "natural",
        suite.PROBLEMS["moons"].make,
        pipeline=None,
        weigh=lambda y: np.ones(len(y)),
    )
    data = suite.subsample(*problem.make(), 90)
    result = suite.run(problem, lambda seed: _SaturatingClassifier(), 3, data=data)
    assert np.isnan(result.score)
    ours = suite.run(problem, lambda seed: DummyClassifier(), 3, data=data)
    rows = [(problem, "90 x 2", 0.0, {"ours": ours, "mlp": result})]
    table = suite.format_table(rows, ["ours", "mlp"])
    body = [line.split("|")[1:-1] for line in table.splitlines()[2:]]
    assert [cell.strip() for cell in body[0]][4:10] == [
        f"{ours.score:.3f}", "-", f"{ours.seconds:.1f}", "-", "-", "0.0",
    ]  # fmt: skip
    assert "nan" not in body[0]


def test_suite_run_passes_the_sample_weight_without_a_pipeline():
    problem = suite.Problem(
        "weighted_moons",
        "natural",
        suite.PROBLEMS["moons"].make,
        pipeline=None,
        weigh=lambda y: np.arange(len(y), dtype=float),
    )
    calls = []
    data = suite.subsample(*problem.make(), 90)
    suite.run(problem, lambda seed: _RecordingClassifier(calls), 3, data=data)
    for call in calls:
        np.testing.assert_allclose(call["sample_weight"], np.arange(60))


def test_suite_run_fits_without_weights_when_the_problem_has_none():
    problem = suite.PROBLEMS["rows20k"]
    data = suite.subsample(*problem.make(), 90)
    calls = []
    suite.run(problem, lambda seed: _RecordingClassifier(calls), 3, data=data)
    assert [call["sample_weight"] for call in calls] == [None] * 3


def test_suite_run_fits_the_first_data_then_warm_starts_on_the_fold():
    problem = suite.PROBLEMS["warm_start"]
    data = suite.subsample(*problem.make(), 90)
    _, y_first = suite.subsample(*problem.warm_start_from(), 90)
    calls = []
    result = suite.run(problem, lambda seed: _RecordingClassifier(calls), 3, data=data)
    assert len(calls) == 6
    for first, fold in zip(calls[::2], calls[1::2]):
        assert (first["warm_start"], first["continuing"]) == (False, False)
        assert_array_equal(first["y"], y_first)
        assert (fold["warm_start"], fold["continuing"]) == (True, True)
        assert fold["n_rows"] == 60
        assert not np.array_equal(fold["y"], y_first[:60])
    # The epochs of the fit on the fold alone, though n_iter_ restarted (4, not 7).
    assert result.epochs == 4


def test_suite_run_warm_starts_mlpclassifier_on_the_fold():
    problem = suite.PROBLEMS["warm_start"]
    data = suite.subsample(*problem.make(), 60)

    def make(seed):
        return suite.MLPClassifier(max_iter=5, random_state=seed)

    result = suite.run(problem, make, 2, data=data)
    assert result.warned == 2
    # 5 epochs on the first data, 5 more on the fold: the table counts the fold's.
    assert result.epochs == 5


def test_suite_marks_a_rescaled_copy_that_drifts_from_its_base():
    base, copy = suite.PROBLEMS["moons"], suite.PROBLEMS["moons-x100"]
    results = {
        "moons": suite.Result(score=0.90, epochs=10.0, seconds=1.0),
        "moons-x100": suite.Result(score=0.80, epochs=10.0, seconds=1.0),
    }
    rows = [
        (problem, "1000 x 2", 0.5, {"ours": results[problem.name]})
        for problem in (base, copy)
    ]
    table = suite.format_table(rows, ["ours"]).splitlines()
    copy_row = next(line for line in table if line.startswith("| moons-x100"))
    assert "DRIFT" in copy_row
    assert "DRIFT" not in next(line for line in table if line.startswith("| moons "))
    totals = {line.split("|")[1].strip(): line for line in table[-3:]}
    assert list(totals) == ["total scaled/natural/text", "total rescaled", "total"]
    assert "DRIFT 1" in totals["total rescaled"]
    assert "DRIFT" not in totals["total scaled/natural/text"]


def test_suite_counts_and_shows_saturation(monkeypatch):
    saturation = type("SaturationWarning", (UserWarning,), {})
    saturation.__module__ = "sk_mlpbp.exceptions"
    monkeypatch.setattr(
        sk_mlpbp.exceptions, "SaturationWarning", saturation, raising=False
    )
    problem = suite.PROBLEMS["band"]
    data = suite.subsample(*problem.make(), 60)
    ours = suite.run(problem, lambda seed: _SaturatingClassifier(), 3, data=data)
    assert (ours.saturated, ours.warned) == (3, 3)
    mlp = suite.Result(score=ours.score, epochs=1.0, seconds=1.0)
    chance = suite.chance_level(problem, data[1])
    table = suite.format_table(
        [(problem, "60 x 2", chance, {"ours": ours, "mlp": mlp})], ["ours", "mlp"]
    )
    band_row = next(line for line in table.splitlines() if "| band" in line)
    assert "SAT" in band_row
    assert " w3" in band_row


def test_suite_runs_end_to_end_on_tiny_problems():
    result = run_script(
        "suite.py", "--quick", "--problems", "xor", "band",
        "--contenders", "ours", "mlp", "--max-rows", "150",
        "--set", "max_iter=30", "--set", "weight_init=glorot",
    )  # fmt: skip
    lines = result.stdout.splitlines()
    assert any(line.startswith("python ") and "sk_mlpbp" in line for line in lines)
    assert any("OPENBLAS_NUM_THREADS" in line for line in lines)
    assert "max_iter=30" in result.stdout
    header = next(line for line in lines if line.startswith("| problem"))
    for column in ["ours score", "mlp score", "ours-mlp", "time ours/mlp"]:
        assert column in header
    assert "mlp-logistic-sgd" not in header
    rows = [line for line in lines if line.startswith("| ")]
    names = [row.split("|")[1].strip() for row in rows]
    assert names == ["problem", "xor", "band", "total scaled/natural/text"]
    assert "2 problems" in rows[-1]
    assert "ok " in rows[-1]
    assert "CHANCE " in rows[-1]


def test_suite_writes_a_markdown_report(tmp_path):
    output = tmp_path / "suite.md"
    args = [
        "--quick", "--problems", "xor", "band", "--contenders", "ours", "mlp",
        "--max-rows", "120", "--set", "max_iter=20", "--output", str(output),
    ]  # fmt: skip
    result = run_script("suite.py", *args)
    setup, table, legend = check_report(output, "suite.py", args)
    assert setup.startswith("3-fold cross-validation, seed 0; ours = ")
    assert "max_iter=20" in setup
    assert table[0] == [
        "problem", "kind", "size", "chance",
        "ours score", "ours ep", "ours s", "mlp score", "mlp ep", "mlp s",
        "ours-mlp", "time ours/mlp", "notes",
    ]  # fmt: skip
    assert [row[0] for row in table[1:]] == ["xor", "band", "total scaled/natural/text"]
    # The table printed, and the legend unwrapped.
    assert table == _table(result.stdout.splitlines())
    assert legend == " ".join(suite.LEGEND.split())


def test_suite_runs_end_to_end_on_the_new_kinds_of_problem():
    names = [
        "classes100",
        "outlier_weight",
        "warm_start",
        "moons",
        "moons-x0.01",
        "shells4",
        "age_income-raw",
    ]
    result = run_script(
        "suite.py", "--quick", "--problems", *names,
        "--contenders", "ours", "mlp", "--max-rows", "120", "--set", "max_iter=20",
    )  # fmt: skip
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    cells = [[cell.strip() for cell in row.split("|")[1:-1]] for row in rows]
    assert [row[0] for row in cells] == [
        "problem", *names,
        "total scaled/natural/text", "total unscaled", "total rescaled", "total",
    ]  # fmt: skip
    sizes = {row[0]: row[2] for row in cells}
    assert sizes["classes100"] == "120 x 20"
    assert sizes["warm_start"] == "120 x 20"
    assert "DRIFT " in rows[-2]


def test_suite_rejects_an_unknown_problem_naming_the_known_ones():
    result = run_script("suite.py", "--problems", "nope", check=False)
    assert result.returncode == 2
    assert "invalid choice: 'nope'" in result.stderr
    assert "iris-raw" in result.stderr
