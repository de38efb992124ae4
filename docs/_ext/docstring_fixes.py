"""Sphinx extension: inherited scikit-learn docstrings build under ``-W``.

The estimators inherit ``get_params``, ``set_params``, ``score``,
``get_metadata_routing`` and the ``set_*_request`` methods from
scikit-learn, whose docstrings refer to labels and glossary terms of
scikit-learn's own site (``:ref:`metadata_routing```, ``:term:`meta-estimator```,
``:ref:`accuracy_score```).  Without scikit-learn's inventory (the build
runs offline) those references cannot resolve and would break a
warnings-as-errors build; they become literal text here, in the rendered
copy only.  clogit's own docstrings need no rewriting (numpydoc validation,
tests/test_docstrings.py, keeps them clean).

Every rewrite is logged at the "info" level with the object's name
(``sphinx-build -v`` shows them).
"""

from __future__ import annotations

import re

from sphinx.util import logging

logger = logging.getLogger(__name__)

# :ref:`text <label>`, :ref:`label`, :term:`word`, :term:`text <word>`
_FOREIGN_ROLE = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<[^`>]*>)?`")


def _plain_text(match):
    """The text of a scikit-learn cross-reference, saying whose it is."""
    text = match.group(1).strip()
    if text == "User Guide":
        return "scikit-learn's User Guide"
    return f"*{text}*"


def _from_scikit_learn(obj):
    module = getattr(obj, "__module__", None) or ""
    qualname = getattr(obj, "__qualname__", "") or ""
    return module.startswith("sklearn") or "_metadata_requests" in qualname


def fix_docstring(app, what, name, obj, options, lines):
    if not _from_scikit_learn(obj):
        return
    changed = False
    for i, line in enumerate(lines):
        new = _FOREIGN_ROLE.sub(_plain_text, line)
        if new != line:
            lines[i] = new
            changed = True
    if changed:
        logger.verbose("docstring_fixes: rewrote the docstring of %s", name)


def setup(app):
    app.connect("autodoc-process-docstring", fix_docstring)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
