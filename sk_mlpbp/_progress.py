"""Per-epoch progress of ``fit`` for the command line.

A bar redrawn in place on a terminal, one plain line per epoch otherwise. The
estimator calls the display after every epoch it records, through a private hook
that works on every supported scikit-learn (the callback API, ``sklearn.callback``,
only exists from scikit-learn 1.9); the display reads the epoch from the estimator's
fitted attributes (``n_iter_``, ``loss_curve_``, ``validation_scores_``), so whatever
else is printed during ``fit`` is no epoch.
"""

import contextlib
import sys


class EpochDisplay:
    """Shows each epoch on ``stream``: a bar on a terminal, plain lines otherwise.

    Parameters
    ----------
    stream : file-like
        Where to write, e.g. ``sys.stdout``.

    total : int
        The number of epochs asked for (``max_iter``); training may stop sooner.

    width : int, default=30
        Characters of the bar.
    """

    def __init__(self, stream, total, width=30):
        self.stream = stream
        self.total = total
        self.width = width
        self.bar = stream.isatty()
        self.drawn = False

    def epoch(self, estimator):
        """Show the epoch that ``estimator`` has just recorded.

        Parameters
        ----------
        estimator : MLPBackpropClassifier or MLPBackpropRegressor
            The estimator being fitted.
        """
        n = estimator.n_iter_
        text = f"loss {estimator.loss_curve_[-1]:.6f}"
        if estimator.validation_scores_:
            # The score's name: "validation accuracy", or a regressor's R^2.
            name = getattr(estimator, "_score_name", "validation accuracy")
            text += f", {name} {estimator.validation_scores_[-1]:.4f}"
        if self.bar:
            filled = self.width * n // self.total
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\repoch {n}/{self.total} [{bar}] {text}")
            self.drawn = True
        else:
            self.stream.write(f"epoch {n}/{self.total}: {text}\n")
        self.stream.flush()

    def note(self, line):
        """Show a line of text below the bar.

        Parameters
        ----------
        line : str
            The text, without a newline.
        """
        self.close()
        self.stream.write(f"{line}\n")

    def close(self):
        """End the bar's line, if a bar is drawn."""
        if self.drawn:
            self.stream.write("\n")
            self.drawn = False
        self.stream.flush()


@contextlib.contextmanager
def epoch_progress(estimator, total):
    """Show the epochs of one ``fit`` of ``estimator`` on the standard output.

    The estimator calls the display after every epoch it records, for the duration
    of the ``with`` block (see ``BaseMLPBackprop._epochs_observed``). When training
    stops before ``total`` epochs, a line says after how many.

    Parameters
    ----------
    estimator : MLPBackpropClassifier
        The estimator to watch.

    total : int
        The number of epochs asked for (``max_iter``).

    Yields
    ------
    display : EpochDisplay
        The display the epochs go to.
    """
    display = EpochDisplay(sys.stdout, total)
    try:
        with estimator._epochs_observed(display.epoch):
            yield display
        if estimator.n_iter_ < total:
            display.note(
                f"training stopped after {estimator.n_iter_} of {total} epochs"
            )
    finally:
        display.close()
