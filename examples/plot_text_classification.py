"""
Sparse text classification
==========================

``MLPBackpropClassifier`` trains on SciPy sparse matrices without densifying them:
each batch is a slice of the CSR rows, and the first layer's products use SciPy's
sparse kernels. So it sits behind a ``TfidfVectorizer`` like any scikit-learn
classifier.

The corpus is synthetic, built here so that nothing is downloaded: short documents
on four topics, each mixing words of its topic with words every topic uses and a
few words borrowed from another topic. The pipeline learns the topics with early
stopping on a fifth of the training documents; the figures show its loss curves
(:class:`sk_mlpbp.LossCurveDisplay` on the pipeline) and the confusion matrix on
held-out documents.

Figures are saved as PNG files into the folder named by the environment variable
``SK_MLPBP_FIGURES`` (default: ``figures/`` next to this script, a folder git
ignores).
"""

# %%
# A synthetic corpus
# ------------------
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sk_mlpbp import LossCurveDisplay, MLPBackpropClassifier

FIGURES = Path(
    os.environ["SK_MLPBP_FIGURES"]
    if "SK_MLPBP_FIGURES" in os.environ
    else Path(__file__).resolve().parent / "figures"
)
FIGURES.mkdir(parents=True, exist_ok=True)

topics = {
    "circuits": "resistor capacitor voltage current inductor transistor diode "
    "amplifier oscillator circuit ohm ground signal",
    "cooking": "flour butter oven recipe simmer garlic onion sauce bake salt "
    "pepper dough knife",
    "football": "goal striker keeper match league referee penalty pitch coach "
    "season transfer tackle corner",
    "astronomy": "telescope galaxy planet orbit comet nebula star moon eclipse "
    "asteroid light year",
}
vocabulary = {topic: words.split() for topic, words in topics.items()}
common_words = (
    "the a of and to in is it that for on with as this was new time first good "
    "people way day"
)
common = common_words.split()  # words of every topic
rng = np.random.RandomState(0)
names = sorted(vocabulary)
documents, labels = [], []
for _ in range(800):
    label = rng.randint(len(names))
    own = vocabulary[names[label]]
    other = vocabulary[names[rng.randint(len(names))]]
    n_words = rng.randint(10, 25)
    # About 40% topic words, 10% borrowed words (maybe from another topic), the
    # rest common words, so a document's topic shows only in a few of its words.
    words = rng.choice(
        np.concatenate([own, other, common]),
        size=n_words,
        p=np.concatenate(
            [
                np.full(len(own), 0.4 / len(own)),
                np.full(len(other), 0.1 / len(other)),
                np.full(len(common), 0.5 / len(common)),
            ]
        ),
    )
    documents.append(" ".join(words))
    labels.append(names[label])
labels = np.array(labels)
print(f"{len(documents)} documents, e.g. [{labels[0]}] {documents[0]!r}")

docs_train, docs_test, y_train, y_test = train_test_split(
    documents, labels, test_size=0.25, stratify=labels, random_state=0
)

# %%
# TF-IDF features and the network
# -------------------------------
model = make_pipeline(
    TfidfVectorizer(),
    MLPBackpropClassifier(
        (16,),
        learning_rate=1.0,
        batch_size=16,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=20,
        random_state=0,
    ),
)
model.fit(docs_train, y_train)
tfidf = model[0].transform(docs_train)
print(
    f"TF-IDF matrix: {tfidf.shape[0]} x {tfidf.shape[1]} sparse "
    f"({type(tfidf).__name__}, {tfidf.nnz} non-zeros)"
)
network = model[-1]
print(
    f"trained {network.n_iter_} epochs, best validation accuracy "
    f"{network.best_validation_score_:.3f}"
)
print(f"held-out accuracy {model.score(docs_test, y_test):.3f}")

# %%
# Loss curves and confusion matrix
# --------------------------------
# ``LossCurveDisplay.from_estimator`` takes the pipeline and reads the curves of its
# last step; early stopping recorded the validation error and accuracy.
fig, (ax_loss, ax_confusion) = plt.subplots(
    1, 2, figsize=(11, 4.2), layout="constrained"
)
LossCurveDisplay.from_estimator(model, ax=ax_loss, name="TF-IDF + MLP")
ax_loss.set_title("training with early stopping")
ConfusionMatrixDisplay.from_estimator(
    model, docs_test, y_test, ax=ax_confusion, colorbar=False
)
ax_confusion.set_title("held-out documents")
fig.savefig(FIGURES / "text_classification.png", dpi=80)
print(f"saved {FIGURES / 'text_classification.png'}")
