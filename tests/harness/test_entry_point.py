"""The outsider's entry point: the catalogue as tests ships in the package.

``pytest --pyargs conformance --impl MODULE`` runs one test per behaviour against one reference (the
installed torch live, else the newest committed recording) and says which; the suite's own tests are not
part of it. Checked from a wheel installed in a fresh venv with no checkout on sys.path, and, in this
environment, for a bad --impl and for the JSON/HTML outputs with several references.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest

from conformance import catalogue, recording, results

ROOT = Path(__file__).resolve().parents[2]
_NOT_COPIED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")


def _outsider_env(**extra) -> dict:
    """No checkout, no conformance or hypothesis settings of the caller's session."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTEST_ADDOPTS", "PYTEST_PLUGINS",
                          "PYTEST_DISABLE_PLUGIN_AUTOLOAD", "REFERENCE_IMPL_TORCH_VERSION")
           and not key.startswith(("CONFORMANCE_", "HYPOTHESIS_"))}
    return {**env, "OMP_NUM_THREADS": "1", **extra}


def _build_wheel(work: Path) -> Path:
    """A wheel built from a copy of the working tree (what pyproject.toml packages), never in the checkout."""
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for package in ("conformance", "reference_impl"):
        shutil.copytree(ROOT / package, source / package, ignore=_NOT_COPIED)
    wheels = work / "wheels"
    command = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)]
    if importlib.util.find_spec("setuptools") is not None:  # build with it: no isolated build env (faster)
        command.insert(5, "--no-build-isolation")
    process = subprocess.run(command, cwd=work, env=_outsider_env(), capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, process.stdout + process.stderr
    (wheel,) = wheels.glob("autograd_conformance-*.whl")
    return wheel


def _fresh_venv(work: Path, wheel: Path) -> Path:
    """A clean venv (no system site-packages, no torch) with the wheel and its dependencies from the registry."""
    where = work / "venv"
    venv.create(where, with_pip=False, clear=True)  # pip from this environment installs into it (faster)
    python = where / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    process = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", str(wheel)],
                             cwd=work, env=_outsider_env(), capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stdout + process.stderr
    return python


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_an_installed_wheel_runs_the_catalogue_against_the_newest_recording(tmp_path):
    started = time.perf_counter()
    python = _fresh_venv(tmp_path, _build_wheel(tmp_path))
    installed = time.perf_counter() - started
    elsewhere = tmp_path / "elsewhere"  # an empty folder: nothing of the checkout reachable
    elsewhere.mkdir()
    env = _outsider_env()
    where = subprocess.run([str(python), "-c", "import conformance, importlib.util; print(conformance.__file__); "
                                               "print(importlib.util.find_spec('torch'))"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    module_file, torch_spec = where.stdout.split()
    assert Path(module_file).is_relative_to(tmp_path / "venv") and torch_spec == "None", where.stdout + where.stderr

    results_path = tmp_path / "results.json"
    run_started = time.perf_counter()
    process = subprocess.run([str(python), "-m", "pytest", "--pyargs", "conformance", "--impl", "reference_impl",
                              "-q", "-p", "no:cacheprovider", "--conformance-json", str(results_path)],
                             cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600)
    ran = time.perf_counter() - run_started
    output = process.stdout + process.stderr
    behaviours = len(catalogue.load_all())
    newest = recording.available()[-1][0]
    assert process.returncode == 0, output[-5000:]
    assert re.search(rf"^{behaviours} passed in ", process.stdout, re.M), output[-3000:]  # one test per behaviour
    said = [line for line in process.stdout.splitlines() if line.startswith("conformance: reference_impl against")]
    assert said == [f"conformance: reference_impl against recording {newest} (the newest committed; torch is not "
                    f"installed): {behaviours} behaviours, {behaviours} pass"], output[-3000:]
    run = results.read(results_path)
    assert run["run"]["torch_source"] == "recording" and run["run"]["recording"]["name"] == newest
    assert len(run["results"]) == behaviours and {r["status"] for r in run["results"]} == {"pass"}
    print(f"wheel + venv + install {installed:.1f}s, pytest --pyargs conformance {ran:.1f}s")


def _pytest_here(tmp_path, *args, cwd=None, xdist=False):
    workers = ["-n", "2"] if xdist else ["-p", "no:xdist"]
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *workers, *args],
                          cwd=cwd or tmp_path, env=_outsider_env(PYTHONPATH=str(ROOT)), capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("xdist", [False, True], ids=["one process", "xdist"])
def test_a_bad_impl_is_one_usage_error_in_the_repo(tmp_path, xdist):
    # The whole suite as collected in the checkout: one line and exit 4, not an error per behaviour (under
    # xdist too, where the workers collect: the controller checks first).
    process = _pytest_here(tmp_path, "-q", "--impl", "no_such_module", cwd=ROOT, xdist=xdist)
    assert process.returncode == 4, (process.stdout + process.stderr)[-3000:]
    _one_line_about_it(process)


def test_a_bad_impl_is_one_usage_error_for_the_shipped_tests(tmp_path):
    process = _pytest_here(tmp_path, "-q", "--pyargs", "conformance", "--impl", "no_such_module")
    assert process.returncode == 4, process.stdout + process.stderr
    _one_line_about_it(process)


def _one_line_about_it(process) -> None:
    lines = [line for line in (process.stdout + process.stderr).splitlines() if line.strip()]
    named = [line for line in lines if "no_such_module" in line]
    assert len(named) == 1 and named[0].startswith("ERROR: conformance: cannot import implementation module "
                                                   "'no_such_module'"), lines
    assert len(lines) <= 2, lines  # and pytest's "no tests ran"


def test_the_shipped_tests_write_results_per_reference(tmp_path):
    # Several references (torch live when installed, and two recordings): one results file per reference,
    # every run in one report.
    chosen = ["torch-2.13.0", "torch-2.14.1"]
    process = _pytest_here(tmp_path, "-q", "--pyargs", "conformance", "--conformance-select", "grad_fn.add_name",
                           *[arg for name in chosen for arg in ("--conformance-recordings", name)],
                           "--conformance-json", str(tmp_path / "r.json"), "--conformance-html", str(tmp_path / "r.html"))
    labels = (["live"] if _has_torch() else []) + chosen  # the runs, as the report shows them
    assert process.returncode == 0, process.stdout + process.stderr
    assert f"{len(labels)} passed" in process.stdout, process.stdout
    main = "live" if _has_torch() else chosen[-1]  # PATH: torch live, else the newest recording
    paths = {label: tmp_path / ("r.json" if label == main else f"r-{label}.json") for label in labels}
    runs = {label: results.read(path)["run"] for label, path in paths.items()}
    assert {label: run["torch_source"] for label, run in runs.items()} == \
        {label: "live" if label == "live" else "recording" for label in labels}
    assert all(runs[name]["recording"]["name"] == name for name in chosen)
    assert f"conformance: wrote results {tmp_path / 'r.json'} ({main}) and {len(labels) - 1} more beside it " \
           f"(r-<recording>.json); report {tmp_path / 'r.html'} ({len(labels)} runs)" in process.stdout, process.stdout
    assert (tmp_path / "r.html").stat().st_size > 1000


def _has_torch() -> bool:
    return importlib.util.find_spec("torch") is not None
