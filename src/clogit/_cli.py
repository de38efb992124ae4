"""The ``clogit`` command line: fit, predict, bench.

::

    clogit fit DATA.csv --target COLUMN [--features a,b] [--penalty ...]
               [--cov-type ... [--cluster COLUMN]] [-o model.json]
    clogit fit DATA.csv --formula "y ~ x1 + C(x2)" [...]
    clogit predict model.json DATA.csv [-o predictions.csv] [--proba]
    clogit bench [--quick] [--sizes NxP,...] [--repeats N]
    clogit --version

CSV files need a header row; feature columns must hold finite numbers, the
target of ``fit`` may hold any labels (see ``clogit._csv`` for how files
are read: pandas' parser or a streaming one, progress on stderr for long
reads, labels kept as written unless they are all numbers of one kind).
With ``--formula`` the columns the formula reads may hold text
(categorical factors; ``clogit._csv.parse_column``), ``clogit.logit``
builds the design (penalty none unless ``--penalty`` is given), and
``predict`` of such a model reads the raw columns again.  A ``--cluster``
column holds the clusters of ``--cov-type cluster`` and is never a
feature.
Bad input -- a missing file or column, a non-numeric or missing value, a
missing label, a stray quote, two spellings of one numeric label, a
model/data mismatch, a malformed model file, a bad option -- ends with exit
status 2 and a one-line ``clogit: error: ...`` on stderr, never a
traceback or a usage block.  Nothing a command writes replaces a file
before the command has succeeded: outputs are written atomically
(``clogit._files``), and an output path that names an input (the same
file, through a symbolic or hard link too) is refused before any work.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import threading
import time
import warnings

import numpy as np

from ._csv import CSVError, parse_column, parse_labels, read_csv
from ._estimator import LogisticRegression, load
from ._files import atomic_writer, same_file
from ._inference.binary import InferenceUnavailableError
from ._inference.covariance import COV_TYPES
from ._version import __version__


class CLIError(Exception):
    """Bad input: reported in one line, exit status 2."""


# ---------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------
def _refuse_overwriting_inputs(output, inputs):
    """An output path that names an input (same file, through links too)
    would destroy the input: refused before any work."""
    if output is None:
        return
    for name in inputs:
        if same_file(output, name):
            raise CLIError(f"refusing to write {output}: it is the input "
                           f"{name}; choose another output path.")
    if os.path.exists(output) and not os.path.isfile(output):
        raise CLIError(f"refusing to write {output}: it exists and is not a "
                       "regular file.")


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
    with atomic_writer(path, newline="") as f:
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


def _frame(table, columns, path, lhs=None):
    """The text columns a formula reads as a pandas DataFrame: each typed
    by :func:`clogit._csv.parse_column` (numbers, or text: a categorical
    factor); the left-hand side's column as labels (``parse_labels``)."""
    try:
        import pandas as pd
    except ImportError:
        raise CLIError("--formula needs pandas and formulaic: pip install "
                       '"clogit[formula]".') from None
    return pd.DataFrame({
        name: (parse_labels(table.text[name], path, name) if name == lhs
               else parse_column(table.text[name], path, name))
        for name in columns})


def _formula_columns(formula, header):
    """The CSV columns ``formula`` reads: the identifiers it uses, the
    names it quotes (```my column```, ``Q("my column")``), that are columns
    (formulaic reports any other name when it evaluates the formula)."""
    from ._formula_design import formula_names

    quoted = re.findall(r"`([^`]+)`", formula) + [
        a or b for a, b in re.findall(r"""Q\(\s*(?:"([^"]*)"|'([^']*)')""",
                                      formula)]
    names = formula_names(formula) | set(quoted)
    return [name for name in header if name in names]


def _read_with_cluster(args, **kwargs):
    """``read_csv(args.data, **kwargs)``, naming a missing --cluster
    column as such."""
    try:
        return read_csv(args.data, **kwargs)
    except CSVError as exc:
        if args.cluster is not None and \
                f"no column {args.cluster!r};" in str(exc):
            raise CLIError(f"{args.data}: no --cluster column "
                           f"{args.cluster!r}.") from None
        raise


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


def _fit_formula(args, cov_type):
    """``clogit fit --formula``: ``clogit.logit`` on the CSV's columns."""
    from ._formula import logit

    if args.features is not None:
        raise CLIError("--features and --formula both choose the features; "
                       "give one.")

    def columns_of(header):
        columns = _formula_columns(args.formula, header)
        if args.cluster is not None:
            if args.cluster in columns:
                raise CLIError(f"--cluster column {args.cluster!r} is read "
                               "by the formula; a cluster column is never a "
                               "feature.")
            columns.append(args.cluster)
        return columns

    table = _read_with_cluster(args, features=[], text_columns=columns_of)
    columns = list(table.text)
    lhs = args.formula.split("~")[0].strip() if "~" in args.formula \
        else None
    frame = _frame(table, [c for c in columns if c != args.cluster],
                   args.data, lhs=lhs if lhs in columns else None)
    groups = (None if args.cluster is None
              else parse_labels(table.text[args.cluster], args.data,
                                args.cluster))
    with _Progress(f"fitting {args.formula!r} on {len(frame)} rows"), \
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
    _refuse_overwriting_inputs(args.output, [args.data])
    if args.target is None and args.formula is None:
        raise CLIError("fit needs --target COLUMN (or --formula).")
    cov_type = _check_cov_options(args)
    if args.formula is not None:
        clf, features = _fit_formula(args, cov_type)
        yname = clf._target_name
    else:
        if args.cluster == args.target:
            raise CLIError("--cluster and --target name the same column.")
        features = args.features
        if features is not None:
            features = [name.strip() for name in features.split(",")]
            if len(set(features)) != len(features):
                raise CLIError("--features lists a column twice.")
            if args.target in features:
                raise CLIError(
                    f"--features lists the target {args.target!r}.")
            if args.cluster is not None and args.cluster in features:
                raise CLIError(f"--features lists the --cluster column "
                               f"{args.cluster!r}; a cluster column is "
                               "never a feature.")
        table = _read_with_cluster(
            args, target=args.target, features=features,
            text_columns=[] if args.cluster is None else [args.cluster])
        features = table.features
        X = table.X
        y = parse_labels(table.target, args.data, args.target)
        groups = (None if args.cluster is None
                  else parse_labels(table.text[args.cluster], args.data,
                                    args.cluster))
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
        clf._target_name = yname = args.target  # the saved model's too

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
    _refuse_overwriting_inputs(args.output, [args.model, args.data])
    try:
        clf = load(args.model)
    except ValueError as exc:
        raise CLIError(f"{args.model}: {exc}") from None
    design = getattr(clf, "formula_", None)
    if design is not None:
        # a formula model reads the raw columns its formula reads
        try:
            table = read_csv(args.data, features=[],
                             text_columns=design.variables)
        except CSVError as exc:
            if "no column" not in str(exc):
                raise
            missing = str(exc).split("no column ")[1].split(";")[0]
            raise CLIError(
                f"{args.data} lacks the column {missing} that the model's "
                f"formula {design.formula!r} reads.") from None
        _write_predictions(args, clf,
                           _frame(table, design.variables, args.data))
        return 0
    names = getattr(clf, "feature_names_in_", None)
    if names is not None:
        names = [str(n) for n in names]
        try:
            table = read_csv(args.data, features=names)
        except CSVError as exc:
            if "no feature column" not in str(exc):
                raise
            raise CLIError(
                f"{args.data} lacks some of the model's feature columns "
                f"({str(exc).split('column(s) ')[-1].rstrip('.')}; the "
                f"model has {len(names)} features: "
                f"{', '.join(names[:20])}"
                f"{' ...' if len(names) > 20 else ''}).") from None
        known = set(names)
        ignored = [n for n in table.header if n not in known]
        if ignored:
            print(f"clogit: ignoring column(s) not in the model: "
                  f"{', '.join(ignored[:20])}"
                  f"{' ...' if len(ignored) > 20 else ''}", file=sys.stderr)
    else:
        table = read_csv(args.data)
        if len(table.header) != clf.n_features_in_:
            raise CLIError(f"{args.data} has {len(table.header)} columns but "
                           f"the model has {clf.n_features_in_} features.")
        names = table.header
    X = table.X
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


def cmd_bench(args):
    """The benchmark shipped with the package (``clogit._bench``): works
    from an installed clogit; bench/ of a checkout has the full one."""
    from . import _bench

    _bench.run(quick=args.quick, sizes=args.sizes, repeats=args.repeats,
               seed=args.seed)
    return 0


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


def _bench_sizes(text):
    from ._bench import parse_sizes

    return parse_sizes(text)


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {text!r}")
    return value


class _Parser(argparse.ArgumentParser):
    """argparse, with every usage error one line (a CLIError, exit 2)
    instead of the usage block; ``--help`` is unchanged."""

    def error(self, message):
        raise CLIError(f"{message} (see '{self.prog} --help')")


def build_parser():
    parser = _Parser(
        prog="clogit",
        description="Logistic regression with compiled kernels: fit a model "
                    "from a CSV file and print its summary, predict, or run "
                    "the benchmark.")
    parser.add_argument("--version", action="version",
                        version=f"clogit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True,
                                metavar="{fit,predict,bench}")

    fit = sub.add_parser("fit", help="fit a model and print its summary")
    fit.add_argument("data", help="CSV file with a header row")
    fit.add_argument("--target", metavar="COLUMN",
                     help="the label column; every other column is a "
                          "(numeric) feature (not needed with --formula)")
    fit.add_argument("--features", metavar="A,B,...", default=None,
                     help="comma-separated feature columns (default: every "
                          "column but the target and the --cluster column)")
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
        "bench", help="run the quick benchmark (clogit against "
                      "scikit-learn; bench/ of a checkout has the full one)")
    bench.add_argument("--quick", action="store_true",
                       help="two problem sizes, 3 runs each (a minute or "
                            "two)")
    bench.add_argument("--sizes", type=_bench_sizes, default=None,
                       metavar="NxP[,NxP...]", help="problem sizes")
    bench.add_argument("--repeats", type=_positive_int, default=None,
                       help="timed runs per solver")
    bench.add_argument("--seed", type=int, default=0,
                       help="seed of the generated data (default 0)")
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except CLIError as exc:
        print(f"clogit: error: {' '.join(str(exc).split())}",
              file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except BrokenPipeError:
        # the reader went away (``clogit predict ... | head``): not an
        # error worth a message; silence the flush at interpreter exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except (CLIError, ValueError, TypeError, OSError, MemoryError) as exc:
        if isinstance(exc, OSError) and exc.filename is not None:
            message = f"{exc.filename}: {exc.strerror or exc}"
        elif isinstance(exc, MemoryError):
            message = "out of memory" + (f" ({exc})" if str(exc) else "")
        else:
            message = str(exc)
        print(f"clogit: error: {' '.join(message.split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("clogit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
