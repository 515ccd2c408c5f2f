"""Sample and class weights.

A step is the weighted mean of its samples' gradients, integer weights act as repeated
rows, and class weights as the same sample weights.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import recall_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import MLPBackpropClassifier, make_article_data
from sk_mlpbp.exceptions import SaturationWarning
from tests._helpers import (
    assert_matches_reference,
    assert_same_model,
    assert_weights_close,
    ignore_convergence,
    random_problem,
    warm_started,
)
from tests._reference import minibatch_reference, random_network, targets


@ignore_convergence
def test_weighted_batches_with_a_zero_weight_batch_match_the_reference():
    rng, X, y = random_problem()
    weights = rng.uniform(0.2, 3.0, size=X.shape[0])
    weights[5:10] = 0.0  # the second batch of 5 makes no step
    coefs, intercepts = random_network(rng, [4, 4, 3])
    reference = minibatch_reference(
        X, targets(y, 3), coefs, intercepts, LR=1.0, batch_size=5, epochs=2,
        sample_weight=weights, momentum=0.5,
    )  # fmt: skip
    clf = MLPBackpropClassifier(
        (4,), learning_rate=1.0, batch_size=5, max_iter=2, momentum=0.5,
        nesterovs_momentum=False,
    )  # fmt: skip
    warm_started(clf, coefs, intercepts).fit(X, y, sample_weight=weights)
    assert_matches_reference(clf, reference)


@ignore_convergence
def test_integer_weights_in_full_batch_equal_repeated_rows():
    rng, X, y = random_problem(n_samples=12)
    weights = rng.randint(0, 4, size=12)
    weights[:3] = [1, 2, 3]
    kwargs = dict(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
    weighted = MLPBackpropClassifier(batch_size=12, **kwargs)
    weighted.fit(X, y, sample_weight=weights)
    n_repeated = int(weights.sum())
    repeated = MLPBackpropClassifier(batch_size=n_repeated, **kwargs)
    repeated.fit(np.repeat(X, weights, axis=0), np.repeat(y, weights))
    assert_weights_close(weighted, repeated, rtol=1e-10, atol=1e-12)
    assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-10)


@ignore_convergence
def test_class_weight_dict_equals_the_same_sample_weight():
    rng, X, y = random_problem()
    class_weight = {0: 0.5, 1: 2.0, 2: 3.0}
    kwargs = dict(hidden_layer_sizes=(4,), batch_size=5, max_iter=5, random_state=0)
    by_class = MLPBackpropClassifier(class_weight=class_weight, **kwargs).fit(X, y)
    by_sample = MLPBackpropClassifier(**kwargs).fit(
        X, y, sample_weight=np.array([class_weight[label] for label in y])
    )
    for W, V in zip(by_class.coefs_, by_sample.coefs_):
        assert_allclose(W, V, rtol=1e-12)


def test_balanced_class_weight_raises_minority_recall():
    rng = np.random.RandomState(0)
    n_major, n_minor = 950, 50
    X = np.vstack(
        [rng.normal(0.0, 1.0, (n_major, 2)), rng.normal(1.5, 1.0, (n_minor, 2))]
    )
    y = np.r_[np.zeros(n_major, int), np.ones(n_minor, int)]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    # Both on the training loss: a validation split would stop the plain model at
    # a different point.
    kwargs = dict(hidden_layer_sizes=(8,), early_stopping=False, random_state=0)
    plain = MLPBackpropClassifier(**kwargs).fit(X_train, y_train)
    balanced = MLPBackpropClassifier(class_weight="balanced", **kwargs)
    balanced.fit(X_train, y_train)
    plain_recall = recall_score(y_test, plain.predict(X_test))
    balanced_recall = recall_score(y_test, balanced.predict(X_test))
    assert balanced_recall >= plain_recall + 0.3


@ignore_convergence
def test_online_mode_warns_that_weights_only_count_when_zero():
    X, y = make_article_data(20, random_state=0)
    clf = MLPBackpropClassifier((3,), batch_size=1, max_iter=2, random_state=0)
    with pytest.warns(UserWarning, match="batch_size=1"):
        clf.fit(X, y, sample_weight=np.linspace(1, 2, 20))


@ignore_convergence
def test_a_batch_of_tiny_weights_steps_by_its_weights_ratios_even_at_a_huge_rate():
    # A step is the batch's weighted mean, so batches whose weights are all alike
    # step as unweighted ones, however small the weights and large LR: each
    # sample's share of its batch is taken before LR multiplies it.
    X, y = make_article_data(40, random_state=0)
    weights = np.r_[np.ones(20), np.full(20, 1e-305)]
    params = dict(
        hidden_layer_sizes=(4,),
        learning_rate=1e5,
        batch_size=10,
        shuffle=False,
        max_iter=3,
        weight_init="uniform",
        random_state=0,
    )
    weighted = MLPBackpropClassifier(**params).fit(X, y, sample_weight=weights)
    unweighted = MLPBackpropClassifier(**params).fit(X, y)
    assert_same_model(weighted, unweighted)


# -- skewed weights ------------------------------------------------------------


def test_an_outlier_weight_does_not_shrink_training_to_a_few_steps():
    # All ones but one weight of 1e4: the weights' design effect (about 1,800) used
    # to grow "auto" batches to every row, one step an epoch, and the model fell to
    # 0.73-0.85 where batches of 32 reach 0.95.
    X, y = make_classification(4000, 20, n_informative=10, random_state=0)
    X = StandardScaler().fit_transform(X)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    weights = np.ones(len(y_train))
    weights[0] = 1e4
    scores = {}
    for batch_size in ("auto", 32):
        clf = MLPBackpropClassifier(batch_size=batch_size, random_state=0)
        clf.fit(X_train, y_train, sample_weight=weights)
        scores[batch_size] = clf.score(X_test, y_test)
    assert scores["auto"] >= scores[32] - 0.03


def test_weighted_rows_of_standardised_inputs_do_not_warn_of_saturation():
    # The weights decide how much each row counts in the error, not whether the
    # inputs are on a good scale: one heavy row used to make standardised inputs
    # look like "a constant offset".
    rng = np.random.RandomState(0)
    X = rng.normal(size=(500, 5))
    y = (X[:, 0] > 0).astype(int)
    weights = np.ones(500)
    weights[np.argmax(np.abs(X).sum(axis=1))] = 1e4
    with warnings.catch_warnings():
        warnings.simplefilter("error", SaturationWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPBackpropClassifier((4,), max_iter=2).fit(X, y, sample_weight=weights)
