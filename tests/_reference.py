"""Independent references for the training rule, written as scalar loops.

Nothing here uses sk_mlpbp: the loops follow the article's own Python code (one
sample, one node at a time, ``math.exp``) and the update rule as specified, word for
word, so that the estimator's matrix code can be compared against them.
"""

import math

import numpy as np


def logistic(x):
    return 1.0 / (1.0 + math.exp(-x))


def logistic_deriv(x):
    return logistic(x) * (1.0 - logistic(x))


def article_training_loop(
    training_data, target_output, weights_ItoH, weights_HtoO, LR, epochs
):
    """Train the article's network (one hidden layer, one output, no bias).

    Node by node, one sample at a time; return the weights and the error of every
    epoch.
    """
    weights_ItoH = [list(row) for row in weights_ItoH]
    weights_HtoO = list(weights_HtoO)
    I_dim, H_dim = len(weights_ItoH), len(weights_HtoO)
    epoch_errors = []
    for _ in range(epochs):
        error_total = 0.0
        for sample, target in zip(training_data, target_output):
            preActivation_H = [0.0] * H_dim
            postActivation_H = [0.0] * H_dim
            for node in range(H_dim):
                preActivation_H[node] = sum(
                    sample[i] * weights_ItoH[i][node] for i in range(I_dim)
                )
                postActivation_H[node] = logistic(preActivation_H[node])
            preActivation_O = sum(
                postActivation_H[h] * weights_HtoO[h] for h in range(H_dim)
            )
            postActivation_O = logistic(preActivation_O)
            FE = postActivation_O - target
            error_total += 0.5 * FE**2
            for H_node in range(H_dim):
                S_error = FE * logistic_deriv(preActivation_O)
                gradient_HtoO = S_error * postActivation_H[H_node]
                for I_node in range(I_dim):
                    input_value = sample[I_node]
                    gradient_ItoH = (
                        S_error
                        * weights_HtoO[H_node]
                        * logistic_deriv(preActivation_H[H_node])
                        * input_value
                    )
                    weights_ItoH[I_node][H_node] -= LR * gradient_ItoH
                weights_HtoO[H_node] -= LR * gradient_HtoO
        epoch_errors.append(error_total / len(training_data))
    return np.array(weights_ItoH), np.array(weights_HtoO), epoch_errors


def minibatch_reference(
    X,
    T,
    coefs,
    intercepts,
    LR,
    batch_size,
    epochs,
    *,
    use_bias=True,
    sample_weight=None,
    momentum=0.0,
    nesterov=False,
    alpha=0.0,
    power_t=None,
    identity_output=False,
    even_batches=False,
):
    """Any depth, biases, several outputs, per-sample loops, in the given row order.

    The output units are logistic, or with ``identity_output`` the regressor's
    identity units (``S_postA,O = S_preA,O``, so ``S_ERROR,O = FE``). The batches
    are consecutive runs of ``batch_size`` samples and a short last one, or with
    ``even_batches`` (the regressor's) ``ceil(n / batch_size)`` runs of equal size,
    give or take one, the longer ones last (batch ``k`` ends at
    ``floor((k + 1) * n / n_batches)``).

    A step uses the weighted mean of its samples' gradients
    ``sum(s_i * g_i) / sum(s_i)`` (plus ``alpha * W`` for weights), all from the
    weights before the step; a batch whose weights sum to 0 makes no step. With
    momentum ``v = momentum * v - LR * g`` and the parameter moves by ``v``, or by
    ``momentum * v - LR * g`` with Nesterov. ``power_t`` turns on the inverse
    scaling schedule ``LR_t = LR / (t + 1) ** power_t`` after every epoch.
    """
    coefs = [[list(row) for row in W] for W in coefs]
    intercepts = [list(b) for b in intercepts]
    n_samples = len(X)
    weights = [1.0] * n_samples if sample_weight is None else list(sample_weight)
    vel_W = [[[0.0] * len(W[0]) for _ in W] for W in coefs]
    vel_b = [[0.0] * len(b) for b in intercepts]
    rate = LR
    samples_seen = 0
    epoch_errors = []

    def step(param, velocity, gradient):
        if momentum == 0:
            return param - rate * gradient, velocity
        velocity = momentum * velocity - rate * gradient
        if nesterov:
            return param + momentum * velocity - rate * gradient, velocity
        return param + velocity, velocity

    if even_batches:
        n_batches = -(-n_samples // batch_size)
        edges = [k * n_samples // n_batches for k in range(n_batches + 1)]
    else:
        edges = [*range(0, n_samples, batch_size), n_samples]
    for _ in range(epochs):
        error_total = 0.0
        for start, stop in zip(edges[:-1], edges[1:]):
            rows = range(start, stop)
            batch_weight = sum(weights[r] for r in rows)
            grad_W = [[[0.0] * len(W[0]) for _ in W] for W in coefs]
            grad_b = [[0.0] * len(b) for b in intercepts]
            for r in rows:
                post = [list(X[r])]
                for layer, (W, b) in enumerate(zip(coefs, intercepts)):
                    below = post[-1]
                    pre = [
                        sum(below[i] * W[i][j] for i in range(len(below))) + b[j]
                        for j in range(len(b))
                    ]
                    identity = identity_output and layer == len(coefs) - 1
                    post.append(pre if identity else [logistic(s) for s in pre])
                FE = [post[-1][k] - T[r][k] for k in range(len(T[r]))]
                error_total += weights[r] * 0.5 * sum(e * e for e in FE)
                if batch_weight == 0:
                    continue
                share = weights[r] / batch_weight
                S_error = [
                    FE[k]
                    if identity_output
                    else FE[k] * post[-1][k] * (1 - post[-1][k])
                    for k in range(len(FE))
                ]
                for layer in range(len(coefs) - 1, -1, -1):
                    below = post[layer]
                    for i in range(len(below)):
                        for j in range(len(S_error)):
                            grad_W[layer][i][j] += share * S_error[j] * below[i]
                    for j in range(len(S_error)):
                        grad_b[layer][j] += share * S_error[j]
                    W = coefs[layer]
                    S_error = [
                        sum(S_error[j] * W[i][j] for j in range(len(S_error)))
                        * below[i]
                        * (1 - below[i])
                        for i in range(len(below))
                    ]
            if batch_weight == 0:
                continue
            for layer, W in enumerate(coefs):
                for i in range(len(W)):
                    for j in range(len(W[i])):
                        gradient = grad_W[layer][i][j] + alpha * W[i][j]
                        W[i][j], vel_W[layer][i][j] = step(
                            W[i][j], vel_W[layer][i][j], gradient
                        )
                if use_bias:
                    b = intercepts[layer]
                    for j in range(len(b)):
                        b[j], vel_b[layer][j] = step(
                            b[j], vel_b[layer][j], grad_b[layer][j]
                        )
        samples_seen += n_samples
        if power_t is not None:
            rate = LR / (samples_seen + 1) ** power_t
        epoch_errors.append(error_total / sum(weights))
    return (
        [np.array(W) for W in coefs],
        [np.array(b) for b in intercepts],
        epoch_errors,
    )


def mean_error(X, T, coefs, intercepts):
    """Mean per-sample E = 1/2 sum_k (a_k - t_k)^2, written directly."""
    a = X
    for W, b in zip(coefs, intercepts):
        a = 1.0 / (1.0 + np.exp(-(a @ W + b)))
    return 0.5 * np.sum((a - T) ** 2) / X.shape[0]


def random_network(rng, units):
    """Weights and biases drawn from U(-1, 1) for layers of the given sizes."""
    coefs = [rng.uniform(-1, 1, (a, b)) for a, b in zip(units[:-1], units[1:])]
    intercepts = [rng.uniform(-1, 1, b) for b in units[1:]]
    return coefs, intercepts


def targets(y, n_classes):
    """Code ``y`` as the estimator does: one 0/1 column for 2 classes, else one-hot."""
    return np.eye(n_classes)[y] if n_classes > 2 else y[:, None].astype(float)


def article_step_reference(
    X,
    T,
    coefs,
    intercepts,
    LR,
    intercept_LR=None,
    sample_weight=None,
    alpha=0.0,
    momentum=0.0,
    nesterov=False,
    velocities=None,
    use_bias=True,
    identity_output=False,
):
    """One training step on the batch ``X, T``, every quantity of the article.

    Node by node and sample by sample with ``math.exp``: the forward pass (S_preA,
    S_postA), the final error FE = S_postA,O - T and E = 1/2 sum FE^2, the article's
    error signal S_ERROR (``FE * f'(S_preA,O)`` at the outputs,
    ``(sum_k S_ERROR_k W_jk) * f'(S_preA_j)`` below), each matrix's gradient as the
    batch's weighted mean ``sum_n share_n S_ERROR_n,j S_postA_n,i`` with
    ``share_n = w_n / sum(w)``, the L2 term ``alpha * W`` and the step: without
    momentum ``p - LR * (g + l2)``; with momentum ``v = momentum * v - LR * (g + l2)``
    and ``p`` moves by ``v``, or with Nesterov by ``momentum * v - LR * (g + l2)``.

    ``LR`` and ``intercept_LR`` are a number or one per layer (``intercept_LR``
    defaults to ``LR``); ``velocities`` is None (zeros) or the weights' velocities
    followed by the biases'. Without ``use_bias`` the biases stay as they are.

    Returns a dict of arrays: ``weights``, ``intercepts``, ``velocity`` (the
    weights' velocities or None), ``LR`` and ``intercept_LR`` (lists, the inputs),
    ``S_preA``, ``S_ERROR`` (lists, layers 1..L),
    ``S_postA`` (list, layers 0..L), ``T``, ``FE``, ``E``, ``share``, ``loss`` and
    per weight matrix (lists) ``gradient``, ``intercept_gradient``, ``l2``,
    ``velocity_after``, ``intercept_velocity_after`` (None without momentum),
    ``weights_after`` and ``intercepts_after``. With ``identity_output`` the output
    units are the regressor's identity units: ``S_postA,O = S_preA,O`` and
    ``S_ERROR,O = FE``.
    """
    n_layers = len(coefs)
    W_all = [[[float(w) for w in row] for row in W] for W in coefs]
    b_all = [[float(b) for b in vector] for vector in intercepts]

    def per_layer(rate):
        if np.ndim(rate) == 0:
            return [float(rate)] * n_layers
        return [float(r) for r in rate]

    rates = per_layer(LR)
    intercept_rates = rates if intercept_LR is None else per_layer(intercept_LR)
    inputs = [[float(x) for x in row] for row in X]
    targets_ = [[float(t) for t in row] for row in T]
    n_samples = len(inputs)
    weights = (
        [1.0] * n_samples
        if sample_weight is None
        else [float(w) for w in sample_weight]
    )
    total = sum(weights)
    share = [w / total for w in weights]

    # Forward pass, node by node.
    S_preA, S_postA = [], [inputs]
    for layer, (W, b) in enumerate(zip(W_all, b_all)):
        below = S_postA[-1]
        pre = [
            [
                sum(below[n][i] * W[i][j] for i in range(len(W))) + b[j]
                for j in range(len(b))
            ]
            for n in range(n_samples)
        ]
        S_preA.append(pre)
        if identity_output and layer == n_layers - 1:
            S_postA.append([list(row) for row in pre])
        else:
            S_postA.append([[logistic(s) for s in row] for row in pre])
    output = S_postA[-1]
    FE = [
        [output[n][k] - targets_[n][k] for k in range(len(output[n]))]
        for n in range(n_samples)
    ]
    E = [0.5 * sum(fe * fe for fe in row) for row in FE]

    # Backward pass: the article's S_ERROR, nothing folded in.
    S_ERROR = [None] * n_layers
    S_ERROR[-1] = [
        [
            FE[n][k] * (1.0 if identity_output else logistic_deriv(S_preA[-1][n][k]))
            for k in range(len(FE[n]))
        ]
        for n in range(n_samples)
    ]
    for layer in range(n_layers - 1, 0, -1):
        W, above = W_all[layer], S_ERROR[layer]
        S_ERROR[layer - 1] = [
            [
                sum(above[n][k] * W[j][k] for k in range(len(W[j])))
                * logistic_deriv(S_preA[layer - 1][n][j])
                for j in range(len(W))
            ]
            for n in range(n_samples)
        ]

    def moved(param, gradient, rate, velocity):
        if momentum == 0:
            return param - rate * gradient, None
        velocity = momentum * velocity - rate * gradient
        if nesterov:
            return param + momentum * velocity - rate * gradient, velocity
        return param + velocity, velocity

    result = {
        "gradient": [],
        "intercept_gradient": [],
        "l2": [],
        "velocity_after": [],
        "intercept_velocity_after": [],
        "weights_after": [],
        "intercepts_after": [],
    }
    for layer, (W, b) in enumerate(zip(W_all, b_all)):
        below, error = S_postA[layer], S_ERROR[layer]
        n_below, n_above = len(W), len(b)
        gradient = [
            [
                sum(share[n] * error[n][j] * below[n][i] for n in range(n_samples))
                for j in range(n_above)
            ]
            for i in range(n_below)
        ]
        intercept_gradient = [
            sum(share[n] * error[n][j] for n in range(n_samples))
            for j in range(n_above)
        ]
        l2 = [[alpha * W[i][j] for j in range(n_above)] for i in range(n_below)]
        if velocities is None:
            v_W = [[0.0] * n_above for _ in range(n_below)]
            v_b = [0.0] * n_above
        else:
            v_W = [[float(v) for v in row] for row in velocities[layer]]
            v_b = [float(v) for v in velocities[n_layers + layer]]
        W_after = [[0.0] * n_above for _ in range(n_below)]
        for i in range(n_below):
            for j in range(n_above):
                W_after[i][j], v_W[i][j] = moved(
                    W[i][j], gradient[i][j] + l2[i][j], rates[layer], v_W[i][j]
                )
        b_after = list(b)
        if use_bias:
            for j in range(n_above):
                b_after[j], v_b[j] = moved(
                    b[j], intercept_gradient[j], intercept_rates[layer], v_b[j]
                )
        result["gradient"].append(np.array(gradient))
        result["intercept_gradient"].append(np.array(intercept_gradient))
        result["l2"].append(np.array(l2))
        result["velocity_after"].append(None if momentum == 0 else np.array(v_W))
        result["intercept_velocity_after"].append(
            None if momentum == 0 or not use_bias else np.array(v_b)
        )
        result["weights_after"].append(np.array(W_after))
        result["intercepts_after"].append(np.array(b_after))
    velocities_before = (
        None if velocities is None else [np.array(v) for v in velocities[:n_layers]]
    )
    result.update(
        weights=[np.array(W) for W in W_all],
        intercepts=[np.array(b) for b in b_all],
        velocity=velocities_before,
        LR=rates,
        intercept_LR=intercept_rates,
        S_preA=[np.array(layer) for layer in S_preA],
        S_postA=[np.array(layer) for layer in S_postA],
        S_ERROR=[np.array(layer) for layer in S_ERROR],
        T=np.array(targets_),
        FE=np.array(FE),
        E=np.array(E),
        share=np.array(share),
        loss=sum(s * e for s, e in zip(share, E)),
    )
    return result
