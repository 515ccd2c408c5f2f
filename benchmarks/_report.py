"""What every benchmark script reports beside its table, and its Markdown report.

Every script of benchmarks/ prints the environment behind its timings
(:func:`environment`), a line on its setup, its table (:func:`render`, ``|``
separators) and a legend. With ``--output PATH`` (:func:`add_output`) it also writes
them to PATH as Markdown (:func:`write_report`), after a line saying how they were
produced (:func:`provenance`), so that a documentation page can include the file as
it is and a rerun updates the page. The report has no heading: the page including it
has its own.

benchmarks/ is no package: the scripts import this module by name, as they run with
their directory on ``sys.path``.
"""

import os
import platform
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import scipy
import sklearn
from threadpoolctl import threadpool_info

import sk_mlpbp

# The checkout the scripts live in: the code whose commit a report names.
ROOT = Path(__file__).resolve().parent.parent
# What a report's code is: a change elsewhere (or to a report written earlier in the
# same session, under benchmarks/results/) does not change what ran.
CODE = ("sk_mlpbp", "benchmarks", ":(exclude)benchmarks/results")


def environment():
    """Return lines naming the versions and the BLAS threads behind the timings."""
    lines = [
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, sklearn {sklearn.__version__}, "
        f"sk_mlpbp {sk_mlpbp.__version__}; {os.cpu_count()} CPUs"
    ]
    pools = [
        " ".join(filter(None, [pool["internal_api"], pool.get("version")]))
        + f" ({Path(pool['filepath']).name}) num_threads={pool['num_threads']}"
        for pool in threadpool_info()
    ]
    lines.append("thread pools: " + ("; ".join(pools) or "none loaded"))
    variables = [
        f"{name}={os.environ[name]}" if name in os.environ else f"{name} not set"
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
    ]
    lines.append(", ".join(variables))
    # Other jobs on a shared machine stretch the times, above all with threaded BLAS.
    if hasattr(os, "getloadavg"):
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        lines.append(f"load average at the start: {load}")
    return lines


def render(table, left):
    """Return ``table`` (a header row then rows of cells) aligned, with ``|``.

    The columns whose indices are in ``left`` are aligned left, the others right;
    the rule under the header says so to Markdown. The same text is printed and
    written to the report: a Markdown pipe table that reads as a table in a terminal.
    """
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]

    def line(cells):
        padded = (
            cell.ljust(width) if i in left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths))
        )
        return "| " + " | ".join(padded) + " |"

    rule = "|".join(
        ":" + "-" * (width + 1) if i in left else "-" * (width + 1) + ":"
        for i, width in enumerate(widths)
    )
    return "\n".join([line(table[0]), f"|{rule}|", *map(line, table[1:])])


def add_output(parser):
    """Add ``--output PATH`` to a script's ``argparse`` command line."""
    parser.add_argument(
        "--output",
        metavar="PATH",
        help="also write a Markdown report to PATH: how it was run, the environment, "
        "the setup, the table and its legend",
    )


def _git(*args):
    """Return the output of ``git args`` in the checkout, None when git fails."""
    try:
        done = subprocess.run(
            ["git", "-C", str(ROOT), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):  # no git at all
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def provenance(script, argv=None):
    """Return the line saying when, on what code and how a report was produced.

    "Run on YYYY-MM-DD on commit <short sha>[ with uncommitted changes] with
    `python benchmarks/<script> <args>`", or "outside a git checkout" in place of the
    commit. Call it when the run starts: the date and the code are those of the start.

    Parameters
    ----------
    script : str or path
        The script's file (``__file__``).
    argv : list of str, default=None
        Its arguments as given; ``sys.argv[1:]`` when None.

    Returns
    -------
    line : str
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    command = shlex.join(["python", f"benchmarks/{Path(script).name}", *argv])
    commit = _git("rev-parse", "--short", "HEAD")
    if commit is None:
        code = "outside a git checkout"
    else:
        code = f"on commit {commit}"
        # An unreadable status counts as changes: the report claims no clean commit.
        if _git("status", "--porcelain", "--", *CODE) != "":
            code += " with uncommitted changes"
    return f"Run on {date.today().isoformat()} {code} with `{command}`"


def markdown(provenance, environment, setup, table, legend):
    """Return the report: paragraphs of Markdown, the environment as bullets.

    Parameters
    ----------
    provenance : str
        The line of :func:`provenance`.
    environment : list of str
        The lines of :func:`environment`.
    setup : str
        One line on the setup of the run.
    table : str
        The table, a Markdown pipe table (:func:`render`).
    legend : str
        The legend, one paragraph (unwrapped, so that no line of it starts as a
        list item would).

    Returns
    -------
    text : str
    """
    bullets = "\n".join(f"- {line}" for line in environment)
    return "\n\n".join([provenance, bullets, setup, table, " ".join(legend.split())])


def write_report(path, provenance, environment, setup, table, legend):
    """Write the Markdown report of a run to ``path`` (see :func:`markdown`)."""
    text = markdown(provenance, environment, setup, table, legend)
    Path(path).write_text(text + "\n", encoding="utf-8")
