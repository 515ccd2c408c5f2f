"""Spreadsheet-like CSV files for the command line.

A header line, then one sample a row, read with the standard library's ``csv`` module
(no pandas needed). Reading takes time linear in the file's size: the cells are
parsed row by row into blocks of float64, and only the columns named as text (the
class column) are kept as text, so that memory is a small multiple of the numbers
held rather than a Python string per cell.

Text from a file (column names, classes) that reaches the terminal goes through
:func:`printable`, and cells written to a CSV output through :func:`spreadsheet_safe`.
"""

import csv
import math
import re
import unicodedata
from operator import itemgetter

import numpy as np

#: Most bytes of floats parsed into one block before the next is started. Blocks
#: double in size up to it and are joined once at the end, so reading holds at most
#: about three times the numbers (the blocks, up to twice, and the joined array),
#: whatever the shape of the file.
BLOCK_BYTES = 8 * 2**20

# Control characters (ANSI escapes start with ESC or CSI), format characters such as
# the bidirectional overrides, and line and paragraph separators: what a terminal
# acts upon or what breaks a one-line message.
_NOT_PRINTABLE = frozenset(("Cc", "Cf", "Zl", "Zp"))

# What a spreadsheet reads as a number (ASCII digits only: float() would also read
# '1_000' and other scripts' digits, which a spreadsheet takes for text); other cells
# starting with these characters are formulas to it (OWASP, "CSV Injection").
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A number cell as CSV writers write it: such a number, or the infinities and NaN as
# Python and NumPy write them, with spaces around.
_NUMBER_CELL = re.compile(
    rf"\s*(?:{_NUMBER.pattern}|[+-]?(?:inf|infinity|nan))\s*", re.ASCII | re.IGNORECASE
)
# The characters of finite number cells: a row of only these whose cells float()
# reads holds numbers that _NUMBER_CELL takes, so it needs no check cell by cell.
_FINITE_NUMBER_CHARACTERS = re.compile(r"[0-9eE.+\- \t]*")

#: Most characters of a label (or other text from a file) shown by ``printable(text,
#: limit=SHOWN_CHARS)``; the rest is cut, and its length said instead.
SHOWN_CHARS = 32


def printable(text, limit=None):
    r"""Return ``text`` with the characters that a terminal acts upon escaped.

    Control, format and line-separator characters (ESC, CSI, newlines, the
    bidirectional overrides) become Python-style escapes such as ``\x1b``, so that
    text from a file can neither move the cursor, recolour the terminal nor end the
    line of a one-line message.

    Parameters
    ----------
    text : str
        Text from a file: a column name, a class, a version.

    limit : int, default=None
        Most characters of ``text`` to show: longer text is cut to its first
        ``limit`` characters, followed by ``...`` and its length. None shows it
        whole.

    Returns
    -------
    text : str
        The text, safe to print.

    Examples
    --------
    >>> from sk_mlpbp._csv import printable
    >>> print(printable("red\x1b[31m\n"))
    red\x1b[31m\n
    >>> print(printable("x" * 5000, limit=8))
    xxxxxxxx... (5,000 characters)
    """
    text = str(text)
    if limit is not None and len(text) > limit:
        return f"{printable(text[:limit])}... ({len(text):,} characters)"
    if text.isprintable():
        return text
    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char) in _NOT_PRINTABLE
        else char
        for char in text
    )


def spreadsheet_safe(cell):
    """Return a cell for a CSV output that no spreadsheet runs as a formula.

    A cell that is not a number and starts with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return gets a single quote in front, as OWASP recommends for CSV
    injection; numbers (``-1``, ``+2.5e-3``) stay as they are. The cell then goes
    through :func:`printable`.

    Parameters
    ----------
    cell : str
        A cell's text.

    Returns
    -------
    cell : str
        The text to write.

    Examples
    --------
    >>> from sk_mlpbp._csv import spreadsheet_safe
    >>> spreadsheet_safe("=1+1"), spreadsheet_safe("-1"), spreadsheet_safe("yes")
    ("'=1+1", '-1', 'yes')
    """
    if cell.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(cell):
        return "'" + printable(cell)
    return printable(cell)


def number(cell):
    """Return the number in a CSV cell, or None if it is not one as CSV writers write.

    A number is what Python's ``csv`` and ``repr(float)``, NumPy's ``savetxt`` or a
    spreadsheet write: an optional sign, ASCII digits with an optional decimal point,
    an optional exponent, or ``inf``, ``infinity`` and ``nan`` in any case, with
    spaces around. ``float()`` reads more (``1_000``, other scripts' digits), which a
    spreadsheet shows as text.

    Parameters
    ----------
    cell : str
        A cell's text.

    Returns
    -------
    value : float or None
        The number, None if the cell is not one.

    Examples
    --------
    >>> from sk_mlpbp._csv import number
    >>> number(" -1.5e3"), number("nan"), number("1_000"), number("\u0661")
    (-1500.0, nan, None, None)
    """
    return float(cell) if _NUMBER_CELL.fullmatch(cell) else None


class CSVError(ValueError):
    """A CSV file that cannot be used, with a message naming the file and the place."""


class Table:
    """The columns of a CSV file: numbers, and the text of the text columns.

    Made by :func:`read_table`.

    Parameters
    ----------
    path : str
        The file's path, used in error messages.

    columns : list of str
        The header's column names.

    numbers : ndarray of shape (n_rows, n_number_columns)
        The cells of the columns that are not text columns, as float64; NaN where
        a cell is not a finite number.

    texts : dict of str to ndarray of object
        The cells of each text column as str, stripped of surrounding spaces; equal
        cells are one str object, so that a column costs a pointer a row beyond its
        distinct labels, whatever their lengths.

    problems : dict of str to (int, str)
        For each column (not a text column) with a cell that is not a finite
        number, the line of the first such cell and its stripped text.
    """

    def __init__(self, path, columns, numbers, texts, problems):
        self.path = path
        self.columns = columns
        self._numbers = numbers
        self._texts = texts
        self._problems = problems
        self._positions = {}
        for name in columns:
            if name not in texts:
                self._positions[name] = len(self._positions)

    @property
    def n_rows(self):
        """The number of data rows."""
        return self._numbers.shape[0]

    def labels(self, name):
        """Return the cells of the text column ``name``, e.g. class labels.

        Parameters
        ----------
        name : str
            A column that :func:`read_table` was asked to read as text.

        Returns
        -------
        labels : ndarray of object of shape (n_rows,)
            The cells as str, stripped of surrounding spaces; none is empty.
        """
        if name not in self._texts:
            raise ValueError(f"read_table did not read {name!r} as a text column")
        return self._texts[name]

    def check_column(self, name):
        """Raise CSVError unless the table has the column ``name``.

        Parameters
        ----------
        name : str
            A column name.
        """
        if name not in self.columns:
            raise _missing_column(self.path, name, self.columns)

    def numbers(self, names, *, target=False):
        """Return the cells of the columns ``names`` as floats.

        Parameters
        ----------
        names : list of str
            Column names, in the order of the result's columns.

        target : bool, default=False
            Whether the columns are a regressor's target rather than inputs, for
            the error messages.

        Returns
        -------
        X : ndarray of shape (n_rows, len(names))
            The cells as float64.

        Raises
        ------
        CSVError
            If a column is missing or a cell is not a finite number (see
            :func:`number`) or is missing (empty or NaN); the message names the
            column and the line.
        """
        indices = []
        for name in names:
            if name in self._texts:
                raise CSVError(
                    f"{printable(self.path)}: the column {printable(repr(name))} "
                    "holds the classes, not an input."
                )
            if name not in self._positions:
                raise _missing_column(self.path, name, self.columns)
            indices.append(self._positions[name])
        bad = [(self._problems[name], name) for name in names if name in self._problems]
        if bad:
            (line, cell), name = min(bad, key=lambda problem: problem[0][0])
            where = (
                f"{printable(self.path)}, line {line}, column {printable(repr(name))}"
            )
            value = number(cell) if cell else math.nan
            if value is not None and math.isnan(value):
                missing = (
                    f"{printable(repr(cell))} is a missing value"
                    if cell
                    else "the cell is empty"
                )
                if target:
                    raise CSVError(
                        f"{where}: {missing}; every row needs its target value."
                    )
                raise CSVError(
                    f"{where}: {missing}; missing values are not supported: fill "
                    "them in first, for example by imputing them "
                    "with a pipeline of SimpleImputer and MLPBackpropClassifier "
                    "fitted and saved from Python."
                )
            reason = "is not a number" if value is None else "is not a finite number"
            what = (
                "a regressor's target column must hold numbers written in ASCII "
                "digits, as CSV files write them; class labels need a classifier, "
                "fitted without --regression"
                if target
                else "input columns must hold numbers written in ASCII digits, as "
                "CSV files write them"
            )
            raise CSVError(
                f"{where}: {printable(repr(cell), SHOWN_CHARS)} {reason} ({what})."
            )
        return self._numbers[:, indices]


def _missing_column(path, name, columns):
    return CSVError(
        f"{printable(path)} has no column {printable(repr(name))} (its columns: "
        f"{printable(', '.join(columns))})."
    )


def _rows(path):
    """Yield ``(line, row)`` for every non-blank row, ``line`` the row's first line.

    Quoting errors, such as a quote left open at the end of the file, raise
    CSVError naming the line.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            # strict: a quoted cell must be closed, else the rest of the file would
            # silently become one cell.
            reader = csv.reader(file, strict=True)
            start = 1
            try:
                for row in reader:
                    if row:
                        yield start, row
                    start = reader.line_num + 1
            except csv.Error as error:
                if "unexpected end of data" in str(error):
                    reason = "a quoted cell is not closed before the end of the file"
                else:
                    reason = str(error)
                raise CSVError(
                    f"{printable(path)}, line {start}: {printable(reason)}."
                ) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise CSVError(f"cannot read {printable(path)}: {printable(reason)}.") from None


def read_table(path, text_columns=()):
    r"""Read a CSV file with a header line and at least one data row.

    Blank lines are skipped; a UTF-8 byte order mark (as spreadsheets write it) is
    ignored. Time is linear in the file's size, and memory at most about three
    times that of the numbers held as float64 (plus the text columns' cells).

    Parameters
    ----------
    path : str
        The file to read.

    text_columns : sequence of str, default=()
        Columns to keep as text, such as the class column: each must exist, and
        none of their cells may be empty. The other columns are read as numbers,
        and a cell that is not one is an error only when :meth:`Table.numbers`
        asks for its column.

    Returns
    -------
    table : Table
        Its column names and cells.

    Raises
    ------
    CSVError
        If the file cannot be read or is not such a table: missing, empty, without
        data rows, with empty or repeated column names, with a row whose number of
        cells differs from the header's, with a quoted cell left open, without a
        text column or with an empty cell in one.

    Examples
    --------
    >>> import os, tempfile
    >>> from sk_mlpbp._csv import read_table
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "train.csv")
    >>> with open(path, "w") as file:
    ...     _ = file.write("x,y,label\n0.5,-1,yes\n-0.5,1,no\n")
    >>> table = read_table(path, text_columns=["label"])
    >>> table.numbers(["x", "y"]).tolist(), table.labels("label").tolist()
    ([[0.5, -1.0], [-0.5, 1.0]], ['yes', 'no'])
    """
    rows = _rows(path)
    shown = printable(path)
    try:
        _, header = next(rows)
    except StopIteration:
        raise CSVError(
            f"{shown} is empty: it needs a header line naming the columns."
        ) from None
    columns = [name.strip() for name in header]
    seen = set()
    for position, name in enumerate(columns):
        if not name:
            raise CSVError(f"{shown}: column {position + 1} has no name.")
        if name in seen:
            raise CSVError(
                f"{shown}: the column name {printable(repr(name))} is used twice."
            )
        seen.add(name)
    texts = {name: [] for name in text_columns}
    for name in texts:
        if name not in seen:
            raise _missing_column(path, name, columns)
    # Equal labels are kept as one str object each: a label of 50,000 characters on
    # every row costs a pointer a row, not 50,000 characters a row.
    text_positions = [(columns.index(name), texts[name], {}) for name in texts]
    number_positions = [j for j, name in enumerate(columns) if name not in texts]
    if len(number_positions) == 1:
        only = number_positions[0]

        def take(row):
            return (row[only],)
    else:
        take = itemgetter(*number_positions) if number_positions else lambda row: ()
    width = len(number_positions)
    # Blocks double from a small one, so that a small file takes little memory.
    most_rows = max(1, BLOCK_BYTES // (8 * max(width, 1)))
    block_rows = min(64, most_rows)
    blocks, block, filled = [], np.empty((block_rows, width)), 0
    problems = {}
    for line, row in rows:
        if len(row) != len(columns):
            raise CSVError(
                f"{shown}, line {line}: {len(row)} cells, but the header names "
                f"{len(columns)} columns."
            )
        for position, cells, distinct in text_positions:
            cell = row[position].strip()
            if not cell:
                raise CSVError(
                    f"{shown}, line {line}: the {printable(repr(columns[position]))} "
                    "cell is empty (every row needs its class)."
                )
            cells.append(distinct.setdefault(cell, cell))
        if filled == block_rows:
            blocks.append(block)
            block_rows = min(2 * block_rows, most_rows)
            block, filled = np.empty((block_rows, width)), 0
        cells = take(row)
        try:
            values = list(map(float, cells))
            # The sum of finite numbers is finite unless it overflows, which only
            # sends the row down the slow path; so does a cell that float() reads
            # but a CSV writer would not write (see number()).
            fine = math.isfinite(sum(values)) and _FINITE_NUMBER_CHARACTERS.fullmatch(
                "".join(cells)
            )
        except ValueError:
            fine = False
        if not fine:
            values = []
            for position, cell in zip(number_positions, cells):
                value = number(cell)
                if value is None:
                    value = math.nan
                if not math.isfinite(value):
                    problems.setdefault(columns[position], (line, cell.strip()))
                values.append(value)
        block[filled] = values
        filled += 1
    if not blocks and not filled:
        raise CSVError(f"{shown} has a header line but no data rows.")
    blocks.append(block[:filled])
    numbers = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
    return Table(
        path,
        columns,
        numbers,
        {name: np.array(cells, dtype=object) for name, cells in texts.items()},
        problems,
    )
