"""Model files: a fitted model in skops' secure format, with its input columns.

A model file is the zip archive that ``skops.io.dump`` writes, plus one member of
sk_mlpbp's own, ``sk_mlpbp.json``: the sk_mlpbp version that wrote the file and the
names of the model's input columns. ``skops.io.load`` ignores that member, so the
file stays an ordinary skops file; a skops file without it (saved from Python) is a
model file too, whose columns are the model's ``feature_names_in_`` if it has them.
"""

import contextlib
import json
import os
import secrets
import zipfile
from typing import NamedTuple

from sklearn.base import TransformerMixin
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from sk_mlpbp._mlp import MLPBackpropClassifier

#: The one type a model file may hold beyond those skops trusts by default (which
#: include scikit-learn's, such as the Pipeline and StandardScaler that ``fit`` saves).
MODEL_TYPE = "sk_mlpbp._mlp.MLPBackpropClassifier"

#: The archive member that holds what sk_mlpbp records beside the skops model.
METADATA_MEMBER = "sk_mlpbp.json"


class ModelFileError(Exception):
    """A model file that cannot be written or used; its message is one line."""


class ModelFile(NamedTuple):
    """A model read from a file, with what the file says about it.

    Attributes
    ----------
    model : MLPBackpropClassifier or Pipeline
        The fitted model.

    input_columns : list of str or None
        The names of the model's input columns, in the order it takes them: those
        recorded in the file, else the model's ``feature_names_in_``; None when the
        model takes its columns by position.

    sk_mlpbp_version : str or None
        The sk_mlpbp version that wrote the file, None if the file does not say
        (it was saved by ``skops.io.dump``).
    """

    model: object
    input_columns: list | None
    sk_mlpbp_version: str | None

    def inputs(self, table, target=None):
        """Take the model's input columns from a table, as the model takes them.

        Columns with names are taken by name, in any order, and other columns
        (such as the target) are left out. A model without names takes every
        column but ``target``, in the table's order.

        Parameters
        ----------
        table : sk_mlpbp._csv.Table
            The data.

        target : str, default=None
            The name of the class column, left out of positional inputs.

        Returns
        -------
        X : ndarray or pandas.DataFrame of shape (n_rows, n_features_in_)
            The inputs as floats; a DataFrame with the column names when the model
            was fitted on one (it has ``feature_names_in_``) and pandas can be
            imported, so that scikit-learn checks the names as it does in Python.

        Raises
        ------
        ModelFileError
            If the table lacks a named column, or has another number of columns
            than the model takes by position.
        """
        n_inputs = self.model.n_features_in_
        names = self.input_columns
        if names is None:
            names = [column for column in table.columns if column != target]
            if len(names) != n_inputs:
                raise ModelFileError(
                    f"the model takes {n_inputs} input columns, but {table.path} "
                    f"has {len(names)}."
                )
        else:
            present = set(table.columns)
            missing = [name for name in names if name not in present]
            if missing:
                raise ModelFileError(
                    f"{table.path} lacks the column(s) {', '.join(missing)} that the "
                    f"model was trained on (its inputs: {', '.join(names)})."
                )
        X = table.numbers(names)
        if getattr(self.model, "feature_names_in_", None) is None:
            return X
        try:
            import pandas
        except ImportError:
            # scikit-learn then warns that X has no feature names, which is true.
            return X
        return pandas.DataFrame(X, columns=names)


def require_skops():
    """Import ``skops.io``, or say how to install it.

    Returns
    -------
    skops_io : module
        The ``skops.io`` module.

    Raises
    ------
    ModelFileError
        If ``skops`` cannot be imported.
    """
    try:
        import skops.io
    except ImportError:
        raise ModelFileError(
            "model files need skops, which is not installed: "
            'pip install ".[skops]" in a clone of the sk_mlpbp repository'
        ) from None
    return skops.io


def _new_temporary_file(path):
    """Create an empty file beside ``path``, with a name of its own, and return it.

    It is created with mode 0o666 less the umask, as a plain ``open`` would, so
    that the model file it becomes is as readable as any other file the user
    writes (``tempfile.mkstemp`` would make it private).
    """
    folder, name = os.path.split(os.path.abspath(path))
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(8)}.tmp")
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    return temporary


def save_model(model, path, input_columns=None):
    """Write a fitted model and its input columns' names to a skops file.

    The file is written whole or not at all: the model goes to a temporary file in
    the target's folder, which then replaces ``path`` in one step, so that an
    existing file at ``path`` is never left half-written, whatever interrupts the
    writing.

    Parameters
    ----------
    model : MLPBackpropClassifier or Pipeline
        A fitted model.

    path : str
        The file to write, by convention ending in ``.skops``.

    input_columns : list of str, default=None
        The names of the model's input columns, in the order it takes them, which
        :func:`load_model` returns; None for a model that takes its columns by
        position or knows their names itself (``feature_names_in_``).

    Raises
    ------
    ModelFileError
        If skops is not installed or the file cannot be written.
    """
    from sk_mlpbp import __version__

    skops_io = require_skops()
    metadata = {
        "sk_mlpbp_version": __version__,
        "input_columns": None if input_columns is None else list(input_columns),
    }
    try:
        temporary = _new_temporary_file(path)
        try:
            skops_io.dump(model, temporary)
            with zipfile.ZipFile(temporary, "a") as archive:
                archive.writestr(METADATA_MEMBER, json.dumps(metadata))
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(temporary)
            raise
    except OSError as error:
        raise ModelFileError(
            f"cannot write {path}: {error.strerror or error}."
        ) from None


def load_model(path):
    """Read a fitted model and its input columns' names from a skops file.

    The model is an ``MLPBackpropClassifier``, or a ``Pipeline`` of fitted
    scikit-learn transformers ending in one. The file may hold no type that needs
    trusting other than ``MODEL_TYPE``: skops refuses anything else before creating
    any object.

    Parameters
    ----------
    path : str
        A file written by :func:`save_model` or ``skops.io.dump``.

    Returns
    -------
    model_file : ModelFile
        The model, its input columns' names and the sk_mlpbp version that wrote
        the file.

    Raises
    ------
    ModelFileError
        If skops is not installed, or the file cannot be read or holds anything
        else than such a model.
    """
    not_a_model = ModelFileError(
        f"{path} is not a model file (sk-mlpbp fit writes them, in skops format)."
    )
    # Said without importing skops (slow: it lists the types it trusts) when the
    # file is not even a zip archive, as every skops file is.
    if os.path.isfile(path) and not zipfile.is_zipfile(path):
        raise not_a_model
    skops_io = require_skops()
    try:
        model = skops_io.load(path, trusted=[MODEL_TYPE])
        with zipfile.ZipFile(path) as archive:
            metadata = _read_metadata(archive)
    except OSError as error:
        raise ModelFileError(f"cannot read {path}: {error.strerror}.") from None
    except skops_io.exceptions.UntrustedTypesFoundException:
        others = sorted(set(skops_io.get_untrusted_types(file=path)) - {MODEL_TYPE})
        raise ModelFileError(
            f"{path} holds types that are not trusted: {', '.join(others)}."
        ) from None
    # What a damaged zip archive raises, or a zip without a skops schema (KeyError),
    # with a schema or metadata that is not JSON (ValueError) or not skops' or
    # sk_mlpbp's (TypeError).
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError):
        raise not_a_model from None
    _check_model(model, path)
    columns = metadata.get("input_columns")
    if columns is None:
        names = getattr(model, "feature_names_in_", None)
        columns = None if names is None else names.tolist()
    elif len(columns) != model.n_features_in_:
        raise ModelFileError(
            f"{path} names {len(columns)} input columns for a model that takes "
            f"{model.n_features_in_}."
        )
    return ModelFile(model, columns, metadata.get("sk_mlpbp_version"))


def _read_metadata(archive):
    """Return the ``sk_mlpbp.json`` member of ``archive`` as a dict, {} if absent.

    Raises ValueError if it is not JSON, TypeError if it is not sk_mlpbp's.
    """
    if METADATA_MEMBER not in archive.namelist():
        return {}
    metadata = json.loads(archive.read(METADATA_MEMBER))
    columns = metadata.get("input_columns") if isinstance(metadata, dict) else None
    if not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("sk_mlpbp_version"), str)
        and (
            columns is None
            or (
                isinstance(columns, list)
                and all(isinstance(name, str) for name in columns)
            )
        )
    ):
        raise TypeError(f"{METADATA_MEMBER} is not sk_mlpbp's")
    return metadata


def _check_model(model, path):
    """Raise a ModelFileError unless ``model`` is a model the command line takes.

    That is a fitted ``MLPBackpropClassifier``, or a ``Pipeline`` of fitted
    scikit-learn transformers ending in one.
    """
    if not isinstance(model, Pipeline):
        classifier, holds = model, f"a {type(model).__name__}"
    else:
        try:
            *transformers, (_, classifier) = model.steps
            transformers = [(name, step) for name, step in transformers]
        except (AttributeError, TypeError, ValueError):
            raise ModelFileError(
                f"{path} holds a Pipeline whose steps are not (name, estimator) pairs."
            ) from None
        for name, step in transformers:
            if not (
                isinstance(step, TransformerMixin)
                and type(step).__module__.startswith("sklearn.")
            ):
                raise ModelFileError(
                    f"{path} holds a Pipeline whose step {name!r} is a "
                    f"{type(step).__name__}, not a scikit-learn transformer."
                )
            try:
                check_is_fitted(step)
            except NotFittedError:
                raise ModelFileError(
                    f"{path} holds a Pipeline whose step {name!r} is not fitted."
                ) from None
        holds = f"a Pipeline ending in a {type(classifier).__name__}"
    if not (
        isinstance(classifier, MLPBackpropClassifier) and hasattr(classifier, "coefs_")
    ):
        raise ModelFileError(
            f"{path} holds {holds}, not a fitted MLPBackpropClassifier."
        )
