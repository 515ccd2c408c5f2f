"""``sk-mlpbp demo``: the article's experiment, a small grid search, the first step.

They run on data that ship with sk_mlpbp and scikit-learn (nothing is downloaded).
The demo ends with the article's network's first training step, traced by
:meth:`MLPBackpropClassifier.explain_step`.
"""

import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from sk_mlpbp._datasets import make_article_data
from sk_mlpbp._mlp import MLPBackpropClassifier
from sk_mlpbp._network import initial_weights

#: The demo's grid on digits: LR values (columns) and hidden sizes (rows).
LEARNING_RATES = (0.1, 0.5, 2.0)
HIDDEN_SIZES = (8, 16, 32)


def article_experiment():
    """Train the article's network on a training file, score it on a validation file.

    The files are the article's spreadsheets: 199 rows each of x, y, z in
    {-1.0, -0.9, ..., 1.0}, output 1 where x >= 0. The network has 3 inputs, 4 hidden
    logistic units, 1 output, no biases and weights from U(-1, 1), and learns with
    LR = 1, one sample at a time, for one epoch.

    The initial weights are drawn here as ``fit`` draws them (``initial_weights``
    with ``random_state=0``), so that the first training step can be traced from
    them; ``fit`` then starts from them (``warm_start=True``), and trains exactly
    as it would have drawing them itself.

    Returns
    -------
    article : MLPBackpropClassifier
        The trained network.

    accuracy : float
        Its accuracy on the validation file.

    first_step : StepTrace
        The first step of its training: the first sample of the training file, on
        the initial weights.
    """
    X_train, y_train = make_article_data(199, random_state=0)
    X_valid, y_valid = make_article_data(199, random_state=1)
    article = MLPBackpropClassifier(
        (4,),
        learning_rate=1.0,
        batch_size=1,
        max_iter=1,
        shuffle=False,
        use_bias=False,
        weight_init="uniform",
        random_state=0,
        warm_start=True,
    )
    article.coefs_, article.intercepts_ = initial_weights(
        [X_train.shape[1], *article.hidden_layer_sizes, 1],
        article.weight_init,
        np.float64,
        check_random_state(article.random_state),
    )
    # The sample alone, as the online epoch's first step takes it.
    first_step = article.explain_step(X_train[:1], y_train[:1], classes=[0, 1])
    with warnings.catch_warnings():
        # The article trains for exactly one epoch; it is not asked to converge.
        warnings.simplefilter("ignore", ConvergenceWarning)
        article.fit(X_train, y_train)
    return article, article.score(X_valid, y_valid), first_step


def digits_grid():
    """Run a grid search over LR and the hidden size on scikit-learn's digits.

    A quarter of the 1,797 images is held out; on the rest, ``GridSearchCV`` scores
    ``make_pipeline(StandardScaler(), MLPBackpropClassifier(...))`` (20 epochs of
    batches of 32) by 3-fold cross-validation for every LR in ``LEARNING_RATES`` and
    hidden size in ``HIDDEN_SIZES``.

    Returns
    -------
    scores : ndarray of shape (len(HIDDEN_SIZES), len(LEARNING_RATES))
        Mean cross-validated accuracy of each cell.

    search : GridSearchCV
        The fitted search; its best pipeline is refitted on the training part.

    held_out : float
        The best pipeline's accuracy on the held-out quarter.
    """
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    pipeline = make_pipeline(
        StandardScaler(),
        MLPBackpropClassifier(batch_size=32, max_iter=20, random_state=0),
    )
    # ParameterGrid walks the sorted keys with the last varying fastest, so the
    # scores come hidden size by hidden size, LR within each: a row per hidden size.
    grid = {
        "mlpbackpropclassifier__hidden_layer_sizes": [(h,) for h in HIDDEN_SIZES],
        "mlpbackpropclassifier__learning_rate": list(LEARNING_RATES),
    }
    search = GridSearchCV(pipeline, grid, cv=3)
    with warnings.catch_warnings():
        # 20 epochs keep the demo short; the fits are not asked to converge.
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X_train, y_train)
    scores = search.cv_results_["mean_test_score"].reshape(
        len(HIDDEN_SIZES), len(LEARNING_RATES)
    )
    return scores, search, search.score(X_test, y_test)


def run_demo():
    """Run the article's experiment and the digits grid, printing their results.

    The output ends with the article's first training step (see
    :func:`article_experiment`), as ``print(trace)`` lays it out.
    """
    start = time.perf_counter()
    print("The article's experiment (built-in spreadsheet-like data)")
    print("  training file: 199 rows, validation file: 199 rows of x, y, z -> output")
    print("  network 3-4-1, no biases, U(-1, 1) weights, LR 1, online, 1 epoch")
    article, accuracy, first_step = article_experiment()
    print(f"  training error (mean E of the epoch): {article.loss_curve_[0]:.4f}")
    print(f"  validation accuracy: {accuracy:.3f}")

    print("\nLR x hidden-size grid on scikit-learn's digits (1,797 8x8 images)")
    print("  StandardScaler + MLPBackpropClassifier, 20 epochs of batches of 32;")
    print("  mean 3-fold cross-validated accuracy on 3/4 of the images:")
    scores, search, held_out = digits_grid()
    print("  hidden \\ LR" + "".join(f"{lr:>8g}" for lr in LEARNING_RATES))
    for hidden, row in zip(HIDDEN_SIZES, scores):
        print(f"  {hidden:>11}" + "".join(f"{score:8.3f}" for score in row))
    best = search.best_estimator_[-1]
    print(
        f"  best: LR {best.learning_rate:g}, hidden {best.hidden_layer_sizes[0]}; "
        f"accuracy on the held-out 1/4: {held_out:.3f}"
    )
    print(f"\ndone in {time.perf_counter() - start:.1f} s")

    print("\nThe article's first training step (sample 0 of the training file)")
    print("  the network above, on the initial weights its training starts from")
    print()
    print(first_step)
