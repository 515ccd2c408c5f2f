"""Fixtures shared by the test modules (plain helpers are in tests/_helpers.py)."""

import warnings

import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import MLPBackpropClassifier
from tests._helpers import three_classes as make_three_classes


@pytest.fixture
def named_classes():
    """60 rows of 4 features in three classes named "a", "b" and "c"."""
    return make_three_classes(60, 4, labels=["a", "b", "c"])


@pytest.fixture(scope="module")
def three_classes():
    """90 rows of 5 features in three classes 0, 1 and 2."""
    return make_three_classes(90, 5)


@pytest.fixture(scope="module")
def fitted_model(three_classes):
    """Return a network of two hidden layers trained 20 epochs on ``three_classes``."""
    X, y = three_classes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MLPBackpropClassifier((6, 4), max_iter=20, random_state=0).fit(X, y)


@pytest.fixture
def digits():
    """Standardised digits split 70/30, stratified: X, X_test, y, y_test."""
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
