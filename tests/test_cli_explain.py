"""``sk-mlpbp explain`` and the first training step at the end of ``sk-mlpbp demo``.

The commands run in-process through ``main``, on CSV files and models written here
by ``sk-mlpbp fit``; each printed trace is compared with ``explain_step`` of the
model loaded from its file.
"""

import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from sk_mlpbp import MLPBackpropClassifier, make_article_data
from sk_mlpbp._cli import main
from sk_mlpbp._demo import article_experiment
from sk_mlpbp._model_io import load_model
from sk_mlpbp.exceptions import SaturationWarning
from tests.test_cli import (
    LABELS,
    article_columns,
    article_file,
    one_line_error,
    overflowing_model,
    python_model,
    write_csv,
)

pytest.importorskip("skops.io")

#: The article's network, as the demo trains it (without the demo's warm start).
ARTICLE = dict(
    hidden_layer_sizes=(4,),
    learning_rate=1.0,
    batch_size=1,
    max_iter=1,
    shuffle=False,
    use_bias=False,
    weight_init="uniform",
    random_state=0,
)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Return a training and a validation file, and the models fit saves of them.

    ``model`` is fit's pipeline (StandardScaler and the classifier), ``raw`` the
    bare classifier of ``--no-scale``.
    """
    folder = tmp_path_factory.mktemp("explain")
    paths = {
        "train": article_file(folder / "train.csv", 120, seed=0),
        "valid": article_file(folder / "valid.csv", 60, seed=1),
    }
    for name, options in [("model", []), ("raw", ["--no-scale"])]:
        paths[name] = folder / f"{name}.skops"
        command = ["fit", str(paths["train"]), "--target", "side", "--epochs", "3"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            status = main([*command, *options, "--output", str(paths[name])])
        assert status == 0
    return paths


def explain(model, data, row, target="side"):
    """Run ``sk-mlpbp explain MODEL DATA --row ROW --target TARGET``."""
    return main(["explain", str(model), str(data), "--row", str(row)]
                + ["--target", target])  # fmt: skip


@pytest.mark.parametrize("row", [0, 7, 59])
def test_explain_prints_the_step_of_the_row_through_the_pipeline(row, files, capsys):
    """The trace is the classifier's step on the standardised row and its class."""
    assert explain(files["model"], files["valid"], row) == 0
    out = capsys.readouterr().out
    pipeline = load_model(str(files["model"])).model
    X, labels = article_columns(files["valid"])
    inputs = pipeline[:-1].transform(X[row : row + 1])
    trace = pipeline[-1].explain_step(inputs, labels[row : row + 1])
    first, second, blank, *rest = out.splitlines()
    x, y, z = X[row]
    assert first == (
        f"row {row} of {files['valid']}: x = {x:.6g}, y = {y:.6g}, z = {z:.6g}; "
        f"class {labels[row]}"
    )
    assert second == "inputs after StandardScaler: " + ", ".join(
        f"{value:.6g}" for value in inputs[0]
    )
    assert blank == ""
    assert "\n".join(rest[:-2]) == str(trace)
    assert rest[-2:] == ["", f"{files['model']} was not changed: the step was "
                         "taken on a copy of its network."]  # fmt: skip
    assert trace.T[0, 0] == (labels[row] == LABELS[1])
    assert re.search(rf"^ +FE +sample 0 +{trace.FE[0, 0]:.6g}$", out, re.M)


def test_explain_of_a_raw_model_steps_on_the_row_as_it_is(files, capsys):
    """A bare classifier (fit --no-scale) takes the row's own inputs: no transform."""
    assert explain(files["raw"], files["valid"], 3) == 0
    out = capsys.readouterr().out
    classifier = load_model(str(files["raw"])).model
    X, labels = article_columns(files["valid"])
    trace = classifier.explain_step(X[3:4], labels[3:4])
    assert str(trace) in out
    assert "inputs after" not in out
    assert_array_equal(trace.layers[0].S_postA, X[3:4])


def test_explain_leaves_the_model_file_as_it_was(files, capsys):
    """Explaining a row writes nothing: the model file keeps its bytes and time."""
    path = files["model"]
    before, modified = path.read_bytes(), path.stat().st_mtime_ns
    assert explain(path, files["valid"], 1) == 0
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == modified


def test_explain_takes_the_row_class_in_the_model_label_type(tmp_path, capsys):
    """A model of float classes takes the file's "1" for its class 1.0."""
    X, y = make_article_data(40, random_state=0)
    path = tmp_path / "model.skops"
    model = python_model(
        path, MLPBackpropClassifier((3,), max_iter=2, random_state=0), X, y * 1.0
    )
    rows = [[*x, f"{label:d}"] for x, label in zip(X, y)]
    data = write_csv(tmp_path / "data.csv", ["x", "y", "z", "output"], rows)
    row = int(np.flatnonzero(y == 1)[0])
    assert explain(path, data, row, target="output") == 0
    trace = model.explain_step(X[row : row + 1], [1.0])
    assert str(trace) in capsys.readouterr().out
    assert trace.T[0, 0] == 1


def test_explain_takes_the_columns_of_a_dataframe_model_by_name(
    files, tmp_path, capsys
):
    """A model fitted on a DataFrame of columns z, x, y takes the row's cells so."""
    pd = pytest.importorskip("pandas")
    X, labels = article_columns(files["train"])
    frame = pd.DataFrame(X, columns=["x", "y", "z"])[["z", "x", "y"]]
    path = tmp_path / "model.skops"
    model = python_model(
        path, MLPBackpropClassifier((3,), max_iter=2, random_state=0), frame, labels
    )
    assert explain(path, files["valid"], 4) == 0
    out = capsys.readouterr().out
    X_valid, labels_valid = article_columns(files["valid"])
    row = pd.DataFrame(X_valid[4:5], columns=["x", "y", "z"])[["z", "x", "y"]]
    trace = model.explain_step(row, labels_valid[4:5])
    assert str(trace) in out
    assert out.startswith(f"row 4 of {files['valid']}: z = {X_valid[4, 2]:.6g}, ")


@pytest.mark.parametrize("row", [60, 10**6])
def test_explain_of_a_row_past_the_last_is_one_line_and_status_2(row, files, capsys):
    """The file has rows 0 to 59: a row beyond them says so in one line."""
    assert explain(files["model"], files["valid"], row) == 2
    assert one_line_error(capsys) == (
        f"sk-mlpbp: error: --row {row} is not a row of {files['valid']}: its 60 "
        "data rows are numbered 0 to 59."
    )


@pytest.mark.parametrize(
    "options, message",
    [
        (["--row", "-1", "--target", "side"], "argument --row: '-1' is not an integer"),
        (["--row", "one", "--target", "side"], "argument --row: 'one' is not"),
        (["--target", "side"], "the following arguments are required: --row"),
        (["--row", "0"], "the following arguments are required: --target"),
    ],
    ids=["negative row", "row not a number", "no row", "no target"],
)
def test_explain_options_are_checked_as_usage_errors(options, message, files, capsys):
    """--row is a row number and --target a column, both required: status 2."""
    with pytest.raises(SystemExit) as exit_:
        main(["explain", str(files["model"]), str(files["valid"]), *options])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_explain_without_the_target_column_in_the_file_is_one_line(files, capsys):
    """The --target column must be in the file: T comes from it."""
    assert explain(files["model"], files["valid"], 0, target="label") == 2
    assert one_line_error(capsys) == (
        f"sk-mlpbp: error: {files['valid']} has no column 'label' (its columns: "
        "x, y, z, side)."
    )


def test_explain_of_a_row_of_an_unknown_class_is_one_line(files, tmp_path, capsys):
    """A class that is none of the model's gives no target T: one line, status 2."""
    X, labels = article_columns(files["valid"])
    labels = labels.astype(object)
    labels[2] = "middle"
    rows = [[*map("{:.1f}".format, x), label] for x, label in zip(X, labels)]
    data = write_csv(tmp_path / "data.csv", ["x", "y", "z", "side"], rows)
    assert explain(files["model"], data, 2) == 2
    assert one_line_error(capsys) == (
        f"sk-mlpbp: error: row 2 of {data} is of the class middle, none of the "
        "model's (left, right): the step's error FE needs one of them."
    )
    # The other rows of the file are still explained.
    assert explain(files["model"], data, 1) == 0


def test_explain_checks_the_model_columns_as_evaluate_does(files, tmp_path, capsys):
    """A file without the model's input columns is refused as by evaluate."""
    X, labels = article_columns(files["valid"])
    rows = [[x[0], x[1], label] for x, label in zip(X, labels)]
    data = write_csv(tmp_path / "data.csv", ["x", "y", "side"], rows)
    assert explain(files["model"], data, 0) == 2
    line = one_line_error(capsys)
    assert main(["evaluate", str(files["model"]), str(data), "--target", "side"]) == 2
    assert one_line_error(capsys) == line
    assert "lacks the column(s) z" in line


def test_explain_of_a_file_that_is_not_a_model_is_one_line(files, capsys):
    """MODEL.skops is loaded with the same checks as evaluate and predict."""
    assert explain(files["train"], files["valid"], 0) == 2
    assert one_line_error(capsys) == (
        f"sk-mlpbp: error: {files['train']} is not a model file (sk-mlpbp fit "
        "writes them, in skops format)."
    )


def test_explain_of_a_model_that_fails_on_the_row_is_one_line(tmp_path, capsys):
    """A scaler that overflows the row to infinity ends explain in one line."""
    path = overflowing_model(tmp_path)
    data = write_csv(tmp_path / "data.csv", ["a", "b", "label"], [[1e308, 0, "pos"]])
    assert explain(path, data, 0, target="label") == 2
    assert re.fullmatch(
        r"sk-mlpbp: error: the model cannot explain row 0 of \S*data\.csv: "
        r".*infinity.*",
        one_line_error(capsys),
    )


def test_explain_is_listed_by_help(capsys):
    """``sk-mlpbp --help`` lists explain among the commands."""
    with pytest.raises(SystemExit):
        main(["--help"])
    assert re.search(r"^ +explain +\S", capsys.readouterr().out, re.M)


@pytest.fixture(scope="module")
def experiment():
    """Return what ``article_experiment`` returns: network, accuracy, first step."""
    return article_experiment()


def test_demo_ends_with_the_article_first_training_step(experiment, capsys):
    """The demo's last lines are the heading and the trace of the first step."""
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    first_step = experiment[2]
    assert out.endswith(
        "\nThe article's first training step (sample 0 of the training file)\n"
        "  the network above, on the initial weights its training starts from\n\n"
        f"{first_step}\n"
    )


def test_the_demo_first_step_is_the_first_online_step_of_the_article_fit(experiment):
    """Weights after the traced step are those of one partial_fit on sample 0."""
    *_, first_step = experiment
    X, y = make_article_data(199, random_state=0)
    with warnings.catch_warnings():
        # One sample is no sample of the inputs' scale.
        warnings.simplefilter("ignore", SaturationWarning)
        one_step = MLPBackpropClassifier(**ARTICLE).partial_fit(
            X[:1], y[:1], classes=[0, 1]
        )
    assert first_step.E.shape == (1,)
    assert_array_equal(first_step.layers[0].S_postA, X[:1])
    for weights, coef in zip(first_step.weights, one_step.coefs_):
        assert_array_equal(weights.weights_after, coef)


def test_the_demo_fit_from_the_traced_weights_is_the_article_fit(experiment):
    """The warm-started fit of the demo ends where the plain article fit ends."""
    article, accuracy, _ = experiment
    X, y = make_article_data(199, random_state=0)
    X_valid, y_valid = make_article_data(199, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = MLPBackpropClassifier(**ARTICLE).fit(X, y)
    for fitted, expected in zip(article.coefs_, plain.coefs_):
        assert_array_equal(fitted, expected)
    assert article.loss_curve_ == plain.loss_curve_
    assert (article.n_iter_, article.t_) == (plain.n_iter_, plain.t_)
    assert accuracy == plain.score(X_valid, y_valid)
