"""The worked examples of docs/implementing.md: real engines through their adapters (examples/adapters/),
checked against the newest committed recording with their committed expectations files
(examples/expectations/). Each engine's tests are skipped when it is not installed (tox's `test` env
installs both).

- the run with the expectations file exits 0 (every result is a known gap or a pass);
- a regression planted in a copy of the adapter (an op that raises) exits 1 and names the behaviours that
  changed; so does a slightly wrong value (``tensor()`` nudges float data by 1e-3, tinygrad), through the
  baseline's semantic-level entries;
- the preflight stops a module with nothing in it: exit 2, one line, no traceback.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import recording

ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = ROOT / "examples" / "adapters"
EXPECTATIONS = ROOT / "examples" / "expectations"
ENGINES = {"tinygrad": "tinygrad_adapter", "synapgrad": "synapgrad_adapter"}
# Planted regressions, appended to a copy of an adapter (imported under another module name).
# An op that raises: behaviours expected to fail or to be not-implemented become errors.
PLANTED_RAISES = """

def ones(*size, **kwargs):
    raise RuntimeError("planted regression: ones() is broken")
"""
# A slightly wrong value: torch.tensor's float data is off by 1e-3 (ints and bools unchanged). At the exact
# level these engines already fail every behaviour that shows a tensor (repr, names): the semantic level
# sees it.
PLANTED_VALUE = """

def _nudge(data):
    if isinstance(data, float):
        return data + 1e-3
    if isinstance(data, (list, tuple)):
        return type(data)(_nudge(item) for item in data)
    return data


_planted_tensor = tensor


def tensor(data, *args, **kwargs):
    return _planted_tensor(_nudge(data), *args, **kwargs)
"""
SUBSET = ("backward", "version", "ops.", "broadcasting")  # keeps the planted runs to a few seconds


def newest_recording() -> str:
    return recording.available()[-1][0]


def run_conformance(tmp_path, *args, extra_path=(), timeout=300) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([*map(str, extra_path), str(ROOT), str(ADAPTERS)])}
    return subprocess.run([sys.executable, "-m", "conformance", "run", *args,
                           "--json", str(tmp_path / "results.json"), "--html", str(tmp_path / "report.html")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(params=sorted(ENGINES))
def engine(request):
    pytest.importorskip(request.param)
    return request.param


def test_engine_matches_its_expectations(engine, tmp_path):
    against = newest_recording()
    process = run_conformance(tmp_path, "--impl", ENGINES[engine], "--against", against,
                              "--expectations", str(EXPECTATIONS / f"{engine}.toml"))
    assert process.returncode == 0, (
        f"{engine} against {against} does not match examples/expectations/{engine}.toml (regenerate it with "
        f"--write-expectations if the change is intended; see docs/implementing.md):\n{process.stderr[-4000:]}")
    assert "0 unexpected" in process.stderr
    assert (tmp_path / "results.json").exists() and (tmp_path / "report.html").exists()


def plant(tmp_path, engine, code) -> str:
    """A copy of ``engine``'s adapter with ``code`` appended, importable from tmp_path; its module name."""
    name = f"planted_{engine}_adapter"
    source = (ADAPTERS / f"{ENGINES[engine]}.py").read_text(encoding="utf-8")
    (tmp_path / f"{name}.py").write_text(source + code, encoding="utf-8")
    return name


def unexpected_lines(stderr: str) -> list:
    return [line.strip() for line in stderr.splitlines() if line.lstrip().startswith("UNEXPECTED")]


def test_planted_regression_is_unexpected(engine, tmp_path):
    planted = plant(tmp_path, engine, PLANTED_RAISES)
    process = run_conformance(tmp_path, "--impl", planted, "--against", newest_recording(),
                              "--expectations", str(EXPECTATIONS / f"{engine}.toml"), "--select", *SUBSET,
                              extra_path=[tmp_path])
    assert process.returncode == 1, process.stderr[-4000:]
    unexpected = unexpected_lines(process.stderr)
    assert any(line.startswith("UNEXPECTED error") and "backward.accumulates_over_calls" in line
               and "planted regression: ones() is broken" in line for line in unexpected), process.stderr[-4000:]


def test_a_wrong_value_is_caught_by_the_committed_baseline(tmp_path):
    """tinygrad fails every behaviour showing a tensor at the exact level (its repr and node names); the
    baseline's semantic entries still see a value go wrong."""
    pytest.importorskip("tinygrad")
    planted = plant(tmp_path, "tinygrad", PLANTED_VALUE)
    process = run_conformance(tmp_path, "--impl", planted, "--against", newest_recording(), "--select", "ops.",
                              "--expectations", str(EXPECTATIONS / "tinygrad.toml"), extra_path=[tmp_path])
    assert process.returncode == 1, process.stderr[-4000:]
    assert any(line.startswith("UNEXPECTED fail") and "ops.exp_log_sqrt" in line
               for line in unexpected_lines(process.stderr)), process.stderr[-4000:]


def test_preflight_stops_an_empty_module(tmp_path):
    (tmp_path / "empty_engine.py").write_text("", encoding="utf-8")
    process = run_conformance(tmp_path, "--impl", "empty_engine", "--against", newest_recording(),
                              extra_path=[tmp_path], timeout=120)
    assert process.returncode == 2, process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1, process.stderr
    assert "preflight" in lines[0] and "empty_engine" in lines[0], lines[0]
    assert "Traceback" not in process.stderr
    assert not (tmp_path / "results.json").exists()


def test_every_not_implemented_names_a_name_torch_has(engine, tmp_path):
    """What blocks a behaviour is a torch name (``Tensor.retains_grad``, ``Tensor.backward(retain_graph=)``),
    never an engine's internal one; and nothing is an observer error."""
    import json

    against = newest_recording()
    run_conformance(tmp_path, "--impl", ENGINES[engine], "--against", against)
    results = json.loads((tmp_path / "results.json").read_text())["results"]
    torch_surface = recording.surface_of(recording.read(against))
    blocked = {name for result in results for name in result["blocked"]}
    assert blocked
    for name in blocked:
        owner, _, attribute = name.split("(", 1)[0].rpartition(".")
        assert torch_surface.has(owner, attribute), f"{engine}: {name} is not a torch name"
    assert not [r["id"] for r in results if (r["impl"] or {}).get("outputs", {}) and
                (r["impl"]["outputs"] or {}).get("kind") == "observer-error"]
    levels = [r["levels"] for r in results]
    assert sum(l["semantic"] == "pass" for l in levels) >= sum(l["exact"] == "pass" for l in levels)
