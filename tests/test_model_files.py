"""Model files in skops' secure format: what they hold, and that a loaded model is the
model that was saved."""

import warnings
import zipfile

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sk_mlpbp import MLPBackpropClassifier, make_article_data
from sk_mlpbp._cli import MODEL_TYPE, CommandError, load_model, main

sio = pytest.importorskip("skops.io")


def three_classes(n_samples, seed):
    """The article's data with the class "up" where x >= 0 and y > 0.5."""
    X, y = make_article_data(n_samples, random_state=seed)
    return X, np.array(["left", "right", "up"])[y + (X[:, 1] > 0.5)]


def fitted(**params):
    """A model fitted on three classes with validation data."""
    X, y = three_classes(150, 0)
    X_val, y_val = three_classes(50, 1)
    model = MLPBackpropClassifier((5,), max_iter=8, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y, X_val=X_val, y_val=y_val), X_val


MODELS = {
    "article": dict(
        learning_rate=1.0,
        batch_size=1,
        shuffle=False,
        use_bias=False,
        weight_init="uniform",
    ),
    "early stopping and momentum": dict(
        batch_size=16, early_stopping=True, n_iter_no_change=2, momentum=0.9
    ),
}


def saved_and_loaded(model, folder):
    """``model`` written to a skops file in ``folder`` and read back."""
    path = folder / "model.skops"
    sio.dump(model, path)
    return sio.load(path, trusted=[MODEL_TYPE])


@pytest.mark.parametrize("name", MODELS)
def test_loaded_model_predicts_as_the_saved_one(name, tmp_path):
    model, X = fitted(**MODELS[name])
    loaded = saved_and_loaded(model, tmp_path)
    assert type(loaded) is MLPBackpropClassifier
    assert_array_equal(loaded.predict(X), model.predict(X))
    assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize("name", MODELS)
def test_loaded_model_trains_on_as_the_saved_one(name, tmp_path):
    # Warm-started training uses the saved velocities, LR and counters as well.
    model, _ = fitted(**MODELS[name])
    loaded = saved_and_loaded(model, tmp_path)
    X_more, y_more = three_classes(60, 2)
    for estimator in (model, loaded):
        estimator.set_params(warm_start=True, early_stopping=False, max_iter=3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(X_more, y_more)
    for saved, restored in zip(model.coefs_, loaded.coefs_):
        assert_array_equal(restored, saved)
    assert loaded.n_iter_ == model.n_iter_
    assert loaded.loss_curve_ == model.loss_curve_


@pytest.mark.parametrize("name", MODELS)
def test_model_file_needs_trust_only_for_the_estimator(name, tmp_path):
    model, _ = fitted(**MODELS[name])
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    assert sio.get_untrusted_types(file=path) == [MODEL_TYPE]
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.load(path)


@pytest.fixture
def training_file(tmp_path):
    X, y = make_article_data(80, random_state=0)
    path = tmp_path / "train.csv"
    rows = [",".join(f"{value:.1f}" for value in x) + f",{c}" for x, c in zip(X, y)]
    path.write_text("a,b,c,output\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize(
    "options, saved_type",
    [([], Pipeline), (["--no-scale"], MLPBackpropClassifier)],
    ids=["standardised", "raw"],
)
def test_file_written_by_fit_needs_trust_only_for_the_estimator(
    options, saved_type, training_file, tmp_path, capsys
):
    # The pipeline's Pipeline and StandardScaler are among the scikit-learn types
    # that skops trusts by default.
    path = tmp_path / "model.skops"
    command = ["fit", str(training_file), "--target", "output", "--epochs", "2"]
    assert main([*command, *options, "--output", str(path)]) == 0
    assert sio.get_untrusted_types(file=path) == [MODEL_TYPE]
    model = sio.load(path, trusted=[MODEL_TYPE])
    assert type(model) is saved_type
    assert model.feature_names_in_.tolist() == ["a", "b", "c"]
    assert model.classes_.tolist() == ["0", "1"]
    classifier = model[-1] if saved_type is Pipeline else model
    assert classifier.verbose is False


def test_model_from_fit_checks_dataframe_columns_by_name(
    training_file, tmp_path, capsys
):
    pd = pytest.importorskip("pandas")
    path = tmp_path / "model.skops"
    command = ["fit", str(training_file), "--target", "output", "--epochs", "2"]
    assert main([*command, "--output", str(path)]) == 0
    model = load_model(str(path))
    frame = pd.read_csv(training_file)
    assert model.predict(frame[["a", "b", "c"]]).shape == (80,)
    with pytest.raises(ValueError, match="feature names"):
        model.predict(frame[["c", "b", "a"]])


class Note:
    """A type of this test module, which no one has declared trusted."""


def test_load_model_refuses_a_file_with_other_untrusted_types(tmp_path):
    model, _ = fitted()
    path = tmp_path / "model.skops"
    sio.dump([model, Note()], path)
    assert set(sio.get_untrusted_types(file=path)) - {MODEL_TYPE}
    with pytest.raises(CommandError, match="holds types that are not trusted"):
        load_model(str(path))


def test_load_model_refuses_a_pipeline_with_an_untrusted_step(tmp_path):
    model, _ = fitted()
    path = tmp_path / "model.skops"
    sio.dump(Pipeline([("note", Note()), ("mlp", model)]), path)
    with pytest.raises(CommandError, match="holds types that are not trusted: .*Note"):
        load_model(str(path))


def logistic_regression_first(model, X):
    return make_pipeline(LogisticRegression().fit(X, model.predict(X)), model)


def unfitted_scaler_first(model, X):
    return make_pipeline(StandardScaler(), model)


def logistic_regression_last(model, X):
    return make_pipeline(
        MinMaxScaler().fit(X), LogisticRegression().fit(X, model.predict(X))
    )


def steps_not_pairs(model, X):
    pipeline = make_pipeline(model)
    pipeline.steps = [model]
    return pipeline


PIPELINES = {
    "steps that are not pairs": (
        steps_not_pairs,
        r"a Pipeline whose steps are not \(name, estimator\) pairs",
    ),
    "a classifier before the model": (
        logistic_regression_first,
        "a Pipeline whose step 'logisticregression' is a LogisticRegression, not a "
        "scikit-learn transformer",
    ),
    "an unfitted transformer": (
        unfitted_scaler_first,
        "a Pipeline whose step 'standardscaler' is not fitted",
    ),
    "another classifier last": (
        logistic_regression_last,
        "a Pipeline ending in a LogisticRegression, not a fitted MLPBackpropClassifier",
    ),
}


@pytest.mark.parametrize("case", PIPELINES)
def test_load_model_refuses_a_pipeline_other_than_transformers_then_the_model(
    case, tmp_path
):
    make, message = PIPELINES[case]
    model, X = fitted()
    path = tmp_path / "model.skops"
    # Trusted types all: it is the pipeline's shape that load_model refuses.
    sio.dump(make(model, X), path)
    assert set(sio.get_untrusted_types(file=path)) <= {MODEL_TYPE}
    with pytest.raises(CommandError, match=message):
        load_model(str(path))


def test_load_model_refuses_another_estimator(tmp_path):
    X, y = make_article_data(40, random_state=0)
    path = tmp_path / "model.skops"
    sio.dump(LogisticRegression().fit(X, y), path)
    with pytest.raises(CommandError, match="holds a LogisticRegression, not a"):
        load_model(str(path))


@pytest.mark.parametrize(
    "members",
    [{"model.txt": "hello"}, {"schema.json": "not json"}, {"schema.json": "{}"}],
    ids=["no schema", "schema not JSON", "schema not skops"],
)
def test_load_model_refuses_a_zip_that_is_not_a_skops_file(members, tmp_path):
    path = tmp_path / "model.skops"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    with pytest.raises(CommandError, match="model.skops is not a model file"):
        load_model(str(path))


@pytest.mark.parametrize("scaled", [False, True], ids=["classifier", "pipeline"])
def test_model_without_column_names_takes_the_file_columns_in_order(
    scaled, training_file, tmp_path, capsys
):
    # A model saved from Python after a fit on an array has no feature_names_in_.
    X, y = make_article_data(80, random_state=0)
    model = MLPBackpropClassifier((4,), random_state=0)
    if scaled:
        model = make_pipeline(MinMaxScaler(feature_range=(-1, 1)), model)
    model.fit(X, y)
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    assert main(["predict", str(path), str(training_file)]) == 2
    assert "takes 3 input columns, but" in capsys.readouterr().err
    command = ["evaluate", str(path), str(training_file), "--target", "output"]
    assert main(command) == 0
    expected = model.score(X, y)
    assert f"accuracy: {expected:.4f} (" in capsys.readouterr().out
