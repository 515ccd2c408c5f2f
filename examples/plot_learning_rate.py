"""
How the learning rate shapes training
=====================================

The series' article on the learning rate (LR) describes the trade-off: every update
is ``weight = weight - LR * gradient``, so a small LR takes small, safe steps and
needs many epochs, while a large one learns fast until its steps overshoot, the
error jumps about, and finally the logistic units saturate, their derivative
f_A'(S_preA) = f_A(1 - f_A) vanishes and the network stops learning altogether.

This script trains the article's network (3-4-1, no biases, U(-1, 1) weights, one
sample at a time, no shuffling) for 30 epochs at LRs from 0.1 to 300 and draws the
training error of every epoch with :class:`sk_mlpbp.LossCurveDisplay`, and the
validation accuracy after the article's single epoch and after all 30.

Figures are saved as PNG files into the folder named by the environment variable
``SK_MLPBP_FIGURES`` (default: ``figures/`` next to this script, a folder git
ignores).
"""

# %%
# Training at several learning rates
# ----------------------------------
import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sk_mlpbp import LossCurveDisplay, MLPBackpropClassifier, make_article_data

FIGURES = Path(
    os.environ["SK_MLPBP_FIGURES"]
    if "SK_MLPBP_FIGURES" in os.environ
    else Path(__file__).resolve().parent / "figures"
)
FIGURES.mkdir(parents=True, exist_ok=True)

X_train, y_train = make_article_data(199, random_state=0)
X_valid, y_valid = make_article_data(199, random_state=1)

learning_rates = [0.1, 0.5, 1, 3, 10, 30, 100, 300]
networks = {}
for lr in learning_rates:
    network = MLPBackpropClassifier(
        hidden_layer_sizes=(4,),
        learning_rate=lr,
        batch_size=1,
        max_iter=30,
        n_iter_no_change=np.inf,
        shuffle=False,
        use_bias=False,
        weight_init="uniform",
        random_state=0,
    )
    with warnings.catch_warnings():
        # Every LR runs all 30 epochs on purpose, to compare whole curves.
        warnings.simplefilter("ignore", ConvergenceWarning)
        networks[lr] = network.fit(X_train, y_train, X_val=X_valid, y_val=y_valid)

print("    LR  E, epoch 1  E, epoch 30  accuracy, epoch 1  accuracy, epoch 30")
for lr, network in networks.items():
    print(
        f"{lr:6g}  {network.loss_curve_[0]:10.4f}  {network.loss_curve_[-1]:11.4f}  "
        f"{network.validation_scores_[0]:17.3f}  {network.validation_scores_[-1]:18.3f}"
    )

# %%
# Loss curves and accuracy against LR
# -----------------------------------
# Up to LR = 3 a larger LR simply learns faster (the error axis is logarithmic).
# At 10 and 30 the error still ends lower, but an epoch's error now and then jumps
# up by a factor of ten: steps overshoot. At 100 the jumps dominate and training
# settles far higher. At 300 the first samples drive the units into saturation and
# the error stays flat at the level of a constant output: the network predicts one
# class, on the validation data too.
fig, (ax_loss, ax_accuracy) = plt.subplots(
    1, 2, figsize=(11, 4.2), layout="constrained"
)
colors = plt.get_cmap("viridis")(np.linspace(0, 0.95, len(learning_rates)))
for color, (lr, network) in zip(colors, networks.items()):
    LossCurveDisplay(
        loss_curve=network.loss_curve_, estimator_name=f"LR = {lr:g}"
    ).plot(ax=ax_loss, line_kw={"color": color})
ax_loss.set_yscale("log")
# Eight curves leave no free corner: the legend goes to the right of the axes.
ax_loss.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1, 1))
ax_loss.set_title("training error per epoch")

for epoch, marker in [(1, "o"), (30, "s")]:
    ax_accuracy.plot(
        learning_rates,
        [network.validation_scores_[epoch - 1] for network in networks.values()],
        marker=marker,
        label=f"after {epoch} epoch{'s' if epoch > 1 else ''}",
    )
ax_accuracy.set_xscale("log")
ax_accuracy.set_xlabel("learning rate LR")
ax_accuracy.set_ylabel("validation accuracy")
ax_accuracy.legend()
ax_accuracy.set_title("validation accuracy")
fig.savefig(FIGURES / "learning_rate_study.png", dpi=80)
print(f"saved {FIGURES / 'learning_rate_study.png'}")
