"""The article series' spreadsheet-like data set."""

import numpy as np
from sklearn.utils import check_random_state


def make_article_data(n_samples=199, *, random_state=None):
    """Draw the article series' spreadsheet-like samples.

    Each sample has three inputs x, y and z drawn uniformly from
    {-1.0, -0.9, ..., 0.9, 1.0}; its class is 1 where x >= 0 and 0 otherwise.

    Parameters
    ----------
    n_samples : int, default=199
        Number of rows (the article's training and validation files hold 199 each).

    random_state : int, RandomState instance or None, default=None
        Seeds the draw.

    Returns
    -------
    X : ndarray of shape (n_samples, 3)
        The inputs x, y, z.

    y : ndarray of shape (n_samples,)
        The class, 1 where x >= 0 and 0 otherwise.

    Examples
    --------
    >>> from sk_mlpbp import make_article_data
    >>> X, y = make_article_data(5, random_state=0)
    >>> X.shape, sorted(set(y.tolist()) | {0, 1})
    ((5, 3), [0, 1])
    """
    grid = np.arange(-10, 11) / 10.0
    X = check_random_state(random_state).choice(grid, size=(n_samples, 3))
    return X, (X[:, 0] >= 0).astype(np.int64)
