"""Sphinx extension: make today's docstrings build cleanly under ``-W``.

The docstrings under src/ are being rewritten (numpydoc validation of every
public name comes with that work); until then two kinds of text in them
would break a warnings-as-errors build, and are rewritten here, in the
rendered copy only (the source is untouched):

1. **Inherited scikit-learn docstrings.**  The estimators inherit
   ``get_params``, ``set_params``, ``score``, ``get_metadata_routing`` and
   the ``set_*_request`` methods from scikit-learn, whose docstrings refer
   to labels and glossary terms of scikit-learn's own site
   (``:ref:`metadata_routing```, ``:term:`meta-estimator```,
   ``:ref:`accuracy_score```).  Without scikit-learn's inventory (the build
   runs offline) those references cannot resolve; they become literal text.
2. **Shapes naming a fitted attribute.**  ``of shape (n_features_in_,)``:
   reST reads a word ending in ``_`` as a hyperlink reference (here to an
   undefined target ``n_features_in``); the underscore is escaped.  Found in
   ``clogit.LogisticRegression``'s Attributes (``feature_names_in_``), and
   hence in ``clogit.dask.LogisticRegression``'s.

Every rewrite is logged at the "info" level with the object's name
(``sphinx-build -v`` shows them), so what remains to fix at the source is
visible.
"""

from __future__ import annotations

import re

from sphinx.util import logging

logger = logging.getLogger(__name__)

# :ref:`text <label>`, :ref:`label`, :term:`word`, :term:`text <word>`
_FOREIGN_ROLE = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<[^`>]*>)?`")
# a word ending in "_" inside a shape: "(n_features_in_," or "n_features_in_)"
_SHAPE_ATTRIBUTE = re.compile(r"(?<=[(\s,])([A-Za-z][A-Za-z0-9_]*[A-Za-z0-9])_(?=[,)])")


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
    changed = False
    foreign = _from_scikit_learn(obj)
    for i, line in enumerate(lines):
        new = line
        if foreign:
            new = _FOREIGN_ROLE.sub(_plain_text, new)
        if "shape" in new or "(n_" in new:
            new = _SHAPE_ATTRIBUTE.sub(r"\1\\_", new)
        if new != line:
            lines[i] = new
            changed = True
    if changed:
        logger.verbose("docstring_fixes: rewrote the docstring of %s", name)


def setup(app):
    app.connect("autodoc-process-docstring", fix_docstring)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
