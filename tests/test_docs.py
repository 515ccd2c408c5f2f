"""The README's code and the main example run as written."""

import re
import runpy
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from sklearn.exceptions import ConvergenceWarning

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize(
    "code", re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
)
def test_readme_python_blocks_run(code):
    if "sklearn.callback" in code:
        pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        exec(compile(code, "README.md", "exec"), {})


def test_readme_states_both_set_up_commands():
    for marker in ("<!-- main-command -->", "<!-- test-command -->"):
        block = README.split(marker, 1)[1].split("```")[1]
        assert "python3 -m venv" in block
        assert "pip install" in block


def test_article_experiment_prints_validation_accuracy_and_grid(capsys):
    runpy.run_path(
        str(ROOT / "examples" / "article_experiment.py"), run_name="__main__"
    )
    out = capsys.readouterr().out
    accuracy = float(re.search(r"validation accuracy: ([0-9.]+)", out).group(1))
    assert accuracy >= 0.9
    assert "mean cross-validated accuracy" in out
    assert re.search(r"best: LR=\S+, hidden=\(\d+,\); validation accuracy", out)


def test_validation_curves_example_stops_early_at_its_best_epoch(capsys):
    runpy.run_path(str(ROOT / "examples" / "validation_curves.py"), run_name="__main__")
    out = capsys.readouterr().out
    match = re.search(
        r"early stopping: ran (\d+) epochs, kept epoch (\d+) with validation "
        r"accuracy ([0-9.]+) \(best_validation_score_ = ([0-9.]+)\)",
        out,
    )
    assert match
    ran, kept = int(match.group(1)), int(match.group(2))
    assert kept < ran < 150
    assert match.group(3) == match.group(4)


def test_dask_example_runs_both_ways_on_a_local_cluster():
    pytest.importorskip("dask_ml")
    # A subprocess, as a user runs it: the cluster's workers re-import the script.
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "dask_training.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "scores equal to the local run: True" in result.stdout
    accuracy = float(re.search(r"held-out accuracy ([0-9.]+)", result.stdout).group(1))
    assert accuracy >= 0.9
