"""Every gallery example runs headless, saves its figures and prints what it claims.

Each script runs once, in a subprocess as a user runs it from a checkout (the dask
example's cluster workers import the script again): with default settings, with
matplotlib's Agg backend, from a copy of the checkout's layout in a temporary folder
(the repository's .gitignore and the script in examples/), so that nothing is written
into the repository, and with a temporary-files folder of its own.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCRIPTS = sorted(path.name for path in EXAMPLES.glob("*.py"))
# Examples that need an optional extra beyond the test extra.
REQUIRES = {"plot_dask_training.py": "dask_ml"}
COMMAND = [
    sys.executable,
    "-W",
    "error::FutureWarning",
    "-W",
    "error::DeprecationWarning",
]

_runs = {}


@pytest.fixture(scope="session")
def run_example(tmp_path_factory):
    """Run an example once per session.

    Returns (completed process, the checkout copy it ran in, its TMPDIR).
    """

    def run(name):
        if name in REQUIRES:
            pytest.importorskip(REQUIRES[name])
        if name not in _runs:
            checkout = tmp_path_factory.mktemp(Path(name).stem).resolve()
            temporary = tmp_path_factory.mktemp(f"{Path(name).stem}_tmp")
            shutil.copy(ROOT / ".gitignore", checkout)
            (checkout / "examples").mkdir()
            shutil.copy(EXAMPLES / name, checkout / "examples")
            env = {**os.environ, "MPLBACKEND": "Agg", "TMPDIR": str(temporary)}
            env.pop("SK_MLPBP_FIGURES", None)
            result = subprocess.run(
                [*COMMAND, str(checkout / "examples" / name)],
                capture_output=True,
                text=True,
                timeout=300,
                cwd=checkout,
                env=env,
            )
            _runs[name] = result, checkout, temporary
        return _runs[name]

    return run


def test_the_gallery_has_every_required_example():
    assert {
        "plot_article_experiment.py",
        "plot_article_step.py",
        "plot_learning_rate.py",
        "plot_grid_search.py",
        "plot_validation_curves.py",
        "plot_text_classification.py",
        "plot_dask_training.py",
    } <= set(SCRIPTS)


@pytest.mark.parametrize("name", SCRIPTS)
def test_example_runs_and_saves_its_figures(run_example, name):
    result, checkout, _ = run_example(name)
    assert result.returncode == 0, result.stderr
    saved = sorted((checkout / "examples" / "figures").glob("*.png"))
    assert saved, f"{name} saved no figure"
    for path in saved:
        assert f"saved {path}" in result.stdout
        assert path.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("name", SCRIPTS)
def test_running_an_example_leaves_git_status_clean(run_example, name):
    # Whatever the run writes must be ignored by .gitignore; otherwise git status in
    # a checkout shows it, as a new file or as a tracked one modified.
    if shutil.which("git") is None:
        pytest.skip("needs git")
    result, checkout, _ = run_example(name)
    assert result.returncode == 0, result.stderr
    # Only the repository's .gitignore counts, not the user's global one.
    git = ["git", "-c", f"core.excludesFile={os.devnull}"]
    subprocess.run([*git, "init", "-q"], cwd=checkout, check=True)
    status = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=all"],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    shown = {line[3:] for line in status.splitlines()}
    assert shown == {".gitignore", f"examples/{name}"}


def test_sk_mlpbp_figures_names_the_figures_folder(tmp_path):
    figures = tmp_path / "my figures"
    result = subprocess.run(
        [*COMMAND, str(EXAMPLES / "plot_article_experiment.py")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "MPLBACKEND": "Agg", "SK_MLPBP_FIGURES": str(figures)},
    )
    assert result.returncode == 0, result.stderr
    assert [path.name for path in figures.iterdir()] == ["article_decision_surface.png"]


@pytest.mark.parametrize("name", SCRIPTS)
def test_example_is_a_gallery_script(name):
    source = (EXAMPLES / name).read_text()
    title = re.match(r'"""\n(.+)\n(=+)\n', source)
    assert title, f"{name} has no title docstring"
    assert len(title.group(2)) == len(title.group(1))
    assert "\n# %%\n" in source
    assert "SK_MLPBP_FIGURES" in source


def test_article_experiment_leaves_no_temporary_files(run_example):
    # It writes the article's spreadsheets to a temporary folder and reads them back.
    result, _, temporary = run_example("plot_article_experiment.py")
    assert result.returncode == 0, result.stderr
    assert list(temporary.iterdir()) == []
    assert "wrote training.csv (199 rows)" in result.stdout


def test_article_experiment_reaches_the_articles_validation_accuracy(run_example):
    out = run_example("plot_article_experiment.py")[0].stdout
    assert out.count("rows)") == 2
    accuracy = float(re.search(r"validation accuracy: ([0-9.]+)", out).group(1))
    assert accuracy >= 0.9


def test_learning_rate_study_shows_slow_small_and_saturated_large_rates(run_example):
    out = run_example("plot_learning_rate.py")[0].stdout
    rows = {
        float(lr): [float(value) for value in values.split()]
        for lr, values in re.findall(r"^ *([0-9.]+)((?: +[0-9.]+){4})$", out, re.M)
    }
    assert sorted(rows) == [0.1, 0.5, 1, 3, 10, 30, 100, 300]
    first_epoch_error = {lr: row[0] for lr, row in rows.items()}
    assert first_epoch_error[0.1] > first_epoch_error[1] > first_epoch_error[3]
    assert rows[1][3] == 1.0
    # Saturated: the error barely moves in 30 epochs and the accuracy stays at chance.
    assert rows[300][1] > 0.9 * rows[300][0]
    assert rows[300][3] < 0.6


def test_grid_search_prints_the_grid_and_the_best_model(run_example):
    out = run_example("plot_grid_search.py")[0].stdout
    assert "mean cross-validated accuracy" in out
    assert len(re.findall(r"^ +\d+(?: +[0-9.]+){5}$", out, re.M)) == 5
    best = r"best: LR=\S+, hidden=\(\d+,\); validation accuracy ([0-9.]+)"
    match = re.search(best, out)
    assert float(match.group(1)) >= 0.95


def test_validation_curves_example_stops_early_at_its_best_epoch(run_example):
    out = run_example("plot_validation_curves.py")[0].stdout
    match = re.search(
        r"early stopping: ran (\d+) epochs, kept epoch (\d+) with validation "
        r"accuracy ([0-9.]+) \(best_validation_score_ = ([0-9.]+)\)",
        out,
    )
    assert match
    ran, kept = int(match.group(1)), int(match.group(2))
    assert kept < ran < 150
    assert match.group(3) == match.group(4)


def test_text_classification_learns_the_topics(run_example):
    out = run_example("plot_text_classification.py")[0].stdout
    assert re.search(r"TF-IDF matrix: \d+ x \d+ sparse", out)
    accuracy = float(re.search(r"held-out accuracy ([0-9.]+)", out).group(1))
    assert accuracy >= 0.9


def test_dask_example_runs_both_ways_on_a_local_cluster(run_example):
    out = run_example("plot_dask_training.py")[0].stdout
    assert "scores equal to the local run: True" in out
    accuracy = float(re.search(r"held-out accuracy ([0-9.]+)", out).group(1))
    assert accuracy >= 0.9


def test_article_step_example_traces_the_step_and_checks_the_gradients(run_example):
    out = run_example("plot_article_step.py")[0].stdout
    assert "One backpropagation step: 3-4-1 network, 1 sample" in out
    assert "One backpropagation step: 3-5-3-1 network, 4 samples" in out
    assert "weights after the step equal partial_fit's: True" in out
    errors = re.findall(r"^  (\w+) +\d+x\d+(?: \+ bias)? +([0-9.e+-]+)$", out, re.M)
    names = [name for name, _ in errors]
    assert names == ["ItoH", "HtoO", "ItoH1", "H1toH2", "H2toO"]
    assert max(float(error) for _, error in errors) < 1e-6
