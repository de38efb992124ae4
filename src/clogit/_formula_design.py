"""The design matrix of a formula: building it from raw data, rebuilding it
for new data, and its state in model files (``clogit.logit`` is the front
door, in ``clogit._formula``).

Built on formulaic (``pip install "clogit[formula]"``), imported on first
use.  What clogit adds around it:

* categorical, string and bool columns get treatment coding with the first
  level as reference, named as formulaic and statsmodels/patsy name them
  (``C(rank)[T.2]``, ``gender[T.male]``, ``flag[T.True]``: bool columns are
  made categorical, which formulaic alone would code as 0/1 numbers);
* the design is built sparse (formulaic's ``output="sparse"``) and kept
  sparse (CSR) when a categorical factor has many levels
  (:data:`HIGH_CARDINALITY_LEVELS`, with ``sparse="auto"``): a
  high-cardinality factor never becomes a dense n x levels block;
* new data must hold no level the fit did not see: formulaic only warns
  (``DataMismatchWarning``) and codes the row as the reference level,
  clogit raises a ValueError naming the factor and the levels;
* missing values are refused with a ValueError (``missing="raise"``), or
  their rows dropped when fitting (``missing="drop"``, statsmodels'
  formula default); predictions never drop rows;
* the state -- formula, levels of every categorical factor, constants of
  the stateful transforms (``center``, ``scale``, ``poly``, splines ...) --
  is plain JSON (:meth:`FormulaDesign.to_state`), refused at save when any
  part is not (a user-defined function, an object in a transform's state),
  and checked at load (:meth:`FormulaDesign.from_state`): the formula may
  only call formulaic's transforms and a list of numpy functions, since
  predicting evaluates it.
"""

from __future__ import annotations

import ast
import math
import re
import warnings

import numpy as np
import scipy.sparse as sp

# A categorical factor with at least this many levels makes the design
# sparse (``sparse="auto"``): its dummy columns hold one nonzero per row.
HIGH_CARDINALITY_LEVELS = 50
INTERCEPT = "Intercept"
# Formulas longer than this are refused in model files (bounded parsing).
_MAX_FORMULA_CHARS = 10_000
# Nesting of a transform's state (dicts, lists) a model file may hold.
_MAX_STATE_DEPTH = 16

# What a formula in a model file may call: formulaic's transforms, contrast
# constructors, and side-effect-free numpy functions.
_TRANSFORMS = {"C", "I", "Q", "center", "scale", "standardize", "poly",
               "bs", "cs", "cr", "cc", "lag", "hashed", "log", "log2",
               "log10", "exp", "exp2", "exp10", "Treatment", "Sum",
               "Helmert", "Diff", "Poly"}
_NUMPY = {"log", "log1p", "log2", "log10", "exp", "expm1", "exp2", "sqrt",
          "cbrt", "square", "abs", "absolute", "fabs", "sign", "sin", "cos",
          "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
          "arcsinh", "arctanh", "floor", "ceil", "round", "rint", "trunc",
          "clip", "maximum", "minimum", "power", "where", "isnan",
          "isfinite"}
_CONTRASTS = {"treatment", "sum", "helmert", "diff", "poly", "custom",
              "sas"}


def formulaic():
    """The formulaic module, or a clear ImportError."""
    try:
        import formulaic as module
    except ImportError as exc:  # formulaic is an optional dependency
        raise ImportError(
            "formulas need formulaic, which is not installed: pip install "
            '"clogit[formula]" (or formulaic).') from exc
    return module


def _pandas():
    try:
        import pandas as pd
    except ImportError as exc:  # formulaic requires pandas anyway
        raise ImportError("formulas need pandas: pip install "
                          '"clogit[formula]".') from exc
    return pd


def as_frame(data, what="data"):
    """``data`` as a pandas DataFrame (a DataFrame, a table with
    ``to_pandas()`` such as polars', or a dict of column names to
    equal-length columns)."""
    pd = _pandas()
    if isinstance(data, pd.DataFrame):
        return data
    if hasattr(data, "to_pandas") and hasattr(data, "columns"):
        return data.to_pandas()  # polars, pyarrow tables
    if isinstance(data, dict):
        try:
            return pd.DataFrame(data)
        except ValueError as exc:
            raise ValueError(f"{what}: cannot make a table of the given "
                             f"columns ({exc}).") from None
    raise TypeError(f"{what} must be a pandas DataFrame or a dict of "
                    f"columns, got {type(data).__name__}.")


# ----------------------------------------------------------------------
# JSON state (a tagged encoding: dicts with any keys, tuples, arrays,
# non-finite floats)
# ----------------------------------------------------------------------
def encode_state(value, path="state"):
    """A JSON-ready value of a transform's or encoder's state, or a
    ValueError naming the part that cannot be written as JSON."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, list):
        return [encode_state(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return {"tuple": [encode_state(v, f"{path}[{i}]")
                          for i, v in enumerate(value)]}
    if isinstance(value, dict):
        return {"dict": [[encode_state(k, f"{path} key"),
                          encode_state(v, f"{path}[{k!r}]")]
                         for k, v in value.items()]}
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return {"ndarray": encode_state(value.tolist(), path),
                "dtype": value.dtype.str}
    raise ValueError(
        f"the formula's {path} = {value!r} (a {type(value).__name__}) "
        "cannot be written as JSON, so this model cannot be saved; use "
        "formulaic's built-in transforms with plain levels (numbers, "
        "strings, bools).")


def decode_state(value, path="state", depth=0):
    """Inverse of :func:`encode_state`, checking every part."""
    if depth > _MAX_STATE_DEPTH:
        raise ValueError(f"{path} is nested too deeply.")
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, list):
        return [decode_state(v, f"{path}[{i}]", depth + 1)
                for i, v in enumerate(value)]
    if not isinstance(value, dict) or len(value) not in (1, 2):
        raise ValueError(f"{path} has an unsupported value.")
    if set(value) == {"float"} and value["float"] in ("nan", "inf", "-inf"):
        return float(value["float"])
    if set(value) == {"tuple"} and isinstance(value["tuple"], list):
        return tuple(decode_state(v, f"{path}[{i}]", depth + 1)
                     for i, v in enumerate(value["tuple"]))
    if set(value) == {"dict"} and isinstance(value["dict"], list):
        out = {}
        for pair in value["dict"]:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise ValueError(f"{path}: a dict entry is not a "
                                 "[key, value] pair.")
            key = decode_state(pair[0], f"{path} key", depth + 1)
            if isinstance(key, list):
                raise ValueError(f"{path}: a dict key is a list.")
            out[key] = decode_state(pair[1], f"{path}[{key!r}]", depth + 1)
        return out
    if set(value) == {"ndarray", "dtype"} and isinstance(value["dtype"],
                                                         str):
        try:
            dtype = np.dtype(value["dtype"])
        except TypeError:
            raise ValueError(f"{path}: unknown dtype.") from None
        if dtype.kind not in "biuf" or dtype.fields is not None:
            raise ValueError(f"{path}: unsupported dtype {dtype}.")
        data = decode_state(value["ndarray"], path, depth + 1)
        try:
            return np.array(data, dtype=dtype)
        except (ValueError, TypeError, OverflowError):
            raise ValueError(f"{path}: not an array of {dtype}.") from None
    raise ValueError(f"{path} has an unsupported value.")


# ----------------------------------------------------------------------
# what a formula may evaluate (model files)
# ----------------------------------------------------------------------
def _call_name(node):
    """The dotted name a call calls (``np.log``), or None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _allowed_call(name):
    if name in _TRANSFORMS:
        return True
    head, _, rest = name.partition(".")
    if head in ("np", "numpy"):
        return rest in _NUMPY
    if head == "contr":
        return rest in _CONTRASTS
    return False


def check_safe_expression(expr):
    """Raise ValueError unless the factor expression ``expr`` only reads
    variables and calls formulaic's transforms or the allowed numpy
    functions (predicting with a formula evaluates it)."""
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        raise ValueError(f"the formula term {expr!r} is not a valid "
                         "expression.") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _call_name(node.func)
            if name is None or not _allowed_call(name):
                raise ValueError(
                    f"the formula term {expr!r} calls "
                    f"{name or 'an expression'}, which clogit does not "
                    "evaluate from a model file (only formulaic's transforms "
                    "and numpy's elementwise functions).")
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                raise ValueError(f"the formula term {expr!r} reads a "
                                 "private attribute.")
        elif isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise ValueError(f"the formula term {expr!r} reads a "
                                 "private name.")
        elif not isinstance(node, (ast.Expression, ast.Constant, ast.BinOp,
                                   ast.UnaryOp, ast.BoolOp, ast.Compare,
                                   ast.operator, ast.unaryop, ast.boolop,
                                   ast.cmpop, ast.keyword, ast.Load,
                                   ast.List, ast.Tuple)):
            raise ValueError(f"the formula term {expr!r} uses "
                             f"{type(node).__name__}, which clogit does not "
                             "evaluate from a model file.")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            name = _call_name(node)
            head = (name or "").partition(".")[0]
            if head not in ("np", "numpy", "contr"):
                raise ValueError(f"the formula term {expr!r} reads an "
                                 "attribute, which clogit does not evaluate "
                                 "from a model file.")


def _factors(formula_obj):
    """The factors of a formulaic formula's terms."""
    for term in formula_obj:
        yield from term.factors


def parse_formula(formula):
    """formulaic's parse of ``formula``: ``(lhs or None, rhs)``, or a
    ValueError."""
    fml = formulaic()
    try:
        parsed = fml.Formula(formula)
    except (fml.errors.FormulaicError, SyntaxError, ValueError) as exc:
        raise ValueError(f"cannot parse the formula {formula!r}: "
                         f"{exc}") from None
    if hasattr(parsed, "rhs"):
        return getattr(parsed, "lhs", None), parsed.rhs
    return None, parsed


def check_safe_formula(rhs):
    """Every factor of the right-hand side ``rhs`` (parsed) passes
    :func:`check_safe_expression` (a looked-up name must not be private)."""
    for factor in _factors(rhs):
        method = factor.eval_method.value
        if method == "python":
            check_safe_expression(factor.expr)
        elif method == "lookup" and factor.expr.startswith("_") or \
                "__" in factor.expr:
            raise ValueError(f"the formula term {factor.expr!r} reads a "
                             "private name.")


def formula_variables(rhs, context=None):
    """The data columns the factors of ``rhs`` (parsed) read: looked-up
    names, and the names an expression reads that are not functions,
    modules or the caller's objects (formulaic's ``required_variables``
    leaves out the arguments of stateful transforms)."""
    names = set()
    for factor in _factors(rhs):
        method = factor.eval_method.value
        if method == "lookup":
            names.add(factor.expr)
        elif method == "python":
            try:
                tree = ast.parse(factor.expr, mode="eval")
            except SyntaxError:
                continue
            called = {id(node.func) for node in ast.walk(tree)
                      if isinstance(node, ast.Call)}
            roots = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute):
                    inner = node.value
                    while isinstance(inner, ast.Attribute):
                        inner = inner.value
                    roots.add(id(inner))
            for node in ast.walk(tree):
                if (isinstance(node, ast.Name) and id(node) not in called
                        and id(node) not in roots
                        and node.id not in _TRANSFORMS
                        and not (context and node.id in context)):
                    names.add(node.id)
    return sorted(names)


# ----------------------------------------------------------------------
# the design
# ----------------------------------------------------------------------
class FormulaDesign:
    """A fitted formula's design: rebuilds the design matrix of new raw
    data exactly as in the fit.

    Attributes
    ----------
    formula : str
        The formula as given (``"admit ~ gre + C(rank)"``).
    lhs : str or None
        The dependent variable's expression.
    feature_names : list of str
        The design's columns, the intercept left out (the estimator fits
        it): ``feature_names_in_``.
    has_intercept : bool
        Whether the formula has an intercept ("Intercept").
    sparse : bool
        Whether designs are scipy.sparse CSR matrices (else dense float64).
    bool_columns : list of str
        Data columns of dtype bool, coded as categorical.
    """

    intercept_name = INTERCEPT

    def __init__(self, formula, lhs, encoder_state, transform_state,
                 feature_names, has_intercept, sparse, bool_columns,
                 variables, spec=None, context=None):
        self.formula = formula
        self.lhs = lhs
        self._encoder_state = encoder_state
        self._transform_state = transform_state
        self.feature_names = list(feature_names)
        self.has_intercept = bool(has_intercept)
        self.sparse = bool(sparse)
        self.bool_columns = list(bool_columns)
        self.variables = list(variables)
        self._spec = spec
        self._context = context

    def __repr__(self):
        return f"FormulaDesign({self.formula!r})"

    # never pickle the caller's namespace (modules, frames ...) or the
    # formulaic objects: a pickle (or a skops file) holds the plain JSON
    # state of model files, so that skops needs no formulaic type trusted;
    # a state that is not plain JSON (a user function's) is pickled as is
    def __getstate__(self):
        try:
            return {"model_file_state": self.to_state()}
        except ValueError:
            state = dict(self.__dict__)
            state["_spec"] = None
            state["_context"] = None
            return state

    def __setstate__(self, state):
        if set(state) == {"model_file_state"}:
            state = FormulaDesign.from_state(
                state["model_file_state"]).__dict__
        self.__dict__.update(state)

    # -- building -----------------------------------------------------
    @classmethod
    def build(cls, formula, data, *, sparse="auto", missing="raise",
              context=None):
        """The design of ``formula`` on ``data``, and the target.

        Returns
        -------
        design : FormulaDesign
        X : ndarray (C order, float64) or scipy.sparse CSR matrix
            The design without its intercept column.
        y : ndarray
            The dependent variable's values (raw labels).
        rows : ndarray of bool or None
            The rows kept (None: all) when ``missing="drop"``.
        """
        fml = formulaic()
        if not isinstance(formula, str):
            raise TypeError(f"formula must be a string like 'y ~ x1 + x2', "
                            f"got {type(formula).__name__}.")
        if missing not in ("raise", "drop"):
            raise ValueError(f"missing must be 'raise' or 'drop', got "
                             f"{missing!r}.")
        if sparse not in ("auto", True, False):
            raise ValueError(f"sparse must be 'auto', True or False, got "
                             f"{sparse!r}.")
        frame = as_frame(data)
        lhs, rhs = parse_formula(formula)
        if lhs is None or not list(lhs):
            raise ValueError(f"the formula {formula!r} has no left-hand "
                             "side: write it as 'target ~ terms'.")
        lhs_text = str(lhs)
        variables = formula_variables(rhs, context)
        target_variables = formula_variables(lhs, context)
        _check_columns(frame, variables + target_variables, context)
        rows = _missing_rows(frame, variables + target_variables, missing,
                             formula)
        if rows is not None:
            frame = frame.loc[rows]
        columns = [v for v in variables if v in frame.columns]
        bool_columns = [c for c in columns if frame[c].dtype == bool]
        work = _with_categorical_bools(frame, columns, bool_columns)

        matrix = _materialize(lambda: fml.model_matrix(
            rhs, work, output="sparse", na_action="raise",
            context=context or {}))
        spec = matrix.model_spec
        names = list(spec.column_names)
        has_intercept = INTERCEPT in names
        feature_names = [n for n in names if n != INTERCEPT]
        if not feature_names:
            raise ValueError(f"the formula {formula!r} has no terms besides "
                             "the intercept.")
        if sparse == "auto":
            sparse = any(
                len(state.get("categories", ())) >= HIGH_CARDINALITY_LEVELS
                for _, state in spec.encoder_state.values())
        design = cls(formula, lhs_text, spec.encoder_state,
                     spec.transform_state, feature_names, has_intercept,
                     sparse, bool_columns, variables, spec, context)
        X = design._finish(matrix, names)
        y = _target(fml, frame, lhs, lhs_text, context)
        return design, X, y, rows

    def _finish(self, matrix, names):
        """The design matrix without its intercept, in the estimator's
        layout."""
        if list(names) != ([INTERCEPT] if self.has_intercept else []) + \
                self.feature_names:
            raise ValueError(
                "the formula's design for these data has the columns "
                f"{list(names)}, not the fitted "
                f"{self.feature_names} (plus the intercept).")
        matrix = sp.csc_matrix(matrix)
        if self.has_intercept:
            keep = [j for j, n in enumerate(names) if n != INTERCEPT]
            matrix = matrix[:, keep]
        if self.sparse:
            out = sp.csr_matrix(matrix, dtype=np.float64)
            out.sort_indices()
            return out
        return np.ascontiguousarray(matrix.toarray(), dtype=np.float64)

    # -- new data -----------------------------------------------------
    def _model_spec(self):
        if self._spec is None:
            fml = formulaic()
            self._spec = fml.ModelSpec(
                formula=parse_formula(self.formula)[1], output="sparse",
                encoder_state=self._encoder_state,
                transform_state=self._transform_state)
        return self._spec

    def transform(self, data):
        """The design matrix of new raw ``data`` (the columns the formula
        reads), as in the fit.

        Raises
        ------
        ValueError
            A missing column, a missing value, or a categorical level the
            fit did not see.
        TypeError
            ``data`` is not a table.
        """
        frame = as_frame(data, "X (raw data for the formula)")
        _check_columns(frame, self.variables, self._context)
        _missing_rows(frame, self.variables, "raise", self.formula)
        self._check_levels(frame)
        columns = [v for v in self.variables if v in frame.columns]
        work = _with_categorical_bools(frame, columns, self.bool_columns)
        spec = self._model_spec()
        matrix = _materialize(lambda: spec.get_model_matrix(
            work, context=self._context or {}, na_action="raise"))
        return self._finish(matrix, list(matrix.model_spec.column_names))

    def _check_levels(self, frame):
        """Levels of the categorical factors that read one data column
        directly (``c``, ``C(c)``, ``C(c, ...)``) against the fitted ones,
        naming the factor (other factors: formulaic's warning, made an
        error by :func:`_materialize`)."""
        pd = _pandas()
        for expr, (kind, state) in self._encoder_state.items():
            if getattr(kind, "value", kind) != "categorical":
                continue
            match = re.fullmatch(r"C\(\s*`?([^,`]+?)`?\s*(,.*)?\)", expr)
            column = match.group(1).strip() if match else expr
            if column not in frame.columns:
                continue
            levels = state.get("categories", [])
            seen = set(levels)
            values = frame[column]
            if column in self.bool_columns and values.dtype != bool:
                raise ValueError(
                    f"column {column!r} was bool in the fit, got "
                    f"{values.dtype}.")
            unseen = [v for v in pd.unique(values) if v not in seen]
            if unseen:
                raise ValueError(
                    f"{expr} has level(s) {sorted(map(str, unseen))} that "
                    f"the fit did not see (its levels: "
                    f"{[str(v) for v in levels]}); a model cannot score a "
                    "level it has no coefficient for.")

    # -- model files --------------------------------------------------
    def to_state(self):
        """The JSON-ready state (``clogit._model_files``); ValueError when
        some part cannot be written as JSON or reloaded safely."""
        fml = formulaic()
        check_safe_formula(parse_formula(self.formula)[1])
        encoder = {}
        for expr, (kind, state) in self._encoder_state.items():
            kept = {k: v for k, v in state.items() if k != "contrasts"}
            encoder[expr] = {"kind": getattr(kind, "value", kind),
                             "state": kept}
        return {
            "formula": self.formula, "lhs": self.lhs,
            "feature_names": list(self.feature_names),
            "intercept": self.has_intercept, "sparse": self.sparse,
            "bool_columns": list(self.bool_columns),
            "variables": list(self.variables),
            "encoder_state": encode_state(encoder, "encoder state"),
            "transform_state": encode_state(dict(self._transform_state),
                                            "transform state"),
            "formulaic_version": str(fml.__version__),
        }

    @classmethod
    def from_state(cls, state):
        """Rebuild from :meth:`to_state`'s dict, checking every field
        (ValueError on anything malformed or unsafe)."""
        keys = ("formula", "lhs", "feature_names", "intercept", "sparse",
                "bool_columns", "variables", "encoder_state",
                "transform_state", "formulaic_version")
        if not isinstance(state, dict) or set(state) != set(keys):
            raise ValueError(f"must be an object with the keys {keys}.")
        if (not isinstance(state["formula"], str)
                or len(state["formula"]) > _MAX_FORMULA_CHARS):
            raise ValueError(f"formula must be a string of at most "
                             f"{_MAX_FORMULA_CHARS} characters.")
        if state["lhs"] is not None and not isinstance(state["lhs"], str):
            raise ValueError("lhs must be null or a string.")
        for key in ("feature_names", "bool_columns", "variables"):
            if not (isinstance(state[key], list)
                    and all(isinstance(v, str) for v in state[key])):
                raise ValueError(f"{key} must be a list of strings.")
        for key in ("intercept", "sparse"):
            if not isinstance(state[key], bool):
                raise ValueError(f"{key} must be true or false.")
        if not isinstance(state["formulaic_version"], str):
            raise ValueError("formulaic_version must be a string.")
        fml = formulaic()
        check_safe_formula(parse_formula(state["formula"])[1])
        encoder = decode_state(state["encoder_state"], "encoder_state")
        transform = decode_state(state["transform_state"],
                                 "transform_state")
        if not isinstance(encoder, dict) or not isinstance(transform, dict):
            raise ValueError("encoder_state and transform_state must be "
                             "dicts.")
        Kind = fml.parser.types.Factor.Kind
        encoder_state = {}
        for expr, entry in encoder.items():
            if (not isinstance(expr, str) or not isinstance(entry, dict)
                    or set(entry) != {"kind", "state"}
                    or not isinstance(entry["state"], dict)):
                raise ValueError("encoder_state entries must be "
                                 "{kind, state} objects keyed by term.")
            try:
                kind = Kind(entry["kind"])
            except ValueError:
                raise ValueError(f"unknown factor kind "
                                 f"{entry['kind']!r}.") from None
            encoder_state[expr] = (kind, entry["state"])
        if not all(isinstance(k, str) and isinstance(v, dict)
                   for k, v in transform.items()):
            raise ValueError("transform_state must map terms to objects.")
        return cls(state["formula"], state["lhs"], encoder_state, transform, state["feature_names"],
                   state["intercept"], state["sparse"],
                   state["bool_columns"], state["variables"])


# ----------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------
def _check_columns(frame, variables, context):
    missing = [v for v in variables
               if v not in frame.columns and not (context and v in context)]
    if missing:
        raise ValueError(
            f"the data lack the column(s) {missing} the formula reads "
            f"(columns: {[str(c) for c in frame.columns]}).")


def _missing_rows(frame, variables, missing, formula):
    """Rows to keep (``missing="drop"``; None when all are complete), or a
    ValueError naming the columns with missing values."""
    columns = [v for v in variables if v in frame.columns]
    if not columns:
        return None
    na = frame[columns].isna()
    bad = na.any(axis=1).to_numpy()
    if not bad.any():
        return None
    if missing == "drop":
        return ~bad
    names = [c for c in columns if na[c].any()]
    raise ValueError(
        f"the column(s) {names} read by the formula {formula!r} hold "
        f"missing values ({int(bad.sum())} row(s)); drop or impute them "
        "(clogit.logit(..., missing='drop') drops them when fitting).")


def _with_categorical_bools(frame, columns, bool_columns):
    """The formula's columns, bool columns as categoricals with the levels
    [False, True] (treatment coded ``name[T.True]``, as patsy)."""
    pd = _pandas()
    work = frame[columns].copy() if columns else frame.iloc[:, :0].copy()
    for column in bool_columns:
        if column in work.columns:
            work[column] = pd.Categorical(work[column],
                                          categories=[False, True])
    return work


def _materialize(build):
    """Run a formulaic materialization: its unseen-level warning becomes a
    ValueError, and its errors ValueErrors."""
    fml = formulaic()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("error",
                                    category=fml.errors.DataMismatchWarning)
            return build()
    except fml.errors.DataMismatchWarning as exc:
        raise ValueError(f"the data do not match the fitted formula: "
                         f"{exc}") from None
    except fml.errors.FormulaicError as exc:
        raise ValueError(f"cannot build the formula's design: {exc}") \
            from None


def _target(fml, frame, lhs, lhs_text, context):
    """The dependent variable: the raw column when the left-hand side names
    one (labels of any type), else the single column formulaic makes of
    it."""
    name = lhs_text.strip().strip("`")
    if name in frame.columns:
        return np.asarray(frame[name])
    matrix = _materialize(lambda: fml.model_matrix(
        lhs_text, frame, output="numpy", na_action="raise",
        ensure_full_rank=False, context=context or {}))
    values = np.asarray(matrix)
    names = list(matrix.model_spec.column_names)
    if INTERCEPT in names:
        values = values[:, [j for j, n in enumerate(names)
                            if n != INTERCEPT]]
    if values.ndim != 2 or values.shape[1] != 1:
        raise ValueError(f"the left-hand side {lhs_text!r} must make one "
                         f"column, got {values.shape[1]}.")
    return values[:, 0]


def formula_names(formula: str) -> set[str]:
    """The identifiers a formula string mentions (to capture only those of
    the caller's namespace)."""
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", formula))


__all__ = ["FormulaDesign", "HIGH_CARDINALITY_LEVELS", "as_frame",
           "check_safe_formula", "decode_state", "encode_state",
           "formula_names", "formulaic"]
