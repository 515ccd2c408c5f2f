"""LossCurveDisplay: the training curves of a fitted network.

The display follows scikit-learn's Display style (matplotlib is imported only when
plotting).
"""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils.validation import check_is_fitted


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
        Accuracy on the validation data after each epoch.

    estimator_name : str, default=None
        Name used in the legend. If None, the legend names the curves only.

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
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores
        self.estimator_name = estimator_name

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
                "validation accuracy",
                ":",
                color,
            )
            self.ax_accuracy_.set_ylabel("validation accuracy")
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
