"""The ``clogit`` command line: fit, predict, bench.

::

    clogit fit DATA.csv --target COLUMN [--penalty ...] [--cov-type ...
               [--cluster COLUMN]] [-o model.json]
    clogit fit DATA.csv --formula "y ~ x1 + C(x2)" [...]
    clogit predict model.json DATA.csv [-o predictions.csv] [--proba]
    clogit bench [--quick] [-- BENCH-ARGS...]

CSV files need a header row; feature columns must be numeric (the target of
``fit`` may hold any labels), except with ``--formula``: then the columns
the formula reads may hold text (categorical), ``clogit.logit`` builds the
design (penalty None unless ``--penalty`` is given), and ``predict`` of such
a model reads the raw columns again.  A ``--cluster`` column holds the
clusters of ``--cov-type cluster`` and is never a feature.  Bad input -- a missing file or column, a
non-numeric feature, a model/data mismatch, a malformed model file -- ends
with exit status 2 and a one-line ``clogit: error: ...`` on stderr, never a
traceback.  CSV files are read with the standard library's ``csv``; pandas,
when installed, only carries the column names into the estimator (so that
warnings, the summary and saved models name the features).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np

from ._estimator import LogisticRegression, load
from ._inference.binary import InferenceUnavailableError
from ._inference.covariance import COV_TYPES


class CLIError(Exception):
    """Bad input: reported in one line, exit status 2."""


# ---------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------
def _looks_numeric(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_csv(path):
    """Header and rows (lists of str) of a CSV file with a header row."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            rows = [row for row in reader if row]
    except UnicodeDecodeError:
        raise CLIError(f"{path}: not a UTF-8 text (CSV) file.") from None
    except csv.Error as exc:
        raise CLIError(f"{path}: malformed CSV ({exc}).") from None
    if not header:
        raise CLIError(f"{path}: empty file; a header row with the column "
                       "names is required.")
    header = [name.strip() for name in header]
    if all(_looks_numeric(name) for name in header):
        raise CLIError(f"{path}: the first row looks like data; a header row "
                       "with the column names is required.")
    if any(not name for name in header):
        raise CLIError(f"{path}: the header has an empty column name.")
    duplicates = sorted({n for n in header if header.count(n) > 1})
    if duplicates:
        raise CLIError(f"{path}: duplicate column name(s) "
                       f"{', '.join(duplicates)}.")
    if not rows:
        raise CLIError(f"{path}: no data rows after the header.")
    for i, row in enumerate(rows):
        if len(row) != len(header):
            raise CLIError(f"{path}: data row {i + 1} has {len(row)} fields, "
                           f"the header has {len(header)}.")
    return header, rows


def numeric_columns(path, header, rows, columns):
    """The named columns as a float64 matrix, or a CLIError naming the first
    value that is not a number."""
    index = [header.index(name) for name in columns]
    cells = [[row[j] for j in index] for row in rows]
    try:
        matrix = np.array(cells, dtype=np.float64)
        return matrix.reshape(len(rows), len(columns))
    except ValueError:
        pass
    for i, row in enumerate(cells):  # error path only: find the culprit
        for name, cell in zip(columns, row):
            if not _looks_numeric(cell):
                raise CLIError(
                    f"{path}: feature column {name!r} is not numeric (data "
                    f"row {i + 1}: {cell!r}); encode categorical features "
                    "as numbers first.") from None
    raise CLIError(f"{path}: feature columns are not numeric.")


def parse_labels(values):
    """Target labels: int if every value is an integer, else float if every
    value is a number, else the strings themselves."""
    values = [v.strip() for v in values]
    for kind in (int, float):
        try:
            return np.array([kind(v) for v in values])
        except ValueError:
            continue
    return np.array(values)


def as_named(X, names):
    """X with its column names: a pandas DataFrame when pandas is
    installed, else X itself (the names are then set after fitting)."""
    try:
        import pandas as pd
    except ImportError:
        return X
    return pd.DataFrame(X, columns=names, copy=False)


class _Progress:
    """``clogit: fitting n x p ... done in t s`` on stderr.

    The first half is printed only once the work has run for ``delay``
    seconds (a timer thread: the kernels release the GIL), so a quick fit
    prints one complete line at the end and a failing one prints nothing
    before its error message.
    """

    def __init__(self, text, delay=1.0):
        self._text = text
        self._lock = threading.Lock()
        self._shown = False
        self._timer = threading.Timer(delay, self._show)
        self._timer.daemon = True

    def _show(self):
        with self._lock:
            if not self._shown:
                print(f"clogit: {self._text} ...", end="", file=sys.stderr,
                      flush=True)
                self._shown = True

    def __enter__(self):
        self._start = time.perf_counter()
        self._timer.start()
        return self

    def __exit__(self, kind, value, traceback):
        self._timer.cancel()
        with self._lock:
            elapsed = time.perf_counter() - self._start
            if kind is None:
                prefix = "" if self._shown else f"clogit: {self._text} ..."
                print(f"{prefix} done in {elapsed:.2f} s", file=sys.stderr)
            elif self._shown:
                print(" failed", file=sys.stderr)
            self._shown = True  # a late timer prints nothing
        return False


def _write_csv(path, header, rows):
    if path is None:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


# ---------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------
def _print_warnings(caught):
    for w in caught:
        message = " ".join(str(w.message).split())
        print(f"clogit: warning: {w.category.__name__}: {message}",
              file=sys.stderr)


def _coefficients_text(clf, names, reason):
    """Plain coefficient listing for fits without inference (l1, ...)."""
    lines = [f"Coefficients (no standard errors: {reason})"]
    width = max(len(n) for n in ["const"] + names)
    for k in range(clf.coef_.shape[0]):
        if clf.coef_.shape[0] > 1:
            kind = ("(multinomial)" if getattr(clf, "_multinomial", False)
                    else "vs rest")
            lines.append(f"class {clf.classes_.tolist()[k]!r} {kind}:")
        if clf.fit_intercept:
            lines.append(f"  {'const'.ljust(width)}  {clf.intercept_[k]: .6g}")
        for name, value in zip(names, clf.coef_[k]):
            lines.append(f"  {name.ljust(width)}  {value: .6g}")
    return "\n".join(lines)


def frame_of(path, header, rows):
    """The CSV's columns as a pandas DataFrame for a formula: a column of
    numbers becomes numeric (int if every value is an integer), any other
    column text (categorical); empty cells are missing values."""
    try:
        import pandas as pd
    except ImportError:
        raise CLIError("--formula needs pandas and formulaic: pip install "
                       '"clogit[formula]".') from None
    columns = {}
    for j, name in enumerate(header):
        cells = [row[j].strip() for row in rows]
        present = [c for c in cells if c]
        values = parse_labels(present) if present else np.array([])
        if values.dtype.kind in "iuf":
            full = np.full(len(cells), np.nan)
            full[[i for i, c in enumerate(cells) if c]] = values
            columns[name] = (full.astype(values.dtype) if len(present)
                             == len(cells) else full)
        else:
            columns[name] = pd.array([c if c else None for c in cells],
                                     dtype=object)
    return pd.DataFrame(columns)


def _check_cov_options(args):
    """``--cov-type`` and ``--cluster``: --cluster means cov type cluster,
    which needs it."""
    if args.cluster is not None and args.cov_type not in (None, "cluster"):
        raise CLIError(f"--cluster gives the clusters of --cov-type "
                       f"cluster, not of --cov-type {args.cov_type}.")
    cov_type = args.cov_type or ("cluster" if args.cluster else "nonrobust")
    if cov_type == "cluster" and args.cluster is None:
        raise CLIError("--cov-type cluster needs --cluster COLUMN (the "
                       "cluster of every row).")
    return cov_type


def _estimator_params(args, formula):
    penalty = args.penalty
    if penalty is None:
        penalty = "none" if formula else "l2"
    return dict(penalty=None if penalty == "none" else penalty, C=args.C,
                l1_ratio=args.l1_ratio, solver=args.solver,
                class_weight=args.class_weight, multi_class=args.multi_class,
                max_iter=args.max_iter, tol=args.tol)


def _fit_formula(args, header, rows, cov_type):
    """``clogit fit --formula``: ``clogit.logit`` on the CSV's columns."""
    from ._formula import logit

    frame = frame_of(args.data, header, rows)
    groups = None
    if args.cluster is not None:
        if args.cluster not in header:
            raise CLIError(f"{args.data}: no --cluster column "
                           f"{args.cluster!r}.")
        from ._formula_design import formula_names
        if args.cluster in formula_names(args.formula):
            raise CLIError(f"--cluster column {args.cluster!r} is read by "
                           "the formula; a cluster column is never a "
                           "feature.")
        groups = frame[args.cluster].to_numpy()
    shape = f"{len(rows)} rows"
    with _Progress(f"fitting {args.formula!r} on {shape}"), \
            warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = logit(args.formula, frame, cov_type=cov_type, groups=groups,
                    **_estimator_params(args, True))
    _print_warnings(caught)
    if args.target is not None and args.target != clf._target_name:
        raise CLIError(f"--target {args.target!r} is not the formula's "
                       f"left-hand side {clf._target_name!r}.")
    return clf, list(clf.feature_names_in_)


def cmd_fit(args):
    if args.target is None and args.formula is None:
        raise CLIError("fit needs --target COLUMN (or --formula).")
    cov_type = _check_cov_options(args)
    header, rows = read_csv(args.data)
    if args.formula is not None:
        clf, features = _fit_formula(args, header, rows, cov_type)
        yname = clf._target_name
    else:
        if args.target not in header:
            raise CLIError(f"{args.data}: no column {args.target!r}; "
                           f"columns are {', '.join(header)}.")
        if args.cluster is not None and args.cluster not in header:
            raise CLIError(f"{args.data}: no --cluster column "
                           f"{args.cluster!r}.")
        if args.cluster == args.target:
            raise CLIError("--cluster and --target name the same column.")
        features = [name for name in header
                    if name not in (args.target, args.cluster)]
        if not features:
            raise CLIError(f"{args.data}: no feature columns besides the "
                           "target.")
        X = numeric_columns(args.data, header, rows, features)
        y = parse_labels([row[header.index(args.target)] for row in rows])
        groups = (None if args.cluster is None else parse_labels(
            [row[header.index(args.cluster)] for row in rows]))
        clf = LogisticRegression(cov_type=cov_type,
                                 **_estimator_params(args, False))
        with _Progress(f"fitting {X.shape[0]} x {X.shape[1]}"), \
                warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            clf.fit(as_named(X, features), y, groups=groups)
        _print_warnings(caught)
        if not hasattr(clf, "feature_names_in_"):
            # no pandas: set what validate_data stores for a DataFrame, so
            # that the summary and the saved model name the features
            clf.feature_names_in_ = np.array(features, dtype=object)
        yname = args.target

    try:
        text = str(clf.summary(yname=yname))
    except InferenceUnavailableError as exc:
        text = _coefficients_text(clf, features, str(exc).split(":")[0])
    print(text)
    if args.output:
        clf.save(args.output)
        print(f"clogit: model written to {args.output}", file=sys.stderr)
    return 0


def cmd_predict(args):
    try:
        clf = load(args.model)
    except ValueError as exc:
        raise CLIError(f"{args.model}: {exc}") from None
    header, rows = read_csv(args.data)
    if getattr(clf, "formula_", None) is not None:
        # a formula model reads the raw columns
        X = frame_of(args.data, header, rows)
        _write_predictions(args, clf, X)
        return 0
    names = getattr(clf, "feature_names_in_", None)
    if names is not None:
        names = [str(n) for n in names]
        missing = [n for n in names if n not in header]
        if missing:
            raise CLIError(
                f"{args.data} lacks the model's feature column(s) "
                f"{', '.join(missing)} (the model has {len(names)} features: "
                f"{', '.join(names)}).")
        ignored = [n for n in header if n not in names]
        if ignored:
            print(f"clogit: ignoring column(s) not in the model: "
                  f"{', '.join(ignored)}", file=sys.stderr)
    else:
        names = header
        if len(names) != clf.n_features_in_:
            raise CLIError(f"{args.data} has {len(names)} columns but the "
                           f"model has {clf.n_features_in_} features.")
    X = numeric_columns(args.data, header, rows, names)
    if hasattr(clf, "feature_names_in_"):
        X = as_named(X, names)
    _write_predictions(args, clf, X)
    return 0


def _write_predictions(args, clf, X):
    with warnings.catch_warnings():
        # columns were matched by name above (X is a plain array without
        # pandas)
        warnings.filterwarnings(
            "ignore", message="X does not have valid feature names")
        if args.proba:
            proba = clf.predict_proba(X)
            out_header = [str(label) for label in clf.classes_.tolist()]
            out_rows = [[repr(float(p)) for p in row] for row in proba]
        else:
            out_header = ["prediction"]
            out_rows = [[str(label)] for label in clf.predict(X).tolist()]
    _write_csv(args.output, out_header, out_rows)


def find_bench():
    """bench/run.py of a source checkout: under the current directory, else
    next to the source tree this module was imported from."""
    candidates = [Path.cwd() / "bench" / "run.py",
                  Path(__file__).resolve().parents[2] / "bench" / "run.py"]
    for path in candidates:
        if path.is_file():
            return path
    return None


def cmd_bench(args):
    script = find_bench()
    if script is None:
        raise CLIError(
            "bench/run.py not found: the benchmark ships with the source "
            "repository, not the installed package; run 'clogit bench' from "
            "the root of a clogit checkout.")
    command = [sys.executable, str(script)]
    if args.quick:
        command.append("--quick")
    command += args.bench_args
    return subprocess.run(command, check=False).returncode


# ---------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------
def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog="clogit",
        description="Logistic regression with compiled kernels: fit a model "
                    "from a CSV file and print its summary, predict, or run "
                    "the benchmark.")
    sub = parser.add_subparsers(dest="command", required=True,
                                metavar="{fit,predict,bench}")

    fit = sub.add_parser("fit", help="fit a model and print its summary")
    fit.add_argument("data", help="CSV file with a header row")
    fit.add_argument("--target", metavar="COLUMN",
                     help="the label column; every other column is a "
                          "(numeric) feature (not needed with --formula)")
    fit.add_argument("--formula", metavar='"y ~ x1 + C(x2)"',
                     help="fit clogit.logit's formula on the columns "
                          "(needs clogit[formula]); penalty none unless "
                          "--penalty is given")
    fit.add_argument("--penalty", default=None,
                     choices=["l2", "none", "l1", "elasticnet", "firth"],
                     help="default l2 (none with --formula)")
    fit.add_argument("--cov-type", default=None, choices=list(COV_TYPES),
                     help="covariance of the standard errors (default "
                          "nonrobust; cluster with --cluster)")
    fit.add_argument("--cluster", metavar="COLUMN",
                     help="the column of clusters for --cov-type cluster "
                          "(never a feature)")
    fit.add_argument("--C", type=_positive_float, default=1.0,
                     help="inverse regularization strength (default 1)")
    fit.add_argument("--l1-ratio", type=float, default=None,
                     help="elastic-net mixing, in [0, 1]")
    fit.add_argument("--solver", default="auto",
                     choices=["auto", "newton", "lbfgs", "gd"])
    fit.add_argument("--class-weight", default=None, choices=["balanced"])
    fit.add_argument("--multi-class", default="auto",
                     choices=["auto", "ovr", "multinomial"])
    fit.add_argument("--max-iter", type=int, default=100)
    fit.add_argument("--tol", type=_positive_float, default=1e-6)
    fit.add_argument("-o", "--output", metavar="MODEL.json",
                     help="save the fitted model (JSON)")
    fit.set_defaults(func=cmd_fit)

    predict = sub.add_parser("predict", help="predict with a saved model")
    predict.add_argument("model", help="model file written by 'clogit fit -o'")
    predict.add_argument("data", help="CSV file with a header row")
    predict.add_argument("-o", "--output", metavar="OUT.csv",
                         help="write here instead of stdout")
    predict.add_argument("--proba", action="store_true",
                         help="class probabilities, one column per class")
    predict.set_defaults(func=cmd_predict)

    bench = sub.add_parser(
        "bench", help="run the benchmark (bench/run.py of a source checkout)")
    bench.add_argument("--quick", action="store_true",
                       help="fewer repeats (about a minute and a half)")
    bench.add_argument("bench_args", nargs="*", metavar="-- ARGS",
                       help="further arguments for bench/run.py, after --")
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # the reader went away (``clogit predict ... | head``): not an
        # error worth a message; silence the flush at interpreter exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except (CLIError, ValueError, TypeError, OSError) as exc:
        if isinstance(exc, OSError) and exc.filename is not None:
            message = f"{exc.filename}: {exc.strerror or exc}"
        else:
            message = str(exc)
        print(f"clogit: error: {' '.join(message.split())}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
