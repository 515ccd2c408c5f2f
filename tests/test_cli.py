"""The sk-mlpbp command line, end to end.

Each command runs as a user runs it, in a subprocess, on CSV files written here; the
progress display is driven by the estimator's per-epoch hook.
"""

import csv
import io
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning, InconsistentVersionWarning
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import MLPBackpropClassifier, make_article_data
from sk_mlpbp._cli import _notes, main
from sk_mlpbp._csv import read_table
from sk_mlpbp._model_io import load_model
from sk_mlpbp._progress import EpochDisplay, epoch_progress
from tests._helpers import assert_same_model, interrupted_run

LABELS = np.array(["left", "right"])  # text labels, to check they come back as such


def run(*args, **kwargs):
    """Run ``python -m sk_mlpbp ARGS``; return the completed process."""
    return subprocess.run(
        [sys.executable, "-m", "sk_mlpbp", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def write_csv(path, header, rows):
    """Write a CSV file of a header line and rows; return its path."""
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def article_file(path, n_samples, seed, offset=0.0):
    """Write the article's spreadsheet; return its path.

    Its columns are x, y, z (plus ``offset``) and the class, as text labels.
    """
    X, y = make_article_data(n_samples, random_state=seed)
    rows = [
        [*map("{:.1f}".format, x + offset), label] for x, label in zip(X, LABELS[y])
    ]
    return write_csv(path, ["x", "y", "z", "side"], rows)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Return a training and a validation file, and the model fitted on them."""
    folder = tmp_path_factory.mktemp("cli")
    paths = {
        "train": article_file(folder / "train.csv", 120, seed=0),
        "valid": article_file(folder / "valid.csv", 60, seed=1),
        "model": folder / "model.skops",
        "folder": folder,
    }
    paths["fit"] = run(
        "fit", paths["train"], "--target", "side", "--validation", paths["valid"],
        "--hidden", 4, "--epochs", 5, "--seed", 0, "--output", paths["model"],
    )  # fmt: skip
    return paths


@pytest.fixture(scope="module")
def proba(files):
    """Run ``predict --proba`` on the validation file."""
    return run("predict", files["model"], files["valid"], "--proba")


def read_output_csv(text):
    """Return the header and the rows of a CSV text."""
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def article_columns(path):
    """Return the inputs x, y, z and the classes of an article file, as arrays."""
    _, rows = read_output_csv(path.read_text())
    X = np.array([row[:3] for row in rows], dtype=float)
    return X, np.array([row[3] for row in rows])


def test_demo_prints_validation_accuracy_and_grid_table():
    """``demo`` prints the article's validation accuracy and the grid's table."""
    result = run("demo")
    assert result.returncode == 0, result.stderr
    accuracy = float(re.search(r"validation accuracy: ([0-9.]+)", result.stdout)[1])
    assert accuracy >= 0.9
    assert re.search(r"hidden \\ LR +0\.1 +0\.5 +2\n", result.stdout)
    rows = re.findall(r"^ +(\d+)((?: +[01]\.\d{3}){3})$", result.stdout, re.M)
    assert [int(hidden) for hidden, _ in rows] == [8, 16, 32]
    assert re.search(
        r"best: LR \S+, hidden \d+; accuracy on the held-out", result.stdout
    )


def test_fit_prints_a_line_per_epoch_and_the_accuracies(files):
    """``fit`` off a terminal prints one line per epoch, the accuracies, the file."""
    result = files["fit"]
    assert result.returncode == 0, result.stderr
    epochs = re.findall(
        r"^epoch (\d+)/5: loss [0-9.]+, validation accuracy [0-9.]+$",
        result.stdout,
        re.M,
    )
    assert epochs == ["1", "2", "3", "4", "5"]
    assert re.search(r"^training accuracy: [01]\.\d{4}$", result.stdout, re.M)
    validation = re.search(r"^validation accuracy: ([0-9.]+)$", result.stdout, re.M)
    assert float(validation[1]) >= 0.9
    assert re.search(
        r"^saved \S*model\.skops \(standardised inputs: x, y, z; classes: left, "
        r"right\)$",
        result.stdout,
        re.M,
    )
    assert files["model"].stat().st_size > 0


def test_fit_saves_a_pipeline_standardising_with_the_training_mean_and_std(files):
    """``fit`` saves a StandardScaler of the training columns before the network."""
    model = load_model(str(files["model"])).model
    assert isinstance(model, Pipeline)
    (_, scaler), (_, classifier) = model.steps
    assert isinstance(scaler, StandardScaler)
    assert isinstance(classifier, MLPBackpropClassifier)
    X, _ = article_columns(files["train"])
    assert_allclose(scaler.mean_, X.mean(axis=0))
    assert_allclose(scaler.scale_, X.std(axis=0))


def test_fit_standardises_the_validation_columns_as_the_training_ones(tmp_path, capsys):
    """The validation columns are standardised with the training columns' scaler."""
    # Columns far from 0: unless standardised as the training columns were, the
    # validation columns would put every row on one side of the boundary.
    train = article_file(tmp_path / "train.csv", 120, seed=0, offset=10.0)
    valid = article_file(tmp_path / "valid.csv", 60, seed=1, offset=10.0)
    model = tmp_path / "model.skops"
    command = ["fit", str(train), "--target", "side", "--validation", str(valid)]
    assert main([*command, "--epochs", "5", "--output", str(model)]) == 0
    out = capsys.readouterr().out
    validation = re.search(r"^validation accuracy: ([0-9.]+)$", out, re.M)
    assert float(validation[1]) >= 0.9
    pipeline = load_model(str(model)).model
    X_val, y_val = article_columns(valid)
    # The accuracy the classifier recorded during training, on the columns it got.
    assert pipeline[-1].validation_scores_[-1] == pipeline.score(X_val, y_val)


def test_predict_gives_the_predictions_of_the_saved_pipeline(files, proba, capsys):
    """``predict`` writes what the saved model predicts for the file's columns."""
    model = load_model(str(files["model"])).model
    X, _ = article_columns(files["valid"])
    expected, expected_proba = model.predict(X), model.predict_proba(X)
    assert main(["predict", str(files["model"]), str(files["valid"])]) == 0
    _, rows = read_output_csv(capsys.readouterr().out)
    assert_array_equal([row[0] for row in rows], expected)
    _, rows = read_output_csv(proba.stdout)
    assert_allclose(np.array(rows, dtype=float), expected_proba, rtol=1e-15)


def test_fit_no_scale_saves_the_article_network_trained_on_the_raw_columns(
    files, tmp_path, capsys
):
    """``fit --no-scale`` saves the classifier that a fit on the raw columns gives."""
    path = tmp_path / "raw.skops"
    command = ["fit", str(files["train"]), "--target", "side", "--no-scale"]
    assert main([*command, "--epochs", "5", "--output", str(path)]) == 0
    assert re.search(
        r"^saved \S*raw\.skops \(raw inputs: x, y, z; classes: left, right\)$",
        capsys.readouterr().out,
        re.M,
    )
    saved = load_model(str(path)).model
    assert type(saved) is MLPBackpropClassifier
    # The command's defaults, written out.
    direct = MLPBackpropClassifier(
        (4,), learning_rate=1.0, batch_size=1, max_iter=5, random_state=0
    )
    X, y = article_columns(files["train"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        direct.fit(X, y)
    assert saved.n_iter_ == direct.n_iter_
    assert_same_model(saved, direct)


def note_lines(err, pattern):
    """Return the ``sk-mlpbp: note:`` lines of ``err`` that match ``pattern``."""
    return re.findall(rf"^sk-mlpbp: note: .*{pattern}.*$", err, re.M)


def test_fit_notes_a_model_left_near_a_constant_output(tmp_path, capsys):
    """Labels that the inputs say nothing about leave a near-constant model: a note."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 3)), rng.choice(LABELS, 200)
    rows = [[*map("{:.3f}".format, x), label] for x, label in zip(X, y)]
    train = write_csv(tmp_path / "noise.csv", ["x", "y", "z", "side"], rows)
    model = tmp_path / "model.skops"
    assert main(["fit", str(train), "--target", "side", "--output", str(model)]) == 0
    err = capsys.readouterr().err
    assert len(note_lines(err, "still close to a constant output")) == 1, err


def test_fit_notes_the_epochs_running_out_below_the_progress(files, tmp_path, capsys):
    """Training cut short by ``--epochs`` is one note; the progress stays as it was."""
    model = tmp_path / "model.skops"
    command = ["fit", str(files["train"]), "--target", "side", "--epochs", "2"]
    assert main([*command, "--output", str(model)]) == 0
    out, err = capsys.readouterr()
    assert re.findall(r"^epoch (\d+)/2: loss [0-9.]+$", out, re.M) == ["1", "2"]
    (line,) = err.splitlines()
    assert note_lines(line, r"\(max_iter=2\) was reached") == [line]


def test_fit_no_scale_notes_saturating_inputs_and_the_model_they_leave(
    tmp_path, capsys
):
    """Raw columns far from 0 saturate the units, then leave a near-constant model."""
    train = article_file(tmp_path / "train.csv", 120, seed=0, offset=10.0)
    model = tmp_path / "model.skops"
    command = ["fit", str(train), "--target", "side", "--no-scale", "--epochs", "2"]
    assert main([*command, "--output", str(model)]) == 0
    err = capsys.readouterr().err
    assert len(note_lines(err, "The inputs are far from standardised")) == 1, err
    assert len(note_lines(err, "still close to a constant output")) == 1, err


def test_a_warning_raised_again_is_noted_once(capsys):
    """Identical warnings, as from repeated fits, make one note line."""
    with _notes():
        for _ in range(3):
            warnings.warn("the same news", ConvergenceWarning)
        warnings.warn("other news", UserWarning)
    assert capsys.readouterr().err.splitlines() == [
        "sk-mlpbp: note: the same news",
        "sk-mlpbp: note: other news",
    ]


def test_progress_is_a_bar_redrawn_in_place_on_a_terminal():
    """On a terminal the progress is one bar, redrawn after every epoch."""

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    class Fitting:
        n_iter_, loss_curve_, validation_scores_ = 0, [], None

    stream, estimator = Terminal(), Fitting()
    display = EpochDisplay(stream, total=4, width=8)
    for loss in (0.4, 0.3):
        estimator.n_iter_ += 1
        estimator.loss_curve_.append(loss)
        display.epoch(estimator)
    display.close()
    assert stream.getvalue() == (
        "\repoch 1/4 [##------] loss 0.400000\repoch 2/4 [####----] loss 0.300000\n"
    )


def fit_with_progress(classifier, X, y, total):
    """Fit ``classifier`` inside :func:`epoch_progress`, as ``fit`` does."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with epoch_progress(classifier, total):
            classifier.fit(X, y)


def test_progress_counts_the_epochs_the_estimator_records_not_its_prints(capsys):
    """What the estimator prints during ``fit`` is shown as it is, not as epochs."""
    X, y = make_article_data(40, random_state=0)
    classifier = MLPBackpropClassifier((4,), max_iter=3, verbose=True, random_state=0)
    fit_with_progress(classifier, X, y, total=3)
    out = capsys.readouterr().out
    assert re.findall(r"^epoch (\d+)/3: loss [0-9.]+$", out, re.M) == ["1", "2", "3"]
    assert len(re.findall(r"^Epoch \d+, loss = ", out, re.M)) == 3


def test_progress_says_when_training_stops_before_the_epochs_asked_for(capsys):
    """A line after the last epoch says that training stopped, and when."""
    X, y = make_article_data(100, random_state=0)
    classifier = MLPBackpropClassifier(
        (4,), max_iter=200, early_stopping=True, n_iter_no_change=2, random_state=0
    )
    fit_with_progress(classifier, X, y, total=200)
    assert classifier.n_iter_ < 200
    *_, last_epoch, stop = capsys.readouterr().out.splitlines()
    assert last_epoch.startswith(f"epoch {classifier.n_iter_}/200: ")
    assert stop == f"training stopped after {classifier.n_iter_} of 200 epochs"


def test_progress_hook_is_removed_after_fit(capsys):
    """The hook is set for one fit only, so it is never saved with the model."""
    X, y = make_article_data(40, random_state=0)
    classifier = MLPBackpropClassifier((4,), max_iter=2, random_state=0)
    fit_with_progress(classifier, X, y, total=2)
    assert "_epoch_hook" not in vars(classifier)
    assert classifier._epoch_hook is None


def test_progress_hook_is_removed_when_fit_fails(capsys):
    """The hook is removed when ``fit`` raises, too."""
    X, y = make_article_data(40, random_state=0)
    classifier = MLPBackpropClassifier((4,), max_iter=2, random_state=0)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        fit_with_progress(classifier, X, y[:10], total=2)
    assert "_epoch_hook" not in vars(classifier)


def test_evaluate_prints_accuracy_confusion_matrix_and_report(files):
    """``evaluate`` prints the accuracy, a confusion matrix and the class report."""
    result = run("evaluate", files["model"], files["valid"], "--target", "side")
    assert result.returncode == 0, result.stderr
    match = re.search(r"accuracy: ([0-9.]+) \((\d+) of 60 rows\)", result.stdout)
    assert float(match[1]) == pytest.approx(int(match[2]) / 60)
    matrix = re.search(
        r"^ +left +right\n +left +(\d+) +(\d+)\n +right +(\d+) +(\d+)$",
        result.stdout,
        re.M,
    )
    counts = [int(count) for count in matrix.groups()]
    assert sum(counts) == 60
    assert counts[0] + counts[3] == int(match[2])
    assert re.search(r"^ +left +[0-9.]+ +[0-9.]+ +[0-9.]+ +\d+$", result.stdout, re.M)
    assert "precision" in result.stdout


def test_predict_writes_a_header_and_the_training_labels_row_by_row(files):
    """``predict`` writes a header, then one training label per row of the file."""
    result = run("predict", files["model"], files["valid"])
    assert result.returncode == 0, result.stderr
    header, rows = read_output_csv(result.stdout)
    assert header == ["prediction"]
    assert len(rows) == 60
    predicted = [row[0] for row in rows]
    assert set(predicted) <= set(LABELS)
    _, valid_rows = read_output_csv(files["valid"].read_text())
    truth = [row[3] for row in valid_rows]
    assert np.mean(np.array(predicted) == np.array(truth)) >= 0.9


def test_predict_proba_writes_one_column_per_class_summing_to_one(proba):
    """``predict --proba`` writes one probability column per class."""
    assert proba.returncode == 0, proba.stderr
    header, rows = read_output_csv(proba.stdout)
    assert header == ["proba_left", "proba_right"]
    proba = np.array(rows, dtype=float)
    assert proba.shape == (60, 2)
    assert_allclose(proba.sum(axis=1), 1.0)


def test_predict_takes_the_model_columns_by_name(files, proba, capsys):
    """The columns recorded for the model are taken by name, in any order."""
    # The inputs reordered, with an extra text column and without the target; in
    # this process, as the end-to-end runs above already cover the command.
    _, rows = read_output_csv(files["valid"].read_text())
    shuffled = write_csv(
        files["folder"] / "shuffled.csv",
        ["note", "z", "x", "y"],
        [["n/a", z, x, y] for x, y, z, _ in rows],
    )
    assert main(["predict", str(files["model"]), str(shuffled), "--proba"]) == 0
    assert capsys.readouterr().out == proba.stdout


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--learning-rate", "0", "is not a number > 0"),
        ("--learning-rate", "nan", "is not a number > 0"),
        ("--momentum", "1.5", r"is not a number in \[0, 1\]"),
        ("--hidden", "0", "is not a positive integer"),
        ("--epochs", "ten", "is not a positive integer"),
    ],
)
def test_fit_rejects_an_option_out_of_range_as_a_usage_error(
    option, value, message, capsys
):
    """An option out of its range is refused by argparse, with status 2."""
    with pytest.raises(SystemExit) as exit:
        main(
            ["fit", "train.csv", "--target", "y", "--output", "m.skops"]
            + [option, value]
        )
    assert exit.value.code == 2
    assert re.search(
        rf"argument {option}: '{value}' {message}", capsys.readouterr().err
    )


def missing_file(folder):
    """Return a path in ``folder`` where no file is."""
    return folder / "missing.csv"


def csv_holding(content):
    """Make a case whose training file holds ``content``."""

    def make(folder):
        path = folder / "bad.csv"
        path.write_text(content)
        return path

    return make


FIT_CASES = {
    "missing file": (missing_file, r"cannot read \S*missing\.csv: No such file"),
    "empty file": (csv_holding(""), r"bad\.csv is empty"),
    "header only": (csv_holding("x,y,z,side\n"), r"bad\.csv has a header .* no data"),
    "non-numeric input": (
        csv_holding("x,y,z,side\n0.1,0.2,0.3,left\n0.1,high,0.3,right\n"),
        r"bad\.csv, line 3, column 'y': 'high' is not a number",
    ),
    "empty class cell": (
        csv_holding("x,y,z,side\n0.1,0.2,0.3,left\n0.1,0.2,0.3, \n"),
        r"bad\.csv, line 3: the 'side' cell is empty",
    ),
    "quote left open": (
        csv_holding(
            'x,y,z,side\n0.1,0.2,0.3,left\n0.1,0.2,0.3,"right\n0.4,0.5,0.6,left\n'
        ),
        r"bad\.csv, line 3: a quoted cell is not closed before the end of the file",
    ),
    "missing target column": (
        csv_holding("x,y,z,label\n0.1,0.2,0.3,left\n"),
        r"bad\.csv has no column 'side' \(its columns: x, y, z, label\)",
    ),
}


def assert_one_line_error(result, pattern):
    """Assert that ``result`` failed with status 2 and one error line."""
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert re.fullmatch(rf"sk-mlpbp: error: .*{pattern}.*", lines[0]), lines[0]


@pytest.mark.parametrize("case", FIT_CASES)
def test_fit_rejects_a_bad_training_file_in_one_line(case, tmp_path):
    """A training file that cannot be used ends ``fit`` with one error line."""
    make, pattern = FIT_CASES[case]
    model = tmp_path / "model.skops"
    result = run("fit", make(tmp_path), "--target", "side", "--output", model)
    assert_one_line_error(result, pattern)
    assert not model.exists()


def csv_as_model(files):
    """Return the training CSV file, to be given as a model."""
    return files["train"]


def random_bytes_as_model(files):
    """Write a file of random bytes, to be given as a model; return its path."""
    path = files["folder"] / "random.skops"
    path.write_bytes(np.random.RandomState(0).bytes(500))
    return path


MODEL_CASES = {
    "a CSV file as model": (csv_as_model, r"train\.csv is not a model file"),
    "random bytes as model": (random_bytes_as_model, r"random\.skops is not a model"),
}


@pytest.mark.parametrize("case", MODEL_CASES)
def test_predict_rejects_a_file_that_is_not_a_model_in_one_line(case, files):
    """A file that is not a model ends ``predict`` with one error line."""
    make, pattern = MODEL_CASES[case]
    assert_one_line_error(run("predict", make(files), files["valid"]), pattern)


def test_evaluate_rejects_data_without_the_model_columns_in_one_line(files):
    """Data lacking some of the model's columns ends ``evaluate`` in one line."""
    other = write_csv(
        files["folder"] / "other.csv", ["x", "w", "side"], [[0.1, 0.2, "left"]]
    )
    result = run("evaluate", files["model"], other, "--target", "side")
    assert_one_line_error(
        result,
        r"other\.csv lacks the column\(s\) y, z that the model was trained on "
        r"\(its inputs: x, y, z\)",
    )


def test_fit_without_skops_says_how_to_install_it_in_one_line(files, tmp_path):
    """Without skops, ``fit`` says in one line how to install it, before training."""
    # As if skops were not installed: importing it fails.
    code = (
        "import sys; sys.modules['skops'] = None; "
        "from sk_mlpbp._cli import main; sys.exit(main(sys.argv[1:]))"
    )
    model = tmp_path / "model.skops"
    result = subprocess.run(
        [sys.executable, "-c", code, "fit", str(files["train"]), "--target", "side"]
        + ["--output", str(model)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert_one_line_error(result, r'pip install "\.\[skops\]" in a clone of ')
    assert not model.exists()


def test_ctrl_c_during_fit_exits_130_and_keeps_the_existing_model_file(files, tmp_path):
    """A SIGINT during ``fit`` saves nothing: the existing file stays as it was."""
    model = tmp_path / "model.skops"
    shutil.copyfile(files["model"], model)
    before = model.read_bytes()
    # Enough rows that an epoch takes a while, and far more epochs than will run.
    X, y = make_article_data(3000, random_state=2)
    rows = [[*map("{:.3f}".format, x), label] for x, label in zip(X, LABELS[y])]
    train = write_csv(tmp_path / "big.csv", ["x", "y", "z", "side"], rows)
    returncode, out, err = interrupted_run(
        [sys.executable, "-m", "sk_mlpbp", "fit", str(train), "--target", "side"]
        + ["--epochs", "100000", "--output", str(model)],
        "epoch 2/",
        timeout=300,
    )
    assert returncode == 130, err
    assert err.splitlines() == ["sk-mlpbp: interrupted"]
    assert "saved" not in out
    assert model.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "big.csv",
        "model.skops",
    ]


def test_fit_restores_the_sigint_handler_it_found(files, tmp_path, capsys):
    """``fit`` handles Ctrl-C itself only while training."""
    before = signal.getsignal(signal.SIGINT)
    model = tmp_path / "model.skops"
    status = main(["fit", str(files["train"]), "--target", "side", "--epochs", "2"]
                  + ["--output", str(model)])  # fmt: skip
    assert status == 0
    assert signal.getsignal(signal.SIGINT) is before


def test_console_script_is_installed_and_runs():
    """The ``sk-mlpbp`` script is installed and lists the four commands."""
    script = shutil.which("sk-mlpbp", path=sysconfig.get_path("scripts"))
    assert script is not None
    result = subprocess.run(
        [script, "--help"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: sk-mlpbp ")
    for command in ("demo", "fit", "evaluate", "predict"):
        assert re.search(rf"^ +{command} +\S", result.stdout, re.M)


def test_install_hints_work_in_a_clone_and_every_extra_exists():
    """Install hints say ``pip install ".[extra]"``: sk_mlpbp is on no index."""
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    root = Path(__file__).resolve().parent.parent
    texts = [
        root / "README.md",
        *sorted((root / "docs").rglob("*.md")),
        *sorted((root / "sk_mlpbp").glob("*.py")),
    ]
    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for path in texts:
        text = path.read_text()
        assert "sk_mlpbp[" not in text, path
        for extra in re.findall(r'pip install "?\.\[(\w+)\]', text):
            assert extra in extras, (path, extra)
    assert any(r.startswith("rich") for r in extras["progress"])
    progress_page = root / "docs" / "user_guide" / "training.md"
    assert 'pip install ".[progress]"' in progress_page.read_text()


def python_model(path, model, X, y):
    """Fit ``model`` on the arrays X, y, save it as Python does, and return it."""
    sio = pytest.importorskip("skops.io")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    sio.dump(model, path)
    return model


def one_line_error(capsys):
    """Return the one error line on the standard error, after checking there is one."""
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith("sk-mlpbp: error: "), line
    return line


def long_label_file(path, n_rows, label_length):
    """Write ``n_rows`` rows of one input and classes a, b, one of them a long label."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 10, n_rows)
    labels = np.where(x < 5, "a", "b").astype(object)
    labels[n_rows // 2] = "L" * label_length
    return write_csv(path, ["x", "label"], zip(x, labels))


def test_a_long_class_label_is_read_at_about_its_own_size(tmp_path):
    """One label of 50,000 characters costs its size, not that size a row."""
    path = long_label_file(tmp_path / "long.csv", 10_000, 50_000)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        labels = read_table(str(path), text_columns=["label"]).labels("label")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert labels[5_000] == "L" * 50_000
    assert labels.shape == (10_000,)
    # A text array would be 10,000 x 50,000 x 4 bytes: 1.86 GiB.
    assert peak < 20 * size, (peak, size)


def test_evaluate_on_a_long_class_label_uses_memory_of_the_file_size(tmp_path, capsys):
    """Evaluating rows of a long label holds no row-by-label text array."""
    path = long_label_file(tmp_path / "long.csv", 10_000, 50_000)
    X, y = article_columns_of(path)
    model = python_model(
        tmp_path / "model.skops", MLPBackpropClassifier((2,), max_iter=1), X, y
    )
    tracemalloc.start()
    try:
        status = main(["evaluate", str(tmp_path / "model.skops"), str(path)]
                      + ["--target", "label"])  # fmt: skip
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert status == 0, capsys.readouterr().err
    assert model.classes_.dtype == object
    assert peak < 20 * path.stat().st_size, peak


def article_columns_of(path):
    """Return the one input column and the labels of a long-label file."""
    table = read_table(str(path), text_columns=["label"])
    return table.numbers(["x"]), table.labels("label")


def test_fit_and_evaluate_show_a_long_class_label_cut_with_its_length(tmp_path, capsys):
    """What is printed of a long label is its start, an ellipsis and its length."""
    path = long_label_file(tmp_path / "long.csv", 200, 5_000)
    model = tmp_path / "model.skops"
    command = ["fit", str(path), "--target", "label", "--epochs", "1"]
    assert main([*command, "--output", str(model)]) == 0
    out = capsys.readouterr().out
    cut = r"L{10,80}\.\.\. \(5,000 characters\)"
    assert re.search(rf"^saved .*; classes: {cut}, a, b\)$", out, re.M), out
    assert main(["evaluate", str(model), str(path), "--target", "label"]) == 0
    out = capsys.readouterr().out
    assert "L" * 81 not in out
    assert re.search(rf"^ +{cut}( +\d+){{3}}$", out, re.M), out


@pytest.mark.parametrize(
    "dtype, written",
    [(float, "{:d}"), (np.int64, "{:.1f}")],
    ids=["float classes, integer text", "integer classes, float text"],
)
def test_evaluate_compares_the_file_classes_in_the_model_label_type(
    dtype, written, tmp_path, capsys
):
    """A model of float classes takes the file's "1" for 1.0, and int ones "1.0"."""
    X, y = make_article_data(80, random_state=0)
    path = tmp_path / "model.skops"
    model = python_model(path, MLPBackpropClassifier((4,)), X, y.astype(dtype))
    rows = [[*x, written.format(label)] for x, label in zip(X, y)]
    data = write_csv(tmp_path / "data.csv", ["x", "y", "z", "output"], rows)
    assert main(["evaluate", str(path), str(data), "--target", "output"]) == 0
    out = capsys.readouterr().out
    score = model.score(X, y.astype(dtype))
    assert f"accuracy: {score:.4f} ({round(score * 80)} of 80 rows)" in out
    names = [str(label) for label in model.classes_]
    assert re.search(rf"^ +{names[0]} +{names[1]}\n +{names[0]} +\d+ +\d+$", out, re.M)
    assert len(re.findall(r"^ +\S+ +\d+ +\d+$", out, re.M)) == 2


def overflowing_model(tmp_path):
    """Save a scaler of standard deviation 0.01 and the classifier; return the path."""
    rng = np.random.default_rng(0)
    X = rng.normal(scale=0.01, size=(60, 2))
    y = np.where(X[:, 0] > 0, "pos", "neg")
    model = make_pipeline(StandardScaler(), MLPBackpropClassifier((3,), max_iter=5))
    python_model(tmp_path / "model.skops", model, X, y)
    return tmp_path / "model.skops"


@pytest.mark.parametrize(
    "command",
    [["predict"], ["predict", "--proba"], ["evaluate"]],
    ids=" ".join,
)
def test_a_model_that_fails_on_the_data_is_one_line_and_status_2(
    command, tmp_path, capsys
):
    """A finite input that the model's scaler overflows ends the command in one line."""
    path = overflowing_model(tmp_path)
    data = write_csv(tmp_path / "data.csv", ["a", "b", "label"], [[1e308, 0, "pos"]])
    name, *options = command
    assert main([name, str(path), str(data), *options, "--target", "label"]) == 2
    line = one_line_error(capsys)
    assert re.fullmatch(
        r"sk-mlpbp: error: the model cannot predict for \S*data\.csv: .*infinity.*",
        line,
    )


def test_evaluate_says_when_no_class_of_the_file_is_one_of_the_model_s(
    tmp_path, capsys
):
    """A neg/pos model on a file of classes 0 and 1: one line naming both sets."""
    path = overflowing_model(tmp_path)
    rows = [[0.01, 0.0, "0"], [-0.01, 0.0, "1"], [0.0, 0.01, "1"]]
    data = write_csv(tmp_path / "data.csv", ["a", "b", "label"], rows)
    assert main(["evaluate", str(path), str(data), "--target", "label"]) == 2
    assert one_line_error(capsys) == (
        f"sk-mlpbp: error: no class in {data} is one of the model's: its --target "
        "column 'label' holds 0, 1; the model's classes are neg, pos."
    )


@pytest.mark.parametrize(
    "output, message",
    [
        (lambda folder: folder, r"it is a folder"),
        (
            lambda folder: folder / "missing" / "model.skops",
            r"the folder \S*missing does not exist",
        ),
        (
            lambda folder: folder / "train.csv" / "model.skops",
            r"\S*train\.csv is not a folder",
        ),
    ],
    ids=["a folder", "missing folder", "a file as folder"],
)
def test_fit_checks_the_output_path_before_training(output, message, tmp_path, capsys):
    """An --output where no model can be written is refused before any epoch."""
    train = article_file(tmp_path / "train.csv", 40, seed=0)
    path = output(tmp_path)
    assert main(["fit", str(train), "--target", "side", "--output", str(path)]) == 2
    assert re.fullmatch(
        rf"sk-mlpbp: error: cannot write {re.escape(str(path))}: {message}\.",
        one_line_error(capsys),
    )


def positional_model(tmp_path):
    """Save a model fitted on plain arrays of x, y, z; return it and its path."""
    X, y = make_article_data(80, random_state=0)
    path = tmp_path / "model.skops"
    return python_model(path, MLPBackpropClassifier((4,)), X, y), path


def test_predict_target_leaves_out_the_class_column_of_a_positional_model(
    tmp_path, capsys
):
    """``predict --target`` drops the class column that a model by position lacks."""
    model, path = positional_model(tmp_path)
    data = article_file(tmp_path / "data.csv", 30, seed=1)
    assert main(["predict", str(path), str(data), "--target", " side "]) == 0
    _, rows = read_output_csv(capsys.readouterr().out)
    X, _ = article_columns(data)
    assert_array_equal([row[0] for row in rows], model.predict(X).astype(str))


def test_predict_of_a_positional_model_on_one_column_too_many_names_target(
    tmp_path, capsys
):
    """Without --target, the error on the extra column says how to leave it out."""
    _, path = positional_model(tmp_path)
    data = article_file(tmp_path / "data.csv", 30, seed=1)
    assert main(["predict", str(path), str(data)]) == 2
    assert re.fullmatch(
        r"sk-mlpbp: error: the model takes 3 input columns, but \S*data\.csv has 4\. "
        r".*give --target COLUMN\.",
        one_line_error(capsys),
    )
    assert main(["predict", str(path), str(data), "--target", "label"]) == 2
    assert "data.csv has no column 'label'" in one_line_error(capsys)


@pytest.mark.parametrize(
    "cell, shown",
    [("", "the cell is empty"), ("nan", "'nan' is a missing value")],
    ids=["empty", "nan"],
)
def test_a_missing_input_says_missing_values_need_imputing(
    cell, shown, tmp_path, capsys
):
    """An empty or NaN input cell: not supported, impute them; line and column."""
    train = write_csv(
        tmp_path / "train.csv",
        ["x", "y", "side"],
        [[0.1, 0.2, "left"], [0.3, cell, "right"]],
    )
    model = tmp_path / "model.skops"
    assert main(["fit", str(train), "--target", "side", "--output", str(model)]) == 2
    assert re.fullmatch(
        rf"sk-mlpbp: error: \S*train\.csv, line 3, column 'y': {shown}; missing "
        r"values are not supported: .*imput.*SimpleImputer.*",
        one_line_error(capsys),
    )


@pytest.mark.parametrize("cell", ["1_000", "\u0661", "\u0663.\u0665", "\uff11"])
def test_an_input_that_only_float_reads_is_refused_with_line_and_column(
    cell, tmp_path, capsys
):
    """Underscores and other scripts' digits are text to a spreadsheet: refused."""
    train = write_csv(
        tmp_path / "train.csv",
        ["x", "y", "side"],
        [[0.1, 0.2, "left"], [0.3, 0.4, "right"], [0.5, cell, "left"]],
    )
    model = tmp_path / "model.skops"
    assert main(["fit", str(train), "--target", "side", "--output", str(model)]) == 2
    assert re.fullmatch(
        rf"sk-mlpbp: error: \S*train\.csv, line 4, column 'y': '{cell}' is not a "
        r"number .*ASCII digits.*",
        one_line_error(capsys),
    )


def test_inputs_are_read_as_csv_writers_write_numbers(tmp_path):
    """Signs, decimal points, exponents in either case and spaces around are read."""
    cells = ["-1", "+2.5", ".5", "5.", "1e-3", "1E+3", " 7 ", "-0.0", "1e308"]
    path = write_csv(tmp_path / "data.csv", ["x"], [[cell] for cell in cells])
    X = read_table(str(path)).numbers(["x"])
    assert_array_equal(X.ravel(), [-1, 2.5, 0.5, 5, 1e-3, 1e3, 7, 0, 1e308])


def test_fit_strips_the_target_name_as_the_header_names(files, tmp_path, capsys):
    """``--target " side"`` names the column ``side``, as header names are stripped."""
    model = tmp_path / "model.skops"
    command = ["fit", str(files["train"]), "--target", " side ", "--epochs", "1"]
    assert main([*command, "--output", str(model)]) == 0
    assert "classes: left, right)" in capsys.readouterr().out
    command = ["evaluate", str(model), str(files["valid"]), "--target", "side "]
    assert main(command) == 0


def test_a_warning_of_several_lines_is_a_note_line_each_still_escaped(capsys):
    """scikit-learn's multi-line warnings make several note lines; file text stays."""
    with _notes():
        warnings.warn(
            InconsistentVersionWarning(
                estimator_name="StandardScaler",
                current_sklearn_version="1.5.0",
                original_sklearn_version="0.1\n\x1b[2Jfake",
            )
        )
        warnings.warn("first line\nsecond \x1b[31mline\n")
    lines = capsys.readouterr().err.splitlines()
    assert all(line.startswith("sk-mlpbp: note: ") for line in lines), lines
    assert len(lines) == 4, lines
    assert "from version 0.1\\n\\x1b[2Jfake when using version 1.5.0" in lines[0]
    assert lines[1] == (
        "sk-mlpbp: note: https://scikit-learn.org/stable/model_persistence.html"
        "#security-maintainability-limitations"
    )
    assert lines[2:] == [
        "sk-mlpbp: note: first line",
        "sk-mlpbp: note: second \\x1b[31mline",
    ]
