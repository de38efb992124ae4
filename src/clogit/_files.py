"""Files the package reads and writes: atomic writes and bounded reads.

Writing: :func:`atomic_writer` writes into a temporary file in the target's
own directory (same file system, so the final ``os.replace`` is atomic),
flushes and ``fsync``\\ s it, renames it over the target and ``fsync``\\ s the
directory.  A save that fails or is killed half-way leaves the previous file
as it was (and no temporary behind, unless the process was killed).  A
target that is a symbolic link is written through: the link's target file
is replaced, the link stays.  A target that exists but is not a regular file
(a FIFO, a device, a directory) is refused before anything is written.

Reading: :func:`open_for_reading` opens without blocking (``O_NONBLOCK``: a
FIFO with no writer would otherwise block ``open`` forever), then checks
with ``fstat`` what was opened -- no check-then-open race -- and refuses
devices (``/dev/zero``, ``/dev/random``) and directories; regular files
can be size-capped.  :func:`read_bounded` reads at most a cap (plus one
byte, to tell a file that grew).
"""

from __future__ import annotations

import io
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any


class FileRefusedError(ValueError):
    """A path the package will not read or write (not a regular file, too
    large, ...): bad input, hence a ``ValueError``."""


def _describe(mode):
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


@contextmanager
def atomic_writer(path: Any, *, binary: bool = False,
                  encoding: str = "utf-8",
                  newline: str | None = None) -> Iterator[IO[Any]]:
    """``with atomic_writer(path) as f: f.write(...)``: the file at ``path``
    is replaced only when the block succeeds.

    The new file gets the permissions of the file it replaces, or for a new
    file the usual ``0o666`` less the umask (the temporary is created with
    ``os.open(..., 0o666)``, so the kernel applies the umask).

    Raises
    ------
    FileRefusedError
        When ``path`` exists and is not a regular file.
    OSError
        When the directory is not writable, the disk is full, ...
    """
    target = os.path.realpath(os.fspath(path))
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise FileRefusedError(
            f"{os.fspath(path)}: refusing to write: it is "
            f"{_describe(info.st_mode)}, not a regular file.")
    directory, name = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = os.path.join(directory,
                                 f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(temporary, flags, 0o666)
            break
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
    else:  # pragma: no cover
        raise FileExistsError(f"{target}: no free temporary file name.")
    try:
        if info is not None:
            os.chmod(temporary, stat.S_IMODE(info.st_mode))
        raw = os.fdopen(fd, "wb")
        fd = -1
        try:
            if binary:
                yield raw
            else:
                text = io.TextIOWrapper(raw, encoding=encoding,
                                        newline=newline)
                try:
                    yield text
                    text.flush()
                except BaseException:
                    try:  # drop the wrapper without flushing it again
                        text.detach()
                    except (OSError, ValueError):
                        pass
                    raise
                text.detach()
            raw.flush()
            os.fsync(raw.fileno())
        finally:
            raw.close()
        os.replace(temporary, target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    _sync_directory(directory)


def _sync_directory(directory):
    """Make the rename durable (POSIX; a no-op where directories cannot be
    opened)."""
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - file systems without it
        pass
    finally:
        os.close(fd)


def open_for_reading(path: Any, *, max_bytes: int | None = None,
                     allow_pipes: bool = False,
                     what: str = "file") -> IO[bytes]:
    """Open ``path`` for reading in binary mode, refusing what cannot be
    read in bounded time and memory.

    Parameters
    ----------
    path : str or path-like
    max_bytes : int, optional
        Refuse regular files larger than this.
    allow_pipes : bool, default=False
        Accept FIFOs and pipes (``<(command)``, ``/dev/stdin`` on a pipe):
        opened without blocking, so a FIFO without a writer reads as empty
        instead of hanging.
    what : str
        What the file is, for the messages.

    Raises
    ------
    FileRefusedError
        Not a regular file (or pipe, with ``allow_pipes``), or too large.
    OSError
        Missing, unreadable, ...
    """
    name = os.fspath(path)
    fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                 | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        mode = info.st_mode
        pipe = stat.S_ISFIFO(mode)
        if not (stat.S_ISREG(mode) or (pipe and allow_pipes)):
            raise FileRefusedError(
                f"{name}: the {what} is {_describe(mode)}; a regular file "
                "is required.")
        if (max_bytes is not None and stat.S_ISREG(mode)
                and info.st_size > max_bytes):
            raise FileRefusedError(
                f"{name}: the {what} has {info.st_size:,} bytes, more than "
                f"the {max_bytes:,} a {what} may have.")
        if pipe and hasattr(os, "set_blocking"):
            # opened without blocking; reads may block (a writer that is
            # slow is not a hang), and with no writer at all they see EOF
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(stream: IO[Any], max_bytes: int, name: str,
                 what: str = "file") -> Any:
    """``stream.read()``, refusing more than ``max_bytes`` (bytes or
    characters, as the stream gives them)."""
    data = stream.read(max_bytes + 1)
    if data is not None and len(data) > max_bytes:
        raise FileRefusedError(
            f"{name}: the {what} is larger than the {max_bytes:,} bytes a "
            f"{what} may have.")
    return data


def same_file(a: Any, b: Any) -> bool:
    """Whether paths ``a`` and ``b`` name the same existing file (through
    symbolic links and hard links alike)."""
    try:
        return os.path.samefile(os.fspath(a), os.fspath(b))
    except (OSError, ValueError):
        return False
