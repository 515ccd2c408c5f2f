"""What a fit reports while it trains.

Verbose lines, and scikit-learn's callbacks (ProgressBar, ScoringMonitor, and a
recording callback that can stop training).
"""

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sk_mlpbp import MLPBackpropClassifier, make_article_data
from tests._helpers import ignore_convergence

# -- verbose ------------------------------------------------------------------


@ignore_convergence
def test_verbose_prints_one_line_per_epoch(capsys):
    X, y = make_article_data(30, random_state=0)
    MLPBackpropClassifier((3,), max_iter=4, verbose=True, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("Epoch 1, loss = ")
    assert lines[-1].startswith("Epoch 4, loss = ")
    assert lines[0].endswith("s")


def test_verbose_prints_validation_and_time(capsys):
    X, y = make_article_data(60, random_state=0)
    X_val, y_val = make_article_data(30, random_state=1)
    clf = MLPBackpropClassifier((3,), max_iter=3, verbose=True, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y, X_val=X_val, y_val=y_val)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[2].startswith("Epoch 3, loss = ")
    assert "validation score = " in lines[2]
    assert "validation loss = " in lines[2]
    assert lines[2].endswith("s")


# -- callbacks ----------------------------------------------------------------


@pytest.fixture
def callback():
    return pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_progress_bar_shows_every_epoch(capsys, callback):
    pytest.importorskip("rich")
    X, y = make_article_data(40, random_state=0)
    clf = MLPBackpropClassifier((3,), max_iter=5, random_state=0)
    clf.set_callbacks(callback.ProgressBar())
    clf.fit(X, y)
    out = capsys.readouterr().out
    assert "MLPBackpropClassifier - fit" in out
    assert "100%" in out


class RecordingCallback:
    """Records every hook call; asks to stop after ``stop_after`` epochs."""

    def __init__(self, stop_after=None):
        self.events = []
        self.stop_after = stop_after

    def setup(self, estimator, context):
        self.events.append(("setup", context.task_name))

    def teardown(self, estimator, context):
        self.events.append(("teardown", context.task_name))

    def on_fit_task_begin(self, estimator, context):
        self.events.append(("begin", context.task_name))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.events.append(("end", context.task_name))
        if fitted_estimator is not None and context.task_name == "epoch":
            self.events.append(("epoch model", fitted_estimator.n_iter_))
        epochs = self.events.count(("end", "epoch"))
        return self.stop_after is not None and epochs >= self.stop_after


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_callbacks_see_every_epoch_and_can_stop_training(callback):
    X, y = make_article_data(40, random_state=0)
    recorder = RecordingCallback()
    clf = MLPBackpropClassifier((3,), max_iter=4, random_state=0)
    clf.set_callbacks(recorder).fit(X, y)
    epoch_events = [("begin", "epoch"), ("end", "epoch")]
    assert recorder.events == [
        ("setup", "fit"),
        ("begin", "fit"),
        *[event for n in range(1, 5) for event in (*epoch_events, ("epoch model", n))],
        ("end", "fit"),
        ("teardown", "fit"),
    ]
    stopper = RecordingCallback(stop_after=2)
    with warnings.catch_warnings():
        # Stopped by the callback, not by running out of epochs.
        warnings.filterwarnings(
            "error", "MLPBackpropClassifier: the maximum", ConvergenceWarning
        )
        clf.set_callbacks(stopper).fit(X, y)
    assert clf.n_iter_ == 2


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_progress_bar_nests_under_grid_search(capsys, callback):
    pytest.importorskip("rich")
    X, y = make_article_data(40, random_state=0)
    search = GridSearchCV(
        MLPBackpropClassifier((3,), max_iter=4, random_state=0),
        {"learning_rate": [0.5, 1.0]},
        cv=2,
    )
    search.set_callbacks(callback.ProgressBar())
    search.fit(X, y)
    out = capsys.readouterr().out
    assert "GridSearchCV" in out
    assert "MLPBackpropClassifier" in out


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_scoring_monitor_logs_a_score_for_every_epoch(callback):
    X, y = make_article_data(40, random_state=0)
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = MLPBackpropClassifier((3,), max_iter=6, random_state=0)
    clf.set_callbacks(monitor).fit(X, y)
    log = monitor.get_logs()
    rows = [row for row in log.data if row["task_name"] == "epoch"]
    assert len(rows) == 6
    assert rows[-1]["accuracy"] == clf.score(X, y)
