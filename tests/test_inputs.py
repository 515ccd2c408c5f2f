"""What the estimator accepts.

Sparse matrices and arrays, float32, DataFrames, text through TfidfVectorizer, and
multilabel indicator targets.
"""

import tracemalloc
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sk_mlpbp import MLPBackpropClassifier
from tests._helpers import assert_weights_close, ignore_convergence

SPARSE_CONTAINERS = [
    sparse.csr_matrix,
    sparse.csc_matrix,
    sparse.csr_array,
    sparse.csc_array,
]


def sparse_problem(n_samples=60, n_features=30, seed=0):
    """Mostly-zero inputs and three classes."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features))
    X[rng.uniform(size=X.shape) < 0.8] = 0.0
    y = (X[:, :2].sum(axis=1) > 0).astype(int) + (X[:, 2] > 0.5)
    return X, y


@ignore_convergence
@pytest.mark.parametrize("container", SPARSE_CONTAINERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("batch_size", [7, 1])
def test_sparse_input_learns_the_model_of_its_dense_copy(
    container, shuffle, batch_size
):
    X, y = sparse_problem()
    kwargs = dict(
        hidden_layer_sizes=(5,), learning_rate=1.5, batch_size=batch_size, max_iter=4,
        momentum=0.5, alpha=1e-3, shuffle=shuffle, random_state=0,
    )  # fmt: skip
    dense = MLPBackpropClassifier(**kwargs).fit(X, y)
    from_sparse = MLPBackpropClassifier(**kwargs).fit(container(X), y)
    assert_weights_close(from_sparse, dense, rtol=1e-10, atol=1e-12)
    assert_allclose(from_sparse.loss_curve_, dense.loss_curve_, rtol=1e-10)
    assert_allclose(from_sparse.predict_proba(container(X)), dense.predict_proba(X))
    assert_array_equal(from_sparse.predict(container(X)), dense.predict(X))


@ignore_convergence
def test_sparse_input_in_partial_fit_and_validation():
    X, y = sparse_problem()
    kwargs = dict(hidden_layer_sizes=(4,), batch_size=10, random_state=0)
    dense = MLPBackpropClassifier(**kwargs)
    from_sparse = MLPBackpropClassifier(**kwargs)
    for chunk in np.array_split(np.arange(60), 3):
        dense.partial_fit(X[chunk], y[chunk], classes=[0, 1, 2])
        from_sparse.partial_fit(sparse.csr_array(X[chunk]), y[chunk], classes=[0, 1, 2])
    assert_allclose(from_sparse.coefs_[0], dense.coefs_[0], rtol=1e-10, atol=1e-12)
    clf = MLPBackpropClassifier(max_iter=3, **kwargs)
    clf.fit(sparse.csr_matrix(X), y, X_val=sparse.csc_matrix(X[40:]), y_val=y[40:])
    assert len(clf.validation_scores_) == 3
    assert clf.validation_scores_[-1] == clf.score(X[40:], y[40:])


@ignore_convergence
@pytest.mark.parametrize("batch_size", ["auto", 1], ids=["minibatch", "online"])
@pytest.mark.parametrize("as_sparse", [False, True])
def test_float32_stays_float32(as_sparse, batch_size):
    X, y = sparse_problem()
    X32 = X.astype(np.float32)
    if as_sparse:
        X32 = sparse.csr_matrix(X32)
    clf = MLPBackpropClassifier(
        (4,), batch_size=batch_size, max_iter=3, momentum=0.9, random_state=0
    )
    clf.fit(X32, y, X_val=X32, y_val=y)
    assert all(p.dtype == np.float32 for p in clf.coefs_ + clf.intercepts_)
    assert all(v.dtype == np.float32 for v in clf._velocities)
    assert clf.predict_proba(X32).dtype == np.float32


@ignore_convergence
def test_float32_fit_is_the_float64_fit_to_float32_precision(named_classes):
    X, y = named_classes
    clf = MLPBackpropClassifier((5,), max_iter=3, random_state=0).fit(
        X.astype(np.float32), y
    )
    assert all(W.dtype == np.float32 for W in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32
    reference = MLPBackpropClassifier((5,), max_iter=3, random_state=0).fit(X, y)
    assert reference.coefs_[0].dtype == np.float64
    assert_allclose(clf.coefs_[0], reference.coefs_[0], rtol=1e-4, atol=1e-5)


def test_large_sparse_input_is_never_densified():
    rng = np.random.default_rng(0)
    n_samples, n_features, per_row = 50_000, 200_000, 10
    X = sparse.csr_matrix(
        (
            rng.random(n_samples * per_row),
            rng.integers(0, n_features, n_samples * per_row),
            np.arange(0, n_samples * per_row + 1, per_row),
        ),
        shape=(n_samples, n_features),
    )
    y = np.asarray(X[:, :100_000].sum(axis=1)).ravel() > 2.5
    clf = MLPBackpropClassifier((16,), max_iter=1, random_state=0)
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        proba = clf.predict_proba(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    dense_bytes = n_samples * n_features * 8
    assert peak < 400 * 2**20
    assert peak < dense_bytes / 100
    assert proba.shape == (n_samples, 2)
    assert_allclose(proba.sum(axis=1), 1.0)


def test_tfidf_text_pipeline():
    rng = np.random.RandomState(0)
    topics = {
        "circuits": "voltage current resistor capacitor diode transistor amplifier",
        "cooking": "flour butter oven sugar simmer knead recipe garlic",
        "sailing": "mast keel rudder tack jib harbour anchor hull",
    }
    filler = ["the", "a", "of", "and", "to", "in", "is", "with", "for", "on"]
    documents, labels = [], []
    for label, words in topics.items():
        vocabulary = words.split()
        for _ in range(40):
            text = rng.choice(vocabulary, 6).tolist() + rng.choice(filler, 6).tolist()
            documents.append(" ".join(rng.permutation(text)))
            labels.append(label)
    X_train, X_test, y_train, y_test = train_test_split(
        documents, labels, test_size=0.25, stratify=labels, random_state=0
    )
    pipe = make_pipeline(TfidfVectorizer(), MLPBackpropClassifier((8,), random_state=0))
    pipe.fit(X_train, y_train)
    assert pipe.score(X_test, y_test) >= 0.95
    assert pipe.predict(["a resistor and a capacitor"])[0] == "circuits"


# -- DataFrames ----------------------------------------------------------------------


@ignore_convergence
def test_dataframe_feature_names_are_checked_at_predict():
    pd = pytest.importorskip("pandas")
    X, y = sparse_problem(n_features=3)
    frame = pd.DataFrame(X, columns=["x", "y", "z"])
    clf = MLPBackpropClassifier((3,), max_iter=2, random_state=0).fit(frame, y)
    assert_array_equal(clf.feature_names_in_, ["x", "y", "z"])
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(frame[["z", "y", "x"]])
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(frame.rename(columns={"z": "w"}))
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        assert_array_equal(clf.predict(X), clf.predict(frame))


@ignore_convergence
def test_dataframe_validation_set_with_other_columns_raises():
    pd = pytest.importorskip("pandas")
    X, y = sparse_problem(n_features=3)
    frame = pd.DataFrame(X, columns=["x", "y", "z"])
    clf = MLPBackpropClassifier((3,), max_iter=2, random_state=0)
    with pytest.raises(ValueError, match="feature names should match"):
        clf.fit(frame, y, X_val=frame[["y", "x", "z"]], y_val=y)


# -- multilabel ------------------------------------------------------------------


def multilabel_problem(n_samples=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 5))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0, X[:, 3] > 0.5]).astype(int)
    return X, Y


def test_multilabel_targets_get_one_logistic_output_each():
    X, Y = multilabel_problem()
    clf = MLPBackpropClassifier((8,), random_state=0).fit(X, Y)
    assert clf.n_outputs_ == 3
    assert_array_equal(clf.classes_, [0, 1, 2])
    proba = clf.predict_proba(X)
    hidden = 1 / (1 + np.exp(-(X @ clf.coefs_[0] + clf.intercepts_[0])))
    outputs = 1 / (1 + np.exp(-(hidden @ clf.coefs_[1] + clf.intercepts_[1])))
    assert_allclose(proba, outputs, rtol=1e-12)
    assert_array_equal(clf.predict(X), (outputs > 0.5).astype(int))
    assert clf.score(X, Y) >= 0.9


@ignore_convergence
def test_multilabel_with_sample_weights_and_early_stopping():
    X, Y = multilabel_problem(300)
    X_val, Y_val = multilabel_problem(100, seed=1)
    weights = np.where(Y[:, 0] == 1, 2.0, 1.0)
    kwargs = dict(hidden_layer_sizes=(8,), batch_size=16, early_stopping=True)
    clf = MLPBackpropClassifier(random_state=0, **kwargs)
    clf.fit(X, Y, sample_weight=weights, X_val=X_val, y_val=Y_val)
    assert clf.score(X_val, Y_val) == clf.best_validation_score_ >= 0.8
    # Without X_val the hold-out is an unstratified split of the training rows.
    held_out = MLPBackpropClassifier(random_state=0, **kwargs)
    held_out.fit(X, Y, sample_weight=weights)
    assert held_out.t_ == held_out.n_iter_ * 270


@ignore_convergence
def test_multilabel_partial_fit_and_errors():
    X, Y = multilabel_problem()
    clf = MLPBackpropClassifier((4,), random_state=0)
    clf.partial_fit(X[:60], Y[:60], classes=[0, 1, 2]).partial_fit(X[60:], Y[60:])
    assert clf.n_iter_ == 2
    with pytest.raises(ValueError, match="indicator matrix of 3 labels"):
        clf.partial_fit(X, Y[:, :2])
    with pytest.raises(ValueError, match="range"):
        MLPBackpropClassifier((4,)).partial_fit(X, Y, classes=["a", "b", "c"])
    with pytest.raises(ValueError, match="class_weight"):
        MLPBackpropClassifier((4,), class_weight="balanced").fit(X, Y)
    with pytest.raises(ValueError, match="indicator matrix"):
        MLPBackpropClassifier((4,), warm_start=True).fit(X, Y).fit(X, Y[:, 0])


@ignore_convergence
def test_sparse_multilabel_y_is_its_dense_copy():
    X, Y = multilabel_problem()
    kwargs = dict(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    dense = MLPBackpropClassifier(**kwargs).fit(X, Y, X_val=X[:30], y_val=Y[:30])
    from_sparse = MLPBackpropClassifier(**kwargs).fit(
        X, sparse.csr_matrix(Y), X_val=X[:30], y_val=sparse.csr_matrix(Y[:30])
    )
    assert_weights_close(from_sparse, dense, rtol=0, atol=0)
    assert from_sparse.validation_scores_ == dense.validation_scores_
    streamed = MLPBackpropClassifier(**kwargs)
    streamed.partial_fit(X, sparse.csr_matrix(Y), classes=[0, 1, 2])
    assert streamed.n_outputs_ == 3


# -- X must hold numbers: text is refused in every container ---------------------


def text_containers():
    """Yield (id, X) pairs: the first cell holds the numeric text "0.5"."""
    X = np.random.RandomState(0).normal(size=(20, 2))
    text = X.astype(str)
    yield "numpy-str", text
    yield "numpy-bytes", text.astype(bytes)
    objects = X.astype(object)
    objects[0, 0] = "0.5"
    yield "numpy-object-str", objects
    with_bytes = X.astype(object)
    with_bytes[0, 0] = b"0.5"
    yield "numpy-object-bytes", with_bytes
    yield "list-of-lists", objects.tolist()
    pd = pytest.importorskip("pandas")
    column = X[:, 0].astype(str)
    for name, dtype in [
        ("object", object),
        ("string", "string"),
        ("category", "category"),
    ]:
        frame = pd.DataFrame({"a": pd.Series(column, dtype=dtype), "b": X[:, 1]})
        yield f"pandas-{name}", frame


TEXT_CONTAINERS = list(text_containers())


@pytest.mark.parametrize(
    "X_text", [X for _, X in TEXT_CONTAINERS], ids=[i for i, _ in TEXT_CONTAINERS]
)
@pytest.mark.parametrize("where", ["fit", "partial_fit", "X_val", "predict"])
def test_text_in_X_is_refused_whatever_the_container(X_text, where):
    X = np.random.RandomState(0).normal(size=(20, 2))
    y = np.arange(20) % 2
    clf = MLPBackpropClassifier((3,), max_iter=2, random_state=0)
    name = "X_val" if where == "X_val" else "X"
    with pytest.raises(ValueError, match=f"{name} contains strings \\(text\\)"):
        if where == "fit":
            clf.fit(X_text, y)
        elif where == "partial_fit":
            clf.partial_fit(X_text, y, classes=[0, 1])
        elif where == "X_val":
            clf.fit(X, y, X_val=X_text, y_val=y)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                clf.fit(X, y)
            clf.predict(X_text)
