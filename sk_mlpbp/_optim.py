"""Update rules that move the weights against their gradients."""


class SGDOptimizer:
    """The article's plain gradient step: ``weight = weight - LR * gradient``.

    The optimizer is a helper of ``fit`` only; it is never stored on a fitted
    estimator, so a fitted model holds nothing but arrays, lists and numbers.

    Parameters
    ----------
    learning_rate : float
        The article's LR.
    """

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def update_params(self, params, grads):
        """Apply one step to every parameter in place.

        Parameters
        ----------
        params : list of ndarray
            Weights and biases; modified in place.

        grads : list of ndarray
            Their gradients, in the same order; overwritten (scaled by LR).
        """
        for param, gradient in zip(params, grads):
            gradient *= self.learning_rate
            param -= gradient
