"""The README's code runs as written and states both set-up commands; the license."""

import re
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest
from sklearn.exceptions import ConvergenceWarning

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize(
    "code", re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
)
def test_readme_python_blocks_run(code):
    if "sklearn.callback" in code:
        pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        exec(compile(code, "README.md", "exec"), {})


def test_readme_states_both_set_up_commands():
    for marker in ("<!-- main-command -->", "<!-- test-command -->"):
        block = README.split(marker, 1)[1].split("```")[1]
        assert "python3 -m venv" in block
        assert "pip install" in block


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
