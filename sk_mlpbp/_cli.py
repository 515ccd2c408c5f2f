"""The ``sk-mlpbp`` command line (also ``python -m sk_mlpbp``): ``demo``, and
``fit``, ``evaluate`` and ``predict`` on spreadsheet-like CSV files, with models saved
in skops' secure format.

A problem with the files or data given (a missing, empty or malformed CSV file, a file
that is not a model, a model trained on other columns, skops not installed) ends the
command with exit status 2 and one line on the standard error, as argparse does for
bad arguments.
"""

import argparse
import csv
import os
import sys
import warnings
import zipfile

import numpy as np
from sklearn.base import TransformerMixin
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import classification_report, confusion_matrix
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from sk_mlpbp._csv import CSVError, read_table
from sk_mlpbp._demo import run_demo
from sk_mlpbp._mlp import MLPBackpropClassifier
from sk_mlpbp._progress import epoch_progress

PROG = "sk-mlpbp"

#: The one type a model file may hold beyond those skops trusts by default (which
#: include scikit-learn's, such as the Pipeline and StandardScaler that ``fit`` saves).
MODEL_TYPE = "sk_mlpbp._mlp.MLPBackpropClassifier"


class CommandError(Exception):
    """A problem with the files or data a command was given; its message is the
    one line the command prints."""


def _skops_io():
    """Import ``skops.io``, or explain how to install it."""
    try:
        import skops.io
    except ImportError:
        raise CommandError(
            "model files need skops, which is not installed: "
            'pip install "sk_mlpbp[skops]"'
        ) from None
    return skops.io


def save_model(model, path):
    """Write a fitted model to ``path`` in skops' format.

    Parameters
    ----------
    model : MLPBackpropClassifier or Pipeline
        A fitted model.

    path : str
        The file to write, by convention ending in ``.skops``.
    """
    try:
        _skops_io().dump(model, path)
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror}.") from None


def load_model(path):
    """Read a fitted model from a skops file: an ``MLPBackpropClassifier``, or a
    ``Pipeline`` of scikit-learn transformers ending in one.

    The file may hold no type that needs trusting other than ``MODEL_TYPE``: skops
    refuses anything else before creating any object.

    Parameters
    ----------
    path : str
        A file written by :func:`save_model` or ``skops.io.dump``.

    Returns
    -------
    model : MLPBackpropClassifier or Pipeline
        The fitted model.
    """
    not_a_model = CommandError(
        f"{path} is not a model file (sk-mlpbp fit writes them, in skops format)."
    )
    # Said without importing skops (slow: it lists the types it trusts) when the
    # file is not even a zip archive, as every skops file is.
    if os.path.isfile(path) and not zipfile.is_zipfile(path):
        raise not_a_model
    skops_io = _skops_io()
    try:
        model = skops_io.load(path, trusted=[MODEL_TYPE])
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}.") from None
    except skops_io.exceptions.UntrustedTypesFoundException:
        others = sorted(set(skops_io.get_untrusted_types(file=path)) - {MODEL_TYPE})
        raise CommandError(
            f"{path} holds types that are not trusted: {', '.join(others)}."
        ) from None
    # What a damaged zip archive raises, or a zip without a skops schema (KeyError),
    # with a schema that is not JSON (ValueError) or not skops' (TypeError).
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError):
        raise not_a_model from None
    _check_model(model, path)
    return model


def _check_model(model, path):
    """Raise a CommandError unless ``model`` is a fitted ``MLPBackpropClassifier``
    or a ``Pipeline`` of fitted scikit-learn transformers ending in one."""
    if not isinstance(model, Pipeline):
        classifier, holds = model, f"a {type(model).__name__}"
    else:
        try:
            *transformers, (_, classifier) = model.steps
            transformers = [(name, step) for name, step in transformers]
        except (AttributeError, TypeError, ValueError):
            raise CommandError(
                f"{path} holds a Pipeline whose steps are not (name, estimator) pairs."
            ) from None
        for name, step in transformers:
            if not (
                isinstance(step, TransformerMixin)
                and type(step).__module__.startswith("sklearn.")
            ):
                raise CommandError(
                    f"{path} holds a Pipeline whose step {name!r} is a "
                    f"{type(step).__name__}, not a scikit-learn transformer."
                )
            try:
                check_is_fitted(step)
            except NotFittedError:
                raise CommandError(
                    f"{path} holds a Pipeline whose step {name!r} is not fitted."
                ) from None
        holds = f"a Pipeline ending in a {type(classifier).__name__}"
    if not (
        isinstance(classifier, MLPBackpropClassifier) and hasattr(classifier, "coefs_")
    ):
        raise CommandError(f"{path} holds {holds}, not a fitted MLPBackpropClassifier.")


def _model_inputs(model, table, target=None):
    """The input columns of ``table`` that ``model`` was trained on, as floats.

    Models trained by ``sk-mlpbp fit`` know their input columns' names
    (``feature_names_in_``, a pipeline's from its first step) and take them by
    name, in any order; other columns (such as the target) are left out. A model
    without names takes every column but ``target``, in the file's order.
    """
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        names = [column for column in table.columns if column != target]
        if len(names) != model.n_features_in_:
            raise CommandError(
                f"the model takes {model.n_features_in_} input columns, but "
                f"{table.path} has {len(names)}."
            )
    else:
        names = names.tolist()
        missing = [name for name in names if name not in table.columns]
        if missing:
            raise CommandError(
                f"{table.path} lacks the column(s) {', '.join(missing)} that the model "
                f"was trained on (its inputs: {', '.join(names)})."
            )
    return table.numbers(names)


def _predict(model, X, proba=False):
    """``model.predict(X)`` as text labels, or ``model.predict_proba(X)``."""
    with warnings.catch_warnings():
        # The columns were matched by name (_model_inputs); X is a plain array.
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        if proba:
            return model.predict_proba(X)
        return model.predict(X).astype(str)


def _fit(args):
    table = read_table(args.train)
    y = table.labels(args.target)
    inputs = [column for column in table.columns if column != args.target]
    if not inputs:
        raise CommandError(
            f"{args.train} has no input columns besides the target {args.target!r}."
        )
    X = table.numbers(inputs)
    X_val = y_val = None
    if args.validation:
        validation = read_table(args.validation)
        y_val = validation.labels(args.target)
        X_val = validation.numbers(inputs)
    # Before training, so that the model can be saved after it.
    _skops_io()
    folder = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(folder):
        raise CommandError(f"cannot write {args.output}: {folder} is not a folder.")
    classifier = MLPBackpropClassifier(
        tuple(args.hidden),
        learning_rate=args.learning_rate,
        batch_size=args.batch_size,
        max_iter=args.epochs,
        momentum=args.momentum,
        early_stopping=args.early_stopping,
        random_state=args.seed,
        verbose=True,
    )
    model = classifier if args.no_scale else make_pipeline(StandardScaler(), classifier)
    # The step that sees the columns: it learns their mean and standard deviation,
    # and holds their names.
    first = classifier if args.no_scale else model[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # --epochs is the budget asked for: running all of it is no news.
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            X_fit, X_val_fit = X, X_val
            if first is not classifier:
                # The pipeline fitted step by step, as Pipeline.fit does, so that
                # the validation columns are standardised with the training
                # columns' mean and standard deviation too.
                X_fit = first.fit_transform(X)
                if X_val is not None:
                    X_val_fit = first.transform(X_val)
            with epoch_progress(classifier, args.epochs):
                classifier.fit(X_fit, y, X_val=X_val_fit, y_val=y_val)
        except ValueError as error:
            raise CommandError(str(error)) from None
    for warning in caught:
        print(f"{PROG}: note: {warning.message}", file=sys.stderr)
    print(f"training accuracy: {model.score(X, y):.4f}")
    if X_val is not None:
        print(f"validation accuracy: {model.score(X_val, y_val):.4f}")
    elif args.early_stopping:
        print(
            "validation accuracy (on the tenth of the training file held out for "
            f"early stopping): {classifier.best_validation_score_:.4f}"
        )
    # What evaluate and predict match the columns of their files against, as a fit
    # on a DataFrame would have stored (on a pipeline's first step, whose names the
    # pipeline's feature_names_in_ gives); verbose was only the progress display.
    first.feature_names_in_ = np.asarray(inputs, dtype=object)
    classifier.set_params(verbose=False)
    save_model(model, args.output)
    scaling = "raw" if args.no_scale else "standardised"
    print(
        f"saved {args.output} ({scaling} inputs: {', '.join(inputs)}; classes: "
        f"{', '.join(model.classes_)})"
    )


def _evaluate(args):
    model = load_model(args.model)
    table = read_table(args.data)
    y = table.labels(args.target)
    y_pred = _predict(model, _model_inputs(model, table, args.target))
    labels = np.union1d(model.classes_.astype(str), y)
    correct = int((y_pred == y).sum())
    print(f"accuracy: {correct / y.shape[0]:.4f} ({correct} of {y.shape[0]} rows)")
    print("\nconfusion matrix (rows: true class, columns: predicted class):")
    counts = confusion_matrix(y, y_pred, labels=labels)
    width = max(len(str(counts.max())), *(len(label) for label in labels)) + 2
    print(" " * width + "".join(f"{label:>{width}}" for label in labels))
    for label, row in zip(labels, counts):
        print(f"{label:>{width}}" + "".join(f"{count:>{width}}" for count in row))
    print()
    print(classification_report(y, y_pred, labels=labels, zero_division=0))


def _predict_command(args):
    model = load_model(args.model)
    table = read_table(args.data)
    X = _model_inputs(model, table)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    if args.proba:
        writer.writerow([f"proba_{label}" for label in model.classes_])
        writer.writerows(_predict(model, X, proba=True).tolist())
    else:
        writer.writerow(["prediction"])
        writer.writerows([label] for label in _predict(model, X))


def _demo(args):
    run_demo()


def _bounded(kind, low, high=None, *, low_open=False, description):
    """An argparse type: ``kind(text)`` within ``[low, high]`` (``(low, ...`` when
    ``low_open``), else an error saying it must be ``description``."""

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
    fit.add_argument("--target", required=True, metavar="COLUMN", help="class column")
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
        help="where to save the model (needs skops: pip install 'sk_mlpbp[skops]')",
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
    evaluate.add_argument(
        "--target", required=True, metavar="COLUMN", help="class column"
    )
    predict = _model_command(
        commands,
        "predict",
        _predict_command,
        help="predictions for a CSV file, as CSV on the standard output",
        description="Write a CSV of predictions for DATA.csv to the standard output: "
        "a header line, then one row per row of DATA.csv. DATA.csv needs the "
        "model's input columns (in any order); other columns are ignored.",
    )
    predict.add_argument(
        "--proba",
        action="store_true",
        help="one probability column per class (proba_<class>) instead of the class",
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
    except (CommandError, CSVError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
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
