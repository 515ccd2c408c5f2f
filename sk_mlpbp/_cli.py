"""The ``sk-mlpbp`` command line (also ``python -m sk_mlpbp``).

Its commands are ``demo``, and ``fit``, ``evaluate``, ``predict`` and ``explain`` on
spreadsheet-like CSV files (read by :mod:`sk_mlpbp._csv`), with models saved in skops'
secure format (by :mod:`sk_mlpbp._model_io`), and ``export``, which converts a model
file to ONNX (by :mod:`sk_mlpbp._onnx`). A model is a classifier, whose target
column holds class labels, or with ``fit --regression`` a regressor, whose target
column holds numbers. This module holds the argument parser and one handler per
command.

A problem with the files or data given (a missing, empty or malformed CSV file, a file
that is not a model, a model trained on other columns, skops not installed, a place
where the model cannot be saved, a model that fails on the data, a model that cannot
be converted to ONNX or the onnx extra not installed) ends the command with
exit status 2 and one line on the standard error, as argparse does for bad arguments.
Warnings are shown as note lines, an identical one once. Class labels are shown cut to
``SHOWN_CHARS`` characters each, and at most ``SHOWN_LABELS`` of them in a list.
"""

import argparse
import contextlib
import csv
import json
import os
import shlex
import signal
import sys
import threading
import warnings
from decimal import Decimal

import numpy as np
from sklearn.metrics import (
    classification_report,
    confusion_matrix,
    mean_absolute_error,
    mean_squared_error,
    r2_score,
)
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
from sk_mlpbp._mlp import MLPBackpropClassifier, MLPBackpropRegressor
from sk_mlpbp._model_io import (
    ModelFileError,
    load_model,
    require_skops,
    save_model,
    written_whole,
)
from sk_mlpbp._onnx import to_onnx
from sk_mlpbp._progress import epoch_progress

PROG = "sk-mlpbp"

#: Most class labels named in a list, such as the classes of a saved model.
SHOWN_LABELS = 10

#: ``fit``'s LR: the article's for the classifier. ``fit --regression`` takes a
#: tenth of it: the regressor's identity output unit passes its error FE on whole
#: (f_A' = 1, where the logistic's is at most 1/4) and its targets are standardised
#: (errors of a few units, where a class's are below 1). With fit's other defaults
#: (4 hidden units, online steps, 20 epochs), LR 1 diverged in 20 of 25 fits (5
#: seeds of Friedman #1 at 5 and 10 features, diabetes and a linear problem) and
#: ended below R^2 0.51 in the rest; 0.1 trained all 25, within 0.07 of the best
#: of 0.3, 0.1 and 0.05 on each problem.
LEARNING_RATE = 1.0
REGRESSION_LEARNING_RATE = 0.1

#: The key of ``export``'s ONNX metadata that holds the input columns' names, in the
#: order of the input tensor's columns, as a JSON list.
ONNX_COLUMNS_KEY = "sk_mlpbp.input_columns"

#: ONNX's names of the input tensor's element types that ``export`` writes.
ONNX_TYPES = {1: "float", 11: "double"}


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


def _estimator(model):
    """Return the network of a model: the model, or a pipeline's last step."""
    return model[-1] if isinstance(model, Pipeline) else model


def _is_regressor(model):
    """Whether a model (bare or a pipeline) is an ``MLPBackpropRegressor``."""
    return isinstance(_estimator(model), MLPBackpropRegressor)


def _target_values(table, target):
    """Return a regressor's ``target`` column of ``table`` as floats, one a row.

    Raises CSVError naming the line and column of a cell that is not a finite
    number, or that is empty.
    """
    return table.numbers([target], target=True)[:, 0]


def _predicted_values(model, X, path):
    """Return a regressor's predictions for ``X``: finite floats, one a row.

    A model that fails on the data, or whose outputs overflow (weights of a model
    saved from Python that are finite but huge), raises a CommandError.
    """
    with _model_failures(path):
        predicted = np.asarray(model.predict(X), dtype=np.float64)
    finite = np.isfinite(predicted)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        raise CommandError(
            f"the model cannot predict for {printable(path)}: its prediction for "
            f"row {row} (counted from 0) is {predicted[row]}, not a finite number."
        )
    return predicted


def _labelled_data(args, model_file):
    """Read DATA.csv with its classes, for evaluate and explain of a classifier.

    The ``--target`` column is read as text and its labels put in the model's label
    type by :func:`_file_codes`.

    Returns
    -------
    table : Table
        DATA.csv.

    y : ndarray of int of shape (n_rows,)
        Each row's class as a position in the model's ``classes_``, or past them
        for a label that is none of the model's classes.

    others : list of str
        The file's labels that are none of the model's classes, sorted.
    """
    table = read_table(args.data, text_columns=[args.target])
    y, others = _file_codes(table.labels(args.target), model_file.model.classes_)
    return table, y, others


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


def _read_training_file(path, target, regression, inputs=None):
    """Read a training or validation file: its inputs and targets.

    The targets are the ``target`` column's numbers for a regression, its class
    labels otherwise; the inputs are the ``inputs`` columns, by default every other
    column.

    Returns
    -------
    X : ndarray of shape (n_rows, n_inputs)
        The inputs.

    y : ndarray of shape (n_rows,)
        The targets: floats, or the labels as str.

    inputs : list of str
        The input columns' names.
    """
    table = read_table(path, text_columns=[] if regression else [target])
    y = _target_values(table, target) if regression else table.labels(target)
    if inputs is None:
        inputs = [column for column in table.columns if column != target]
        if not inputs:
            raise CommandError(
                f"{path} has no input columns besides the target {target!r}."
            )
    return table.numbers(inputs), y, inputs


def _fit(args):
    _check_output(args.output)
    regression = args.regression
    X, y, inputs = _read_training_file(args.train, args.target, regression)
    X_val = y_val = None
    if args.validation:
        X_val, y_val, _ = _read_training_file(
            args.validation, args.target, regression, inputs
        )
    # Before training, so that the model can be saved after it.
    require_skops()
    learning_rate = args.learning_rate
    if learning_rate is None:
        learning_rate = REGRESSION_LEARNING_RATE if regression else LEARNING_RATE
    network = (MLPBackpropRegressor if regression else MLPBackpropClassifier)(
        tuple(args.hidden),
        learning_rate=learning_rate,
        batch_size=args.batch_size,
        max_iter=args.epochs,
        momentum=args.momentum,
        early_stopping=args.early_stopping,
        random_state=args.seed,
    )
    model = network if args.no_scale else make_pipeline(StandardScaler(), network)
    with _notes():
        try:
            X_fit, X_val_fit = X, X_val
            if model is not network:
                # The pipeline fitted step by step, as Pipeline.fit does, so that
                # the validation columns are standardised with the training
                # columns' mean and standard deviation too.
                X_fit = model[0].fit_transform(X)
                if X_val is not None:
                    X_val_fit = model[0].transform(X_val)
            with epoch_progress(network, args.epochs):
                with _interrupts_recorded() as interrupts:
                    network.fit(X_fit, y, X_val=X_val_fit, y_val=y_val)
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
    score = "R^2" if regression else "accuracy"
    print(f"training {score}: {model.score(X, y):.4f}")
    if X_val is not None:
        print(f"validation {score}: {model.score(X_val, y_val):.4f}")
    elif args.early_stopping:
        print(
            f"validation {score} (on the tenth of the training file held out for "
            f"early stopping): {network.best_validation_score_:.4f}"
        )
    # The model was fitted on plain arrays: the file records the columns' names,
    # which evaluate and predict match their files' columns against.
    save_model(model, args.output, input_columns=inputs)
    scaling = "raw" if args.no_scale else "standardised"
    if regression:
        what = f"a regressor of {printable(args.target)}"
    else:
        what = f"classes: {_listed(model.classes_)}"
    print(
        f"saved {printable(args.output)} ({scaling} inputs: "
        f"{printable(', '.join(inputs))}; {what})"
    )


def _evaluate(args):
    with _notes():
        model_file = load_model(args.model)
        regressor = _is_regressor(model_file.model)
        if regressor:
            scores = _regression_scores(args, model_file)
        else:
            y, y_pred, others = _classified(args, model_file)
    if regressor:
        print(scores)
    else:
        _print_classification(y, y_pred, model_file.model.classes_, others)


def _classified(args, model_file):
    """Return a classifier's file classes and predictions, as codes, for evaluate.

    Returns
    -------
    y, y_pred : ndarray of int of shape (n_rows,)
        The file's classes and the model's, as positions in its ``classes_`` (the
        file's classes that are none of the model's are past them).

    others : list of str
        The file's classes that are none of the model's, sorted.
    """
    table, y, others = _labelled_data(args, model_file)
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
    return y, y_pred, others


def _print_classification(y, y_pred, classes, others):
    """Print the accuracy, the confusion matrix and the per-class report."""
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


def _regression_scores(args, model_file):
    """Return a regressor's R^2, mean absolute error and root mean squared error.

    As the lines that ``evaluate`` prints. Called within :func:`_notes`: R^2 of one
    row is undefined, which scikit-learn warns of.
    """
    table = read_table(args.data)
    y = _target_values(table, args.target)
    X = model_file.inputs(table, args.target)
    y_pred = _predicted_values(model_file.model, X, args.data)
    r2 = r2_score(y, y_pred)
    mae = mean_absolute_error(y, y_pred)
    rmse = np.sqrt(mean_squared_error(y, y_pred))
    return (
        f"R^2: {r2:.4f} ({y.shape[0]} rows)\n"
        f"MAE: {mae:.6g} (mean absolute error, in the target's units)\n"
        f"RMSE: {rmse:.6g} (root mean squared error, in the target's units)"
    )


def _predict(args):
    with _notes():
        model_file = load_model(args.model)
        regressor = _is_regressor(model_file.model)
        if regressor and args.proba:
            raise CommandError(
                f"{printable(args.model)} holds a regressor, which predicts numbers: "
                "--proba (class probabilities) is for classifiers."
            )
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
                "target, give --target COLUMN."
            ) from None
        model = model_file.model
        if regressor:
            predicted = _predicted_values(model, X, args.data)
            # Numbers, written as Python writes floats: exactly, and never as a
            # formula (a sign then digits is a number to a spreadsheet).
            header, rows = ["prediction"], ([value] for value in predicted.tolist())
        else:
            header, rows = _predicted_classes(args, model, X)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


def _predicted_classes(args, model, X):
    """Return a classifier's CSV header and rows: the classes or their probabilities."""
    classes = [str(label) for label in model.classes_]
    with _model_failures(args.data):
        if args.proba:
            rows = model.predict_proba(X).tolist()
        else:
            codes = _codes(model.classes_, model.predict(X))
    # Classes are text from a file: a spreadsheet opening the output must not run
    # one as a formula, nor a terminal act upon its control characters.
    if args.proba:
        return [spreadsheet_safe(f"proba_{label}") for label in classes], rows
    safe = [spreadsheet_safe(label) for label in classes]
    return ["prediction"], ([safe[code]] for code in codes)


def _demo(args):
    run_demo()


def _explain(args):
    row = args.row
    with _notes():
        model_file = load_model(args.model)
        model = model_file.model
        regressor = _is_regressor(model)
        if regressor:
            table = read_table(args.data)
            y = _target_values(table, args.target)
        else:
            table, y, _ = _labelled_data(args, model_file)
        if row >= table.n_rows:
            raise CommandError(
                f"--row {row} is not a row of {printable(args.data)}: its "
                f"{table.n_rows:,} data rows are numbered 0 to {table.n_rows - 1}."
            )
        if regressor:
            target = y[row : row + 1]
            shown_target = f"target {y[row]:.6g}"
        else:
            classes = model.classes_
            label = table.labels(args.target)[row]
            if y[row] >= len(classes):
                raise CommandError(
                    f"row {row} of {printable(args.data)} is of the class "
                    f"{printable(label, SHOWN_CHARS)}, none of the model's "
                    f"({_listed(classes)}): the step's error FE needs one of them."
                )
            target = classes[y[row : row + 1]]
            shown_target = f"class {printable(label, SHOWN_CHARS)}"
        X = model_file.inputs(table, args.target)
        # A slice keeps the row a table of one row; a DataFrame's rows are taken
        # by position.
        x = X.iloc[row : row + 1] if hasattr(X, "iloc") else X[row : row + 1]
        inputs, network, transformers = x, _estimator(model), []
        with _model_failures(args.data, f"explain row {row} of"):
            if isinstance(model, Pipeline):
                transformers = model.steps[:-1]
                inputs = model[:-1].transform(x)
            trace = network.explain_step(inputs, target)
    # A model saved from Python on plain arrays takes every column but the target.
    names = model_file.input_columns or [
        column for column in table.columns if column != args.target
    ]
    cells = [f"{name} = {value:.6g}" for name, value in zip(names, np.ravel(x))]
    print(f"row {row} of {printable(args.data)}: {_listed(cells)}; {shown_target}")
    if transformers:
        steps = ", ".join(type(step).__name__ for _, step in transformers)
        # What the network's input layer I takes: the row as the pipeline's
        # transformers leave it.
        shown = [f"{value:.6g}" for value in trace.layers[0].S_postA[0]]
        print(f"inputs after {steps}: {_listed(shown)}")
    if regressor:
        # The network's target T is the value in the units the regressor trains in.
        offset, scale = network.target_offset_[0], network.target_scale_[0]
        print(
            f"target T = (target - target_offset_) / target_scale_ = "
            f"({y[row]:.6g} - {offset:.6g}) / {scale:.6g} = {trace.T[0, 0]:.6g}"
        )
    print()
    print(trace)
    print()
    print(
        f"{printable(args.model)} was not changed: the step was taken on a copy of "
        "its network."
    )


def _export(args):
    _check_output(args.output)
    _check_not_the_model(args.model, args.output)
    with _notes():
        model_file = load_model(args.model)
        onnx_model = _converted(model_file.model, args)
    names = model_file.input_columns
    n_inputs = model_file.model.n_features_in_
    _record_columns(onnx_model, names, n_inputs, args.model)
    # Whole or not at all, as fit writes model files.
    with written_whole(args.output) as temporary, open(temporary, "wb") as file:
        file.write(onnx_model.SerializeToString())
    tensor = onnx_model.graph.input[0]
    shape = tensor.type.tensor_type.shape
    dims = [
        str(dim.dim_value) if dim.WhichOneof("value") == "dim_value" else "n"
        for dim in shape.dim
    ]
    kind = tensor.type.tensor_type.elem_type
    opset = next(
        (entry.version for entry in onnx_model.opset_import if entry.domain == ""),
        "?",
    )
    inputs = f"{n_inputs} columns, by position" if names is None else _listed(names)
    outputs = ", ".join(output.name for output in onnx_model.graph.output)
    print(
        f"wrote {printable(args.output)} (ONNX opset {opset}; inputs: {inputs} as a "
        f'{ONNX_TYPES.get(kind, kind)} tensor "{printable(tensor.name)}" of shape '
        f"({', '.join(dims)}); outputs: {printable(outputs)})"
    )
    print(
        "open it in Netron (https://netron.app, or pip install netron && netron "
        f"{printable(shlex.quote(args.output))}) to see the network layer by layer"
    )


def _check_not_the_model(model, output):
    """Refuse to write the ONNX file over the model file it is converted from."""
    try:
        same = os.path.samefile(model, output)
    except OSError:  # either is missing: load_model or the writing will say
        return
    if same:
        raise CommandError(
            f"cannot write {printable(output)}: it is the model file "
            f"{printable(model)} itself; give the ONNX file another name."
        )


def _converted(model, args):
    """Return ``model`` converted to ONNX, for a float32 input (float64: --double).

    The input is one tensor ``X`` of the model's ``n_features_in_`` columns; a
    classifier's outputs are its labels and a tensor of its probabilities (no
    ZipMap). A model that cannot be converted, or the onnx extra not installed,
    raises a CommandError of the converter's message (its first line).
    """
    dtype = np.float64 if args.double else np.float32
    sample = np.zeros((1, model.n_features_in_), dtype=dtype)
    options = None if _is_regressor(model) else {"zipmap": False}
    try:
        return to_onnx(model, sample, options=options)
    except ImportError as error:
        raise CommandError(str(error)) from None
    except MemoryError:
        raise CommandError(
            f"not enough memory to convert {printable(args.model)} to ONNX."
        ) from None
    except (ValueError, TypeError, RuntimeError) as error:
        # What the converter or skl2onnx refuses (skl2onnx's missing converters and
        # unsupported inputs are RuntimeErrors and TypeErrors); skl2onnx explains a
        # missing converter over a dozen lines: the first says which step it is.
        message = str(error).strip().splitlines()
        reason = message[0] if message else type(error).__name__
        raise CommandError(
            f"cannot convert {printable(args.model)} to ONNX: {reason}"
        ) from None


def _record_columns(onnx_model, names, n_inputs, model_path):
    """Record the input columns in the ONNX model's doc_string and metadata.

    The metadata key ``ONNX_COLUMNS_KEY`` holds their names as a JSON list, in the
    order of the input tensor's columns; a model without names takes its columns by
    position, and the key is not written.
    """
    source = os.path.basename(model_path)
    if names is None:
        columns = "taken by position"
    else:
        columns = f"in order: {', '.join(names)}"
        entry = onnx_model.metadata_props.add()
        entry.key, entry.value = ONNX_COLUMNS_KEY, json.dumps(names)
    onnx_model.doc_string = (
        f"Converted by sk-mlpbp export from {source}. The input tensor's "
        f"{n_inputs} columns are {columns}."
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
        "text), every other column is a numeric input. With --regression, train "
        "MLPBackpropRegressor instead: the --target column holds the numbers to "
        "predict. The inputs are standardised "
        "(StandardScaler: the training columns' mean and standard deviation) and "
        "the model saved is the pipeline of the two, unless --no-scale. The "
        "defaults are the article's network and learning rate (a tenth of it "
        "for a regressor), with biases, "
        "shuffled epochs and more than its single epoch. Prints progress per "
        "epoch and the final accuracies (R^2 for a regressor), and saves the "
        "model in skops format.",
    )
    fit.add_argument("train", metavar="TRAIN.csv", help="the training data")
    _add_target(
        fit, required=True, help="class column (with --regression, a number column)"
    )
    fit.add_argument(
        "--regression",
        action="store_true",
        help="the --target column holds numbers: train MLPBackpropRegressor "
        "(identity output unit, targets standardised in training and back in "
        "predictions) instead of the classifier",
    )
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
        default=None,
        metavar="LR",
        help="LR in weight = weight - LR * gradient (default: 1, the article's; "
        "0.1 with --regression, whose identity output unit and standardised "
        "targets diverge at 1)",
    )
    fit.add_argument(
        "--epochs",
        type=positive_int,
        default=20,
        metavar="N",
        help="most passes over the data; training stops sooner once the training "
        "loss (with --early-stopping, the validation accuracy or R^2) stops "
        "improving for 10 epochs (default: 20; the article trains 1)",
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
        help="validation data with the same columns: accuracy (R^2 for a "
        "regressor) after every epoch, and what --early-stopping watches",
    )
    fit.add_argument(
        "--early-stopping",
        action="store_true",
        help="stop when the validation accuracy (R^2) stops improving and keep "
        "the best epoch's weights (without --validation, a tenth of TRAIN.csv is "
        "held out)",
    )
    fit.add_argument(
        "--no-scale",
        action="store_true",
        help="train on the raw columns, as the article does, and save the bare "
        "classifier or regressor (inputs are then best on a scale of about -1 to 1)",
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
        help="accuracy, confusion matrix and per-class report on a CSV file (R^2, "
        "MAE and RMSE for a regressor)",
        description="Score a saved model on DATA.csv: a classifier's accuracy, "
        "confusion matrix and per-class precision, recall and F1, or a regressor's "
        "R^2, mean absolute error and root mean squared error. DATA.csv needs the "
        "model's input columns (in any order) and the --target column.",
    )
    _add_target(
        evaluate, required=True, help="class column (a regressor's: a number column)"
    )
    predict = _model_command(
        commands,
        "predict",
        _predict,
        help="predictions for a CSV file, as CSV on the standard output",
        description="Write a CSV of predictions for DATA.csv to the standard output: "
        "a header line, then one row per row of DATA.csv: the class, or a "
        "regressor's number. DATA.csv needs the "
        "model's input columns (in any order); other columns are ignored.",
    )
    _add_target(
        predict,
        required=False,
        help="a target column to leave out, for a model that takes every column "
        "of DATA.csv by position (one saved from Python on plain arrays)",
    )
    predict.add_argument(
        "--proba",
        action="store_true",
        help="one probability column per class (proba_<class>) instead of the "
        "class (classifiers only)",
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
        "column, whose class on that row gives the target T (a regressor's number, "
        "scaled as the regressor scales its targets). A pipeline's "
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
        explain,
        required=True,
        help="class column: its class on the row gives T (a regressor's: its number)",
    )

    export = commands.add_parser(
        "export",
        help="convert a saved model to ONNX, for onnxruntime and other runtimes",
        description="Convert a saved model (either kind of model file, a pipeline "
        "included) to ONNX and write it to MODEL.onnx, whole or not at all. Its "
        'input is one tensor "X" of the model\'s input columns, in the order '
        "printed (and recorded in the file's doc_string and in its metadata "
        f"{ONNX_COLUMNS_KEY!r}); a classifier's outputs are its labels and a "
        "tensor of its probabilities, a regressor's its predictions. Needs the "
        "onnx extra: pip install '.[onnx]' in a clone of the repository.",
    )
    export.add_argument("model", metavar="MODEL.skops", help="a saved model")
    export.add_argument("output", metavar="MODEL.onnx", help="the ONNX file to write")
    export.add_argument(
        "--double",
        action="store_true",
        help="a float64 (double) input tensor, computing in float64 as predict does "
        "(default: float32, what onnxruntime users usually feed; the weights are "
        "then rounded to float32)",
    )
    export.set_defaults(run=_export)
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
