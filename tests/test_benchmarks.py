"""The benchmark scripts run (on a tiny size, so that they cannot rot).

They measure ratios and scores for people to read; nothing here asserts a timing.
"""

import importlib.util
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier

import sk_mlpbp.exceptions

ROOT = Path(__file__).resolve().parent.parent


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
    ]
    for workload in workloads:
        assert workload in result.stdout


def test_threads_script_prints_every_workload_quiet_and_busy():
    result = run_script("threads.py", "--quick", "--samples", "1000")
    for workload in ["iris", "quick start", "large, 1,000 x 784"]:
        for machine in ["quiet", "busy"]:
            assert any(
                line.startswith(workload) and machine in line
                for line in result.stdout.splitlines()
            ), (workload, machine)
    assert "auto, busy / quiet, quick start" in result.stdout


def _suite():
    """benchmarks/suite.py as a module (benchmarks/ is no package)."""
    spec = importlib.util.spec_from_file_location(
        "benchmarks_suite", ROOT / "benchmarks" / "suite.py"
    )
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is made.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


suite = _suite()

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
    "imbalanced": (2000, 20),
    "label_noise": (2000, 20),
    "rows20k": (20_000, 20),
    "moons": (1000, 2),
    "circles": (1000, 2),
    "xor": (1000, 2),
    "band": (1000, 2),
    "quantiles": (1000, 2),
    "text3": (600, None),
    "text8": (1200, None),
    "multilabel": (1000, 20),
}
PIPELINES = {"scaled": "scale", "unscaled": None, "natural": None, "text": "tfidf"}


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


def test_suite_rejects_an_unknown_problem_naming_the_known_ones():
    result = run_script("suite.py", "--problems", "nope", check=False)
    assert result.returncode == 2
    assert "invalid choice: 'nope'" in result.stderr
    assert "iris-raw" in result.stderr
