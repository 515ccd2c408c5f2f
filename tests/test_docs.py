"""What can drift in the README and the documentation site (docs/).

The code in the README and in the pages runs as written, every public name has its
API page, every parameter and fitted attribute of each estimator is documented, the
README's set-up commands are the ones CI runs, and the links between pages resolve.
The Sphinx build (``sphinx-build -W``, run by ``.ci/run``) checks the rest: the API
pages' docstrings, cross-references to Python objects and the gallery.
"""

import doctest
import re
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from numpydoc.docscrape import ClassDoc
from sklearn.exceptions import ConvergenceWarning

import sk_mlpbp
import sk_mlpbp.exceptions
from sk_mlpbp import MLPBackpropClassifier, MLPBackpropRegressor

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
# The pages as written: not what Sphinx generates into docs/ (the API pages, the
# executed gallery) or builds into docs/_build.
GENERATED = ("_build", "generated", "auto_examples")
PAGES = sorted(
    path
    for path in DOCS.rglob("*.md")
    if not set(path.relative_to(DOCS).parts) & set(GENERATED)
)
TEXTS = [README, ROOT / "CONTRIBUTING.md", *PAGES]
ESTIMATORS = [MLPBackpropClassifier, MLPBackpropRegressor]


def _name(path):
    return str(path.relative_to(ROOT))


def _python_blocks():
    for path in [README, *PAGES]:
        blocks = re.findall(r"^```python\n(.*?)^```", path.read_text(), re.M | re.S)
        for number, code in enumerate(blocks):
            yield pytest.param(path, code, id=f"{_name(path)}-{number}")


@pytest.mark.parametrize(("path", "code"), list(_python_blocks()))
def test_the_python_blocks_of_the_readme_and_the_pages_run(
    path, code, tmp_path, monkeypatch
):
    # Blocks with ">>>" prompts are doctests, checked against their printed output;
    # the others run as scripts. Either runs in a folder of its own.
    if "sklearn.callback" in code:
        pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")
    if "onnx" in code:  # the onnx extra
        for module in ("onnx", "onnxruntime", "skl2onnx"):
            pytest.importorskip(module)
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if ">>>" in code:
            test = doctest.DocTestParser().get_doctest(code, {}, _name(path), None, 0)
            runner = doctest.DocTestRunner(
                optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
            )
            runner.run(test)
            assert runner.failures == 0, f"{runner.failures} example(s) failed"
        else:
            exec(compile(code, _name(path), "exec"), {"__name__": "__docs__"})


def test_there_are_code_blocks_to_run():
    # The test above must not pass by finding nothing.
    assert len(list(_python_blocks())) >= 8


# ----------------------------------------------------------------------------------
# The command line's transcripts

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def _transcripts(page):
    """Yield ("bash", script) and ("$", command, expected lines) in page order."""
    for kind, body in re.findall(r"^```(bash|text)\n(.*?)^```", page, re.M | re.S):
        if kind == "bash":
            yield "bash", body
            continue
        command, expected = None, []
        for line in body.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    yield "$", command, expected
                command, expected = line[2:], []
            elif command is not None:
                expected.append(line)
        if command is not None:
            yield "$", command, expected


def _close(shown, printed):
    """Whether two printed numbers agree to 1e-6, or to the shown number's last digit.

    Integers must be equal. Other releases of NumPy and BLAS (the oldest supported
    ones, in CI) round the last bits differently, which can flip the last digit
    printed.
    """
    if re.fullmatch(r"-?\d+", shown):  # counts, epochs, classes: exactly
        return shown == printed
    mantissa, _, exponent = shown.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    last_digit = 10.0 ** (int(exponent or 0) - decimals)
    difference = abs(float(shown) - float(printed))
    return difference <= max(1e-6 * abs(float(shown)), 1.01 * last_digit)


def _same_line(shown, printed):
    """Whether a printed line is the shown one, numbers equal as `_close` says."""
    shown = re.sub(r"done in \S+ s", "done in - s", shown)
    printed = re.sub(r"done in \S+ s", "done in - s", printed)
    if NUMBER.split(shown) != NUMBER.split(printed):
        return False
    return all(
        _close(a, b) for a, b in zip(NUMBER.findall(shown), NUMBER.findall(printed))
    )


def _matches(expected, printed):
    """Match lines, where a shown line "..." stands for any number of lines."""
    if not expected:
        return not printed
    if expected[0] == "...":
        return any(_matches(expected[1:], printed[i:]) for i in range(len(printed) + 1))
    return bool(printed) and (
        _same_line(expected[0], printed[0]) and _matches(expected[1:], printed[1:])
    )


def test_the_command_line_page_shows_what_the_commands_print(tmp_path):
    # Every "$ command" of the page runs, in order, in one folder, after the page's
    # scripts that write its CSV files; what it prints (standard output and error,
    # as a terminal shows them) is what the page shows, but for the demo's time.
    pytest.importorskip("skops")
    bin_folder = Path(sys.executable).parent
    if not (bin_folder / "sk-mlpbp").exists():
        pytest.skip("the sk-mlpbp command is not installed beside this Python")
    env = {
        "PATH": f"{bin_folder}:/usr/bin:/bin",
        "PYTHONUNBUFFERED": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "HOME": str(tmp_path),
    }
    shown = list(_transcripts((DOCS / "command_line.md").read_text()))
    assert sum(step[0] == "$" for step in shown) >= 15
    for step in shown:
        result = subprocess.run(
            ["bash", "-c", step[1]],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
        )
        if step[0] == "bash":
            assert result.returncode == 0, result.stdout
        else:
            printed = result.stdout.splitlines()
            assert _matches(step[2], printed), (
                f"$ {step[1]}\nshown:\n"
                + "\n".join(step[2])
                + "\nprinted:\n"
                + result.stdout
            )


# ----------------------------------------------------------------------------------
# The API reference


def _api_reference_names():
    """Return the fully qualified names that docs/api.rst lists."""
    names, module = set(), None
    for line in (DOCS / "api.rst").read_text().splitlines():
        if match := re.match(r"\.\. currentmodule:: (\S+)", line):
            module = match[1]
        elif re.match(r"   [A-Za-z_]\w*$", line):
            names.add(f"{module}.{line.strip()}")
    return names


def test_every_public_name_has_a_page_in_the_api_reference():
    public = {f"sk_mlpbp.{name}" for name in sk_mlpbp.__all__ if name != "__version__"}
    warnings_module = sk_mlpbp.exceptions
    public |= {
        f"sk_mlpbp.exceptions.{name}"
        for name, value in vars(warnings_module).items()
        if isinstance(value, type)
        and value.__module__ == warnings_module.__name__
        and not name.startswith("_")
    }
    assert _api_reference_names() == public


def _documented(section, estimator):
    names = set()
    for entry in ClassDoc(estimator)[section]:
        names.update(name.strip() for name in entry.name.split(","))
    return names


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_every_parameter_is_documented_once_and_only_the_real_ones(estimator):
    documented = [
        name.strip()
        for entry in ClassDoc(estimator)["Parameters"]
        for name in entry.name.split(",")
    ]
    assert sorted(documented) == sorted(estimator().get_params())


def _fits(estimator):
    """Fit ``estimator`` in ways that set every public attribute it can have."""
    import pandas as pd

    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    y = (X["a"] > 0).astype(int) if estimator is MLPBackpropClassifier else X["a"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield estimator((3,), max_iter=3, random_state=0).fit(X, y)
        yield estimator((3,), max_iter=3, random_state=0, early_stopping=True).fit(
            X.to_numpy(), y.to_numpy()
        )


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_every_fitted_attribute_is_documented_and_only_the_real_ones(estimator):
    set_by_fits = set()
    for model in _fits(estimator):
        set_by_fits |= {
            name
            for name in vars(model)
            if name.endswith("_") and not name.startswith("_")
        }
    assert _documented("Attributes", estimator) == set_by_fits


# ----------------------------------------------------------------------------------
# The set-up commands


def _readme_command(marker):
    """Return the shell block after ``<!-- marker -->``, as .ci/run reads it."""
    script = (ROOT / ".ci" / "run").read_text()
    function = re.search(r"^readme_command\(\) \{\n.*?^\}\n", script, re.M | re.S)[0]
    result = subprocess.run(
        ["bash", "-c", f"{function}\nreadme_command {marker}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize("marker", ["main-command", "test-command", "docs-command"])
def test_the_readme_states_each_set_up_command_where_ci_reads_it(marker):
    command = _readme_command(marker)
    assert command.startswith("python3 -m venv .venv && . .venv/bin/activate && pip")
    block = README.read_text().split(f"<!-- {marker} -->\n```bash\n", 1)[1]
    assert block.split("\n```", 1)[0] == command


def test_ci_runs_the_readmes_test_and_docs_commands_verbatim():
    script = (ROOT / ".ci" / "run").read_text()
    for marker, variable in [("test-command", "test"), ("docs-command", "docs")]:
        assert f"{variable}_command=$(readme_command {marker})" in script
        assert f'bash -euo pipefail -c "${variable}_command"' in script
    assert "sphinx-build -W " in _readme_command("docs-command")


def test_getting_started_states_the_readmes_commands():
    page = (DOCS / "getting_started.md").read_text()
    for marker in ("main-command", "test-command", "docs-command"):
        assert f"```bash\n{_readme_command(marker)}\n```" in page


# ----------------------------------------------------------------------------------
# Links


def _anchors(path):
    """Return the anchors of a Markdown file's headings, as MyST and GitHub do."""
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.M | re.S)
    anchors = set()
    for heading in re.findall(r"^#{1,6} (.+)$", text, re.M):
        title = re.sub(r"`([^`]*)`", r"\1", heading).strip()
        # MyST's (GitHub's) slug, and docutils' id for the same section.
        anchors.add(re.sub(r"[^\w\- ]", "", title.lower().replace(" ", "-")))
        anchors.add(re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"))
    return anchors


def _links():
    for path in TEXTS:
        text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.M | re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if not re.match(r"[a-z]+:", target):
                yield pytest.param(path, target, id=f"{_name(path)}->{target}")


def _source(linked):
    """Return the file a page of the gallery is generated from, or ``linked``."""
    gallery = DOCS / "auto_examples"
    if linked.parent != gallery:
        return linked
    if linked.name == "index.rst":
        return ROOT / "examples" / "GALLERY_HEADER.rst"
    return ROOT / "examples" / f"{linked.stem}.py"


@pytest.mark.parametrize(("path", "target"), list(_links()))
def test_links_between_pages_resolve(path, target):
    file, _, anchor = target.partition("#")
    linked = _source((path.parent / file).resolve()) if file else path
    assert linked.is_file(), f"{_name(path)} links to {target}: no such file"
    if anchor:
        assert linked.suffix == ".md", f"{target}: anchors are checked in .md files"
        assert anchor in _anchors(linked), f"{_name(path)}: no heading #{anchor}"


def test_there_are_links_to_check():
    assert len(list(_links())) >= 20


def test_references_to_the_gallery_and_the_api_name_what_exists():
    examples = {path.stem for path in (ROOT / "examples").glob("plot_*.py")}
    for path in PAGES:
        text = path.read_text()
        for example in re.findall(r"sphx_glr_auto_examples_(\w+)\.py", text):
            assert example in examples, (_name(path), example)
        for name in re.findall(r"\{(?:class|func|meth)\}`~?([\w.]+)`", text):
            module, _, attribute = name.rpartition(".")
            assert hasattr(sys.modules[module], attribute), (_name(path), name)


# ----------------------------------------------------------------------------------
# The license


def test_the_wheel_carries_the_bsd_license_that_pyproject_declares(tmp_path):
    # pyproject.toml says BSD-3-Clause; the text itself must ship in the
    # repository and in the wheel.
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("BSD 3-Clause License")
    assert (
        'license = { text = "BSD-3-Clause" }' in (ROOT / "pyproject.toml").read_text()
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path, ROOT],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("sk_mlpbp-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        licenses = [name for name in archive.namelist() if name.endswith("/LICENSE")]
        assert [archive.read(name).decode() for name in licenses] == [text]
