"""A numerical oracle independent of both autograd engines: finite differences in float64.

For a program whose last value is a scalar loss L, and its inputs x (the
leaves that require grad), draw a unit direction u and compare the directional
derivative each side's gradient implies, <grad L, u>, with the central
difference (L(x + h u) - L(x - h u)) / 2h, refined by Richardson extrapolation
(as HIPS autograd and JAX's check_grads do with the identity <v, J u>). The
forward is evaluated in float64 by torch under no_grad: only its arithmetic is
trusted, not its autograd.

A disagreement is attributed:
- ``agree``: both sides match the finite difference;
- ``implementation wrong``: torch matches it, the implementation does not;
- ``torch wrong``: the implementation matches it, torch does not;
- ``ill-conditioned``: the finite difference is not stable between two step
  sizes (a kink or tie within reach of h), is not finite, or neither side
  matches it (e.g. exactly at a kink, where autograd picks a subgradient).
An implementation that lacks a torch name the program uses is none of these: NotImplementedInEngine
(runtime.py), the property's status not-implemented.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .execution import call_program, compile_program, missing_names
from .programs import Leaf, Program, Step
from .runtime import Recorder

ATTRIBUTIONS = ("agree", "implementation wrong", "torch wrong", "ill-conditioned", "not applicable")
STEPS = (1e-3, 1e-4)  # two step sizes: their estimates must agree for the difference to count
RTOL = {"float32": 2e-3, "float64": 1e-6}


@dataclass
class Verdict:
    attribution: str
    finite_difference: float = math.nan
    torch_directional: float = math.nan
    impl_directional: float = math.nan
    scale: float = math.nan
    note: str = ""
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {key: (value if not isinstance(value, float) or math.isfinite(value) else str(value))
                for key, value in self.__dict__.items()}


# ------------------------------------------------------------------ inputs of a program
def inputs_of(program: Program) -> list:
    """(value index, Leaf) for each leaf that requires grad: the program's leaves, then ``tensor`` steps."""
    found = [(i, leaf) for i, leaf in enumerate(program.leaves) if leaf.requires_grad]
    for step, outputs in zip(program.steps, program.output_names()):
        if step.op == "tensor" and step.params.get("requires_grad"):
            found.append((int(outputs[0][1:]), Leaf.from_json(step.params)))
    return found


def loss_index(program: Program) -> int:
    return program.value_count() - 1


def with_gradients(program: Program, inputs: list) -> Program:
    """The program followed by autograd.grad(loss, inputs, allow_unused=True)."""
    step = Step("grad", (loss_index(program), *[i for i, _ in inputs]), {"allow_unused": True},
                outputs=len(inputs))
    return Program(program.leaves, program.steps + (step,))


def perturbed(program: Program, inputs: list, direction: list, h: float) -> Program:
    """Every leaf in float64, the inputs moved by h * direction."""
    moved = {index: tuple(np.asarray(leaf.values, np.float64) + h * np.asarray(u, np.float64).reshape(-1))
             for (index, leaf), u in zip(inputs, direction)}

    def as_f64(leaf: Leaf, index: int) -> Leaf:
        values = moved.get(index, leaf.values)
        return Leaf(leaf.shape, "float64", tuple(float(v) for v in values), leaf.requires_grad)

    leaves = tuple(as_f64(leaf, i) for i, leaf in enumerate(program.leaves))
    steps = []
    for step, outputs in zip(program.steps, program.output_names()):
        if step.op == "tensor":
            index = int(outputs[0][1:])
            step = Step("tensor", (), as_f64(Leaf.from_json(step.params), index).as_json(), 1, step.no_grad)
        steps.append(step)
    return Program(leaves, tuple(steps))


# ------------------------------------------------------------------ evaluation
def loss_float64(program: Program, torch_ns) -> float:
    """L in float64 by torch's forward under no_grad (its autograd plays no part)."""
    recorder = Recorder()
    with torch_ns.no_grad():
        values = compile_program(program)(torch_ns, recorder)
    loss = values.get(f"v{loss_index(program)}")
    return math.nan if loss is None else float(loss.double().item())


def gradients(program: Program, inputs: list, t, missing=None):
    """Each input's gradient from side ``t`` as float64 arrays (zeros where unused); None if it failed.
    ``missing``: see runtime.Recorder (the implementation's side)."""
    recorder = Recorder(missing)
    values = call_program(compile_program(with_gradients(program, inputs)), t, recorder)
    if any("error" in event for event in recorder.events):
        return None
    first = program.value_count()
    grads = []
    for k, (_, leaf) in enumerate(inputs):
        g = values.get(f"v{first + k}")
        grads.append(np.zeros(leaf.shape) if g is None else np.asarray(g.detach().double().tolist(), np.float64))
    return grads


def direction(inputs: list, seed: int) -> list:
    rng = np.random.default_rng(seed)
    parts = [rng.standard_normal(leaf.shape) for _, leaf in inputs]
    norm = math.sqrt(sum(float(np.sum(p * p)) for p in parts)) or 1.0
    return [p / norm for p in parts]


def richardson(program: Program, inputs: list, u: list, h: float, torch_ns) -> float:
    """Central difference with step h, refined with h/2: error O(h^4) on smooth functions."""
    def central(step):
        plus = loss_float64(perturbed(program, inputs, u, step), torch_ns)
        minus = loss_float64(perturbed(program, inputs, u, -step), torch_ns)
        return (plus - minus) / (2 * step)

    return (4 * central(h / 2) - central(h)) / 3


def _dot(grads, u) -> float:
    return float(sum(np.sum(g * d) for g, d in zip(grads, u)))


def _close(a: float, b: float, scale: float, rtol: float) -> bool:
    return abs(a - b) <= rtol * scale + 1e-12


def check(program: Program, torch_ns, impl_ns, seed: int = 0) -> Verdict:
    """Attribute the directional derivative of ``program``'s loss (see the module docstring)."""
    inputs = inputs_of(program)
    if not inputs or not program.steps:
        return Verdict("not applicable", note="no input requires grad")
    torch_grads = gradients(program, inputs, torch_ns)
    impl_grads = gradients(program, inputs, impl_ns, missing_names(impl_ns))
    if torch_grads is None or impl_grads is None:
        return Verdict("not applicable", note="a side could not differentiate the program")
    u = direction(inputs, seed)
    estimates = [richardson(program, inputs, u, h, torch_ns) for h in STEPS]
    fd = estimates[-1]
    torch_dir, impl_dir = _dot(torch_grads, u), _dot(impl_grads, u)
    scale = max(sum(float(np.sum(np.abs(g * d))) for g, d in zip(grads, u))
                for grads in (torch_grads, impl_grads)) + abs(fd)
    dtype = "float32" if any(leaf.dtype == "float32" for leaf in program.leaves) or any(
        step.op == "tensor" and step.params["dtype"] == "float32" for step in program.steps) else "float64"
    rtol = RTOL[dtype]
    verdict = Verdict("agree", fd, torch_dir, impl_dir, scale, details={"estimates": estimates, "rtol": rtol})
    if not all(math.isfinite(v) for v in (*estimates, torch_dir, impl_dir, scale)):
        verdict.attribution, verdict.note = "ill-conditioned", "not finite"
    elif not _close(estimates[0], estimates[1], scale, rtol):
        verdict.attribution, verdict.note = "ill-conditioned", "finite difference unstable (kink or tie near x)"
    else:
        torch_ok, impl_ok = _close(torch_dir, fd, scale, rtol), _close(impl_dir, fd, scale, rtol)
        if torch_ok and not impl_ok:
            verdict.attribution = "implementation wrong"
        elif impl_ok and not torch_ok:
            verdict.attribution = "torch wrong"
        elif not (torch_ok or impl_ok):
            verdict.attribution, verdict.note = "ill-conditioned", "neither side matches (a subgradient convention?)"
    return verdict


def describe(verdict: Verdict) -> str:
    return (f"{verdict.attribution}: finite difference {verdict.finite_difference:.9g}, torch <grad, u> "
            f"{verdict.torch_directional:.9g}, implementation <grad, u> {verdict.impl_directional:.9g}"
            + (f" ({verdict.note})" if verdict.note else ""))


def with_its_gradients(program: Program) -> Program:
    """For a repro: the program with the gradient step the oracle adds, so the script prints both sides' grads."""
    return with_gradients(program, inputs_of(program))
