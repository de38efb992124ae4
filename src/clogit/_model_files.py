"""Model files: a small JSON document instead of pickle.

Loading a pickle runs arbitrary code; loading a clogit model file only
parses JSON (no ``pickle``, ``eval`` or imports driven by the file) and
rebuilds the estimator from plain numbers and strings after checking every
field.  Anything unexpected -- truncated JSON, a wrong shape, a non-finite
coefficient, an unknown format or version, an unknown key (``"__reduce__"``,
``"py/object"``, ...) or a value of the wrong type -- raises ``ValueError``.

Format ``"clogit-model"``, version 2, one JSON object::

    {
      "format": "clogit-model",
      "format_version": 2,
      "clogit_version": "0.1.0",          # informational
      "estimator": "LogisticRegression",
      "kind": "binary",                    # or "ovr", "multinomial"
      "params": {...},                     # get_params(); see _encode_param
      "classes": {"dtype": "<i8", "values": [0, 1]},
      "coef": [[...]],                     # (n_problems, n_features)
      "intercept": [...],                  # (n_problems,)
      "n_features_in": 30,
      "feature_names": ["a", ...] or null,
      "n_iter": [7],                       # (n_problems,), (1,) softmax
      "converged": true,
      "target_name": "GRADE" or null,      # the summary's Dep. Variable
      "inference": [{...}] or null,        # one per fit, see below
      "formula": {...} or null             # clogit.logit's design
    }

``inference`` holds what the results need without the training data, for
each binary problem (one per class for One-vs-Rest; one entry for a softmax
fit): ``cov_type``, ``penalty`` (the one in effect), ``n_samples``,
``n_obs``, ``loglik``, ``loglik_null``, ``n_params``, ``n_groups``,
``separated``, ``solver`` and ``covariance``, the lower triangle of the
covariance row by row (intercept first; null when the Hessian was
singular).  It is null when the fit gave no inference (l1 / elastic net)
or when computing it would take a pass over the data (a fit whose solver
left no Hessian and whose inference was never asked for: ``save`` never
reads the training data).  ``formula`` is
``clogit._formula_design.FormulaDesign.to_state()``: the formula, the
levels of its categorical factors and the state of its stateful
transforms.  Files of format version 1 (no ``target_name``,
``inference``, ``formula``) still load, without inference.

``kind`` is the model fitted, which ``predict_proba`` needs ("ovr"
normalizes K sigmoids, "multinomial" takes their softmax): it is recorded,
not re-derived from ``multi_class``, whose "auto" may change meaning between
releases.  ``n_problems`` is 1 for "binary" (two classes), else the number of
classes (at least 3); a softmax fit has one iteration count.  Numbers
are written with Python's shortest round-trip repr, so a loaded model's
coefficients, and hence its ``predict_proba``, are bit-identical.  Strict
JSON: non-finite numbers are never written (``C=inf`` is the tagged value
``{"float": "inf"}``) and ``NaN``/``Infinity`` literals are refused on load.

Bounded in time and memory (see ``clogit._files``): ``save`` writes
atomically (a temporary file in the same directory, fsync, rename: a failed
save leaves the previous file intact) and refuses a target that is not a
regular file; ``load`` reads only regular files (never blocking on a FIFO,
never reading a device such as ``/dev/zero``) of at most
``MAX_FILE_BYTES``, parses integers of at most ``_MAX_INT_DIGITS`` digits
(longer ones cost quadratic time to convert) and labels of at most
``MAX_LABEL_CHARS`` characters.  String labels are stored with the width
they need: ``"<U5"`` for labels of at most 5 characters, whatever width the
fitted array had, so that a small file cannot declare ``"<U100000000"`` and
make every predicted label 400 MB.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._files import atomic_writer, open_for_reading, read_bounded
from ._formula_design import FormulaDesign
from ._inference.binary import BinaryFit, effective_penalty
from ._inference.multinomial import MultinomialFit
from ._inference.problem import unsupported_penalty_text
from ._version import __version__

FORMAT = "clogit-model"
FORMAT_VERSION = 2
# versions this release reads
_READABLE_VERSIONS = (1, 2)
_KEYS_V1 = ("format", "format_version", "clogit_version", "estimator",
            "kind", "params", "classes", "coef", "intercept",
            "n_features_in", "feature_names", "n_iter", "converged")
_KEYS = _KEYS_V1 + ("target_name", "inference", "formula")
_INFERENCE_KEYS = ("cov_type", "penalty", "n_samples", "n_obs", "loglik",
                   "loglik_null", "n_params", "n_groups", "separated",
                   "solver", "covariance")
_KINDS = ("binary", "ovr", "multinomial")
# numpy dtype kinds a label array may have: bool, ints, floats, str, and
# object arrays of str (as pandas string columns give).
_LABEL_KINDS = "biufUO"
# Largest model file written or read: about 13 million coefficients.  Its
# parsed form takes a few times its size (Python floats and lists).
MAX_FILE_BYTES = 256 * 2**20
# Longest class label (characters), written or read.
MAX_LABEL_CHARS = 1024
# Integers in a model file are labels, counts and hyper-parameters: int64
# needs 19 digits.  (Python's int() is quadratic in the digits.)
_MAX_INT_DIGITS = 40


def _bad(message):
    return ValueError(f"malformed clogit model file: {message}")


# ---------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------
def _plain(value, what):
    """A JSON scalar from a Python/numpy scalar (refusing anything else)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isfinite(value):
            return value
        # strict JSON has no inf/nan: a tagged value instead
        return {"float": repr(value)}
    raise ValueError(f"{what} = {value!r} cannot be saved in a clogit model "
                     "file (only None, bool, numbers and str can).")


def _encode_classes(classes):
    dtype = classes.dtype
    if dtype.kind not in _LABEL_KINDS:
        raise ValueError(f"classes of dtype {dtype} cannot be saved in a "
                         "clogit model file.")
    values = classes.tolist()
    if dtype.kind == "O" and not all(isinstance(v, str) for v in values):
        kinds = sorted({type(v).__name__ for v in values})
        raise ValueError(
            "classes of dtype object can be saved only when every label is a "
            f"str, got labels of type {', '.join(kinds)}. Convert the labels "
            "to str, int, float or bool before fitting.")
    if dtype.kind == "f" and not all(math.isfinite(v) for v in values):
        raise ValueError("classes contain non-finite floats, which a clogit "
                         "model file cannot hold.")
    if dtype.kind in "UO":
        longest = max(len(v) for v in values)
        if longest > MAX_LABEL_CHARS:
            raise ValueError(
                f"a class label has {longest} characters; a clogit model "
                f"file holds labels of at most {MAX_LABEL_CHARS}.")
        if dtype.kind == "U":
            dtype = np.dtype(f"{dtype.byteorder}U{max(longest, 1)}")
    return {"dtype": dtype.str, "values": values}


def _encode_param(name, value):
    if name == "class_weight" and isinstance(value, dict):
        return {"dict": [[_plain(k.item() if isinstance(k, np.generic) else k,
                                 f"class_weight key {k!r}"),
                          _plain(v, f"class_weight[{k!r}]")]
                         for k, v in value.items()]}
    return _plain(value, f"hyper-parameter {name}")


def _stored_covariance(fit):
    """The covariance of ``fit`` if it costs no pass over the data (already
    computed, or from the solver's factor or an assembled Hessian), else
    None."""
    if fit._cov is None and fit.source is not None and (
            getattr(fit, "factor", None) is None and fit.hessian is None):
        return None
    try:
        return fit.covariance, fit.n_params
    except ValueError:  # the data are gone and nothing was computed
        return None


def _encode_inference(estimator):
    """The ``inference`` field: one entry per fit, or None (see the module
    docstring)."""
    fits = getattr(estimator, "_inference_fits", None)
    if not fits or any(fit.unavailable for fit in fits):
        return None
    entries = []
    for fit in fits:
        stored = _stored_covariance(fit)
        if stored is None:
            return None
        cov, n_params = stored
        if np.all(np.isfinite(cov)):
            tril = [cov[i, :i + 1].tolist() for i in range(cov.shape[0])]
        elif np.all(np.isnan(cov)):
            tril = None  # singular Hessian: no covariance exists
        else:
            return None
        entries.append({
            "cov_type": fit.cov_type, "penalty": fit.penalty,
            "n_samples": int(fit.n_samples), "n_obs": float(fit.n_obs),
            "loglik": float(fit.loglik),
            "loglik_null": float(fit.loglik_null),
            "n_params": float(n_params),
            "n_groups": None if fit.n_groups is None else int(fit.n_groups),
            "separated": bool(fit.separated), "solver": str(fit.solver),
            "covariance": tril,
        })
    if not all(math.isfinite(v) for entry in entries
               for v in (entry["n_obs"], entry["loglik"],
                         entry["loglik_null"], entry["n_params"])):
        return None
    return entries


def to_document(estimator):
    """The JSON-ready dict of a fitted estimator."""
    check_is_fitted(estimator)
    names = getattr(estimator, "feature_names_in_", None)
    coef = estimator.coef_
    if hasattr(coef, "toarray"):  # sparsified
        coef = coef.toarray()
    coef = np.asarray(coef, dtype=np.float64)
    intercept = np.asarray(estimator.intercept_, dtype=np.float64)
    if getattr(estimator, "_multinomial", False):
        kind = "multinomial"
    else:
        kind = "binary" if coef.shape[0] == 1 else "ovr"
    if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
        raise ValueError("the model has non-finite coefficients; it cannot "
                         "be saved.")
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "clogit_version": __version__,
        "estimator": type(estimator).__name__,
        "kind": kind,
        "params": {name: _encode_param(name, value) for name, value
                   in estimator.get_params(deep=False).items()},
        "classes": _encode_classes(np.asarray(estimator.classes_)),
        "coef": coef.tolist(),
        "intercept": intercept.tolist(),
        "n_features_in": int(estimator.n_features_in_),
        "feature_names": None if names is None else [str(n) for n in names],
        "n_iter": [int(n) for n in np.ravel(estimator.n_iter_)],
        "converged": bool(estimator.converged_),
        "target_name": (None if getattr(estimator, "_target_name", None)
                        is None else str(estimator._target_name)),
        "inference": _encode_inference(estimator),
        "formula": (None if getattr(estimator, "formula_", None) is None
                    else estimator.formula_.to_state()),
    }


def save(estimator, path):
    """Write ``estimator`` as JSON to ``path`` (str, path-like or a
    writable text file object), atomically for a path."""
    document = to_document(estimator)
    text = json.dumps(document, allow_nan=False, indent=1)
    if len(text) > MAX_FILE_BYTES and document["inference"] is not None:
        # the covariances grow as the square of the coefficients: the model
        # itself may still fit, without them
        size = len(text)
        document["inference"] = None
        text = json.dumps(document, allow_nan=False, indent=1)
        if len(text) <= MAX_FILE_BYTES:
            warnings.warn(
                f"The model is saved without its inference: with the "
                f"covariances the file would have {size:,} bytes, more than "
                f"the {MAX_FILE_BYTES:,} clogit.load reads. The loaded model "
                "predicts as this one but has no standard errors.",
                UserWarning, stacklevel=3)
    if len(text) > MAX_FILE_BYTES:  # ASCII: characters are bytes
        raise ValueError(
            f"the model file would have {len(text):,} bytes, more than the "
            f"{MAX_FILE_BYTES:,} clogit.load reads.")
    if hasattr(path, "write"):
        path.write(text)
        return
    with atomic_writer(path) as f:
        f.write(text)


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------
def _no_constants(name):
    raise _bad(f"non-standard JSON constant {name} (NaN and Infinity are "
               "not allowed).")


def _unique_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise _bad(f"duplicate key in {keys}.")
    return dict(pairs)


def _bounded_int(digits):
    if len(digits.lstrip("-")) > _MAX_INT_DIGITS:
        raise _bad(f"an integer too large to read ({len(digits)} digits; "
                   f"at most {_MAX_INT_DIGITS} are read).")
    return int(digits)


def _parse(text):
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _bad(f"not UTF-8 text ({exc}).") from None
    if not isinstance(text, str):
        raise TypeError("a model file must hold text.")
    try:
        return json.loads(text, parse_constant=_no_constants,
                          parse_int=_bounded_int,
                          object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise _bad(f"not valid JSON ({exc}); the file may be truncated.") \
            from None
    except RecursionError:
        raise _bad("nested too deeply.") from None
    except ValueError as exc:
        if str(exc).startswith("malformed clogit model file"):
            raise
        raise _bad(f"not valid JSON ({exc}).") from None


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_keys(mapping, allowed, what, required=True):
    if not isinstance(mapping, dict):
        raise _bad(f"{what} must be a JSON object, got "
                   f"{type(mapping).__name__}.")
    unknown = sorted(set(mapping) - set(allowed))
    if unknown:
        raise _bad(f"unknown key(s) {unknown} in {what}.")
    missing = [k for k in allowed if k not in mapping]
    if required and missing:
        raise _bad(f"missing key(s) {missing} in {what}.")


def _numbers(value, shape, what):
    """A finite float64 array of exactly ``shape`` from nested lists."""
    def walk(v, dims, path):
        if not dims:
            if not _is_number(v):
                raise _bad(f"{what}{path} must be a number, got {v!r}.")
            v = float(v)  # ints beyond float range overflow here
            if not math.isfinite(v):
                raise _bad(f"{what}{path} is not finite.")
            return v
        if not isinstance(v, list) or len(v) != dims[0]:
            got = len(v) if isinstance(v, list) else type(v).__name__
            raise _bad(f"{what}{path} must be a list of {dims[0]} entries, "
                       f"got {got}.")
        return [walk(item, dims[1:], f"{path}[{i}]")
                for i, item in enumerate(v)]
    try:
        return np.array(walk(value, list(shape), ""), dtype=np.float64)
    except OverflowError:
        raise _bad(f"{what} has a number too large for float64.") from None


def _decode_classes(doc):
    _check_keys(doc, ("dtype", "values"), "classes")
    name, values = doc["dtype"], doc["values"]
    if not isinstance(name, str) or len(name) > 16:
        raise _bad(f"classes.dtype must be a numpy dtype string, got "
                   f"{name!r}.")
    try:
        dtype = np.dtype(name)
    except TypeError:
        raise _bad(f"unknown classes.dtype {name!r}.") from None
    if dtype.kind not in _LABEL_KINDS or dtype.fields is not None:
        raise _bad(f"classes.dtype {name!r} is not a supported label type "
                   "(bool, int, float, str).")
    if not isinstance(values, list) or len(values) < 2:
        raise _bad("classes.values must be a list of at least 2 labels.")
    check = {
        "b": lambda v: isinstance(v, bool),
        "i": _is_int, "u": _is_int,
        "f": lambda v: _is_number(v) and math.isfinite(v),
        "U": lambda v: isinstance(v, str),
        "O": lambda v: isinstance(v, str),
    }[dtype.kind]
    for v in values:
        if not check(v):
            raise _bad(f"label {v!r} does not match classes.dtype {name!r}.")
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if not all(info.min <= v <= info.max for v in values):
            raise _bad(f"a label does not fit classes.dtype {name!r}.")
    if dtype.kind in "UO":
        longest = max(map(len, values))
        if longest > MAX_LABEL_CHARS:
            raise _bad(f"a label has {longest} characters (at most "
                       f"{MAX_LABEL_CHARS} are read).")
    if dtype.kind == "U":
        if dtype.itemsize and longest > dtype.itemsize // 4:
            raise _bad(f"a label is longer than classes.dtype {name!r} "
                       "allows.")
        # the width the labels need, never the (possibly huge) declared one
        dtype = np.dtype(f"{dtype.byteorder}U{max(longest, 1)}")
    if dtype.kind == "O":
        classes = np.empty(len(values), dtype=object)
        classes[:] = values
    else:
        classes = np.array(values, dtype=dtype)
    if dtype.kind == "f" and not np.array_equal(classes.astype(np.float64),
                                                np.array(values, float)):
        raise _bad(f"a label is not representable in {name!r}.")
    if not all(a < b for a, b in zip(values[:-1], values[1:])):
        raise _bad("classes.values must be unique and sorted (as "
                   "numpy.unique returns them).")
    return classes


def _decode_param(name, value):
    if isinstance(value, dict):
        if set(value) == {"float"} and value["float"] in ("inf", "-inf"):
            return float(value["float"])
        if name == "class_weight" and set(value) == {"dict"}:
            pairs = value["dict"]
            if not isinstance(pairs, list) or not all(
                    isinstance(p, list) and len(p) == 2 for p in pairs):
                raise _bad("params.class_weight.dict must be a list of "
                           "[label, weight] pairs.")
            for key, weight in pairs:
                if not isinstance(key, (str, int, float, bool)):
                    raise _bad(f"class_weight label {key!r} is not a scalar.")
                if not (_is_number(weight) and math.isfinite(weight)):
                    raise _bad(f"class_weight weight {weight!r} is not a "
                               "finite number.")
            return {key: weight for key, weight in pairs}
        raise _bad(f"params.{name} has an unsupported value {value!r}.")
    if value is not None and not isinstance(value, (bool, int, float, str)):
        raise _bad(f"params.{name} must be null, a bool, a number or a "
                   f"string, got {type(value).__name__}.")
    return value


def from_document(doc, estimator_class):
    """Rebuild a fitted ``estimator_class`` (``clogit.LogisticRegression``)
    from a parsed model document."""
    if not isinstance(doc, dict):
        raise _bad(f"the document must be a JSON object, got "
                   f"{type(doc).__name__}.")
    if doc.get("format") != FORMAT:
        raise _bad(f"format must be {FORMAT!r}, got {doc.get('format')!r}; "
                   "this is not a clogit model file.")
    version = doc.get("format_version")
    if not _is_int(version) or version not in _READABLE_VERSIONS:
        raise _bad(f"unsupported format_version {version!r}; this clogit "
                   f"reads versions 1 to {FORMAT_VERSION}. Upgrade clogit "
                   "to load files written by a newer release.")
    _check_keys(doc, _KEYS if version >= 2 else _KEYS_V1, "the model file")
    if not isinstance(doc["clogit_version"], str):
        raise _bad("clogit_version must be a string.")
    if doc["estimator"] != "LogisticRegression":
        raise _bad(f"unknown estimator {doc['estimator']!r}.")

    defaults = estimator_class().get_params(deep=False)
    _check_keys(doc["params"], tuple(defaults), "params", required=False)
    params = {name: _decode_param(name, value)
              for name, value in doc["params"].items()}
    estimator = estimator_class(**params)
    try:
        # validation warnings (an ignored l1_ratio ...) were given at fit
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator._validate_params()
    except (ValueError, TypeError) as exc:
        raise _bad(f"invalid hyper-parameters: {exc}") from None

    classes = _decode_classes(doc["classes"])
    kind = doc["kind"]
    if kind not in _KINDS:
        raise _bad(f"kind must be one of {', '.join(_KINDS)}, got {kind!r}.")
    if (kind == "binary") != (len(classes) == 2):
        raise _bad(f"kind {kind!r} does not match {len(classes)} classes.")
    n_features = doc["n_features_in"]
    if not _is_int(n_features) or n_features < 1:
        raise _bad(f"n_features_in must be a positive integer, got "
                   f"{n_features!r}.")
    n_problems = 1 if kind == "binary" else len(classes)
    n_fits = n_problems if kind == "ovr" else 1
    coef = _numbers(doc["coef"], (n_problems, n_features), "coef")
    intercept = _numbers(doc["intercept"], (n_problems,), "intercept")
    if not estimator.fit_intercept and np.any(intercept != 0.0):
        raise _bad("intercept must be 0 when fit_intercept is false.")
    n_iter = doc["n_iter"]
    if (not isinstance(n_iter, list) or len(n_iter) != n_fits
            or not all(_is_int(n) and 0 <= n <= 2**31 - 1 for n in n_iter)):
        raise _bad(f"n_iter must be a list of {n_fits} non-negative "
                   "integers.")
    if not isinstance(doc["converged"], bool):
        raise _bad("converged must be true or false.")
    names = doc["feature_names"]
    if names is not None and (
            not isinstance(names, list) or len(names) != n_features
            or not all(isinstance(n, str) for n in names)):
        raise _bad(f"feature_names must be null or a list of {n_features} "
                   "strings.")

    target_name = doc.get("target_name")
    if target_name is not None and not isinstance(target_name, str):
        raise _bad("target_name must be null or a string.")
    formula = doc.get("formula")
    if formula is not None:
        try:
            design = FormulaDesign.from_state(formula)
        except (ValueError, TypeError) as exc:
            raise _bad(f"formula: {exc}") from None
        if design.feature_names != (names or []):
            raise _bad("formula: its design's columns are not the model's "
                       "feature_names.")
        if design.has_intercept != estimator.fit_intercept:
            raise _bad("formula: its intercept does not match "
                       "fit_intercept.")

    estimator.classes_ = classes
    estimator.coef_ = coef
    estimator.intercept_ = intercept
    estimator.n_iter_ = np.array(n_iter, dtype=np.int32)
    estimator.converged_ = doc["converged"]
    estimator.n_features_in_ = n_features
    estimator._multinomial = kind == "multinomial"
    estimator._target_name = target_name
    if names is not None:
        estimator.feature_names_in_ = np.array(names, dtype=object)
    if formula is not None:
        estimator.formula_ = design
    estimator._inference_fits = _decode_inference(
        doc.get("inference"), estimator, kind, n_iter, doc["converged"])
    return estimator


def _decode_inference(entries, estimator, kind, n_iter, converged):
    """The per-problem fits of a loaded model (empty list: none stored;
    l1 / elastic-net fits get the reason inference is unavailable)."""
    penalty = effective_penalty(estimator.penalty, estimator.C)
    n_fits = estimator.coef_.shape[0] if kind == "ovr" else 1
    if entries is None:
        if penalty in ("l1", "elasticnet"):
            return [_problem_fit(estimator, kind, k, penalty, None, n_iter,
                                 converged) for k in range(n_fits)]
        return []
    if not isinstance(entries, list) or len(entries) != n_fits:
        raise _bad(f"inference must be null or a list of {n_fits} "
                   "entries.")
    return [_problem_fit(estimator, kind, k, penalty, entry, n_iter,
                         converged) for k, entry in enumerate(entries)]


def _problem_fit(estimator, kind, k, penalty, entry, n_iter, converged):
    """The BinaryFit / MultinomialFit of problem ``k`` from its stored
    ``entry`` (None: only the reason there is none)."""
    fit_intercept = estimator.fit_intercept
    coef, intercept = estimator.coef_, estimator.intercept_
    common = dict(fit_intercept=fit_intercept,
                  C=1.0 if penalty is None else float(estimator.C),
                  alpha=1.0 if penalty == "l2" else 0.0, penalty=penalty,
                  cov_type=estimator.cov_type,
                  n_iter=int(n_iter[min(k, len(n_iter) - 1)]),
                  converged=converged)
    if kind == "multinomial":
        full = (np.hstack([coef, intercept[:, None]]) if fit_intercept
                else coef.copy())
        fit = MultinomialFit(coef=full, **common)
        n_coef = (full.shape[0] - 1) * full.shape[1]
    else:
        row = (np.append(coef[k], intercept[k]) if fit_intercept
               else coef[k].copy())
        fit = BinaryFit(coef=row, **common)
        n_coef = row.shape[0]
    if entry is None:
        fit.unavailable = unsupported_penalty_text(penalty)
        return fit
    what = f"inference[{k}]"
    _check_keys(entry, _INFERENCE_KEYS, what)
    if entry["cov_type"] != estimator.cov_type:
        raise _bad(f"{what}.cov_type does not match params.cov_type.")
    if entry["penalty"] != penalty:
        raise _bad(f"{what}.penalty does not match the hyper-parameters.")
    n_samples, n_obs = entry["n_samples"], entry["n_obs"]
    if not (_is_int(n_samples) and n_samples >= 1):
        raise _bad(f"{what}.n_samples must be a positive integer.")
    for name in ("n_obs", "loglik", "loglik_null", "n_params"):
        value = entry[name]
        if not (_is_number(value) and math.isfinite(value)):
            raise _bad(f"{what}.{name} must be a finite number.")
    if not (n_obs > 0 and entry["loglik"] <= 0 and entry["loglik_null"] <= 0
            and 0 < entry["n_params"] <= n_coef):
        raise _bad(f"{what}: n_obs, loglik, loglik_null or n_params out of "
                   "range.")
    n_groups = entry["n_groups"]
    if (estimator.cov_type == "cluster") != (n_groups is not None) or (
            n_groups is not None and not (_is_int(n_groups)
                                          and n_groups >= 2)):
        raise _bad(f"{what}.n_groups must be an integer >= 2 for "
                   "cov_type='cluster', else null.")
    if not isinstance(entry["separated"], bool):
        raise _bad(f"{what}.separated must be true or false.")
    if not isinstance(entry["solver"], str) or len(entry["solver"]) > 32:
        raise _bad(f"{what}.solver must be a short string.")
    fit.n_samples, fit.n_obs = n_samples, float(n_obs)
    fit.loglik, fit.loglik_null = float(entry["loglik"]), float(
        entry["loglik_null"])
    fit.n_groups, fit.separated = n_groups, entry["separated"]
    fit.solver = entry["solver"]
    fit._n_params = float(entry["n_params"])
    fit._cov = _decode_covariance(entry["covariance"], n_coef, what)
    return fit


def _decode_covariance(tril, n, what):
    """The symmetric n x n covariance from its lower triangle's rows (None:
    all NaN, a singular Hessian)."""
    if tril is None:
        return np.full((n, n), np.nan)
    if not isinstance(tril, list) or len(tril) != n:
        raise _bad(f"{what}.covariance must be null or {n} rows of its "
                   "lower triangle.")
    cov = np.empty((n, n))
    for i, row in enumerate(tril):
        cov[i, :i + 1] = _numbers(row, (i + 1,), f"{what}.covariance[{i}]")
    lower = np.tril_indices(n, -1)
    cov[lower[1], lower[0]] = cov[lower]
    if np.any(np.diagonal(cov) < 0):
        raise _bad(f"{what}.covariance has a negative variance.")
    return cov


def load(path, estimator_class):
    """Read a model file into a fitted ``estimator_class`` (see
    ``clogit.load``)."""
    if hasattr(path, "read"):
        text = read_bounded(path, MAX_FILE_BYTES, "the model file object",
                            "model file")
    else:
        with open_for_reading(path, max_bytes=MAX_FILE_BYTES,
                              what="model file") as f:
            text = read_bounded(f, MAX_FILE_BYTES, os.fspath(path),
                                "model file")
    return from_document(_parse(text), estimator_class)
