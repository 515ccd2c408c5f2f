"""Inputs in other units: the default estimator learns the same model.

Multiplying every input by a constant changes the curvature of the error along the
first layer's weights by the constant squared and leaves its biases' alone; the
"auto" rates follow both (``learning_rates_`` and ``intercept_learning_rates_``) and
the "data" weights start at the inputs' scale, so the whole fit is the same up to the
constant. The article's configuration (one float LR) has no such calibration.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_circles, make_moons

from sk_mlpbp import MLPBackpropClassifier
from sk_mlpbp.exceptions import SaturationWarning
from tests._helpers import ignore_convergence


def fitted(X, y, **params):
    params = {"random_state": 0, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("error", SaturationWarning)
        return MLPBackpropClassifier(**params).fit(X, y)


@ignore_convergence
@pytest.mark.parametrize("exponent", [-20, -7, 7, 13])
def test_inputs_times_a_power_of_two_train_exactly_the_same_model(exponent):
    # A power of two scales without rounding: every product, the rates and the
    # stopping rule come out the same, so the first weights are the same divided
    # by the factor, to the last bit. 600 rows: early stopping holds 60 out.
    X, y = make_moons(600, noise=0.2, random_state=1)
    factor = 2.0**exponent
    base, scaled = fitted(X, y), fitted(X * factor, y)
    assert scaled.n_iter_ == base.n_iter_
    assert_array_equal(scaled.coefs_[0] * factor, base.coefs_[0])
    assert_array_equal(scaled.coefs_[1], base.coefs_[1])
    assert_array_equal(scaled.intercepts_[0], base.intercepts_[0])
    assert_array_equal(scaled.predict_proba(X * factor), base.predict_proba(X))
    assert_allclose(scaled.learning_rates_[0] * factor**2, base.learning_rates_[0])
    assert scaled.intercept_learning_rates_ == base.intercept_learning_rates_


@ignore_convergence
@pytest.mark.parametrize("factor", [1e-4, 1e-2, 1e2, 1e4])
@pytest.mark.parametrize(
    "make",
    [
        lambda: make_moons(600, noise=0.2, random_state=1),
        lambda: make_circles(400, noise=0.05, factor=0.5, random_state=0),
    ],
    ids=["moons", "circles"],
)
def test_inputs_in_other_units_score_as_the_original(make, factor):
    # Before: moons x0.01 0.83-0.87 and x100 0.86-0.89 against 0.96-0.98; circles
    # x0.01 and x100 down to 0.50 (chance), with no warning.
    X, y = make()
    for seed in range(3):
        base = fitted(X, y, random_state=seed).score(X, y)
        scaled = fitted(X * factor, y, random_state=seed).score(X * factor, y)
        assert abs(scaled - base) <= 0.01


def test_the_biases_get_their_own_rate_only_with_auto():
    X, y = make_moons(100, noise=0.2, random_state=0)
    auto = fitted(X * 100, y, max_iter=1)
    assert auto.intercept_learning_rates_[0] > 1e3 * auto.learning_rates_[0]
    given = fitted(X * 100, y, max_iter=1, learning_rate=[0.5, 0.25])
    assert given.intercept_learning_rates_ == given.learning_rates_ == [0.5, 0.25]


@pytest.mark.parametrize("n_columns", [2, 5])
def test_a_column_on_a_far_scale_warns_even_beside_one_other(n_columns):
    # Age in years beside income in dollars: before, two columns could never warn
    # (each column's spread was compared with their mean).
    X, y = make_moons(300, noise=0.2, random_state=0)
    X = np.column_stack([X, np.random.RandomState(0).normal(size=(300, 3))])
    X = X[:, :n_columns] - X[:, :n_columns].mean(axis=0)
    X[:, 1] *= 2000.0
    with pytest.warns(SaturationWarning, match="column 1 is .* times the median"):
        MLPBackpropClassifier((4,), max_iter=1).fit(X, y)


def test_a_first_chunk_of_a_few_rows_is_not_judged_unscaled():
    # One row is all offset: a first partial_fit on one sample (the article's first
    # step from assigned weights) cannot tell whether the inputs are standardised.
    X, y = make_moons(300, noise=0.2, random_state=0)
    X = X + 5.0  # far from standardised, judged so on many rows
    with warnings.catch_warnings():
        warnings.simplefilter("error", SaturationWarning)
        MLPBackpropClassifier((4,), learning_rate=0.5).partial_fit(
            X[:1], y[:1], classes=[0, 1]
        )
    with pytest.warns(SaturationWarning, match="constant offset"):
        MLPBackpropClassifier((4,), learning_rate=0.5).partial_fit(
            X[:10], y[:10], classes=[0, 1]
        )
