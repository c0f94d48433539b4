"""Expectations files and the preflight, through the CLI and the pytest plugin."""
from __future__ import annotations

import json
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import cli, expectations

ROOT = Path(__file__).resolve().parents[2]
FAKES = Path(__file__).parent / "fake_impls"
TANH = "ops.sin_cos_tanh_sigmoid"  # lacking_impl has no tanh: not-implemented here, pass elsewhere


def _write(tmp_path, text, name="gaps.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _entry(behaviour, status="not-implemented", reason="no tanh yet", **extra):
    lines = ["[[expect]]", f'id = "{behaviour}"', f'status = "{status}"', f'reason = "{reason}"']
    lines += [f'{key} = "{value}"' for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def _run(tmp_path, *args):
    return cli.main(["run", "--impl", "lacking_impl", "--against", "torch-2.13.0", "--json", str(tmp_path / "r.json"),
                     "--html", "", *args])


# ------------------------------------------------------------------ the file
@pytest.mark.parametrize("text, message", [
    ('[[expect]]\nid = "a.b"\nstatus = "fail"\n', "'reason' is required"),
    ('[[expect]]\nid = "a.b"\nstatus = "weird"\nreason = "x"\n', "status 'weird' is not one of"),
    ('[[expect]]\nid = "a.b"\nstatus = "fail"\nreason = "x"\ntorch = "two"\n', "not a version range"),
    ('[[expect]]\nid = "a.b"\nstatus = "fail"\nreason = "x"\ncolour = "red"\n', "unknown key(s) colour"),
    ('[[expect]\n', "not valid TOML"),
])
def test_a_bad_expectations_file_names_the_file_and_the_entry(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(expectations.ExpectationsError, match=re.escape(message)) as caught:
        expectations.load(path)
    assert str(path) in str(caught.value)


def test_first_matching_entry_wins_and_conditions_apply(tmp_path):
    path = _write(tmp_path, _entry("ops.*", "fail", "old torch", torch="<2.0") + _entry("ops.*", "error", "any"))
    entries = expectations.load(path)
    assert expectations.find(entries, "ops.sin", "1.13.1", "exact").reason == "old torch"
    assert expectations.find(entries, "ops.sin", "2.13.0+cpu", "exact").reason == "any"
    assert expectations.find(entries, "hooks.x", "2.13.0", "exact") is None
    assert expectations.outcome("timeout", expectations.find(entries, "ops.sin", "2.13.0", "exact")) == "expected"
    assert expectations.outcome("pass", entries[1]) == "xpass"


# ------------------------------------------------------------------ the CLI
def test_a_run_that_matches_its_expectations_exits_0(tmp_path, capsys):
    assert _run(tmp_path, "--select", TANH, "grad_fn.add") == 1  # a known gap, without expectations: red
    path = _write(tmp_path, _entry(TANH))
    assert _run(tmp_path, "--select", TANH, "grad_fn.add", "--expectations", str(path)) == 0
    run = json.loads((tmp_path / "r.json").read_text())
    marked = {r["id"]: r.get("expectation") for r in run["results"]}
    assert marked[TANH] == {"outcome": "expected", "status": "not-implemented", "reason": "no tanh yet"}
    assert run["run"]["expectations"]["counts"]["expected"] == 1
    assert "1 as expected, 0 unexpected" in capsys.readouterr().err


def test_an_unexpected_failure_exits_1_and_is_named(tmp_path, capsys):
    path = _write(tmp_path, _entry("grad_fn.*", reason="unrelated"))
    assert _run(tmp_path, "--select", TANH, "--expectations", str(path)) == 1
    err = capsys.readouterr().err
    assert f"UNEXPECTED not-implemented {TANH}" in err
    assert "entry 1 (id = 'grad_fn.*') matches no behaviour of this run" in err


def test_an_unexpected_pass_is_xpass_and_fails_only_when_strict(tmp_path, capsys):
    path = _write(tmp_path, _entry("grad_fn.add_name", "fail", "thought broken"))
    assert _run(tmp_path, "--select", "grad_fn.add_name", "--expectations", str(path)) == 0
    assert "XPASS grad_fn.add_name" in capsys.readouterr().err
    assert _run(tmp_path, "--select", "grad_fn.add_name", "--expectations", str(path), "--strict-expectations") == 1


def test_skip_entries_are_not_run(tmp_path):
    path = _write(tmp_path, _entry(TANH, "skip", "hangs on this engine"))
    assert _run(tmp_path, "--select", TANH, "grad_fn.add_name", "--expectations", str(path)) == 0
    statuses = {r["id"]: r["status"] for r in json.loads((tmp_path / "r.json").read_text())["results"]}
    assert statuses == {TANH: "skip", "grad_fn.add_name": "pass"}


def test_write_expectations_gives_a_baseline_the_same_run_matches(tmp_path):
    baseline = tmp_path / "baseline.toml"
    assert _run(tmp_path, "--select", "ops.", "--write-expectations", str(baseline)) == 1
    entries = expectations.load(baseline)
    assert [(e.pattern, e.status) for e in entries] == [(TANH, "not-implemented")]
    assert "tanh" in entries[0].reason
    assert _run(tmp_path, "--select", "ops.", "--expectations", str(baseline)) == 0


def test_a_bad_expectations_file_is_exit_2(tmp_path, capsys):
    assert _run(tmp_path, "--expectations", str(tmp_path / "none.toml")) == 2
    assert "no such expectations file" in capsys.readouterr().err


# ------------------------------------------------------------------ pytest
def _pytest(tmp_path, *args):
    (tmp_path / "test_cat.py").write_text(
        "from conformance.plugin import assert_conforms\n"
        "def test_it(recorded_scenario, run_recorded):\n"
        "    assert_conforms(recorded_scenario[1], run_recorded(recorded_scenario))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(FAKES)]), "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-rxX",
                           "test_cat.py", "--impl", "lacking_impl", "--conformance-recordings", "torch-2.13.0",
                           "--conformance-select", TANH, "--conformance-select", "grad_fn.add_name", *args],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)


def test_pytest_marks_expected_gaps_xfail_and_unexpected_passes_xpass_strict(tmp_path):
    plain = _pytest(tmp_path)
    assert plain.returncode == 1 and "1 failed, 1 passed" in plain.stdout
    expected = _pytest(tmp_path, "--expectations", str(_write(tmp_path, _entry(TANH))))
    assert expected.returncode == 0 and "1 passed, 1 xfailed" in expected.stdout, expected.stdout
    assert "no tanh yet" in expected.stdout
    wrong_status = _pytest(tmp_path, "--expectations", str(_write(tmp_path, _entry(TANH, "fail", "?"), "f.toml")))
    assert wrong_status.returncode == 1 and "1 failed" in wrong_status.stdout  # not-implemented is not a fail
    assert "not implemented: torch.tanh" in wrong_status.stdout and "Repro" in wrong_status.stdout
    xpass = _pytest(tmp_path, "--expectations", str(_write(tmp_path, _entry("grad_fn.add_name", "fail", "x"), "x.toml")))
    assert xpass.returncode == 1 and "XPASS(strict)" in xpass.stdout


def test_pytest_with_a_bad_impl_is_one_usage_error(tmp_path):
    process = _pytest(tmp_path, "--impl", "no_such_engine")
    assert process.returncode == 4
    assert "cannot import implementation module 'no_such_engine'" in process.stderr
    assert process.stderr.count("no_such_engine") <= 2


# ------------------------------------------------------------------ preflight
def test_an_empty_module_stops_at_the_preflight(tmp_path, capsys):
    assert cli.main(["run", "--impl", "json", "--against", "torch-2.13.0", "--html", ""]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "fails the preflight" in err and "missing torch.tensor" in err


def test_a_fake_torch_is_refused_as_the_reference(tmp_path):
    fake = tmp_path / "torch"
    fake.mkdir()
    (fake / "__init__.py").write_text("from reference_impl import *\n__version__ = '9.9.9'\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]), "OMP_NUM_THREADS": "1"}
    process = subprocess.run([sys.executable, "-m", "conformance", "run", "--impl", "torch", "--html", ""],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert process.returncode == 2
    assert process.stderr.strip().count("\n") == 0 and "is not PyTorch" in process.stderr


def test_a_value_regression_is_unexpected_even_where_the_exact_level_was_expected_to_fail(tmp_path):
    from conformance.expectations import apply

    entries = expectations.load(_write(tmp_path, _entry("ops.x", "fail", "prints its own repr", level="exact")))
    printing_only = {"id": "ops.x", "status": "fail", "levels": {"semantic": "pass", "exact": "fail"}}
    wrong_values = {"id": "ops.x", "status": "fail", "levels": {"semantic": "fail", "exact": "fail"}}
    counts = apply([printing_only, wrong_values], entries, "2.13.0", "exact")["counts"]
    assert counts["expected"] == 1 and counts["unexpected"] == 1
    assert wrong_values["expectation"]["outcome"] == "unexpected"


def test_the_baseline_has_an_entry_per_level_when_the_levels_disagree():
    text = expectations.baseline([
        {"id": "a.printing", "status": "fail", "levels": {"semantic": "pass", "exact": "fail"},
         "diffs": [{"path": "outputs.repr", "expected": "tensor(1.)", "actual": "T(1)", "level": "exact"}]},
        {"id": "b.values", "status": "fail", "levels": {"semantic": "fail", "exact": "fail"},
         "diffs": [{"path": "outputs.values", "expected": 1.0, "actual": 2.0, "level": "semantic"}]},
        {"id": "c.gap", "status": "fail", "levels": {"semantic": "not-implemented", "exact": "fail"},
         "blocked": ["Tensor.tolist"], "diffs": [{"path": "outputs.repr", "expected": "x", "actual": "y",
                                                 "level": "exact"}]},
        {"id": "d.ok", "status": "pass", "levels": {"semantic": "pass", "exact": "pass"}}])
    import tomllib

    entries = tomllib.loads(text)["expect"]
    assert [(e["id"], e["status"], e.get("level")) for e in entries] == [
        ("a.printing", "fail", "exact"), ("b.values", "fail", None), ("c.gap", "not-implemented", "semantic"),
        ("c.gap", "fail", "exact")]
    assert entries[2]["reason"] == "not implemented: Tensor.tolist"
