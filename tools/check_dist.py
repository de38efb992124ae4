"""Check the contents of clogit's sdist and wheel, and the .pyi stubs.

Used by tools/build_wheel.sh; standard library only.

    python tools/check_dist.py sdist DIST.tar.gz
    python tools/check_dist.py wheel WHEEL.whl DIST.tar.gz
    python tools/check_dist.py stubs          # in an env where clogit is installed

``sdist`` lists the archive and fails unless it holds everything needed to
build and test clogit on its own (setup.py, pyproject.toml, LICENSE, csrc/,
every .py/.pyx/.pxd/.pyi of the package, tests/) and no build leftovers.

``wheel`` lists the wheel and fails unless, for every ``.pyx`` under
``src/clogit/`` in the sdist (the kernels live in ``src/clogit/_kernels/``), it
holds the compiled extension and its ``.pyi`` stub, Cython's shared utility
module (``clogit._kernels._cyutility``, built from generated C), every
Python module, ``py.typed`` and the licence, and nothing else: no generated
``.c``, no ``.pyx``, no headers, tests or bundled libraries (BLAS comes from
scipy at run time, so a ``*.libs/`` directory means something went wrong).

``stubs`` imports every compiled module of the installed clogit and compares
its Python-visible functions with the ones its stub declares (a function added
to a ``.pyx`` without its stub, or a stub for a function that is gone).  A
missing stub fails; a mismatch is reported as a warning while the kernels are
changing fast, and fails when CLOGIT_STRICT_STUBS=1.
"""

import ast
import fnmatch
import importlib
import os
import pathlib
import re
import sys
import tarfile
import zipfile

# The extension module into which setup.py has Cython put its runtime utility
# code (SHARED_UTILITY there): compiled from generated C, with no .pyx or stub.
SHARED_UTILITY = "clogit._kernels._cyutility"

# Leftovers of a build or of a developer's tree that must never be shipped
# (setuptools' own src/clogit.egg-info/ and setup.cfg in an sdist are normal).
LEFTOVERS = [
    "*.so", "*.pyd", "*.o", "*.obj", "*.pyc", "*/__pycache__/*",
    "build/*", "dist/*", "wheelhouse/*", ".venv/*", "*/.pytest_cache/*",
    "src/clogit/*.c", "src/clogit/*.cpp", "src/clogit/*.html",
    # (fnmatch's * crosses "/": these cover src/clogit/_kernels/ too)
]


def compiled(names, module_path):
    """Does the wheel listing ``names`` hold the extension ``module_path``?"""
    ext = re.compile(re.escape(module_path) + r"\.[^/]*\.(so|pyd)$")
    return any(ext.match(n) for n in names)


def fail(errors, what):
    if errors:
        print(f"\n{what}: FAILED")
        for e in errors:
            print(f"  - {e}")
        sys.exit(1)
    print(f"{what}: OK")


def show(names, title):
    print(f"{title} ({len(names)} files):")
    for n in names:
        print(f"  {n}")


def sdist_members(path):
    with tarfile.open(path) as tf:
        names = [m.name for m in tf.getmembers() if m.isfile()]
    root = names[0].split("/", 1)[0]
    return sorted(n.split("/", 1)[1] for n in names if "/" in n), root


def check_sdist(path):
    names, root = sdist_members(path)
    show(names, f"sdist {pathlib.Path(path).name}, under {root}/")
    have = set(names)
    errors = []
    for req in ["PKG-INFO", "pyproject.toml", "setup.py", "MANIFEST.in",
                "README.md", "LICENSE", "CHANGELOG.md",
                "src/clogit/__init__.py", "src/clogit/_version.py",
                "src/clogit/py.typed", "tests/conftest.py"]:
        if req not in have:
            errors.append(f"missing {req}")
    for pattern, what in [("csrc/*.h", "C helper headers"),
                          ("src/clogit/_*.pyx", "Cython sources"),
                          ("src/clogit/*.pxd", "Cython declarations"),
                          ("tests/test_*.py", "test modules")]:
        if not fnmatch.filter(names, pattern):
            errors.append(f"no {what} ({pattern})")
    for pyx in fnmatch.filter(names, "src/clogit/_*.pyx"):
        stub = pyx[:-4] + ".pyi"
        if stub not in have:
            errors.append(f"{pyx} has no stub {stub} (write one: the wheel "
                          "ships a .pyi for every compiled module)")
    for n in names:
        if any(fnmatch.fnmatch(n, pat) for pat in LEFTOVERS):
            errors.append(f"leftover {n}")
    fail(errors, "sdist check")


def check_wheel(path, sdist):
    with zipfile.ZipFile(path) as zf:
        names = sorted(i.filename for i in zf.infolist() if not i.is_dir())
    show(names, f"wheel {pathlib.Path(path).name}")
    src, _ = sdist_members(sdist)
    have = set(names)
    errors = []
    pkg = [n[len("src/"):] for n in src if n.startswith("src/clogit/")]
    for pyx in fnmatch.filter(pkg, "clogit/_*.pyx"):
        mod = pyx[:-4]
        if not compiled(names, mod):
            errors.append(f"no compiled extension for {pyx}")
        if mod + ".pyi" not in have:
            errors.append(f"no stub {mod}.pyi for the compiled {mod}")
    # every kernel module imports Cython's shared utility module when loaded
    if not compiled(names, SHARED_UTILITY.replace(".", "/")):
        errors.append(f"no compiled {SHARED_UTILITY} (Cython's shared "
                      "utility code, which every kernel module imports)")
    for n in fnmatch.filter(pkg, "clogit/*.py") + ["clogit/py.typed"]:
        if n not in have:
            errors.append(f"missing {n}")
    dist_info = [n for n in names if re.match(r"clogit-[^/]+\.dist-info/", n)]
    for req in ("METADATA", "WHEEL", "RECORD"):
        if not any(n.endswith(".dist-info/" + req) for n in dist_info):
            errors.append(f"missing .dist-info/{req}")
    if not any(re.search(r"\.dist-info/(licenses/)?LICENSE$", n)
               for n in dist_info):
        errors.append("missing the LICENSE in .dist-info")
    for n in names:
        if not (n.startswith("clogit/") or n in dist_info):
            errors.append(f"stray file outside the package: {n}")
        elif n.endswith((".c", ".cpp", ".pyx", ".h", ".o", ".pyc", ".html")):
            errors.append(f"build leftover in wheel: {n}")
        elif (".libs/" in n or ".dylibs/" in n
              or re.search(r"(^|/)lib[^/]*\.so(\.|$)|\.dylib$|\.dll$", n)):
            errors.append(f"bundled library in wheel: {n} (the extensions "
                          "need no library of their own: BLAS/LAPACK come "
                          "from scipy's capsules)")
    fail(errors, "wheel check")


def stub_names(path):
    tree = ast.parse(path.read_text(), str(path))
    return {node.name for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def check_stubs():
    import clogit

    pkg_dir = pathlib.Path(clogit.__file__).parent
    print(f"clogit {clogit.__version__} from {clogit.__file__}")
    errors, drift = [], []
    # every compiled module, in subpackages too ("_kernels.blas")
    exts = sorted({
        ".".join(p.relative_to(pkg_dir).with_name(
            p.name.split(".", 1)[0]).parts)
        for p in pkg_dir.rglob("*") if p.suffix in (".so", ".pyd")})
    if not exts:
        errors.append(f"no compiled modules in {pkg_dir}")
    for name in exts:
        if f"clogit.{name}" == SHARED_UTILITY:
            # Cython's runtime (memoryviews, ...), no API of clogit's: no stub
            importlib.import_module(SHARED_UTILITY)
            print(f"  {SHARED_UTILITY}: Cython's shared utility code")
            continue
        mod = importlib.import_module(f"clogit.{name}")
        funcs = {n for n, v in vars(mod).items()
                 if not n.startswith("__")
                 and "cython_function" in type(v).__name__}
        stub = pkg_dir.joinpath(*name.split(".")).with_suffix(".pyi")
        if not stub.exists():
            errors.append(f"clogit.{name} has no stub {stub.name}")
            continue
        declared = stub_names(stub)
        print(f"  clogit.{name}: {len(funcs)} functions, "
              f"{len(declared)} in {stub.name}")
        for n in sorted(funcs - declared):
            drift.append(f"clogit.{name}.{n} is not in {stub.name}")
        for n in sorted(declared - funcs):
            drift.append(f"{stub.name} declares {n}, which clogit.{name} "
                         "does not define")
    if os.environ.get("CLOGIT_STRICT_STUBS") == "1":
        errors += drift
    else:
        for d in drift:
            print(f"  WARNING: stub out of date: {d}")
    fail(errors, "stub check")


def main(argv):
    if argv[:1] == ["sdist"] and len(argv) == 2:
        check_sdist(argv[1])
    elif argv[:1] == ["wheel"] and len(argv) == 3:
        check_wheel(argv[1], argv[2])
    elif argv == ["stubs"]:
        check_stubs()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
