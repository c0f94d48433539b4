"""Proof that the property tests find bugs: each runs a property against a deliberately broken variant
of reference_impl (monkeypatched inside the test, restored after) and demands that it fails, with the
broken field named in the failure, within the ci profile's budget for that property.

Shrinking is off here (a failure is all a meta-test needs), so each stops at the first failing example.
"""
from __future__ import annotations

import time

import pytest

import reference_impl
from conformance.properties import profiles, suites
from conformance.properties.execution import Divergence
from reference_impl.autograd import engine, graph
from reference_impl.ops import _derivative, _math, reduction


# ------------------------------------------------------------------ the broken variants
def overwrite_grads(monkeypatch):
    """AccumulateGrad overwrites .grad instead of adding to it."""
    original = _math.ArrayMath.accumulate_into

    def overwrite(self, variable, grad):
        variable._grad = None
        original(self, variable, grad)

    monkeypatch.setattr(_math.ArrayMath, "accumulate_into", overwrite)


def unreduced_broadcast_grads(monkeypatch):
    """Gradients of broadcast inputs are not summed back to the input's shape."""
    monkeypatch.setattr(_math.ArrayMath, "sum_to", staticmethod(lambda grad, shape: grad))


def skipped_version_check(monkeypatch):
    """Saved tensors are unpacked without checking their version counter."""
    def unchecked(self, node):
        return self._data if self._tensor is None else self._tensor._data

    monkeypatch.setattr(graph.SavedTensor, "unpack_array", unchecked)


def never_freed(monkeypatch):
    """Nodes keep their saved tensors after backward (retain_graph always on)."""
    monkeypatch.setattr(_derivative.FormulaNode, "_release", lambda self: None)


def wrong_overload_suffix(monkeypatch):
    """mean(dim) records MeanBackward0 (the overload for mean()) instead of MeanBackward1."""
    right = reduction.MEAN_DIM.node_class
    wrong = type("MeanBackward0", (right,), {"__slots__": (), "__module__": right.__module__})
    monkeypatch.setattr(reduction.MEAN_DIM, "node_class", wrong)


def reversed_next_functions(monkeypatch):
    """next_functions lists a node's edges last input first."""
    monkeypatch.setattr(graph.Node, "next_functions", property(lambda self: tuple(zip(self._fns, self._nrs))[::-1]))


def hooks_in_reverse(monkeypatch):
    """A tensor's hooks fire last registered first."""
    original = engine._run_hook_dict

    class Reversed:
        def __init__(self, hooks):
            self.hooks = hooks

        def values(self):
            return list(self.hooks.values())[::-1]

    monkeypatch.setattr(engine, "_run_hook_dict", lambda hooks, value, F: original(Reversed(hooks), value, F))


# (variant, property focus that must catch it, text the failure must mention)
VARIANTS = [
    (overwrite_grads, "backward", ".grad"),
    (unreduced_broadcast_grads, "arithmetic", ".grad"),
    (skipped_version_check, "views", "events"),
    (never_freed, "backward", "events"),
    (wrong_overload_suffix, "arithmetic", "MeanBackward"),
    (reversed_next_functions, "arithmetic", ".graph.edges"),
    (hooks_in_reverse, "hooks", "].hook"),
]


def _run_until_caught(test):
    """Run a property; return the Divergence it raised (fail the meta-test if it passed)."""
    try:
        test()
    except Divergence as failure:
        return failure
    pytest.fail("the property passed against a broken implementation")


@pytest.mark.parametrize("variant, focus, mentions", VARIANTS, ids=[v[0].__name__ for v in VARIANTS])
def test_programs_property_catches_a_broken_engine(variant, focus, mentions, torch_module, monkeypatch):
    variant(monkeypatch)
    tally = suites.Tally()
    budget = profiles.ci_examples(suites.SHARES[focus])
    test = suites.programs_property(focus, torch_module, reference_impl, tally, settings=profiles.quick(budget))
    start = time.perf_counter()
    failure = _run_until_caught(test)
    print(f"{variant.__name__}: caught by programs.{focus} after {tally.examples} examples "
          f"in {time.perf_counter() - start:.2f} s")
    assert tally.examples <= budget
    assert mentions in str(failure), str(failure)[:2000]


@pytest.mark.parametrize("variant, mentions", [(overwrite_grads, ".grad"), (never_freed, "second time")],
                         ids=["overwrite_grads", "never_freed"])
def test_state_machine_catches_a_broken_engine(variant, mentions, torch_module, monkeypatch):
    variant(monkeypatch)
    tally = suites.Tally()
    budget = profiles.ci_examples(suites.SHARES["stateful"])
    failure = _run_until_caught(suites.stateful_property(torch_module, reference_impl, tally,
                                                         settings=profiles.quick(budget)))
    assert mentions in str(failure), str(failure)[:2000]
