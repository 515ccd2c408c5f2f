"""scikit-learn's estimator checks: no expected failure for the default estimators.

The article-mode classifier (one sample a step) declares the three weight checks that
a batch of one cannot satisfy.
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sk_mlpbp import MLPBackpropClassifier, MLPBackpropRegressor
from tests._helpers import ARTICLE

# The article-mode estimator's capped epoch budget ends many of the checks' fits before
# its tol rule does; that is expected, not a finding.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*maximum number of epochs:sklearn.exceptions.ConvergenceWarning"
)

# The article's network and update rule. Its epoch budget is cut to 100 so that the
# checks, which fit it hundreds of times one sample per step, stay quick.
ARTICLE_MODE = MLPBackpropClassifier(**ARTICLE, max_iter=100, random_state=0)


# A step is the weighted mean over its batch, sum(s_i g_i) / sum(s_i) (the rule of
# scikit-learn's MLP). With the article's batch_size=1 that mean is over one
# sample, so a positive weight cancels out: weights cannot act as repetitions (which
# would also need the repeated rows' order), nor can class weights tilt the model.
# The default estimator trains full-batch on these checks' data and passes them.
ONLINE_MODE_WEIGHTS = (
    "batch_size=1 makes each step a weighted mean over one sample, in which any "
    "positive weight cancels out"
)


def expected_failed_checks(estimator):
    if estimator.batch_size == 1:
        return {
            "check_sample_weight_equivalence_on_dense_data": ONLINE_MODE_WEIGHTS,
            "check_sample_weight_equivalence_on_sparse_data": ONLINE_MODE_WEIGHTS,
            "check_class_weight_classifiers": ONLINE_MODE_WEIGHTS,
        }
    return {}


@parametrize_with_checks(
    [MLPBackpropClassifier(), ARTICLE_MODE],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# The default regressor, with no expected failures either (the issue demands none):
# check_regressors_train and _int, check_supervised_y_2d, the multi-output checks
# (it is tagged multi_output), sample-weight equivalence and float32 memmaps.
@parametrize_with_checks([MLPBackpropRegressor()])
def test_sklearn_compatible_regressor(estimator, check):
    check(estimator)
