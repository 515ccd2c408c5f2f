"""
Hidden size x learning rate: a grid search
==========================================

``MLPBackpropClassifier`` is a scikit-learn estimator, so ``GridSearchCV`` can choose
its hyperparameters. This script searches the size of the hidden layer and the
learning rate (LR) of a scaled pipeline on the article's data, with five-fold
cross-validation and a budget of 200 full-batch epochs, draws
``cv_results_["mean_test_score"]`` as a heatmap and scores the best model on a
separate validation file.

Figures are saved as PNG files into the folder named by the environment variable
``SK_MLPBP_FIGURES`` (default: ``figures/`` next to this script, a folder git
ignores).
"""

# %%
# The search
# ----------
import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import MLPBackpropClassifier, make_article_data

FIGURES = Path(
    os.environ["SK_MLPBP_FIGURES"]
    if "SK_MLPBP_FIGURES" in os.environ
    else Path(__file__).resolve().parent / "figures"
)
FIGURES.mkdir(parents=True, exist_ok=True)

X_train, y_train = make_article_data(199, random_state=0)
X_valid, y_valid = make_article_data(199, random_state=1)

hidden_sizes = [(1,), (2,), (4,), (8,), (16,)]
learning_rates = [0.1, 0.3, 1.0, 3.0, 10.0]
search = GridSearchCV(
    make_pipeline(
        StandardScaler(), MLPBackpropClassifier(max_iter=200, random_state=0)
    ),
    {
        "mlpbackpropclassifier__hidden_layer_sizes": hidden_sizes,
        "mlpbackpropclassifier__learning_rate": learning_rates,
    },
    cv=StratifiedKFold(5, shuffle=True, random_state=0),
)
with warnings.catch_warnings():
    # Small LRs do not converge within the budget: that is what the grid shows.
    warnings.simplefilter("ignore", ConvergenceWarning)
    search.fit(X_train, y_train)

# GridSearchCV orders its candidates like ParameterGrid: sorted parameter names,
# the last one varying fastest, so a reshape gives rows of hidden sizes and
# columns of LRs.
scores = search.cv_results_["mean_test_score"].reshape(
    len(hidden_sizes), len(learning_rates)
)
print("mean cross-validated accuracy (rows: hidden units, columns: LR)")
print("hidden " + "".join(f"{lr:>8g}" for lr in learning_rates))
for sizes, row in zip(hidden_sizes, scores):
    print(f"{sizes[0]:>6} " + "".join(f"{score:8.3f}" for score in row))
best = search.best_params_
print(
    f"\nbest: LR={best['mlpbackpropclassifier__learning_rate']:g}, "
    f"hidden={best['mlpbackpropclassifier__hidden_layer_sizes']}; "
    f"validation accuracy {search.score(X_valid, y_valid):.3f}"
)

# %%
# The heatmap
# -----------
# Within 200 epochs the LR decides almost everything: at LR 0.1 full-batch steps are
# too small to finish, whatever the hidden size. The article's target, x >= 0, is
# linearly separable, so once LR is large enough even one hidden unit suffices.
fig, ax = plt.subplots(figsize=(5.5, 4.5), layout="constrained")
image = ax.imshow(scores, cmap="viridis", vmin=0.5, vmax=1.0, origin="lower")
for (row, column), score in np.ndenumerate(scores):
    ax.text(
        column,
        row,
        f"{score:.2f}",
        ha="center",
        va="center",
        color="white" if score < 0.8 else "black",
    )
ax.set_xticks(range(len(learning_rates)), [f"{lr:g}" for lr in learning_rates])
ax.set_yticks(range(len(hidden_sizes)), [str(sizes[0]) for sizes in hidden_sizes])
ax.set_xlabel("learning rate LR")
ax.set_ylabel("hidden units")
ax.set_title("mean cross-validated accuracy")
fig.colorbar(image, ax=ax, label="accuracy")
fig.savefig(FIGURES / "grid_search_heatmap.png", dpi=80)
print(f"saved {FIGURES / 'grid_search_heatmap.png'}")
