"""Reading the command line's CSV files: bounded, linear-time, explicit.

A CSV file has a header row; feature columns hold finite numbers, the
target column (``clogit fit``) holds labels.  Every problem is a
:class:`CSVError` with a one-line message naming the file, the column and
the data row (1-based, the header not counted).

How a file is read
------------------
* Opened with ``clogit._files.open_for_reading`` (regular files and pipes;
  a FIFO without a writer reads as empty instead of hanging; devices such
  as ``/dev/zero`` are refused), through :class:`_Watched`, which refuses
  NUL bytes (a binary or sparse file: a 5 GB file of zeros is refused after
  its first 64 KiB), refuses a line longer than ``MAX_LINE_BYTES`` and
  reports progress on stderr for reads that take more than a second.
* The header is parsed by the standard library's ``csv`` (linear in its
  length: a dict finds the columns, never ``list.index``).
* The rows: by pandas' C parser when pandas is installed and the file has at
  most ``WIDE_COLUMNS`` columns, else by a streaming reader (``csv`` in
  blocks of rows, each block converted by numpy).  Measured on this
  project's machine: 20 rows x 100,000 columns took 69 s with pandas' C
  engine (9.7 s with a float64 dtype), 36 s with pyarrow's reader, 1.6 s
  streamed; pandas' pyarrow engine is not used at all, because it
  re-parses string columns (a target ``01`` came back as ``1``).
* Labels are kept as written, unless every label is an integer (then
  int64) or every label is a decimal number (then float64).  Two
  spellings of one number (``01`` and ``1``, ``1.0`` and ``1``, `` 1`` and
  ``1``) are then an error, never a silent merge of two classes; integers
  beyond int64 keep labels as strings.  An empty target cell is a missing
  label: an error naming its row.
* A quoted field that spans lines (a stray or unterminated quote swallows
  the rows after it) is an error naming its row.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import numpy as np

from ._files import open_for_reading

# Files with more columns are streamed (see the module docstring).
WIDE_COLUMNS = 1000
# Longest line (bytes) accepted: a header of a million long names fits.
MAX_LINE_BYTES = 256 * 2**20
# Rows per block of the streaming reader.
_BLOCK_ROWS = 8192
_INT = re.compile(r"\s*[+-]?\d+\s*\Z")
_DECIMAL = re.compile(
    r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*\Z")
_INT64 = np.iinfo(np.int64)


class CSVError(ValueError):
    """A CSV file the command line cannot use (one-line message)."""


@dataclass
class CSVData:
    """What :func:`read_csv` returns.

    Attributes
    ----------
    header : list of str
    features : list of str
        The feature columns, in the order of ``X``'s columns.
    X : ndarray of shape (n_rows, n_features), float64
    target : list of str or None
        The target column's cells, as written.
    text : dict of str to list of str
        The cells of the ``text_columns`` asked for, as written (clusters,
        or the columns a formula reads: :func:`parse_column` types them).
    """

    header: list
    features: list
    X: np.ndarray
    target: list | None
    text: dict = field(default_factory=dict)


class _Progress:
    """``clogit: reading NAME: 45% of 1.2 GB`` on stderr, at most once a
    second, starting one second into the read."""

    def __init__(self, name, size):
        self.name = name
        self.size = size
        self.start = time.perf_counter()
        self.next = self.start + 1.0
        self.shown = False

    def update(self, done):
        now = time.perf_counter()
        if now < self.next:
            return
        self.next = now + 1.0
        if self.size:
            text = f"{100 * done / self.size:.0f}% of {_size(self.size)}"
        else:
            text = f"{_size(done)}"
        print(f"clogit: reading {self.name}: {text}", file=sys.stderr,
              flush=True)
        self.shown = True

    def finish(self, done):
        if self.shown:
            print(f"clogit: read {self.name}: {_size(done)} in "
                  f"{time.perf_counter() - self.start:.1f} s",
                  file=sys.stderr, flush=True)


def _size(n):
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "bytes" else \
                f"{n:.1f} {unit}"
        n /= 1000


class _Watched(io.RawIOBase):
    """A raw binary stream that refuses NUL bytes and overlong lines and
    reports progress while it is read."""

    def __init__(self, raw, name, size, progress):
        self._raw = raw
        self._name = name
        self._done = 0
        self._line = 0  # bytes since the last newline
        self._progress = _Progress(name, size) if progress else None

    def readable(self):
        return True

    def readinto(self, buffer):
        n = self._raw.readinto(buffer)
        if not n:
            return n
        chunk = memoryview(buffer)[:n].tobytes()
        if b"\0" in chunk:
            raise CSVError(f"{self._name}: not a text CSV file (it contains "
                           "NUL bytes).")
        last = chunk.rfind(b"\n")
        self._line = n - 1 - last if last >= 0 else self._line + n
        if self._line > MAX_LINE_BYTES:
            raise CSVError(f"{self._name}: a line longer than "
                           f"{MAX_LINE_BYTES:,} bytes; not a CSV file.")
        self._done += n
        if self._progress is not None:
            self._progress.update(self._done)
        return n

    def finish(self):
        if self._progress is not None:
            self._progress.finish(self._done)

    def close(self):
        self._raw.close()
        super().close()


def _open_text(path, progress):
    raw = open_for_reading(path, allow_pipes=True, what="data file")
    try:
        size = os.fstat(raw.fileno()).st_size
    except OSError:  # pragma: no cover
        size = 0
    watched = _Watched(raw, str(path), size, progress)
    return watched, io.TextIOWrapper(io.BufferedReader(watched, 1 << 16),
                                     encoding="utf-8-sig", newline="")


def _looks_numeric(text):
    return bool(_DECIMAL.match(text))


def _parse_header(path, text):
    line = text.readline()
    if not line:
        raise CSVError(f"{path}: empty file; a header row with the column "
                       "names is required.")
    try:
        rows = list(csv.reader([line], strict=True))
    except csv.Error as exc:
        raise CSVError(f"{path}: malformed header row ({exc}).") from None
    if len(rows) != 1:
        raise CSVError(f"{path}: the header row has an unterminated quote.")
    header = [name.strip() for name in rows[0]]
    if all(_looks_numeric(name) for name in header):
        raise CSVError(f"{path}: the first row looks like data; a header row "
                       "with the column names is required.")
    if any(not name for name in header):
        raise CSVError(f"{path}: the header has an empty column name.")
    counts = Counter(header)
    duplicates = sorted(name for name, count in counts.items() if count > 1)
    if duplicates:
        shown = ", ".join(duplicates[:10])
        raise CSVError(f"{path}: duplicate column name(s) {shown}.")
    return header


def _columns(path, header, target, features, text_columns):
    position = {name: j for j, name in enumerate(header)}
    shown = ", ".join(header[:20]) + (" ..." if len(header) > 20 else "")
    for name in ([] if target is None else [target]) + list(text_columns):
        if name not in position:
            raise CSVError(f"{path}: no column {name!r}; columns are "
                           f"{shown}.")
    if features is None:
        features = [name for name in header
                    if name != target and name not in text_columns]
    missing = [name for name in features if name not in position]
    if missing:
        raise CSVError(f"{path}: no feature column(s) "
                       f"{', '.join(missing[:10])}.")
    if not features and not text_columns:
        raise CSVError(f"{path}: no feature columns besides the target.")
    return position, list(features)


def _spans_lines(cell):
    return "\n" in cell or "\r" in cell


def _quote_error(path, row, name):
    return CSVError(
        f"{path}: data row {row}: a quoted field in column {name!r} spans "
        "several lines (a stray or unterminated quote?).")


def _bad_cell(path, row, name, cell):
    if not isinstance(cell, str) or not cell.strip():
        return CSVError(f"{path}: feature column {name!r} has a missing "
                        f"value (data row {row}).")
    if _spans_lines(cell):
        return _quote_error(path, row, name)
    if _looks_numeric(cell) or cell.strip().lower() in (
            "nan", "inf", "-inf", "+inf", "infinity", "-infinity"):
        return CSVError(f"{path}: feature column {name!r} is not finite "
                        f"(data row {row}: {cell!r}).")
    return CSVError(
        f"{path}: feature column {name!r} is not numeric (data row {row}: "
        f"{cell!r}); encode categorical features as numbers first.")


def _check_target(path, name, cells, first_row, role="target"):
    for i, cell in enumerate(cells):
        if not cell.strip():
            what = "a missing label" if role == "target" else \
                "a missing value"
            column = f"{role} column" if role else "column"
            raise CSVError(
                f"{path}: data row {first_row + i}: the {column} "
                f"{name!r} is empty ({what}); remove the row or fill it in.")
        if _spans_lines(cell):
            raise _quote_error(path, first_row + i, name)


def _stream_rows(path, text, header, position, features, labelled):
    """The streaming reader: blocks of rows by ``csv``, each converted to
    float64 by numpy; the ``labelled`` columns (name, role) as text."""
    reader = csv.reader(text, strict=True)
    index = [position[name] for name in features]
    labels = {name: [] for name, _ in labelled}
    blocks = []
    width = len(header)
    row = 0
    while True:
        try:
            rows = [r for r in islice(reader, _BLOCK_ROWS) if r]
        except csv.Error as exc:
            raise CSVError(f"{path}: malformed CSV near line "
                           f"{reader.line_num + 1} ({exc}).") from None
        if not rows:
            break
        for i, r in enumerate(rows):
            if len(r) != width:
                raise CSVError(f"{path}: data row {row + i + 1} has {len(r)} "
                               f"fields, the header has {width}.")
        cells = [[r[j] for j in index] for r in rows]
        try:
            block = np.array(cells, dtype=np.float64).reshape(
                len(rows), len(index))
        except ValueError:
            block = None
        if block is None or not np.isfinite(block).all():
            _raise_first_bad(path, cells, features, row + 1)
        for name, role in labelled:
            column = [r[position[name]] for r in rows]
            _check_target(path, name, column, row + 1, role)
            labels[name].extend(column)
        blocks.append(block)
        row += len(rows)
    if not blocks:
        raise CSVError(f"{path}: no data rows after the header.")
    X = blocks[0] if len(blocks) == 1 else np.vstack(blocks)
    return X, labels


def _raise_first_bad(path, cells, features, first_row):
    for i, row in enumerate(cells):
        for name, cell in zip(features, row):
            try:
                value = float(cell)
            except ValueError:
                raise _bad_cell(path, first_row + i, name, cell) from None
            if not np.isfinite(value) or not _looks_numeric(cell):
                raise _bad_cell(path, first_row + i, name, cell) from None
    raise CSVError(f"{path}: feature columns are not numeric.")


def _parser_error(path, exc):
    """pandas' tokenizer errors, with its row numbers as data rows."""
    message = " ".join(str(exc).split())
    quote = re.search(r"EOF inside string starting at row (\d+)", message)
    if quote:
        return CSVError(f"{path}: data row {int(quote.group(1)) + 1}: a "
                        "quote is never closed (a stray or unterminated "
                        "quote?).")
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)",
                       message)
    if fields:
        return CSVError(f"{path}: data row {int(fields.group(2))} has "
                        f"{fields.group(3)} fields, the header has "
                        f"{fields.group(1)}.")
    return CSVError(f"{path}: malformed CSV ({message}).")


def _pandas_rows(pd, path, text, header, features, labelled):
    """pandas' C parser for the rows (narrow files)."""
    try:
        frame = pd.read_csv(
            text, header=None, names=header, engine="c",
            dtype={name: str for name, _ in labelled} or None,
            keep_default_na=False, na_values=[""], skip_blank_lines=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise _parser_error(path, exc) from None
    if len(frame) == 0:
        raise CSVError(f"{path}: no data rows after the header.")
    columns = []
    for name in features:
        column = frame[name]
        if column.dtype.kind not in "biuf":
            values = column.to_numpy(dtype=object)
            for i, cell in enumerate(values):
                if not (isinstance(cell, (int, float))
                        and np.isfinite(cell)) and not (
                        isinstance(cell, str) and _looks_numeric(cell)):
                    raise _bad_cell(path, i + 1, name, cell)
            column = pd.to_numeric(column)
        values = column.to_numpy(dtype=np.float64)
        if not np.isfinite(values).all():
            i = int(np.flatnonzero(~np.isfinite(values))[0])
            cell = frame[name].iloc[i]
            raise _bad_cell(path, i + 1, name,
                            "" if isinstance(cell, float) and np.isnan(cell)
                            else str(cell))
        columns.append(values)
    X = np.column_stack(columns) if columns else np.empty((len(frame), 0))
    labels = {}
    for name, role in labelled:
        labels[name] = ["" if not isinstance(cell, str) else cell
                        for cell in frame[name].tolist()]
        _check_target(path, name, labels[name], 1, role)
    return X, labels


def read_csv(path: Any, *, target: str | None = None,
             features: list | None = None, text_columns: Any = (),
             progress: bool = True) -> CSVData:
    """Read a CSV file's feature columns (and target column).

    Parameters
    ----------
    path : str or path-like
    target : str, optional
        The label column.
    features : list of str, optional
        The feature columns (default: every column but ``target`` and
        ``text_columns``); may be empty when ``text_columns`` are read.
    text_columns : sequence of str, or callable
        Columns returned as written in ``CSVData.text`` (an empty cell is
        an error naming its row, as for the target); a callable gets the
        header and returns them (a formula's columns: a pipe can be read
        only once).
    progress : bool
        Report progress on stderr for reads longer than a second.

    Returns
    -------
    CSVData

    Raises
    ------
    CSVError
        Anything wrong with the file (one-line message).
    OSError
        A file that cannot be opened.
    """
    watched, text = _open_text(path, progress)
    try:
        try:
            header = _parse_header(path, text)
            if callable(text_columns):
                text_columns = text_columns(header)
            text_columns = list(dict.fromkeys(text_columns))
            position, features = _columns(path, header, target, features,
                                          text_columns)
            labelled = ([] if target is None else [(target, "target")]) + [
                (name, "") for name in text_columns if name != target]
            try:
                import pandas as pd
            except ImportError:
                pd = None
            if pd is not None and len(header) <= WIDE_COLUMNS:
                X, labels = _pandas_rows(pd, path, text, header, features,
                                         labelled)
            else:
                X, labels = _stream_rows(path, text, header, position,
                                         features, labelled)
        except UnicodeDecodeError:
            raise CSVError(f"{path}: not a UTF-8 text (CSV) file.") from None
        watched.finish()
    finally:
        text.close()
    target_cells = None if target is None else labels.pop(target)
    return CSVData(header=header, features=features, X=X,
                   target=target_cells, text=labels)


# How a formula's column may spell a number that is not finite: such a
# column is an error, never a categorical factor by accident.
_NON_FINITE = {"nan", "inf", "-inf", "+inf", "infinity", "-infinity",
               "+infinity"}


def parse_column(cells: list, path: Any = "", column: str = "") \
        -> np.ndarray:
    """A column a formula reads: int64 when every cell is an integer (of
    at most 18 digits), float64 when every cell is a decimal number, else
    the text as written (stripped), which a formula codes as a categorical
    factor.

    Raises
    ------
    CSVError
        A column of numbers with a non-finite one (``nan``, ``inf``,
        ``1e999``): it is neither numeric nor categorical.
    """
    stripped = [cell.strip() for cell in cells]
    distinct = set(stripped)
    if all(_INT.match(c) and len(c.lstrip("+-")) <= 18 for c in distinct):
        return np.array([int(c) for c in stripped], dtype=np.int64)
    numeric = [c for c in distinct if _DECIMAL.match(c)]
    if len(numeric) == len(distinct):
        values = np.array(stripped, dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size == 0:
            return values
    elif not numeric or any(c.lower() not in _NON_FINITE
                            for c in distinct.difference(numeric)):
        return np.array(stripped, dtype=object)
    row = next(i for i, c in enumerate(stripped)
               if not (_DECIMAL.match(c) and np.isfinite(float(c))))
    raise CSVError(f"{path}: column {column!r} holds numbers and a value "
                   f"that is not finite (data row {row + 1}: "
                   f"{cells[row]!r}).")


def parse_labels(cells: list, path: Any = "", column: str = "") \
        -> np.ndarray:
    """Labels as written, or int64 / float64 when every one is a number of
    that kind (see the module docstring).

    Raises
    ------
    CSVError
        When two different spellings are the same number (``01``, ``1``).
    """
    distinct = list(dict.fromkeys(cells))
    for pattern, kind in ((_INT, int), (_DECIMAL, float)):
        if not all(pattern.match(cell) for cell in distinct):
            continue
        numbers = {cell: kind(cell) for cell in distinct}
        if kind is int and not all(_INT64.min <= v <= _INT64.max
                                   for v in numbers.values()):
            break  # beyond int64: labels as written
        if kind is float and not all(np.isfinite(v)
                                     for v in numbers.values()):
            break  # beyond float64 likewise
        seen: dict[Any, str] = {}
        for cell, value in numbers.items():
            if value in seen:
                raise CSVError(
                    f"{path}: target column {column!r} writes the label "
                    f"{value!r} in two ways ({seen[value]!r} and {cell!r}); "
                    "numeric labels must be written one way (or make every "
                    "label non-numeric, e.g. 'a01').")
            seen[value] = cell
        dtype = np.int64 if kind is int else np.float64
        return np.array([numbers[cell] for cell in cells], dtype=dtype)
    return np.array(cells, dtype=object).astype(str)
