"""Sphinx extension: every public name of clogit must be in the reference.

After all pages are read, the Python objects the site documents are
compared with clogit's public names -- ``clogit.__all__``,
``clogit.dask.__all__`` and the public functions of ``clogit.plot`` (a
module without ``__all__``) -- and each missing one is a warning, which
``sphinx-build -W`` (as .ci/run runs it) turns into an error.  So a name
added to the package without its line in docs/api.rst fails the docs
build instead of going unnoticed.
"""

from __future__ import annotations

import importlib
import inspect

from sphinx.util import logging

logger = logging.getLogger(__name__)

# module -> how its public names are found
_MODULES = ("clogit", "clogit.dask", "clogit.plot")


def public_names(module_name):
    """Fully qualified public names of ``module_name``: its ``__all__``,
    else the functions and classes it defines whose names do not start
    with an underscore."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [name for name, value in vars(module).items()
                 if not name.startswith("_")
                 and (inspect.isfunction(value) or inspect.isclass(value))
                 and value.__module__ == module_name]
    return sorted(f"{module_name}.{name}" for name in names)


def check_coverage(app, env):
    documented = set(env.get_domain("py").objects)
    for module_name in _MODULES:
        for name in public_names(module_name):
            if name not in documented:
                logger.warning(
                    "public name %s is not documented: add it to "
                    "docs/api.rst", name, type="clogit", subtype="api")


def setup(app):
    app.connect("env-check-consistency", check_coverage)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
