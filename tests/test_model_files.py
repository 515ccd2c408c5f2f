"""Model files in skops' secure format.

What they hold, that a loaded model is the model that was saved, that the input
columns' names are recorded in the file, and that a file is written whole or not at
all.
"""

import builtins
import copy
import json
import os
import subprocess
import sys
import warnings
import zipfile

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.compose import make_column_transformer
from sklearn.decomposition import NMF, PCA, FastICA
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import (
    SelectKBest,
    SelectPercentile,
    VarianceThreshold,
    chi2,
    f_classif,
    mutual_info_classif,
)
from sklearn.impute import KNNImputer, MissingIndicator, SimpleImputer
from sklearn.kernel_approximation import RBFSampler
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.preprocessing import (
    Binarizer,
    FunctionTransformer,
    KBinsDiscretizer,
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    OneHotEncoder,
    PolynomialFeatures,
    PowerTransformer,
    QuantileTransformer,
    SplineTransformer,
    StandardScaler,
)
from sklearn.random_projection import GaussianRandomProjection

import sk_mlpbp
from sk_mlpbp import MLPBackpropClassifier, make_article_data
from sk_mlpbp._cli import main
from sk_mlpbp._model_io import (
    METADATA_MEMBER,
    MODEL_TYPE,
    ModelFileError,
    load_model,
    save_model,
)
from sk_mlpbp.exceptions import InconsistentVersionWarning, SaturationWarning
from tests._helpers import ARTICLE, ignore_convergence

sio = pytest.importorskip("skops.io")


def three_classes(n_samples, seed):
    """Return the article's data with the class "up" where x >= 0 and y > 0.5."""
    X, y = make_article_data(n_samples, random_state=seed)
    return X, np.array(["left", "right", "up"])[y + (X[:, 1] > 0.5)]


def fitted(**params):
    """Return a model fitted on three classes with validation data, and X_val.

    The network has 5 hidden units unless ``params`` say otherwise.
    """
    X, y = three_classes(150, 0)
    X_val, y_val = three_classes(50, 1)
    params = {"hidden_layer_sizes": (5,), **params}
    model = MLPBackpropClassifier(max_iter=8, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y, X_val=X_val, y_val=y_val), X_val


MODELS = {
    "article": {**ARTICLE, "hidden_layer_sizes": (5,)},
    "early stopping and momentum": dict(
        batch_size=16, early_stopping=True, n_iter_no_change=2, momentum=0.9
    ),
}


def saved_and_loaded(model, folder):
    """Write ``model`` to a skops file in ``folder`` and read it back."""
    path = folder / "model.skops"
    sio.dump(model, path)
    return sio.load(path, trusted=[MODEL_TYPE])


@pytest.mark.parametrize("name", MODELS)
def test_loaded_model_predicts_as_the_saved_one(name, tmp_path):
    """A model read back from skops predicts as the model that was saved."""
    model, X = fitted(**MODELS[name])
    loaded = saved_and_loaded(model, tmp_path)
    assert type(loaded) is MLPBackpropClassifier
    assert_array_equal(loaded.predict(X), model.predict(X))
    assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


@ignore_convergence
@pytest.mark.parametrize("name", MODELS)
def test_loaded_model_trains_on_as_the_saved_one(name, tmp_path):
    """A model read back from skops trains on exactly as the saved one would."""
    # Warm-started training uses the saved velocities, LR and counters as well.
    model, _ = fitted(**MODELS[name])
    loaded = saved_and_loaded(model, tmp_path)
    X_more, y_more = three_classes(60, 2)
    for estimator in (model, loaded):
        estimator.set_params(warm_start=True, early_stopping=False, max_iter=3)
        estimator.fit(X_more, y_more)
    for saved, restored in zip(model.coefs_, loaded.coefs_):
        assert_array_equal(restored, saved)
    assert loaded.n_iter_ == model.n_iter_
    assert loaded.loss_curve_ == model.loss_curve_


@pytest.mark.parametrize("name", MODELS)
def test_model_file_needs_trust_only_for_the_estimator(name, tmp_path):
    """A skops file of the estimator needs exactly one type name trusted."""
    model, _ = fitted(**MODELS[name])
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    assert sio.get_untrusted_types(file=path) == [MODEL_TYPE]
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.load(path)


@pytest.fixture
def training_file(tmp_path):
    """Write a training file of columns a, b, c and output; return its path."""
    X, y = make_article_data(80, random_state=0)
    path = tmp_path / "train.csv"
    rows = [",".join(f"{value:.1f}" for value in x) + f",{c}" for x, c in zip(X, y)]
    path.write_text("a,b,c,output\n" + "\n".join(rows) + "\n")
    return path


def fit_command(training_file, path, *options):
    """Run ``sk-mlpbp fit`` in this process, saving to ``path``; assert success."""
    command = ["fit", str(training_file), "--target", "output", "--epochs", "2"]
    assert main([*command, *options, "--output", str(path)]) == 0


@pytest.mark.parametrize(
    "options, saved_type",
    [([], Pipeline), (["--no-scale"], MLPBackpropClassifier)],
    ids=["standardised", "raw"],
)
def test_file_written_by_fit_needs_trust_only_for_the_estimator(
    options, saved_type, training_file, tmp_path, capsys
):
    """A file from ``fit`` loads with ``skops.io.load`` and one trusted name."""
    # The pipeline's Pipeline and StandardScaler are among the scikit-learn types
    # that skops trusts by default; skops ignores the member sk_mlpbp adds.
    path = tmp_path / "model.skops"
    fit_command(training_file, path, *options)
    assert sio.get_untrusted_types(file=path) == [MODEL_TYPE]
    model = sio.load(path, trusted=[MODEL_TYPE])
    assert type(model) is saved_type
    assert model.classes_.tolist() == ["0", "1"]
    classifier = model[-1] if saved_type is Pipeline else model
    assert classifier.verbose is False


def test_skops_load_gives_the_model_that_save_model_wrote(tmp_path):
    """The sk_mlpbp member leaves the file a skops file of the same model."""
    model, X = fitted()
    path = tmp_path / "model.skops"
    save_model(model, str(path), input_columns=["x", "y", "z"])
    loaded = sio.load(path, trusted=[MODEL_TYPE])
    assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_model_from_fit_records_its_columns_in_the_file_not_as_feature_names(
    training_file, tmp_path, capsys
):
    """The columns' names are in the file; the model, fitted on arrays, has none."""
    path = tmp_path / "model.skops"
    fit_command(training_file, path)
    model_file = load_model(str(path))
    assert model_file.input_columns == ["a", "b", "c"]
    assert not hasattr(model_file.model, "feature_names_in_")
    with zipfile.ZipFile(path) as archive:
        metadata = json.loads(archive.read(METADATA_MEMBER))
    assert metadata == {
        "sk_mlpbp_version": sk_mlpbp.__version__,
        "input_columns": ["a", "b", "c"],
    }


def test_model_from_fit_predicts_without_warnings(training_file, tmp_path, capsys):
    """Columns matched by name reach a model without names: nothing to warn of."""
    path = tmp_path / "model.skops"
    fit_command(training_file, path)
    capsys.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["predict", str(path), str(training_file)]) == 0
    assert capsys.readouterr().err == ""


def test_load_model_reports_the_version_that_wrote_the_file(tmp_path, monkeypatch):
    """The file's own record of the sk_mlpbp version is what load_model reports."""
    model, _ = fitted()
    path = tmp_path / "model.skops"
    monkeypatch.setattr(sk_mlpbp, "__version__", "0.0.1")
    save_model(model, str(path))
    monkeypatch.undo()
    with pytest.warns(InconsistentVersionWarning, match="saved by sk_mlpbp 0.0.1"):
        assert load_model(str(path)).sk_mlpbp_version == "0.0.1"


def test_predict_notes_a_model_from_another_version_in_one_line(
    training_file, tmp_path, monkeypatch, capsys
):
    """A model saved by another sk_mlpbp version is used, with one note line."""
    path = tmp_path / "model.skops"
    monkeypatch.setattr(sk_mlpbp, "__version__", "0.0.1")
    fit_command(training_file, path)
    monkeypatch.undo()
    capsys.readouterr()
    assert main(["predict", str(path), str(training_file)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "sk-mlpbp: note: This MLPBackpropClassifier was saved by sk_mlpbp 0.0.1 and "
        f"is loaded by sk_mlpbp {sk_mlpbp.__version__}: it may fail or predict "
        "differently. Refit it with this version, or load it with sk_mlpbp 0.0.1."
    ]


def failing_dump(error):
    """Make a ``skops.io.dump`` that writes part of a file, then raises ``error``."""

    def dump(model, file, **kwargs):
        with open(file, "wb") as partial:
            partial.write(b"PK\x03\x04 half a model")
        raise error

    return dump


@pytest.mark.parametrize(
    "error, raised",
    [
        (OSError(28, "No space left on device"), ModelFileError),
        (KeyboardInterrupt(), KeyboardInterrupt),
    ],
    ids=["disk full", "interrupted"],
)
def test_save_model_failure_leaves_the_existing_file_as_it_was(
    error, raised, tmp_path, monkeypatch
):
    """A failed write neither touches the existing file nor leaves files behind."""
    model, _ = fitted()
    path = tmp_path / "model.skops"
    save_model(model, str(path))
    before = path.read_bytes()
    monkeypatch.setattr(sio, "dump", failing_dump(error))
    with pytest.raises(raised):
        save_model(model, str(path))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.skops"]


def test_save_model_writes_a_file_as_readable_as_any_other(tmp_path):
    """The file has the permissions the umask gives, not a temporary file's."""
    model, _ = fitted()
    path = tmp_path / "model.skops"
    save_model(model, str(path))
    (tmp_path / "other").write_text("")
    assert path.stat().st_mode == (tmp_path / "other").stat().st_mode


def test_save_model_into_a_missing_folder_fails_in_one_line(tmp_path):
    """A folder that does not exist is a ModelFileError naming the file."""
    model, _ = fitted()
    with pytest.raises(ModelFileError, match=r"cannot write \S*m\.skops: No such"):
        save_model(model, str(tmp_path / "missing" / "m.skops"))


def test_load_model_refuses_columns_that_do_not_fit_the_model(tmp_path):
    """A file naming another number of columns than the model takes is refused."""
    model, _ = fitted()
    path = tmp_path / "model.skops"
    save_model(model, str(path), input_columns=["x"])
    with pytest.raises(ModelFileError, match="names 1 input columns for a model that"):
        load_model(str(path))


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"input_columns": ["x", "y", "z"]}',
        '{"sk_mlpbp_version": "0.1.0", "input_columns": [1, 2, 3]}',
    ],
    ids=["not JSON", "not an object", "no version", "columns not names"],
)
def test_load_model_refuses_a_file_whose_sk_mlpbp_member_is_not_sk_mlpbps(
    text, tmp_path
):
    """A file whose sk_mlpbp member is damaged is not a model file."""
    model, _ = fitted()
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(METADATA_MEMBER, text)
    with pytest.raises(ModelFileError, match="model.skops is not a model file"):
        load_model(str(path))


def dataframe_model(training_file, folder):
    """Fit a pipeline on the training file as a DataFrame, save it with skops.

    Returns the file's path and the DataFrame.
    """
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(training_file)
    model = make_pipeline(StandardScaler(), MLPBackpropClassifier((4,), max_iter=5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(frame[["a", "b", "c"]], frame["output"])
    path = folder / "model.skops"
    sio.dump(model, path)
    return path, frame


def test_python_model_with_feature_names_takes_the_columns_by_name(
    training_file, tmp_path, capsys
):
    """A skops file of a model fitted on a DataFrame is used by column name."""
    path, frame = dataframe_model(training_file, tmp_path)
    assert load_model(str(path)).input_columns == ["a", "b", "c"]
    shuffled = tmp_path / "shuffled.csv"
    frame[["output", "c", "a", "b"]].to_csv(shuffled, index=False)
    assert main(["predict", str(path), str(shuffled), "--proba"]) == 0
    out, err = capsys.readouterr()
    expected = sio.load(path, trusted=[MODEL_TYPE]).predict_proba(
        frame[["a", "b", "c"]]
    )
    assert_array_equal(np.loadtxt(out.splitlines()[1:], delimiter=","), expected)
    assert err == ""


def test_python_model_with_feature_names_without_pandas_notes_it(
    training_file, tmp_path
):
    """Without pandas such a model gets an array, and scikit-learn's note shows."""
    path, _ = dataframe_model(training_file, tmp_path)
    # As if pandas were not installed: importing it fails (scikit-learn takes a
    # None in sys.modules for an imported pandas).
    code = """if True:
        import sys

        class NoPandas:
            def find_spec(self, name, path=None, target=None):
                if name.partition(".")[0] == "pandas":
                    raise ImportError(name)

        sys.meta_path.insert(0, NoPandas())
        from sk_mlpbp._cli import main

        sys.exit(main(sys.argv[1:]))
    """
    result = subprocess.run(
        [sys.executable, "-c", code, "predict", str(path), str(training_file)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 81
    assert result.stderr.splitlines() == [
        "sk-mlpbp: note: X does not have valid feature names, but StandardScaler "
        "was fitted with feature names"
    ]


# The kinds of class labels that fit takes, and so the classes_ it makes.
LABELS = {
    "int8": np.array([3, -1, 7], dtype=np.int8),
    "uint64": np.array([2, 0, 1], dtype=np.uint64),
    "bool": np.array([True, False, True]),
    "whole floats": np.array([1.0, -0.0, 2.0]),
    "float16": np.array([1.0, 0.0, 2.0], dtype=np.float16),
    "str": np.array(["b", "a", "c"]),
    "object str": np.array(["b", "a", "c"], dtype=object),
    "datetime64": np.array(["2021-01-01", "2020-01-01", "2022-01-01"], "M8[D]"),
    "timedelta64": np.array([3, 1, 2], dtype="m8[s]"),
}


@pytest.mark.parametrize("kind", LABELS)
def test_load_model_takes_the_classes_of_every_kind_fit_makes(kind, tmp_path):
    """Whatever labels fit takes, the model it makes of them loads."""
    X, y = make_article_data(60, random_state=0)
    labels = LABELS[kind][y + (X[:, 1] > 0.5)]
    model = MLPBackpropClassifier((3,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, labels)
    path = tmp_path / "model.skops"
    save_model(model, str(path))
    loaded = load_model(str(path)).model
    assert loaded.classes_.dtype == model.classes_.dtype
    assert_array_equal(loaded.classes_, model.classes_)
    assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize(
    "sizes", [5, (5,), [4, 3], np.array([4, 3])], ids=["int", "tuple", "list", "array"]
)
def test_load_model_takes_hidden_layer_sizes_in_every_form_fit_takes(sizes, tmp_path):
    """An int is one hidden layer, as fit reads it; sequences are one a layer."""
    model, X = fitted(hidden_layer_sizes=sizes)
    path = tmp_path / "model.skops"
    save_model(model, str(path))
    assert_array_equal(
        load_model(str(path)).model.predict_proba(X), model.predict_proba(X)
    )


# Transformers whose files need trust beyond skops' defaults: numpy.dtype for the
# imputer and the discretiser, a score function for the selector, SciPy's BSpline
# (and, in newer SciPy, its asarray function) for the splines.
TRANSFORMERS = {
    "SimpleImputer": lambda: SimpleImputer(),
    "KBinsDiscretizer": lambda: KBinsDiscretizer(n_bins=3, strategy="uniform"),
    "SelectKBest(f_classif)": lambda: SelectKBest(f_classif, k=2),
    "SplineTransformer": lambda: SplineTransformer(n_knots=4),
}


def fitted_pipeline(transformer, X=None):
    """Return ``transformer`` and a classifier fitted as a pipeline, and X.

    X is the article's data with three classes unless given; y is its classes.
    """
    X_, y = three_classes(150, 0)
    X = X_ if X is None else X
    classifier = MLPBackpropClassifier((5,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        # Short fits, and features such as NMF's that are far from standardised.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", SaturationWarning)
        return make_pipeline(transformer, classifier).fit(X, y), X


@pytest.mark.parametrize("name", TRANSFORMERS)
def test_a_pipeline_of_a_transformer_that_needs_more_trust_loads_as_saved(
    name, tmp_path
):
    """Pipelines of these transformers load with load_model and predict the same."""
    pipeline, X = fitted_pipeline(TRANSFORMERS[name]())
    path = tmp_path / "model.skops"
    save_model(pipeline, str(path), input_columns=["x", "y", "z"])
    # Types that skops does not trust by default: load_model trusts them.
    assert set(sio.get_untrusted_types(file=path)) - {MODEL_TYPE}
    model_file = load_model(str(path))
    assert type(model_file.model[0]) is type(pipeline[0])
    assert_array_equal(model_file.model.predict_proba(X), pipeline.predict_proba(X))
    assert_array_equal(model_file.model.predict(X), pipeline.predict(X))


# Others that docs/model_files.md names as loading (FastICA and NMF for the
# decompositions, RBFSampler for the kernel approximations); skops trusts their types
# by default.
OTHER_TRANSFORMERS = [
    MaxAbsScaler(),
    Normalizer(),
    Binarizer(),
    QuantileTransformer(n_quantiles=10),
    PowerTransformer(),
    PolynomialFeatures(),
    OneHotEncoder(handle_unknown="ignore"),
    KNNImputer(),
    MissingIndicator(features="all"),
    PCA(2),
    FastICA(2, random_state=0),
    NMF(2, max_iter=1000, random_state=0),
    RBFSampler(n_components=5, random_state=0),
    GaussianRandomProjection(2, random_state=0),
    VarianceThreshold(),
    SelectPercentile(chi2, percentile=50),
    FunctionTransformer(np.log1p),
    make_column_transformer((SplineTransformer(), [0, 1]), remainder="passthrough"),
    make_union(PCA(1), KBinsDiscretizer(n_bins=3, strategy="uniform")),
]


@pytest.mark.parametrize(
    "transformer", OTHER_TRANSFORMERS, ids=lambda step: type(step).__name__
)
def test_a_pipeline_of_another_transformer_the_docs_name_loads_as_saved(
    transformer, tmp_path
):
    """What docs/model_files.md says loads does, and predicts as the pipeline saved."""
    X = np.abs(three_classes(150, 0)[0])  # for the logarithm, chi2 and NMF
    pipeline, X = fitted_pipeline(copy.deepcopy(transformer), X)
    path = tmp_path / "model.skops"
    save_model(pipeline, str(path))
    model = load_model(str(path)).model
    assert_array_equal(model.predict_proba(X), pipeline.predict_proba(X))


@pytest.mark.parametrize(
    "function",
    [os.system, builtins.eval, mutual_info_classif],
    ids=["os.system", "eval", "mutual_info_classif"],
)
def test_load_model_refuses_a_score_function_it_does_not_trust(function, tmp_path):
    """Only the closed-form score functions are trusted, not any callable."""
    pipeline, _ = fitted_pipeline(SelectKBest(f_classif, k=2))
    pipeline[0].score_func = function
    path = tmp_path / "model.skops"
    sio.dump(pipeline, path)
    with pytest.raises(
        ModelFileError,
        match=rf"holds types that are not trusted: \S*\.{function.__name__}\.$",
    ):
        load_model(str(path))


class Note:
    """A type of this test module, which no one has declared trusted."""


def test_load_model_refuses_a_file_with_other_untrusted_types(tmp_path):
    """A file holding types other than the estimator is refused, naming them."""
    model, _ = fitted()
    path = tmp_path / "model.skops"
    sio.dump([model, Note()], path)
    assert set(sio.get_untrusted_types(file=path)) - {MODEL_TYPE}
    with pytest.raises(ModelFileError, match="holds types that are not trusted"):
        load_model(str(path))


def test_load_model_refuses_a_pipeline_with_an_untrusted_step(tmp_path):
    """A pipeline with a step of an untrusted type is refused, naming the type."""
    model, _ = fitted()
    path = tmp_path / "model.skops"
    sio.dump(Pipeline([("note", Note()), ("mlp", model)]), path)
    with pytest.raises(
        ModelFileError, match="holds types that are not trusted: .*Note"
    ):
        load_model(str(path))


def logistic_regression_first(model, X):
    """Return a pipeline of a fitted classifier, then ``model``."""
    return make_pipeline(LogisticRegression().fit(X, model.predict(X)), model)


def unfitted_scaler_first(model, X):
    """Return a pipeline of an unfitted scaler, then ``model``."""
    return make_pipeline(StandardScaler(), model)


def logistic_regression_last(model, X):
    """Return a pipeline of a fitted scaler, then another classifier."""
    return make_pipeline(
        MinMaxScaler().fit(X), LogisticRegression().fit(X, model.predict(X))
    )


def steps_not_pairs(model, X):
    """Return a pipeline whose steps are not (name, estimator) pairs."""
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
    """A pipeline of anything but fitted transformers then the model is refused."""
    make, message = PIPELINES[case]
    model, X = fitted()
    path = tmp_path / "model.skops"
    # Trusted types all: it is the pipeline's shape that load_model refuses.
    sio.dump(make(model, X), path)
    assert set(sio.get_untrusted_types(file=path)) <= {MODEL_TYPE}
    with pytest.raises(ModelFileError, match=message):
        load_model(str(path))


def test_load_model_refuses_another_estimator(tmp_path):
    """A file holding another estimator than MLPBackpropClassifier is refused."""
    X, y = make_article_data(40, random_state=0)
    path = tmp_path / "model.skops"
    sio.dump(LogisticRegression().fit(X, y), path)
    with pytest.raises(ModelFileError, match="holds a LogisticRegression, not a"):
        load_model(str(path))


@pytest.mark.parametrize(
    "members",
    [{"model.txt": "hello"}, {"schema.json": "not json"}, {"schema.json": "{}"}],
    ids=["no schema", "schema not JSON", "schema not skops"],
)
def test_load_model_refuses_a_zip_that_is_not_a_skops_file(members, tmp_path):
    """A zip archive without skops' schema is not a model file."""
    path = tmp_path / "model.skops"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    with pytest.raises(ModelFileError, match="model.skops is not a model file"):
        load_model(str(path))


@pytest.mark.parametrize("scaled", [False, True], ids=["classifier", "pipeline"])
def test_model_without_column_names_takes_the_file_columns_in_order(
    scaled, training_file, tmp_path, capsys
):
    """A skops file of a model without column names takes columns by position."""
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


def test_a_model_file_from_before_the_rates_were_renamed_loads_and_trains_on():
    # tests/data/classifier_before_renaming.skops was saved by sk_mlpbp at 95ad34e,
    # whose private rate attributes had other names (RENAMED_ATTRIBUTES).
    pytest.importorskip("skops")
    from pathlib import Path

    from sk_mlpbp._base import RENAMED_ATTRIBUTES

    data = Path(__file__).parent / "data"
    model = load_model(data / "classifier_before_renaming.skops").model
    assert not set(RENAMED_ATTRIBUTES) & set(vars(model))
    assert set(RENAMED_ATTRIBUTES.values()) <= set(vars(model))
    X, y = make_article_data(60, random_state=0)
    expected = np.load(data / "classifier_before_renaming_proba.npy")
    assert_array_equal(model.predict_proba(X), expected)
    model.partial_fit(X, y)  # continues at its current rates
    assert model.n_iter_ == 6
