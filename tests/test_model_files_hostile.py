"""Hostile model files: clogit.load and save stay bounded in time and
memory and end with a clear ValueError (or OSError for what the system
refuses), never a hang, a crash or a runaway allocation.

Time bounds are hang detectors (a subprocess with a generous timeout),
memory bounds are tracemalloc peaks, far above what the code needs and far
below what the old code took."""

import io
import json
import os
import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
import pytest

import clogit
from _data import synthetic_binary

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"),
                                reason="needs os.mkfifo")


def _env():
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        os.path.abspath(p) for p in sys.path if p))


@pytest.fixture(scope="module")
def fitted():
    X, y = synthetic_binary(n=200, p=3)
    return clogit.LogisticRegression().fit(X, np.array(["no", "yes"])[y]), X


@pytest.fixture
def model_text(fitted):
    text = io.StringIO()
    fitted[0].save(text)
    return text.getvalue()


def _peak(call):
    """Peak traced memory (bytes) of ``call()``, and its exception."""
    tracemalloc.start()
    try:
        try:
            call()
            error = None
        except Exception as exc:  # noqa: BLE001 - returned to the test
            error = exc
        return tracemalloc.get_traced_memory()[1], error
    finally:
        tracemalloc.stop()


def _run(script, timeout=60, memory=None):
    """Run ``script`` in a subprocess (optionally with an address-space
    limit): a hang or a runaway allocation fails the test only."""
    preexec = None
    if memory is not None:
        import resource

        def preexec():
            resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)],
                          capture_output=True, text=True, env=_env(),
                          timeout=timeout, preexec_fn=preexec)


# ---------------------------------------------------------------------------
# saving
# ---------------------------------------------------------------------------
def test_a_failed_save_leaves_the_previous_model(fitted, tmp_path,
                                                 monkeypatch):
    # Regression: save truncated, then wrote: a failed or killed save left
    # a partial or empty file and the previous model was gone.
    clf, X = fitted
    path = tmp_path / "model.json"
    clf.save(path)
    before = path.read_bytes()

    from clogit import _files

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_files.os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        clf.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]
    np.testing.assert_array_equal(clogit.load(path).predict_proba(X),
                                  clf.predict_proba(X))


def test_a_killed_save_leaves_the_previous_model(fitted, tmp_path):
    clf, _ = fitted
    path = tmp_path / "model.json"
    clf.save(path)
    before = path.read_bytes()
    result = _run(f"""
        import os, signal
        import numpy as np
        import clogit
        from clogit import _files
        X = np.random.default_rng(0).standard_normal((100, 2))
        clf = clogit.LogisticRegression().fit(X, X[:, 0] > 0)
        def killed(fd):
            os.kill(os.getpid(), signal.SIGKILL)  # after writing, before rename
        _files.os.fsync = killed
        clf.save({str(path)!r})
    """)
    assert result.returncode != 0
    assert path.read_bytes() == before


@needs_fifo
def test_saving_to_a_fifo_is_refused_at_once(fitted, tmp_path):
    # Regression: save blocked forever opening a FIFO for writing.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = _run(f"""
        import numpy as np, clogit
        X = np.random.default_rng(0).standard_normal((100, 2))
        clf = clogit.LogisticRegression().fit(X, X[:, 0] > 0)
        try:
            clf.save({str(fifo)!r})
        except ValueError as exc:
            print("refused:", exc)
    """)
    assert result.returncode == 0, result.stderr
    assert "refused:" in result.stdout and "FIFO" in result.stdout


def test_saving_through_a_symlink_keeps_it(fitted, tmp_path):
    clf, X = fitted
    real = tmp_path / "real.json"
    clf.save(real)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    clf.save(link)
    assert link.is_symlink()
    np.testing.assert_array_equal(clogit.load(link).predict(X),
                                  clf.predict(X))


# ---------------------------------------------------------------------------
# what is opened
# ---------------------------------------------------------------------------
@needs_fifo
def test_loading_a_fifo_never_blocks(tmp_path):
    # Regression: clogit.load blocked forever on a FIFO.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = _run(f"""
        import clogit
        try:
            clogit.load({str(fifo)!r})
        except ValueError as exc:
            print("refused:", exc)
    """)
    assert result.returncode == 0, result.stderr
    assert "a FIFO" in result.stdout


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_loading_dev_zero_is_refused_in_bounded_memory(tmp_path):
    # Regression: load read /dev/zero until memory ran out.  The
    # subprocess has 1 GiB of data segment: the old loader died there.
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    result = _run(f"""
        import clogit
        for path in ("/dev/zero", {str(link)!r}):
            try:
                clogit.load(path)
            except ValueError as exc:
                print("refused:", exc)
    """, memory=2**30)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("character device") == 2


def test_a_huge_sparse_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as f:
        f.truncate(5 * 2**30)  # 5 GiB, nothing on disk
    peak, error = _peak(lambda: clogit.load(path))
    assert isinstance(error, ValueError) and "bytes, more than" in str(error)
    assert peak < 2**20


def test_a_file_object_is_read_up_to_the_cap(monkeypatch):
    from clogit import _model_files
    monkeypatch.setattr(_model_files, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ValueError, match="larger than the 1,000 bytes"):
        clogit.load(io.BytesIO(b" " * 5000))


def test_symlink_loops_and_directories(tmp_path):
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    with pytest.raises(OSError):
        clogit.load(loop)
    with pytest.raises((ValueError, OSError)):
        clogit.load(tmp_path)


# ---------------------------------------------------------------------------
# what is parsed
# ---------------------------------------------------------------------------
def test_every_truncation_is_a_value_error(model_text):
    for cut in range(0, len(model_text), max(len(model_text) // 200, 1)):
        with pytest.raises(ValueError, match="malformed clogit model file"):
            clogit.load(io.StringIO(model_text[:cut]))


@pytest.mark.parametrize("depth", [10_000, 1_000_000])
def test_deep_nesting(model_text, depth):
    doc = json.loads(model_text)
    for nest in ("[" * depth + "]" * depth, '{"a":' * depth + "1"
                 + "}" * depth):
        text = json.dumps(doc).replace('"converged": true',
                                       f'"converged": {nest}')
        peak, error = _peak(lambda: clogit.load(io.StringIO(text)))
        assert isinstance(error, ValueError), error
        assert peak < 64 * 2**20 + 20 * depth


def test_huge_numbers_are_bounded(model_text):
    # an integer of a million digits: Python's int() is quadratic in them
    # (and 3.11+ refuses beyond 4,300): refused before conversion
    doc = json.loads(model_text)
    for field, value in (("n_features_in", "9" * 1_000_000),
                         ("intercept", "[" + "9" * 1_000_000 + "]"),
                         ("intercept", "[1e999999]"),
                         ("intercept", "[-" + "9" * 400 + ".5]")):
        text = json.dumps(doc).replace(
            f'"{field}": ' + json.dumps(doc[field]), f'"{field}": {value}')
        assert text != json.dumps(doc)
        peak, error = _peak(lambda: clogit.load(io.StringIO(text)))
        assert isinstance(error, ValueError), (field, value[:20], error)
        assert "malformed clogit model file" in str(error)
        assert peak < 32 * 2**20


@pytest.mark.parametrize("dtype", ["<U100000000", "<U99999999", "<U4"])
def test_a_huge_label_dtype_allocates_nothing(model_text, fitted, dtype):
    # Regression: a 583-byte file declaring classes "<U100000000" took
    # ~760 MB to load and 400 MB more per predicted row.
    clf, X = fitted
    doc = json.loads(model_text)
    doc["classes"]["dtype"] = dtype
    text = json.dumps(doc)
    assert len(text) < 2000
    peak, error = _peak(lambda: clogit.load(io.StringIO(text)))
    assert error is None
    assert peak < 4 * 2**20
    loaded = clogit.load(io.StringIO(text))
    assert loaded.classes_.dtype == np.dtype("<U3")
    peak, error = _peak(lambda: loaded.predict(X))
    assert error is None and peak < 4 * 2**20
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


def test_overlong_labels_are_refused_both_ways(model_text, fitted):
    from clogit._model_files import MAX_LABEL_CHARS
    doc = json.loads(model_text)
    doc["classes"] = {"dtype": "|O", "values": ["a" * (MAX_LABEL_CHARS + 1),
                                                "b" * (MAX_LABEL_CHARS + 2)]}
    with pytest.raises(ValueError, match="characters"):
        clogit.load(io.StringIO(json.dumps(doc)))
    clf, X = fitted
    long = clogit.LogisticRegression().fit(
        X, np.where(X[:, 0] > 0, "a" * (MAX_LABEL_CHARS + 1), "b"))
    with pytest.raises(ValueError, match="characters"):
        long.save(io.StringIO())


def test_wider_than_needed_labels_round_trip_at_their_width(tmp_path):
    X, y = synthetic_binary(n=100, p=2)
    labels = np.array(["no", "yes"], dtype="<U50")[y]
    clf = clogit.LogisticRegression().fit(X, labels)
    assert clf.classes_.dtype == np.dtype("<U50")
    clf.save(tmp_path / "m.json")
    loaded = clogit.load(tmp_path / "m.json")
    assert loaded.classes_.dtype == np.dtype("<U3")
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
