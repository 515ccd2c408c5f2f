"""LossCurveDisplay and NetworkDisplay: a fitted network's curves and diagram.

The displays follow scikit-learn's Display style (matplotlib is imported only when
plotting).
"""

from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.pipeline import Pipeline
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils.validation import check_is_fitted

from sk_mlpbp._base import BaseMLPBackprop
from sk_mlpbp._explain import forward_pass, layer_names, weight_names
from sk_mlpbp._mlp import MLPBackpropClassifier


class LossCurveDisplay:
    """Loss curve visualization: the error E per epoch, and the validation curves.

    It is recommended to use :meth:`LossCurveDisplay.from_estimator` to create a
    ``LossCurveDisplay``. All parameters are stored as attributes.

    The training error E (``loss_curve_``) and, when ``fit`` had validation data,
    the validation error are drawn against the epoch on one axis; the validation
    accuracy (``validation_scores_``) is drawn on a second y-axis that shares the
    epochs. Each display draws its lines in one colour (solid: training E, dashed:
    validation E, dotted: validation accuracy), so several displays drawn on one
    axis, e.g. one per learning rate, stay apart.

    One legend, on ``ax_``, names the lines of both y-axes. It sits below the
    x-axis label, outside the plotting area, so that it hides no curve; a figure
    with constrained layout (``layout="constrained"``, as made when ``ax`` is None)
    makes room for it.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Mean per-sample training error E of each epoch.

    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Mean per-sample error E on the validation data after each epoch.

    validation_scores : array-like of shape (n_epochs,), default=None
        Accuracy (or another score) on the validation data after each epoch.

    estimator_name : str, default=None
        Name used in the legend. If None, the legend names the curves only.

    score_name : str, default="validation accuracy"
        The validation score's name on its axis and in the legend
        (``"validation R^2"`` for a regressor).

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the training and validation errors.

    ax_accuracy_ : matplotlib Axes or None
        Twin of ``ax_`` (same epochs, its own y-axis on the right) with the
        validation accuracy; None when there are no validation scores.

    figure_ : matplotlib Figure
        Figure containing the axes.

    lines_ : dict of str to matplotlib Line2D
        The lines drawn, under the keys ``"loss"``, ``"validation_loss"`` (on
        ``ax_``) and ``"validation_score"`` (on ``ax_accuracy_``); a key is present
        only when its curve was given.

    See Also
    --------
    LossCurveDisplay.from_estimator : Plot the curves of a fitted estimator.
    sklearn.model_selection.LearningCurveDisplay : Scores against training size.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")  # draw without a display
    >>> import matplotlib.pyplot as plt
    >>> from sk_mlpbp import LossCurveDisplay, MLPBackpropClassifier, make_article_data
    >>> X, y = make_article_data(199, random_state=0)
    >>> X_val, y_val = make_article_data(199, random_state=1)
    >>> clf = MLPBackpropClassifier(
    ...     (4,), batch_size=1, early_stopping=True, random_state=0
    ... ).fit(X, y, X_val=X_val, y_val=y_val)
    >>> display = LossCurveDisplay.from_estimator(clf)
    >>> sorted(display.lines_)
    ['loss', 'validation_loss', 'validation_score']
    >>> plt.close(display.figure_)
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_loss_curve=None,
        validation_scores=None,
        estimator_name=None,
        score_name="validation accuracy",
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores
        self.estimator_name = estimator_name
        self.score_name = score_name

    def plot(self, ax=None, *, name=None, line_kw=None):
        """Plot visualization.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure (with constrained
            layout) and axes are created.

        name : str, default=None
            Name used in the legend; overrides ``estimator_name``.

        line_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``plot`` for every line of
            this display, e.g. ``{"color": "C3"}``.

        Returns
        -------
        display : LossCurveDisplay
            Object that stores computed values.
        """
        check_matplotlib_support(f"{self.__class__.__name__}.plot")
        import matplotlib.pyplot as plt

        if ax is None:
            # Constrained layout makes room for the legend below the axes.
            _, ax = plt.subplots(layout="constrained")
        name = self.estimator_name if name is None else name
        line_kw = {} if line_kw is None else line_kw

        def label(curve):
            return curve if name is None else f"{curve} ({name})"

        def draw(axis, curve, key, text, linestyle, color=None):
            values = np.asarray(curve, dtype=float)
            kwargs = {"linestyle": linestyle, "label": label(text)}
            if color is not None:
                kwargs["color"] = color
            (self.lines_[key],) = axis.plot(
                np.arange(1, len(values) + 1), values, **{**kwargs, **line_kw}
            )

        self.lines_ = {}
        draw(ax, self.loss_curve, "loss", "training loss", "-")
        color = self.lines_["loss"].get_color()
        if self.validation_loss_curve is not None:
            draw(
                ax,
                self.validation_loss_curve,
                "validation_loss",
                "validation loss",
                "--",
                color,
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss E")

        handles = ax.get_legend_handles_labels()[0]
        self.ax_accuracy_ = None
        if self.validation_scores is not None:
            self.ax_accuracy_ = ax.twinx()
            draw(
                self.ax_accuracy_,
                self.validation_scores,
                "validation_score",
                self.score_name,
                ":",
                color,
            )
            self.ax_accuracy_.set_ylabel(self.score_name)
            handles.append(self.lines_["validation_score"])
        _legend_below_x_axis(ax, handles)

        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, line_kw=None):
        """Plot the loss and validation curves of a fitted estimator.

        Parameters
        ----------
        estimator : MLPBackpropClassifier or Pipeline
            A fitted :class:`MLPBackpropClassifier`, or a fitted ``Pipeline``
            whose last step is one. The curves are its ``loss_curve_``,
            ``validation_loss_curve_`` and ``validation_scores_`` (the last two
            only when ``fit`` had validation data).

        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes are created.

        name : str, default=None
            Name used in the legend. If None, the class name of the estimator
            (the pipeline's last step) is used.

        line_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``plot`` for every line.

        Returns
        -------
        display : LossCurveDisplay
            Object that stores the curves and the drawn artists.

        Raises
        ------
        NotFittedError
            If the estimator is not fitted.

        TypeError
            If the estimator records no ``loss_curve_``.
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        if isinstance(estimator, Pipeline):
            estimator = estimator[-1]
        check_is_fitted(estimator)
        if not hasattr(estimator, "loss_curve_"):
            raise TypeError(
                f"{cls.__name__} needs an estimator that records a loss_curve_, "
                f"such as MLPBackpropClassifier; got {type(estimator).__name__}."
            )
        display = cls(
            loss_curve=estimator.loss_curve_,
            validation_loss_curve=getattr(estimator, "validation_loss_curve_", None),
            validation_scores=getattr(estimator, "validation_scores_", None),
            estimator_name=type(estimator).__name__ if name is None else name,
            score_name=getattr(estimator, "_score_name", "validation score"),
        )
        return display.plot(ax=ax, line_kw=line_kw)


def _legend_below_x_axis(ax, handles):
    """Draw one legend for both y-axes below the x-axis label of ``ax``.

    Inside the axes no spot is sure to be free: the error falls across the plot while
    the accuracy rises across it, and matplotlib's ``loc="best"`` sees the lines of
    one axes only, not those of its twin.
    """
    from matplotlib.transforms import ScaledTranslation

    tick = ax.xaxis.get_major_ticks()[0]
    # Points from the bottom of the axes past the ticks, their labels and the axis
    # label, a line of text being 1.2 times its font size.
    below = (
        tick.get_tick_padding()
        + tick.get_pad()
        + 1.2 * tick.label1.get_size()
        + ax.xaxis.labelpad
        + 1.2 * ax.xaxis.label.get_size()
    )
    offset = ScaledTranslation(0, -below / 72, ax.figure.dpi_scale_trans)
    return ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0),
        bbox_transform=ax.transAxes + offset,
    )


#: Edge colours by the sign of the value an edge shows.
POSITIVE_COLOR, NEGATIVE_COLOR, ZERO_COLOR = "tab:blue", "tab:red", "0.6"

#: Edge widths in points: the largest magnitude drawn gets the widest line, zero the
#: thinnest, which still shows.
MIN_EDGE_WIDTH, MAX_EDGE_WIDTH = 0.4, 4.0

#: Edges are labelled with their values only when at most this many are drawn.
EDGE_LABELS_MAX = 30

_SHOW = ("weights", "gradient")


class NetworkDisplay:
    """Network visualization: the layers, their weights and one sample's signals.

    It is recommended to use :meth:`NetworkDisplay.from_estimator` or
    :meth:`NetworkDisplay.from_trace` to create a ``NetworkDisplay``. All
    parameters are stored as attributes.

    The article's diagram, drawn from a network: its layers left to right (named
    I, H, O, or I, H1, ..., Hn, O), each node a circle with its index inside, and a
    bias node (a square whose output is 1) under every layer that feeds the next
    one, when the network has biases. An edge shows a weight (or, with
    ``show="gradient"``, the gradient of the error with respect to it): blue
    (``"tab:blue"``) where it is positive, red (``"tab:red"``) where negative, grey
    where 0, and its width grows with its magnitude, relative to the largest
    magnitude drawn. The legend below the drawing says so.

    Given one sample's signals, each node is annotated with them, rounded to 3
    significant digits: the inputs with their S_postA, the hidden nodes with S_preA,
    S_postA and (given the target) S_ERROR, the outputs also with T and FE. When
    at most ``EDGE_LABELS_MAX`` (30) edges are drawn, each is labelled with its
    value too.

    A layer of more than ``max_nodes`` nodes (see :meth:`plot`) is drawn as its
    first and last ``(max_nodes - 1) // 2`` nodes, the nodes the printed step trace
    shows for the default 12, with a vertical ellipsis between them and, beside it,
    how many nodes it stands for and the range of their S_postA. Edges to and from
    those nodes are not drawn.

    Parameters
    ----------
    coefs : list of array-like of shape (n_below, n_above)
        The weights of every layer, input side first (the article's ItoH, HtoO).

    intercepts : list of array-like of shape (n_above,), default=None
        The biases of every non-input layer; None for a network without biases.

    S_preA : list of array-like of shape (n_units,) or None, default=None
        One sample's pre-activations, one entry per layer (None for the input
        layer); None when no sample is shown.

    S_postA : list of array-like of shape (n_units,), default=None
        One sample's post-activations, one entry per layer (the inputs first);
        None when no sample is shown.

    T, FE : array-like of shape (n_outputs,), default=None
        The sample's targets and final errors ``S_postA,O - T``; None without a
        target.

    S_ERROR : list of array-like of shape (n_units,) or None, default=None
        The sample's error signals, one entry per layer (None for the input layer);
        None without a target.

    gradients : list of array-like of shape (n_below, n_above), default=None
        The gradient of the error with respect to every weight, which
        ``plot(show="gradient")`` draws on the edges; None when not known.

    intercept_gradients : list of array-like of shape (n_above,), default=None
        The gradient with respect to every bias; None when not known or without
        biases.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the network.

    figure_ : matplotlib Figure
        Figure containing the axes.

    shown_nodes_ : dict of str to list of int
        For every layer name, the indices of the nodes drawn, top to bottom.

    nodes_ : dict of str to matplotlib PathCollection
        For every layer name, its drawn nodes, in the order of ``shown_nodes_``.

    bias_nodes_ : dict of str to matplotlib PathCollection
        For every weight matrix name (``"ItoH"``, ...), the bias node feeding the
        upper layer; empty without biases.

    edges_ : dict of str to matplotlib LineCollection
        For every weight matrix name, its drawn edges: one segment for each pair of
        drawn nodes, by lower node then upper node, in the order of
        ``shown_nodes_``.

    bias_edges_ : dict of str to matplotlib LineCollection
        For every weight matrix name, the edges from its bias node to the drawn
        upper nodes; empty without biases.

    node_texts_ : dict of str to list of matplotlib Text
        For every layer name, the annotation of each drawn node, in the order of
        ``shown_nodes_``; empty lists when no sample is shown or ``annotate`` is
        False.

    edge_texts_ : dict of str to list of matplotlib Text
        For every weight matrix name, the labels of its edges, in the order of the
        segments of ``edges_`` and then ``bias_edges_``; empty lists when more
        than 30 edges are drawn or ``annotate`` is False.

    ellipses_ : dict of str to matplotlib Text
        For every layer with nodes left out, the vertical ellipsis standing for
        them.

    summaries_ : dict of str to matplotlib Text
        For every layer with nodes left out, the text beside its ellipsis: how many
        nodes it stands for and, given a sample, the range of their S_postA.

    legend_ : matplotlib Legend
        The legend of the edges' colours (and of the bias node).

    See Also
    --------
    NetworkDisplay.from_estimator : Draw a network, with one sample's signals.
    NetworkDisplay.from_trace : Draw the step of a :class:`StepTrace`.
    LossCurveDisplay : The training curves of a fitted network.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")  # draw without a display
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from sk_mlpbp import MLPBackpropClassifier, NetworkDisplay
    >>> net = MLPBackpropClassifier((2,), use_bias=False)
    >>> net.coefs_ = [np.array([[0.1, -0.2], [0.3, 0.4]]), np.array([[0.5], [-0.6]])]
    >>> display = NetworkDisplay.from_estimator(net, [1.0, 0.5], [1], classes=[0, 1])
    >>> display.shown_nodes_
    {'I': [0, 1], 'H': [0, 1], 'O': [0]}
    >>> print(display.node_texts_["O"][0].get_text())
    S_preA -0.0189
    S_postA 0.495
    T 1
    FE -0.505
    S_ERROR -0.126
    >>> plt.close(display.figure_)
    """

    def __init__(
        self,
        coefs,
        intercepts=None,
        *,
        S_preA=None,
        S_postA=None,
        T=None,
        FE=None,
        S_ERROR=None,
        gradients=None,
        intercept_gradients=None,
    ):
        self.coefs = coefs
        self.intercepts = intercepts
        self.S_preA = S_preA
        self.S_postA = S_postA
        self.T = T
        self.FE = FE
        self.S_ERROR = S_ERROR
        self.gradients = gradients
        self.intercept_gradients = intercept_gradients

    def plot(self, ax=None, *, show="weights", max_nodes=12, annotate=True):
        """Plot visualization.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure (with constrained
            layout, sized for the network) and axes are created.

        show : {"weights", "gradient"}, default="weights"
            What the edges show: the weights and biases, or the gradient of the
            error with respect to them (``gradients`` and ``intercept_gradients``).

        max_nodes : int, default=12
            A layer of more nodes is drawn as its first and last
            ``(max_nodes - 1) // 2`` nodes with an ellipsis between; at least 3.

        annotate : bool, default=True
            Whether to write the sample's signals beside the nodes and, when at
            most 30 edges are drawn, the edges' values on them.

        Returns
        -------
        display : NetworkDisplay
            Object that stores computed values.
        """
        check_matplotlib_support(f"{self.__class__.__name__}.plot")
        import matplotlib.pyplot as plt
        from matplotlib.lines import Line2D

        _check_show(show)
        _check_max_nodes(max_nodes)
        if show == "weights":
            values, bias_values = self.coefs, self.intercepts
        elif self.gradients is None:
            raise ValueError(
                "show='gradient' needs the gradients: draw from a step trace "
                "(NetworkDisplay.from_trace), or from an estimator with X and y."
            )
        else:
            values, bias_values = self.gradients, self.intercept_gradients
        values = [np.asarray(matrix, dtype=float) for matrix in values]
        if bias_values is not None:
            bias_values = [np.asarray(bias, dtype=float) for bias in bias_values]
        sizes = [values[0].shape[0], *(matrix.shape[1] for matrix in values)]
        samples = _SampleValues(self, len(sizes))

        layout = _Layout(sizes, max_nodes)
        has_bias = bias_values is not None
        if ax is None:
            spacing = 0.8 if annotate and samples.given else 0.45
            margin = 3.0 if annotate and samples.given else 1.0
            figsize = (
                margin + 2.2 * (len(sizes) - 1),
                max(3.0, spacing * (layout.n_rows + has_bias + 2) + 0.8),
            )
            _, ax = plt.subplots(figsize=figsize, layout="constrained")
        self._draw_edges(ax, layout, values, bias_values, annotate)
        self._draw_nodes(ax, layout, samples, has_bias, annotate)

        top = (layout.n_rows - 1) / 2 + 1
        for k, name in enumerate(layout.names):
            nodes = "node" if sizes[k] == 1 else "nodes"
            ax.text(k, top, f"{name}\n{sizes[k]} {nodes}", ha="center", va="bottom")
        for k, name in enumerate(layout.matrix_names):
            ax.text(k + 0.5, top, name, ha="center", va="bottom", color="0.4")
        label = "weight" if show == "weights" else "gradient"
        handles = [
            Line2D([], [], color=POSITIVE_COLOR, lw=2, label=f"positive {label}"),
            Line2D([], [], color=NEGATIVE_COLOR, lw=2, label=f"negative {label}"),
        ]
        if has_bias:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="s",
                    linestyle="none",
                    markerfacecolor="white",
                    markeredgecolor="black",
                    label="bias node (outputs 1)",
                )
            )
        self.legend_ = ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 0),
            ncols=len(handles),
            frameon=False,
            fontsize="small",
            title=f"an edge's width grows with |{label}|",
            title_fontsize="small",
        )
        bottom = layout.bias_height if has_bias else -(layout.n_rows - 1) / 2
        ax.set_xlim(-0.5, len(sizes) - 0.5)
        ax.set_ylim(bottom - 0.6, top + 0.6)
        ax.set_axis_off()

        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _draw_edges(self, ax, layout, values, bias_values, annotate):
        """Draw every matrix's edges (and its bias edges), labelled if few."""
        from matplotlib.collections import LineCollection

        self.edges_, self.bias_edges_ = {}, {}
        self.edge_texts_ = {name: [] for name in layout.matrix_names}
        # Every edge's segment, value and label position first, so that one scale
        # of widths covers the whole drawing.
        edge_sets = []  # (attribute, matrix name, segments, values, label positions)
        for k, name in enumerate(layout.matrix_names):
            below, above = layout.heights[k], layout.heights[k + 1]
            shown_above = layout.shown(k + 1)
            shown_below = layout.shown(k)
            pairs = [(i, j) for i in shown_below for j in shown_above]
            # A label sits further along its edge the lower its upper node, so that
            # the labels of the edges leaving one node do not pile up.
            along = _label_positions(shown_above)
            edge_sets.append(
                (
                    self.edges_,
                    name,
                    [[(k, below[i]), (k + 1, above[j])] for i, j in pairs],
                    values[k][np.ix_(shown_below, shown_above)].ravel(),
                    [along[j] for _, j in pairs],
                )
            )
            if bias_values is not None:
                edge_sets.append(
                    (
                        self.bias_edges_,
                        name,
                        [
                            [(k, layout.bias_height), (k + 1, above[j])]
                            for j in shown_above
                        ],
                        bias_values[k][shown_above],
                        [along[j] for j in shown_above],
                    )
                )
        scale = _magnitude_scale([edge_set[3] for edge_set in edge_sets])
        n_edges = sum(len(edge_set[3]) for edge_set in edge_sets)
        label_edges = annotate and n_edges <= EDGE_LABELS_MAX
        for attribute, name, segments, edge_values, label_at in edge_sets:
            attribute[name] = ax.add_collection(
                LineCollection(
                    segments,
                    colors=_sign_colors(edge_values),
                    linewidths=_widths(edge_values, scale),
                    zorder=1,
                )
            )
            if not label_edges:
                continue
            for ((x0, y0), (x1, y1)), t, value in zip(segments, label_at, edge_values):
                self.edge_texts_[name].append(
                    ax.text(
                        x0 + t * (x1 - x0),
                        y0 + t * (y1 - y0),
                        _number(value),
                        fontsize=6,
                        ha="center",
                        va="center",
                        zorder=2,
                        bbox=_TEXT_BOX,
                    )
                )

    def _draw_nodes(self, ax, layout, samples, has_bias, annotate):
        """Draw every layer's nodes, ellipsis and bias node, with their texts."""
        self.shown_nodes_, self.nodes_, self.node_texts_ = {}, {}, {}
        self.ellipses_, self.summaries_, self.bias_nodes_ = {}, {}, {}
        last = len(layout.sizes) - 1
        for k, name in enumerate(layout.names):
            shown = self.shown_nodes_[name] = layout.shown(k)
            ys = [layout.heights[k][node] for node in shown]
            self.nodes_[name] = ax.scatter(
                np.full(len(shown), k),
                ys,
                s=300,
                facecolors="white",
                edgecolors="black",
                zorder=3,
            )
            for node, y in zip(shown, ys):
                ax.text(k, y, str(node), fontsize=6, ha="center", va="center", zorder=4)
            # The input layer's annotations go left of it and the outputs' right,
            # where no edge runs; a hidden node's go above it, over its edges.
            where = "left" if k == 0 else "right" if k == last else "above"
            texts = self.node_texts_[name] = []
            if annotate and samples.given:
                for node, y in zip(shown, ys):
                    lines = samples.lines(k, node, output=k == last)
                    texts.append(_annotate(ax, "\n".join(lines), (k, y), where))
            if None in layout.heights[k]:
                y = layout.heights[k][None]
                self.ellipses_[name] = ax.text(
                    k, y, "\u22ee", fontsize=16, ha="center", va="center", zorder=3
                )
                hidden = np.setdiff1d(np.arange(layout.sizes[k]), shown)
                summary = [f"{len(hidden)} more nodes"]
                if samples.S_postA[k] is not None:
                    post = samples.S_postA[k][hidden]
                    summary.append(
                        f"S_postA {_number(post.min())} to {_number(post.max())}"
                    )
                self.summaries_[name] = _annotate(
                    ax, "\n".join(summary), (k, y), "left" if k == 0 else "right"
                )
            if has_bias and k < last:
                self.bias_nodes_[layout.matrix_names[k]] = ax.scatter(
                    [k],
                    [layout.bias_height],
                    s=200,
                    marker="s",
                    facecolors="white",
                    edgecolors="black",
                    zorder=3,
                )
                ax.text(
                    k,
                    layout.bias_height,
                    "1",
                    fontsize=6,
                    ha="center",
                    va="center",
                    zorder=4,
                )

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X=None,
        y=None,
        *,
        classes=None,
        show="weights",
        ax=None,
        max_nodes=12,
        annotate=True,
    ):
        """Draw a network, and the signals of one sample through it.

        Without ``X`` the network's weights are drawn. With one sample ``X`` its
        forward pass annotates the nodes (S_preA and S_postA); with its label ``y``
        too, the step :meth:`MLPBackpropClassifier.explain_step` would take on it
        adds T and FE at the outputs and S_ERROR at every node, and its gradients
        can be drawn on the edges. The estimator is not changed.

        Parameters
        ----------
        estimator : MLPBackpropClassifier or Pipeline
            A fitted :class:`MLPBackpropClassifier`, one whose ``coefs_`` (and
            ``intercepts_``) were assigned, or a ``Pipeline`` whose last step is
            one: ``X`` then goes through the pipeline's other steps first.

        X : array-like of shape (1, n_features) or (n_features,), default=None
            One sample: the diagram shows the signals of one sample.

        y : array-like of shape (1,) or (1, n_labels), or a label, default=None
            The sample's label; needs ``X``.

        classes : array-like of shape (n_classes,), default=None
            For an estimator that was not fitted, every class of the model (see
            :meth:`MLPBackpropClassifier.explain_step`).

        show : {"weights", "gradient"}, default="weights"
            What the edges show; ``"gradient"`` needs ``X`` and ``y``.

        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes are created.

        max_nodes : int, default=12
            A layer of more nodes is drawn as its first and last nodes with an
            ellipsis between; see :meth:`plot`.

        annotate : bool, default=True
            Whether to write the signals beside the nodes and the edges' values.

        Returns
        -------
        display : NetworkDisplay
            Object that stores the network, the sample's signals and the drawn
            artists.

        Raises
        ------
        NotFittedError
            If the estimator has no weights.

        TypeError
            If the estimator (the pipeline's last step) is not an
            :class:`MLPBackpropClassifier`.

        ValueError
            If ``X`` holds more than one sample, or does not fit the network;
            if ``y`` is given without ``X``, or without ``classes`` to an
            estimator that was not fitted; if ``show`` is unknown, or
            ``"gradient"`` without ``y``.
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        _check_show(show)
        transformers = None
        if isinstance(estimator, Pipeline):
            transformers, estimator = estimator[:-1], estimator[-1]
        if not isinstance(estimator, BaseMLPBackprop):
            raise TypeError(
                f"{cls.__name__} draws an MLPBackpropClassifier or "
                "MLPBackpropRegressor (or a Pipeline ending in one); got "
                f"{type(estimator).__name__}."
            )
        network = estimator._network_copy()  # NotFittedError without weights
        if X is None:
            if y is not None:
                raise ValueError("y is the label of a sample X: pass X too.")
        elif y is not None and np.ndim(y) == 0:
            y = [y]  # one sample's label
        if show == "gradient" and y is None:
            raise ValueError(
                "show='gradient' draws the gradients of one sample's step: pass "
                "the sample X and its label y."
            )
        plot_params = {"show": show, "ax": ax, "max_nodes": max_nodes}
        plot_params["annotate"] = annotate
        if X is None:
            display = cls(
                network.coefs_, network.intercepts_ if estimator.use_bias else None
            )
            return display.plot(**plot_params)
        X = _one_sample(X, network.coefs_[0].shape[0], transformers)
        if y is not None:
            if isinstance(estimator, MLPBackpropClassifier) and (
                classes is None
                and not hasattr(estimator, "classes_")
                and np.ndim(y) == 1
            ):
                # One label is one class; explain_step needs every class.
                raise ValueError(
                    f"This {type(estimator).__name__} was not fitted: pass every "
                    "class of the model as classes (e.g. classes=[0, 1]) to encode "
                    "the sample's label y."
                )
            trace = estimator._traced_step(X, y, None, classes)
            return cls._from_trace(trace, 0).plot(**plot_params)
        # The sample's forward pass, validated as explain_step validates it.
        network, X, _, _ = estimator._step_model(X, None, None, None)
        if sparse.issparse(X):
            X = X.toarray()
        with np.errstate(over="ignore"):  # as in training: overflow saturates f_A
            S_preA, S_postA = forward_pass(
                X, network.coefs_, network.intercepts_, network._activates_output()
            )
        display = cls(
            network.coefs_,
            network.intercepts_ if estimator.use_bias else None,
            S_preA=[None, *(layer[0] for layer in S_preA)],
            S_postA=[layer[0] for layer in S_postA],
        )
        return display.plot(**plot_params)

    @classmethod
    def from_trace(
        cls, trace, sample=0, *, show="weights", ax=None, max_nodes=12, annotate=True
    ):
        """Draw the network of a step trace, with one sample's signals.

        Parameters
        ----------
        trace : StepTrace
            The step, from :meth:`MLPBackpropClassifier.explain_step`.

        sample : int, default=0
            The sample of the trace's batch whose signals (S_preA, S_postA, T, FE,
            S_ERROR) annotate the nodes.

        show : {"weights", "gradient"}, default="weights"
            What the edges show: the weights before the step, or the step's
            gradient. The gradient is the batch's (weighted) mean, the sample's
            own for a trace of one sample.

        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes are created.

        max_nodes : int, default=12
            A layer of more nodes is drawn as its first and last nodes with an
            ellipsis between; see :meth:`plot`.

        annotate : bool, default=True
            Whether to write the signals beside the nodes and the edges' values.

        Returns
        -------
        display : NetworkDisplay
            Object that stores the network, the sample's signals and the drawn
            artists.

        Raises
        ------
        ValueError
            If ``sample`` is not a sample of the trace, or ``show`` is unknown.
        """
        check_matplotlib_support(f"{cls.__name__}.from_trace")
        _check_show(show)
        n_samples = trace.E.shape[0]
        if not (
            isinstance(sample, Integral)
            and not isinstance(sample, bool)
            and -n_samples <= sample < n_samples
        ):
            raise ValueError(
                f"sample must be the index of one of the trace's {n_samples} "
                f"sample(s); got {sample!r}."
            )
        return cls._from_trace(trace, sample).plot(
            ax=ax, show=show, max_nodes=max_nodes, annotate=annotate
        )

    @classmethod
    def _from_trace(cls, trace, sample):
        """Return the display of a trace's network and its sample ``sample``."""

        def row(values):
            return None if values is None else values[sample]

        return cls(
            [w.weights for w in trace.weights],
            [w.intercepts for w in trace.weights]
            if trace.weights[0].intercepts is not None
            else None,
            S_preA=[row(layer.S_preA) for layer in trace.layers],
            S_postA=[row(layer.S_postA) for layer in trace.layers],
            T=trace.T[sample],
            FE=trace.FE[sample],
            S_ERROR=[row(layer.S_ERROR) for layer in trace.layers],
            gradients=[w.gradient for w in trace.weights],
            intercept_gradients=[w.intercept_gradient for w in trace.weights]
            if trace.weights[0].intercept_gradient is not None
            else None,
        )


class _SampleValues:
    """One sample's values of every layer's nodes, as float arrays or None."""

    def __init__(self, display, n_layers):
        def per_layer(name):
            values = getattr(display, name)
            if values is None:
                return [None] * n_layers
            if len(values) != n_layers:
                raise ValueError(
                    f"{name} needs one entry per layer ({n_layers}); got {len(values)}."
                )
            return [None if v is None else np.asarray(v, dtype=float) for v in values]

        def outputs(name):
            values = getattr(display, name)
            return None if values is None else np.asarray(values, dtype=float)

        self.S_preA = per_layer("S_preA")
        self.S_postA = per_layer("S_postA")
        self.S_ERROR = per_layer("S_ERROR")
        self.T, self.FE = outputs("T"), outputs("FE")
        self.given = display.S_postA is not None

    def lines(self, k, node, output):
        """Return the annotation lines of node ``node`` of layer ``k``."""
        named = [("S_preA", self.S_preA[k]), ("S_postA", self.S_postA[k])]
        if output:
            named += [("T", self.T), ("FE", self.FE)]
        named.append(("S_ERROR", self.S_ERROR[k]))
        return [
            f"{name} {_number(values[node])}"
            for name, values in named
            if values is not None
        ]


_TEXT_BOX = {
    "boxstyle": "round,pad=0.15",
    "facecolor": "white",
    "edgecolor": "none",
    "alpha": 0.85,
}

# Offset in points from a node's centre (its circle's radius is about 9 points),
# and the alignment, of the text beside it.
_PLACES = {
    "left": ((-12, 0), "right", "center"),
    "right": ((12, 0), "left", "center"),
    "above": ((0, 10), "center", "bottom"),
}


def _annotate(ax, text, xy, where):
    offset, ha, va = _PLACES[where]
    return ax.annotate(
        text,
        xy,
        xytext=offset,
        textcoords="offset points",
        ha=ha,
        va=va,
        fontsize=6,
        zorder=4,
        bbox=_TEXT_BOX,
    )


def _number(value):
    return f"{value:.3g}"


def _check_show(show):
    if show not in _SHOW:
        raise ValueError(f"show must be one of {_SHOW}; got {show!r}.")


def _check_max_nodes(max_nodes):
    if not (
        isinstance(max_nodes, Integral)
        and not isinstance(max_nodes, bool)
        and max_nodes >= 3
    ):
        raise ValueError(
            "max_nodes must be an integer of at least 3 (the first node, the "
            f"ellipsis and the last); got {max_nodes!r}."
        )


class _Layout:
    """Where the nodes of a network of ``sizes`` nodes per layer are drawn.

    Layer ``k`` is the column at x = k. A layer of more than ``max_nodes`` nodes
    keeps its first and last ``(max_nodes - 1) // 2``, with the ellipsis (node
    None) in the row between them. Row r of a column of n rows is at height
    ``(n - 1) / 2 - r``, so that every column is centred; the bias nodes share one
    row below them all.
    """

    def __init__(self, sizes, max_nodes):
        self.sizes = sizes
        self.names = layer_names(len(sizes))
        self.matrix_names = weight_names(len(sizes))
        edge = (max_nodes - 1) // 2
        columns = [
            list(range(n))
            if n <= max_nodes
            else [*range(edge), None, *range(n - edge, n)]
            for n in sizes
        ]
        self.n_rows = max(len(column) for column in columns)
        # Per layer, the height of each drawn node (and of the ellipsis, None).
        self.heights = [
            {node: (len(column) - 1) / 2 - row for row, node in enumerate(column)}
            for column in columns
        ]
        self.bias_height = -(self.n_rows - 1) / 2 - 1

    def shown(self, k):
        """Return the drawn nodes of layer ``k``, top to bottom."""
        return [node for node in self.heights[k] if node is not None]


def _label_positions(shown_above):
    """Return, per upper node, how far along its edges their labels sit."""
    if len(shown_above) == 1:
        return {shown_above[0]: 0.5}
    last = len(shown_above) - 1
    return {node: 0.25 + 0.5 * row / last for row, node in enumerate(shown_above)}


def _magnitude_scale(values):
    """Return the largest finite magnitude among the arrays ``values``, or 0."""
    magnitudes = np.abs(np.concatenate([np.ravel(v) for v in values]))
    magnitudes = magnitudes[np.isfinite(magnitudes)]
    return float(magnitudes.max()) if magnitudes.size else 0.0


def _sign_colors(values):
    return [
        POSITIVE_COLOR if v > 0 else NEGATIVE_COLOR if v < 0 else ZERO_COLOR
        for v in values
    ]


def _widths(values, scale):
    """Return line widths growing linearly with ``|values| / scale``."""
    if scale == 0:
        return np.full(len(values), MIN_EDGE_WIDTH)
    # An infinite value (a diverged network) is drawn as wide as the widest; NaN as
    # thin as 0.
    share = np.clip(np.nan_to_num(np.abs(values) / scale, nan=0.0), 0.0, 1.0)
    return MIN_EDGE_WIDTH + (MAX_EDGE_WIDTH - MIN_EDGE_WIDTH) * share


def _one_sample(X, n_inputs, transformers):
    """Return ``X`` as one row, through the pipeline's ``transformers`` if any."""
    if hasattr(X, "to_frame"):
        # A pandas Series, a row of a DataFrame: its index names the features.
        X = X.to_frame().T
    elif not sparse.issparse(X) and np.ndim(X) == 1:
        X = np.reshape(X, (1, -1))
    shape = np.shape(X)
    if len(shape) != 2 or shape[0] != 1:
        raise ValueError(
            "NetworkDisplay draws the signals of one sample: X must be one row, of "
            f"shape (1, n_features) or (n_features,); got shape {shape}."
        )
    if transformers is not None:
        X = transformers.transform(X)
    n_features = np.shape(X)[1]
    if n_features != n_inputs:
        after = " after the pipeline's transformers" if transformers else ""
        raise ValueError(
            f"X has {n_features} features{after}, but the network's input layer "
            f"has {n_inputs} nodes."
        )
    return X
