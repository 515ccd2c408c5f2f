"""NetworkDisplay draws the network with a sample's signals, in the Display style."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import MLPBackpropClassifier, make_article_data
from sk_mlpbp._plot import (
    MAX_EDGE_WIDTH,
    MIN_EDGE_WIDTH,
    NEGATIVE_COLOR,
    POSITIVE_COLOR,
    ZERO_COLOR,
    NetworkDisplay,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def article_network(use_bias=False, hidden=(4,), seed=0):
    """Return an unfitted network holding U(-1, 1) weights, as the article draws."""
    rng = np.random.RandomState(seed)
    sizes = [3, *hidden, 1]
    net = MLPBackpropClassifier(hidden, learning_rate=1, use_bias=use_bias)
    net.coefs_ = [rng.uniform(-1, 1, shape) for shape in zip(sizes, sizes[1:])]
    if use_bias:
        net.intercepts_ = [rng.uniform(-1, 1, n) for n in sizes[1:]]
    return net


@pytest.fixture(scope="module")
def sample():
    X, y = make_article_data(1, random_state=0)
    return X, y


def texts(display, layer):
    return [text.get_text() for text in display.node_texts_[layer]]


@pytest.mark.parametrize(
    "hidden, nodes",
    [((4,), {"I": 3, "H": 4, "O": 1}), ((4, 3), {"I": 3, "H1": 4, "H2": 3, "O": 1})],
)
def test_every_node_of_a_small_network_is_drawn(hidden, nodes):
    display = NetworkDisplay.from_estimator(article_network(hidden=hidden))
    assert {name: len(c.get_offsets()) for name, c in display.nodes_.items()} == nodes
    assert display.shown_nodes_ == {name: list(range(n)) for name, n in nodes.items()}
    names = ["ItoH", "HtoO"] if len(hidden) == 1 else ["ItoH1", "H1toH2", "H2toO"]
    assert list(display.edges_) == names
    sizes = list(nodes.values())
    for name, below, above in zip(names, sizes, sizes[1:]):
        assert len(display.edges_[name].get_segments()) == below * above
    assert display.ellipses_ == {}


def test_bias_nodes_feed_every_layer_above_the_input_when_there_are_biases():
    with_bias = NetworkDisplay.from_estimator(article_network(use_bias=True))
    assert list(with_bias.bias_nodes_) == ["ItoH", "HtoO"]
    assert [len(c.get_segments()) for c in with_bias.bias_edges_.values()] == [4, 1]
    assert_allclose(
        with_bias.bias_edges_["ItoH"].get_segments()[0][1],
        with_bias.nodes_["H"].get_offsets()[0],
    )
    labels = [text.get_text() for text in with_bias.legend_.get_texts()]
    assert "bias node (outputs 1)" in labels

    without = NetworkDisplay.from_estimator(article_network(use_bias=False))
    assert without.bias_nodes_ == {} and without.bias_edges_ == {}
    labels = [text.get_text() for text in without.legend_.get_texts()]
    assert "bias node (outputs 1)" not in labels


def test_a_fitted_network_without_biases_draws_no_bias_node():
    # fit sets intercepts_ (zeros) even with use_bias=False: no bias node for them.
    X, y = make_article_data(20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPBackpropClassifier((4,), use_bias=False, max_iter=2).fit(X, y)
    assert NetworkDisplay.from_estimator(clf).bias_nodes_ == {}


def test_edges_are_coloured_by_sign_and_widened_by_magnitude():
    net = article_network(use_bias=True)
    display = NetworkDisplay.from_estimator(net)
    blue, red = to_rgba(POSITIVE_COLOR), to_rgba(NEGATIVE_COLOR)
    weights = np.concatenate([W.ravel() for W in net.coefs_])
    biases = np.concatenate(net.intercepts_)
    collections = [*display.edges_.values(), *display.bias_edges_.values()]
    colors = np.vstack([c.get_colors() for c in collections])
    widths = np.concatenate([c.get_linewidths() for c in collections])
    values = np.concatenate([weights, biases])
    assert colors.shape[0] == values.size == widths.size
    assert_allclose(colors[values > 0], np.tile(blue, ((values > 0).sum(), 1)))
    assert_allclose(colors[values < 0], np.tile(red, ((values < 0).sum(), 1)))
    order = np.argsort(np.abs(values))
    assert np.all(np.diff(widths[order]) > 0)
    assert widths.min() > 0


def test_zero_and_infinite_values_still_draw_every_edge():
    zeros = NetworkDisplay([np.zeros((2, 2)), np.zeros((2, 1))]).plot()
    assert_allclose(zeros.edges_["ItoH"].get_linewidths(), MIN_EDGE_WIDTH)
    assert_allclose(zeros.edges_["ItoH"].get_colors(), [to_rgba(ZERO_COLOR)] * 4)
    diverged = NetworkDisplay([np.array([[np.inf, 1.0]]), np.ones((2, 1))]).plot()
    assert_allclose(diverged.edges_["ItoH"].get_linewidths()[0], MAX_EDGE_WIDTH)


def test_edges_are_in_the_order_of_the_weight_matrix():
    net = article_network()
    net.coefs_[0] = -np.abs(net.coefs_[0])
    net.coefs_[0][1, 2] = 2.0  # the one positive weight, and the widest
    display = NetworkDisplay.from_estimator(net)
    widths = display.edges_["ItoH"].get_linewidths()
    assert np.argmax(widths) == 1 * 4 + 2
    start, end = display.edges_["ItoH"].get_segments()[np.argmax(widths)]
    assert_allclose(start, display.nodes_["I"].get_offsets()[1])
    assert_allclose(end, display.nodes_["H"].get_offsets()[2])


def test_nodes_show_the_traces_numbers(sample):
    X, y = sample
    net = article_network()
    trace = net.explain_step(X, y, classes=[0, 1])
    display = NetworkDisplay.from_estimator(net, X, y, classes=[0, 1])
    (output,) = texts(display, "O")
    out = trace["O"]
    assert output.splitlines() == [
        f"S_preA {out.S_preA[0, 0]:.3g}",
        f"S_postA {out.S_postA[0, 0]:.3g}",
        f"T {trace.T[0, 0]:.3g}",
        f"FE {trace.FE[0, 0]:.3g}",
        f"S_ERROR {out.S_ERROR[0, 0]:.3g}",
    ]
    H = trace["H"]
    for node, text in enumerate(texts(display, "H")):
        assert text.splitlines() == [
            f"S_preA {H.S_preA[0, node]:.3g}",
            f"S_postA {H.S_postA[0, node]:.3g}",
            f"S_ERROR {H.S_ERROR[0, node]:.3g}",
        ]
    assert texts(display, "I") == [f"S_postA {x:.3g}" for x in X[0]]


def test_edges_of_a_small_network_are_labelled_with_their_values():
    net = article_network()
    display = NetworkDisplay.from_estimator(net)
    for name, W in zip(["ItoH", "HtoO"], net.coefs_):
        labels = [text.get_text() for text in display.edge_texts_[name]]
        assert labels == [f"{w:.3g}" for w in W.ravel()]
    assert display.node_texts_ == {"I": [], "H": [], "O": []}  # no sample
    quiet = NetworkDisplay.from_estimator(net, annotate=False)
    assert quiet.edge_texts_ == {"ItoH": [], "HtoO": []}


def test_without_y_the_forward_pass_annotates_the_nodes(sample):
    X, y = sample
    net = article_network(use_bias=True, hidden=(4, 3))
    trace = net.explain_step(X, y, classes=[0, 1])
    display = NetworkDisplay.from_estimator(net, X[0])
    for layer in trace.layers[1:]:
        lines = [
            f"S_preA {pre:.3g}\nS_postA {post:.3g}"
            for pre, post in zip(layer.S_preA[0], layer.S_postA[0])
        ]
        assert texts(display, layer.name) == lines
    assert display.T is None and display.S_ERROR is None
    from_sparse = NetworkDisplay.from_estimator(net, sparse.csr_matrix(X))
    assert texts(from_sparse, "O") == texts(display, "O")


def test_show_gradient_draws_the_traces_gradient(sample):
    X, y = sample
    net = article_network(use_bias=True)
    trace = net.explain_step(X, y, classes=[0, 1])
    display = NetworkDisplay.from_trace(trace, show="gradient")
    for name in ["ItoH", "HtoO"]:
        gradient = trace[name].gradient.ravel()
        labels = [text.get_text() for text in display.edge_texts_[name]]
        n = gradient.size
        assert labels[:n] == [f"{g:.3g}" for g in gradient]
        bias = trace[name].intercept_gradient
        assert labels[n:] == [f"{g:.3g}" for g in bias]
        colors = display.edges_[name].get_colors()
        expected = [POSITIVE_COLOR if g > 0 else NEGATIVE_COLOR for g in gradient]
        assert_allclose(colors, [to_rgba(c) for c in expected])
    legend = [text.get_text() for text in display.legend_.get_texts()]
    assert legend[:2] == ["positive gradient", "negative gradient"]
    same = NetworkDisplay.from_estimator(net, X, y, classes=[0, 1], show="gradient")
    assert_allclose(
        same.edges_["HtoO"].get_linewidths(), display.edges_["HtoO"].get_linewidths()
    )


def test_from_trace_shows_the_chosen_sample():
    X, y = make_article_data(3, random_state=0)
    trace = article_network().explain_step(X, y, classes=[0, 1])
    assert y[2] != y[0]
    display = NetworkDisplay.from_trace(trace, sample=2)
    assert texts(display, "I") == [f"S_postA {x:.3g}" for x in X[2]]
    output = texts(display, "O")[0].splitlines()
    assert f"T {trace.T[2, 0]:.3g}" in output
    assert f"FE {trace.FE[2, 0]:.3g}" in output
    with pytest.raises(ValueError, match="sample must be the index of one of the"):
        NetworkDisplay.from_trace(trace, sample=3)


def test_a_wide_network_draws_the_first_and_last_nodes_and_an_ellipsis():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPBackpropClassifier((100,), max_iter=1, random_state=0).fit(X, y)
    display = NetworkDisplay.from_estimator(clf, X[0], y[0], max_nodes=12)
    assert display.shown_nodes_["I"] == [0, 1, 2, 3, 4, 59, 60, 61, 62, 63]
    assert display.shown_nodes_["H"] == [0, 1, 2, 3, 4, 95, 96, 97, 98, 99]
    assert display.shown_nodes_["O"] == list(range(10))
    for name, n in [("I", 10), ("H", 10), ("O", 10)]:
        assert len(display.nodes_[name].get_offsets()) == n <= 12
    assert set(display.ellipses_) == {"I", "H"}
    summary = display.summaries_["H"].get_text().splitlines()
    assert summary[0] == "90 more nodes"
    trace = clf.explain_step(X[:1], y[:1])
    hidden = trace["H"].S_postA[0, 5:95]
    assert summary[1] == f"S_postA {hidden.min():.3g} to {hidden.max():.3g}"
    # The ellipsis sits between the last node drawn before it and the first after.
    heights = display.nodes_["H"].get_offsets()[:, 1]
    ellipsis_height = display.ellipses_["H"].get_position()[1]
    assert heights[4] > ellipsis_height > heights[5]
    assert len(display.edges_["ItoH"].get_segments()) == 10 * 10
    assert display.edge_texts_ == {"ItoH": [], "HtoO": []}  # too many to label


def test_the_summary_of_left_out_nodes_covers_exactly_them():
    W1, W2 = np.ones((1, 5)), np.ones((5, 1))
    S_postA = [[1.0], [0.9, 0.2, 0.5, 0.4, 0.1], [0.7]]
    display = NetworkDisplay([W1, W2], S_postA=S_postA).plot(max_nodes=3)
    assert display.shown_nodes_["H"] == [0, 4]
    assert display.summaries_["H"].get_text() == "3 more nodes\nS_postA 0.2 to 0.5"


def test_a_pipelines_sample_goes_through_its_transformers():
    X, y = make_article_data(40, random_state=0)
    X = X * 100 + 7
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipeline = make_pipeline(
            StandardScaler(), MLPBackpropClassifier((4,), max_iter=2, random_state=0)
        ).fit(X, y)
    display = NetworkDisplay.from_estimator(pipeline, X[3], y[3])
    scaled = pipeline[0].transform(X[3:4])[0]
    assert_allclose(display.S_postA[0], scaled)
    trace = pipeline[-1].explain_step(scaled[np.newaxis], y[3:4])
    assert_allclose(display.FE, trace.FE[0])


def test_a_dataframe_row_keeps_its_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = make_article_data(20, random_state=0)
    X = pd.DataFrame(X, columns=["a", "b", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPBackpropClassifier((2,), max_iter=1, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "X does not have valid feature names"
        display = NetworkDisplay.from_estimator(clf, X.iloc[4], y[4])
    assert_allclose(display.S_postA[0], X.iloc[4])


def test_drawing_does_not_change_the_estimator(sample):
    X, y = sample
    net = article_network(use_bias=False)
    coefs = [W.copy() for W in net.coefs_]
    attributes = set(vars(net))
    NetworkDisplay.from_estimator(net, X, y, classes=[0, 1], show="gradient")
    NetworkDisplay.from_estimator(net, X)
    NetworkDisplay.from_estimator(net)
    for before, after in zip(coefs, net.coefs_):
        assert_array_equal(before, after)
    assert set(vars(net)) == attributes


def test_passing_an_axes_draws_into_it():
    _, ax = plt.subplots()
    display = NetworkDisplay.from_estimator(article_network(), ax=ax)
    assert display.ax_ is ax
    assert display.figure_ is ax.figure
    assert display.edges_["ItoH"] in ax.collections


def test_the_display_can_be_made_and_redrawn_from_arrays():
    W1 = np.array([[1.0, -2.0]])
    W2 = np.array([[0.5], [-0.25]])
    display = NetworkDisplay([W1, W2], [np.zeros(2), np.ones(1)])
    display.plot()
    assert list(display.bias_nodes_) == ["ItoH", "HtoO"]
    first = display.ax_
    display.plot(max_nodes=3, annotate=False)
    assert display.ax_ is not first
    with pytest.raises(ValueError, match="show='gradient' needs the gradients"):
        display.plot(show="gradient")
    display.S_postA = [[1.0], [0.5, 0.5]]
    with pytest.raises(ValueError, match="S_postA needs one entry per layer \\(3\\)"):
        display.plot()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"X": np.zeros((2, 3))},
            "one sample: X must be one row.*got shape \\(2, 3\\)",
        ),
        ({"X": np.zeros(4)}, "X has 4 features, but the network's input layer has 3"),
        ({"y": [1]}, "y is the label of a sample X: pass X too"),
        ({"X": np.zeros(3), "y": 1}, "was not fitted: pass every class of the"),
        ({"X": np.zeros(3), "show": "gradient"}, "show='gradient'.*pass the sample"),
        ({"show": "weight"}, "show must be one of \\('weights', 'gradient'\\)"),
        ({"max_nodes": 2}, "max_nodes must be an integer of at least 3"),
    ],
)
def test_bad_inputs_raise_a_clear_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        NetworkDisplay.from_estimator(article_network(), **kwargs)


def test_unfitted_or_foreign_estimators_are_refused():
    with pytest.raises(NotFittedError, match="has no weights"):
        NetworkDisplay.from_estimator(MLPBackpropClassifier())
    with pytest.raises(NotFittedError, match="has no weights"):
        NetworkDisplay.from_estimator(
            make_pipeline(StandardScaler(), MLPBackpropClassifier())
        )
    X, y = make_article_data(20, random_state=0)
    with pytest.raises(TypeError, match="MLPBackpropClassifier.*LogisticRegression"):
        NetworkDisplay.from_estimator(LogisticRegression().fit(X, y))


def test_without_matplotlib_drawing_raises_import_error(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="requires matplotlib"):
        NetworkDisplay.from_estimator(article_network())
