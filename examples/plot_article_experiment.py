"""
The article's experiment: a training file, a validation file, one epoch online
==============================================================================

The All About Circuits series trains its multilayer perceptron on spreadsheet data:
three inputs x, y and z drawn from {-1.0, -0.9, ..., 1.0}, and an output of 1 where
x >= 0. Training samples come from one file and validation samples from another.
The network has 3 inputs, 4 hidden logistic units and 1 output, no biases, weights
drawn from U(-1, 1), and learns with LR = 1, one sample at a time, for one epoch.

This script writes the two files, trains the article's network on the first,
reports its accuracy on the second and draws the decision surface: the network's
output over the (x, y) plane at a few fixed values of z.

Figures are saved as PNG files into the folder named by the environment variable
``SK_MLPBP_FIGURES`` (default: ``figures/`` next to this script, a folder git
ignores).
"""

# %%
# The spreadsheet files
# ---------------------
# 199 rows each, written as CSV into a temporary folder (removed when the
# ``with`` block ends) and read back, as the article reads its spreadsheets.
import os
import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sk_mlpbp import MLPBackpropClassifier, make_article_data

FIGURES = Path(
    os.environ["SK_MLPBP_FIGURES"]
    if "SK_MLPBP_FIGURES" in os.environ
    else Path(__file__).resolve().parent / "figures"
)
FIGURES.mkdir(parents=True, exist_ok=True)

rng = np.random.RandomState(0)
with tempfile.TemporaryDirectory(prefix="sk_mlpbp_article_") as temporary:
    folder = Path(temporary)
    for name in ("training", "validation"):
        X, y = make_article_data(199, random_state=rng)
        np.savetxt(
            folder / f"{name}.csv",
            np.column_stack([X, y]),
            delimiter=",",
            header="x,y,z,output",
            comments="",
            fmt=["%.1f", "%.1f", "%.1f", "%d"],
        )
        print(f"wrote {name}.csv ({len(y)} rows)")
    training = np.loadtxt(folder / "training.csv", delimiter=",", skiprows=1)
    validation = np.loadtxt(folder / "validation.csv", delimiter=",", skiprows=1)
X_train, y_train = training[:, :3], training[:, 3].astype(int)
X_valid, y_valid = validation[:, :3], validation[:, 3].astype(int)

# %%
# The article's network
# ---------------------
article = MLPBackpropClassifier(
    hidden_layer_sizes=(4,),
    learning_rate=1.0,
    batch_size=1,
    max_iter=1,
    shuffle=False,
    use_bias=False,
    weight_init="uniform",
    random_state=0,
)
with warnings.catch_warnings():
    # The article trains for exactly one epoch; it is not asked to converge.
    warnings.simplefilter("ignore", ConvergenceWarning)
    article.fit(X_train, y_train)
print(
    f"\narticle's network, 1 epoch online: training error {article.loss_curve_[0]:.4f}"
)
print(f"validation accuracy: {article.score(X_valid, y_valid):.3f}")

# %%
# Decision surface slices
# -----------------------
# The target depends on x alone: 1 where x >= 0. Each panel shows the network's
# output S_postA,O (the probability of class 1) over the (x, y) plane at one value
# of z; the solid line is where the output crosses 0.5, the dashed one the
# article's boundary x = 0. The dots are the validation samples with z within 0.1
# of the panel's z.
grid = np.linspace(-1, 1, 101)
xx, yy = np.meshgrid(grid, grid)
fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), sharey=True, layout="constrained")
for ax, z in zip(axes, [-1.0, 0.0, 1.0]):
    plane = np.column_stack([xx.ravel(), yy.ravel(), np.full(xx.size, z)])
    output = article.predict_proba(plane)[:, 1].reshape(xx.shape)
    surface = ax.contourf(xx, yy, output, levels=np.linspace(0, 1, 11), cmap="RdBu_r")
    ax.contour(xx, yy, output, levels=[0.5], colors="k")
    ax.axvline(0, color="k", linestyle="--", linewidth=1)
    at_z = np.isclose(X_valid[:, 2], z, atol=0.15)
    ax.scatter(
        X_valid[at_z, 0],
        X_valid[at_z, 1],
        c=y_valid[at_z],
        cmap="RdBu_r",
        vmin=0,
        vmax=1,
        edgecolors="k",
    )
    ax.set_title(f"z = {z:g}")
    ax.set_xlabel("x")
axes[0].set_ylabel("y")
fig.colorbar(surface, ax=axes, label="output (probability of class 1)")
fig.suptitle("The article's network after one epoch: output over (x, y)")
fig.savefig(FIGURES / "article_decision_surface.png", dpi=80)
print(f"saved {FIGURES / 'article_decision_surface.png'}")
