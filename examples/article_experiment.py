"""
The article's experiment: a training file, a validation file, one epoch online
==============================================================================

The All About Circuits series trains its multilayer perceptron on spreadsheet data:
three inputs x, y and z drawn from {-1.0, -0.9, ..., 1.0}, and an output of 1 where
x >= 0. Training samples come from one file and validation samples from another.
The network has 3 inputs, 4 hidden logistic units and 1 output, no biases, weights
drawn from U(-1, 1), and learns with LR = 1, one sample at a time, for one epoch.

This script writes the two files, trains the article's network on the first and
reports its accuracy on the second; then it runs the same data through a scikit-learn
``Pipeline`` and a ``GridSearchCV`` over the learning rate and the hidden size.
"""

# %%
# The spreadsheet files
# ---------------------
import tempfile
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import MLPBackpropClassifier, make_article_data

rng = np.random.RandomState(0)
folder = Path(tempfile.mkdtemp(prefix="sk_mlpbp_article_"))
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
    print(f"wrote {folder / f'{name}.csv'} ({len(y)} rows)")

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
# A pipeline and a grid search
# ----------------------------
# The same data through scikit-learn's tools: scaling, then a five-fold grid search
# over the learning rate (LR) and the size of the hidden layer.
pipeline = make_pipeline(StandardScaler(), MLPBackpropClassifier(random_state=0))
grid = {
    "mlpbackpropclassifier__learning_rate": [0.1, 0.5, 2.0],
    "mlpbackpropclassifier__hidden_layer_sizes": [(2,), (4,), (8,)],
}
search = GridSearchCV(pipeline, grid, cv=5).fit(X_train, y_train)

learning_rates = grid["mlpbackpropclassifier__learning_rate"]
print("\nmean cross-validated accuracy (rows: hidden units, columns: LR)")
print("hidden " + "".join(f"{lr:>8g}" for lr in learning_rates))
scores = search.cv_results_["mean_test_score"]
for sizes in grid["mlpbackpropclassifier__hidden_layer_sizes"]:
    row = [
        score
        for score, params in zip(scores, search.cv_results_["params"])
        if params["mlpbackpropclassifier__hidden_layer_sizes"] == sizes
    ]
    print(f"{sizes[0]:>6} " + "".join(f"{score:8.3f}" for score in row))
best = search.best_params_
print(
    f"\nbest: LR={best['mlpbackpropclassifier__learning_rate']:g}, "
    f"hidden={best['mlpbackpropclassifier__hidden_layer_sizes']}; "
    f"validation accuracy {search.score(X_valid, y_valid):.3f}"
)
