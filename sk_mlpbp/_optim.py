"""Update rules: each layer's gradient from its error signal, and the step it takes."""

import numpy as np
from scipy import sparse


class SGDOptimizer:
    """Gradient steps with optional L2 penalty, momentum and a learning-rate schedule.

    For a layer whose inputs (the post-activations of the layer below) are
    ``S_postA`` and whose error signal is ``S_ERROR`` (weighted so that its rows sum
    to the batch's mean), the gradients are
    ``gradient_W = S_postA.T @ S_ERROR + alpha * W`` and ``gradient_b = sum(S_ERROR)``.
    The caller folds each layer's LR into its ``S_ERROR`` beforehand, so the products
    come out as ``LR * gradient``, the step itself, and no extra pass over the weights
    scales them.
    Without momentum a step is the article's ``W = W - LR * gradient``. With momentum
    each parameter keeps a velocity ``v = momentum * v - LR * gradient`` and moves by
    ``v``, or with Nesterov's momentum by ``momentum * v - LR * gradient`` (the rule
    of scikit-learn's SGD solver).

    The optimizer only lives during one ``fit`` or ``partial_fit`` call; what must
    persist between calls (the velocities and the current rate) is handed in and
    read back as plain arrays and numbers, so a fitted estimator holds no optimizer.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        The weights and biases, updated in place.

    learning_rate_init : list of float
        Each layer's LR at the start of the schedule.

    learning_rate : list of float
        Each layer's current LR (it differs from ``learning_rate_init`` once a
        schedule ran).

    intercept_ratio : list of float
        Each layer's LR for its biases divided by its LR for its weights (1 for a
        given ``learning_rate``; see
        :func:`sk_mlpbp._calibration.layer_learning_rates` for ``"auto"``). The
        schedule moves both rates alike.

    schedule : {"constant", "invscaling", "adaptive"}
        ``"invscaling"`` sets ``LR = learning_rate_init / (t + 1) ** power_t`` after
        every epoch, ``t`` being the number of samples seen since the schedule
        started; ``"adaptive"`` divides every layer's LR by 5 each time training
        stops improving, until none is above 1e-6.

    power_t : float
        Exponent of ``"invscaling"``.

    alpha : float
        L2 penalty on the weights (not the biases).

    use_bias : bool
        Whether the biases are trained.

    momentum : float
        Momentum in [0, 1]; 0 is the article's plain step.

    nesterov : bool
        Whether to use Nesterov's momentum.

    velocities : list of ndarray or None
        The velocities a previous call left (``velocities`` below), to continue
        from; zeros are used when None or when their shapes do not match the
        parameters'.

    Attributes
    ----------
    velocities : list of ndarray or None
        One velocity per weight matrix, then one per bias vector, updated in place;
        None without momentum. Only this class reads or writes their entries
        (:meth:`layer_velocities` hands out a layer's).
    """

    def __init__(
        self,
        coefs,
        intercepts,
        *,
        learning_rate_init,
        learning_rate,
        intercept_ratio,
        schedule,
        power_t,
        alpha,
        use_bias,
        momentum,
        nesterov,
        velocities,
    ):
        self.coefs = coefs
        self.intercepts = intercepts
        self.learning_rate_init = list(learning_rate_init)
        self.learning_rate = list(learning_rate)
        self.intercept_ratio = list(intercept_ratio)
        self.schedule = schedule
        self.power_t = power_t
        self.alpha = alpha
        self.use_bias = use_bias
        self.momentum = momentum
        self.nesterov = nesterov
        params = coefs + intercepts
        if not momentum:
            velocities = None
        elif velocities is None or [v.shape for v in velocities] != [
            p.shape for p in params
        ]:
            velocities = [np.zeros_like(param) for param in params]
        else:
            velocities = [
                v.astype(p.dtype, copy=False) for v, p in zip(velocities, params)
            ]
        self.velocities = velocities
        n_layers = len(coefs)
        self._layer_velocities = [
            (None, None)
            if velocities is None
            else (velocities[i], velocities[n_layers + i])
            for i in range(n_layers)
        ]
        # Room for each layer's step LR * gradient, reused by every batch.
        self._coef_steps = [np.empty_like(coef) for coef in coefs]
        self._intercept_steps = [np.empty_like(b) for b in intercepts]
        self._ones = np.ones(0, dtype=coefs[0].dtype)

    def update_layer(self, layer, S_postA, S_ERROR):
        """Step layer ``layer``'s weights and biases in place.

        Parameters
        ----------
        layer : int
            Index into ``coefs`` and ``intercepts``.

        S_postA : ndarray or sparse matrix of shape (n_samples, fan_in)
            The layer's inputs: the post-activations of the layer below.

        S_ERROR : ndarray of shape (n_samples, fan_out)
            The layer's error signal times LR, each row weighted by its sample's
            share of the batch, so that ``S_postA.T @ S_ERROR`` is
            ``LR * gradient``, the step itself.
        """
        W = self.coefs[layer]
        step_W = self._coef_steps[layer]
        if sparse.issparse(S_postA):
            np.copyto(step_W, S_postA.T @ S_ERROR)
        else:
            np.dot(S_postA.T, S_ERROR, out=step_W)
        if self.alpha:
            self.add_decay(layer, step_W, W)
        velocity_W, velocity_b = self._layer_velocities[layer]
        self.step(W, step_W, velocity_W)
        if self.use_bias:
            # LR * gradient_b: the sum of S_ERROR's rows, as a matrix-vector product
            step_b = self._intercept_steps[layer]
            if self._ones.shape[0] < S_ERROR.shape[0]:
                self._ones = np.ones(S_ERROR.shape[0], dtype=S_ERROR.dtype)
            np.dot(self._ones[: S_ERROR.shape[0]], S_ERROR, out=step_b)
            if self.intercept_ratio[layer] != 1.0:
                step_b *= self.intercept_ratio[layer]  # LR_b * gradient_b
            self.step(self.intercepts[layer], step_b, velocity_b)

    def add_decay(self, layer, step_W, W):
        """Add the L2 penalty's ``LR * alpha * W`` to the step of the weights ``W``.

        Parameters
        ----------
        layer : int
            The layer whose LR applies.

        step_W : ndarray
            ``LR * gradient`` of the error for ``W``; updated in place.

        W : ndarray of the same shape
            The weights (not the biases, which the penalty leaves alone).
        """
        step_W += (self.learning_rate[layer] * self.alpha) * W

    def layer_velocities(self, layer):
        """Return the velocities of a layer's weights and biases.

        Parameters
        ----------
        layer : int
            Index into ``coefs`` and ``intercepts``.

        Returns
        -------
        velocity_W, velocity_b : ndarray or None
            The velocities, updated in place by :meth:`step`; None without momentum.
        """
        return self._layer_velocities[layer]

    def step(self, param, step, velocity):
        """Move ``param`` by ``step = LR * gradient``, or by its ``velocity``.

        This is the one place where a parameter moves.

        Parameters
        ----------
        param : ndarray
            The weights or biases; updated in place.

        step : ndarray of the same shape
            ``LR * gradient``.

        velocity : ndarray of the same shape or None
            The parameter's velocity, updated in place; None without momentum.
        """
        if velocity is None:
            param -= step
            return
        velocity *= self.momentum
        velocity -= step
        if self.nesterov:
            param += np.multiply(velocity, self.momentum)
            param -= step
        else:
            param += velocity

    def iteration_ends(self, t):
        """Update LR after an epoch.

        Parameters
        ----------
        t : int
            The number of samples seen since the schedule started.
        """
        if self.schedule == "invscaling":
            # In floats: a decay beyond the largest float is inf, and LR becomes 0.
            with np.errstate(over="ignore"):
                decay = np.float64(t + 1) ** self.power_t
            self.learning_rate = [float(LR / decay) for LR in self.learning_rate_init]

    def trigger_stopping(self):
        """Return True to stop now that training stopped improving, or lower LR.

        Returns
        -------
        stop : bool
            False when the ``"adaptive"`` schedule divided LR by 5 to go on.
        """
        if self.schedule != "adaptive" or max(self.learning_rate) <= 1e-6:
            return True
        self.learning_rate = [LR / 5.0 for LR in self.learning_rate]
        return False
