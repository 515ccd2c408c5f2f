"""Measure candidate defaults on the accuracy bars of the test suite.

Runs ``make_pipeline(StandardScaler(), MLPBackpropClassifier(**params))`` through
``StratifiedKFold(5, shuffle=True, random_state=0)`` on iris, wine, breast_cancer and
digits for each candidate setting and prints mean accuracy, mean epochs and time.

    python benchmarks/choose_defaults.py --learning-rate 0.5 1 2 --batch-size 8 16 auto
"""

import argparse
import itertools
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import MLPBackpropClassifier

DATASETS = {
    "iris": load_iris,
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learning-rate", type=float, nargs="+", default=[1.0])
    parser.add_argument(
        "--batch-size",
        type=lambda text: text if text == "auto" else int(text),
        nargs="+",
        default=["auto"],
    )
    parser.add_argument("--tol", type=float, nargs="+", default=[1e-5])
    parser.add_argument("--n-iter-no-change", type=int, nargs="+", default=[20])
    parser.add_argument("--max-iter", type=int, nargs="+", default=[1000])
    args = parser.parse_args()
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    grid = itertools.product(
        args.learning_rate,
        args.batch_size,
        args.tol,
        args.n_iter_no_change,
        args.max_iter,
    )
    print(
        "lr     batch  tol     n_no  max   " + "  ".join(f"{d:>18}" for d in DATASETS)
    )
    for lr, batch, tol, n_no, max_iter in grid:
        cells = []
        for load in DATASETS.values():
            X, y = load(return_X_y=True)
            clf = MLPBackpropClassifier(
                learning_rate=lr,
                batch_size=batch,
                tol=tol,
                n_iter_no_change=n_no,
                max_iter=max_iter,
                random_state=0,
            )
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                result = cross_validate(
                    make_pipeline(StandardScaler(), clf),
                    X,
                    y,
                    cv=cv,
                    return_estimator=True,
                )
            seconds = time.perf_counter() - start
            epochs = np.mean([est[-1].n_iter_ for est in result["estimator"]])
            cells.append(
                f"{result['test_score'].mean():.4f} {epochs:5.0f}e {seconds:4.1f}s"
            )
        print(
            f"{lr:<6g} {batch!s:<6} {tol:<7g} {n_no:<5d} {max_iter:<5d} "
            + "  ".join(cells)
        )


if __name__ == "__main__":
    main()
