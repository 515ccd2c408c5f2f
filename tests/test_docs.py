"""The README's code runs as written and states both set-up commands."""

import re
import warnings
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
