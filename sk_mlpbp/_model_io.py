"""Model files: a fitted model in skops' secure format, with its input columns.

The model is an ``MLPBackpropClassifier`` or an ``MLPBackpropRegressor``, bare or
the last step of a pipeline of fitted scikit-learn transformers.

A model file is the zip archive that ``skops.io.dump`` writes, plus one member of
sk_mlpbp's own, ``sk_mlpbp.json``: the sk_mlpbp version that wrote the file and the
names of the model's input columns. ``skops.io.load`` ignores that member, so the
file stays an ordinary skops file; a skops file without it (saved from Python) is a
model file too, whose columns are the model's ``feature_names_in_`` if it has them.
"""

import contextlib
import functools
import inspect
import io
import json
import os
import secrets
import stat
import types
import zipfile
from numbers import Integral
from typing import NamedTuple

import numpy as np
from scipy.interpolate import BSpline
from sklearn.base import TransformerMixin
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import SplineTransformer
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from sk_mlpbp._csv import printable
from sk_mlpbp._mlp import MLPBackpropClassifier, MLPBackpropRegressor
from sk_mlpbp._state import TRAINING_STATE

#: The types of sk_mlpbp that a model file may hold beyond those skops trusts by
#: default (which include scikit-learn's, such as the Pipeline and StandardScaler that
#: ``fit`` saves): the classifier and the regressor. :func:`trusted_types` lists the
#: others.
MODEL_TYPE = "sk_mlpbp._mlp.MLPBackpropClassifier"
REGRESSOR_TYPE = "sk_mlpbp._mlp.MLPBackpropRegressor"
MODEL_TYPES = (MODEL_TYPE, REGRESSOR_TYPE)

#: The estimators that a model file may hold, and what the messages call them.
ESTIMATORS = {MLPBackpropClassifier: "classifier", MLPBackpropRegressor: "regressor"}

#: The archive member that holds what sk_mlpbp records beside the skops model.
METADATA_MEMBER = "sk_mlpbp.json"

#: Most bytes that the members of a model file may inflate to, all together, checked
#: on the sizes the archive declares before anything is read. skops stores the
#: weights uncompressed (``.npy`` members), so a real file inflates to about its own
#: size; 1 GiB holds 134 million float64 weights (``save_model`` refuses to write a
#: larger model), and bounds what a crafted file (a zip bomb) can make a load
#: allocate.
MAX_INFLATED_BYTES = 2**30

#: Most bytes of skops' description of the objects (``schema.json``) and of
#: ``sk_mlpbp.json``, each: JSON parsed into Python objects takes about ten times its
#: size. A schema is about 20 kB plus about 250 bytes per epoch and per curve
#: recorded (``loss_curve_``, and the validation curves), so 64 MiB holds some
#: 90,000 epochs with validation data.
MAX_SCHEMA_BYTES = 64 * 2**20

#: Most times that a member larger than 1 MiB may inflate its compressed size. skops
#: stores members uncompressed (1x); deflated JSON shrinks about 10 to 20 times,
#: while a zip bomb's zeros shrink a thousand times.
MAX_COMPRESSION_RATIO = 100

# Every attribute that fit and partial_fit set is declared once: the training state
# in sk_mlpbp._state.TRAINING_STATE, the rest on the estimator classes
# (_network_attributes, _target_attributes, _optional_attributes). The check of a
# loaded model reads the declaration (fitted_attributes) and refuses any other
# attribute; a test fits both estimators in many ways and compares what they set
# with it.


#: What prediction reads, beyond the constructor's parameters and the targets'
#: attributes: a file must hold them.
REQUIRED_ATTRIBUTES = frozenset(
    {"coefs_", "intercepts_", "n_outputs_", "n_layers_", "n_features_in_"}
)


class ModelFileError(Exception):
    """A model file that cannot be written or used; its message is one line."""


class ModelFile(NamedTuple):
    """A model read from a file, with what the file says about it.

    Attributes
    ----------
    model : MLPBackpropClassifier, MLPBackpropRegressor or Pipeline
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
            The name of the target column (the classes, or a regressor's numbers),
            left out of positional inputs.

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


@contextlib.contextmanager
def written_whole(path):
    """Yield a temporary file beside ``path``, which replaces it when the block ends.

    A file is written whole or not at all: the block writes the temporary file, in
    the target's folder, and only when it ends without an error does the file
    replace ``path``, in one step. A block that raises (Ctrl-C included) leaves no
    temporary file behind and an existing ``path`` as it was; an ``OSError`` becomes
    a :class:`ModelFileError` naming ``path``.
    """
    try:
        temporary = _new_temporary_file(path)
        try:
            yield temporary
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(temporary)
            raise
    except OSError as error:
        raise ModelFileError(
            f"cannot write {printable(path)}: {error.strerror or error}."
        ) from None


def save_model(model, path, input_columns=None):
    """Write a fitted model and its input columns' names to a skops file.

    The file is written whole or not at all: the model goes to a temporary file in
    the target's folder, which then replaces ``path`` in one step, so that an
    existing file at ``path`` is never left half-written, whatever interrupts the
    writing.

    Parameters
    ----------
    model : MLPBackpropClassifier, MLPBackpropRegressor or Pipeline
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
        If skops is not installed, the file cannot be written, or it would exceed
        the limits that :func:`load_model` sets (``MAX_SCHEMA_BYTES``,
        ``MAX_INFLATED_BYTES``).
    """
    from sk_mlpbp import __version__

    skops_io = require_skops()
    metadata = {
        "sk_mlpbp_version": __version__,
        "input_columns": None if input_columns is None else list(input_columns),
    }
    with written_whole(path) as temporary:
        skops_io.dump(model, temporary)
        with zipfile.ZipFile(temporary, "a") as archive:
            archive.writestr(METADATA_MEMBER, json.dumps(metadata))
            # A file that load_model would refuse is not written.
            too_large = _too_large(archive)
        if too_large:
            raise ModelFileError(
                f"cannot write {printable(path)}: the model is too large for a "
                f"model file: {too_large}."
            )


@functools.cache
def trusted_types():
    """Return the types trusted beyond skops' defaults, each with its skops loader.

    Besides ``MODEL_TYPES``, scikit-learn transformers hold data and functions that
    skops does not trust by default: ``numpy.dtype`` (``SimpleImputer``,
    ``KBinsDiscretizer``), the closed-form score functions of
    ``sklearn.feature_selection`` (``chi2``, ``f_classif``, ``f_regression``,
    ``r_regression``: plain arithmetic on arrays, called by the selectors' ``fit``
    only), and SciPy's ``BSpline`` (``SplineTransformer``) with the ``asarray``
    function that newer SciPy versions keep in it. Not trusted: the
    ``mutual_info_*`` score functions, which run nearest-neighbour searches, in
    parallel with ``n_jobs``, when something calls them. The names are those that
    skops itself writes for these objects (its ``get_untrusted_types`` of a dump of
    them), so they follow the installed skops, SciPy and scikit-learn. A type
    trusted here may only be rebuilt by the loader that skops writes for it (a
    dtype as a dtype, a function as a function, never called), and every
    ``BSpline`` is checked after loading (:func:`_check_bsplines`).

    Returns
    -------
    trusted : dict of str to str
        The type names and their skops loaders (``"DTypeNode"``, ...).
    """
    from sklearn.feature_selection import chi2, f_classif, f_regression, r_regression

    skops_io = require_skops()
    splines = SplineTransformer(n_knots=2, degree=1).fit([[0.0], [1.0]])
    functions = [chi2, f_classif, f_regression, r_regression]
    data = skops_io.dumps([np.dtype(np.float64), splines, *functions])
    names = set(skops_io.get_untrusted_types(data=data))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        schema = json.loads(archive.read("schema.json"))
    return {name: node["__loader__"] for name, node in _nodes(schema) if name in names}


def _nodes(schema):
    """Yield ``(type name, node)`` for every node of a parsed skops schema.

    The name is the one that skops checks against its trusted types:
    ``__module__`` and ``__class__`` joined by a dot. Every dict of the schema
    that has both is taken, wherever it sits.
    """
    stack = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            module, name = item.get("__module__"), item.get("__class__")
            if isinstance(module, str) and isinstance(name, str):
                yield f"{module}.{name}", item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def load_model(path):
    """Read a fitted model and its input columns' names from a skops file.

    The model is an ``MLPBackpropClassifier`` or an ``MLPBackpropRegressor``, or a
    ``Pipeline`` of fitted scikit-learn transformers ending in one. The file may hold
    no type that needs trusting other than ``MODEL_TYPES`` and those of
    :func:`trusted_types`, each
    rebuilt by its own skops loader: skops refuses anything else before creating
    any object. Before skops reads it, the file must be a regular file whose members
    inflate to at most ``MAX_INFLATED_BYTES`` (``MAX_SCHEMA_BYTES`` for the JSON
    members); after, every ``BSpline`` must be one that SciPy's constructor accepts
    and the estimator shaped as ``fit`` makes one.

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
    shown = printable(path)
    not_a_model = ModelFileError(
        f"{shown} is not a model file (sk-mlpbp fit writes them, in skops format)."
    )
    try:
        # Before opening: opening a FIFO would wait for a writer, and a device
        # such as /dev/zero never ends.
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ModelFileError(f"{shown} is not a regular file.")
        with open(path, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise ModelFileError(f"{shown} is not a regular file.")
            # Said without importing skops (slow: it lists the types it trusts)
            # when the file is not even a zip archive, as every skops file is.
            if not zipfile.is_zipfile(file):
                raise not_a_model
            try:
                with zipfile.ZipFile(file) as archive:
                    too_large = _too_large(archive)
            # A damaged central directory.
            except (zipfile.BadZipFile, ValueError, EOFError):
                raise not_a_model from None
            if too_large:
                raise ModelFileError(
                    f"{shown} is not a model file that sk-mlpbp reads: {too_large}."
                )
            skops_io = require_skops()
            file.seek(0)
            model, metadata = _load(skops_io, file, shown, not_a_model)
    except OSError as error:
        raise ModelFileError(
            f"cannot read {shown}: {printable(error.strerror or error)}."
        ) from None
    _check_model(model, shown)
    columns = metadata.get("input_columns")
    if columns is None:
        names = getattr(model, "feature_names_in_", None)
        columns = None if names is None else names.tolist()
    elif len(columns) != model.n_features_in_:
        raise ModelFileError(
            f"{shown} names {len(columns)} input columns for a model that takes "
            f"{model.n_features_in_}."
        )
    return ModelFile(model, columns, metadata.get("sk_mlpbp_version"))


def _too_large(archive):
    """Say which member of ``archive`` would inflate beyond the limits, or None.

    The sizes are those the archive declares; zipfile stops reading a member at its
    declared size, so no more can be inflated than is checked here.
    """
    total = 0
    for member in archive.infolist():
        size = member.file_size
        total += size
        json_member = member.filename in ("schema.json", METADATA_MEMBER)
        if (
            (json_member and size > MAX_SCHEMA_BYTES)
            or total > MAX_INFLATED_BYTES
            or (
                size > 2**20
                and size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
            )
        ):
            return (
                f"its member {printable(repr(member.filename))} inflates to {size} "
                f"bytes ({total} bytes so far), beyond the limits of "
                f"{MAX_SCHEMA_BYTES} bytes for a JSON member, {MAX_INFLATED_BYTES} "
                f"bytes in all and {MAX_COMPRESSION_RATIO} times the compressed size"
            )
    return None


def _load(skops_io, file, shown, not_a_model):
    """Return the model and the metadata of an open model file whose sizes passed."""
    trusted = trusted_types()
    try:
        with zipfile.ZipFile(file) as archive:
            metadata = _read_metadata(archive)
            schema = json.loads(archive.read("schema.json"))
        # skops trusts a name whatever loader the schema gives it, and some
        # loaders call what they rebuild with arguments from the file (LossNode,
        # and ConstructorFromReduceNode in newer skops): a function stays one.
        for name, node in _nodes(schema):
            if name in trusted and node.get("__loader__") != trusted[name]:
                raise ModelFileError(
                    f"{shown} is not a model file that sk-mlpbp reads: it rebuilds "
                    f"{name} by {printable(repr(node.get('__loader__')))}, not by "
                    f"{trusted[name]}."
                )
        del schema  # before skops parses it again
        file.seek(0)
        model = skops_io.load(file, trusted=[*MODEL_TYPES, *trusted])
    except (OSError, ModelFileError):
        raise
    except skops_io.exceptions.UntrustedTypesFoundException:
        file.seek(0)
        others = sorted(
            set(skops_io.get_untrusted_types(file=file)) - {*MODEL_TYPES, *trusted}
        )
        raise ModelFileError(
            f"{shown} holds types that are not trusted: {printable(', '.join(others))}."
        ) from None
    # A damaged archive or schema makes skops raise whatever its code meets first
    # (KeyError, TypeError, ValueError, AttributeError, RecursionError, ...): any
    # error while rebuilding the objects means that the file is not a model file.
    except Exception:
        raise not_a_model from None
    return model, metadata


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

    That is a fitted ``MLPBackpropClassifier`` or ``MLPBackpropRegressor`` shaped as
    ``fit`` makes one (see :func:`_check_estimator`), or a ``Pipeline`` of fitted
    scikit-learn transformers ending in one. No object may hold an instance
    attribute that hides a method or property of its class, and every ``BSpline``
    it holds must be one that SciPy's constructor accepts.
    """
    _check_bsplines(model, path)
    if not isinstance(model, Pipeline):
        estimator, holds = model, f"a {type(model).__name__}"
    else:
        _check_no_shadowing(model, path, "its Pipeline")
        try:
            *transformers, (_, estimator) = model.steps
            transformers = [(name, step) for name, step in transformers]
        except (AttributeError, TypeError, ValueError):
            raise ModelFileError(
                f"{path} holds a Pipeline whose steps are not (name, estimator) pairs."
            ) from None
        for name, step in transformers:
            shown = printable(repr(name))
            if not (
                isinstance(step, TransformerMixin)
                and type(step).__module__.startswith("sklearn.")
            ):
                raise ModelFileError(
                    f"{path} holds a Pipeline whose step {shown} is a "
                    f"{type(step).__name__}, not a scikit-learn transformer."
                )
            _check_no_shadowing(step, path, f"its step {shown}")
            try:
                check_is_fitted(step)
            except NotFittedError:
                raise ModelFileError(
                    f"{path} holds a Pipeline whose step {shown} is not fitted."
                ) from None
        holds = f"a Pipeline ending in a {type(estimator).__name__}"
    if not (type(estimator) in ESTIMATORS and hasattr(estimator, "coefs_")):
        raise ModelFileError(
            f"{path} holds {holds}, not a fitted MLPBackpropClassifier or "
            "MLPBackpropRegressor."
        )
    _check_estimator(estimator, path)


def _reachable(root):
    """Yield every object reachable from ``root``, once each.

    Through what skops rebuilds: containers, object arrays, instance attributes,
    ``functools.partial`` objects and bound methods.
    """
    seen, stack = set(), [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        yield obj
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        elif isinstance(obj, np.ndarray):
            if obj.dtype.kind == "O":
                stack.extend(obj.ravel().tolist())
        elif isinstance(obj, functools.partial):
            stack.extend([obj.func, obj.args, obj.keywords])
        elif isinstance(obj, types.MethodType):
            stack.extend([obj.__self__, obj.__func__])
        if not isinstance(obj, (type, types.FunctionType)) and hasattr(obj, "__dict__"):
            stack.extend(vars(obj).values())


def _same_value(loaded, made):
    """Whether an attribute of a loaded object is the one a constructor made."""
    if isinstance(made, np.ndarray):
        return (
            isinstance(loaded, np.ndarray)
            and (loaded.dtype, loaded.shape) == (made.dtype, made.shape)
            and loaded.flags.c_contiguous == made.flags.c_contiguous
            and np.array_equal(loaded, made)
        )
    if callable(made):
        return loaded is made
    if isinstance(made, Integral) and not isinstance(made, bool):
        return _is_int(loaded) and loaded == made
    return type(loaded) is type(made) and loaded == made


def _check_bsplines(model, path):
    """Refuse a ``BSpline`` anywhere in ``model`` that SciPy would not make.

    skops rebuilds a ``BSpline`` without its constructor's checks, and SciPy's
    compiled evaluation trusts its knots, coefficients and degree to agree: a
    crafted one reads memory beyond its arrays. Each must equal the ``BSpline``
    that the constructor makes of its knots, coefficients and degree (on axis 0,
    as ``SplineTransformer`` makes them), attribute for attribute.
    """
    for obj in _reachable(model):
        if not isinstance(obj, BSpline):
            continue
        try:
            made = BSpline(obj.t, obj.c, obj.k, extrapolate=obj.extrapolate)
        except Exception:  # whatever the constructor raises for bad arguments
            made = None
        loaded = vars(obj)
        if not (
            type(obj) is BSpline
            and made is not None
            and loaded.keys() == vars(made).keys()
            and all(
                _same_value(loaded[key], value) for key, value in vars(made).items()
            )
        ):
            raise ModelFileError(
                f"{path} is not a model file that sk-mlpbp reads: it holds a BSpline "
                "that SciPy's BSpline constructor does not make."
            )


def _check_no_shadowing(obj, path, what):
    """Refuse an instance attribute of ``obj`` named as a method or property.

    ``predict_proba`` set to ``np.negative`` in an instance's ``__dict__`` would be
    called instead of the method. Methods, properties and scikit-learn's
    ``available_if`` methods are all descriptors (they have ``__get__``) or
    callables, unlike the class's plain data.
    """
    for key in vars(obj):
        found = None
        if isinstance(key, str):
            found = inspect.getattr_static(type(obj), key, None)
        if not isinstance(key, str) or callable(found) or hasattr(found, "__get__"):
            raise ModelFileError(
                f"{path} is not a model file that sk-mlpbp reads: {what} has an "
                f"attribute {printable(repr(key))} that hides its class's."
            )


def fitted_attributes(estimator_type):
    """Return every attribute that ``fit`` or ``partial_fit`` may set on a model.

    Read from their declaration: the training state of
    :data:`sk_mlpbp._state.TRAINING_STATE` and the estimator class's
    ``_network_attributes``, ``_target_attributes`` and ``_optional_attributes``.

    Parameters
    ----------
    estimator_type : type
        ``MLPBackpropClassifier`` or ``MLPBackpropRegressor``.

    Returns
    -------
    attributes : frozenset of str
        Their names.
    """
    return frozenset(
        {
            *TRAINING_STATE,
            *estimator_type._network_attributes,
            *estimator_type._target_attributes,
            *estimator_type._optional_attributes,
        }
    )


def _is_int(value):
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))


def _classes_as_fit_makes(classes):
    """Whether ``classes`` is what ``fit`` makes of class labels.

    That is ``np.unique`` of labels that scikit-learn takes as classes: two or more,
    sorted and distinct, of ints, bools, whole finite floats, str (a NumPy str array
    or an object array of str), datetimes or timedeltas without NaT. Never bytes,
    which scikit-learn refuses as labels.
    """
    if not (
        isinstance(classes, np.ndarray) and classes.ndim == 1 and classes.shape[0] >= 2
    ):
        return False
    kind = classes.dtype.kind
    if kind == "O":
        made = all(isinstance(label, str) for label in classes)
    elif kind in "Mm":
        made = not np.isnat(classes).any()
    elif kind == "f":
        # Floats with a fraction are continuous targets, which fit refuses.
        made = np.isfinite(classes).all() and type_of_target(classes) != "continuous"
    else:
        made = kind in "biuU"
    return bool(made) and np.array_equal(np.unique(classes), classes)


def _check_estimator(estimator, path):
    """Raise a ModelFileError unless ``estimator`` is shaped as ``fit`` makes one.

    Its instance attributes are its parameters and those ``fit`` sets
    (:func:`fitted_attributes`), with all that prediction reads; its parameters are
    valid, and its weights are finite float arrays whose shapes chain from
    ``n_features_in_`` inputs through the hidden layers of ``hidden_layer_sizes``
    to its outputs. Its targets' attributes are then checked by
    :func:`_check_classifier_targets` or :func:`_check_regressor_targets`.
    """
    kind = ESTIMATORS[type(estimator)]

    def refuse(reason):
        raise ModelFileError(
            f"{path} is not a model file that sk-mlpbp reads: its {kind} {reason}."
        )

    _check_no_shadowing(estimator, path, f"its {kind}")
    attributes = vars(estimator)
    params = set(type(estimator)._get_param_names())
    unknown = sorted(set(attributes) - params - fitted_attributes(type(estimator)))
    if unknown:
        refuse(f"has an attribute {printable(repr(unknown[0]))} that fit never sets")
    required = REQUIRED_ATTRIBUTES | set(type(estimator)._target_attributes)
    missing = sorted((required | params) - set(attributes))
    if missing:
        refuse(f"lacks the attribute {printable(repr(missing[0]))}")
    try:
        estimator._validate_params()
    except (ValueError, TypeError) as error:
        refuse(f"has an invalid parameter ({printable(str(error))})")
    coefs, intercepts = attributes["coefs_"], attributes["intercepts_"]
    if not (
        isinstance(coefs, list)
        and isinstance(intercepts, list)
        and len(coefs) == len(intercepts) >= 1
        and all(
            isinstance(W, np.ndarray) and W.dtype in (np.float32, np.float64)
            for W in coefs + intercepts
        )
    ):
        refuse("weights are not lists of float arrays, one a layer")
    units = [coefs[0].shape[0] if coefs[0].ndim == 2 else -1]
    for W, b in zip(coefs, intercepts):
        if not (W.ndim == 2 and W.shape[0] == units[-1] and b.shape == W.shape[1:]):
            refuse("weights' shapes do not chain from layer to layer")
        units.append(W.shape[1])
    try:
        hidden = estimator._validate_hidden_layer_sizes()
    except (ValueError, TypeError) as error:
        refuse(f"has an invalid parameter ({printable(str(error))})")
    if units[1:-1] != hidden:
        refuse(
            f"weights make hidden layers of {units[1:-1]} units, not the "
            f"{hidden} of its hidden_layer_sizes"
        )
    if not all(np.isfinite(W).all() for W in coefs + intercepts):
        refuse("weights are not all finite")
    for name, value, expected in [
        ("n_features_in_", attributes["n_features_in_"], units[0]),
        ("n_layers_", attributes["n_layers_"], len(coefs) + 1),
    ]:
        if not _is_int(value) or value != expected:
            refuse(f"{name} is not {expected}, as its weights make it")
    names = attributes.get("feature_names_in_")
    if names is not None and not (
        isinstance(names, np.ndarray)
        and names.shape == (units[0],)
        and all(isinstance(name, str) for name in names)
    ):
        refuse("feature_names_in_ are not one name per input")
    if kind == "classifier":
        _check_classifier_targets(attributes, units[-1], path, refuse)
    else:
        _check_regressor_targets(attributes, units[-1], path, refuse)


def _check_classifier_targets(attributes, n_units, path, refuse):
    """Refuse a classifier whose classes are not what ``fit`` makes of labels.

    Its ``n_outputs_`` and output units are 1 for two classes, else one per class,
    and it is not a multilabel model, which the command line does not take.
    """
    classes, multilabel = attributes["classes_"], attributes["_multilabel"]
    if not _classes_as_fit_makes(classes):
        refuse(
            "classes_ is not what fit makes of class labels: two or more distinct "
            "classes, sorted, of ints, bools, whole floats, str, datetimes or "
            "timedeltas"
        )
    if not isinstance(multilabel, (bool, np.bool_)):
        refuse("_multilabel is not True or False")
    n_outputs = 1 if classes.shape[0] == 2 and not multilabel else classes.shape[0]
    value = attributes["n_outputs_"]
    if not _is_int(value) or value != n_outputs:
        refuse(f"n_outputs_ is not {n_outputs}, as its weights and classes make it")
    if n_units != n_outputs:
        refuse(f"has {n_units} outputs for {classes.shape[0]} classes")
    if multilabel:
        raise ModelFileError(
            f"{path} holds a multilabel model (fitted on a label indicator matrix), "
            "which the command line does not take: use it from Python."
        )


def _check_regressor_targets(attributes, n_units, path, refuse):
    """Refuse a regressor whose targets' scaling ``fit`` could not have made.

    ``n_outputs_`` is its number of output units, and ``target_offset_`` and
    ``target_scale_`` are float64 arrays of one finite value per output, the
    scales positive. A regressor of several target columns is refused: the
    command line takes one target column.
    """
    value = attributes["n_outputs_"]
    if not _is_int(value) or value != n_units:
        refuse(f"n_outputs_ is not {n_units}, as its weights make it")
    for name in MLPBackpropRegressor._target_attributes:
        array = attributes[name]
        if not (
            isinstance(array, np.ndarray)
            and array.dtype == np.float64
            and array.shape == (n_units,)
        ):
            refuse(f"{name} is not a float64 array of one value per output ({n_units})")
    if not np.isfinite(attributes["target_offset_"]).all():
        refuse("target_offset_ is not all finite")
    scale = attributes["target_scale_"]
    # Written as a comparison that NaN fails.
    if not (np.isfinite(scale).all() and (scale > 0).all()):
        refuse("target_scale_ is not all positive and finite")
    if n_units != 1:
        raise ModelFileError(
            f"{path} holds a regressor of {n_units} outputs (fitted on {n_units} "
            "target columns), which the command line does not take: it takes one "
            "target column; use it from Python."
        )
