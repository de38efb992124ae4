"""Atomic writes and bounded reads (clogit._files)."""

import os
import stat
import subprocess
import sys
import textwrap

import pytest

from clogit._files import (FileRefusedError, atomic_writer, open_for_reading,
                           read_bounded, same_file)

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"),
                                reason="needs os.mkfifo")


def _leftovers(directory):
    return [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_writer(target) as f:
            f.write("new, half")
            raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_a_write_replaces_the_file_and_keeps_its_mode(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    with atomic_writer(target) as f:
        f.write("new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert _leftovers(tmp_path) == []


def test_a_new_file_gets_the_umask_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        with atomic_writer(tmp_path / "new.txt", binary=True) as f:
            f.write(b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.txt").st_mode) == 0o640


def test_writing_through_a_symlink_keeps_the_link(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with atomic_writer(link) as f:
        f.write("new")
    assert link.is_symlink() and real.read_text() == "new"


@needs_fifo
def test_a_fifo_or_directory_target_is_refused(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in (fifo, tmp_path):
        with pytest.raises(FileRefusedError, match="not a regular file"):
            with atomic_writer(target) as f:
                f.write("x")
    assert _leftovers(tmp_path) == []


def test_a_killed_writer_leaves_the_old_file(tmp_path):
    # SIGKILL half-way through a large write: the target is untouched
    target = tmp_path / "out.txt"
    target.write_text("old")
    script = textwrap.dedent(f"""
        import os, signal
        from clogit._files import atomic_writer
        with atomic_writer({str(target)!r}) as f:
            f.write("x" * 10_000_000)
            f.flush()
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    result = subprocess.run([sys.executable, "-c", script], env=env,
                            timeout=120)
    assert result.returncode != 0
    assert target.read_text() == "old"


@needs_fifo
def test_reading_a_fifo_never_blocks(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(FileRefusedError, match="FIFO"):
        open_for_reading(fifo)
    # allowed as a pipe: no writer reads as end of file, at once
    with open_for_reading(fifo, allow_pipes=True) as f:
        assert f.read() == b""


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_devices_are_refused():
    with pytest.raises(FileRefusedError, match="character device"):
        open_for_reading("/dev/zero", allow_pipes=True)


def test_size_cap(tmp_path):
    path = tmp_path / "big"
    with open(path, "wb") as f:
        f.truncate(10_000)  # sparse: nothing is written
    with pytest.raises(FileRefusedError, match="10,000 bytes"):
        open_for_reading(path, max_bytes=9_999)
    with open_for_reading(path, max_bytes=10_000) as f:
        assert len(read_bounded(f, 10_000, "big")) == 10_000
    with open(path, "rb") as f:
        with pytest.raises(FileRefusedError, match="larger than"):
            read_bounded(f, 9_999, "big")


def test_same_file_sees_links(tmp_path):
    a = tmp_path / "a"
    a.write_text("x")
    (tmp_path / "soft").symlink_to(a)
    os.link(a, tmp_path / "hard")
    assert same_file(a, tmp_path / "soft") and same_file(a, tmp_path / "hard")
    assert not same_file(a, tmp_path / "missing")
