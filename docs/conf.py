"""Sphinx configuration of the sk_mlpbp documentation site.

Build it from the repository's root with ``sphinx-build -W -b html docs
docs/_build/html`` (after ``pip install ".[docs]"``): warnings are errors, so a broken
cross-reference, a link to a missing page or a docstring numpydoc cannot parse fails
the build.
"""

import os
import re
import sys
import tempfile
from pathlib import Path

import sk_mlpbp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

project = "sk_mlpbp"
author = "The sk_mlpbp developers"
copyright = "2026, The sk_mlpbp developers"
version = release = sk_mlpbp.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
templates_path = ["_templates"]

# Every reference must resolve: a missing page, heading anchor or Python object is a
# warning, and -W makes it an error.
nitpicky = True
# The build runs offline (as CI does), with no inventories of other projects' sites:
# their objects are named, not linked, and only this package's references are held.
nitpick_ignore_regex = [
    ("py:.*", r"(sklearn|numpy|scipy|matplotlib|pandas|dask|dask_ml|skops|joblib)\..*"),
]

myst_enable_extensions = ["colon_fence", "deflist", "dollarmath"]
myst_heading_anchors = 3

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
numpydoc_show_class_members = False

html_theme = "pydata_sphinx_theme"
html_title = f"sk_mlpbp {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = []

# The gallery: every examples/plot_*.py runs once at build time; the figures it
# shows are captured by sphinx-gallery, the PNG files it also saves go to a
# temporary folder, not into the repository.
os.environ.setdefault("SK_MLPBP_FIGURES", tempfile.mkdtemp(prefix="sk_mlpbp-docs-"))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "remove_config_comments": True,
    # "Examples using X" under each API page.
    "backreferences_dir": "generated",
    "doc_module": ("sk_mlpbp",),
}


def _plain_scikit_learn_references(app, what, name, obj, options, lines):
    """Turn the cross-references of inherited scikit-learn docstrings into text.

    Methods such as ``set_fit_request`` and ``score`` come from scikit-learn, and
    their docstrings point at labels of scikit-learn's own site (``metadata_routing``,
    the glossary), which an offline build cannot resolve.
    """
    if not getattr(obj, "__module__", "").startswith("sklearn."):
        return
    for number, line in enumerate(lines):
        line = re.sub(r":(?:ref|term):`([^`<]*?)\s*<[^`>]*>`", r"\1", line)
        lines[number] = re.sub(r":(?:ref|term):`([^`]*)`", r"\1", line)


def setup(app):
    """Connect the docstring hook."""
    app.connect("autodoc-process-docstring", _plain_scikit_learn_references)
