"""sk_mlpbp: the textbook multilayer perceptron as scikit-learn estimators.

A classifier and a regressor, trained by backpropagating a sum-of-squares error.
"""

from sk_mlpbp._datasets import make_article_data
from sk_mlpbp._explain import GradientCheck, StepTrace, check_gradients
from sk_mlpbp._mlp import MLPBackpropClassifier, MLPBackpropRegressor
from sk_mlpbp._onnx import to_onnx
from sk_mlpbp._plot import LossCurveDisplay, NetworkDisplay

__version__ = "0.1.0"

__all__ = [
    "GradientCheck",
    "LossCurveDisplay",
    "MLPBackpropClassifier",
    "MLPBackpropRegressor",
    "NetworkDisplay",
    "StepTrace",
    "check_gradients",
    "make_article_data",
    "to_onnx",
    "__version__",
]
