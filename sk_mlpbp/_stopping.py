"""The stopping rule: when training has stopped improving.

:class:`StoppingRule` is a small worker on plain lists of losses and scores (as
HistGradientBoosting's ``_should_stop``): the estimator records the epochs and keeps
the counter of epochs without improvement in its training state, and asks the rule
whether an epoch improved and whether to stop.
"""

import numpy as np

#: What the rule can watch.
WATCHED = ("training loss", "validation loss", "validation score")


def window(n_iter_no_change):
    """Return how many epochs a watched loss is averaged over (1 for np.inf)."""
    return 1 if np.isinf(n_iter_no_change) else int(n_iter_no_change)


class StoppingRule:
    """Stop when the watched quantity has not improved for ``n_iter_no_change`` epochs.

    A loss is watched through its mean over the last ``n_iter_no_change`` epochs: one
    lucky epoch of a noisy (e.g. class-weighted) loss would set a best that the next
    epochs rarely beat, and stop training too soon. Until the window is full its
    mean is over fewer, noisier epochs, and counts as no verdict (an improvement). A
    score (accuracy or R^2, higher is better) improves when it beats its best by
    ``tol``, as in scikit-learn's MLP. Training never stops on the plateau where the
    outputs are nearly a constant, the first place the sum-of-squares error stalls:
    while the mean training loss of the last ``n_iter_no_change`` epochs is above
    ``plateau_loss``, the rule waits.

    Parameters
    ----------
    watched : {"training loss", "validation loss", "validation score"}
        What the rule watches.

    tol : float
        The improvement that counts.

    n_iter_no_change : int or np.inf
        Epochs without improvement before stopping, and the losses' window.

    plateau_loss : float
        The training loss above which training never stops.

    score_name : str, default="validation score"
        The score's name in :meth:`message` (``"validation accuracy"``, ...).
    """

    def __init__(
        self,
        watched,
        tol,
        n_iter_no_change,
        plateau_loss,
        score_name="validation score",
    ):
        if watched not in WATCHED:
            raise ValueError(f"watched must be one of {WATCHED}; got {watched!r}.")
        self.watched = watched
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.plateau_loss = plateau_loss
        self.score_name = score_name

    def improved(self, losses, best_smoothed, score=None, best_score=None):
        """Return whether the last epoch improved, and the best smoothed loss.

        Parameters
        ----------
        losses : list of float
            The watched loss of every epoch of this fit (unused for a score).

        best_smoothed : float
            The best smoothed loss so far (np.inf at first).

        score, best_score : float or None
            The last epoch's score and the best score before it (None at first),
            when a score is watched.

        Returns
        -------
        improved : bool
            Whether the epoch counts as an improvement.

        best_smoothed : float
            The best smoothed loss, this epoch's included.
        """
        if self.watched == "validation score":
            return best_score is None or score >= best_score + self.tol, best_smoothed
        size = window(self.n_iter_no_change)
        if len(losses) < size:
            return True, best_smoothed
        smoothed = float(np.mean(losses[-size:]))
        return smoothed <= best_smoothed - self.tol, min(best_smoothed, smoothed)

    def recent_loss(self, training_losses):
        """Return the mean training loss of the last ``n_iter_no_change`` epochs.

        Parameters
        ----------
        training_losses : list of float
            The training loss of every epoch of this fit.

        Returns
        -------
        loss : float
            Their mean over the window (over all of them when fewer).
        """
        return float(np.mean(training_losses[-window(self.n_iter_no_change) :]))

    def holds(self, no_improvement_count, training_losses):
        """Return whether to stop.

        Parameters
        ----------
        no_improvement_count : int
            Consecutive epochs without improvement.

        training_losses : list of float
            The training loss of every epoch of this fit.

        Returns
        -------
        stop : bool
            True after ``n_iter_no_change`` epochs without improvement, off the
            plateau.
        """
        return (
            no_improvement_count >= self.n_iter_no_change
            and self.recent_loss(training_losses) <= self.plateau_loss
        )

    def message(self):
        """Return the line ``verbose`` prints when the rule stops training."""
        watched = (
            self.score_name if self.watched == "validation score" else self.watched
        )
        return (
            f"The {watched} did not improve by tol={self.tol} for "
            f"{self.n_iter_no_change} consecutive epochs. Stopping."
        )
