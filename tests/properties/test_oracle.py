"""Finite differences in float64 as an oracle independent of both autograd engines.

The property: no generated smooth program has a gradient the implementation gets wrong
where torch and the finite difference agree. The attribution of each example (agree,
implementation wrong, torch wrong, ill-conditioned) goes into the results.
"""
from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import settings
from hypothesis import strategies as st

import reference_impl
from conformance.properties import oracle, suites
from conformance.properties.programs import Leaf, Program, Step
from reference_impl.ops import pointwise


def test_gradients_match_finite_differences(torch_module, impl_module, property_run, regression_dir):
    tally = suites.Tally()
    test = suites.oracle_property(torch_module, impl_module, tally, regression_dir=regression_dir)
    property_run("oracle.finite_differences", test, tally, regression_dir)
    assert tally.counts["agree"] > tally.examples // 2  # most examples are informative, not ill-conditioned


def _weighted(op: str, values, weights=(0.5, -1.25, 2.0)) -> Program:
    """loss = sum(op(x) * w) for a float64 leaf x."""
    leaf = Leaf((len(values),), "float64", tuple(values), True)
    w = Leaf((len(values),), "float64", tuple(weights[:len(values)]), False)
    steps = (Step(op, (0,)), Step("tensor", (), w.as_json()), Step("mul", (1, 2)), Step("sum", (3,), {"dim": None}))
    return Program((leaf,), steps)


@pytest.fixture
def broken_sin(monkeypatch):
    """reference_impl with d/dx sin x = 2 cos x."""
    order = pointwise.SIN.node_class._formula_order
    index, _, needs = order[0]
    monkeypatch.setattr(pointwise.SIN.node_class, "_formula_order",
                        ((index, lambda F, grad, self: F.mul_scalar(grad * F.cos(self), 2.0), needs),))


def test_smooth_program_agrees(torch_module):
    verdict = oracle.check(_weighted("sin", (0.3, -1.1, 2.0)), torch_module, reference_impl, seed=1)
    assert verdict.attribution == "agree", oracle.describe(verdict)


def test_a_wrong_derivative_is_attributed_to_the_side_that_has_it(torch_module, broken_sin):
    program = _weighted("sin", (0.3, -1.1, 2.0))
    assert oracle.check(program, torch_module, reference_impl, seed=1).attribution == "implementation wrong"
    assert oracle.check(program, reference_impl, torch_module, seed=1).attribution == "torch wrong"


def test_a_kink_is_ill_conditioned_not_a_failure(torch_module):
    verdict = oracle.check(_weighted("relu", (0.0, 1.0, -1.0)), torch_module, reference_impl, seed=3)
    assert verdict.attribution == "ill-conditioned", oracle.describe(verdict)


def test_an_oracle_failure_repro_runs_the_gradient_and_prints_both_sides(torch_module, broken_sin, monkeypatch):
    program = _weighted("sin", (0.3, -1.1, 2.0))
    monkeypatch.setattr(suites.strategies, "smooth_programs", lambda: st.just(program))
    test = suites.oracle_property(torch_module, reference_impl, suites.Tally(),
                                  settings=settings(max_examples=1, database=None, derandomize=True))
    with pytest.raises(suites.Divergence) as caught:
        test()
    script = caught.value.script()
    assert "t.autograd.grad(" in script  # the step the oracle adds, so the wrong gradient shows
    assert caught.value.program == program  # the corpus keeps the program the oracle check replays
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(script, "<repro>", "exec"), {"__name__": "__main__"})
    assert printed.getvalue().count("v5") >= 2  # the gradient, printed for torch and for the implementation
