"""An implementation that lacks a name torch has (``torch.float32``, ``Tensor.retain_grad``) makes a property
``not-implemented``, naming it, at the first example that uses the name: no shrinking, no error after minutes.
A real difference is still a failure with its repro. Both ways a property runs are checked: under pytest
(the plugin's ``property_run`` -> reporting.run_property) and in the CLI's session (session.run_properties).

The fake engines are in fake/ (no_float32_impl, no_retain_grad_impl; the latter changes reference_impl for
its whole process, so it is only imported by the session's child processes; in this process
``Tensor.retain_grad`` is removed with monkeypatch instead).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import reference_impl
from conformance.properties import execution, profiles, reporting, session, suites
from conformance.properties.runtime import NotImplementedInEngine

FAKE = Path(__file__).parent / "fake"
BOUND_S = 20.0  # generous: the first example, plus capturing torch's surface once (a few seconds)


@pytest.fixture
def fake_engines(monkeypatch):
    monkeypatch.syspath_prepend(str(FAKE))  # spawned session children inherit sys.path


def _uses_float32(program) -> bool:
    return any(leaf.dtype == "float32" for leaf in program.leaves) or \
        any(step.op == "tensor" and step.params["dtype"] == "float32" for step in program.steps)


def _recorded(request) -> dict:
    """The entry property_run added to this test's user_properties, taken off again: a fake engine's entry
    must not reach a --conformance-json results file."""
    [entry] = [json.loads(value) for key, value in request.node.user_properties if key == reporting.PROPERTY_KEY]
    request.node.user_properties[:] = [p for p in request.node.user_properties if p[0] != reporting.PROPERTY_KEY]
    return entry


# ------------------------------------------------------------------ under pytest
def test_a_missing_dtype_is_not_implemented_at_the_first_example(fake_engines, torch_module, property_run,
                                                                  request, monkeypatch, tmp_path):
    import no_float32_impl

    checked = []
    check = execution.check_program
    monkeypatch.setattr(execution, "check_program", lambda program, *a, **k: (checked.append(program),
                                                                              check(program, *a, **k)))
    tally = suites.Tally()
    test = suites.programs_property("arithmetic", torch_module, no_float32_impl, tally,
                                    settings=profiles.for_property(suites.SHARES["arithmetic"], derandomize=True,
                                                                   database=None),
                                    regression_dir=tmp_path)
    start = time.perf_counter()
    with pytest.raises(NotImplementedInEngine, match=r"not implemented: torch\.float32"):
        property_run("programs.arithmetic", test, tally, tmp_path)
    elapsed = time.perf_counter() - start
    entry = _recorded(request)
    assert (entry["status"], entry["message"]) == ("not-implemented", "not implemented: torch.float32")
    assert entry["examples"] == len(checked) and entry["repro"] == "" and entry["regression"] is None
    assert [_uses_float32(p) for p in checked].count(True) == 1 and _uses_float32(checked[-1])  # stopped there
    assert elapsed < BOUND_S and entry["duration_s"] < BOUND_S
    assert list(tmp_path.iterdir()) == []  # nothing for the regression corpus


@pytest.mark.parametrize("build", ["programs.hooks", "stateful.training_loop"])
def test_a_missing_tensor_method_is_not_implemented(build, torch_module, property_run, request, monkeypatch):
    monkeypatch.delattr(reference_impl.Tensor, "retain_grad")
    tally = suites.Tally()
    share = suites.SHARES["hooks" if build == "programs.hooks" else "stateful"]
    chosen = profiles.for_property(share, derandomize=True, database=None)
    test = suites.programs_property("hooks", torch_module, reference_impl, tally, settings=chosen) \
        if build == "programs.hooks" else suites.stateful_property(torch_module, reference_impl, tally, settings=chosen)
    start = time.perf_counter()
    with pytest.raises(NotImplementedInEngine):
        property_run(build, test, tally)
    entry = _recorded(request)
    assert (entry["status"], entry["message"]) == ("not-implemented", "not implemented: Tensor.retain_grad")
    assert time.perf_counter() - start < (2 * BOUND_S if build.startswith("stateful") else BOUND_S)
    assert 1 <= entry["examples"] < chosen.max_examples


def test_a_wrong_gradient_is_still_a_failure_with_its_repro(torch_module, monkeypatch, tmp_path):
    from test_meta import overwrite_grads  # a planted bug: AccumulateGrad overwrites .grad

    overwrite_grads(monkeypatch)
    tally = suites.Tally()
    test = suites.programs_property("backward", torch_module, reference_impl, tally, regression_dir=tmp_path,
                                    settings=profiles.quick(profiles.ci_examples(suites.SHARES["backward"])))
    entry, failure = reporting.measure("programs.backward", test, tally, tmp_path)  # what both paths call
    assert entry["status"] == "fail" and isinstance(failure, execution.Divergence), entry["message"]
    assert ".grad" in entry["message"] and "not implemented" not in entry["message"]
    assert "import reference_impl as impl" in entry["repro"] and entry["program"]
    assert entry["regression"] == failure.regression_path and entry["regression"].startswith(str(tmp_path))


# ------------------------------------------------------------------ the CLI's session (python -m conformance run)
def test_the_session_reports_missing_names_as_not_implemented(fake_engines):
    for impl, labels, name in (("no_float32_impl", ("programs.arithmetic", "oracle.finite_differences"),
                                "torch.float32"),
                               ("no_retain_grad_impl", ("programs.hooks",), "Tensor.retain_grad")):
        start = time.perf_counter()
        entries = session.run_properties(impl, "ci", labels=labels, timeout=120.0)
        assert [(e["name"], e["status"], e["message"]) for e in entries] == \
            [(label, "not-implemented", f"not implemented: {name}") for label in labels]
        assert all(e["duration_s"] < BOUND_S and 1 <= e["examples"] < 50 for e in entries), entries
        assert time.perf_counter() - start < 90.0  # each in a process of its own: torch imported there first
