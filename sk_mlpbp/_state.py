"""The training state of an estimator, declared once.

Every attribute that training writes is declared in :data:`TRAINING_STATE`, with the
value a new model starts from, how it changes and how long it lives. The functions
here read an estimator's attributes and say what to set; the estimator sets them:
:func:`started` starts or continues the state at the beginning of a ``fit`` or
``partial_fit`` call (whose :class:`FitMode` is decided once), and :func:`snapshot`
and :func:`restored` return a model to its last completed epoch when an epoch fails
or is interrupted. A new attribute declared here is covered by all three.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StateField:
    """How one training attribute starts, changes and lives.

    Parameters
    ----------
    start : object
        The value of a new model, or a callable making it (``list``); None for
        attributes that initialisation sets (the weights, the velocities, the rates).

    kind : {"value", "curve", "arrays"}
        ``"value"`` is replaced whole when it changes; ``"curve"`` is a list that
        only grows during training (or None); ``"arrays"`` is a list of arrays trained
        in place (or None).

    scope : {"model", "fit", "set"}
        ``"model"`` attributes are kept by warm starts and ``partial_fit``; ``"fit"``
        ones restart with every ``fit`` (the stopping rule's and the best epoch's);
        ``"set"`` ones are set by the initialisation of the weights and the
        optimizer, not by :func:`started`.
    """

    start: object
    kind: str
    scope: str


#: Every attribute that training writes.
TRAINING_STATE = {
    # The network, its momentum velocities and its current rates.
    "coefs_": StateField(None, "arrays", "set"),
    "intercepts_": StateField(None, "arrays", "set"),
    "_velocities": StateField(None, "arrays", "set"),
    "_current_learning_rates": StateField(None, "value", "set"),
    # Counters and curves.
    "n_iter_": StateField(0, "value", "model"),
    "t_": StateField(0, "value", "model"),
    "loss_curve_": StateField(list, "curve", "model"),
    "best_loss_": StateField(np.inf, "value", "model"),
    "validation_scores_": StateField(None, "curve", "model"),
    "validation_loss_curve_": StateField(None, "curve", "model"),
    # The best epoch of this fit: each fit (a warm start too) starts its own
    # record, so that a fit on new data is judged on its own epochs.
    "best_validation_score_": StateField(None, "value", "fit"),
    "_best_validation_loss": StateField(np.inf, "value", "fit"),
    # The weights of the best validation epoch, which the model returns to.
    "_best_coefs": StateField(None, "value", "fit"),
    "_best_intercepts": StateField(None, "value", "fit"),
    # The stopping rule's: the epochs of this fit, the best smoothed loss watched.
    "_fit_epochs": StateField(0, "value", "fit"),
    "_best_smoothed_loss": StateField(np.inf, "value", "fit"),
    "_no_improvement_count": StateField(0, "value", "fit"),
}

#: The validation curves, None when a call has no validation data.
VALIDATION_CURVES = ("validation_scores_", "validation_loss_curve_")


@dataclass(frozen=True)
class FitMode:
    """What a ``fit`` or ``partial_fit`` call continues of the current model.

    Decided once, at the start of the call, by :meth:`of`.

    Parameters
    ----------
    partial : bool
        Whether the call is a ``partial_fit``: one epoch, no hold-out, and the
        ``"fit"`` state, the LRs and their schedule carry on once the model has
        started.

    continuing : bool
        Whether the call starts from the current weights (a warm start, a later
        ``partial_fit``, or weights a user assigned) and keeps the ``"model"``
        state; otherwise it draws a new network.
    """

    partial: bool
    continuing: bool

    @classmethod
    def of(cls, estimator, partial):
        """Return the mode of a ``fit`` (``partial=False``) or ``partial_fit`` call.

        Parameters
        ----------
        estimator : MLPBackpropClassifier or MLPBackpropRegressor
            The estimator about to train.

        partial : bool
            Whether the call is a ``partial_fit``.

        Returns
        -------
        mode : FitMode
            The call's mode.
        """
        continuing = hasattr(estimator, "coefs_") and (partial or estimator.warm_start)
        return cls(partial, continuing)


def started(attributes, mode, validating):
    """Return the attributes a ``fit`` or ``partial_fit`` call starts with.

    Parameters
    ----------
    attributes : dict
        The estimator's attributes (``vars(estimator)``), read only.

    mode : FitMode
        What the call continues: a continuing call keeps the ``"model"`` state, and
        a ``partial_fit`` the ``"fit"`` state too once the model has started.

    validating : bool
        Whether the call has validation data; without, the validation curves and
        score are None.

    Returns
    -------
    changes : dict
        The attributes to set, by name; the estimator sets them.
    """
    fresh = not mode.continuing or "loss_curve_" not in attributes
    changes = {}
    for name, field in TRAINING_STATE.items():
        if (
            (field.scope == "model" and fresh)
            or (field.scope == "fit" and (fresh or not mode.partial))
            # A model saved before the attribute was declared starts it afresh.
            or (field.scope != "set" and name not in attributes)
        ):
            changes[name] = field.start() if callable(field.start) else field.start
    for name in VALIDATION_CURVES:
        curve = changes.get(name, attributes.get(name))
        if not validating:
            changes[name] = None
        elif curve is None:
            changes[name] = []
    if not validating:
        changes["best_validation_score_"] = None
    return changes


def snapshot(attributes):
    """Record the training state, to return to with :func:`restored`.

    Parameters
    ----------
    attributes : dict
        The estimator's attributes (``vars(estimator)``) between two epochs, read
        only.

    Returns
    -------
    saved : dict
        A copy of the arrays trained in place, the lengths of the curves and the
        other values.
    """
    saved = {}
    for name, field in TRAINING_STATE.items():
        value = attributes.get(name)
        if value is not None and field.kind == "arrays":
            value = [array.copy() for array in value]
        elif value is not None and field.kind == "curve":
            value = len(value)
        saved[name] = value
    return saved


def restored(attributes, saved):
    """Return the training state to a :func:`snapshot`.

    The arrays trained in place get their saved values back in place (the
    optimizer and the epoch hold them) and the curves are cut back to their saved
    lengths; the rest comes back as values to set.

    Parameters
    ----------
    attributes : dict
        The estimator's attributes (``vars(estimator)``).

    saved : dict
        What :func:`snapshot` returned.

    Returns
    -------
    changes : dict
        The attributes to set, by name; the estimator sets them.
    """
    changes = {}
    for name, field in TRAINING_STATE.items():
        value = attributes.get(name)
        if value is None or saved[name] is None or field.kind == "value":
            changes[name] = saved[name]
        elif field.kind == "arrays":
            for array, copy in zip(value, saved[name]):
                np.copyto(array, copy)
        else:
            del value[saved[name] :]
    return changes
