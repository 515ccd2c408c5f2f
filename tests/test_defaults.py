"""The default estimator trains well on the kinds of data people bring.

Small, fast members of each kind of problem in ``benchmarks/suite.py``: standardised
tables, data on their own natural scale (the plateau problems: XOR, circles, a band
on one feature), text, many classes, multilabel and imbalanced targets. Unscaled
tables either train or raise a SaturationWarning; standardised tables also reach
cross-validated accuracy bars. The bounds sit below what the defaults reach here and
well above chance; the defaults before the calibrated start (one LR for every layer,
batches of 200, stopping on the plateau) failed the plateau and text bounds.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_circles,
    make_classification,
    make_moons,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import MLPBackpropClassifier
from sk_mlpbp.exceptions import SaturationWarning


def held_out_score(model, X, y, metric=None, seed=0):
    """Fit ``model`` on 2/3 of ``(X, y)`` and return its score on the other third."""
    stratify = None if np.ndim(y) == 2 else y
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=1 / 3, stratify=stratify, random_state=seed
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", SaturationWarning)
        model.fit(X_train, y_train)
    if metric is None:
        return model.score(X_test, y_test)
    return metric(y_test, model.predict(X_test))


def xor(n_samples=600, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, (n_samples, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def band(n_samples=600, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1.5, 1.5, (n_samples, 1))
    return X, (np.abs(X[:, 0]) < 0.5).astype(int)


def topics(n_docs=300, n_topics=3, seed=0):
    """Documents drawing most words from a vocabulary all topics share."""
    rng = np.random.RandomState(seed)
    shared = [f"w{i}" for i in range(300)]
    own = [[f"t{k}w{i}" for i in range(60)] for k in range(n_topics)]
    docs, y = [], np.arange(n_docs) % n_topics
    for k in y:
        n_words = rng.randint(15, 40)
        n_own = rng.binomial(n_words, 0.2)
        words = [*rng.choice(shared, n_words - n_own), *rng.choice(own[k], n_own)]
        docs.append(" ".join(words))
    return docs, y


def scaled(**params):
    return make_pipeline(StandardScaler(), MLPBackpropClassifier(**params))


@pytest.mark.parametrize(
    "load, bound",
    [(load_iris, 0.9), (load_wine, 0.93), (load_breast_cancer, 0.94)],
    ids=["iris", "wine", "breast_cancer"],
)
def test_standardised_tables(load, bound):
    X, y = load(return_X_y=True)
    assert held_out_score(scaled(random_state=0), X, y) >= bound


@pytest.mark.parametrize(
    "load, bar",
    [
        (load_iris, 0.95),
        (load_wine, 0.97),
        (load_breast_cancer, 0.965),
        (load_digits, 0.97),
    ],
    ids=["iris", "wine", "breast_cancer", "digits"],
)
def test_default_parameters_reach_the_accuracy_bar(load, bar):
    X, y = load(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPBackpropClassifier(random_state=0))
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    assert cross_val_score(pipe, X, y, cv=cv).mean() >= bar


@pytest.mark.parametrize(
    "make, bound",
    [
        (xor, 0.9),
        (band, 0.9),
        (lambda: make_circles(600, factor=0.5, noise=0.1, random_state=0), 0.9),
        (lambda: make_moons(600, noise=0.2, random_state=0), 0.93),
    ],
    ids=["xor", "band", "circles", "moons"],
)
def test_problems_that_start_on_a_plateau(make, bound):
    # The sum-of-squares error first settles on the best constant output (or, for
    # moons, a nearly linear boundary) for many epochs before it drops.
    X, y = make()
    assert held_out_score(MLPBackpropClassifier(random_state=0), X, y) >= bound


def test_text_in_a_tfidf_pipeline():
    docs, y = topics()
    model = make_pipeline(TfidfVectorizer(), MLPBackpropClassifier(random_state=0))
    assert held_out_score(model, np.array(docs, dtype=object), y) >= 0.9


def test_many_classes():
    X, y = make_classification(
        1000, 20, n_informative=10, n_classes=10, n_clusters_per_class=1,
        random_state=0,
    )  # fmt: skip
    assert held_out_score(scaled(random_state=0), X, y) >= 0.6


def test_multilabel_subset_accuracy():
    X, y = make_multilabel_classification(600, 10, n_classes=3, random_state=0)
    # Chance, predicting the most frequent label set, is 0.25 here.
    assert held_out_score(scaled(random_state=0), X, y) >= 0.5


def test_balanced_class_weight_gives_the_same_minority_recall_for_every_seed():
    # Two overlapping Gaussians, 95/5; weighting the classes equally, the best
    # boundary has a minority recall of about 0.85 (21 of the 25 test samples). A
    # noisy weighted loss used to stop training at random points, with recalls from
    # 0.72 to 0.96 by seed.
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0.0, 1.0, (950, 2)), rng.normal(1.5, 1.0, (50, 2))])
    y = np.r_[np.zeros(950, int), np.ones(50, int)]
    recalls = [
        held_out_score(
            MLPBackpropClassifier((8,), class_weight="balanced", random_state=seed),
            X,
            y,
            recall_score,
            seed=1,
        )
        for seed in range(5)
    ]
    assert min(recalls) >= 0.76
    assert max(recalls) <= 0.92


def test_balanced_class_weight_on_a_95_5_table():
    scores = {"balanced": [], None: []}
    for seed in range(3):
        X, y = make_classification(
            1000, 10, n_informative=5, weights=[0.95], flip_y=0, random_state=seed
        )
        for class_weight, values in scores.items():
            model = scaled(class_weight=class_weight, random_state=seed)
            values.append(held_out_score(model, X, y, balanced_accuracy_score))
    assert np.mean(scores["balanced"]) >= max(0.8, np.mean(scores[None]))


def test_digits_on_their_own_pixel_scale_train_without_a_warning():
    X, y = load_digits(return_X_y=True)
    assert held_out_score(MLPBackpropClassifier(random_state=0), X, y) >= 0.95


@pytest.mark.parametrize(
    "load, problem",
    [
        (load_iris, "constant offset"),
        (load_wine, "constant offset"),
        (load_breast_cancer, "times the median of the other columns'"),
    ],
    ids=["iris", "wine", "breast_cancer"],
)
def test_unscaled_tables_warn_that_the_inputs_saturate(load, problem):
    X, y = load(return_X_y=True)
    clf = MLPBackpropClassifier(max_iter=5, random_state=0)
    with pytest.warns(SaturationWarning, match=f"{problem}.*StandardScaler"):
        clf.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SaturationWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        make_pipeline(StandardScaler(), clf).fit(X, y)


def test_a_model_still_near_a_constant_output_is_reported():
    # Labels that have nothing to do with the inputs: no model beats the constant.
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(2000, 2)), rng.randint(0, 2, 2000)
    with pytest.warns(ConvergenceWarning, match="close to a constant output"):
        MLPBackpropClassifier((5,), max_iter=20, random_state=0).fit(X, y)


def test_weights_start_at_the_scale_of_the_data():
    # Every unit's S_preA starts with a root mean square of about 1 on the training
    # rows, whatever the scale of X, from the same draws scaled.
    X, y = make_moons(300, noise=0.2, random_state=0)
    first_layers = {}
    for scale in (1e-3, 1.0, 1e3):
        clf = MLPBackpropClassifier(max_iter=1, learning_rate=1e-300, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X * scale, y)  # the weights do not move: they are the start
        S_preA = X * scale @ clf.coefs_[0]
        assert 0.8 < np.sqrt(np.mean(S_preA**2)) < 1.2
        first_layers[scale] = clf.coefs_[0] * scale
    for W in first_layers.values():
        assert_allclose(W, first_layers[1.0], rtol=1e-12)


def test_auto_learning_rates_are_the_inverse_curvature_of_each_layer():
    # An independent computation of the calibration: the largest eigenvalue lambda
    # of each layer's inputs' second moment, times the largest mean squared gain
    # from the layer's units to the outputs, for the weights; the gain alone for the
    # biases (their input is 1); both times kappa, the largest eigenvalue of the
    # second moment of [x / sqrt(lambda), 1], as weights and biases share the step.
    X, y = make_moons(200, noise=0.2, random_state=0)
    X = X + [3.0, 0.0]  # an offset: kappa is well above 1 for the inputs too
    clf = MLPBackpropClassifier((7,), max_iter=1, learning_rate=1e-300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)  # the weights do not move: they are the start
    auto = MLPBackpropClassifier((7,), max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        auto.fit(X, y)
    (W1, W2), (b1, b2) = clf.coefs_, clf.intercepts_
    hidden = 1 / (1 + np.exp(-(X @ W1 + b1)))
    output = 1 / (1 + np.exp(-(hidden @ W2 + b2)))
    gain_O = np.mean((output * (1 - output)) ** 2, axis=0)
    gain_H = np.mean((hidden * (1 - hidden)) ** 2, axis=0) * (W2**2 @ gain_O)
    coef_curvatures, intercept_curvatures = [], []
    for inputs, gain in [(X, gain_H), (hidden, gain_O)]:
        lam = np.linalg.eigvalsh(inputs.T @ inputs / len(inputs)).max()
        A = np.hstack([inputs / np.sqrt(lam), np.ones((len(inputs), 1))])
        kappa = np.linalg.eigvalsh(A.T @ A / len(A)).max()
        assert 1 < kappa <= 2
        coef_curvatures.append(kappa * lam * gain.max())
        intercept_curvatures.append(kappa * gain.max())
    coef_curvatures[0] *= 16  # the hidden layer is set for 16 times its curvature
    intercept_curvatures[0] *= 16
    assert_allclose(auto.learning_rates_, 1 / np.array(coef_curvatures), rtol=1e-6)
    assert_allclose(
        auto.intercept_learning_rates_, 1 / np.array(intercept_curvatures), rtol=1e-6
    )


def test_noisy_labels_and_multilabel_targets_are_not_memorised():
    # 40% of the labels flipped at random, and make_multilabel_classification's
    # label sets: trained to convergence the network memorises the training rows;
    # early_stopping="auto" keeps the epoch of the lowest validation loss. Training
    # to convergence (early_stopping=False) scores 0.668 and 0.378 here.
    noisy, multilabel = [], []
    for seed in range(3):
        X, y = make_classification(
            1200, 20, n_informative=8, flip_y=0.4, random_state=seed
        )
        noisy.append(held_out_score(scaled(random_state=0), X, y))
        X, y = make_multilabel_classification(900, 20, n_classes=5, random_state=seed)
        multilabel.append(held_out_score(scaled(random_state=0), X, y))
    assert np.mean(noisy) >= 0.69
    assert np.mean(multilabel) >= 0.42


@pytest.mark.parametrize(
    "n_samples, params, holds_out",
    [
        (600, {}, True),
        (450, {}, False),  # 45 validation samples: too few
        (600, {"max_iter": 10}, False),  # the rule could never stop before max_iter
        (600, {"early_stopping": False}, False),
    ],
)
def test_auto_early_stopping_holds_out_data_when_there_are_enough(
    n_samples, params, holds_out
):
    X, y = make_moons(n_samples, noise=0.2, random_state=0)
    clf = MLPBackpropClassifier((8,), random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert (clf.validation_loss_curve_ is not None) == holds_out


def test_auto_early_stopping_counts_weighted_samples_by_their_design_effect():
    # 95/5 classes balanced by class_weight: the weights' design effect is 5.3, so
    # 1,000 samples' hold-out of 100 counts as 19 samples, too few.
    X, y = make_classification(1000, 5, weights=[0.95], random_state=0)
    clf = MLPBackpropClassifier((8,), class_weight="balanced", random_state=0)
    assert clf.fit(X, y).validation_loss_curve_ is None
    assert clf.set_params(class_weight=None).fit(X, y).validation_loss_curve_


def test_auto_early_stopping_keeps_the_epoch_of_the_lowest_validation_loss():
    X, y = make_moons(400, noise=0.3, random_state=0)
    X_val, y_val = make_moons(100, noise=0.3, random_state=1)
    clf = MLPBackpropClassifier((50,), random_state=3)
    clf.fit(X, y, X_val=X_val, y_val=y_val)
    a = clf.predict_proba(X_val)[:, 1]
    assert_allclose(
        np.mean(0.5 * (a - y_val) ** 2), min(clf.validation_loss_curve_), rtol=1e-12
    )
    assert clf.n_iter_ > np.argmin(clf.validation_loss_curve_) + 1


# -- many classes, and labels that never vary ----------------------------------


def test_the_defaults_fit_100_classes_of_6_rows():
    # The "auto" hold-out of 60 rows cannot hold 100 classes: it used to raise.
    X, y = make_classification(
        600, 20, n_informative=15, n_classes=100, n_clusters_per_class=1,
        flip_y=0, class_sep=2, random_state=0,
    )  # fmt: skip
    assert (np.bincount(y) == 6).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPBackpropClassifier(max_iter=50, random_state=0).fit(X, y)
    assert clf.validation_loss_curve_ is None
    assert clf.score(X, y) > 0.05  # five times chance after 50 epochs


def test_auto_early_stopping_falls_back_when_a_class_cannot_be_held_out(capsys):
    # One sample of class 2 among 1,000: a stratified hold-out cannot both keep and
    # hold it; "auto" watches the training loss and says so (early_stopping=True
    # still raises: test_bad_inputs.py).
    y = np.r_[np.zeros(500), np.ones(499), 2]
    X = np.random.RandomState(0).normal(size=(1000, 3))
    clf = MLPBackpropClassifier((3,), max_iter=11, verbose=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.validation_loss_curve_ is None
    assert "watching the training loss instead" in capsys.readouterr().out


@pytest.mark.parametrize(
    "n_samples, n_classes, holds_out",
    [(2000, 15, False), (6000, 15, True), (2000, 4, True), (600, 3, False)],
)
def test_auto_early_stopping_needs_25_validation_samples_a_class(
    n_samples, n_classes, holds_out
):
    # With fewer, stopping on the validation loss cost 0.01 to 0.03 of accuracy on
    # 10 to 30 classes (15 classes of 2,000 rows: 0.576 against 0.587).
    X, y = make_classification(
        n_samples, 10, n_informative=8, n_classes=n_classes, random_state=0
    )
    clf = MLPBackpropClassifier((4,), max_iter=11, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert (clf.validation_loss_curve_ is not None) == holds_out


@pytest.mark.parametrize("value", [0, 1])
def test_a_label_that_never_varies_trains_as_its_exact_constant(value):
    # It used to be a logistic unit creeping towards 0 or 1 under the squared
    # error, keeping the loss above the plateau: many epochs and a warning that the
    # model was "still close to a constant output".
    X, Y = make_multilabel_classification(300, 10, n_classes=4, random_state=0)
    X = StandardScaler().fit_transform(X)
    Y[:, 2] = value
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = MLPBackpropClassifier(random_state=0).fit(X, Y)
    proba = clf.predict_proba(X)[:, 2]
    assert_allclose(proba, value, atol=1e-15)
    assert (clf.predict(X)[:, 2] == value).all()
    # A warm start on data where the label varies trains it again.
    Y[::2, 2] = 1 - value
    clf.set_params(warm_start=True, max_iter=200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, Y)
    assert 0.05 < clf.predict_proba(X)[:, 2].mean() < 0.95
