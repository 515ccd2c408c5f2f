"""StoppingRule on plain lists of losses and scores (as HistGradientBoosting's tests).

The rule watches a loss through its mean over the last ``n_iter_no_change`` epochs
(no verdict until that window is full) or a score that must beat its best by
``tol``, and never stops while the recent training loss is above ``plateau_loss``.
"""

import numpy as np
import pytest

from sk_mlpbp._stopping import WATCHED, StoppingRule, window


def _verdicts(rule, losses, scores=None):
    """Feed the epochs to the rule one at a time, as the estimator does.

    Returns each epoch's ``improved`` and the no-improvement count after it.
    """
    best_smoothed, best_score, count = np.inf, None, 0
    improved_each, counts = [], []
    for epoch in range(1, len(losses) + 1):
        score = None if scores is None else scores[epoch - 1]
        improved, best_smoothed = rule.improved(
            losses[:epoch], best_smoothed, score, best_score
        )
        if score is not None and (best_score is None or score > best_score):
            best_score = score
        count = 0 if improved else count + 1
        improved_each.append(improved)
        counts.append(count)
    return improved_each, counts


# The window -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n_iter_no_change, size", [(1, 1), (3, 3), (10, 10), (np.inf, 1)]
)
def test_window_is_n_iter_no_change_or_1_for_inf(n_iter_no_change, size):
    assert window(n_iter_no_change) == size


@pytest.mark.parametrize("watched", ["training loss", "validation loss"])
def test_no_verdict_before_the_window_fills(watched):
    rule = StoppingRule(watched, tol=0.0, n_iter_no_change=3, plateau_loss=np.inf)
    # Rising losses: every epoch is worse, yet the first two count as improvements
    # because their window is not full; the best smoothed loss is not set by them.
    for epoch, best in [(1, np.inf), (2, np.inf)]:
        improved, best_smoothed = rule.improved([1.0, 2.0, 3.0][:epoch], np.inf)
        assert improved and best_smoothed == best
    improved, best_smoothed = rule.improved([1.0, 2.0, 3.0], np.inf)
    assert improved and best_smoothed == 2.0  # the first full window's mean


def test_the_loss_is_smoothed_over_the_window():
    rule = StoppingRule("training loss", 0.0, 3, plateau_loss=np.inf)
    # The last epoch alone (0.5) beats the best, but the window's mean does not.
    improved, best = rule.improved([1.0, 1.0, 1.0, 3.0, 0.5], best_smoothed=1.4)
    assert not improved
    assert best == 1.4
    improved, best = rule.improved([1.0, 1.0, 1.0, 3.0, 0.5], best_smoothed=1.6)
    assert improved
    assert best == pytest.approx(1.5)


def test_one_lucky_epoch_does_not_set_an_unbeatable_best():
    # A falling loss with one lucky low epoch (0.3): unsmoothed, no epoch after it
    # improves; over a window of 3 the falling trend still does.
    losses = [1.0, 0.9, 0.3, 0.8, 0.7, 0.6, 0.45, 0.4]
    smoothed, _ = _verdicts(StoppingRule("training loss", 0.0, 3, np.inf), losses)
    # Windows: -, -, 0.733, 0.667, 0.6, 0.7, 0.583, 0.483.
    assert smoothed == [True, True, True, True, True, False, True, True]
    single, _ = _verdicts(StoppingRule("training loss", 0.0, np.inf, np.inf), losses)
    assert single == [True, True, True, False, False, False, False, False]


def test_tol_is_the_improvement_that_counts():
    rule = StoppingRule("training loss", tol=0.1, n_iter_no_change=1, plateau_loss=1)
    assert rule.improved([0.9], best_smoothed=1.0)[0]  # by exactly tol
    assert not rule.improved([0.95], best_smoothed=1.0)[0]
    # The best smoothed loss moves even when the improvement is below tol.
    assert rule.improved([0.95], best_smoothed=1.0)[1] == 0.95
    assert rule.improved([1.5], best_smoothed=1.0)[1] == 1.0


def test_validation_loss_is_watched_as_the_training_loss():
    losses = [3.0, 2.0, 1.5, 1.4, 1.45, 1.5, 1.6]
    training = StoppingRule("training loss", 0.05, 2, np.inf)
    validation = StoppingRule("validation loss", 0.05, 2, np.inf)
    assert _verdicts(training, losses) == _verdicts(validation, losses)


def test_counts_epochs_without_improvement():
    rule = StoppingRule("training loss", tol=0.0, n_iter_no_change=2, plateau_loss=1)
    losses = [0.9, 0.8, 0.7, 0.7, 0.8, 0.9, 1.0]
    improved, counts = _verdicts(rule, losses)
    # Windows of 2: -, 0.85, 0.75, 0.7, 0.75, 0.85, 0.95.
    assert improved == [True, True, True, True, False, False, False]
    assert counts == [0, 0, 0, 0, 1, 2, 3]


# A score ----------------------------------------------------------------------------


def test_a_score_improves_when_it_beats_its_best_by_tol():
    rule = StoppingRule(
        "validation score", tol=0.01, n_iter_no_change=3, plateau_loss=1
    )
    assert rule.improved([], np.inf, score=0.5, best_score=None)[0]  # the first
    assert rule.improved([], np.inf, score=0.52, best_score=0.5)[0]
    assert not rule.improved([], np.inf, score=0.505, best_score=0.5)[0]
    assert not rule.improved([], np.inf, score=0.5, best_score=0.5)[0]
    assert not rule.improved([], np.inf, score=0.4, best_score=0.5)[0]


def test_a_score_is_not_smoothed_and_leaves_the_best_loss_alone():
    rule = StoppingRule("validation score", tol=0.0, n_iter_no_change=5, plateau_loss=1)
    # No window for a score: the second epoch already has a verdict.
    improved, best = rule.improved([9.0, 9.0], 0.25, score=0.1, best_score=0.2)
    assert not improved
    assert best == 0.25


def test_scores_count_epochs_without_improvement():
    rule = StoppingRule("validation score", tol=0.0, n_iter_no_change=2, plateau_loss=1)
    scores = [0.1, 0.3, 0.2, 0.3, 0.35, 0.34, 0.33]
    _, counts = _verdicts(rule, [0.5] * len(scores), scores)
    assert counts == [0, 0, 1, 0, 0, 1, 2]
    assert not rule.holds(counts[5], [0.5] * 6)
    assert rule.holds(counts[6], [0.5] * 7)


# Whether to stop --------------------------------------------------------------------


def test_holds_after_n_iter_no_change_epochs_without_improvement():
    rule = StoppingRule("training loss", 0.0, n_iter_no_change=3, plateau_loss=1.0)
    losses = [0.5] * 10
    assert not rule.holds(2, losses)
    assert rule.holds(3, losses)
    assert rule.holds(4, losses)


def test_never_holds_with_n_iter_no_change_inf():
    rule = StoppingRule("training loss", 0.0, np.inf, plateau_loss=1.0)
    assert not rule.holds(10**9, [0.1] * 100)


def test_plateau_gate_waits_while_the_recent_loss_is_above_the_plateau():
    rule = StoppingRule("training loss", 0.0, n_iter_no_change=3, plateau_loss=0.45)
    # The mean of the last 3 epochs is what is compared with the plateau.
    assert not rule.holds(5, [0.2, 0.2, 0.5, 0.5, 0.5])  # 0.5 > 0.45
    assert not rule.holds(5, [0.1, 0.4, 0.5, 0.5])  # 0.4666 > 0.45
    assert rule.holds(5, [0.5, 0.5, 0.4, 0.5, 0.4])  # 0.4333 <= 0.45
    at_plateau = StoppingRule("training loss", 0.0, 3, plateau_loss=0.5)
    assert at_plateau.holds(5, [0.9, 0.5, 0.5, 0.5])  # at the plateau stops
    assert rule.recent_loss([1.0, 0.5, 0.4, 0.3]) == pytest.approx(0.4)
    # Fewer epochs than the window: their mean.
    assert rule.recent_loss([0.6, 0.4]) == pytest.approx(0.5)


def test_plateau_gate_applies_whatever_is_watched():
    for watched in WATCHED:
        rule = StoppingRule(watched, 0.0, n_iter_no_change=2, plateau_loss=0.3)
        # The validation quantity stopped improving, the training loss is high.
        assert not rule.holds(10, [0.5, 0.5])
        assert rule.holds(10, [0.2, 0.2])


def test_a_stopping_run_over_a_loss_curve():
    # A loss that falls onto the constant-output plateau (0.5), stalls there, then
    # falls again and stalls below it: only the second stall stops training.
    rule = StoppingRule(
        "training loss", tol=1e-3, n_iter_no_change=3, plateau_loss=0.45
    )
    losses = [1.0, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.3, 0.2, 0.1] + [0.1] * 9
    best, count, counts, stopped_at = np.inf, 0, [], None
    for epoch in range(1, len(losses) + 1):
        improved, best = rule.improved(losses[:epoch], best)
        count = 0 if improved else count + 1
        counts.append(count)
        if rule.holds(count, losses[:epoch]):
            stopped_at = epoch
            break
    # The windows of 3 stall at 0.5 from epoch 5: three epochs without improvement
    # by epoch 8, where the plateau gate holds training; they fall again from epoch
    # 9 and stall at 0.1 from epoch 13, so the third epoch without improvement,
    # off the plateau, is epoch 16.
    assert counts[5:9] == [1, 2, 3, 0]
    assert stopped_at == 16
    assert counts[-3:] == [1, 2, 3]


# The message and the parameters -------------------------------------------------------


@pytest.mark.parametrize(
    "watched, name",
    [
        ("training loss", "training loss"),
        ("validation loss", "validation loss"),
        ("validation score", "validation R^2"),
    ],
)
def test_message_names_what_is_watched(watched, name):
    rule = StoppingRule(watched, 1e-4, 10, 0.5, score_name="validation R^2")
    assert rule.message() == (
        f"The {name} did not improve by tol=0.0001 for 10 consecutive epochs. Stopping."
    )


def test_message_names_the_default_score():
    rule = StoppingRule("validation score", 1e-4, 10, 0.5)
    assert rule.message().startswith("The validation score did not improve")


@pytest.mark.parametrize("watched", ["loss", "validation accuracy", "", None])
def test_an_unknown_watched_quantity_raises(watched):
    with pytest.raises(ValueError, match="watched must be one of"):
        StoppingRule(watched, 1e-4, 10, 0.5)


def test_the_estimators_name_their_scores():
    from sk_mlpbp import MLPBackpropClassifier, MLPBackpropRegressor

    assert MLPBackpropClassifier._score_name == "validation accuracy"
    assert MLPBackpropRegressor._score_name == "validation R^2"
