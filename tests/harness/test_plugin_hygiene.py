"""Installing the package changes nothing in other projects' pytest sessions: with the plugin loaded, a
session that gives no conformance option and collects no conformance test keeps hypothesis' own settings
(profile, max_examples, deadline), prints no ``conformance:`` line and leaves OMP_NUM_THREADS alone."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_UNRELATED = '''
import json, os
from hypothesis import given, settings, strategies as st

def test_settings_are_hypothesis_own(request):
    current = settings.default
    seen = {"profile": settings._current_profile, "max_examples": current.max_examples,
            "deadline": str(current.deadline), "derandomize": current.derandomize,
            "omp": os.environ.get("OMP_NUM_THREADS"),
            "plugin": any(request.config.pluginmanager.hasplugin(name)
                          for name in ("autograd_conformance", "conformance.plugin"))}
    with open(os.environ["SEEN_PATH"], "w") as handle:
        json.dump(seen, handle)
    assert current.max_examples == 100

@given(st.integers())
def test_an_ordinary_property(n):
    assert n == n
'''


def _installed_as_plugin() -> bool:
    return any(entry.value == "conformance.plugin" for entry in metadata.entry_points(group="pytest11"))


def _session(tmp_path, *args, ci=False, plugin=True):
    """Run the unrelated test file in a fresh pytest process; (process, what the test saw)."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("CI", "OMP_NUM_THREADS", "PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")
           and not key.startswith(("CONFORMANCE_", "HYPOTHESIS_"))}
    env["SEEN_PATH"] = str(tmp_path / "seen.json")
    if ci:
        env["CI"] = "true"
    load = []
    if not plugin:
        load = ["-p", "no:autograd_conformance"]
    elif not _installed_as_plugin():  # a checkout on PYTHONPATH rather than an install: load it by name
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        load = ["-p", "conformance.plugin"]
    process = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", *load,
                              "test_unrelated.py", *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=120)
    seen = json.loads((tmp_path / "seen.json").read_text()) if (tmp_path / "seen.json").exists() else None
    return process, seen


@pytest.mark.parametrize("ci", [False, True], ids=["local", "CI=true"])
def test_an_unrelated_session_is_left_alone(tmp_path, ci):
    (tmp_path / "test_unrelated.py").write_text(_UNRELATED)
    with_plugin, seen = _session(tmp_path, ci=ci)
    assert with_plugin.returncode == 0, with_plugin.stdout + with_plugin.stderr
    assert seen["plugin"], "the plugin was not loaded: the test proves nothing"
    header = [line for line in with_plugin.stdout.splitlines() if line.startswith("conformance:")]
    assert header == [], header
    assert seen["max_examples"] == 100 and seen["omp"] is None
    without_plugin, baseline = _session(tmp_path, ci=ci, plugin=False)
    assert without_plugin.returncode == 0, without_plugin.stdout + without_plugin.stderr
    assert not baseline["plugin"]
    # The same settings as without the plugin: hypothesis' own defaults (its ci profile where it detects CI).
    assert {k: v for k, v in seen.items() if k != "plugin"} == {k: v for k, v in baseline.items() if k != "plugin"}


def test_a_conformance_option_makes_it_a_conformance_session(tmp_path):
    # The control: the same file with an option of the suite gets the suite's profile and header line, so
    # the test above would see a plugin that still meddled.
    (tmp_path / "test_unrelated.py").write_text(_UNRELATED.replace("assert current.max_examples == 100", ""))
    process, seen = _session(tmp_path, "--hypothesis-profile-name", "dev")
    assert process.returncode == 0, process.stdout + process.stderr
    assert seen["profile"] == "dev" and seen["max_examples"] == 150 and seen["omp"] == "1"
    assert [line for line in process.stdout.splitlines() if line.startswith("conformance: implementation")]


def test_the_property_tests_still_get_their_profile():
    # tests/properties/conftest.py asks for it (the plugin no longer loads it everywhere).
    env = {key: value for key, value in os.environ.items()
           if key not in ("CI", "PYTEST_ADDOPTS") and not key.startswith(("CONFORMANCE_", "HYPOTHESIS_"))}
    process = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist",
                              "--collect-only", "tests/properties/test_profiles.py"],
                             cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                             timeout=120)
    assert process.returncode == 0, process.stdout + process.stderr
    assert "hypothesis profile dev (seed " in process.stdout, process.stdout
