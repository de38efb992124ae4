"""The command line (clogit._cli), run as ``python -m clogit`` in a
subprocess with the test's environment (clogit as installed)."""

import csv
import os
import re
import subprocess
import sys

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


def test_usage_errors_exit_2(capsys):
    result = run()
    assert result.returncode == 2 and "usage" in result.stderr
    for argv, fragment in ([["fit", "d.csv", "--target", "y", "--C", "-1"],
                            "--C"],
                           [["fit", "d.csv", "--target", "y", "--cov-type",
                             "HC9"], "--cov-type"],
                           [["predict", "model.json"], "data"]):
        with pytest.raises(SystemExit) as exc:
            _cli.main(argv)
        assert exc.value.code == 2 and fragment in capsys.readouterr().err
    # checked before any file is read
    for argv, fragment in ([["fit", "data.csv"], "--target"],
                           [["fit", "d.csv", "--target", "y", "--cov-type",
                             "cluster"], "--cluster"],
                           [["fit", "d.csv", "--target", "y", "--cov-type",
                             "HC1", "--cluster", "g"], "--cluster"]):
        assert _cli.main(argv) == 2
        assert fragment in capsys.readouterr().err


def test_bench_runs_bench_run_py_with_the_arguments(tmp_path):
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "run.py").write_text(
        "import sys\nprint('bench args', sys.argv[1:])\nsys.exit(3)\n")
    result = run("bench", "--quick", "--", "--threads", "1", cwd=tmp_path)
    assert "bench args ['--quick', '--threads', '1']" in result.stdout
    assert result.returncode == 3  # the benchmark's own status


def test_bench_not_found_exits_2(monkeypatch, capsys):
    monkeypatch.setattr(_cli, "find_bench", lambda: None)
    assert _cli.main(["bench", "--quick"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("clogit: error: bench/run.py not found")
    assert len(err.strip().splitlines()) == 1


def test_console_script_is_declared():
    from importlib import metadata
    try:
        metadata.distribution("clogit")
    except metadata.PackageNotFoundError:
        pytest.skip("clogit is not installed (running from the sources)")
    scripts = metadata.entry_points(group="console_scripts")
    (entry,) = [e for e in scripts if e.name == "clogit"]
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
    status, out, err = _main(capsys, "fit", numeric, "--target", "bought",
                             "--penalty", "none", "--cluster", "firm")
    assert status == 0, err
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


def test_firth_fit_prints_its_summary(bc_csv, capsys):
    status, out, err = _main(capsys, "fit", bc_csv[0], "--target", "target",
                             "--penalty", "firth")
    assert status == 0, err
    assert re.search(r"Method:\s+Firth", out)
    assert "Firth's penalized likelihood" in out

