"""``sk-mlpbp export``: a model file converted to ONNX, run in onnxruntime.

The commands run in-process through ``main``, on CSV files and models written here
by ``sk-mlpbp fit`` (or saved from Python); each ONNX file is run in onnxruntime and
compared with the model loaded from its skops file.
"""

import json
import os
import re
import sys
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import SplineTransformer, StandardScaler

from sk_mlpbp import MLPBackpropClassifier, MLPBackpropRegressor
from sk_mlpbp._cli import ONNX_COLUMNS_KEY, main
from sk_mlpbp._model_io import load_model
from tests.test_cli import (
    article_columns,
    article_file,
    one_line_error,
    python_model,
)
from tests.test_cli_regression import friedman_file

pytest.importorskip("skops.io")
onnx = pytest.importorskip("onnx")
pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")

#: How close the ONNX model's outputs come to the model's: 1e-5 relative in float32
#: (1e-12 in float64), and a few units of the dtype's spacing near 1 absolute. A
#: two-class classifier's probability of its first class is 1 - a in the graph's
#: dtype: near 0 it keeps the absolute precision of a, about 6e-8 in float32, not
#: a relative one.
TOLERANCE = {
    np.float32: dict(rtol=1e-5, atol=4 * np.finfo(np.float32).eps),
    np.float64: dict(rtol=1e-12, atol=4 * np.finfo(np.float64).eps),
}

NETRON = (
    "open it in Netron (https://netron.app, or pip install netron && netron {}) to "
    "see the network layer by layer"
)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Return CSV files and the models fit saves of them.

    ``model`` is fit's classifier pipeline (StandardScaler and the classifier) of
    the article's files (classes "left" and "right"), ``raw`` the bare classifier
    of ``--no-scale``, ``regressor`` the pipeline of ``fit --regression`` on
    Friedman #1 data (inputs x0 to x4, target y).
    """
    folder = tmp_path_factory.mktemp("export")
    paths = {
        "train": article_file(folder / "train.csv", 120, seed=0),
        "valid": article_file(folder / "valid.csv", 60, seed=1),
        "friedman": folder / "friedman.csv",
    }
    friedman_file(paths["friedman"], 100, seed=0)
    commands = {
        "model": [paths["train"], "--target", "side"],
        "raw": [paths["train"], "--target", "side", "--no-scale"],
        "regressor": [paths["friedman"], "--target", "y", "--regression"],
    }
    for name, command in commands.items():
        paths[name] = folder / f"{name}.skops"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            status = main(
                ["fit", *map(str, command), "--epochs", "3"]
                + ["--output", str(paths[name])]
            )
        assert status == 0
    return paths


def export(model, output, *options):
    """Run ``sk-mlpbp export MODEL OUTPUT [OPTIONS]``; return its exit status."""
    return main(["export", str(model), str(output), *options])


def session(path):
    """Return an onnxruntime session of the ONNX file at ``path``."""
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def opset(path):
    """Return the ONNX file's opset of the main (ai.onnx) domain."""
    (version,) = [
        entry.version for entry in onnx.load(str(path)).opset_import if not entry.domain
    ]
    return version


def files_in(folder):
    """Return the names in ``folder`` (temporary files included)."""
    return sorted(os.listdir(folder))


@pytest.mark.parametrize(
    "name, options, dtype",
    [
        ("model", [], np.float32),
        ("model", ["--double"], np.float64),
        ("raw", [], np.float32),
    ],
    ids=["pipeline float32", "pipeline --double", "no-scale float32"],
)
def test_export_of_a_classifier_runs_in_onnxruntime_as_the_model_predicts(
    name, options, dtype, files, tmp_path, capsys
):
    """The labels are predict's, the probabilities predict_proba's (TOLERANCE)."""
    output = tmp_path / "model.onnx"
    assert export(files[name], output, *options) == 0
    model = load_model(str(files[name])).model
    X, _ = article_columns(files["valid"])
    X = X.astype(dtype)
    labels, probabilities = session(output).run(None, {"X": X})
    assert probabilities.dtype == dtype
    assert_array_equal(labels, model.predict(X))
    assert_allclose(probabilities, model.predict_proba(X), **TOLERANCE[dtype])


@pytest.mark.parametrize(
    "options, dtype",
    [([], np.float32), (["--double"], np.float64)],
    ids=["float32", "--double"],
)
def test_export_of_a_regressor_runs_in_onnxruntime_as_the_model_predicts(
    options, dtype, files, tmp_path, capsys
):
    """The ONNX output, of shape (n, 1), is predict's in the target's units."""
    output = tmp_path / "regressor.onnx"
    assert export(files["regressor"], output, *options) == 0
    model = load_model(str(files["regressor"])).model
    X, _ = friedman_file(tmp_path / "valid.csv", 50, seed=1)
    X = X.astype(dtype)
    (predicted,) = session(output).run(None, {"X": X})
    assert predicted.shape == (50, 1)
    assert_allclose(predicted[:, 0], model.predict(X), **TOLERANCE[dtype])


def test_export_prints_what_it_wrote_and_how_to_see_it_in_netron(
    files, tmp_path, capsys
):
    """One line names the opset, the input columns, the tensor and the outputs."""
    output = tmp_path / "model.onnx"
    assert export(files["model"], output) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        f"wrote {output} (ONNX opset {opset(output)}; inputs: x, y, z as a float "
        'tensor "X" of shape (n, 3); outputs: label, probabilities)',
        NETRON.format(output),
    ]


def test_export_of_a_regressor_with_double_says_so(files, tmp_path, capsys):
    """A regressor's file: its five inputs, a double tensor, one output."""
    output = tmp_path / "regressor.onnx"
    assert export(files["regressor"], output, "--double") == 0
    first, netron = capsys.readouterr().out.splitlines()
    assert first == (
        f"wrote {output} (ONNX opset {opset(output)}; inputs: x0, x1, x2, x3, x4 as a "
        'double tensor "X" of shape (n, 5); outputs: variable)'
    )
    assert netron == NETRON.format(output)


def test_export_quotes_a_path_for_the_netron_command(files, tmp_path, capsys):
    """A file name with a space is quoted in the command to copy."""
    output = tmp_path / "my model.onnx"
    assert export(files["model"], output) == 0
    assert capsys.readouterr().out.splitlines()[1] == NETRON.format(f"'{output}'")


def test_export_records_the_input_columns_in_the_onnx_file(files, tmp_path, capsys):
    """The column names, in the tensor's order: metadata (JSON) and doc_string."""
    output = tmp_path / "model.onnx"
    assert export(files["regressor"], output) == 0
    onnx_model = onnx.load(str(output))
    metadata = {entry.key: entry.value for entry in onnx_model.metadata_props}
    assert json.loads(metadata[ONNX_COLUMNS_KEY]) == ["x0", "x1", "x2", "x3", "x4"]
    assert onnx_model.doc_string == (
        "Converted by sk-mlpbp export from regressor.skops. The input tensor's 5 "
        "columns are in order: x0, x1, x2, x3, x4."
    )
    meta = session(output).get_modelmeta()
    assert json.loads(meta.custom_metadata_map[ONNX_COLUMNS_KEY])[0] == "x0"


def test_export_of_a_model_without_column_names_takes_them_by_position(
    tmp_path, capsys
):
    """A model saved from Python on plain arrays: its columns by position."""
    X, _ = friedman_file(tmp_path / "data.csv", 40, seed=0)
    path = tmp_path / "model.skops"
    regressor = MLPBackpropRegressor((3,), max_iter=2, random_state=0)
    python_model(path, regressor, X, X[:, 0] * 2.0)
    output = tmp_path / "model.onnx"
    assert export(path, output) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "; inputs: 5 columns, by position as a float tensor " in first
    onnx_model = onnx.load(str(output))
    assert ONNX_COLUMNS_KEY not in {entry.key for entry in onnx_model.metadata_props}
    assert onnx_model.doc_string.endswith(
        "The input tensor's 5 columns are taken by position."
    )
    (predicted,) = session(output).run(None, {"X": X.astype(np.float32)})
    assert_allclose(predicted[:, 0], regressor.predict(X), **TOLERANCE[np.float32])


def test_export_replaces_an_existing_file_whole(files, tmp_path, capsys):
    """An existing MODEL.onnx is replaced, and no temporary file is left."""
    output = tmp_path / "model.onnx"
    output.write_bytes(b"old")
    assert export(files["model"], output) == 0
    assert files_in(tmp_path) == ["model.onnx"]
    assert onnx.load(str(output)).graph.input[0].name == "X"


# ----------------------------------------------------------------------------------
# Refusals: one line, status 2, nothing written


def refused(capsys, folder, before):
    """Return the one error line, after checking the folder is as it was."""
    line = one_line_error(capsys)
    assert files_in(folder) == before
    return line


def test_export_to_a_folder_is_one_line(files, tmp_path, capsys):
    """MODEL.onnx that is a folder is refused before the model is read."""
    folder = tmp_path / "out.onnx"
    folder.mkdir()
    assert export(files["model"], folder) == 2
    assert refused(capsys, folder, []) == (
        f"sk-mlpbp: error: cannot write {folder}: it is a folder."
    )


def test_export_into_a_missing_folder_is_one_line(files, tmp_path, capsys):
    """MODEL.onnx whose folder does not exist is refused, as fit's --output."""
    output = tmp_path / "missing" / "model.onnx"
    assert export(files["model"], output) == 2
    assert refused(capsys, tmp_path, []) == (
        f"sk-mlpbp: error: cannot write {output}: the folder {tmp_path / 'missing'} "
        "does not exist."
    )


def test_export_over_the_model_file_itself_is_one_line(files, tmp_path, capsys):
    """The ONNX file may not replace the skops file it is converted from."""
    path = tmp_path / "model.skops"
    path.write_bytes(files["model"].read_bytes())
    assert export(path, path) == 2
    assert refused(capsys, tmp_path, ["model.skops"]) == (
        f"sk-mlpbp: error: cannot write {path}: it is the model file {path} itself; "
        "give the ONNX file another name."
    )
    assert path.read_bytes() == files["model"].read_bytes()


def test_export_of_a_file_that_is_not_a_model_is_one_line(files, tmp_path, capsys):
    """MODEL.skops is loaded with the same checks as evaluate and predict."""
    output = tmp_path / "model.onnx"
    assert export(files["train"], output) == 2
    assert refused(capsys, tmp_path, []) == (
        f"sk-mlpbp: error: {files['train']} is not a model file (sk-mlpbp fit "
        "writes them, in skops format)."
    )


def test_export_of_a_model_the_converter_refuses_is_one_line(tmp_path, capsys):
    """A pipeline step skl2onnx has no converter for: its message's first line."""
    X, y = article_columns(article_file(tmp_path / "data.csv", 40, seed=0))
    path = tmp_path / "model.skops"
    model = make_pipeline(
        SplineTransformer(n_knots=3), MLPBackpropClassifier((3,), max_iter=2)
    )
    python_model(path, model, X, y)
    output = tmp_path / "model.onnx"
    output.write_bytes(b"old")
    before = files_in(tmp_path)
    assert export(path, output) == 2
    line = refused(capsys, tmp_path, before)
    assert re.fullmatch(
        rf"sk-mlpbp: error: cannot convert {re.escape(str(path))} to ONNX: .*"
        r"SplineTransformer.*",
        line,
    ), line
    assert output.read_bytes() == b"old"


def test_export_without_the_onnx_extra_says_how_to_install_it(
    files, tmp_path, capsys, monkeypatch
):
    """skl2onnx missing: the converter's install hint, and nothing written."""
    monkeypatch.setitem(sys.modules, "skl2onnx", None)
    output = tmp_path / "model.onnx"
    output.write_bytes(b"old")
    assert export(files["model"], output) == 2
    line = refused(capsys, tmp_path, ["model.onnx"])
    assert 'pip install ".[onnx]"' in line
    assert "skl2onnx" in line
    assert output.read_bytes() == b"old"


def test_export_that_fails_to_write_leaves_the_target_and_no_temporary_file(
    files, tmp_path, capsys, monkeypatch
):
    """Written whole or not at all: a failing replace keeps the old file."""

    def failing_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    output = tmp_path / "model.onnx"
    output.write_bytes(b"old")
    assert export(files["model"], output) == 2
    assert refused(capsys, tmp_path, ["model.onnx"]) == (
        f"sk-mlpbp: error: cannot write {output}: No space left on device."
    )
    assert output.read_bytes() == b"old"


def test_export_is_listed_by_help(capsys):
    """``sk-mlpbp --help`` lists export among the commands."""
    with pytest.raises(SystemExit):
        main(["--help"])
    assert re.search(r"^ +export +\S", capsys.readouterr().out, re.M)


def test_export_takes_two_paths(capsys):
    """MODEL.skops and MODEL.onnx are required: a usage error, status 2."""
    with pytest.raises(SystemExit) as exit_:
        main(["export", "model.skops"])
    assert exit_.value.code == 2
    assert "the following arguments are required: MODEL.onnx" in (
        capsys.readouterr().err
    )


def test_a_pipeline_made_in_python_exports_as_fit_s(files, tmp_path, capsys):
    """A StandardScaler pipeline saved from Python on arrays exports the same way."""
    X, y = article_columns(files["train"])
    path = tmp_path / "model.skops"
    model = make_pipeline(StandardScaler(), MLPBackpropClassifier((3,), max_iter=2))
    python_model(path, model, X, y)
    output = tmp_path / "model.onnx"
    assert export(path, output) == 0
    X = X.astype(np.float32)
    labels, probabilities = session(output).run(None, {"X": X})
    assert_array_equal(labels, model.predict(X))
    assert_allclose(probabilities, model.predict_proba(X), **TOLERANCE[np.float32])
