"""
One backpropagation step, as the article writes it
==================================================

The All About Circuits series derives one training step of its multilayer
perceptron and names every quantity: the signal entering a node, S_preA; the signal
leaving it, S_postA = f_A(S_preA); the final error FE = S_postA,O - T; the error
signal S_ERROR = FE x f_A'(S_preA,O), passed back through the weights; the gradients
(S_ERROR x S_postA of the layer below); and the update
weight = weight - LR x gradient.

This script takes that step on the article's own network (3 inputs, 4 hidden
logistic units, 1 output, no biases, weights from U(-1, 1), LR = 1) and its first
training sample, prints it in the article's terms, draws the network with the step's
numbers on it, checks the gradients against finite differences, and does the same
for a network with two hidden layers and biases.

Figures are saved as PNG files into the folder named by the environment variable
``SK_MLPBP_FIGURES`` (default: ``figures/`` next to this script, a folder git
ignores). The README shows the first figure from the tracked file
``examples/images/article_step.png``; to redraw it on purpose, run
``SK_MLPBP_FIGURES=examples/images python examples/plot_article_step.py`` (and
discard the second figure it saves there).
"""

# %%
# The article's network and its first sample
# ------------------------------------------
# The article draws its weights with NumPy, ItoH first, then HtoO; assigning them
# to ``coefs_`` gives the estimator the article's network without training it.
# ``explain_step`` then takes one step on the first training sample and returns
# everything the step computed; the estimator itself does not change.
import copy
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from sk_mlpbp import (
    MLPBackpropClassifier,
    NetworkDisplay,
    check_gradients,
    make_article_data,
)

FIGURES = Path(
    os.environ["SK_MLPBP_FIGURES"]
    if "SK_MLPBP_FIGURES" in os.environ
    else Path(__file__).resolve().parent / "figures"
)
FIGURES.mkdir(parents=True, exist_ok=True)


def save(figure, name):
    """Save ``figure`` as ``name`` in the figures folder."""
    path = FIGURES / name
    figure.savefig(path, dpi=100)
    print(f"saved {path}")


X_train, y_train = make_article_data(199, random_state=0)
rng = np.random.RandomState(0)
weights_ItoH = rng.uniform(-1, 1, (3, 4))
weights_HtoO = rng.uniform(-1, 1, (4, 1))

article = MLPBackpropClassifier(
    (4,), learning_rate=1.0, batch_size=1, shuffle=False, use_bias=False
)
article.coefs_ = [weights_ItoH, weights_HtoO]
trace = article.explain_step(X_train[:1], y_train[:1], classes=[0, 1])
print(trace)

# %%
# It is the estimator's own step
# ------------------------------
# The trace's weights after the step are those ``partial_fit`` makes of the same
# sample, to the last bit: the trace is computed by the code that trains.
trained = copy.deepcopy(article)
trained.partial_fit(X_train[:1], y_train[:1], classes=[0, 1])
same = all(
    np.array_equal(w.weights_after, coef)
    for w, coef in zip(trace.weights, trained.coefs_)
)
print(f"weights after the step equal partial_fit's: {same}")

# %%
# The article's diagram, drawn from this network
# ----------------------------------------------
# Edges are coloured by the weight's sign and drawn as wide as its magnitude; each
# node shows its S_preA and S_postA, the output its T, FE and S_ERROR, and the
# hidden nodes their S_ERROR. The second panel draws the same step's gradients on
# the edges instead of the weights.
figure, (ax_weights, ax_gradients) = plt.subplots(
    1, 2, figsize=(14, 6), layout="constrained"
)
NetworkDisplay.from_trace(trace, ax=ax_weights)
ax_weights.set_title("The article's network: weights and the step's signals")
NetworkDisplay.from_trace(trace, show="gradient", ax=ax_gradients)
ax_gradients.set_title("The same step: gradients on the edges")
save(figure, "article_step.png")

# %%
# The gradients, checked
# ----------------------
# ``check_gradients`` compares every backpropagated gradient with central finite
# differences of the error E: they agree to about 1e-9 or better.
check = check_gradients(article, X_train[:1], y_train[:1], classes=[0, 1])
print(check)

# %%
# Two hidden layers, with biases, on a minibatch
# ----------------------------------------------
# The same vocabulary holds at any depth: the layers are I, H1, H2 and O, the
# weights ItoH1, H1toH2 and H2toO, and each hidden layer's S_ERROR comes from the
# layer above it. This network is trained first, then one step
# on a batch of four samples is traced: each gradient is the batch's mean.
deep = MLPBackpropClassifier((5, 3), random_state=0)
deep.fit(X_train, y_train)
deep_trace = deep.explain_step(X_train[:4], y_train[:4])
print(deep_trace)

figure, ax = plt.subplots(figsize=(9, 6), layout="constrained")
NetworkDisplay.from_trace(deep_trace, ax=ax)
ax.set_title("Two hidden layers with biases: the step on sample 0")
save(figure, "article_step_two_hidden_layers.png")

print(check_gradients(deep, X_train[:4], y_train[:4]))
