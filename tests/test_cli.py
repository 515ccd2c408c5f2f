"""The sk-mlpbp command line, end to end: each command runs as a user runs it, in a
subprocess, on CSV files written here."""

import csv
import io
import re
import shutil
import subprocess
import sys
import sysconfig

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sk_mlpbp import make_article_data
from sk_mlpbp._cli import main
from sk_mlpbp._progress import EpochDisplay

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
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def article_file(path, n_samples, seed):
    """The article's spreadsheet: x, y, z and the class, as text labels."""
    X, y = make_article_data(n_samples, random_state=seed)
    rows = [[*map("{:.1f}".format, x), label] for x, label in zip(X, LABELS[y])]
    return write_csv(path, ["x", "y", "z", "side"], rows)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A training and a validation file, and the model ``fit`` trained on them."""
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
    """``predict --proba`` on the validation file."""
    return run("predict", files["model"], files["valid"], "--proba")


def read_output_csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def test_demo_prints_validation_accuracy_and_grid_table():
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
    assert files["model"].stat().st_size > 0


def test_progress_is_a_bar_redrawn_in_place_on_a_terminal():
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


def test_evaluate_prints_accuracy_confusion_matrix_and_report(files):
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
    assert proba.returncode == 0, proba.stderr
    header, rows = read_output_csv(proba.stdout)
    assert header == ["proba_left", "proba_right"]
    proba = np.array(rows, dtype=float)
    assert proba.shape == (60, 2)
    assert_allclose(proba.sum(axis=1), 1.0)


def test_predict_takes_the_model_columns_by_name(files, proba, capsys):
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
    return folder / "missing.csv"


def csv_holding(content):
    """A case whose training file holds ``content``."""

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
    "missing target column": (
        csv_holding("x,y,z,label\n0.1,0.2,0.3,left\n"),
        r"bad\.csv has no column 'side' \(its columns: x, y, z, label\)",
    ),
}


def assert_one_line_error(result, pattern):
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert re.fullmatch(rf"sk-mlpbp: error: .*{pattern}.*", lines[0]), lines[0]


@pytest.mark.parametrize("case", FIT_CASES)
def test_fit_rejects_a_bad_training_file_in_one_line(case, tmp_path):
    make, pattern = FIT_CASES[case]
    model = tmp_path / "model.skops"
    result = run("fit", make(tmp_path), "--target", "side", "--output", model)
    assert_one_line_error(result, pattern)
    assert not model.exists()


def csv_as_model(files):
    return files["train"]


def random_bytes_as_model(files):
    path = files["folder"] / "random.skops"
    path.write_bytes(np.random.RandomState(0).bytes(500))
    return path


MODEL_CASES = {
    "a CSV file as model": (csv_as_model, r"train\.csv is not a model file"),
    "random bytes as model": (random_bytes_as_model, r"random\.skops is not a model"),
}


@pytest.mark.parametrize("case", MODEL_CASES)
def test_predict_rejects_a_file_that_is_not_a_model_in_one_line(case, files):
    make, pattern = MODEL_CASES[case]
    assert_one_line_error(run("predict", make(files), files["valid"]), pattern)


def test_evaluate_rejects_data_without_the_model_columns_in_one_line(files):
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
    assert_one_line_error(result, r'pip install "sk_mlpbp\[skops\]"')
    assert not model.exists()


def test_console_script_is_installed_and_runs():
    script = shutil.which("sk-mlpbp", path=sysconfig.get_path("scripts"))
    assert script is not None
    result = subprocess.run(
        [script, "--help"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: sk-mlpbp ")
    for command in ("demo", "fit", "evaluate", "predict"):
        assert re.search(rf"^ +{command} +\S", result.stdout, re.M)
