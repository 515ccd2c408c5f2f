"""
Validation curves and early stopping
====================================

The article series keeps its validation samples in a file of their own. Passing them
to ``fit`` as ``X_val, y_val`` records, after every epoch, the validation accuracy
(``validation_scores_``) and the validation error (``validation_loss_curve_``) beside
the training error (``loss_curve_``). With ``early_stopping=True`` they also decide
when to stop, and the model returns to its best epoch.

Here a deliberately large network overfits noisy data: the training error keeps
falling while the validation error turns back up. :class:`sk_mlpbp.LossCurveDisplay`
draws both errors and the validation accuracy, for the full run and for the run
stopped early.

Figures are saved as PNG files into the folder named by the environment variable
``SK_MLPBP_FIGURES`` (default: ``figures/`` next to this script, a folder git
ignores).
"""

# %%
# Noisy data, a training and a validation set
# -------------------------------------------
import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import LossCurveDisplay, MLPBackpropClassifier

FIGURES = Path(
    os.environ["SK_MLPBP_FIGURES"]
    if "SK_MLPBP_FIGURES" in os.environ
    else Path(__file__).resolve().parent / "figures"
)
FIGURES.mkdir(parents=True, exist_ok=True)

X, y = make_classification(
    n_samples=600, n_features=20, n_informative=5, flip_y=0.15, random_state=0
)
X_train, X_val, y_train, y_val = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)

# %%
# Validation curves without early stopping
# ----------------------------------------
params = dict(
    hidden_layer_sizes=(200,), learning_rate=1.0, batch_size=10, random_state=0
)
full = MLPBackpropClassifier(max_iter=150, n_iter_no_change=np.inf, **params)
with warnings.catch_warnings():
    # It runs every epoch on purpose, to show the whole curve.
    warnings.simplefilter("ignore", ConvergenceWarning)
    full.fit(X_train, y_train, X_val=X_val, y_val=y_val)

print("epoch  training E  validation E  validation accuracy")
for epoch in [1, 2, 5, 10, 20, 40, 80, 150]:
    print(
        f"{epoch:5d}  {full.loss_curve_[epoch - 1]:10.4f}  "
        f"{full.validation_loss_curve_[epoch - 1]:12.4f}  "
        f"{full.validation_scores_[epoch - 1]:19.3f}"
    )
best_epoch = int(np.argmax(full.validation_scores_)) + 1
print(
    f"best validation accuracy {full.best_validation_score_:.3f} at epoch "
    f"{best_epoch}; after all {full.n_iter_} epochs: {full.score(X_val, y_val):.3f}"
)

# %%
# Early stopping
# --------------
# The same network stops once the validation accuracy has not improved for
# ``n_iter_no_change`` epochs, and keeps the weights of its best epoch.
stopped = MLPBackpropClassifier(
    max_iter=150, early_stopping=True, n_iter_no_change=10, tol=0.0, **params
)
stopped.fit(X_train, y_train, X_val=X_val, y_val=y_val)
print(
    f"\nearly stopping: ran {stopped.n_iter_} epochs, kept epoch "
    f"{int(np.argmax(stopped.validation_scores_)) + 1} with validation accuracy "
    f"{stopped.score(X_val, y_val):.3f} (best_validation_score_ = "
    f"{stopped.best_validation_score_:.3f})"
)

# %%
# The curves
# ----------
# Left, the full run: the training error (solid) keeps falling, while the
# validation error (dashed) stops improving within a few epochs and then drifts
# up as the network memorises the noise; the validation accuracy (dotted,
# right-hand axis) peaks early. Right, the run with early stopping ends
# ``n_iter_no_change`` epochs after its best epoch (the vertical line), whose
# weights it keeps. Each display's legend sits below its epoch axis, clear of the
# curves.
fig, (ax_full, ax_stopped) = plt.subplots(
    1, 2, figsize=(12, 4.2), sharey=True, layout="constrained"
)
for ax, model, name in [
    (ax_full, full, "all epochs"),
    (ax_stopped, stopped, "early stopping"),
]:
    display = LossCurveDisplay.from_estimator(model, ax=ax, name=name)
    display.ax_accuracy_.set_ylim(0.5, 0.85)
ax_full.set_title(f"{full.n_iter_} epochs")
ax_stopped.axvline(
    int(np.argmax(stopped.validation_scores_)) + 1, color="grey", linewidth=1
)
ax_stopped.set_title(f"early stopping: {stopped.n_iter_} epochs")
fig.savefig(FIGURES / "validation_curves.png", dpi=80)
print(f"saved {FIGURES / 'validation_curves.png'}")
