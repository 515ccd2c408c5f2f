"""Warnings of sk_mlpbp."""


class InconsistentVersionWarning(UserWarning):
    """A model saved by another version of sk_mlpbp was loaded.

    Raised by ``pickle.load``, ``joblib.load`` and ``skops.io.load`` alike, as
    scikit-learn's warning of the same name is for scikit-learn's own estimators.

    Parameters
    ----------
    estimator_name : str
        Name of the loaded estimator's class.

    current_version : str
        The sk_mlpbp version doing the loading.

    original_version : str
        The sk_mlpbp version that saved the model (``"unknown"`` for models saved
        before versions were recorded).
    """

    def __init__(self, *, estimator_name, current_version, original_version):
        self.estimator_name = estimator_name
        self.current_version = current_version
        self.original_version = original_version

    def __str__(self):
        """Return the warning's message: which versions, and what to do."""
        return (
            f"This {self.estimator_name} was saved by sk_mlpbp "
            f"{self.original_version} and is loaded by sk_mlpbp "
            f"{self.current_version}: it may fail or predict differently. Refit it "
            f"with this version, or load it with sk_mlpbp {self.original_version}."
        )


class SaturationWarning(UserWarning):
    """The inputs are too far from standardised for logistic units to learn well.

    ``fit`` and ``partial_fit`` warn before training when most of the inputs' mean
    square is a constant offset, or when their columns' scales differ by a large
    factor: logistic units then saturate on the largest inputs and learn little from
    the rest. Put a :class:`sklearn.preprocessing.StandardScaler` before the
    classifier.
    """
