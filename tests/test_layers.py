"""The package's layers (README "Layout"): a module imports, at module
level, only from its own layer or the ones below, and no modules import
each other in a circle."""

import ast
import functools
import pathlib

import pytest

import clogit

PACKAGE = pathlib.Path(clogit.__file__).parent
# lowest first; modules outside these folders are the top layer (estimators,
# model files, CLI, ...), which may import anything
LAYERS = ["clogit._kernels", "clogit._backends", "clogit._solvers",
          "clogit._inference"]


def _module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules():
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name, path, modules):
    """Modules of the package that ``name`` imports at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in tree.body:  # module level only: function-level imports are lazy
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[:len(base) - node.level + 1]
                base += [node.module] if node.module else []
            else:
                base = (node.module or "").split(".")
            base = ".".join(base)
            targets = [f"{base}.{alias.name}" for alias in node.names]
            targets = [t if t in modules else base for t in targets]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target.startswith("clogit") and target != name:
                found.add(target)
    return found


def _layer(name):
    for rank, layer in enumerate(LAYERS):
        if name == layer or name.startswith(layer + "."):
            return rank
    return len(LAYERS)


@functools.lru_cache(maxsize=None)
def _graph():
    modules = _modules()
    return {name: _imports(name, path, modules)
            for name, path in modules.items()}


@pytest.mark.parametrize("name", sorted(_modules()))
def test_module_imports_nothing_above_its_layer(name):
    graph = _graph()
    above = sorted(t for t in graph[name]
                   if t != "clogit" and _layer(t) > _layer(name))
    assert not above, f"{name} imports {above}, a layer above its own"


def test_no_import_cycles():
    graph = _graph()
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if target == "clogit":  # the package's __init__ re-exports
                continue
            if state.get(target) == "open":
                cycle = stack[stack.index(target):] + [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, stack + [target])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_layers_exist():
    names = _modules()
    for layer in LAYERS:
        assert layer in names, f"{layer} has no __init__.py"
