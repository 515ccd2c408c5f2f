"""A fixed suite of offline classification problems, with contenders side by side.

Each problem runs through the same cross-validation for several contenders, and the
results are printed as one table.

Every problem is generated or loaded offline and deterministically. Every contender
sees the same folds (``StratifiedKFold(n_splits, shuffle=True, random_state=0)``,
``KFold`` for the multilabel problem) and the same seed. The table reports, per
problem and contender, the mean score over the folds, the mean number of epochs
(``n_iter_`` of the fitted classifier) and the wall time of the whole
cross-validation, then the score difference and time ratio of ``ours`` against
``mlp``. It is a Markdown pipe table, aligned so that it reads as a table in a
terminal too. Scores are never weighted, not even where the fit is.

    python benchmarks/suite.py                          # everything, 5 folds
    python benchmarks/suite.py --quick                  # 3 folds
    python benchmarks/suite.py --problems iris xor --contenders ours mlp
    python benchmarks/suite.py --set learning_rate=2 --set batch_size=32
    python benchmarks/suite.py --output report.md       # and a Markdown report

``--set key=value`` overrides a parameter of ``ours`` (the value is read with
``ast.literal_eval``, or kept as a string), to compare variants of the defaults.
``--output PATH`` also writes a Markdown report to PATH, for the documentation to
include: a line saying when, on which commit and with which command it ran, the
environment as a list, the setup, the table and the legend (``_report.py``).

On a shared machine, set ``OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1``: with two
BLAS threads and other jobs running, MLPClassifier on digits took 10x longer here
(24.6 s against 2.3 s for 3 folds). The header reports the thread pools, the two
variables and the load average, so that every table says how it was timed.

Contenders:
  ours              MLPBackpropClassifier(random_state=0), its defaults
  mlp               MLPClassifier(random_state=0), its defaults (relu, adam)
  mlp-logistic-sgd  MLPClassifier(activation="logistic", solver="sgd", random_state=0)

Problems (n_samples x n_features; kind):
  iris, wine, breast_cancer, digits   scikit-learn's bundled data, standardised
                                      (kind "scaled"), and again as ``<name>-raw``
                                      on the raw features (kind "unscaled")
  highdim       1,000 x 500, 5 informative, 2 classes            scaled
  classes30     3,000 x 40, 20 informative, 30 classes           scaled
  classes100    600 x 20, 15 informative, 100 classes of 6 rows, scaled
                class_sep 2
  imbalanced    2,000 x 20, 95/5, scored by balanced accuracy    scaled
  label_noise   2,000 x 20, 2 classes, 20% of the labels flipped scaled
  rows20k       20,000 x 20, 4 classes                           scaled
  outlier_weight                                                 scaled
                20,000 x 20, 2 classes, fitted with sample weights of 1 but
                one of 1e4 (on the first training row of every fold)
  warm_start    2,000 x 20, 2 classes, fitted on another 2,000   scaled
                x 20 problem first, then with warm_start=True on the fold
  moons         1,000 x 2, noise 0.25                            natural
  circles       1,000 x 2, factor 0.5, noise 0.1                 natural
  xor           1,000 x 2 in [-1, 1]^2, sign(x1) * sign(x2)      natural
  band          1,000 x 2 in [-1, 1]^2, 1 where |x1| < 0.5       natural
  quantiles     1,000 x 2, 3 nested Gaussian shells              natural
  <name>-x0.01, <name>-x100                                      rescaled
                each natural problem above with every input multiplied by
                1e-2 and by 1e2, after its base problem in the table
  shells4       1,500 x 4, 3 nested Gaussian shells              scaled
  age_income    1,000 x 2, moons as an age in years (45 + 15 x1) scaled
                and an income in dollars (40,000 + 30,000 x2), 2,000x the spread,
                and again as ``age_income-raw`` on the raw columns (unscaled)
  text3         600 synthetic documents, 3 topics, TF-IDF        text
  text8         1,200 synthetic documents, 8 topics, TF-IDF      text
                (made-up words; each topic's words overlap its neighbours', and
                all share common English words)
  multilabel    1,000 x 20, 5 labels, scored by subset accuracy  scaled

"scaled" problems run in ``make_pipeline(StandardScaler(), clf)``, "text" ones in
``make_pipeline(TfidfVectorizer(), clf)``; "unscaled", "natural" and "rescaled" ones
feed the features as they are ("natural" data already lie on a unit scale).

The rescaled copies ask whether a classifier's score depends on the unit of its
inputs: every natural problem is copied, since those are the ones whose inputs reach
the classifier as they are at a known scale (a StandardScaler would undo the factor,
and the raw problems are off scale already). Each copy sits after its base problem
in the table, its note says DRIFT when ours scores more than 0.03 below ours on the
base, and the rescaled problems are totalled apart, as the unscaled ones are.

Programmatic use, with benchmarks/ on ``sys.path``::

    from suite import PROBLEMS, run
    result = run(PROBLEMS["moons"], lambda seed: MyClassifier(random_state=seed))
"""

import argparse
import ast
import contextlib
import sys
import textwrap
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# benchmarks/ is no package: this runs as a script (its directory is on sys.path) or
# is imported with benchmarks/ on sys.path, and imports its sibling _report.py by name.
from _report import add_output, environment, provenance, render, write_report
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_circles,
    make_classification,
    make_gaussian_quantiles,
    make_moons,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import has_fit_parameter

import sk_mlpbp
import sk_mlpbp.exceptions
from sk_mlpbp import MLPBackpropClassifier

SEED = 0
# Scores this close to chance (in absolute terms) count as "near chance".
CHANCE_MARGIN = 0.10
# Ours is SHORT of mlp when its score is more than this below mlp's.
SHORT_MARGIN = 0.03
KINDS = ("scaled", "unscaled", "natural", "rescaled", "text")
PIPELINES = ("scale", "tfidf", None)
METRICS = {
    "accuracy": accuracy_score,
    "balanced_accuracy": balanced_accuracy_score,
    # accuracy_score on indicator matrices counts a row as right only when every
    # label in it is right: the subset accuracy.
    "subset_accuracy": accuracy_score,
}
# The sample weight of the one outlier of "outlier_weight".
OUTLIER_WEIGHT = 1e4
# The factors of the rescaled copies of the natural problems.
RESCALE_FACTORS = (1e-2, 1e2)
# Data whose smallest class has fewer rows than this are subsampled by whole classes.
FEW_ROWS_PER_CLASS = 10
_PACKAGE_DIR = str(Path(sk_mlpbp.__file__).resolve().parent)


@dataclass(frozen=True)
class Problem:
    """One classification problem of the suite.

    Parameters
    ----------
    name : str
        Short lower-case name, used on the command line and in the table.
    kind : {"scaled", "unscaled", "natural", "rescaled", "text"}
        How the features reach the classifier: standardised, raw, on their own
        (already unit) scale, as a natural problem's features times a factor, or
        as documents turned into TF-IDF vectors.
    make : callable
        ``make()`` returns ``(X, y)``, the same arrays on every call. X is an
        array of shape (n_samples, n_features), or a list of n_samples strings for
        kind "text"; y is of shape (n_samples,), or (n_samples, n_labels) for the
        multilabel problem.
    metric : {"accuracy", "balanced_accuracy", "subset_accuracy"}
        Score of a fold's predictions.
    pipeline : {"scale", "tfidf"} or None
        The step put before the classifier: ``StandardScaler()``,
        ``TfidfVectorizer()`` or nothing.
    weigh : callable, default=None
        ``weigh(y)`` returns the sample weights of the training rows whose targets
        are ``y``, passed to the classifier's ``fit`` on every fold; None fits
        without weights. Scores are unweighted either way.
    warm_start_from : callable, default=None
        ``warm_start_from()`` returns ``(X, y)`` of another problem with the same
        features and classes. On every fold the classifier is fitted on it first
        (subsampled to at most as many rows as the problem's data), then, with
        ``warm_start=True``, on the fold. None fits once, from scratch.
    base : str, default=None
        For kind "rescaled", the name of the problem whose features this one
        multiplies by ``factor``.
    factor : float, default=1.0
        The factor of a rescaled copy.
    """

    name: str
    kind: str
    make: Callable[[], tuple]
    metric: str = "accuracy"
    pipeline: str | None = "scale"
    weigh: Callable[[np.ndarray], np.ndarray] | None = None
    warm_start_from: Callable[[], tuple] | None = None
    base: str | None = None
    factor: float = 1.0

    def __post_init__(self):
        """Check the names of the kind, the metric and the pipeline."""
        # Problems written elsewhere (experiments) fail here rather than mid-run.
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.metric not in METRICS:
            raise ValueError(
                f"metric must be one of {list(METRICS)}, got {self.metric!r}"
            )
        if self.pipeline not in PIPELINES:
            raise ValueError(
                f"pipeline must be one of {PIPELINES}, got {self.pipeline!r}"
            )
        if (self.kind == "rescaled") != (self.base is not None):
            raise ValueError('a problem has a base exactly when its kind is "rescaled"')


@dataclass(frozen=True)
class Result:
    """What one contender did on one problem.

    Parameters
    ----------
    score : float
        Mean score over the folds.
    epochs : float
        Mean ``n_iter_`` of the fitted classifiers (NaN when they have none); for a
        warm-started problem, the epochs of the fit on the fold alone.
    seconds : float
        Wall time of the whole cross-validation, fits and scoring.
    warned : int, default=0
        Number of folds that raised a ConvergenceWarning (scikit-learn's or
        sk_mlpbp's) or any UserWarning of sk_mlpbp.
    saturated : int, default=0
        Number of folds that raised ``sk_mlpbp.exceptions.SaturationWarning``
        (always 0 while sk_mlpbp has no such warning).
    """

    score: float
    epochs: float
    seconds: float
    warned: int = 0
    saturated: int = 0


# ----------------------------------------------------------------------------------
# Data


def _bundled(load):
    def make():
        return load(return_X_y=True)

    return make


def _highdim():
    return make_classification(
        1000,
        500,
        n_informative=5,
        n_redundant=5,
        n_clusters_per_class=1,
        random_state=SEED,
    )


def _classes30():
    return make_classification(
        n_samples=3000,
        n_features=40,
        n_informative=20,
        n_classes=30,
        n_clusters_per_class=1,
        random_state=SEED,
    )


def _classes100():
    # flip_y=0 keeps make_classification's equal split: exactly 6 rows per class,
    # one more than 5 stratified folds need. At the default class_sep=1, logistic
    # regression, 1-NN and MLPClassifier all score within 0.10 of chance (0.08 to
    # 0.12, 5 folds): a problem nothing learns tells nothing. At 2 they score 0.36
    # to 0.49.
    return make_classification(
        n_samples=600,
        n_features=20,
        n_informative=15,
        n_classes=100,
        n_clusters_per_class=1,
        flip_y=0.0,
        class_sep=2.0,
        random_state=SEED,
    )


def _imbalanced():
    return make_classification(
        2000, 20, n_informative=5, weights=[0.95], random_state=SEED
    )


def _label_noise():
    X, y = make_classification(
        2000, 20, n_informative=10, flip_y=0.0, random_state=SEED
    )
    # Exactly 20% of the labels, chosen once, so the best possible score is ~0.8.
    flipped = np.random.RandomState(SEED).choice(len(y), len(y) // 5, replace=False)
    y[flipped] = 1 - y[flipped]
    return X, y


def _rows20k():
    return make_classification(
        20_000, 20, n_informative=10, n_classes=4, random_state=SEED
    )


def _two_classes_20k():
    return make_classification(20_000, 20, n_informative=10, random_state=SEED)


def _one_outlier_weight(y):
    """Weigh every row 1 but the first, weighed ``OUTLIER_WEIGHT``."""
    # The first training row, so that every fold's fit meets exactly one outlier.
    weights = np.ones(len(y))
    weights[0] = OUTLIER_WEIGHT
    return weights


def _warm_start_new():
    return make_classification(2000, 20, n_informative=10, random_state=SEED)


def _warm_start_old():
    # Another problem of the same shape and classes: other clusters, other features.
    return make_classification(2000, 20, n_informative=10, random_state=SEED + 1)


def _moons():
    return make_moons(1000, noise=0.25, random_state=SEED)


def _circles():
    return make_circles(1000, factor=0.5, noise=0.1, random_state=SEED)


def _square(n_samples=1000):
    return np.random.RandomState(SEED).uniform(-1, 1, (n_samples, 2))


def _xor():
    X = _square()
    y = (np.sign(X[:, 0]) * np.sign(X[:, 1]) > 0).astype(int)
    # The labels come from the clean points, so the jitter blurs only the edges.
    X += np.random.RandomState(SEED + 1).normal(0, 0.05, X.shape)
    return X, y


def _band():
    X = _square()
    return X, (np.abs(X[:, 0]) < 0.5).astype(int)


def _quantiles():
    return make_gaussian_quantiles(
        n_samples=1000, n_features=2, n_classes=3, random_state=SEED
    )


def _rescaled(make, factor):
    def make_copy():
        X, y = make()
        return X * factor, y

    return make_copy


def _shells4():
    return make_gaussian_quantiles(
        n_samples=1500, n_features=4, n_classes=3, random_state=SEED
    )


def _age_income():
    X, y = _moons()
    # An age in years and an income in dollars: the second column's spread is
    # 2,000 times the first's, and the boundary depends on both.
    return np.column_stack([45 + 15 * X[:, 0], 40_000 + 30_000 * X[:, 1]]), y


def _multilabel():
    return make_multilabel_classification(1000, 20, n_classes=5, random_state=SEED)


# Words every topic uses alike; they carry no information about the topic.
COMMON_WORDS = [
    "the", "of", "and", "to", "in", "is", "that", "it", "for", "on", "with", "as",
    "was", "at", "by", "be", "this", "from", "or", "an", "are", "not", "have", "but",
    "had", "they", "which", "you", "were", "their", "one", "all", "we", "can", "her",
    "has", "there", "been", "if", "more", "when", "will", "would", "who", "so", "no",
]  # fmt: skip


def _vocabulary(n_words, rng):
    """Return ``n_words`` distinct made-up words of two or three syllables."""
    consonants, vowels = list("bcdfghklmnprstvz"), list("aeiou")
    words = []
    seen = set(COMMON_WORDS)
    while len(words) < n_words:
        n_syllables = rng.randint(2, 4)
        word = "".join(
            rng.choice(consonants) + rng.choice(vowels) for _ in range(n_syllables)
        )
        if rng.rand() < 0.3:
            word += rng.choice(consonants)
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def _zipf(n, exponent=1.1):
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def make_topic_corpus(
    n_topics,
    n_docs,
    *,
    words_per_topic=150,
    overlap=2,
    p_common=0.4,
    p_stray=0.15,
    seed=SEED,
):
    """Synthetic documents on ``n_topics`` topics whose vocabularies overlap.

    The vocabulary is ``n_topics * words_per_topic`` made-up words in a ring; topic
    ``k`` draws from the ``overlap * words_per_topic`` words starting at
    ``k * words_per_topic``, so each word belongs to ``overlap`` neighbouring
    topics, ranked differently in each (a Zipf-like law over a shuffled order of
    the topic's words). A word of a document is a common word with probability
    ``p_common``, a word of another, random topic with probability ``p_stray``,
    otherwise a word of the document's own topic. Documents have 20 to 120 words.

    Parameters
    ----------
    n_topics : int
        Number of topics (classes).
    n_docs : int
        Number of documents, spread evenly over the topics.
    words_per_topic : int, default=150
        Step between the topics' windows on the vocabulary ring.
    overlap : int, default=2
        Number of topics each word belongs to.
    p_common : float, default=0.4
        Probability that a word is one of the common words.
    p_stray : float, default=0.15
        Probability that a word comes from another topic.
    seed : int, default=0
        Seed of every random choice.

    Returns
    -------
    docs : list of str
        The documents, words separated by spaces.
    y : ndarray of shape (n_docs,)
        The topic of each document.
    """
    rng = np.random.RandomState(seed)
    n_words = n_topics * words_per_topic
    words = np.array(_vocabulary(n_words, rng))
    common = np.array(COMMON_WORDS)
    common_p = _zipf(len(common))
    topic_words, topic_p = [], _zipf(overlap * words_per_topic)
    for k in range(n_topics):
        window = (k * words_per_topic + np.arange(overlap * words_per_topic)) % n_words
        topic_words.append(words[rng.permutation(window)])
    y = np.arange(n_docs) % n_topics
    rng.shuffle(y)
    docs = []
    for topic in y:
        length = rng.randint(20, 121)
        source = rng.choice(
            3, size=length, p=[p_common, p_stray, 1 - p_common - p_stray]
        )
        strays = rng.choice([k for k in range(n_topics) if k != topic], size=length)
        common_rank = rng.choice(len(common), size=length, p=common_p)
        topic_rank = rng.choice(len(topic_p), size=length, p=topic_p)
        tokens = [
            common[c] if kind == 0 else topic_words[stray if kind == 1 else topic][t]
            for kind, stray, c, t in zip(source, strays, common_rank, topic_rank)
        ]
        docs.append(" ".join(tokens))
    return docs, y


def _text(n_topics, n_docs, **options):
    def make():
        return make_topic_corpus(n_topics, n_docs, **options)

    return make


def _problems():
    problems = []
    for name, load in [
        ("iris", load_iris),
        ("wine", load_wine),
        ("breast_cancer", load_breast_cancer),
        ("digits", load_digits),
    ]:
        problems.append(Problem(name, "scaled", _bundled(load)))
        problems.append(
            Problem(f"{name}-raw", "unscaled", _bundled(load), pipeline=None)
        )
    problems += [
        Problem("highdim", "scaled", _highdim),
        Problem("classes30", "scaled", _classes30),
        Problem("classes100", "scaled", _classes100),
        Problem("imbalanced", "scaled", _imbalanced, metric="balanced_accuracy"),
        Problem("label_noise", "scaled", _label_noise),
        Problem("rows20k", "scaled", _rows20k),
        Problem(
            "outlier_weight", "scaled", _two_classes_20k, weigh=_one_outlier_weight
        ),
        Problem(
            "warm_start", "scaled", _warm_start_new, warm_start_from=_warm_start_old
        ),
    ]
    for name, make in [
        ("moons", _moons),
        ("circles", _circles),
        ("xor", _xor),
        ("band", _band),
        ("quantiles", _quantiles),
    ]:
        problems.append(Problem(name, "natural", make, pipeline=None))
        problems += [
            Problem(
                f"{name}-x{factor:g}",
                "rescaled",
                _rescaled(make, factor),
                pipeline=None,
                base=name,
                factor=factor,
            )
            for factor in RESCALE_FACTORS
        ]
    problems += [
        Problem("shells4", "scaled", _shells4),
        Problem("age_income", "scaled", _age_income),
        Problem("age_income-raw", "unscaled", _age_income, pipeline=None),
        Problem("text3", "text", _text(3, 600), pipeline="tfidf"),
        # More topics share each word, and more words stray, so that text8 is not
        # solved outright as text3 is.
        Problem(
            "text8", "text", _text(8, 1200, overlap=3, p_stray=0.35), pipeline="tfidf"
        ),
        Problem("multilabel", "scaled", _multilabel, metric="subset_accuracy"),
    ]
    return {problem.name: problem for problem in problems}


#: The suite, in the order of the table: name -> Problem.
PROBLEMS = _problems()

#: The contenders, in the order of the table: name -> factory(seed) of an unfitted
#: classifier.
CONTENDERS = {
    "ours": lambda seed: MLPBackpropClassifier(random_state=seed),
    "mlp": lambda seed: MLPClassifier(random_state=seed),
    "mlp-logistic-sgd": lambda seed: MLPClassifier(
        activation="logistic", solver="sgd", random_state=seed
    ),
}


# ----------------------------------------------------------------------------------
# Running


def chance_level(problem, y):
    """Return the score of the best constant prediction, in the problem's metric.

    Parameters
    ----------
    problem : Problem
        The problem (its metric matters).
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        Its targets.

    Returns
    -------
    chance : float
        The majority-class rate for accuracy, ``1 / n_classes`` for balanced
        accuracy, and the frequency of the most common label row for subset
        accuracy.
    """
    y = np.asarray(y)
    if problem.metric == "balanced_accuracy":
        return 1.0 / len(np.unique(y))
    _, counts = np.unique(y, axis=0 if y.ndim > 1 else None, return_counts=True)
    return counts.max() / len(y)


def subsample(X, y, max_rows, seed=SEED):
    """Return at most ``max_rows`` rows of ``(X, y)``, drawn with ``seed``, in order.

    Rows are drawn at random, except when the smallest class has fewer than
    ``FEW_ROWS_PER_CLASS`` rows (classes100): whole classes are then drawn,
    in a random order until the next would not fit, so that every class kept
    still has its rows for the stratified folds.
    """
    if max_rows is None or len(y) <= max_rows:
        return X, y
    rng = np.random.RandomState(seed)
    if np.ndim(y) == 1:
        classes, counts = np.unique(y, return_counts=True)
        if counts.min() < FEW_ROWS_PER_CLASS:
            order = rng.permutation(len(classes))
            kept = classes[order][np.cumsum(counts[order]) <= max_rows]
            rows = np.flatnonzero(np.isin(y, kept))
            return _take(X, rows), y[rows]
    rows = np.sort(rng.choice(len(y), max_rows, replace=False))
    return _take(X, rows), y[rows]


def _with_pipeline(problem, classifier):
    if problem.pipeline == "scale":
        return make_pipeline(StandardScaler(), classifier)
    if problem.pipeline == "tfidf":
        return make_pipeline(TfidfVectorizer(), classifier)
    return classifier


def _splitter(y, n_splits):
    # Stratifying needs one class per row; multilabel rows get plain shuffled folds.
    if np.ndim(y) > 1:
        return KFold(n_splits, shuffle=True, random_state=SEED)
    return StratifiedKFold(n_splits, shuffle=True, random_state=SEED)


def _is_counted(warning):
    """Return whether a caught warning counts for the table's ``w`` marker.

    It counts when it is a ConvergenceWarning (scikit-learn's, or sk_mlpbp's should
    it get its own) or a UserWarning that sk_mlpbp defines or raises.
    """
    category = warning.category
    ours = getattr(sk_mlpbp.exceptions, "ConvergenceWarning", ConvergenceWarning)
    if issubclass(category, (ConvergenceWarning, ours)):
        return True
    # sk_mlpbp's warnings point at the library (stacklevel 1), so the file tells.
    from_us = category.__module__.startswith("sk_mlpbp") or str(
        Path(warning.filename).resolve()
    ).startswith(_PACKAGE_DIR)
    return issubclass(category, UserWarning) and from_us


def _is_saturation(warning):
    # SaturationWarning is planned, not yet in every version of sk_mlpbp.
    saturation = getattr(sk_mlpbp.exceptions, "SaturationWarning", None)
    return saturation is not None and issubclass(warning.category, saturation)


def _take(X, rows):
    return [X[i] for i in rows] if isinstance(X, list) else X[rows]


def _final_step(fitted):
    return fitted[-1] if isinstance(fitted, Pipeline) else fitted


def _fit_params(fitted, sample_weight):
    """Return the keyword arguments of ``fit`` that reach the classifier's weights."""
    if sample_weight is None:
        return {}
    if isinstance(fitted, Pipeline):
        return {f"{fitted.steps[-1][0]}__sample_weight": sample_weight}
    return {"sample_weight": sample_weight}


def _fold_epochs(classifier, curve_before=None):
    """Return the epochs of the fold's fit.

    ``n_iter_`` after a plain fit. After a warm-started one, the growth of
    ``loss_curve_`` since ``curve_before`` entries: MLPClassifier restarts
    ``n_iter_`` at every fit while ours counts on, but both extend ``loss_curve_``.
    """
    if curve_before is None:
        return getattr(classifier, "n_iter_", np.nan)
    curve = getattr(classifier, "loss_curve_", None)
    return np.nan if curve is None else len(curve) - curve_before


def run(problem, make_classifier, n_splits=5, *, data=None):
    """Cross-validate one classifier on one problem.

    On every fold, the classifier (in the problem's pipeline) is fitted on the
    training rows, with ``problem.weigh`` of their targets as sample weights if the
    problem has it; a problem with ``warm_start_from`` first fits it on that data,
    then sets ``warm_start=True`` on it before the fit on the training rows. The
    test rows are scored without weights.

    Parameters
    ----------
    problem : Problem
        The problem; its pipeline is put around the classifier.
    make_classifier : callable
        ``make_classifier(seed)`` returns an unfitted classifier; it is called for
        every fold with the suite's seed. For a warm-started problem, it must have
        a ``warm_start`` parameter.
    n_splits : int, default=5
        Number of folds.
    data : tuple of (X, y), default=None
        The problem's data when already made (or subsampled); ``problem.make()``
        otherwise.

    Returns
    -------
    result : Result
        Mean score and epochs over the folds, the wall time of the whole
        cross-validation, and how many folds raised warnings.
    """
    X, y = problem.make() if data is None else data
    if problem.weigh is not None and not has_fit_parameter(
        make_classifier(SEED), "sample_weight"
    ):
        # MLPClassifier before scikit-learn 1.7 takes no sample weights.
        return Result(np.nan, np.nan, 0.0)
    if problem.warm_start_from is not None:
        X_first, y_first = subsample(*problem.warm_start_from(), len(y))
    score_of = METRICS[problem.metric]
    folds = list(_splitter(y, n_splits).split(np.zeros((len(y), 1)), y))
    scores, epochs = [], []
    warned = saturated = 0
    start = time.perf_counter()
    for train, test in folds:
        fitted = _with_pipeline(problem, make_classifier(SEED))
        classifier = _final_step(fitted)
        weights = None if problem.weigh is None else problem.weigh(y[train])
        # Warnings are recorded, not printed, so that the table stays readable; the
        # table counts them instead.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            curve_before = None
            if problem.warm_start_from is not None:
                fitted.fit(X_first, y_first)
                classifier.set_params(warm_start=True)
                curve_before = len(getattr(classifier, "loss_curve_", ()))
            fitted.fit(_take(X, train), y[train], **_fit_params(fitted, weights))
            scores.append(score_of(y[test], fitted.predict(_take(X, test))))
        epochs.append(_fold_epochs(classifier, curve_before))
        warned += int(any(_is_counted(w) for w in caught))
        saturated += int(any(_is_saturation(w) for w in caught))
    seconds = time.perf_counter() - start
    return Result(
        float(np.mean(scores)), float(np.mean(epochs)), seconds, warned, saturated
    )


# ----------------------------------------------------------------------------------
# Report


def _size(problem, X):
    if problem.kind == "text":
        n_features = len(TfidfVectorizer().fit(X).vocabulary_)
    else:
        n_features = X.shape[1]
    return f"{len(X)} x {n_features}"


def _near_chance(score, chance):
    return score <= chance + CHANCE_MARGIN


def _score_cell(result, chance):
    if np.isnan(result.score):  # the contender could not take the problem
        return "-"
    cell = f"{result.score:.3f}"
    if _near_chance(result.score, chance):
        cell += "*"
    if result.warned:
        cell += f" w{result.warned}"
    return cell


def _epochs_cell(epochs):
    return "-" if np.isnan(epochs) else f"{epochs:.0f}"


def _mean(values):
    """Return the mean of the values that are not NaN (NaN when none are)."""
    values = [value for value in values if not np.isnan(value)]
    return float(np.mean(values)) if values else np.nan


def _difference(ours, mlp):
    return "-" if np.isnan(ours - mlp) else f"{ours - mlp:+.3f}"


def _ratio(numerator, denominator):
    return f"{numerator / denominator:.2f}" if denominator > 0 else "-"


def _drifts(results, base_results):
    """Return whether ours scores more than SHORT_MARGIN below ours on the base."""
    ours = results.get("ours")
    base = (base_results or {}).get("ours")
    if ours is None or base is None:
        return False
    return ours.score < base.score - SHORT_MARGIN


def _notes(results, chance, base_results=None):
    notes = []
    ours, mlp = results.get("ours"), results.get("mlp")
    if ours is not None and mlp is not None and ours.score < mlp.score - SHORT_MARGIN:
        notes.append("SHORT")
    if _drifts(results, base_results):
        notes.append("DRIFT")
    if ours is not None and _near_chance(ours.score, chance):
        notes.append("CHANCE")
    if ours is not None and ours.saturated:
        notes.append("SAT")
    return " ".join(notes)


def _summary_row(label, rows, contenders, by_name):
    """Return one row of totals over ``rows``.

    ``rows`` is a non-empty list of (problem, chance, results); ``by_name`` maps the
    name of every problem in the table to its results, for the rescaled copies' bases.
    """
    cells = [label, "", f"{len(rows)} problems", ""]
    seconds = {}
    for name in contenders:
        seconds[name] = sum(results[name].seconds for _, _, results in rows)
        mean = _mean([results[name].score for _, _, results in rows])
        cells += [f"{mean:.3f}", "", f"{seconds[name]:.1f}"]
    both = "ours" in contenders and "mlp" in contenders
    if both:
        diffs = [r["ours"].score - r["mlp"].score for _, _, r in rows]
        short = sum(d < -SHORT_MARGIN for d in diffs)
        cells += [
            f"{_mean(diffs):+.3f}",
            _ratio(seconds["ours"], seconds["mlp"]),
        ]
    else:
        short = 0
        cells += ["-", "-"]
    counts = []
    if both:
        counts.append(f"ok {len(rows) - short}, SHORT {short}")
    if "ours" in contenders:
        near = sum(_near_chance(r["ours"].score, c) for _, c, r in rows)
        counts.append(f"CHANCE {near}")
        if any(p.base in by_name for p, _, _ in rows):
            drift = sum(_drifts(r, by_name.get(p.base)) for p, _, r in rows)
            counts.append(f"DRIFT {drift}")
    cells.append(", ".join(counts))
    return cells


def format_table(rows, contenders):
    """Return the suite's table, aligned, with ``|`` separators (valid Markdown).

    Parameters
    ----------
    rows : list of (Problem, str, float, dict)
        Per problem: the problem, its size ("n_samples x n_features"), its chance
        level, and its results by contender name.
    contenders : list of str
        Contender names, in column order.

    Returns
    -------
    table : str
    """
    header = ["problem", "kind", "size", "chance"]
    for name in contenders:
        header += [f"{name} score", f"{name} ep", f"{name} s"]
    header += ["ours-mlp", "time ours/mlp", "notes"]
    lines = []
    both = "ours" in contenders and "mlp" in contenders
    by_name = {problem.name: results for problem, _, _, results in rows}
    for problem, size, chance, results in rows:
        cells = [problem.name, problem.kind, size, f"{chance:.3f}"]
        for name in contenders:
            result = results[name]
            cells += [
                _score_cell(result, chance),
                _epochs_cell(result.epochs),
                f"{result.seconds:.1f}",
            ]
        if both:
            cells += [
                _difference(results["ours"].score, results["mlp"].score),
                _ratio(results["ours"].seconds, results["mlp"].seconds),
            ]
        else:
            cells += ["-", "-"]
        cells.append(_notes(results, chance, by_name.get(problem.base)))
        lines.append(cells)
    # Unscaled and rescaled problems test something else (raw feature scales, the
    # unit of the inputs), so they are totalled apart; the overall total only when
    # several groups are there.
    apart = ("unscaled", "rescaled")
    groups = {
        "total scaled/natural/text": [r for r in rows if r[0].kind not in apart],
        **{f"total {kind}": [r for r in rows if r[0].kind == kind] for kind in apart},
    }
    groups = {label: group for label, group in groups.items() if group}
    if len(groups) > 1:
        groups["total"] = rows
    summary = [
        _summary_row(label, [(p, c, r) for p, _, c, r in group], contenders, by_name)
        for label, group in groups.items()
    ]
    return render([header, *lines, *summary], left={0, 1, len(header) - 1})


LEGEND = (
    "score: mean over the folds (balanced accuracy for imbalanced, subset accuracy "
    "for multilabel, accuracy otherwise); * near chance (score <= chance + 0.10); "
    "wN: N folds raised a ConvergenceWarning or a UserWarning of sk_mlpbp. "
    "ep: mean epochs (n_iter_). s: wall time of the whole cross-validation. "
    "SHORT: ours more than 0.03 below mlp; DRIFT: on a rescaled copy, ours more "
    "than 0.03 below ours on the base problem above it; CHANCE: ours near chance; "
    "SAT: ours raised a SaturationWarning. Totals: mean score, summed time, and "
    "counts of problems where ours is within 0.03 of mlp or above (ok), short, near "
    "chance, drifting. outlier_weight: fitted with one sample weight of 1e4, scored "
    "unweighted; warm_start: fitted on another problem first, ep counts the fold's "
    "fit only."
)


# ----------------------------------------------------------------------------------
# Command line


def _parse_setting(text):
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    # A value that is no Python literal is a string: --set weight_init=uniform.
    with contextlib.suppress(ValueError, SyntaxError):
        value = ast.literal_eval(value)
    return key.strip(), value


def parser(description=__doc__, problems=None, contenders=None):
    """Return the command line of a suite: ``--quick``, ``--problems``, ...

    Parameters
    ----------
    description : str, default=this module's docstring
        The ``--help`` text.

    problems, contenders : dict, default=None
        The suite's problems and contenders, by name (this suite's when None).

    Returns
    -------
    parser : argparse.ArgumentParser
        ``--quick``, ``--problems``, ``--contenders``, ``--set``, ``--output`` and
        the tests' hidden ``--max-rows``.
    """
    problems = PROBLEMS if problems is None else problems
    contenders = CONTENDERS if contenders is None else contenders
    parser = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="3 folds instead of 5")
    parser.add_argument(
        "--problems",
        nargs="+",
        choices=list(problems),
        default=list(problems),
        metavar="NAME",
        help="problems to run (default: all): " + ", ".join(problems),
    )
    parser.add_argument(
        "--contenders",
        nargs="+",
        choices=list(contenders),
        default=list(contenders),
        metavar="NAME",
        help="contenders to run (default: all): " + ", ".join(contenders),
    )
    parser.add_argument(
        "--set",
        action="append",
        type=_parse_setting,
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter of ours, e.g. --set learning_rate=2",
    )
    add_output(parser)
    # For the tests: subsample every problem to at most N rows.
    parser.add_argument("--max-rows", type=int, default=None, help=argparse.SUPPRESS)
    return parser


def main(argv=None):
    """Run the suite and print the environment, the table and its legend.

    With ``--output PATH``, write them to PATH as a Markdown report as well.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments; ``sys.argv[1:]`` when None.

    Returns
    -------
    rows : list of (Problem, str, float, dict)
        What the table shows: problem, size, chance level, results by contender.
    """
    command = parser()
    args = command.parse_args(argv)
    run_line = provenance(__file__, argv) if args.output else None
    overrides = dict(args.set)
    unknown = sorted(set(overrides) - set(MLPBackpropClassifier().get_params()))
    if unknown:
        command.error(f"--set: MLPBackpropClassifier has no parameter {unknown}")
    contenders = dict(CONTENDERS)
    if overrides:
        contenders["ours"] = lambda seed: MLPBackpropClassifier(
            random_state=seed, **overrides
        )
    names = [name for name in CONTENDERS if name in args.contenders]
    n_splits = 3 if args.quick else 5

    lines = environment()
    print("\n".join(lines))
    setup = f"{n_splits}-fold cross-validation, seed {SEED}"
    if "ours" in names:
        setup += f"; ours = {contenders['ours'](SEED)!r}"
    print(setup)
    print()
    rows = []
    for name in [name for name in PROBLEMS if name in args.problems]:
        problem = PROBLEMS[name]
        X, y = subsample(*problem.make(), args.max_rows)
        results = {}
        for contender in names:
            results[contender] = run(
                problem, contenders[contender], n_splits, data=(X, y)
            )
            result = results[contender]
            print(
                f"{name}: {contender} {result.score:.3f} in {result.seconds:.1f} s",
                file=sys.stderr,
                flush=True,
            )
        rows.append((problem, _size(problem, X), chance_level(problem, y), results))
    table = format_table(rows, names)
    print(table)
    print()
    print(textwrap.fill(LEGEND, 88))
    if args.output:
        write_report(args.output, run_line, lines, setup, table, LEGEND)
    return rows


if __name__ == "__main__":
    main()
