"""Hostile and broken files: CSV files and model files crafted or damaged.

Reading a CSV file is linear in its size and holds little more than its numbers;
cells written by ``predict`` cannot run as spreadsheet formulas; a model file is
bounded in what it may make a load read and inflate, and holds a model shaped as
``fit`` makes one, or it is refused in one line.
"""

import csv
import io
import re
import subprocess
import sys
import tracemalloc
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sk_mlpbp import make_article_data
from sk_mlpbp._csv import read_table, spreadsheet_safe
from sk_mlpbp._model_io import ModelFile

# -- reading CSV files -------------------------------------------------------------


def test_a_table_of_100k_columns_is_read_and_taken_by_name(tmp_path):
    """Reading, and taking columns by name, cost no column-by-column search.

    With list searches over the columns this file took minutes (100k x 100k
    comparisons); it now takes about a second.
    """
    n_columns = 100_000
    names = [f"c{j}" for j in range(n_columns)]
    path = tmp_path / "wide.csv"
    rows = [",".join([*map(str, range(i, i + n_columns)), "yes"]) for i in range(2)]
    path.write_text("\n".join([",".join([*names, "label"]), *rows]) + "\n")
    table = read_table(path, text_columns=["label"])
    assert table.labels("label").tolist() == ["yes", "yes"]
    X = table.numbers(names[::-1])
    assert_array_equal(X[1], np.arange(n_columns, 0, -1))
    model = SimpleNamespace(n_features_in_=n_columns)
    assert_array_equal(ModelFile(model, names, None).inputs(table, "label"), X[:, ::-1])


def test_reading_holds_little_more_than_the_numbers(tmp_path):
    """Memory while reading is a few float64 per cell, not a Python str per cell."""
    n_rows, n_columns = 20_000, 50
    rng = np.random.RandomState(0)
    path = tmp_path / "numbers.csv"
    header = ",".join(f"c{j}" for j in range(n_columns))
    X = rng.normal(size=(n_rows, n_columns))
    np.savetxt(path, X, fmt="%.6f", delimiter=",", header=header, comments="")
    del X
    tracemalloc.start()
    try:
        table = read_table(path)
        X = table.numbers(table.columns)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert X.shape == (n_rows, n_columns)
    # The numbers (8 bytes a cell), their blocks while being joined, and X.
    assert peak < 32 * n_rows * n_columns, peak / (n_rows * n_columns)


# -- cells that a spreadsheet would run --------------------------------------------


def run(*args):
    """Run ``python -m sk_mlpbp ARGS``; return the completed process."""
    return subprocess.run(
        [sys.executable, "-m", "sk_mlpbp", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def labelled_file(path, labels, n_samples=60):
    """Write the article's columns with ``labels`` as the classes; return its path."""
    X, y = make_article_data(n_samples, random_state=0)
    y = (y + (X[:, 1] > 0.5)) % len(labels)
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["x", "y", "z", "class"])
        writer.writerows([*map("{:.2f}".format, x), labels[k]] for x, k in zip(X, y))
    return path


@pytest.fixture(scope="module")
def formula_model(tmp_path_factory):
    """Return a model trained on formula-like classes, its data and fit run."""
    folder = tmp_path_factory.mktemp("formulas")
    train = labelled_file(folder / "train.csv", FORMULAS)
    model = folder / "model.skops"
    fitted = run("fit", train, "--target", "class", "--epochs", 3, "--output", model)
    assert fitted.returncode == 0, fitted.stderr
    return model, train, fitted


FORMULAS = ["=cmd|' /C calc'!A0", "@SUM(1+1)", "+HYPERLINK(1)"]
NUMBER_PATTERN = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def assert_no_formula(cell):
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        assert NUMBER_PATTERN.fullmatch(cell), cell


def test_predict_writes_no_cell_that_a_spreadsheet_runs(formula_model):
    """Classes such as ``=cmd|...`` are written as text, behind a single quote."""
    model, data, _ = formula_model
    result = run("predict", model, data)
    assert result.returncode == 0, result.stderr
    header, *rows = list(csv.reader(io.StringIO(result.stdout)))
    assert header == ["prediction"]
    assert {cell for (cell,) in rows} <= {"'" + label for label in FORMULAS}
    assert len({cell for (cell,) in rows}) > 1
    for (cell,) in rows:
        assert_no_formula(cell)


def test_predict_proba_header_holds_no_formula_and_numbers_stay_numbers(
    formula_model,
):
    """The --proba header is text and the probabilities are plain numbers."""
    model, data, _ = formula_model
    result = run("predict", model, data, "--proba")
    assert result.returncode == 0, result.stderr
    header, *rows = list(csv.reader(io.StringIO(result.stdout)))
    assert sorted(header) == sorted(f"proba_{label}" for label in FORMULAS)
    for row in rows:
        assert_allclose(sum(map(float, row)), 1.0)


def test_numeric_classes_are_written_as_numbers(tmp_path):
    """``-1`` is a number to a spreadsheet, so it is written as it is."""
    train = labelled_file(tmp_path / "train.csv", ["-1", "+1", "-2.5e3"])
    model = tmp_path / "model.skops"
    fitted = run("fit", train, "--target", "class", "--epochs", 3, "--output", model)
    assert fitted.returncode == 0, fitted.stderr
    result = run("predict", model, train)
    header, *rows = list(csv.reader(io.StringIO(result.stdout)))
    assert {cell for (cell,) in rows} == {"-1", "+1", "-2.5e3"}


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("@SUM(1)", "'@SUM(1)"),
        ("+A1", "'+A1"),
        ("-A1", "'-A1"),
        ("\tx", "'\\tx"),
        ("\r=1", "'\\r=1"),
        ("-1", "-1"),
        ("+0.5", "+0.5"),
        ("-1e-3", "-1e-3"),
        ("yes", "yes"),
        ("a=b", "a=b"),
    ],
)
def test_spreadsheet_safe_quotes_formulas_and_keeps_numbers(cell, written):
    assert spreadsheet_safe(cell) == written


# -- text from files on the terminal -----------------------------------------------

ESCAPE = "\x1b[2J\x1b[31mred"


def test_classes_with_terminal_escapes_are_printed_escaped(tmp_path):
    """An ANSI escape in a class reaches no output of fit, evaluate or predict."""
    train = labelled_file(tmp_path / "train.csv", [ESCAPE, "blue\nline"])
    model = tmp_path / "model.skops"
    results = [
        run("fit", train, "--target", "class", "--epochs", 3, "--output", model),
        run("evaluate", model, train, "--target", "class"),
        run("predict", model, train),
        run("predict", model, train, "--proba"),
    ]
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout + result.stderr
    assert "\\x1b[2J\\x1b[31mred" in results[0].stdout
    assert "blue\\nline" in results[1].stdout
