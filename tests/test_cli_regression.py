"""Regressors on the command line and in model files.

``sk-mlpbp fit --regression`` on a CSV file of Friedman #1 data with a numeric target
column, ``evaluate``, ``predict`` and ``explain`` of the model it saves, compared with
the model loaded from the file; model files of regressors, round trips and crafted
ones; and the declaration of the fitted attributes that the model-file check reads.
The commands run in-process through ``main``.
"""

import contextlib
import copy
import csv
import io
import json
import re
import warnings
import zipfile

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import make_friedman1
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import MLPBackpropClassifier, MLPBackpropRegressor, make_article_data
from sk_mlpbp._cli import REGRESSION_LEARNING_RATE, main
from sk_mlpbp._model_io import (
    MODEL_TYPE,
    MODEL_TYPES,
    REGRESSOR_TYPE,
    ModelFileError,
    fitted_attributes,
    load_model,
    save_model,
)
from tests._helpers import assert_same_model

sio = pytest.importorskip("skops.io")

COLUMNS = ["x0", "x1", "x2", "x3", "x4", "y"]


def friedman_file(path, n_samples, seed):
    """Write Friedman #1 data (5 inputs, the numeric target y); return X and y."""
    X, y = make_friedman1(n_samples, n_features=5, noise=0.5, random_state=seed)
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        writer.writerows([*map("{:.4f}".format, row)] for row in np.c_[X, y])
    # The numbers as the file holds them.
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1]


def run_quietly(*args):
    """Run ``main(args)`` with its output captured; return status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([*map(str, args)])
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Training and validation files, and what ``fit --regression`` made of them."""
    folder = tmp_path_factory.mktemp("regression")
    X, y = friedman_file(folder / "train.csv", 200, seed=0)
    X_val, y_val = friedman_file(folder / "valid.csv", 80, seed=1)
    model = folder / "model.skops"
    fit = run_quietly(
        "fit", folder / "train.csv", "--target", "y", "--regression",
        "--validation", folder / "valid.csv", "--epochs", 10, "--output", model,
    )  # fmt: skip
    return dict(
        folder=folder,
        train=folder / "train.csv",
        valid=folder / "valid.csv",
        model=model,
        fit=fit,
        X=X,
        y=y,
        X_val=X_val,
        y_val=y_val,
    )


def cli(capsys, *args):
    """Run ``main(args)`` here; return the status, stdout and stderr lines."""
    status = main([*map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err.splitlines()


def assert_one_line_error(capsys, args, pattern):
    """``main(args)`` ends with status 2, no output and one error line."""
    status, out, err = cli(capsys, *args)
    assert (status, out) == (2, ""), (status, out, err)
    assert len(err) == 1, err
    assert re.fullmatch(rf"sk-mlpbp: error: .*{pattern}.*", err[0]), err[0]


# -- fit --------------------------------------------------------------------------


def test_fit_regression_prints_r2_per_epoch_and_saves_a_regressor_pipeline(files):
    """Progress and final scores are R^2; the file holds scaler and regressor."""
    status, out, err = files["fit"]
    assert status == 0, err
    epochs = re.findall(
        r"^epoch (\d+)/10: loss [0-9.]+, validation R\^2 (-?[0-9.]+)$", out, re.M
    )
    assert [int(epoch) for epoch, _ in epochs] == list(range(1, 11))
    assert "accuracy" not in out
    model = load_model(str(files["model"])).model
    assert isinstance(model, Pipeline)
    (_, scaler), (_, regressor) = model.steps
    assert type(scaler) is StandardScaler and type(regressor) is MLPBackpropRegressor
    # What the display showed is the regressor's own record of the epochs.
    shown = [float(score) for _, score in epochs]
    assert shown == [round(score, 4) for score in regressor.validation_scores_]
    training = model.score(files["X"], files["y"])
    validation = model.score(files["X_val"], files["y_val"])
    assert f"\ntraining R^2: {training:.4f}\n" in out
    assert f"\nvalidation R^2: {validation:.4f}\n" in out
    assert regressor.validation_scores_[-1] == validation
    assert out.endswith(
        f"saved {files['model']} (standardised inputs: x0, x1, x2, x3, x4; a "
        "regressor of y)\n"
    )
    assert validation > 0.5


def test_fit_regression_takes_the_article_network_at_a_tenth_of_its_lr(files):
    """The defaults: 4 hidden units, online steps, LR 0.1, no early stopping."""
    regressor = load_model(str(files["model"])).model[-1]
    assert REGRESSION_LEARNING_RATE == 0.1
    assert regressor.get_params() == {
        **MLPBackpropRegressor().get_params(),
        "hidden_layer_sizes": (4,),
        "learning_rate": 0.1,
        "batch_size": 1,
        "max_iter": 10,
        "momentum": 0.0,
        "early_stopping": False,
        "random_state": 0,
    }


def test_fit_regression_no_scale_saves_the_regressor_a_direct_fit_makes(
    files, tmp_path, capsys
):
    """``--no-scale`` saves the bare regressor, as fitted on the raw columns."""
    path = tmp_path / "raw.skops"
    status, out, err = cli(
        capsys, "fit", files["train"], "--target", "y", "--regression", "--no-scale",
        "--epochs", 5, "--learning-rate", 0.05, "--hidden", 3, 2, "--seed", 7,
        "--output", path,
    )  # fmt: skip
    assert status == 0, err
    assert out.endswith(
        f"saved {path} (raw inputs: x0, x1, x2, x3, x4; a regressor of y)\n"
    )
    saved = load_model(str(path)).model
    assert type(saved) is MLPBackpropRegressor
    direct = MLPBackpropRegressor(
        (3, 2), learning_rate=0.05, batch_size=1, max_iter=5, random_state=7,
        early_stopping=False,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct.fit(files["X"], files["y"])
    assert saved.n_iter_ == direct.n_iter_
    assert_same_model(saved, direct)
    assert_array_equal(saved.target_scale_, direct.target_scale_)


def test_fit_regression_early_stopping_reports_the_held_out_r2(files, tmp_path, capsys):
    """Without --validation, the held-out tenth's best R^2 is printed as such."""
    path = tmp_path / "stopped.skops"
    status, out, err = cli(
        capsys, "fit", files["train"], "--target", "y", "--regression",
        "--early-stopping", "--epochs", 4, "--output", path,
    )  # fmt: skip
    assert status == 0, err
    regressor = load_model(str(path)).model[-1]
    assert regressor.early_stopping is True
    assert (
        "validation R^2 (on the tenth of the training file held out for early "
        f"stopping): {regressor.best_validation_score_:.4f}\n"
    ) in out
    assert re.search(r"^epoch 1/4: loss [0-9.]+, validation R\^2 ", out, re.M)


def bad_target(train, folder, cell):
    """Copy the training file with the target of its second data row ``cell``."""
    lines = train.read_text().splitlines()
    cells = lines[2].split(",")
    lines[2] = ",".join([*cells[:-1], cell])
    path = folder / "bad.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


TARGET_CELLS = {
    "text": ("left", r"'left' is not a number \(a regressor's target column must"),
    "empty": ("", "the cell is empty; every row needs its target value"),
    "NaN": ("nan", "'nan' is a missing value; every row needs its target value"),
    "infinity": ("-inf", "'-inf' is not a finite number"),
}


@pytest.mark.parametrize("case", TARGET_CELLS)
def test_fit_regression_refuses_a_target_that_is_not_a_number_in_one_line(
    case, files, tmp_path, capsys
):
    """A target cell that is no finite number is named by its line and column."""
    cell, message = TARGET_CELLS[case]
    bad = bad_target(files["train"], tmp_path, cell)
    model = tmp_path / "model.skops"
    where = r"bad\.csv, line 3, column 'y': "
    for extra in ([], ["--validation", bad]):
        train = files["train"] if extra else bad
        assert_one_line_error(
            capsys,
            ["fit", train, "--target", "y", "--regression", *extra, "--output", model],
            where + message,
        )
        assert not model.exists()
    # evaluate reads a regressor's target column as fit does.
    assert_one_line_error(
        capsys, ["evaluate", files["model"], bad, "--target", "y"], where + message
    )


def test_fit_regression_of_class_labels_says_they_need_a_classifier(tmp_path, capsys):
    """Class labels as a regression's target: the message says to leave it out."""
    X, y = make_article_data(30, random_state=0)
    path = tmp_path / "classes.csv"
    path.write_text(
        "x,y,z,side\n"
        + "".join(
            f"{a},{b},{c},{'left' if k else 'right'}\n" for (a, b, c), k in zip(X, y)
        )  # fmt: skip
    )
    assert_one_line_error(
        capsys,
        [
            "fit",
            path,
            "--target",
            "side",
            "--regression",
            "--output",
            tmp_path / "m.skops",
        ],  # fmt: skip
        r"line 2, column 'side': '(left|right)' is not a number .*class labels need a "
        r"classifier, fitted without --regression\)\.",
    )


# -- evaluate, predict, explain ---------------------------------------------------


def test_evaluate_regressor_prints_r2_mae_and_rmse_of_the_loaded_model(files, capsys):
    """The three scores are scikit-learn's, of the model that the file holds."""
    status, out, err = cli(capsys, "evaluate", files["model"], files["valid"],
                           "--target", "y")  # fmt: skip
    assert (status, err) == (0, [])
    model = load_model(str(files["model"])).model
    y, predicted = files["y_val"], model.predict(files["X_val"])
    assert out.splitlines() == [
        f"R^2: {r2_score(y, predicted):.4f} (80 rows)",
        f"MAE: {mean_absolute_error(y, predicted):.6g} (mean absolute error, in the "
        "target's units)",
        f"RMSE: {np.sqrt(mean_squared_error(y, predicted)):.6g} (root mean squared "
        "error, in the target's units)",
    ]


def test_predict_regressor_writes_the_numbers_that_predict_returns(files, capsys):
    """One ``prediction`` column of floats, equal to ``model.predict`` bit for bit."""
    # The inputs reordered, with the target and another column among them.
    shuffled = files["folder"] / "shuffled.csv"
    with open(files["valid"]) as source, open(shuffled, "w", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(["note", "y", *COLUMNS[4::-1]])
        for row in csv.DictReader(source):
            writer.writerow(["n/a", row["y"], *(row[c] for c in COLUMNS[4::-1])])
    status, out, err = cli(capsys, "predict", files["model"], shuffled)
    assert (status, err) == (0, [])
    header, *rows = list(csv.reader(io.StringIO(out)))
    assert header == ["prediction"]
    assert all(len(row) == 1 for row in rows)
    expected = load_model(str(files["model"])).model.predict(files["X_val"])
    assert_array_equal(np.array([float(row[0]) for row in rows]), expected)


def test_predict_proba_on_a_regressor_is_one_line_and_status_2(files, capsys):
    """A regressor has no class probabilities: the command says so in one line."""
    assert_one_line_error(
        capsys,
        ["predict", files["model"], files["valid"], "--proba"],
        r"model\.skops holds a regressor, which predicts numbers: --proba \(class "
        r"probabilities\) is for classifiers\.",
    )


@pytest.mark.parametrize("row", [0, 79])
def test_explain_prints_the_regressor_step_on_the_row_and_its_number(
    row, files, capsys
):
    """The trace is the regressor's step on the standardised row and its target."""
    before = files["model"].read_bytes()
    status, out, err = cli(capsys, "explain", files["model"], files["valid"],
                           "--row", row, "--target", "y")  # fmt: skip
    assert (status, err) == (0, [])
    pipeline = load_model(str(files["model"])).model
    X, y = files["X_val"], files["y_val"]
    inputs = pipeline[:-1].transform(X[row : row + 1])
    regressor = pipeline[-1]
    trace = regressor.explain_step(inputs, y[row : row + 1])
    first, second, third, blank, *rest = out.splitlines()
    cells = ", ".join(f"x{j} = {value:.6g}" for j, value in enumerate(X[row]))
    assert first == (f"row {row} of {files['valid']}: {cells}; target {y[row]:.6g}")
    assert second.startswith("inputs after StandardScaler: ")
    T = (y[row] - regressor.target_offset_[0]) / regressor.target_scale_[0]
    assert trace.T[0, 0] == T
    assert third == (
        "target T = (target - target_offset_) / target_scale_ = "
        f"({y[row]:.6g} - {regressor.target_offset_[0]:.6g}) / "
        f"{regressor.target_scale_[0]:.6g} = {T:.6g}"
    )
    assert "\n".join(rest[:-2]) == str(trace)
    assert "identity output units: f_A' = 1" in out
    assert files["model"].read_bytes() == before


def test_explain_of_a_regressor_refuses_a_row_past_the_end(files, capsys):
    """--row past the last data row is one line, as for a classifier."""
    assert_one_line_error(
        capsys,
        ["explain", files["model"], files["valid"], "--row", 80, "--target", "y"],
        r"--row 80 is not a row of \S*valid\.csv: its 80 data rows are numbered 0 to "
        "79",
    )


def test_a_classifier_file_is_still_evaluated_and_predicted_as_one(tmp_path, capsys):
    """Classifiers keep their accuracy report and class predictions."""
    X, y = make_article_data(60, random_state=0)
    data = tmp_path / "data.csv"
    data.write_text("x,y,z,side\n" + "".join(
        f"{a},{b},{c},{k}\n" for (a, b, c), k in zip(X, y)))  # fmt: skip
    path = tmp_path / "classifier.skops"
    status, _, err = cli(capsys, "fit", data, "--target", "side", "--epochs", 2,
                         "--output", path)  # fmt: skip
    assert status == 0, err
    assert type(load_model(str(path)).model[-1]) is MLPBackpropClassifier
    assert sio.get_untrusted_types(file=path) == [MODEL_TYPE]
    status, out, _ = cli(capsys, "evaluate", path, data, "--target", "side")
    assert status == 0 and re.match(r"accuracy: [0-9.]+ \(\d+ of 60 rows\)", out)
    assert "R^2" not in out
    status, out, _ = cli(capsys, "predict", path, data, "--proba")
    assert status == 0 and out.startswith("proba_0,proba_1\n")


# -- model files ------------------------------------------------------------------


@pytest.fixture(scope="module")
def good(files):
    """Return a bare regressor fitted on the training file, and its file."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MLPBackpropRegressor((3,), max_iter=3, random_state=0).fit(
            files["X"], files["y"]
        )
    path = files["folder"] / "good.skops"
    save_model(model, str(path), input_columns=COLUMNS[:-1])
    return dict(model=model, path=path, data=files["valid"], X=files["X_val"])


def test_model_types_are_the_estimators_names():
    """The trusted names are those skops writes for the two estimators."""
    assert MODEL_TYPES == (MODEL_TYPE, REGRESSOR_TYPE)
    for estimator, name in zip(
        [MLPBackpropClassifier, MLPBackpropRegressor], MODEL_TYPES
    ):
        assert f"{estimator.__module__}.{estimator.__qualname__}" == name


@pytest.mark.parametrize("scaled", [False, True], ids=["regressor", "pipeline"])
def test_a_regressor_file_round_trip_predicts_identically(scaled, good, tmp_path):
    """save_model then load_model gives the regressor back, predicting the same."""
    model = copy.deepcopy(good["model"])
    if scaled:
        model = make_pipeline(StandardScaler().fit(good["X"]), model)
    path = tmp_path / "model.skops"
    save_model(model, str(path), input_columns=COLUMNS[:-1])
    assert sio.get_untrusted_types(file=path) == [REGRESSOR_TYPE]
    model_file = load_model(str(path))
    assert type(model_file.model) is type(model)
    assert model_file.input_columns == COLUMNS[:-1]
    assert_array_equal(model_file.model.predict(good["X"]), model.predict(good["X"]))
    loaded = model_file.model[-1] if scaled else model_file.model
    assert_array_equal(loaded.target_offset_, good["model"].target_offset_)
    assert loaded.loss_curve_ == good["model"].loss_curve_


def crafted(change):
    """Make a case: the good regressor changed in Python, then saved."""

    def make(good, path):
        model = copy.deepcopy(good["model"])
        change(model)
        sio.dump(model, path)
        return path

    return make


def crafted_pipeline(change):
    """Make a case: a scaler and the good regressor changed, then saved."""

    def make(good, path):
        model = copy.deepcopy(good["model"])
        change(model)
        sio.dump(make_pipeline(StandardScaler().fit(good["X"]), model), path)
        return path

    return make


def swapped_scale_file(good, path):
    """Make a case: schema.json points target_scale_ at the first weights' file."""
    with zipfile.ZipFile(good["path"]) as old, zipfile.ZipFile(path, "w") as new:
        for info in old.infolist():
            content = old.read(info)
            if info.filename == "schema.json":
                tree = json.loads(content)
                nodes = tree["content"]["content"]
                nodes["target_scale_"]["file"] = nodes["coefs_"]["content"][0]["file"]
                content = json.dumps(tree).encode()
            new.writestr(info, content)
    return path


def setter(name, value):
    return lambda model: setattr(model, name, value)


TWO = np.array([1.0, 2.0])

CRAFTED = {
    "target_scale_ zero": (crafted(setter("target_scale_", np.zeros(1))),
                           "target_scale_ is not all positive and finite"),
    "target_scale_ negative": (crafted(setter("target_scale_", -np.ones(1))),
                               "target_scale_ is not all positive and finite"),
    "target_scale_ NaN": (crafted(setter("target_scale_", np.full(1, np.nan))),
                          "target_scale_ is not all positive and finite"),
    "target_scale_ infinite": (crafted(setter("target_scale_", np.full(1, np.inf))),
                               "target_scale_ is not all positive and finite"),
    "target_scale_ of two outputs": (crafted(setter("target_scale_", TWO)),
                                     "target_scale_ is not a float64 array of one"),
    "target_scale_ 2-D": (crafted(setter("target_scale_", np.ones((1, 1)))),
                          "target_scale_ is not a float64 array of one"),
    "target_scale_ float32": (crafted(setter("target_scale_", np.ones(1, "f4"))),
                              "target_scale_ is not a float64 array of one"),
    "target_scale_ a list": (crafted(setter("target_scale_", [1.0])),
                             "target_scale_ is not a float64 array of one"),
    "target_scale_ from the weights' file": (swapped_scale_file,
                                             "target_scale_ is not a float64 array"),
    "target_offset_ NaN": (crafted(setter("target_offset_", np.full(1, np.nan))),
                           "target_offset_ is not all finite"),
    "target_offset_ of two outputs": (crafted(setter("target_offset_", TWO)),
                                      "target_offset_ is not a float64 array of one"),
    "no target_scale_": (crafted(lambda m: delattr(m, "target_scale_")),
                         "lacks the attribute 'target_scale_'"),
    "n_outputs_ 2": (crafted(setter("n_outputs_", 2)),
                     "n_outputs_ is not 1, as its weights make it"),
    "n_outputs_ of 10**12": (crafted(setter("n_outputs_", 10**12)),
                             "n_outputs_ is not 1"),
    "n_outputs_ a string": (crafted(setter("n_outputs_", "1")), "n_outputs_ is not 1"),
    "n_features_in_ wrong": (crafted(setter("n_features_in_", 4)),
                             "n_features_in_ is not 5"),
    "n_layers_ wrong": (crafted(setter("n_layers_", 4)), "n_layers_ is not 3"),
    "a classifier's classes_": (crafted(setter("classes_", np.array([0, 1]))),
                                "has an attribute 'classes_' that fit never sets"),
    "NaN weight": (crafted(lambda m: m.coefs_[1].__setitem__((0, 0), np.nan)),
                   "weights are not all finite"),
    "weights that do not chain": (
        crafted(lambda m: m.coefs_.__setitem__(0, m.coefs_[0].T.copy())),
        "weights' shapes do not chain"),
    "two outputs": (crafted(lambda m: m.coefs_.__setitem__(1, np.ones((3, 2)))),
                    "weights' shapes do not chain"),
    "hidden_layer_sizes of another width": (crafted(setter("hidden_layer_sizes", 6)),
                                            "hidden layers of \\[3\\] units"),
    "out_activation not an option": (crafted(setter("out_activation", "softmax")),
                                     "has an invalid parameter"),
    "scale_target not a bool": (crafted(setter("scale_target", "yes")),
                                "has an invalid parameter"),
    "predict in __dict__": (crafted(setter("predict", np.negative)),
                            "has an attribute 'predict' that hides its class's"),
    "a pipeline of a zero target_scale_": (
        crafted_pipeline(setter("target_scale_", np.zeros(1))),
        "target_scale_ is not all positive"),
}  # fmt: skip


@pytest.mark.parametrize("case", CRAFTED)
def test_a_crafted_regressor_file_is_refused_in_one_line(case, good, tmp_path, capsys):
    """A regressor that fit could not have made ends each command in one line."""
    make, message = CRAFTED[case]
    path = make(good, tmp_path / "crafted.skops")
    # Every case is refused by the check of the model, not by skops.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sio.load(path, trusted=[REGRESSOR_TYPE])
    for command in (
        ["predict", path, good["data"]],
        ["evaluate", path, good["data"], "--target", "y"],
        ["explain", path, good["data"], "--target", "y", "--row", 0],
    ):
        assert_one_line_error(
            capsys, command, rf"crafted\.skops is not a model file that sk-mlpbp "
            rf"reads: its regressor .*{message}"
        )  # fmt: skip


def test_a_regressor_of_several_targets_is_refused_in_one_line(good, tmp_path, capsys):
    """The command line takes one target column: it says so of a model of two."""
    X = good["X"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MLPBackpropRegressor((3,), max_iter=2, random_state=0)
        model.fit(X, np.c_[X[:, 0], X[:, 1]])
    path = tmp_path / "two.skops"
    save_model(model, str(path), input_columns=COLUMNS[:-1])
    with pytest.raises(ModelFileError, match="holds a regressor of 2 outputs"):
        load_model(str(path))
    assert_one_line_error(
        capsys, ["predict", path, good["data"]], "fitted on 2 target columns"
    )


def test_a_regressor_whose_predictions_overflow_is_one_line(good, tmp_path, capsys):
    """Finite weights whose outputs overflow: no ``inf`` written, one line instead."""
    model = copy.deepcopy(good["model"])
    model.coefs_[1][:] = 1e308
    path = tmp_path / "huge.skops"
    save_model(model, str(path), input_columns=COLUMNS[:-1])
    for command in (
        ["predict", path, good["data"]],
        ["evaluate", path, good["data"], "--target", "y"],
    ):
        assert_one_line_error(
            capsys, command, r"the model cannot predict for \S*valid\.csv: its "
            r"prediction for row 0 \(counted from 0\) is inf, not a finite number\."
        )  # fmt: skip


# -- the declaration of the fitted attributes ------------------------------------


def reference_fits(estimator, X, y, Y_other):
    """Yield models of ``estimator`` fitted in every way that sets attributes."""
    pd = pytest.importorskip("pandas")
    yield estimator((2,), max_iter=1, random_state=0).fit(X, y)
    yield estimator(
        (2,), max_iter=2, momentum=0.5, early_stopping=True, random_state=0
    ).fit(X, y)
    yield estimator((2,), max_iter=2, random_state=0).fit(X, y, X_val=X, y_val=y)
    yield estimator((2, 2), learning_rate=[0.5, 0.2, 0.1], max_iter=2).fit(X, y)
    yield estimator((2,), learning_rate=0.5, learning_rate_schedule="adaptive").fit(
        X, y, sample_weight=np.arange(len(y)) % 3 + 1.0
    )
    warm = estimator((2,), max_iter=2, warm_start=True, random_state=0).fit(X, y)
    yield warm.fit(X, y)
    # early_stopping="auto" on a hold-out large enough to be on.
    yield estimator((2,), max_iter=12, random_state=0).fit(
        np.tile(X, (30, 1)), np.tile(y, 30)
    )
    frame = pd.DataFrame(X, columns=[f"c{j}" for j in range(X.shape[1])])
    yield estimator((2,), max_iter=1, random_state=0).fit(frame, y)
    if estimator is MLPBackpropClassifier:
        yield estimator((2,), random_state=0).partial_fit(X, y, classes=[0, 1])
        yield estimator((2,), max_iter=1, class_weight="balanced").fit(X, y)
    else:
        yield estimator((2,), random_state=0).partial_fit(X, y)
        yield estimator((2,), out_activation="logistic", max_iter=1).fit(X, y)
        yield estimator((2,), scale_target=False, max_iter=1).fit(X, y)
    yield estimator((2,), max_iter=1, random_state=0).fit(X, Y_other)


@pytest.mark.parametrize(
    "estimator", [MLPBackpropClassifier, MLPBackpropRegressor], ids=lambda e: e.__name__
)
def test_the_declared_fitted_attributes_are_those_that_fits_set(estimator):
    """What model files are checked against is every attribute that fit sets.

    Declared once (sk_mlpbp._state.TRAINING_STATE, the rest on the classes); an
    attribute that fit sets but no one declared would make its model files
    refused, and one declared that no fit sets would let crafted files hold it.
    """
    X, labels = make_article_data(40, random_state=0)
    if estimator is MLPBackpropClassifier:
        y, Y_other = labels, np.c_[labels, 1 - labels, labels]  # multilabel
    else:
        y, Y_other = X @ [1.0, -2.0, 0.5], np.c_[X[:, 0], X[:, 1]]
    params = set(estimator._get_param_names())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fits = list(reference_fits(estimator, X, y, Y_other))
    set_by_fits = set().union(*(vars(fit) for fit in fits)) - params
    declared = fitted_attributes(estimator)
    assert sorted(set_by_fits - declared) == []
    assert sorted(declared - set_by_fits) == []
    assert declared >= set(estimator._optional_attributes)
