"""The command line (clogit._cli), run as ``python -m clogit`` in a
subprocess with the test's environment (clogit as installed)."""

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import clogit
from clogit import _cli
from _data import BREAST_CANCER_SUBSET, synthetic_binary, synthetic_multiclass


def _env():
    # Relative PYTHONPATH entries (a development run's PYTHONPATH=src)
    # would break in another working directory: make them absolute.
    env = os.environ.copy()
    if env.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.pathsep.join(
            os.path.abspath(p) for p in env["PYTHONPATH"].split(os.pathsep))
    return env


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "clogit", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd,
                          env=_env(), timeout=300)


def _write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _read_csv(path_or_text):
    if "\n" in str(path_or_text):
        text = path_or_text
    else:
        with open(path_or_text) as f:
            text = f.read()
    rows = list(csv.reader(text.splitlines()))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def bc_csv(tmp_path_factory):
    """breast_cancer restricted to BREAST_CANCER_SUBSET, standardized."""
    from sklearn.datasets import load_breast_cancer
    data = load_breast_cancer()
    X = data.data[:, BREAST_CANCER_SUBSET]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    names = [str(n).replace(" ", "_")
             for n in data.feature_names[BREAST_CANCER_SUBSET]]
    path = tmp_path_factory.mktemp("cli") / "bc.csv"
    _write_csv(path, names + ["target"],
               [[repr(float(v)) for v in row] + [int(t)]
                for row, t in zip(X, data.target)])
    return path, X, data.target, names


def _assert_bad_input(result, *fragments):
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("clogit: error: "), lines
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def test_fit_prints_the_summary_and_matches_statsmodels(bc_csv):
    sm = pytest.importorskip("statsmodels.api")
    path, X, y, names = bc_csv
    result = run("fit", path, "--target", "target", "--penalty", "none")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in ["Logit Regression Results", "Dep. Variable:",
                     "target", "MLE", "const", *names]:
        assert expected in out
    assert "clogit: fitting 569 x 9 ... done in" in result.stderr
    ref = sm.Logit(y, sm.add_constant(X)).fit(method="newton", tol=1e-12,
                                              disp=0)
    # statsmodels' formats: Log-Likelihood / LL-Null %#8.5g, coef %.4f,
    # std err %.3f
    assert f"{ref.llf:#8.5g}" in out and f"{ref.llnull:#8.5g}" in out
    for name, coef, se in zip(["const"] + names, ref.params, ref.bse):
        row = next(line for line in out.splitlines()
                   if line.split() and line.split()[0] == name)
        assert row.split()[1:3] == [f"{coef:.4f}", f"{se:.3f}"]


def test_fit_save_and_predict_round_trip(bc_csv, tmp_path):
    path, X, y, names = bc_csv
    model = tmp_path / "model.json"
    result = run("fit", path, "--target", "target", "--C", "0.5",
                 "--max-iter", "50", "--tol", "1e-9", "-o", model)
    assert result.returncode == 0, result.stderr
    assert model.exists()
    loaded = clogit.load(model)
    assert list(loaded.feature_names_in_) == names and loaded.C == 0.5
    # same data, same fit in process (BLAS results may differ in the last
    # bit with the arrays' memory alignment)
    clf = clogit.LogisticRegression(C=0.5, max_iter=50, tol=1e-9).fit(X, y)
    np.testing.assert_allclose(loaded.coef_, clf.coef_, rtol=1e-12)

    result = run("predict", model, path, "--proba")
    assert result.returncode == 0, result.stderr
    header, rows = _read_csv(result.stdout)
    assert header == ["0", "1"]
    proba = np.array(rows, dtype=np.float64)
    frame = _cli.as_named(X, names)
    np.testing.assert_allclose(proba, loaded.predict_proba(frame),
                               rtol=1e-13)
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=1e-10)
    assert "ignoring column(s) not in the model: target" in result.stderr

    out = tmp_path / "pred.csv"
    result = run("predict", model, path, "-o", out)
    assert result.returncode == 0 and result.stdout == ""
    header, rows = _read_csv(out)
    assert header == ["prediction"]
    np.testing.assert_array_equal(np.array(rows, dtype=int).ravel(),
                                  clf.predict(X))


def test_predict_matches_columns_by_name(bc_csv, bc_model, tmp_path):
    path, X, y, names = bc_csv
    model = bc_model
    shuffled = _write_csv(tmp_path / "shuffled.csv", names[::-1],
                          [[repr(float(v)) for v in row[::-1]] for row in X])
    a = run("predict", model, path, "--proba")
    b = run("predict", model, shuffled, "--proba")
    assert b.returncode == 0 and a.stdout == b.stdout


def test_multiclass_string_labels(tmp_path):
    X, y = synthetic_multiclass(n=300)
    header = [f"f{j}" for j in range(X.shape[1])] + ["animal"]
    path = _write_csv(tmp_path / "zoo.csv", header,
                      [[repr(float(v)) for v in row] + [label]
                       for row, label in zip(X, y)])
    model = tmp_path / "zoo.json"
    result = run("fit", path, "--target", "animal", "--multi-class", "ovr",
                 "--class-weight", "balanced", "-o", model)
    assert result.returncode == 0, result.stderr
    assert "vs rest" in result.stdout
    result = run("predict", model, path)
    header, rows = _read_csv(result.stdout)
    clf = clogit.LogisticRegression(class_weight="balanced",
                                    multi_class="ovr").fit(X, y)
    assert [r[0] for r in rows] == clf.predict(X).tolist()


def test_warnings_go_to_stderr_in_one_line_each(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 2))
    y = (X[:, 1] > 0).astype(int)
    path = _write_csv(tmp_path / "sep.csv", ["a", "b", "y"],
                      [[*map(repr, map(float, row)), t]
                       for row, t in zip(X, y)])
    result = run("fit", path, "--target", "y", "--penalty", "none")
    assert result.returncode == 0, result.stderr
    warning = [line for line in result.stderr.splitlines()
               if "SeparationWarning" in line]
    assert len(warning) == 1 and "feature b" in warning[0]
    assert "separation" in result.stdout  # the summary's note


def test_l1_fit_prints_coefficients_without_inference(bc_csv):
    path, *_ = bc_csv
    result = run("fit", path, "--target", "target", "--penalty", "l1")
    assert result.returncode == 0, result.stderr
    assert "Coefficients (no standard errors" in result.stdout
    assert "const" in result.stdout


@pytest.fixture(scope="module")
def bc_model(bc_csv, tmp_path_factory):
    path, *_ = bc_csv
    model = tmp_path_factory.mktemp("model") / "model.json"
    assert _cli.main(["fit", str(path), "--target", "target", "-o",
                      str(model)]) == 0
    return model


def _bad_files(tmp, bc_csv, bc_model):
    """name -> (argv, fragments of the expected error line)."""
    path, X, y, names = bc_csv
    text = _write_csv(tmp / "text.csv", ["a", "b", "y"],
                      [["1.0", "2.0", "0"], ["1.5", "red", "1"],
                       ["0.5", "2.5", "1"]])
    headless = _write_csv(tmp / "headless.csv", ["1.0", "2.0", "0"],
                          [["1.5", "2.5", "1"]])
    ragged = _write_csv(tmp / "ragged.csv", ["a", "y"],
                        [["1.0", "0"], ["2.0"]])
    empty = tmp / "empty.csv"
    empty.write_text("")
    one_class = _write_csv(tmp / "one.csv", ["a", "y"],
                           [["1.0", "0"], ["2.0", "0"]])
    truncated = tmp / "truncated.json"
    truncated.write_text(bc_model.read_text()[:50])
    lacking = _write_csv(tmp / "lacking.csv", names[:-1],
                         [[repr(float(v)) for v in row[:-1]] for row in X])
    return {
        "missing data file": (["fit", tmp / "missing.csv", "--target", "y"],
                              ["missing.csv", "No such file"]),
        "missing target": (["fit", path, "--target", "nope"],
                           ["no column 'nope'"]),
        "non-numeric feature": (["fit", text, "--target", "y"],
                                ["'b' is not numeric", "row 2", "'red'"]),
        "no header": (["fit", headless, "--target", "0"], ["header row"]),
        "ragged row": (["fit", ragged, "--target", "y"], ["row 2"]),
        "empty file": (["fit", empty, "--target", "y"], ["empty file"]),
        "one class": (["fit", one_class, "--target", "y"], ["one class"]),
        "bad hyper-parameters": (["fit", path, "--target", "target",
                                  "--penalty", "elasticnet"], ["l1_ratio"]),
        "malformed model": (["predict", truncated, path],
                            ["truncated.json", "malformed clogit model"]),
        "missing model": (["predict", tmp / "none.json", path],
                          ["No such file"]),
        "feature mismatch": (["predict", bc_model, lacking], [names[-1]]),
    }


BAD = ["missing data file", "missing target", "non-numeric feature",
       "no header", "ragged row", "empty file", "one class",
       "bad hyper-parameters", "malformed model", "missing model",
       "feature mismatch"]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_exits_2_with_one_line(case, bc_csv, bc_model, tmp_path,
                                         capsys):
    argv, fragments = _bad_files(tmp_path, bc_csv, bc_model)[case]
    assert _cli.main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("clogit: error: "), lines
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.mark.parametrize("case", ["non-numeric feature", "malformed model",
                                  "feature mismatch"])
def test_bad_input_in_a_subprocess(case, bc_csv, bc_model, tmp_path):
    # end to end: the exit status and stderr of the real command
    argv, fragments = _bad_files(tmp_path, bc_csv, bc_model)[case]
    _assert_bad_input(run(*argv), *fragments)


def test_model_without_feature_names_checks_the_column_count(tmp_path):
    X, y = synthetic_binary(n=100, p=3)
    model = tmp_path / "plain.json"
    clogit.LogisticRegression().fit(X, y).save(model)
    good = _write_csv(tmp_path / "good.csv", ["a", "b", "c"],
                      [[repr(float(v)) for v in row] for row in X])
    assert run("predict", model, good).returncode == 0
    bad = _write_csv(tmp_path / "bad.csv", ["a", "b"],
                     [[repr(float(v)) for v in row[:2]] for row in X])
    _assert_bad_input(run("predict", model, bad), "2 columns", "3 features")


def test_usage_errors_exit_2_with_one_line(capsys):
    # Regression: argparse printed its usage block (8 lines) before the
    # error; now every error is one line.
    _assert_bad_input(run(), "required")
    for argv, fragment in ([["fit", "data.csv"], "--target"],
                           [["fit", "d.csv", "--target", "y", "--C", "-1"],
                            "--C"],
                           [["predict", "model.json"], "data"],
                           [["fit", "d.csv", "--target", "y", "--nope"],
                            "--nope"],
                           [["frobnicate"], "frobnicate"],
                           [["fit", "d.csv", "--target", "y", "--cov-type",
                             "HC9"], "--cov-type"],
                           # checked before any file is read
                           [["fit", "d.csv", "--target", "y", "--cov-type",
                             "cluster"], "--cluster"],
                           [["fit", "d.csv", "--target", "y", "--cov-type",
                             "HC1", "--cluster", "g"], "--cluster"]):
        assert _cli.main(argv) == 2
        err = capsys.readouterr().err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("clogit: error: ")
        assert fragment in lines[0] and "usage" not in err


def test_help_and_version(capsys):
    for argv, expected in ((["--version"], f"clogit {clogit.__version__}"),
                           (["fit", "--help"], "--target")):
        with pytest.raises(SystemExit) as exc:
            _cli.main(argv)
        assert exc.value.code == 0 and expected in capsys.readouterr().out


def test_bench_runs_from_outside_a_checkout(tmp_path):
    # the quick benchmark ships inside the package: from a directory with
    # no bench/ folder (as for an installed clogit) it runs and prints its
    # table (used to fail: "bench/run.py not found")
    result = run("bench", "--quick", "--sizes", "2000x5", "--repeats", "1",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for solver in ("clogit newton", "clogit lbfgs", "sklearn lbfgs",
                   "sklearn newton-cholesky"):
        assert out.count(solver) == 2  # l2 and no penalty
    assert "/sk best" in out and "obj gap" in out
    gaps = [float(line.split()[-1]) for line in out.splitlines()
            if line.startswith("2,000x5")]
    assert len(gaps) == 8 and max(gaps) < 1e-6


def test_bench_bad_size_exits_2(capsys):
    # usage errors are one line and exit status 2, argparse's included
    assert _cli.main(["bench", "--sizes", "10x"]) == 2
    err = capsys.readouterr().err
    assert "--sizes" in err and len(err.strip().splitlines()) == 1


def test_console_script_is_declared():
    # Installed: the entry point pip wrote.  From the sources (the
    # in-place build): the declaration pip will read, pyproject.toml's.
    from importlib import metadata
    try:
        metadata.distribution("clogit")
    except metadata.PackageNotFoundError:
        import tomllib
        pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
        with open(pyproject, "rb") as f:
            scripts = tomllib.load(f)["project"]["scripts"]
        assert scripts == {"clogit": "clogit._cli:main"}
    else:
        entries = metadata.entry_points(group="console_scripts")
        (entry,) = [e for e in entries if e.name == "clogit"]
        assert entry.value == "clogit._cli:main"


def _zoo_csv(tmp_path):
    X, y = synthetic_multiclass(n=300)
    header = [f"f{j}" for j in range(X.shape[1])] + ["animal"]
    return _write_csv(tmp_path / "zoo.csv", header,
                      [[repr(float(v)) for v in row] + [label]
                       for row, label in zip(X, y)])


def test_multinomial_fit_prints_the_mnlogit_summary(tmp_path, capsys):
    path = _zoo_csv(tmp_path)
    status, out, err = _main(capsys, "fit", path, "--target", "animal",
                             "--penalty", "none")
    assert status == 0, err
    assert "MNLogit Regression Results" in out
    # one table per class after the first (the reference)
    assert "animal=bee" in out and "animal=ant" not in out


def test_l1_fit_lists_coefficients_with_the_reason(tmp_path, capsys):
    path = _zoo_csv(tmp_path)
    status, out, err = _main(capsys, "fit", path, "--target", "animal",
                             "--penalty", "l1")
    assert status == 0, err
    assert "class 'ant' vs rest:" in out
    assert "penalty='l1'" in out


# ---------------------------------------------------------------------------
# --formula, --cov-type, --cluster
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def survey_csv(tmp_path_factory):
    """Numeric, text and cluster columns (the target a 0/1 column)."""
    rng = np.random.default_rng(0)
    n = 300
    x = rng.standard_normal(n)
    city = rng.choice(["paris", "rome", "oslo"], n)
    firm = rng.integers(0, 15, n)
    z = x + 0.8 * (city == "rome")
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    path = tmp_path_factory.mktemp("cli") / "survey.csv"
    rows = [[repr(float(a)), c, f"firm{f}", int(t)]
            for a, c, f, t in zip(x, city, firm, y)]
    _write_csv(path, ["x", "city", "firm", "bought"], rows)
    return path, x, city, firm, y


def _coef_rows(out):
    return {line.split()[0]: line.split()[1:3] for line in out.splitlines()
            if line.split() and line.split()[0] in (
                "Intercept", "const", "x", "city[T.rome]", "city[T.paris]")}


def _main(capsys, *args):
    """The command in process (subprocesses cost seconds each): (status,
    stdout, stderr)."""
    status = _cli.main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_fit_formula_equals_clogit_logit_and_predicts(survey_csv, tmp_path,
                                                      capsys):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("formulaic")
    path, x, city, firm, y = survey_csv
    model = tmp_path / "model.json"
    status, out, err = _main(capsys, "fit", path, "--formula",
                             "bought ~ x + city", "--cluster", "firm", "-o",
                             model)
    assert status == 0, err
    frame = pd.DataFrame({"x": x, "city": city, "bought": y,
                          "firm": [f"firm{f}" for f in firm]})
    est = clogit.logit("bought ~ x + city", frame, cov_type="cluster",
                       groups="firm")
    assert est.penalty is None  # clogit.logit's default
    rows = _coef_rows(out)
    assert set(rows) == {"Intercept", "x", "city[T.paris]", "city[T.rome]"}
    for name, (coef, se) in rows.items():
        assert coef == f"{est.results_.params[name]:.4f}"
        assert se == f"{est.results_.bse[name]:.3f}"
    assert "cluster" in out
    loaded = clogit.load(model)
    assert loaded.formula_.formula == "bought ~ x + city"
    status, out, err = _main(capsys, "predict", model, path, "--proba")
    assert status == 0, err
    header, rows = _read_csv(out)
    np.testing.assert_allclose(np.array(rows, dtype=float),
                               est.predict_proba(frame), rtol=1e-12)


def test_fit_cov_type_and_cluster_without_formula(survey_csv, tmp_path,
                                                  capsys):
    path, x, city, firm, y = survey_csv
    numeric = tmp_path / "numeric.csv"
    _write_csv(numeric, ["x", "firm", "bought"],
               [[repr(float(a)), f, t] for a, f, t in zip(x, firm, y)])
    model = tmp_path / "m.json"
    status, out, err = _main(capsys, "fit", numeric, "--target", "bought",
                             "--penalty", "none", "--cluster", "firm", "-o",
                             model)
    assert status == 0, err
    # the saved model's summary is the one printed (the target named too)
    assert str(clogit.load(model).summary()) == out.rstrip("\n")
    # the cluster column is never a feature
    est = clogit.LogisticRegression(penalty=None, cov_type="cluster").fit(
        x[:, None], y, groups=firm)
    rows = _coef_rows(out)
    assert set(rows) == {"const", "x"}
    assert rows["x"] == [f"{est.params_[1]:.4f}", f"{est.std_errors_[1]:.3f}"]
    status, out, err = _main(capsys, "fit", numeric, "--target", "bought",
                             "--cov-type", "HC1")
    assert status == 0, err
    assert "HC1" in out and "firm" in out  # here a feature


def test_formula_errors_exit_2(survey_csv, capsys):
    pytest.importorskip("formulaic")
    path = survey_csv[0]
    for args, fragment in [
            (["--formula", "bought ~ x + firm", "--cluster", "firm"],
             "never a feature"),
            (["--formula", "bought ~ nope"], "nope"),
            (["--formula", "bought ~ x", "--target", "x"], "left-hand side"),
            (["--target", "bought", "--cluster", "none"], "no --cluster")]:
        status, out, err = _main(capsys, "fit", path, *args)
        assert status == 2, (args, out)
        assert fragment in err, (args, err)
        assert err.count("\n") <= 2  # one line, no traceback


def test_formula_and_cluster_columns_are_read_as_safely(survey_csv, tmp_path,
                                                        capsys):
    # the columns a formula reads, and --cluster columns, go through the
    # CSV reader's checks (issue 14): an empty cell names its row, a column
    # of numbers with a non-finite one is an error (never a categorical
    # factor), and an unrelated column is not read at all
    pytest.importorskip("formulaic")
    path, x, city, firm, y = survey_csv
    header, rows = _read_csv(path)
    model = tmp_path / "m.json"
    status, _, err = _main(capsys, "fit", path, "--formula",
                           "bought ~ x + city", "-o", model)
    assert status == 0, err

    def edited(column, row, cell, extra=None):
        out = [list(r) for r in rows]
        out[row][header.index(column)] = cell
        names = list(header)
        if extra:
            names.append(extra)
            out = [r + [""] for r in out]  # an empty column nobody reads
        return _write_csv(tmp_path / f"{column}{row}.csv", names, out)

    cases = [
        (["fit", edited("x", 4, "inf"), "--formula", "bought ~ x + city"],
         ["'x'", "not finite", "data row 5"]),
        (["fit", edited("city", 2, ""), "--formula", "bought ~ x + city"],
         ["'city'", "data row 3", "missing value"]),
        (["fit", edited("firm", 6, ""), "--target", "bought", "--cluster",
          "firm", "--features", "x"], ["'firm'", "data row 7"]),
        (["fit", path, "--target", "bought", "--cluster", "firm",
          "--features", "x,firm"], ["--cluster", "never a feature"]),
        (["fit", path, "--formula", "bought ~ x", "--features", "x"],
         ["--features", "--formula"]),
        (["predict", model, _write_csv(tmp_path / "nocity.csv", ["x"],
                                       [["0.5"]])],
         ["'city'", "formula"]),
    ]
    for argv, fragments in cases:
        status, out, err = _main(capsys, *argv)
        lines = err.strip().splitlines()
        assert status == 2 and len(lines) == 1, (argv, err)
        for fragment in fragments:
            assert fragment in lines[0], (fragment, lines[0])
    # a column the formula does not read may hold anything
    status, _, err = _main(capsys, "fit", edited("x", 0, "0.1", "notes"),
                           "--formula", "bought ~ x + city")
    assert status == 0, err
    # predictions from the raw columns, in any column order
    reordered = _write_csv(tmp_path / "reordered.csv", ["city", "x"],
                           [[c, repr(float(a))] for a, c in zip(x, city)])
    status, out, err = _main(capsys, "predict", model, reordered, "--proba")
    assert status == 0, err
    status, base, err = _main(capsys, "predict", model, path, "--proba")
    assert out == base


# ---------------------------------------------------------------------------
# reliability: outputs, hostile files, labels (issue 14)
# ---------------------------------------------------------------------------
def call(*args):
    """``clogit ARGS`` in this process (fast); what ``run`` returns."""
    import contextlib
    import io
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = _cli.main([str(a) for a in args])
    return subprocess.CompletedProcess(args, status, out.getvalue(),
                                       err.getvalue())


def _small_csv(tmp_path, name="d.csv", labels=None, n=40):
    X, y = synthetic_binary(n=n, p=2, seed=3)
    labels = [str(v) for v in y] if labels is None else labels
    return _write_csv(tmp_path / name, ["a", "b", "y"],
                      [[repr(float(u)), repr(float(v)), t]
                       for (u, v), t in zip(X, labels)])


def _snapshot(*paths):
    return {str(p): p.read_bytes() for p in paths}


@pytest.mark.parametrize("link", ["same", "symlink", "hardlink"])
def test_an_output_that_is_an_input_is_refused(tmp_path, link):
    # Regression: fit D.csv -o D.csv, predict M.json D.csv -o D.csv and
    # -o M.json replaced the input (exit 0).
    data = _small_csv(tmp_path)
    model = tmp_path / "m.json"
    assert _cli.main(["fit", str(data), "--target", "y", "-o",
                      str(model)]) == 0

    made = []

    def alias(path):
        if link == "same":
            return path
        made.append(path)
        other = tmp_path / f"{link}{len(made)}-{path.name}"
        if link == "symlink":
            other.symlink_to(path)
        else:
            os.link(path, other)
        return other

    before = _snapshot(data, model)
    for argv in (["fit", data, "--target", "y", "-o", alias(data)],
                 ["predict", model, data, "-o", alias(data)],
                 ["predict", model, data, "-o", alias(model)]):
        _assert_bad_input(call(*argv), "refusing to write", "input")
    assert _snapshot(data, model) == before


def test_a_failed_command_leaves_the_old_output(tmp_path, monkeypatch,
                                                capsys):
    # Regression: a failed write left the old output truncated.
    data = _small_csv(tmp_path)
    model = tmp_path / "m.json"
    out = tmp_path / "out.csv"
    out.write_text("old predictions\n")
    assert _cli.main(["fit", str(data), "--target", "y", "-o",
                      str(model)]) == 0
    old_model = model.read_bytes()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device", str(out))

    monkeypatch.setattr(_cli.csv, "writer", broken)
    assert _cli.main(["predict", str(model), str(data), "-o", str(out)]) == 2
    assert out.read_text() == "old predictions\n"
    monkeypatch.undo()
    # a fit that fails (here on its data) writes nothing either
    bad = _write_csv(tmp_path / "bad.csv", ["a", "y"], [["1", "0"],
                                                        ["x", "1"]])
    assert _cli.main(["fit", str(bad), "--target", "y", "-o",
                      str(model)]) == 2
    assert model.read_bytes() == old_model
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] \
        == []
    capsys.readouterr()


def test_a_wide_header_is_read_in_linear_time(tmp_path):
    # Regression: header.count / header.index per column made 40,000
    # columns take 43 s and 1,000,000 more than 300 s.  100,000 columns
    # here; the timeout only turns a quadratic reader into a failure.
    p = 100_000
    X, y = synthetic_binary(n=30, p=2, seed=5)
    model = tmp_path / "m.json"
    clf = clogit.LogisticRegression().fit(
        _cli.as_named(X, ["f0", "f1"]) if _has_pandas() else X, y)
    if not _has_pandas():
        clf.feature_names_in_ = np.array(["f0", "f1"], dtype=object)
    clf.save(model)
    header = [f"f{j}" for j in range(p)]
    with open(tmp_path / "wide.csv", "w") as f:
        f.write(",".join(header) + "\n")
        for row in X:
            f.write(",".join([repr(float(row[0])), repr(float(row[1]))]
                             + ["0"] * (p - 2)) + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "clogit", "predict", str(model),
         str(tmp_path / "wide.csv")], capture_output=True, text=True,
        env=_env(), timeout=120)
    assert result.returncode == 0, result.stderr
    header, rows = _read_csv(result.stdout)
    expected = clf.predict(_cli.as_named(X, ["f0", "f1"]) if _has_pandas()
                           else X)
    assert [int(r[0]) for r in rows] == expected.tolist()


def _has_pandas():
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"),
                                reason="needs os.mkfifo")


@needs_fifo
def test_fifos_never_block(tmp_path, bc_model):
    # Regression: predict (and load, save) blocked forever on a FIFO.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    data = _small_csv(tmp_path)
    _assert_bad_input(run("predict", fifo, data), "FIFO")
    _assert_bad_input(run("fit", data, "--target", "y", "-o", fifo),
                      "not a regular file")
    # a FIFO as the data file (a pipe) without a writer reads as empty
    _assert_bad_input(run("predict", bc_model, fifo), "empty file")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_devices_and_sparse_files_are_refused_in_bounded_memory(tmp_path):
    # Regression: the CLI read /dev/zero or a 5 GB sparse file until memory
    # ran out, then printed a traceback (exit 1).  The command runs with
    # 1 GiB of data segment and a timeout: the old reader died there.
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_DATA, (2**30, 2**30))

    sparse_file = tmp_path / "zeros.csv"
    with open(sparse_file, "wb") as f:
        f.truncate(5 * 2**30)  # nothing is written to disk
    for data, fragment in (("/dev/zero", "character device"),
                           (sparse_file, "NUL bytes")):
        result = subprocess.run(
            [sys.executable, "-m", "clogit", "fit", str(data), "--target",
             "y"], capture_output=True, text=True, env=_env(), timeout=120,
            preexec_fn=limit)
        _assert_bad_input(result, fragment)


def test_missing_targets_are_an_error(tmp_path):
    # Regression: an empty target cell became a class '' (and numeric
    # labels strings): a 3-class model, exit 0.
    labels = ["0", "1"] * 20
    labels[7] = ""
    data = _small_csv(tmp_path, labels=labels)
    _assert_bad_input(call("fit", data, "--target", "y"), "data row 8",
                      "missing label")


def test_a_stray_quote_is_an_error(tmp_path):
    # Regression: one stray quote swallowed the following rows into a
    # label and the model was fitted on the rest, exit 0.
    data = _small_csv(tmp_path)
    lines = data.read_text().splitlines()
    lines[4] = lines[4].rsplit(",", 1)[0] + ',"1'
    data.write_text("\n".join(lines) + "\n")
    _assert_bad_input(call("fit", data, "--target", "y"), "data row 4",
                      "quote")
    # with another quote further down, the rows in between are swallowed
    # into one field: refused, naming where it starts
    lines[20] = lines[20].rsplit(",", 1)[0] + ',1"'
    data.write_text("\n".join(lines) + "\n")
    _assert_bad_input(call("fit", data, "--target", "y"), "data row 4",
                      "spans several lines")
    # the streaming reader (no pandas, or a wide file) says the same
    from clogit import _csv
    text = _csv._open_text(data, False)[1]
    with text:
        header = _csv._parse_header(data, text)
        with pytest.raises(_csv.CSVError, match="data row 4.*spans"):
            _csv._stream_rows(data, text, header, {"a": 0, "b": 1, "y": 2},
                              ["a", "b"], [("y", "target")])


@pytest.mark.parametrize("labels, fragment", [
    (["01", "1", "02", "2"], "'01' and '1'"),
    (["1.0", "1", "2.0", "2"], "'1.0' and '1'"),
    ([" 1", "1", "2", "0"], "' 1' and '1'"),
])
def test_two_spellings_of_one_number_are_an_error(tmp_path, labels,
                                                  fragment):
    # Regression: labels 01, 1, 02, 2 were merged into two classes.
    data = _small_csv(tmp_path, labels=labels * 10)
    _assert_bad_input(call("fit", data, "--target", "y"), fragment)


def test_labels_are_kept_as_written_unless_all_numbers(tmp_path):
    from clogit._csv import parse_labels
    assert parse_labels(["1", "0", "1"]).dtype == np.int64
    assert parse_labels(["1", "0.5"]).tolist() == [1.0, 0.5]
    assert parse_labels(["01", "a"]).tolist() == ["01", "a"]
    assert parse_labels(["nan", "1"]).tolist() == ["nan", "1"]
    big = ["99999999999999999999", "1"]
    assert parse_labels(big).tolist() == big  # beyond int64: as written
    # Regression: an int64-overflowing target gave "Unknown label type"
    data = _small_csv(tmp_path, labels=big * 20)
    model = tmp_path / "m.json"
    result = call("fit", data, "--target", "y", "-o", model)
    assert result.returncode == 0, result.stderr
    header, rows = _read_csv(call("predict", model, data).stdout)
    assert {r[0] for r in rows} <= set(big)


def test_missing_and_non_finite_features_name_the_row(tmp_path):
    for cell, fragment in (("", "missing value (data row 3)"),
                           ("nan", "not finite (data row 3"),
                           ("inf", "not finite (data row 3")):
        data = _write_csv(tmp_path / "f.csv", ["a", "y"],
                          [["1", "0"], ["2", "1"], [cell, "0"], ["3", "1"]])
        _assert_bad_input(call("fit", data, "--target", "y"), "'a'",
                          fragment)


def test_features_option(tmp_path):
    data = _small_csv(tmp_path)
    model = tmp_path / "m.json"
    result = call("fit", data, "--target", "y", "--features", "b", "-o",
                 model)
    assert result.returncode == 0, result.stderr
    assert clogit.load(model).n_features_in_ == 1
    _assert_bad_input(call("fit", data, "--target", "y", "--features",
                          "b,zz"), "zz")
    _assert_bad_input(call("fit", data, "--target", "y", "--features",
                          "y"), "target")


def test_the_cli_works_without_pandas(tmp_path, monkeypatch):
    # the streaming reader, with pandas made unimportable
    data = _small_csv(tmp_path)
    out = {}
    for blocked in (False, True):
        if blocked:
            monkeypatch.setitem(sys.modules, "pandas", None)
        model = tmp_path / f"m{blocked}.json"
        for argv in (["fit", data, "--target", "y", "-o", model],
                     ["predict", model, data, "--proba"]):
            result = call(*argv)
            assert result.returncode == 0, result.stderr
        out[blocked] = result.stdout
    assert out[True] == out[False]


def test_progress_is_reported_for_long_reads(tmp_path, monkeypatch, capsys):
    from clogit import _csv

    original = _csv._Progress.__init__

    def immediate(self, name, size):
        original(self, name, size)
        self.next = self.start  # as if a second had passed

    monkeypatch.setattr(_csv._Progress, "__init__", immediate)
    data = _small_csv(tmp_path)
    _csv.read_csv(data, target="y")
    err = capsys.readouterr().err
    assert f"clogit: reading {data}: 100% of" in err
    assert f"clogit: read {data}:" in err


def test_formula_columns_are_typed():
    from clogit._csv import CSVError, parse_column
    assert parse_column(["1", " 2", "03"]).tolist() == [1, 2, 3]
    assert parse_column(["1", "2.5"]).dtype == np.float64
    assert parse_column(["a", "1"]).tolist() == ["a", "1"]  # categorical
    assert parse_column(["nan", "n/a"]).dtype == object
    assert parse_column(["9" * 30, "1"]).dtype == np.float64  # no int()
    for cells in (["1", "nan"], ["1", "1e999"], ["2", "-inf"]):
        with pytest.raises(CSVError, match="'x' holds numbers and a value "
                                           "that is not finite"):
            parse_column(cells, "f.csv", "x")


def test_firth_fit_prints_its_summary(bc_csv, capsys):
    status, out, err = _main(capsys, "fit", bc_csv[0], "--target", "target",
                             "--penalty", "firth")
    assert status == 0, err
    assert re.search(r"Method:\s+Firth", out)
    assert "Firth's penalized likelihood" in out

