"""Hostile and broken files: CSV files and model files crafted or damaged.

Reading a CSV file is linear in its size and holds little more than its numbers;
cells written by ``predict`` cannot run as spreadsheet formulas; a model file is
bounded in what it may make a load read and inflate, and holds a model shaped as
``fit`` makes one, or it is refused in one line.
"""

import tracemalloc
from types import SimpleNamespace

import numpy as np
from numpy.testing import assert_array_equal

from sk_mlpbp._csv import read_table
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
