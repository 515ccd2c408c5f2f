"""Spreadsheet-like CSV files for the command line.

A header line, then one sample a row, read with the standard library's ``csv`` module
(no pandas needed).
"""

import csv
import math

import numpy as np


class CSVError(ValueError):
    """A CSV file that cannot be used, with a message naming the file and the place."""


class Table:
    """The cells of a CSV file, as text, by column name.

    Parameters
    ----------
    path : str
        The file's path, used in error messages.

    columns : list of str
        The header's column names.

    rows : list of list of str
        The data rows, each as long as ``columns``.

    line_numbers : list of int
        The line of the file that holds each row (the header is line 1).
    """

    def __init__(self, path, columns, rows, line_numbers):
        self.path = path
        self.columns = columns
        self.rows = rows
        self.line_numbers = line_numbers

    def _index(self, name):
        if name not in self.columns:
            raise CSVError(
                f"{self.path} has no column {name!r} (its columns: "
                f"{', '.join(self.columns)})."
            )
        return self.columns.index(name)

    def labels(self, name):
        """Return the cells of column ``name`` as text, e.g. class labels.

        Parameters
        ----------
        name : str
            A column name.

        Returns
        -------
        labels : ndarray of str of shape (n_rows,)
            The cells, stripped of surrounding spaces.
        """
        index = self._index(name)
        return np.array([row[index].strip() for row in self.rows], dtype=str)

    def numbers(self, names):
        """Return the cells of the columns ``names`` as floats.

        Parameters
        ----------
        names : list of str
            Column names, in the order of the result's columns.

        Returns
        -------
        X : ndarray of shape (n_rows, len(names))
            The cells as float64.

        Raises
        ------
        CSVError
            If a column is missing or a cell is not a finite number; the message
            names the column and the line.
        """
        indices = [self._index(name) for name in names]
        X = np.empty((len(self.rows), len(indices)))
        for i, (row, line) in enumerate(zip(self.rows, self.line_numbers)):
            for j, index in enumerate(indices):
                cell = row[index]
                try:
                    X[i, j] = value = float(cell)
                except ValueError:
                    value = math.nan
                if not math.isfinite(value):
                    raise CSVError(
                        f"{self.path}, line {line}, column {self.columns[index]!r}: "
                        f"{cell.strip()!r} is not a number (input columns must be "
                        "numeric)."
                    )
        return X


def read_table(path):
    r"""Read a CSV file with a header line and at least one data row.

    Blank lines are skipped; a UTF-8 byte order mark (as spreadsheets write it) is
    ignored.

    Parameters
    ----------
    path : str
        The file to read.

    Returns
    -------
    table : Table
        Its column names and cells.

    Raises
    ------
    CSVError
        If the file cannot be read or is not such a table: missing, empty, without
        data rows, with empty or repeated column names, or with a row whose number of
        cells differs from the header's.

    Examples
    --------
    >>> import os, tempfile
    >>> from sk_mlpbp._csv import read_table
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "train.csv")
    >>> with open(path, "w") as file:
    ...     _ = file.write("x,y,label\n0.5,-1,yes\n-0.5,1,no\n")
    >>> table = read_table(path)
    >>> table.numbers(["x", "y"]).tolist(), table.labels("label").tolist()
    ([[0.5, -1.0], [-0.5, 1.0]], ['yes', 'no'])
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file)
            lines = [(reader.line_num, row) for row in reader if row]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        reason = getattr(error, "strerror", None) or error
        raise CSVError(f"cannot read {path}: {reason}.") from None
    if not lines:
        raise CSVError(f"{path} is empty: it needs a header line naming the columns.")
    (_, header), body = lines[0], lines[1:]
    columns = [name.strip() for name in header]
    if not body:
        raise CSVError(f"{path} has a header line but no data rows.")
    if "" in columns:
        raise CSVError(f"{path}: column {columns.index('') + 1} has no name.")
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise CSVError(f"{path}: the column name {repeated[0]!r} is used twice.")
    for line, row in body:
        if len(row) != len(columns):
            raise CSVError(
                f"{path}, line {line}: {len(row)} cells, but the header names "
                f"{len(columns)} columns."
            )
    return Table(
        path,
        columns,
        [row for _, row in body],
        [line for line, _ in body],
    )
