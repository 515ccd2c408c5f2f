"""
Training on a dask cluster
==========================

Two ways to use more than one process (or machine) with ``MLPBackpropClassifier``,
both through existing engines:

* a ``GridSearchCV`` whose fits run on the cluster's workers through joblib's dask
  backend, with the same ``cv_results_`` as the local run;
* dask-ml's ``Incremental`` wrapper, which streams the blocks of a chunked dask array
  through ``partial_fit``, so the training data never has to fit in one process.

It starts a ``LocalCluster`` of two single-threaded worker processes. Against a real
multi-machine cluster only the ``Client`` line changes, e.g.
``Client("tcp://scheduler-host:8786")``. Needs the ``dask`` extra:
``pip install ".[dask]"`` in a clone of the repository.

Figures are saved as PNG files into the folder named by the environment variable
``SK_MLPBP_FIGURES`` (default: ``figures/`` next to this script, a folder git
ignores).
"""

# %%
# Imports
# -------
import os
import time
from pathlib import Path

import dask.array as da
import joblib
import matplotlib.pyplot as plt
import numpy as np
from dask_ml.wrappers import Incremental
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import LossCurveDisplay, MLPBackpropClassifier, make_article_data


def grid_search(X, y):
    """Return the unfitted grid search over LR and hidden size used by both runs."""
    return GridSearchCV(
        make_pipeline(StandardScaler(), MLPBackpropClassifier(random_state=0)),
        {
            "mlpbackpropclassifier__learning_rate": [0.5, 1.5],
            "mlpbackpropclassifier__hidden_layer_sizes": [(2,), (4,)],
        },
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    )


# %%
# The cluster, the grid search, the incremental fit and its figure
# ----------------------------------------------------------------
# Worker processes import this file again, so the work runs only under ``__main__``
# (which is why it is one cell).
if __name__ == "__main__":
    FIGURES = Path(
        os.environ["SK_MLPBP_FIGURES"]
        if "SK_MLPBP_FIGURES" in os.environ
        else Path(__file__).resolve().parent / "figures"
    )
    FIGURES.mkdir(parents=True, exist_ok=True)

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    with cluster, Client(cluster) as client:
        print(f"cluster: {len(client.scheduler_info()['workers'])} workers")

        X, y = make_article_data(150, random_state=0)
        local = grid_search(X, y).fit(X, y).cv_results_["mean_test_score"]
        start = time.perf_counter()
        with joblib.parallel_backend("dask"):
            search = grid_search(X, y).fit(X, y)
        remote = search.cv_results_["mean_test_score"]
        print(
            f"grid search on the cluster ({time.perf_counter() - start:.1f}s): "
            f"best {search.best_params_}, scores equal to the local run: "
            f"{np.array_equal(local, remote)}"
        )

        X, y = load_digits(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, stratify=y, random_state=0
        )
        scaler = StandardScaler().fit(X_train)
        X_blocks = da.from_array(scaler.transform(X_train), chunks=(135, 64))
        y_blocks = da.from_array(y_train, chunks=135)
        incremental = Incremental(
            MLPBackpropClassifier(
                (64,), learning_rate=1.0, batch_size=4, random_state=0
            ),
            scoring="accuracy",
            random_state=0,
        )
        accuracies = []
        for _ in range(3):
            incremental.partial_fit(X_blocks, y_blocks, classes=np.arange(10))
            accuracies.append(incremental.score(scaler.transform(X_test), y_test))
        print(
            f"Incremental: 3 passes over {X_blocks.numblocks[0]} blocks, held-out "
            f"accuracy {accuracies[-1]:.3f}"
        )

    # The figure: each block is one ``partial_fit`` call, one epoch over that block's
    # rows, so the network's loss curve has one point per block; the held-out
    # accuracy is measured after each pass over all blocks.
    fig, (ax_loss, ax_accuracy) = plt.subplots(
        1, 2, figsize=(10, 3.8), layout="constrained"
    )
    LossCurveDisplay.from_estimator(
        incremental.estimator_, ax=ax_loss, name="Incremental"
    )
    ax_loss.set_xlabel("block (one partial_fit epoch each)")
    ax_accuracy.plot(range(1, len(accuracies) + 1), accuracies, marker="o")
    ax_accuracy.set_xticks(range(1, len(accuracies) + 1))
    ax_accuracy.set_xlabel("pass over the dask array")
    ax_accuracy.set_ylabel("held-out accuracy")
    fig.savefig(FIGURES / "dask_incremental.png", dpi=80)
    print(f"saved {FIGURES / 'dask_incremental.png'}")
