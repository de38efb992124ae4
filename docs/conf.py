"""Sphinx configuration of clogit's documentation site.

Build (from the repository root, with clogit and the ``docs`` extra
installed; .ci/run does exactly this, warnings as errors)::

    pip install ".[docs]"
    sphinx-build -W --keep-going -b html docs docs/_build/html

The entry page is then docs/_build/html/index.html.  In a development tree
with the extensions built in place, put ``src`` on the path instead of
installing: ``PYTHONPATH=$PWD/src sphinx-build ...``.

Layout: ``index.rst`` (the entry page), ``user_guide/`` (one page per
topic, listed in ``user_guide/index.rst``), ``api.rst`` (the reference, one
line per public name; autosummary writes the pages into ``generated/``) and
the gallery, which sphinx-gallery builds from ``examples/`` into
``auto_examples/`` (running every example).  Everything generated is
git-ignored.
"""

from __future__ import annotations

import os
import sys

import clogit

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "_ext"))

project = "clogit"
copyright = "clogit developers"
author = "clogit developers"
release = clogit.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "api_coverage",
    "docstring_fixes",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints",
                    "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.json",
                    "auto_examples/*.md5", "auto_examples/*.pickle"]
default_role = "py:obj"
pygments_style = "sphinx"

# -- API reference ----------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"  # the numpydoc sections carry the types
# numpydoc: methods and attributes are listed by autodoc (the class
# template), not by numpydoc's own autosummary tables, which would point
# at pages that are never generated.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
# numpydoc's validation of the docstrings, with tests/test_docstrings.py's
# checks (a finding is a warning, an error under -W): every check but the
# extended summary (ES01), Examples (EX01) and See Also (SA01, which the test
# requires on every class, function and method but not on properties: the
# build cannot tell them apart).  Excluded: the members inherited from
# scikit-learn (its docstrings, validated there) and the results classes'
# constructors, built by the estimators (private parameters).
numpydoc_validation_checks = {"all", "ES01", "EX01", "SA01"}
numpydoc_validation_exclude = {
    r"\.get_params$", r"\.set_params$", r"\.set_\w+_request$",
    r"^clogit\.LogisticRegression\.score$",
    r"^clogit\.LogisticRegression\.get_metadata_routing$",
    r"^clogit\.dask\.LogisticRegression\.get_metadata_routing$",
    r"^clogit\.LogitResults$", r"^clogit\.MNLogitResults$",
}

# -- HTML -------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"clogit {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navbar_end": ["navbar-icon-links"],
    "secondary_sidebar_items": ["page-toc"],
    "show_prev_next": True,
    "navigation_with_keys": False,
}
html_sidebars = {"index": []}
html_show_sourcelink = False

# -- gallery ----------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    # a failing example fails the build
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    # "Examples using ..." on the API pages
    "doc_module": ("clogit",),
    "backreferences_dir": "generated/backreferences",
    "within_subsection_order": "gallery_order.ExampleOrder",
    "download_all_examples": False,
    "show_memory": False,
    "min_reported_time": 0,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
}
