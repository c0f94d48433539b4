"""The command line as a user meets it: exit codes, bad input in one line, Ctrl-C, partial runs, long lines."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance import cli
from conformance.compare import Diff

ROOT = Path(__file__).resolve().parents[2]
FAKES = [Path(__file__).parent / "fake_impls", ROOT / "tests" / "recordings" / "fake_impls"]


def _env(*extra):
    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(map(str, [*extra, ROOT, *FAKES]))}


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _against(*args):
    return cli.main(["run", "--against", "torch-2.13.0", *args])


@pytest.mark.parametrize("args, message", [
    (["--select", "no_such_category"], "--select 'no_such_category' matches no behaviour"),
    (["--select", "grad_fn", "no_such"], "--select 'no_such' matches no behaviour"),
    (["--exclude", "nothing_like_this"], "--exclude 'nothing_like_this' matches no behaviour"),
    (["--impl", "no_such_engine"], "cannot import implementation module 'no_such_engine'"),
    (["--impl", "json"], "fails the preflight"),
    (["--html", "/tmp"], "--html /tmp: is a directory"),
    (["--json", "/proc/x.json"], "--json /proc/x.json"),
    (["--json", f"{__file__}/r.json"], "is not a directory"),
    (["--expectations", "/nonexistent/gaps.toml"], "no such expectations file"),
])
def test_bad_input_is_one_line_and_exit_2_before_anything_runs(tmp_path, capsys, args, message):
    started = time.perf_counter()
    assert _against("--json", str(tmp_path / "r.json"), "--html", "", *args) == 2
    assert message in _one_line(capsys.readouterr().err)
    assert time.perf_counter() - started < 20  # refused up front, not after running the catalogue
    assert not (tmp_path / "r.json").exists() or "--json" in args


def test_exclude_leaves_behaviours_out(tmp_path):
    assert _against("--select", "grad_fn", "--exclude", "grad_fn.add", "--json", str(tmp_path / "r.json"),
                    "--html", "") == 0
    ids = [r["id"] for r in json.loads((tmp_path / "r.json").read_text())["results"]]
    assert ids and all(i.startswith("grad_fn.") and not i.startswith("grad_fn.add") for i in ids)


def test_a_partial_run_does_not_replace_the_full_report(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "conformance.html").write_text("the full report")
    assert _against("--select", "grad_fn.add_name") == 0
    assert (tmp_path / "reports" / "conformance.html").read_text() == "the full report"
    assert (tmp_path / "reports" / "conformance-partial.html").exists()
    assert "conformance-partial.json" in capsys.readouterr().err


def test_ctrl_c_writes_what_ran_marked_interrupted_and_exits_130(tmp_path):
    """recording_flaky_impl's sin never returns: the run is interrupted while it waits for it."""
    out = tmp_path / "r.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance", "run", "--impl", "recording_flaky_impl", "--against", "torch-2.13.0",
         "--select", "grad_fn", "ops.sin_cos_tanh_sigmoid", "--json", str(out), "--html", str(tmp_path / "r.html")],
        cwd=tmp_path, env=_env(), stderr=subprocess.PIPE, text=True)
    seen = process.stderr.readline()  # "conformance: 5 behaviours, ...": the run has started
    time.sleep(10)  # the four grad_fn behaviours take well under a second; sin waits for its 30 s timeout
    process.send_signal(signal.SIGINT)
    err = seen + process.stderr.read()
    assert process.wait(timeout=60) == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert sum("interrupted" in line for line in err.splitlines()) == 1
    run = json.loads(out.read_text())
    assert run["run"]["interrupted"] is True
    assert {r["id"] for r in run["results"]} >= {"grad_fn.add_name"}
    assert "ops.sin_cos_tanh_sigmoid" not in {r["id"] for r in run["results"]}
    assert "interrupted" in (tmp_path / "r.html").read_text()


def test_without_torch_a_run_uses_the_newest_recording_and_says_so(tmp_path):
    blocker = tmp_path / "no_torch" / "torch"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('torch is not installed here')\n")
    process = subprocess.run([sys.executable, "-m", "conformance", "run", "--select", "grad_fn",
                              "--json", str(tmp_path / "r.json"), "--html", ""],
                             cwd=tmp_path, env=_env(blocker.parent), capture_output=True, text=True, timeout=240)
    assert process.returncode == 0, process.stderr
    assert "torch is not installed: checking against the newest recording" in process.stderr
    assert json.loads((tmp_path / "r.json").read_text())["run"]["torch_source"] == "recording"


def test_listing_into_a_closed_pipe_is_quiet():
    process = subprocess.run(f"{sys.executable} -m conformance list -v | head -1", shell=True, cwd=ROOT,
                             env=_env(), capture_output=True, text=True, timeout=120)
    assert process.stdout.count("\n") == 1 and "BrokenPipeError" not in process.stderr
    assert "Traceback" not in process.stderr


def test_long_values_are_shortened_around_their_first_difference():
    common = "x" * 500
    text = Diff("error.message", common + " torch's ending", common + " the engine's ending").text()
    assert "torch's ending" in text and "the engine's ending" in text and len(text) < 500


def test_an_implementation_that_raises_on_import_is_one_line(tmp_path, capsys):
    assert _against("--impl", "raising_impl", "--json", "", "--html", "") == 2
    line = _one_line(capsys.readouterr().err)
    assert "raising_impl" in line and "raised RuntimeError on import: this engine's import is broken" in line


@pytest.mark.parametrize("make_args, message", [
    (lambda tmp: [str(tmp), "-o", str(tmp / "r.html")], "is a directory; give the results files in it"),
    (lambda tmp: [str(tmp / "r.json"), "-o", str(tmp)], "-o"),
    (lambda tmp: [str(tmp / "r.json"), "-o", "/proc/x.html"], "/proc/x.html"),
])
def test_report_checks_its_paths_in_one_line(tmp_path, capsys, make_args, message):
    assert _against("--select", "grad_fn.add_name", "--json", str(tmp_path / "r.json"), "--html", "") == 0
    capsys.readouterr()
    assert cli.main(["report", *make_args(tmp_path)]) == 2
    assert message in _one_line(capsys.readouterr().err)


def test_report_tox_and_test_share_one_environment():
    """Switching between `tox -e report` and `tox -e test` must not rebuild the environment (same env_dir,
    same deps)."""
    import configparser

    tox = configparser.ConfigParser(interpolation=None)
    tox.read(ROOT / "tox.ini")
    for name in ("testenv:test", "testenv:report"):
        assert tox[name]["env_dir"] == "{work_dir}/torch-2.13.0"
        assert "deps" not in tox[name] and "base_python" not in tox[name], name
    [matrix] = [name for name in tox.sections() if name.startswith("testenv:{torch,record}-")]
    factor_deps = [line.split(":", 1)[1].strip() for line in tox[matrix]["deps"].splitlines()
                   if line.startswith("2.13.0:")]
    assert sorted(factor_deps) == sorted(tox["testenv"]["deps"].split())
