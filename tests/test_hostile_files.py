"""Hostile and broken files: CSV files and model files crafted or damaged.

Reading a CSV file is linear in its size and holds little more than its numbers;
cells written by ``predict`` cannot run as spreadsheet formulas; a model file is
bounded in what it may make a load read and inflate, and holds a model shaped as
``fit`` makes one, or it is refused in one line.
"""

import copy
import csv
import io
import json
import os
import re
import resource
import subprocess
import sys
import tracemalloc
import warnings
import zipfile
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.interpolate import BSpline
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, SplineTransformer, StandardScaler

from sk_mlpbp import MLPBackpropClassifier, _model_io, make_article_data
from sk_mlpbp._cli import main
from sk_mlpbp._csv import read_table, spreadsheet_safe
from sk_mlpbp._model_io import ModelFile, ModelFileError, save_model

# -- reading CSV files -------------------------------------------------------------


def test_a_table_of_100k_columns_is_read_and_taken_by_name(tmp_path):
    """Reading, and taking columns by name, cost no column-by-column search.

    With list searches over the columns this file took minutes (100k x 100k
    comparisons); it now takes about a second.
    """
    n_columns = 100_000
    names = [f"c{j}" for j in range(n_columns)]
    path = tmp_path / "wide.csv"
    rows = [",".join([*map(str, range(i, i + n_columns)), "yes"]) for i in range(2)]
    path.write_text("\n".join([",".join([*names, "label"]), *rows]) + "\n")
    table = read_table(path, text_columns=["label"])
    assert table.labels("label").tolist() == ["yes", "yes"]
    X = table.numbers(names[::-1])
    assert_array_equal(X[1], np.arange(n_columns, 0, -1))
    model = SimpleNamespace(n_features_in_=n_columns)
    assert_array_equal(ModelFile(model, names, None).inputs(table, "label"), X[:, ::-1])


def test_reading_holds_little_more_than_the_numbers(tmp_path):
    """Memory while reading is a few float64 per cell, not a Python str per cell."""
    n_rows, n_columns = 20_000, 50
    rng = np.random.RandomState(0)
    path = tmp_path / "numbers.csv"
    header = ",".join(f"c{j}" for j in range(n_columns))
    X = rng.normal(size=(n_rows, n_columns))
    np.savetxt(path, X, fmt="%.6f", delimiter=",", header=header, comments="")
    del X
    tracemalloc.start()
    try:
        table = read_table(path)
        X = table.numbers(table.columns)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert X.shape == (n_rows, n_columns)
    # The numbers (8 bytes a cell), their blocks while being joined, and X.
    assert peak < 32 * n_rows * n_columns, peak / (n_rows * n_columns)


# -- cells that a spreadsheet would run --------------------------------------------


def run(*args):
    """Run ``python -m sk_mlpbp ARGS``; return the completed process."""
    return subprocess.run(
        [sys.executable, "-m", "sk_mlpbp", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def labelled_file(path, labels, n_samples=60):
    """Write the article's columns with ``labels`` as the classes; return its path."""
    X, y = make_article_data(n_samples, random_state=0)
    y = (y + (X[:, 1] > 0.5)) % len(labels)
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["x", "y", "z", "class"])
        writer.writerows([*map("{:.2f}".format, x), labels[k]] for x, k in zip(X, y))
    return path


@pytest.fixture(scope="module")
def formula_model(tmp_path_factory):
    """Return a model trained on formula-like classes, its data and fit run."""
    folder = tmp_path_factory.mktemp("formulas")
    train = labelled_file(folder / "train.csv", FORMULAS)
    model = folder / "model.skops"
    fitted = run("fit", train, "--target", "class", "--epochs", 3, "--output", model)
    assert fitted.returncode == 0, fitted.stderr
    return model, train, fitted


FORMULAS = ["=cmd|' /C calc'!A0", "@SUM(1+1)", "+HYPERLINK(1)"]
NUMBER_PATTERN = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def assert_no_formula(cell):
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        assert NUMBER_PATTERN.fullmatch(cell), cell


def test_predict_writes_no_cell_that_a_spreadsheet_runs(formula_model):
    """Classes such as ``=cmd|...`` are written as text, behind a single quote."""
    model, data, _ = formula_model
    result = run("predict", model, data)
    assert result.returncode == 0, result.stderr
    header, *rows = list(csv.reader(io.StringIO(result.stdout)))
    assert header == ["prediction"]
    assert {cell for (cell,) in rows} <= {"'" + label for label in FORMULAS}
    assert len({cell for (cell,) in rows}) > 1
    for (cell,) in rows:
        assert_no_formula(cell)


def test_predict_proba_header_holds_no_formula_and_numbers_stay_numbers(
    formula_model,
):
    """The --proba header is text and the probabilities are plain numbers."""
    model, data, _ = formula_model
    result = run("predict", model, data, "--proba")
    assert result.returncode == 0, result.stderr
    header, *rows = list(csv.reader(io.StringIO(result.stdout)))
    assert sorted(header) == sorted(f"proba_{label}" for label in FORMULAS)
    for row in rows:
        assert_allclose(sum(map(float, row)), 1.0)


def test_numeric_classes_are_written_as_numbers(tmp_path):
    """``-1`` is a number to a spreadsheet, so it is written as it is."""
    train = labelled_file(tmp_path / "train.csv", ["-1", "+1", "-2.5e3"])
    model = tmp_path / "model.skops"
    fitted = run("fit", train, "--target", "class", "--epochs", 3, "--output", model)
    assert fitted.returncode == 0, fitted.stderr
    result = run("predict", model, train)
    header, *rows = list(csv.reader(io.StringIO(result.stdout)))
    assert {cell for (cell,) in rows} == {"-1", "+1", "-2.5e3"}


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("@SUM(1)", "'@SUM(1)"),
        ("+A1", "'+A1"),
        ("-A1", "'-A1"),
        ("\tx", "'\\tx"),
        ("\r=1", "'\\r=1"),
        ("-1", "-1"),
        ("+0.5", "+0.5"),
        ("-1e-3", "-1e-3"),
        ("yes", "yes"),
        ("a=b", "a=b"),
    ],
)
def test_spreadsheet_safe_quotes_formulas_and_keeps_numbers(cell, written):
    assert spreadsheet_safe(cell) == written


# -- text from files on the terminal -----------------------------------------------

ESCAPE = "\x1b[2J\x1b[31mred"


def test_classes_with_terminal_escapes_are_printed_escaped(tmp_path):
    """An ANSI escape in a class reaches no output of fit, evaluate or predict."""
    train = labelled_file(tmp_path / "train.csv", [ESCAPE, "blue\nline"])
    model = tmp_path / "model.skops"
    results = [
        run("fit", train, "--target", "class", "--epochs", 3, "--output", model),
        run("evaluate", model, train, "--target", "class"),
        run("predict", model, train),
        run("predict", model, train, "--proba"),
    ]
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout + result.stderr
    assert "\\x1b[2J\\x1b[31mred" in results[0].stdout
    assert "blue\\nline" in results[1].stdout


# -- model files -------------------------------------------------------------------

sio = pytest.importorskip("skops.io")


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """Return a folder with a good model file (a bare classifier) and its data."""
    folder = tmp_path_factory.mktemp("models")
    X, y = make_article_data(60, random_state=0)
    labels = np.array(["left", "right", "up"])[y + (X[:, 1] > 0.5)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MLPBackpropClassifier((5,), max_iter=3, random_state=0).fit(X, labels)
    save_model(model, folder / "good.skops", input_columns=["x", "y", "z"])
    with open(folder / "data.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["x", "y", "z", "class"])
        writer.writerows([*x, label] for x, label in zip(X, labels))
    return SimpleNamespace(folder=folder, model=model, X=X, y=labels)


def rewritten(source, target, schema=None, **members):
    """Copy the zip archive ``source`` to ``target``, changing some members.

    ``schema`` is a function that edits the parsed schema.json in place; each of
    ``members`` (a name, with ``__`` for ``.``) is new content, as bytes, or a
    ``(bytes, compression)`` pair.
    """
    members = {name.replace("__", "."): content for name, content in members.items()}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            content = old.read(info)
            compression = zipfile.ZIP_STORED
            if info.filename == "schema.json" and schema is not None:
                tree = json.loads(content)
                schema(tree)
                content = json.dumps(tree).encode()
            if info.filename in members:
                content = members.pop(info.filename)
            if isinstance(content, tuple):
                content, compression = content
            new.writestr(info.filename, content, compress_type=compression)
        for name, content in members.items():
            new.writestr(name, content)
    return target


def attributes(tree):
    """Return the classifier's attributes in a parsed schema."""
    return tree["content"]["content"]


def set_json(name, value):
    """Make a schema edit that sets the JSON attribute ``name`` to ``value``."""

    def edit(tree):
        # A new __id__: skops gives nodes of one __id__ the object built first.
        attributes(tree)[name].update(content=json.dumps(value), __id__=1)

    return edit


def array_file(tree, name, index=None):
    """Return the archive member that holds the array attribute ``name``."""
    node = attributes(tree)[name]
    return (node if index is None else node["content"][index])["file"]


def cli(capsys, *args):
    """Run ``main(args)`` here; return the status, stdout and stderr lines."""
    status = main([*map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err.splitlines()


def assert_refused(capsys, path, data, pattern=r"is not a model file"):
    """``predict`` and ``evaluate`` end with status 2 and one line for ``path``."""
    for command in (["predict", path, data], ["evaluate", path, data, "--target",
                                               "class"]):  # fmt: skip
        status, out, err = cli(capsys, *command)
        assert (status, out) == (2, ""), (status, out, err)
        assert len(err) == 1, err
        assert re.fullmatch(rf"sk-mlpbp: error: .*{pattern}.*", err[0]), err[0]


def crafted_by_dump(change):
    """Make a case: the good model changed in Python, then saved by skops.io.dump."""

    def make(good, path):
        model = copy.deepcopy(good.model)
        change(model)
        sio.dump(model, path)
        return path

    return make


def crafted_pipeline(change):
    """Make a case: a scaler and the good model, changed in Python, then dumped."""

    def make(good, path):
        pipeline = make_pipeline(StandardScaler(), copy.deepcopy(good.model))
        pipeline[0].fit(good.X)
        change(pipeline)
        save_model(pipeline, path, input_columns=["x", "y", "z"])
        return path

    return make


def crafted_by_schema(edit):
    """Make a case: the good model's schema.json edited."""

    def make(good, path):
        return rewritten(good.folder / "good.skops", path, schema=edit)

    return make


def shuffled_coefs(model):
    model.coefs_[0] = model.coefs_[0].T.copy()


def swapped_classes_file(tree):
    attributes(tree)["classes_"]["file"] = array_file(tree, "coefs_", 0)


def loader(name, node):
    """Make a schema edit that gives the attribute ``name`` another loader."""

    def edit(tree):
        attributes(tree)[name].update(__loader__=node, __id__=1)

    return edit


def protocol(tree):
    tree["protocol"] = 99


def wide_hidden_layer(model):
    """Give the model a hidden layer of 100,000 units; hidden_layer_sizes stay (5,)."""
    width = 100_000
    model.coefs_ = [np.ones((3, width), np.float32), np.ones((width, 3), np.float32)]
    model.intercepts_ = [np.zeros(width, np.float32), np.zeros(3, np.float32)]


def set_classes(classes):
    return crafted_by_dump(lambda m: setattr(m, "classes_", classes))


CRAFTED = {
    # Trusted types, content that fit never makes.
    "coefs_ shapes do not chain": crafted_by_dump(shuffled_coefs),
    "no _multilabel": crafted_by_dump(lambda m: delattr(m, "_multilabel")),
    "one class": crafted_by_dump(lambda m: setattr(m, "classes_", m.classes_[:1])),
    "n_outputs_ of 10**12": crafted_by_dump(lambda m: setattr(m, "n_outputs_", 10**12)),
    "n_layers_ wrong": crafted_by_dump(lambda m: setattr(m, "n_layers_", 7)),
    "n_features_in_ wrong": crafted_by_dump(lambda m: setattr(m, "n_features_in_", 2)),
    "NaN weight": crafted_by_dump(lambda m: m.coefs_[1].__setitem__((0, 0), np.nan)),
    "integer weights": crafted_by_dump(
        lambda m: setattr(m, "coefs_", [W.astype(int) for W in m.coefs_])
    ),
    "weights not a list": crafted_by_dump(
        lambda m: setattr(m, "coefs_", {"a": m.coefs_[0]})
    ),
    "2-D classes_": crafted_by_dump(
        lambda m: setattr(m, "classes_", m.classes_.reshape(1, -1))
    ),
    "repeated classes": crafted_by_dump(
        lambda m: setattr(m, "classes_", np.array(["a", "a", "b"]))
    ),
    # Classes that fit cannot make (np.unique of labels scikit-learn takes).
    "bytes classes": set_classes(np.array([b"\xfd", b"\xfe", b"\xff"])),
    "a NaN class": set_classes(np.array([0.0, 1.0, np.nan])),
    "fractional float classes": set_classes(np.array([0.5, 1.0, 1.5])),
    "object classes of ints": set_classes(np.array([0, 1, 2], dtype=object)),
    "unsorted classes": set_classes(np.array(["up", "left", "right"])),
    "a NaT class": set_classes(np.array(["2020-01-01", "2021-01-01", "NaT"], "M8[D]")),
    "complex classes": set_classes(np.array([0j, 1j, 2j])),
    # Weights of other hidden widths than hidden_layer_sizes.
    "a hidden layer wider than hidden_layer_sizes": crafted_by_dump(wide_hidden_layer),
    "hidden_layer_sizes of two layers for one": crafted_by_dump(
        lambda m: setattr(m, "hidden_layer_sizes", (5, 5))
    ),
    "hidden_layer_sizes of another width": crafted_by_dump(
        lambda m: setattr(m, "hidden_layer_sizes", 6)
    ),
    "invalid parameter": crafted_by_dump(lambda m: setattr(m, "learning_rate", -1.0)),
    "attribute fit never sets": crafted_by_dump(lambda m: setattr(m, "extra_", 1)),
    "predict_proba in __dict__": crafted_by_dump(
        lambda m: setattr(m, "predict_proba", np.negative)
    ),
    "predict in __dict__": crafted_by_dump(
        lambda m: setattr(m, "predict", np.negative)
    ),
    "predict_proba in a Pipeline's __dict__": crafted_pipeline(
        lambda p: setattr(p, "predict_proba", np.negative)
    ),
    "transform in a step's __dict__": crafted_pipeline(
        lambda p: setattr(p[0], "transform", np.negative)
    ),
    # Edits of a few bytes in schema.json.
    "n_outputs_ a string": crafted_by_schema(set_json("n_outputs_", "3")),
    "n_outputs_ a list": crafted_by_schema(set_json("n_outputs_", [3])),
    "_multilabel a number": crafted_by_schema(set_json("_multilabel", 0)),
    "classes_ from the weights' file": crafted_by_schema(swapped_classes_file),
    "list loaded as a dict": crafted_by_schema(loader("coefs_", "DictNode")),
    "number loaded as a list": crafted_by_schema(loader("n_outputs_", "ListNode")),
    "unknown loader": crafted_by_schema(loader("n_outputs_", "NoSuchNode")),
}


@pytest.mark.parametrize("case", CRAFTED)
def test_a_crafted_model_file_is_refused_in_one_line(case, good, tmp_path, capsys):
    """A file whose classifier fit could not have made ends the command in one line."""
    path = CRAFTED[case](good, tmp_path / "crafted.skops")
    assert_refused(capsys, path, good.folder / "data.csv")


def test_a_schema_of_an_unknown_protocol_is_refused_or_read_as_its_model(
    good, tmp_path, capsys
):
    """Only skops knows its protocols: sk-mlpbp refuses what skops refuses.

    Newer skops refuse a protocol number they do not know; older ones read the
    schema regardless, and then the model it describes is a good one.
    """
    path = crafted_by_schema(protocol)(good, tmp_path / "crafted.skops")
    skops_io = pytest.importorskip("skops.io")
    try:
        skops_io.load(path, trusted=[_model_io.MODEL_TYPE])
    except Exception:  # whatever skops raises for it
        assert_refused(capsys, path, good.folder / "data.csv")
        return
    status, out, err = cli(capsys, "predict", path, good.folder / "data.csv")
    assert (status, err) == (0, [])
    assert out.splitlines()[1:] == good.model.predict(good.X).tolist()


def padded_schema(good, path):
    """Return the good file with 65 MiB of JSON whitespace after its schema."""
    source = good.folder / "good.skops"
    with zipfile.ZipFile(source) as archive:
        schema = archive.read("schema.json") + b" " * (65 * 2**20)
    return rewritten(source, path, schema__json=(schema, zipfile.ZIP_DEFLATED))


def zeros_weights(good, path):
    """Return the good file whose first weights are 64 MiB of zeros, deflated."""
    source = good.folder / "good.skops"
    with zipfile.ZipFile(source) as archive:
        member = array_file(json.loads(archive.read("schema.json")), "coefs_", 0)
    content = io.BytesIO()
    np.save(content, np.zeros((2**13, 2**10)))
    return rewritten(
        source, path, **{member.replace(".", "__"): (content.getvalue(),
                                                     zipfile.ZIP_DEFLATED)}
    )  # fmt: skip


@pytest.mark.parametrize("make", [padded_schema, zeros_weights])
def test_a_model_file_that_inflates_too_much_is_refused_before_reading(
    make, good, tmp_path, capsys
):
    """Members are checked on their declared sizes before skops inflates them."""
    path = make(good, tmp_path / "bomb.skops")
    assert path.stat().st_size < 2**20
    assert_refused(capsys, path, good.folder / "data.csv", "inflates to")


def test_models_inflating_beyond_the_total_bound_are_refused(
    good, tmp_path, capsys, monkeypatch
):
    """The total of the members' sizes is bounded too (a bound lowered here)."""
    monkeypatch.setattr(_model_io, "MAX_INFLATED_BYTES", 1000)
    assert_refused(capsys, good.folder / "good.skops", good.folder / "data.csv",
                   r"inflates to \d+ bytes \(\d+ bytes so far\)")  # fmt: skip


def test_save_model_refuses_a_model_that_load_model_would_refuse(
    good, tmp_path, monkeypatch
):
    """Fit never writes a file that the other commands cannot read."""
    monkeypatch.setattr(_model_io, "MAX_SCHEMA_BYTES", 1000)
    path = tmp_path / "model.skops"
    with pytest.raises(ModelFileError, match="too large for a model file"):
        save_model(good.model, path)
    assert list(tmp_path.iterdir()) == []


def run_limited(*args, timeout=60):
    """Run the command line in a process of at most 4 GiB of address space."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))

    return subprocess.run(
        [sys.executable, "-m", "sk_mlpbp", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
    )


@pytest.mark.parametrize("kind", ["device", "FIFO", "folder"])
def test_a_model_that_is_not_a_regular_file_is_refused_without_reading(
    kind, good, tmp_path
):
    """``predict /dev/zero data.csv`` neither reads the device nor waits on a FIFO."""
    if kind == "device":
        path = "/dev/zero"
    elif kind == "FIFO":
        path = tmp_path / "fifo.skops"
        os.mkfifo(path)
    else:
        path = tmp_path
    result = run_limited("predict", path, good.folder / "data.csv")
    assert (result.returncode, result.stdout) == (2, ""), result.stderr[-2000:]
    assert result.stderr.splitlines() == [
        f"sk-mlpbp: error: {path} is not a regular file."
    ]


def test_a_version_string_from_a_file_reaches_the_terminal_escaped(
    good, tmp_path, capsys
):
    """A crafted version (with ANSI escapes) is noted in one line, escaped."""
    path = rewritten(
        good.folder / "good.skops",
        tmp_path / "version.skops",
        schema=set_json("_sk_mlpbp_version", "\x1b[2J\x1b[31m9.9\nfake line"),
    )
    status, out, err = cli(capsys, "predict", path, good.folder / "data.csv")
    assert status == 0
    assert len(err) == 1, err
    assert "\x1b" not in err[0]
    assert "\\x1b[2J\\x1b[31m9.9\\nfake line" in err[0]


def test_a_multilabel_model_is_refused_in_one_line(good, tmp_path, capsys):
    """The command line does not take multilabel models: it says so."""
    Y = np.column_stack([good.X[:, 0] > 0, good.X[:, 1] > 0, good.X[:, 2] > 0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MLPBackpropClassifier((5,), max_iter=3, random_state=0).fit(
            good.X, Y.astype(int)
        )
    path = tmp_path / "multilabel.skops"
    save_model(model, path, input_columns=["x", "y", "z"])
    assert_refused(capsys, path, good.folder / "data.csv", "multilabel model")


def test_fit_refuses_a_network_too_large_to_train_in_one_line(good, tmp_path, capsys):
    """``--hidden 1000000000000`` is refused before any weight is allocated."""
    model = tmp_path / "model.skops"
    status, out, err = cli(capsys, "fit", good.folder / "data.csv", "--target",
                           "class", "--hidden", 10**12, "--output", model)  # fmt: skip
    assert (status, out) == (2, "")
    assert len(err) == 1, err
    assert re.fullmatch(
        r"sk-mlpbp: error: hidden_layer_sizes \[1000000000000\] make a network .*",
        err[0],
    )
    assert not model.exists()


def test_fit_refuses_a_network_larger_than_the_memory_in_one_line(
    good, tmp_path, capsys, monkeypatch
):
    """A network whose training would not fit in memory is refused before fitting."""
    pages = {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 1024}  # 4 MiB of memory
    monkeypatch.setattr(os, "sysconf", pages.__getitem__)
    model = tmp_path / "model.skops"
    status, out, err = cli(capsys, "fit", good.folder / "data.csv", "--target",
                           "class", "--hidden", 100_000, "--output", model)  # fmt: skip
    assert (status, out) == (2, "")
    assert len(err) == 1, err
    assert "more than this machine's 0.0 GiB of memory" in err[0]
    assert err[0].startswith("sk-mlpbp: error: hidden_layer_sizes [100000] make")
    assert not model.exists()


# -- types trusted beyond skops' defaults --------------------------------------------


def spline_pipeline(good, change):
    """Return a pipeline of splines and the good model, its splines changed."""
    pipeline = make_pipeline(SplineTransformer(n_knots=4), copy.deepcopy(good.model))
    pipeline[0].fit(good.X)
    change(pipeline[0].bsplines_)
    return pipeline


def too_few_coefficients(bsplines):
    spline = bsplines[0]
    bsplines[0] = BSpline.construct_fast(spline.t, spline.c[:1], spline.k)


def an_attribute_more(bsplines):
    bsplines[0].note = 1


CRAFTED_SPLINES = {
    "too few coefficients for its knots": lambda good: spline_pipeline(
        good, too_few_coefficients
    ),
    "an attribute the constructor never sets": lambda good: spline_pipeline(
        good, an_attribute_more
    ),
    "a FunctionTransformer's function": lambda good: make_pipeline(
        FunctionTransformer(
            BSpline.construct_fast(np.arange(10.0), np.ones((1, 1)), 3)
        ).fit(good.X),
        copy.deepcopy(good.model),
    ),
}


@pytest.mark.parametrize("case", CRAFTED_SPLINES)
def test_a_bspline_that_scipy_would_not_make_is_refused_wherever_it_is(
    case, good, tmp_path, capsys
):
    """A trusted BSpline is checked against SciPy's constructor, wherever it sits.

    skops rebuilds it without the constructor's checks, and SciPy's compiled
    evaluation reads memory beyond arrays that do not match its knots and degree
    (a spline of 1 coefficient for 10 knots of degree 3 returns 1e307 or -inf).
    """
    path = tmp_path / "crafted.skops"
    save_model(CRAFTED_SPLINES[case](good), path, input_columns=["x", "y", "z"])
    assert_refused(
        capsys, path, good.folder / "data.csv", "a BSpline that SciPy's BSpline"
    )


def test_a_trusted_function_that_a_file_would_call_is_refused_before_loading(
    good, tmp_path, capsys
):
    """A trusted score function is loaded as a function, never called by the load.

    skops trusts a name whatever loader the schema names, and some loaders call
    what they rebuild with arguments from the file (LossNode, in every skops
    version; ConstructorFromReduceNode in newer ones).
    """
    pipeline = make_pipeline(SelectKBest(f_classif, k=2), copy.deepcopy(good.model))
    pipeline[0].fit(good.X, good.y)
    source = tmp_path / "selector.skops"
    save_model(pipeline, source, input_columns=["x", "y", "z"])

    def called_with_arguments(tree):
        steps = tree["content"]["content"]["steps"]["content"]
        selector, classifier = (step["content"][1]["content"] for step in steps)
        # f_classif(X, y) of the first weights (3 x 5) and the 3 classes.
        nodes = classifier["content"]
        arguments = [nodes["coefs_"]["content"][0], nodes["classes_"]]
        selector["content"]["score_func"].update(
            __loader__="LossNode",
            __reduce__={"args": {"__class__": "tuple", "__module__": "builtins",
                                 "__loader__": "TupleNode", "content": arguments,
                                 "__id__": 1}},
            content={"__class__": "NoneType", "__module__": "builtins",
                     "__loader__": "JsonNode", "content": "null", "is_json": True,
                     "__id__": 2},
        )  # fmt: skip

    path = rewritten(source, tmp_path / "crafted.skops", schema=called_with_arguments)
    called = r"rebuilds \S*\.f_classif by 'LossNode', not by FunctionNode"
    assert_refused(capsys, path, good.folder / "data.csv", called)
    # What the check prevents: skops, trusting the name, calls the function and
    # puts what it returns, (F, p-values), in its place.
    trusted = [_model_io.MODEL_TYPE, *_model_io.trusted_types()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # F of 1 sample a class
        loaded = sio.load(path, trusted=trusted)
    assert isinstance(loaded[0].score_func, tuple)
