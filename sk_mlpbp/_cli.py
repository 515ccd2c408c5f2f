"""The ``sk-mlpbp`` command line (also ``python -m sk_mlpbp``).

Its commands are ``demo``, and ``fit``, ``evaluate``, ``predict`` and ``explain`` on
spreadsheet-like CSV files (read by :mod:`sk_mlpbp._csv`), with models saved in skops'
secure format (by :mod:`sk_mlpbp._model_io`). This module holds the argument parser
and one handler per command.

A problem with the files or data given (a missing, empty or malformed CSV file, a file
that is not a model, a model trained on other columns, skops not installed, a place
where the model cannot be saved, a model that fails on the data) ends the command with
exit status 2 and one line on the standard error, as argparse does for bad arguments.
Warnings are shown as note lines, an identical one once. Class labels are shown cut to
``SHOWN_CHARS`` characters each, and at most ``SHOWN_LABELS`` of them in a list.
"""

import argparse
import contextlib
import csv
import os
import signal
import sys
import threading
import warnings
from decimal import Decimal

import numpy as np
from sklearn.metrics import classification_report, confusion_matrix
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_mlpbp._csv import (
    SHOWN_CHARS,
    CSVError,
    number,
    printable,
    read_table,
    spreadsheet_safe,
)
from sk_mlpbp._demo import run_demo
from sk_mlpbp._mlp import MLPBackpropClassifier
from sk_mlpbp._model_io import ModelFileError, load_model, require_skops, save_model
from sk_mlpbp._progress import epoch_progress

PROG = "sk-mlpbp"

#: Most class labels named in a list, such as the classes of a saved model.
SHOWN_LABELS = 10


class CommandError(Exception):
    """A problem with the data or options a command was given, told in one line."""


@contextlib.contextmanager
def _notes():
    """Show each warning raised in the block as one note line on the standard error.

    Warnings (a model saved by another sk_mlpbp or scikit-learn version; training
    that ended near a constant output, at the last of its epochs, or on inputs that
    saturate the logistic units) are news for the user, not for a developer: a line
    each, without the source line that Python's display adds, and a note line for
    each line of a warning written on several. A message raised again, as by
    repeated fits, is shown once.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    messages = {}
    for warning in caught:
        messages.setdefault(str(warning.message), warning.message)
    for message in messages.values():
        for line in _lines(message):
            print(f"{PROG}: note: {line}", file=sys.stderr)


def _lines(warning):
    """Return the lines of a warning's message, each escaped by :func:`printable`.

    The message is split at its own line breaks (scikit-learn writes some warnings
    on several lines); the text it quotes from its attributes, such as a version
    read from a model file, is escaped whole first, so that a file can add no line.
    """
    message = str(warning)
    for value in vars(warning).values():
        if isinstance(value, str) and value:
            message = message.replace(value, printable(value))
    return [printable(line) for line in message.split("\n") if line.strip()]


def _listed(labels):
    """Return class labels as one line of text, cut to a readable length.

    Each label is cut by :func:`printable` to ``SHOWN_CHARS`` characters, and at
    most ``SHOWN_LABELS`` labels are named, then how many there are in all.
    """
    shown = [printable(label, SHOWN_CHARS) for label in labels[:SHOWN_LABELS]]
    if len(labels) > SHOWN_LABELS:
        shown.append(f"... ({len(labels):,} in all)")
    return ", ".join(shown)


def _check_output(path):
    """Raise CommandError unless a model file can be saved at ``path``.

    Checked before training, so that a fit is not lost for want of a place to
    save it: ``path`` must not be a folder, and its folder must exist and be
    writable (the model is written to a temporary file there first).
    """
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        reason = "it is a folder"
    elif not os.path.lexists(folder):
        reason = f"the folder {printable(folder)} does not exist"
    elif not os.path.isdir(folder):
        reason = f"{printable(folder)} is not a folder"
    elif not os.access(folder, os.W_OK | os.X_OK):
        reason = f"the folder {printable(folder)} is not writable"
    else:
        return
    raise CommandError(f"cannot write {printable(path)}: {reason}.")


@contextlib.contextmanager
def _model_failures(path, doing="predict for"):
    """Tell in a CommandError whatever a model raises while it works on ``path``.

    A model from a file may be one that ``fit`` did not make, such as a pipeline
    saved from Python, whose steps may fail on data that the CSV reader took: a
    StandardScaler of small standard deviations turns a large finite input into
    infinity, which the classifier refuses. The message says that the model cannot
    ``doing`` the file (``"predict for"``, ``"explain row 3 of"``).
    """
    try:
        yield
    except MemoryError:
        raise CommandError(f"not enough memory to {doing} {printable(path)}.") from None
    except Exception as error:
        raise CommandError(
            f"the model cannot {doing} {printable(path)}: {error}"
        ) from None


def _codes(classes, predicted):
    """Return the position in ``classes`` of each of the ``predicted`` classes.

    Codes, rather than the labels as text: a text array is as wide as its longest
    label on every row.
    """
    position = {label: code for code, label in enumerate(classes.tolist())}
    return np.fromiter(
        (position[label] for label in predicted.tolist()),
        dtype=np.intp,
        count=predicted.shape[0],
    )


def _file_codes(labels, classes):
    """Return the codes of a file's class labels, in the model's label type.

    A label is the model's class that it writes: for a model of float classes,
    the text read as a float of their dtype (``"1"`` is ``1.0``); of integer
    classes, the text's exact value (``"1"`` and ``"1.0"`` are ``1``, ``"1.5"`` no
    class); of other classes, the class's text. A label that is none of the
    model's classes gets a code of its own, after theirs.

    Returns
    -------
    codes : ndarray of int of shape (n_rows,)
        The position of each row's class in ``classes``, else ``len(classes)``
        plus the label's position in ``others``.

    others : list of str
        The file's labels that are no class of the model, sorted.
    """
    by_value = {label: code for code, label in enumerate(classes.tolist())}
    by_text = {str(label): code for code, label in enumerate(classes)}
    kind = classes.dtype.kind
    distinct, rows = np.unique(labels, return_inverse=True)
    codes, others = [], []
    for text in distinct.tolist():
        value = number(text) if kind in "fiu" else None
        if value is None:
            code = by_text.get(text)
        elif kind == "f":
            code = by_value.get(classes.dtype.type(value).item())
        else:
            # Exact, and equal values hash alike: Decimal("1.0") finds the class 1.
            code = by_value.get(Decimal(text))
        if code is None:
            code = len(classes) + len(others)
            others.append(text)
        codes.append(code)
    return np.array(codes, dtype=np.intp)[rows.reshape(-1)], others


def _labelled_data(args):
    """Load MODEL.skops and read DATA.csv with its classes, for evaluate and explain.

    The model is checked and loaded by :func:`load_model`, the ``--target`` column
    read as text and its labels put in the model's label type by
    :func:`_file_codes`.

    Returns
    -------
    model_file : ModelFile
        The model and its input columns.

    table : Table
        DATA.csv.

    y : ndarray of int of shape (n_rows,)
        Each row's class as a position in the model's ``classes_``, or past them
        for a label that is none of the model's classes.

    others : list of str
        The file's labels that are none of the model's classes, sorted.
    """
    model_file = load_model(args.model)
    table = read_table(args.data, text_columns=[args.target])
    y, others = _file_codes(table.labels(args.target), model_file.model.classes_)
    return model_file, table, y, others


@contextlib.contextmanager
def _interrupts_recorded():
    """Record a Ctrl-C (SIGINT) that comes during the block, and raise it as usual.

    ``MLPBackpropClassifier.fit`` catches the KeyboardInterrupt and returns the
    model of its last completed epoch; the list yielded tells ``fit`` that an
    interrupt came, so that it saves nothing and exits 130. The previous handler
    is restored afterwards. Outside the main thread, where Python delivers no
    signals, or when SIGINT is ignored, nothing is installed.

    Yields
    ------
    interrupts : list
        Empty, then holding the signal number once an interrupt has come.
    """
    interrupts = []

    def handler(signum, frame):
        interrupts.append(signum)
        raise KeyboardInterrupt

    previous = signal.getsignal(signal.SIGINT)
    if (
        threading.current_thread() is not threading.main_thread()
        or previous == signal.SIG_IGN
    ):
        yield interrupts
        return
    signal.signal(signal.SIGINT, handler)
    try:
        yield interrupts
    finally:
        signal.signal(signal.SIGINT, previous)


def _fit(args):
    _check_output(args.output)
    table = read_table(args.train, text_columns=[args.target])
    y = table.labels(args.target)
    inputs = [column for column in table.columns if column != args.target]
    if not inputs:
        raise CommandError(
            f"{args.train} has no input columns besides the target {args.target!r}."
        )
    X = table.numbers(inputs)
    X_val = y_val = None
    if args.validation:
        validation = read_table(args.validation, text_columns=[args.target])
        y_val = validation.labels(args.target)
        X_val = validation.numbers(inputs)
    # Before training, so that the model can be saved after it.
    require_skops()
    classifier = MLPBackpropClassifier(
        tuple(args.hidden),
        learning_rate=args.learning_rate,
        batch_size=args.batch_size,
        max_iter=args.epochs,
        momentum=args.momentum,
        early_stopping=args.early_stopping,
        random_state=args.seed,
    )
    model = classifier if args.no_scale else make_pipeline(StandardScaler(), classifier)
    with _notes():
        try:
            X_fit, X_val_fit = X, X_val
            if model is not classifier:
                # The pipeline fitted step by step, as Pipeline.fit does, so that
                # the validation columns are standardised with the training
                # columns' mean and standard deviation too.
                X_fit = model[0].fit_transform(X)
                if X_val is not None:
                    X_val_fit = model[0].transform(X_val)
            with epoch_progress(classifier, args.epochs):
                with _interrupts_recorded() as interrupts:
                    classifier.fit(X_fit, y, X_val=X_val_fit, y_val=y_val)
                if interrupts:
                    # fit kept its last epoch, but the user asked to stop: an
                    # existing --output file must not give way to a shorter fit.
                    raise KeyboardInterrupt
        except ValueError as error:
            raise CommandError(str(error)) from None
        except MemoryError:
            raise CommandError(
                "not enough memory to train this network: try fewer --hidden units."
            ) from None
    print(f"training accuracy: {model.score(X, y):.4f}")
    if X_val is not None:
        print(f"validation accuracy: {model.score(X_val, y_val):.4f}")
    elif args.early_stopping:
        print(
            "validation accuracy (on the tenth of the training file held out for "
            f"early stopping): {classifier.best_validation_score_:.4f}"
        )
    # The model was fitted on plain arrays: the file records the columns' names,
    # which evaluate and predict match their files' columns against.
    save_model(model, args.output, input_columns=inputs)
    scaling = "raw" if args.no_scale else "standardised"
    print(
        f"saved {printable(args.output)} ({scaling} inputs: "
        f"{printable(', '.join(inputs))}; classes: {_listed(model.classes_)})"
    )


def _evaluate(args):
    with _notes():
        model_file, table, y, others = _labelled_data(args)
        model = model_file.model
        classes = model.classes_
        if y.min() >= len(classes):
            raise CommandError(
                f"no class in {printable(args.data)} is one of the model's: its "
                f"--target column {printable(repr(args.target))} holds "
                f"{_listed(others)}; the model's classes are {_listed(classes)}."
            )
        X = model_file.inputs(table, args.target)
        with _model_failures(args.data):
            y_pred = _codes(classes, model.predict(X))
    correct = int((y_pred == y).sum())
    print(f"accuracy: {correct / y.shape[0]:.4f} ({correct} of {y.shape[0]} rows)")
    print("\nconfusion matrix (rows: true class, columns: predicted class):")
    codes = np.arange(len(classes) + len(others))
    counts = confusion_matrix(y, y_pred, labels=codes)
    # The classes are text from the files, shown as printable() makes them.
    names = [printable(label, SHOWN_CHARS) for label in [*classes, *others]]
    width = max(len(str(counts.max())), *(len(name) for name in names)) + 2
    print(" " * width + "".join(f"{name:>{width}}" for name in names))
    for name, row in zip(names, counts):
        print(f"{name:>{width}}" + "".join(f"{count:>{width}}" for count in row))
    print()
    print(
        classification_report(
            y, y_pred, labels=codes, target_names=names, zero_division=0
        )
    )


def _predict(args):
    with _notes():
        model_file = load_model(args.model)
        table = read_table(args.data)
        if args.target is not None:
            table.check_column(args.target)
        try:
            X = model_file.inputs(table, args.target)
        except ModelFileError as error:
            if args.target is not None or model_file.input_columns is not None:
                raise
            raise ModelFileError(
                f"{error} To leave out a column that is not an input, such as the "
                "classes, give --target COLUMN."
            ) from None
        model = model_file.model
        classes = [str(label) for label in model.classes_]
        with _model_failures(args.data):
            if args.proba:
                rows = model.predict_proba(X).tolist()
            else:
                codes = _codes(model.classes_, model.predict(X))
        # Classes are text from a file: a spreadsheet opening the output must not
        # run one as a formula, nor a terminal act upon its control characters.
        if args.proba:
            header = [spreadsheet_safe(f"proba_{label}") for label in classes]
        else:
            header = ["prediction"]
            safe = [spreadsheet_safe(label) for label in classes]
            rows = ([safe[code]] for code in codes)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


def _demo(args):
    run_demo()


def _explain(args):
    row = args.row
    with _notes():
        model_file, table, y, _ = _labelled_data(args)
        if row >= table.n_rows:
            raise CommandError(
                f"--row {row} is not a row of {printable(args.data)}: its "
                f"{table.n_rows:,} data rows are numbered 0 to {table.n_rows - 1}."
            )
        model = model_file.model
        classes = model.classes_
        label = table.labels(args.target)[row]
        if y[row] >= len(classes):
            raise CommandError(
                f"row {row} of {printable(args.data)} is of the class "
                f"{printable(label, SHOWN_CHARS)}, none of the model's "
                f"({_listed(classes)}): the step's error FE needs one of them."
            )
        X = model_file.inputs(table, args.target)
        # A slice keeps the row a table of one row; a DataFrame's rows are taken
        # by position.
        x = X.iloc[row : row + 1] if hasattr(X, "iloc") else X[row : row + 1]
        inputs, classifier, transformers = x, model, []
        with _model_failures(args.data, f"explain row {row} of"):
            if isinstance(model, Pipeline):
                classifier, transformers = model[-1], model.steps[:-1]
                inputs = model[:-1].transform(x)
            trace = classifier.explain_step(inputs, classes[y[row : row + 1]])
    # A model saved from Python on plain arrays takes every column but the target.
    names = model_file.input_columns or [
        column for column in table.columns if column != args.target
    ]
    cells = [f"{name} = {value:.6g}" for name, value in zip(names, np.ravel(x))]
    print(
        f"row {row} of {printable(args.data)}: {_listed(cells)}; "
        f"class {printable(label, SHOWN_CHARS)}"
    )
    if transformers:
        steps = ", ".join(type(step).__name__ for _, step in transformers)
        # What the network's input layer I takes: the row as the pipeline's
        # transformers leave it.
        shown = [f"{value:.6g}" for value in trace.layers[0].S_postA[0]]
        print(f"inputs after {steps}: {_listed(shown)}")
    print()
    print(trace)
    print()
    print(
        f"{printable(args.model)} was not changed: the step was taken on a copy of "
        "its network."
    )


def _bounded(kind, low, high=None, *, low_open=False, description):
    """Make an argparse type: ``kind(text)`` within ``[low, high]``.

    The interval is ``(low, high]`` when ``low_open``; a value outside it, or text
    that ``kind`` refuses, is an error saying it must be ``description``.
    """

    def convert(text):
        try:
            value = kind(text)
        except ValueError:
            value = None
        # Written as comparisons that NaN fails.
        if not (
            value is not None
            and (low < value if low_open else low <= value)
            and (high is None or value <= high)
        ):
            raise argparse.ArgumentTypeError(f"{text!r} is not {description}")
        return value

    return convert


def _add_target(parser, *, required, help):
    """Add the ``--target COLUMN`` option, stripped of spaces as header names are."""
    parser.add_argument(
        "--target", required=required, type=str.strip, metavar="COLUMN", help=help
    )


def _parser():
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="The textbook multilayer perceptron (logistic units, "
        "sum-of-squares backpropagation) on spreadsheet-like CSV files.",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="the article's experiment and a grid search, on built-in data",
        description="Train the article's network on its built-in training data and "
        "print its validation accuracy, then print a learning-rate x hidden-size "
        "grid of cross-validated accuracies on scikit-learn's digits. Nothing is "
        "downloaded.",
    )
    demo.set_defaults(run=_demo)

    positive_int = _bounded(int, 1, description="a positive integer")
    fit = commands.add_parser(
        "fit",
        help="train a network on a CSV file and save it",
        description="Train MLPBackpropClassifier on TRAIN.csv (a header line, then "
        "one sample a row): the --target column holds the classes (numbers or "
        "text), every other column is a numeric input. The inputs are standardised "
        "(StandardScaler: the training columns' mean and standard deviation) and "
        "the model saved is the pipeline of the two, unless --no-scale. The "
        "defaults are the article's network and learning rate, with biases, "
        "shuffled epochs and more than its single epoch. Prints progress per "
        "epoch and the final accuracies, and saves the model in skops format.",
    )
    fit.add_argument("train", metavar="TRAIN.csv", help="the training data")
    _add_target(fit, required=True, help="class column")
    fit.add_argument(
        "--hidden",
        nargs="+",
        type=positive_int,
        default=[4],
        metavar="UNITS",
        help="units of each hidden layer, e.g. --hidden 8 4 for two layers "
        "(default: 4, the article's)",
    )
    fit.add_argument(
        "--learning-rate",
        type=_bounded(float, 0, low_open=True, description="a number > 0"),
        default=1.0,
        metavar="LR",
        help="LR in weight = weight - LR * gradient (default: 1, the article's)",
    )
    fit.add_argument(
        "--epochs",
        type=positive_int,
        default=20,
        metavar="N",
        help="most passes over the data; training stops sooner once the training "
        "loss (with --early-stopping, the validation accuracy) stops improving "
        "for 10 epochs (default: 20; the article trains 1)",
    )
    fit.add_argument(
        "--batch-size",
        type=positive_int,
        default=1,
        metavar="N",
        help="samples per weight update (default: 1, the article's online training)",
    )
    fit.add_argument(
        "--momentum",
        type=_bounded(float, 0, 1, description="a number in [0, 1]"),
        default=0.0,
        metavar="M",
        help="Nesterov momentum in [0, 1] (default: 0, as in the article)",
    )
    fit.add_argument(
        "--validation",
        metavar="VALID.csv",
        help="validation data with the same columns: accuracy after every epoch, "
        "and what --early-stopping watches",
    )
    fit.add_argument(
        "--early-stopping",
        action="store_true",
        help="stop when the validation accuracy stops improving and keep the best "
        "epoch's weights (without --validation, a tenth of TRAIN.csv is held out)",
    )
    fit.add_argument(
        "--no-scale",
        action="store_true",
        help="train on the raw columns, as the article does, and save the bare "
        "classifier (inputs are then best on a scale of about -1 to 1)",
    )
    fit.add_argument(
        "--seed",
        type=_bounded(int, 0, 2**32 - 1, description="an integer in [0, 2**32 - 1]"),
        default=0,
        metavar="S",
        help="seed of the initial weights and the shuffling (default: 0)",
    )
    fit.add_argument(
        "--output",
        required=True,
        metavar="MODEL.skops",
        help="where to save the model (needs skops: pip install '.[skops]' in a "
        "clone of the repository)",
    )
    fit.set_defaults(run=_fit)

    evaluate = _model_command(
        commands,
        "evaluate",
        _evaluate,
        help="accuracy, confusion matrix and per-class report on a CSV file",
        description="Score a saved model on DATA.csv: accuracy, confusion matrix and "
        "per-class precision, recall and F1. DATA.csv needs the model's input "
        "columns (in any order) and the --target column.",
    )
    _add_target(evaluate, required=True, help="class column")
    predict = _model_command(
        commands,
        "predict",
        _predict,
        help="predictions for a CSV file, as CSV on the standard output",
        description="Write a CSV of predictions for DATA.csv to the standard output: "
        "a header line, then one row per row of DATA.csv. DATA.csv needs the "
        "model's input columns (in any order); other columns are ignored.",
    )
    _add_target(
        predict,
        required=False,
        help="a class column to leave out, for a model that takes every column "
        "of DATA.csv by position (one saved from Python on plain arrays)",
    )
    predict.add_argument(
        "--proba",
        action="store_true",
        help="one probability column per class (proba_<class>) instead of the class",
    )
    explain = _model_command(
        commands,
        "explain",
        _explain,
        help="the backpropagation step of one row of a CSV file, in the article's "
        "terms",
        description="Print the training step that a saved model's network would "
        "take on one row of DATA.csv, in the article's terms: the forward pass "
        "(S_preA and S_postA of every node), the final error FE = S_postA,O - T and "
        "E, the error signal S_ERROR of every node from the outputs back, the "
        "gradients, and the weights before and after the update by the model's LR. "
        "DATA.csv needs the model's input columns (in any order) and the --target "
        "column, whose class on that row gives the target T. A pipeline's "
        "transformers (such as fit's StandardScaler) transform the row first. The "
        "model file is not changed.",
    )
    explain.add_argument(
        "--row",
        required=True,
        type=_bounded(int, 0, description="an integer >= 0"),
        metavar="N",
        help="the row, counted from 0: 0 is the first data row after the header "
        "(blank lines are not counted)",
    )
    _add_target(
        explain, required=True, help="class column: its class on the row gives T"
    )
    return parser


def _model_command(commands, name, run, **texts):
    """Add the subcommand ``name`` that takes MODEL.skops and DATA.csv."""
    command = commands.add_parser(name, **texts)
    command.add_argument("model", metavar="MODEL.skops", help="a saved model")
    command.add_argument("data", metavar="DATA.csv", help="the data")
    command.set_defaults(run=run)
    return command


def main(argv=None):
    """Run the ``sk-mlpbp`` command line.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after the program's name; ``sys.argv[1:]`` when None.

    Returns
    -------
    status : int
        0 on success, 2 for a problem with the files or data given (one line on
        the standard error), 1 when the output's reader has gone, 130 when
        interrupted.
    """
    args = _parser().parse_args(argv)
    try:
        args.run(args)
    except (CommandError, CSVError, ModelFileError) as error:
        print(f"{PROG}: error: {printable(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of the output (e.g. head) has gone: stop quietly, and point
        # stdout at devnull so that flushing it at exit fails no more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0
