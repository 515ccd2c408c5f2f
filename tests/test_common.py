"""scikit-learn's estimator checks, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sk_mlpbp import MLPBackpropClassifier

ARTICLE_MODE = MLPBackpropClassifier(
    hidden_layer_sizes=(4,),
    learning_rate=1.0,
    batch_size=1,
    shuffle=False,
    use_bias=False,
    weight_init="uniform",
    random_state=0,
)


@parametrize_with_checks([MLPBackpropClassifier(), ARTICLE_MODE])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
