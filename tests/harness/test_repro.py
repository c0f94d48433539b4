"""Repro scripts (conformance/repro.py) reproduce: standalone, they agree where the harness agrees and
show the difference, exiting non-zero, wherever the harness finds one."""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conformance import catalogue, recording, repro

ROOT = Path(__file__).resolve().parents[2]
FAKE_IMPLS = Path(__file__).resolve().parent / "fake_impls"
RECORDING = "torch-2.13.0"
WORKERS = 2  # the CI machine has 2 cores
LIVE_SAMPLE = ("ops.add_sub_tensor_tensor", "optim.sgd_plain_steps",
               "warnings.scalar_conversion_requires_grad")


@pytest.fixture(scope="module")
def scenarios():
    return catalogue.select()


@pytest.fixture(scope="module")
def document():
    return recording.read(RECORDING)


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BROKEN_IMPL_PLANTS")}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT), str(FAKE_IMPLS)]), OMP_NUM_THREADS="1")
    return env


def _run_scripts(scripts: dict, directory: Path, timeout: float = 120.0) -> dict:
    """id -> CompletedProcess of each script, each in a fresh interpreter (a small pool)."""
    def run(item):
        behaviour_id, script = item
        path = directory / f"repro_{behaviour_id.replace('.', '_')}.py"
        path.write_text(script, encoding="utf-8")
        return behaviour_id, subprocess.run([sys.executable, str(path)], cwd=directory, env=_env(),
                                            capture_output=True, text=True, timeout=timeout)

    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(pool.map(run, scripts.items()))


def _exec(script: str, name: str) -> tuple:
    """(exit status, output) of a script exec'd in this process as __main__."""
    out = io.StringIO()
    code = compile(script, f"<repro {name}>", "exec")
    try:
        with contextlib.redirect_stdout(out):
            exec(code, {"__name__": "__main__"})
    except SystemExit as stop:
        return stop.code, out.getvalue()
    return None, out.getvalue()


# ------------------------------------------------------------------ the script's shape
def test_script_is_standalone_and_names_what_it_runs(scenarios):
    by_id = {s.id: s for s in scenarios}
    script = repro.build(by_id["optim.sgd_plain_steps"], "some_engine", RECORDING)
    assert "import some_engine as impl" in script
    assert "import torch" not in script and "reference_impl" not in script
    assert "# Repro of autograd behaviour optim.sgd_plain_steps" in script
    assert "def _quadratic_run(t, steps=3, **options):" in script  # a helper, inlined
    assert "TARGET = [0.5, 4.0]" in script  # and the constant that helper uses
    assert "def body(t, ctx):" in script and "@scenario" not in script
    assert "against='torch-2.13.0'" in script and 'if __name__ == "__main__":' in script
    live = repro.build(by_id["ops.add_sub_tensor_tensor"], "reference_impl")
    assert "import torch\n" in live and "torch_module=torch" in live
    for helper in ("def _leaf(", "def _backward(", "def _edges("):
        assert helper in live
    printing = repro.build(next(s for s in scenarios if "_no_address" in s.body.__code__.co_names),
                           "reference_impl", RECORDING)
    assert "import re" in printing and "def _no_address(" in printing  # a module a helper uses


def test_every_script_agrees_for_the_reference_engine(scenarios, tmp_path):
    """All of them compile; exec'd here they exit 0 (isolated ones, about warn-once state of the process,
    each in a fresh interpreter)."""
    failures, isolated = [], {}
    for scenario in scenarios:
        script = repro.build(scenario, "reference_impl", RECORDING)
        compile(script, f"<repro {scenario.id}>", "exec")
        if scenario.isolated:
            isolated[scenario.id] = script
            continue
        status, output = _exec(script, scenario.id)
        if status != 0:
            failures.append(f"{scenario.id}: exit {status}\n{output[-2000:]}")
    for behaviour_id, done in _run_scripts(isolated, tmp_path).items():
        if done.returncode != 0:
            failures.append(f"{behaviour_id} (fresh process): exit {done.returncode}\n{done.stdout[-2000:]}{done.stderr}")
    assert len(scenarios) == len(catalogue.load_all())  # every behaviour, isolated ones too
    assert not failures, "\n\n".join(failures[:5])


def test_edited_body_is_what_runs(scenarios):
    scenario = next(s for s in scenarios if s.id == "ops.add_sub_tensor_tensor")
    script = repro.build(scenario, "reference_impl", RECORDING)
    assert _exec(script, scenario.id)[0] == 0
    edited = script.replace('"sum": s,', '"sum": s * 3,')
    assert edited != script
    status, output = _exec(edited, scenario.id)
    assert status == 1 and "outputs.items.sum.values" in output


def test_live_torch_sample_in_fresh_processes(scenarios, tmp_path):
    pytest.importorskip("torch")
    by_id = {s.id: s for s in scenarios}
    scripts = {i: repro.build(by_id[i], "reference_impl", None) for i in LIVE_SAMPLE}
    for behaviour_id, done in _run_scripts(scripts, tmp_path, timeout=300).items():
        assert done.returncode == 0, f"{behaviour_id}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        assert "== torch: torch 2." in done.stdout and "(live)" in done.stdout
        assert "== PASS at level exact" in done.stdout


# ------------------------------------------------------------------ a broken engine: every failure reproduces
def test_every_failure_of_a_broken_engine_reproduces(scenarios, document, tmp_path):
    import broken_impl

    results = recording.run_against(scenarios, "broken_impl", document)
    failing = {r.id: r for r in results if r.status != "pass"}
    assert len(results) == len(scenarios) and 10 <= len(failing) < len(scenarios) // 2, sorted(failing)
    by_id = {s.id: s for s in scenarios}
    scripts = {i: repro.build(by_id[i], "broken_impl", RECORDING) for i in failing}
    problems = []
    for behaviour_id, done in _run_scripts(scripts, tmp_path).items():
        result = failing[behaviour_id]
        shown = done.stdout
        if done.returncode != 1:
            problems.append(f"{behaviour_id}: exit {done.returncode} (harness: {result.status})\n{shown[-1500:]}"
                            f"{done.stderr[-1500:]}")
        elif f"== {result.status.upper()} at level exact" not in shown:
            problems.append(f"{behaviour_id}: not judged {result.status} by the script\n{shown[-1500:]}")
        elif result.diffs and not all(f"] {d['path']}: torch " in shown for d in result.diffs):
            problems.append(f"{behaviour_id}: the script does not show every difference the harness found")
        elif not result.diffs and result.message.split(" (at ", 1)[0] not in shown:
            problems.append(f"{behaviour_id}: the script does not show {result.message!r}")
    assert not problems, "\n\n".join(problems[:5])

    # Each planted kind alone makes at least one of those behaviours fail; the copy without plants passes.
    def failing_with(kinds) -> set:
        shared = broken_impl.make(kinds)
        return {i for i in failing
                if recording.run_side_against(by_id[i], broken_impl.make(kinds) if by_id[i].isolated else shared,
                                              document).status != "pass"}

    assert failing_with(()) == set()
    caught = {kind: failing_with((kind,)) for kind in broken_impl.PLANTS}
    assert len(caught) >= 10 and all(caught.values()), {k: sorted(v) for k, v in caught.items()}
    assert set().union(*caught.values()) == set(failing)


def test_broken_engine_leaves_reference_impl_alone(scenarios, document):
    import broken_impl
    import reference_impl

    assert broken_impl.Tensor is not reference_impl.Tensor
    assert reference_impl.Tensor.sin is not broken_impl.Tensor.sin
    by_id = {s.id: s for s in scenarios}
    for behaviour_id in ("ops.transpose_t", "ops.sum_variants", "hooks.register_hook_without_requires_grad_errors"):
        assert recording.run_side_against(by_id[behaviour_id], reference_impl, document).status == "pass"


# ------------------------------------------------------------------ command line
def _cli(argv, capsys):
    parser = argparse.ArgumentParser()
    repro.add_subcommand(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    status = args.func(args)
    return status, capsys.readouterr()


def test_cli_prints_or_writes_the_script(capsys, tmp_path):
    status, captured = _cli(["repro", "ops.transpose_t", "--impl", "broken_impl", "--against", RECORDING], capsys)
    assert status == 0 and "import broken_impl as impl" in captured.out and "def body(t, ctx):" in captured.out
    target = tmp_path / "r.py"
    status, captured = _cli(["repro", "ops.transpose_t", "--level", "semantic", "-o", str(target)], capsys)
    assert status == 0 and captured.out == "" and "level='semantic'" in target.read_text()


@pytest.mark.parametrize("argv", [["repro", "no.such_behaviour"],
                                  ["repro", "ops.transpose_t", "--against", "torch-0.0.1"],
                                  ["repro", "ops.transpose_t", "--against", "/nonexistent/rec.json"]])
def test_cli_unknown_behaviour_or_recording(argv, capsys):
    status, captured = _cli(argv, capsys)
    assert status == 2 and captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and captured.err.startswith("conformance: ")
