"""Per-epoch progress of ``fit`` for the command line: a bar redrawn in place on a
terminal, one plain line per epoch otherwise.

The progress comes from the estimator's ``verbose`` path, which prints a line after
every epoch on every supported scikit-learn (the callback API, ``sklearn.callback``,
only exists from scikit-learn 1.9). During ``fit`` the standard output is an
:class:`EpochListener`: each line the estimator prints is the signal that an epoch is
recorded, and the listener reads that epoch from the estimator's fitted attributes
(``n_iter_``, ``loss_curve_``, ``validation_scores_``) rather than from the line's
text, so nothing depends on how ``verbose`` words it. Any other line (the reason
training stopped) is shown as it is.
"""

import contextlib
import io
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
        estimator : MLPBackpropClassifier
            The estimator being fitted.
        """
        n = estimator.n_iter_
        text = f"loss {estimator.loss_curve_[-1]:.6f}"
        if estimator.validation_scores_:
            text += f", validation accuracy {estimator.validation_scores_[-1]:.4f}"
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


class EpochListener(io.TextIOBase):
    """A text stream for the estimator's ``verbose`` lines, shown by a display.

    Parameters
    ----------
    estimator : MLPBackpropClassifier
        The estimator being fitted with ``verbose=True``.

    display : EpochDisplay
        Shows the epochs and the other lines.
    """

    def __init__(self, estimator, display):
        self.estimator = estimator
        self.display = display
        self.pending = ""
        self.shown = 0

    def writable(self):
        return True

    def write(self, text):
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            n_iter = getattr(self.estimator, "n_iter_", 0)
            if n_iter > self.shown:
                self.shown = n_iter
                self.display.epoch(self.estimator)
            elif line:
                self.display.note(line)
        return len(text)


@contextlib.contextmanager
def epoch_progress(estimator, total):
    """Show the epochs of a ``fit`` of ``estimator`` (with ``verbose=True``) on
    the standard output.

    Parameters
    ----------
    estimator : MLPBackpropClassifier
        The estimator to watch; its ``verbose`` must be true.

    total : int
        The number of epochs asked for.

    """
    display = EpochDisplay(sys.stdout, total)
    try:
        with contextlib.redirect_stdout(EpochListener(estimator, display)):
            yield
    finally:
        display.close()
