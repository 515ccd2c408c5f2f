"""LossCurveDisplay draws the fitted curves, in scikit-learn's Display style."""

import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import LossCurveDisplay, MLPBackpropClassifier, make_article_data

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    X, y = make_article_data(199, random_state=0)
    X_val, y_val = make_article_data(199, random_state=1)
    return X, y, X_val, y_val


def fitted(X, y, **fit_params):
    # E < 0.5, so no epoch improves by tol=1: training stops after n_iter_no_change
    # epochs, giving short curves without a ConvergenceWarning.
    clf = MLPBackpropClassifier((4,), tol=1.0, n_iter_no_change=5, random_state=0)
    return clf.fit(X, y, **fit_params)


def test_lines_hold_the_training_curve_against_the_epoch(data):
    X, y, _, _ = data
    clf = fitted(X, y)
    display = LossCurveDisplay.from_estimator(clf)
    line = display.lines_["loss"]
    assert_allclose(line.get_xdata(), np.arange(1, clf.n_iter_ + 1))
    assert_allclose(line.get_ydata(), clf.loss_curve_)


def test_without_validation_data_there_is_no_accuracy_axis(data):
    X, y, _, _ = data
    display = LossCurveDisplay.from_estimator(fitted(X, y))
    assert set(display.lines_) == {"loss"}
    assert display.ax_accuracy_ is None
    assert display.figure_.axes == [display.ax_]


def test_validation_curves_are_drawn_with_accuracy_on_a_twin_axis(data):
    X, y, X_val, y_val = data
    clf = fitted(X, y, X_val=X_val, y_val=y_val)
    display = LossCurveDisplay.from_estimator(clf)
    assert_allclose(
        display.lines_["validation_loss"].get_ydata(), clf.validation_loss_curve_
    )
    assert_allclose(
        display.lines_["validation_score"].get_ydata(), clf.validation_scores_
    )
    assert display.lines_["validation_loss"].axes is display.ax_
    accuracy_axis = display.ax_accuracy_
    assert display.lines_["validation_score"].axes is accuracy_axis
    assert accuracy_axis is not display.ax_
    assert accuracy_axis.get_shared_x_axes().joined(accuracy_axis, display.ax_)
    assert accuracy_axis.get_ylabel() == "validation accuracy"


def test_axes_are_labelled_and_the_legend_names_every_line(data):
    X, y, X_val, y_val = data
    clf = fitted(X, y, X_val=X_val, y_val=y_val)
    display = LossCurveDisplay.from_estimator(clf, name="article")
    assert display.ax_.get_xlabel() == "epoch"
    assert display.ax_.get_ylabel() == "loss E"
    legend = display.ax_.get_legend()
    assert [text.get_text() for text in legend.get_texts()] == [
        "training loss (article)",
        "validation loss (article)",
        "validation accuracy (article)",
    ]


@pytest.mark.parametrize("validation", [False, True], ids=["loss", "validation"])
def test_the_legend_covers_no_curve_tick_or_axis_label(data, validation):
    # Both y-axes' curves fill the plot, so the legend goes outside it; it must also
    # stay clear of the axes' ticks and labels and within the figure.
    X, y, X_val, y_val = data
    fit_params = {"X_val": X_val, "y_val": y_val} if validation else {}
    display = LossCurveDisplay.from_estimator(fitted(X, y, **fit_params))
    figure = display.figure_
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    (legend,) = [ax.get_legend() for ax in figure.axes if ax.get_legend()]
    legend = legend.get_window_extent(renderer)
    for line in display.lines_.values():
        points = line.get_transform().transform(line.get_xydata())
        assert not legend.count_contains(points), line.get_label()
    axes = [display.ax_, display.ax_accuracy_] if validation else [display.ax_]
    assert not legend.overlaps(display.ax_.get_window_extent(renderer))
    for axis in [ax.xaxis for ax in axes] + [ax.yaxis for ax in axes]:
        box = axis.get_tightbbox(renderer)
        assert box is None or not legend.overlaps(box)
    assert figure.bbox.containsx(legend.x0) and figure.bbox.containsx(legend.x1)
    assert figure.bbox.containsy(legend.y0) and figure.bbox.containsy(legend.y1)


def test_the_estimator_class_names_the_curves_by_default(data):
    X, y, _, _ = data
    display = LossCurveDisplay.from_estimator(fitted(X, y))
    assert display.estimator_name == "MLPBackpropClassifier"
    assert display.lines_["loss"].get_label() == "training loss (MLPBackpropClassifier)"


def test_passing_an_axes_draws_into_it():
    _, ax = plt.subplots()
    display = LossCurveDisplay(loss_curve=[0.3, 0.2, 0.1]).plot(ax=ax)
    assert display.ax_ is ax
    assert display.figure_ is ax.figure
    assert display.lines_["loss"] in ax.get_lines()
    assert display.lines_["loss"].get_label() == "training loss"


def test_displays_on_one_axes_get_their_own_colour():
    _, ax = plt.subplots()
    first = LossCurveDisplay(loss_curve=[0.3, 0.2], estimator_name="LR=1").plot(ax=ax)
    second = LossCurveDisplay(loss_curve=[0.4, 0.1], estimator_name="LR=3").plot(ax=ax)
    assert len(ax.get_lines()) == 2
    assert first.lines_["loss"].get_color() != second.lines_["loss"].get_color()
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [
        "training loss (LR=1)",
        "training loss (LR=3)",
    ]


def test_line_kw_reaches_every_line():
    display = LossCurveDisplay(
        loss_curve=[0.3, 0.2],
        validation_loss_curve=[0.35, 0.3],
        validation_scores=[0.6, 0.7],
    ).plot(line_kw={"color": "red", "linewidth": 3})
    for line in display.lines_.values():
        assert line.get_color() == "red"
        assert line.get_linewidth() == 3


def test_pipeline_uses_its_last_step(data):
    X, y, _, _ = data
    pipeline = make_pipeline(
        StandardScaler(),
        MLPBackpropClassifier((4,), tol=1.0, n_iter_no_change=5, random_state=0),
    ).fit(X, y)
    display = LossCurveDisplay.from_estimator(pipeline)
    assert_allclose(display.lines_["loss"].get_ydata(), pipeline[-1].loss_curve_)
    assert display.estimator_name == "MLPBackpropClassifier"


def test_unfitted_estimator_raises_not_fitted_error():
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(MLPBackpropClassifier())
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(
            make_pipeline(StandardScaler(), MLPBackpropClassifier())
        )


def test_estimator_without_loss_curve_raises_type_error(data):
    X, y, _, _ = data
    with pytest.raises(TypeError, match="loss_curve_.*LogisticRegression"):
        LossCurveDisplay.from_estimator(LogisticRegression().fit(X, y))


def test_importing_sk_mlpbp_does_not_import_matplotlib():
    code = "import sys, sk_mlpbp; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
