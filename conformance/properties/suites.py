"""The properties, as functions that build a hypothesis test for a torch namespace and an implementation.

tests/properties/ runs them against ``--impl``; the meta-tests run the same
functions against deliberately broken variants of reference_impl. Each
property counts its examples (and anything else worth reporting) in a Tally.
"""
from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from . import codegen, oracle, profiles, strategies
from .execution import Divergence, LiveRun, compare_outcomes, divergence, missing_names, mixes_dtypes
from .programs import Program, Step

# The share of the profile's max_examples each property gets (an example's cost differs a lot).
SHARES = {"arithmetic": 0.6, "views": 0.6, "backward": 0.6, "hooks": 0.5, "mixed": 0.6, "oracle": 0.3,
          "stateful": 0.1}
FOCI = ("arithmetic", "views", "backward", "hooks", "mixed")


@dataclass
class Tally:
    """What a property run reports besides pass/fail (plain types only: it goes into user_properties)."""

    examples: int = 0
    counts: Counter = field(default_factory=Counter)
    findings: list = field(default_factory=list)

    def summary(self) -> str:
        return ", ".join(f"{name} {count}" for name, count in sorted(self.counts.items()))


def _stable(test):
    """Run ``test`` with the same examples whatever else the process loaded (see profiles)."""
    @functools.wraps(test)
    def run():
        with profiles.without_local_constants():
            test()

    return run


# ------------------------------------------------------------------ programs: torch is the oracle
def programs_property(focus: str, torch_ns, impl_ns, tally: Tally, settings=None, regression_dir=None):
    label = f"programs.{focus}"

    @(settings or profiles.for_property(SHARES[focus]))
    @given(program=strategies.programs(focus))
    def generated_programs_behave_like_torch(program):
        tally.examples += 1
        from .execution import check_program

        check_program(program, torch_ns, impl_ns, label, regression_dir=regression_dir)

    return _stable(generated_programs_behave_like_torch)


# ------------------------------------------------------------------ finite differences: an independent oracle
def oracle_property(torch_ns, impl_ns, tally: Tally, settings=None, regression_dir=None):
    label = "oracle.finite_differences"

    @(settings or profiles.for_property(SHARES["oracle"]))
    @given(program=strategies.smooth_programs(), direction_seed=st.integers(0, 2**16))
    def gradients_match_finite_differences(program, direction_seed):
        tally.examples += 1
        verdict = oracle.check(program, torch_ns, impl_ns, direction_seed)
        tally.counts[verdict.attribution] += 1
        if verdict.attribution == "torch wrong" and len(tally.findings) < 5:
            tally.findings.append({"attribution": verdict.attribution, "verdict": verdict.as_dict(),
                                   "program": program.as_json(), "seed": direction_seed})
        if verdict.attribution == "implementation wrong":
            raise divergence(label, program, [oracle.describe(verdict)], impl_ns, regression_dir,
                             extra={"attribution": verdict.attribution, "seed": direction_seed},
                             repro_program=oracle.with_its_gradients(program))

    return _stable(gradients_match_finite_differences)


# ------------------------------------------------------------------ the state machine
RULE_BUILDERS = ("unary", "binary", "scalar", "clamp", "reduce", "view", "split", "join", "matmul")


class _Machine(RuleBasedStateMachine):
    """Both sides driven step by step; after every step they must show the same state.

    Subclassed per run with ``torch_ns``, ``impl_ns``, ``tally`` and ``regression_dir`` set. The steps
    taken so far are a Program, so a failure comes with a repro and a regression file like the others.
    """

    torch_ns = impl_ns = tally = regression_dir = None
    label = "stateful.training_loop"

    def __init__(self) -> None:
        super().__init__()
        self.gen = strategies.Gen("mixed", no_grad_allowed=True)
        self.sides = (LiveRun(self.torch_ns), LiveRun(self.impl_ns, missing_names(self.impl_ns)))
        self.ran_leaves = self.ran_steps = 0
        self.tally.examples += 1

    def program(self) -> Program:
        return self.gen.program()

    def _sync(self) -> None:
        """Run the steps the builders appended since the last call, on both sides."""
        for index in range(self.ran_leaves, len(self.gen.leaves)):
            for side in self.sides:
                side.add_leaf(codegen.leaf_source(self.gen.leaves[index], f"v{index}"))
        self.ran_leaves = len(self.gen.leaves)
        names = self.program().output_names()
        for index in range(self.ran_steps, len(self.gen.steps)):
            step = self.gen.steps[index]
            source = codegen.step_source(step, index, [f"v{a}" for a in step.args], names[index])
            for side in self.sides:
                side.run_step(source)
        self.ran_steps = len(self.gen.steps)

    def _build(self, data, name) -> None:
        strategies.BUILDERS[name](data.draw, self.gen)
        self._sync()

    @initialize(data=st.data())
    def make_parameters(self, data):
        strategies.initial_leaves(data.draw, self.gen)
        params = [i for i, v in enumerate(self.gen.vars) if v.leaf and v.requires_grad]
        if params and data.draw(st.booleans()):
            momentum = data.draw(st.sampled_from((0.0, 0.9)))
            self.gen.emit(Step("optimizer", tuple(params), {"lr": 0.125, "momentum": momentum}),
                          strategies.Var((), "optimizer"))
        self._sync()

    @rule(data=st.data(), name=st.sampled_from(RULE_BUILDERS))
    def apply_op(self, data, name):
        self._build(data, name)

    @rule(data=st.data())
    def backward(self, data):
        self._build(data, "backward")

    @rule(data=st.data())
    def autograd_grad(self, data):
        self._build(data, "grad")

    @rule(data=st.data())
    def in_place(self, data):
        self._build(data, data.draw(st.sampled_from(("inplace", "setitem"))))

    @rule(data=st.data())
    def detach_or_clone(self, data):
        self._build(data, "detach")

    @rule(data=st.data())
    def hook(self, data):
        self._build(data, "hook")

    @rule(data=st.data())
    def zero_grad_or_sgd_update(self, data):
        self._build(data, "zero_grad")

    @rule(data=st.data())
    def new_tensor(self, data):
        self._build(data, "tensor")

    @rule(data=st.data(), action=st.sampled_from(("optimizer_step", "optimizer_zero_grad")))
    def optimizer(self, data, action):
        index = self.gen.pick(data.draw, lambda v: v.dtype == "optimizer")
        if index is not None:
            self.gen.emit(Step(action, (index,)))
            self._sync()

    def teardown(self):
        self.tally.counts["steps run"] += len(self.gen.steps)

    @invariant()
    def both_sides_agree(self):
        diffs = compare_outcomes(self.sides[0].observe(), self.sides[1].observe(), mixes_dtypes(self.program())).diffs
        if diffs:
            raise divergence(self.label, self.program(), diffs, self.impl_ns, self.regression_dir,
                             extra={"check": "compared after every step"})


def stateful_property(torch_ns, impl_ns, tally: Tally, settings=None, regression_dir=None):
    machine = type("TrainingLoopMachine", (_Machine,), {"torch_ns": torch_ns, "impl_ns": impl_ns, "tally": tally,
                                                         "regression_dir": regression_dir})
    chosen = settings or profiles.for_property(SHARES["stateful"])

    @_stable
    def state_machine_keeps_both_sides_equal():
        run_state_machine_as_test(machine, settings=chosen)

    return state_machine_keeps_both_sides_equal


def check_of(label: str) -> str:
    """The regression check that replays a counterexample found by property ``label``."""
    if label.startswith("stateful"):
        return "step_by_step"
    if label.startswith("oracle"):
        return "oracle"
    return "differential"


__all__ = ["FOCI", "Divergence", "Tally", "check_of", "oracle_property", "programs_property", "stateful_property"]
