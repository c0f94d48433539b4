"""Recordings of real torch: the file format and its errors, recording in worker processes, checking an
implementation against a recording (also with no torch installed), and that the committed recording of
the installed torch is current."""
from __future__ import annotations

import copy
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import catalogue, cli, recording, results
from conformance.scenario import REGISTRY

ROOT = Path(__file__).resolve().parents[2]


def _scenario(scenario_id):
    catalogue.load_all()
    return REGISTRY[scenario_id]


def minimal_recording(version="2.5.1", **observations) -> dict:
    outcome = {"outputs": {"kind": "int", "value": 1}, "error": None, "warnings": []}
    return {"schema": recording.SCHEMA, "schema_version": recording.SCHEMA_VERSION,
            "torch": {"version": version, "full_version": version + "+cpu", "git": "abc", "cuda": None,
                      "debug": False},
            "environment": {"python": "3.11.7", "numpy": "2.4.6", "platform": "test", "omp_num_threads": "1"},
            "recorded": {"date": "2026-01-01T00:00:00+00:00", "tool_version": "0.1.0", "catalogue_size": 1,
                         "duration_s": 1.0},
            "observations": observations or {"a.b": {"status": "recorded", "outcome": outcome, "message": "",
                                                     "scenario_sha256": None}}}


# ------------------------------------------------------------------ files and their errors
@pytest.mark.parametrize("content, message", [
    ('{"schema": "autograd-conformance/recording", "schema_version": 1, "torch"', "not valid JSON"),
    ("[1, 2]", "not an autograd-conformance recording"),
    ('{"schema": "something else"}', "not an autograd-conformance recording"),
    ('{"schema": "autograd-conformance/results", "schema_version": 1, "run": {}, "results": []}',
     "a results file, not a recording"),
    ('{"schema": "autograd-conformance/recording", "schema_version": 99}', "schema version 99"),
    ('{"schema": "autograd-conformance/recording", "schema_version": 1, "torch": {"version": "2.5.1"}}',
     "missing the 'observations' section"),
    ('{"schema": "autograd-conformance/recording", "schema_version": 1, "torch": {}, "observations": {}}',
     "names no version"),
    ('{"schema": "autograd-conformance/recording", "schema_version": 1, "torch": {"version": "2.5.1"}, '
     '"observations": {"a.b": {"status": "recorded"}}}', "observation 'a.b' is malformed"),
])
def test_bad_recording_files_get_a_clear_error_naming_the_file(tmp_path, content, message):
    path = tmp_path / "torch-2.5.1.json"
    path.write_text(content)
    with pytest.raises(recording.RecordingFileError, match=message) as error:
        recording.read(path)
    assert str(path) in str(error.value)


def test_a_missing_file_or_unknown_name_is_a_clear_error(tmp_path):
    with pytest.raises(recording.RecordingFileError, match="no such recording file"):
        recording.read(tmp_path / "torch-9.9.9.json")
    with pytest.raises(recording.RecordingFileError, match="no recording of that name") as error:
        recording.read("torch-0.0.1")
    assert "torch-2.13.0" in str(error.value)  # lists what there is


def test_names_resolve_to_the_committed_recordings():
    assert recording.resolve("torch-2.5.1") == recording.RECORDINGS_DIR / "torch-2.5.1.json"
    assert recording.resolve("2.5.1") == recording.RECORDINGS_DIR / "torch-2.5.1.json"
    assert recording.file_name("2.13.0+cpu") == "torch-2.13.0.json"
    names = [name for name, _ in recording.available()]
    assert names == sorted(names, key=lambda n: recording.version_key(n[len("torch-"):]))
    assert names[0] == "torch-1.13.1" and names[-1] == "torch-2.15.0"


def test_a_recording_round_trips_with_one_behaviour_per_line(tmp_path):
    document = minimal_recording(**{
        "b.second": {"status": "recorded", "outcome": {"outputs": None, "error": None, "warnings": []},
                     "message": "", "scenario_sha256": "x"},
        "a.first": {"status": "timeout", "outcome": None, "message": "no result after 1 s",
                    "scenario_sha256": "y"}})
    path = recording.write(document, tmp_path / "deep" / "rec.json")
    text = path.read_text()
    lines = text.splitlines()
    assert lines.index('  "a.first": ' + json.dumps(document["observations"]["a.first"], sort_keys=True) + ",") \
        < lines.index('  "b.second": ' + json.dumps(document["observations"]["b.second"], sort_keys=True))
    loaded = recording.read(path)
    assert loaded["observations"] == document["observations"] and loaded["torch"] == document["torch"]
    assert [p.name for p in path.parent.iterdir()] == ["rec.json"]  # no temporary file left


def test_every_committed_recording_is_valid_and_complete():
    ids = set(catalogue.load_all())
    found = recording.available()
    assert len(found) >= 6
    for name, path in found:
        document = recording.read(path)
        assert recording.name_of(document) == name
        assert all(entry["status"] == recording.OBSERVED for entry in document["observations"].values())
        for key in ("python", "numpy", "platform"):
            assert document["environment"][key]
        assert document["torch"]["git"] and document["recorded"]["date"]


def _coverage_failure(name, document, ids) -> str | None:
    lacking, gone = recording.coverage(document, ids)
    if not lacking and not gone:
        return None
    version = document["torch"]["version"]
    return (f"{name} lacks {len(lacking)} behaviours of the catalogue ({', '.join(lacking[:8])}"
            f"{', …' if len(lacking) > 8 else ''}) and holds {len(gone)} that no longer exist "
            f"({', '.join(gone[:8])}{', …' if len(gone) > 8 else ''}): re-record it from a real torch {version} "
            f"install (`tox -e record-{version}`, see the README)")


@pytest.mark.parametrize("name", [name for name, _ in recording.available()])
def test_each_committed_recording_covers_exactly_the_catalogue(name):
    failure = _coverage_failure(name, recording.read(name), catalogue.load_all())
    assert failure is None, failure


def test_a_recording_lacking_a_scenario_or_holding_a_gone_one_is_named():
    ids = {"a.kept": None, "a.new": None}
    document = minimal_recording(**{key: {"status": "recorded", "outcome": {"outputs": None, "error": None,
                                                                           "warnings": []}, "message": ""}
                                    for key in ("a.kept", "a.gone")})
    assert recording.coverage(document, ids) == (["a.new"], ["a.gone"])
    message = _coverage_failure("torch-2.5.1", document, ids)
    assert "lacks 1 behaviours of the catalogue (a.new)" in message and "holds 1 that no longer exist (a.gone)" in message
    assert "tox -e record-2.5.1" in message
    assert _coverage_failure("torch-2.5.1", document, {"a.kept": None, "a.gone": None}) is None


def test_cli_recordings_lists_what_each_recording_lacks(tmp_path, capsys):
    document = recording.read("torch-2.5.1")
    partial = {k: v for k, v in document.items() if k != "path"}
    partial["observations"] = dict(list(document["observations"].items())[:10])
    partial["observations"]["a.gone_behaviour"] = document["observations"]["grad_fn.add_name"]
    recording.write(partial, tmp_path / "torch-2.5.1.json")
    assert cli.main(["recordings", "--directory", str(tmp_path)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("torch-2.5.1") and line.endswith(
        f"{len(catalogue.load_all()) - 10} lacking  1 no longer in the catalogue")


# ------------------------------------------------------------------ recording in worker processes
def test_a_hanging_or_crashing_behaviour_is_recorded_as_such_and_the_rest_still_run(monkeypatch):
    hang, crash, ok = (_scenario("ops.sin_cos_tanh_sigmoid"), _scenario("ops.exp_log_sqrt"),
                       _scenario("grad_fn.add_name"))
    monkeypatch.setattr(hang, "timeout", 1.0)
    document = recording.record([hang, crash, ok], namespace="recording_flaky_impl")
    observations = document["observations"]
    assert observations[hang.id]["status"] == "timeout" and observations[hang.id]["outcome"] is None
    assert observations[crash.id]["status"] == "crashed" and "exit code 3" in observations[crash.id]["message"]
    assert observations[ok.id]["status"] == "recorded"
    assert observations[ok.id]["outcome"]["outputs"]["items"]["y"]["grad_fn"] == "AddBackward0"
    assert document["torch"]["version"] == "9.8.7" and document["torch"]["full_version"] == "9.8.7+flaky"
    assert document["recorded"]["catalogue_size"] == 3
    # and a run against it says what torch did instead of pretending to compare
    result = recording.judge_against(hang, observations[hang.id], "ok", {}, 0.0)
    assert result.status == "error" and "torch itself gave no observation" in result.message


# ------------------------------------------------------------------ checking against a recording
def test_cli_run_against_a_recording_emulates_its_version_and_says_so(tmp_path, capsys):
    out = tmp_path / "against.json"
    code = cli.main(["run", "--against", "torch-2.0.1", "--select", "optim.zero_grad", "optim.repr",
                     "--json", str(out), "--html", ""])
    assert code == 0, capsys.readouterr().err
    run = results.read(out)
    meta = run["run"]
    assert meta["torch_version"] == "2.0.1" and meta["torch_source"] == "recording"
    assert meta["emulated_torch"] == "2.0.1" and meta["reference"] == "recording torch-2.0.1"
    assert meta["recording"]["file"] == "torch-2.0.1.json" and meta["recording"]["torch_full_version"]
    assert {r["status"] for r in run["results"]} == {"pass"}
    assert "emulating torch 2.0.1" in capsys.readouterr().err


def test_a_difference_from_the_recording_fails_with_the_field(tmp_path, capsys):
    document = recording.read("torch-2.13.0")
    tampered = copy.deepcopy(document)
    entry = tampered["observations"]["grad_fn.add_name"]["outcome"]["outputs"]["items"]["y"]
    entry["grad_fn"] = "AddBackward9"
    path = recording.write({k: v for k, v in tampered.items() if k != "path"}, tmp_path / "torch-2.13.0.json")
    out = tmp_path / "r.json"
    assert cli.main(["run", "--against", str(path), "--select", "grad_fn.add_name", "--json", str(out),
                     "--html", ""]) == 1
    (result,) = results.read(out)["results"]
    assert result["status"] == "fail"
    assert any(d["path"] == "outputs.items.y.grad_fn" and d["expected"] == "AddBackward9" for d in result["diffs"])


def test_behaviours_missing_from_a_recording_are_left_out_and_named(tmp_path, capsys):
    document = recording.read("torch-2.5.1")
    partial = {k: v for k, v in document.items() if k != "path"}
    partial["observations"] = {"grad_fn.add_name": document["observations"]["grad_fn.add_name"]}
    path = recording.write(partial, tmp_path / "partial.json")
    out = tmp_path / "r.json"
    assert cli.main(["run", "--against", str(path), "--select", "grad_fn.add_name", "grad_fn.mul_name",
                     "--json", str(out), "--html", ""]) == 0
    assert [r["id"] for r in results.read(out)["results"]] == ["grad_fn.add_name"]
    assert "1 behaviours are not in this recording" in capsys.readouterr().err


def test_cli_against_a_bad_recording_exits_2_naming_it(tmp_path, capsys):
    bad = tmp_path / "torch-2.5.1.json"
    bad.write_text("{")
    assert cli.main(["run", "--against", str(bad), "--json", "", "--html", ""]) == 2
    assert str(bad) in capsys.readouterr().err
    assert cli.main(["run", "--against", "torch-0.1.2", "--json", "", "--html", ""]) == 2
    assert "no recording of that name" in capsys.readouterr().err


def test_against_a_recording_needs_no_torch(tmp_path):
    """A `torch` that cannot be imported (first on sys.path, also for the worker processes)."""
    blocker = tmp_path / "no_torch" / "torch"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('torch is not installed here')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocker.parent), str(ROOT)]), "OMP_NUM_THREADS": "1"}
    out = tmp_path / "r.json"
    process = subprocess.run(
        [sys.executable, "-m", "conformance", "run", "--against", "torch-1.13.1", "--select", "grad_fn",
         "optim.zero_grad_sets_none", "hooks.hooks_before_inplace_stay_with_old_value", "--json", str(out),
         "--html", ""], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    assert process.returncode == 0, process.stderr
    run = results.read(out)
    assert run["run"]["emulated_torch"] == "1.13.1" and run["run"]["torch_version"] == "1.13.1"
    assert {r["status"] for r in run["results"]} == {"pass"} and len(run["results"]) > 5
    check = subprocess.run([sys.executable, "-c", "import torch"], env=env, capture_output=True, text=True)
    assert "torch is not installed here" in check.stderr  # the blocker did block


def test_the_pytest_plugin_checks_chosen_recordings(tmp_path):
    (tmp_path / "test_rec.py").write_text(
        "def test_it(recorded_scenario, run_recorded):\n"
        "    assert run_recorded(recorded_scenario).status == 'pass'\n")

    def pytest(*args):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
        return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider",
                               "-v", "test_rec.py", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=240)

    chosen = pytest("--conformance-recordings", "torch-2.0.1", "--conformance-recordings", "torch-2.14.1",
                    "--conformance-select", "grad_fn.add", "--conformance-select", "warnings.scalar_conversion")
    assert chosen.returncode == 0, chosen.stdout + chosen.stderr
    assert "4 passed" in chosen.stdout
    assert "torch-2.0.1/grad_fn.add_name] PASSED" in chosen.stdout
    assert "torch-2.14.1/warnings.scalar_conversion_requires_grad] PASSED" in chosen.stdout
    unknown = pytest("--conformance-recordings", "torch-0.0.7")
    assert unknown.returncode != 0 and "no recording of that name" in unknown.stdout + unknown.stderr
    none = pytest("--conformance-recordings", "none")
    assert none.returncode == 0 and "1 skipped" in none.stdout


# ------------------------------------------------------------------ the recording of the installed torch is current
def test_the_committed_recording_of_the_installed_torch_is_current(tmp_path):
    if importlib.util.find_spec("torch") is None:
        pytest.skip("torch is not installed")
    version = recording.base_version(recording.torch_metadata()["version"])
    committed_path = recording.RECORDINGS_DIR / recording.file_name(version)
    if not committed_path.exists():
        pytest.skip(f"no committed recording of torch {version}")
    fresh_path = tmp_path / "fresh.json"
    assert cli.main(["record", "-o", str(fresh_path)]) == 0
    committed, fresh = recording.read(committed_path), recording.read(fresh_path)
    changes = recording.behaviour_changes(committed, fresh)
    assert not changes, (f"{committed_path.name} is stale: re-record it with `python -m conformance record` "
                         f"(or `tox -e record-{version}`). Changed: "
                         + "; ".join(f"{c['id']} ({c['change']}: {', '.join(d['path'] for d in c['diffs'][:3])})"
                                     for c in changes[:10]))
    assert committed["torch"]["version"] == fresh["torch"]["version"]
    hashes = {k: v["scenario_sha256"] for k, v in committed["observations"].items()}
    assert hashes == {k: v["scenario_sha256"] for k, v in fresh["observations"].items()}, \
        "scenario code changed since the recording: re-record"
