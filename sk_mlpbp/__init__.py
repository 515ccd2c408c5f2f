"""sk_mlpbp: the textbook multilayer perceptron as a scikit-learn classifier.

The network is trained by backpropagating a sum-of-squares error.
"""

from sk_mlpbp._datasets import make_article_data
from sk_mlpbp._explain import GradientCheck, StepTrace, check_gradients
from sk_mlpbp._mlp import MLPBackpropClassifier
from sk_mlpbp._plot import LossCurveDisplay, NetworkDisplay

__version__ = "0.1.0"

__all__ = [
    "GradientCheck",
    "LossCurveDisplay",
    "MLPBackpropClassifier",
    "NetworkDisplay",
    "StepTrace",
    "check_gradients",
    "make_article_data",
    "__version__",
]
