"""Update rules that move the weights against their gradients."""

import numpy as np


class SGDOptimizer:
    """Gradient steps with optional momentum and a learning-rate schedule.

    Without momentum a step is the article's ``weight = weight - LR * gradient``.
    With momentum each parameter keeps a velocity ``v = momentum * v - LR * gradient``
    and moves by ``v``, or with Nesterov's momentum by ``momentum * v - LR * gradient``
    (the rule of scikit-learn's SGD solver).

    The optimizer only lives during one ``fit`` or ``partial_fit`` call; what must
    persist between calls (the velocities and the current rate) is handed in and
    read back as plain arrays and numbers, so a fitted estimator holds no optimizer.

    Parameters
    ----------
    learning_rate_init : float
        The LR the schedules start from.

    learning_rate : float
        The current LR (it differs from ``learning_rate_init`` once a schedule ran).

    schedule : {"constant", "invscaling", "adaptive"}
        ``"invscaling"`` sets ``LR = learning_rate_init / (t + 1) ** power_t`` after
        every epoch, ``t`` being the number of samples seen; ``"adaptive"`` divides LR
        by 5 each time training stops improving, until LR falls to 1e-6.

    power_t : float
        Exponent of ``"invscaling"``.

    momentum : float
        Momentum in [0, 1]; 0 is the article's plain step.

    nesterov : bool
        Whether to use Nesterov's momentum.

    velocities : list of ndarray or None
        One velocity per parameter, updated in place; None without momentum.
    """

    def __init__(
        self,
        learning_rate_init,
        learning_rate,
        schedule,
        power_t,
        momentum,
        nesterov,
        velocities,
    ):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.schedule = schedule
        self.power_t = power_t
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = velocities

    def update_params(self, params, grads):
        """Apply one step to every parameter in place.

        Parameters
        ----------
        params : list of ndarray
            Weights and biases; modified in place.

        grads : list of ndarray
            Their gradients, in the same order; overwritten.
        """
        LR = self.learning_rate
        if not self.momentum:
            for param, gradient in zip(params, grads):
                gradient *= LR
                param -= gradient
            return
        for param, velocity, gradient in zip(params, self.velocities, grads):
            gradient *= LR
            velocity *= self.momentum
            velocity -= gradient
            if self.nesterov:
                param += np.multiply(velocity, self.momentum)
                param -= gradient
            else:
                param += velocity

    def iteration_ends(self, t):
        """Update LR after an epoch; ``t`` is the number of samples seen so far."""
        if self.schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (t + 1) ** self.power_t

    def trigger_stopping(self):
        """Training stopped improving: return True to stop, or lower LR and go on."""
        if self.schedule != "adaptive" or self.learning_rate <= 1e-6:
            return True
        self.learning_rate /= 5.0
        return False
