"""Program data -> Python source. The harness executes this source, so a repro script runs exactly it.

Each step becomes ``with hooks.step(i):`` around one statement (see runtime.py);
a step marked no_grad also enters ``t.no_grad()``. ``t`` is torch or the
implementation; ``hooks`` is a runtime.Recorder.
"""
from __future__ import annotations

import json
import textwrap

import numpy as np

from .programs import Leaf, Program, Step

UNARY = ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "neg")
BINARY = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}
SCALAR_OPERATORS = ("+", "-", "*", "/", "**")


# ------------------------------------------------------------------ literals
def float_literal(value: float, dtype: str = "float64") -> str:
    """The shortest text that reads back as exactly ``value`` in ``dtype``."""
    if dtype == "float32":
        text = repr(float(str(np.float32(value))))
        if float(np.float32(float(text))) == value:
            return text
    return repr(float(value))


def nested_values(values, shape, dtype: str) -> str:
    """Flat values as a nested list literal of the given shape."""
    items = [float_literal(v, dtype) for v in values]

    def build(flat, dims):
        if not dims:
            return flat[0]
        step = len(flat) // dims[0] if dims[0] else 0
        return "[" + ", ".join(build(flat[i * step:(i + 1) * step], dims[1:]) for i in range(dims[0])) + "]"

    return build(items, list(shape))


def constant(value) -> str:
    """A param as Python source: floats exact, lists of ints as tuples (shapes, dims)."""
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        return float_literal(value)
    if isinstance(value, (list, tuple)):
        inner = ", ".join(constant(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def tensor_expression(leaf: Leaf) -> str:
    dtype = f"t.{leaf.dtype}"
    if 0 in leaf.shape:  # t.tensor cannot spell an empty tensor of any shape
        return f"t.zeros({constant(list(leaf.shape))}, dtype={dtype}, requires_grad={leaf.requires_grad})"
    return f"t.tensor({nested_values(leaf.values, leaf.shape, leaf.dtype)}, dtype={dtype}, " \
           f"requires_grad={leaf.requires_grad})"


def index_key(items) -> str:
    """A JSON index key (ints, {"slice": [a, b, c]}, None, "...", {"index": [...]}) as subscript text."""
    parts = []
    for item in items:
        if item == "...":
            parts.append("...")
        elif isinstance(item, dict) and "slice" in item:
            start, stop, step = item["slice"]
            parts.append(f"{'' if start is None else start}:{'' if stop is None else stop}"
                         + ("" if step in (None, 1) else f":{step}"))
        elif isinstance(item, dict) and "index" in item:
            parts.append(repr(list(item["index"])))
        else:
            parts.append(repr(item))
    return ", ".join(parts) if parts else "..."


def _kwargs(**pairs) -> str:
    return ", ".join(f"{key}={constant(value)}" for key, value in pairs.items())


# ------------------------------------------------------------------ statements
def statement(step: Step, inputs: list, outputs: list) -> str:
    """One step as a Python statement; ``inputs`` and ``outputs`` are value names."""
    op, p = step.op, step.params
    a = inputs[0] if inputs else None
    lhs = _targets(outputs, _multi_output(step))
    if op == "tensor":
        return f"{lhs} = {tensor_expression(Leaf.from_json(p))}"
    if op in UNARY:
        return f"{lhs} = t.{op}({a})"
    if op == "clamp":
        bounds = {k: p[k] for k in ("min", "max") if p.get(k) is not None}
        return f"{lhs} = t.clamp({a}, {_kwargs(**bounds)})"
    if op in BINARY:
        return f"{lhs} = {a} {BINARY[op]} {inputs[1]}"
    if op == "scalar":
        value = float_literal(p["value"])
        return f"{lhs} = {value} {p['operator']} {a}" if p["reflected"] else f"{lhs} = {a} {p['operator']} {value}"
    if op in ("sum", "mean", "max", "min"):
        if p.get("dim") is None:
            return f"{lhs} = {a}.{op}()"
        return f"{lhs} = {a}.{op}({_kwargs(dim=p['dim'], keepdim=p.get('keepdim', False))})"
    if op in ("view", "reshape", "expand"):
        return f"{lhs} = {a}.{op}({constant(p['shape'])})"
    if op in ("t", "detach", "clone"):
        return f"{lhs} = {a}.{op}()"
    if op == "transpose":
        return f"{lhs} = {a}.transpose({p['dim0']}, {p['dim1']})"
    if op == "squeeze":
        return f"{lhs} = {a}.squeeze()" if p.get("dim") is None else f"{lhs} = {a}.squeeze({p['dim']})"
    if op == "unsqueeze":
        return f"{lhs} = {a}.unsqueeze({p['dim']})"
    if op == "index":
        return f"{lhs} = {a}[{index_key(p['key'])}]"
    if op == "unbind":
        return f"{lhs} = {a}.unbind({p['dim']})"
    if op == "split":
        return f"{lhs} = {a}.split({p['size']}, {p['dim']})"
    if op == "chunk":
        return f"{lhs} = {a}.chunk({p['chunks']}, {p['dim']})"
    if op in ("cat", "stack"):
        return f"{lhs} = t.{op}([{', '.join(inputs)}], dim={p['dim']})"
    if op == "matmul":
        return f"{lhs} = {a} @ {inputs[1]}"
    if op == "mm":
        return f"{lhs} = t.mm({a}, {inputs[1]})"
    if op == "backward":
        options = {k: p[k] for k in ("retain_graph", "create_graph") if p.get(k) is not None}
        extra = ([f"inputs=[{', '.join(inputs[1:])}]"] if len(inputs) > 1 else []) + \
            ([_kwargs(**options)] if options else [])
        return f"{a}.backward({', '.join(extra)})"
    if op == "grad":
        options = {k: p[k] for k in ("retain_graph", "create_graph", "allow_unused") if p.get(k) is not None}
        call = f"t.autograd.grad({a}, [{', '.join(inputs[1:])}]" + (f", {_kwargs(**options)}" if options else "") + ")"
        return f"{lhs} = {call}"
    if op == "inplace":
        operand = inputs[1] if len(inputs) > 1 else (float_literal(p["value"]) if p.get("value") is not None else "")
        return f"{a}.{p['method']}({operand})"
    if op == "setitem":
        return f"{a}[{index_key(p['key'])}] = {float_literal(p['value'])}"
    if op == "tensor_hook":
        scale = "" if p.get("scale") is None else f", scale={float_literal(p['scale'])}"
        return f"{a}.register_hook(hooks.tensor_hook({p['id']}{scale}))"
    if op == "post_accumulate_hook":
        return f"{a}.register_post_accumulate_grad_hook(hooks.post_accumulate_hook({p['id']}))"
    if op == "node_prehook":
        return f"{a}.grad_fn.register_prehook(hooks.node_prehook({p['id']}))"
    if op == "node_hook":
        return f"{a}.grad_fn.register_hook(hooks.node_hook({p['id']}))"
    if op == "retain_grad":
        return f"{a}.retain_grad()"
    if op == "zero_grad":
        return f"{a}.grad = None"
    if op == "sgd_update":
        return f"{a} -= {float_literal(p['lr'])} * {a}.grad"
    if op == "optimizer":
        return f"{lhs} = t.optim.SGD([{', '.join(inputs)}], {_kwargs(lr=p['lr'], momentum=p['momentum'])})"
    if op == "optimizer_step":
        return f"{a}.step()"
    if op == "optimizer_zero_grad":
        return f"{a}.zero_grad()"
    raise ValueError(f"unknown program op {op!r}")


def _targets(outputs: list, multi: bool) -> str:
    """Assignment targets; a multi-output call unpacks even one value (``v3, = x.unbind(0)``)."""
    if not outputs:
        return "_"
    return ", ".join(outputs) + ("," if multi and len(outputs) == 1 else "")


def _multi_output(step: Step) -> bool:
    return step.op in ("unbind", "split", "chunk", "grad") or (step.op in ("max", "min") and
                                                               step.params.get("dim") is not None)


def step_source(step: Step, index: int, inputs: list, outputs: list) -> str:
    """The step wrapped in its recorder context: what the harness executes for it."""
    text = statement(step, inputs, outputs)
    context = f"hooks.step({index})" + (", t.no_grad()" if step.no_grad else "")
    return f"with {context}:\n    {text}"


def leaf_source(leaf: Leaf, name: str) -> str:
    return f"{name} = {tensor_expression(leaf)}"


def body_lines(program: Program) -> list:
    """The program as top-level statements: leaves, then one ``with`` block per step."""
    lines = [leaf_source(leaf, f"v{i}") for i, leaf in enumerate(program.leaves)]
    for index, (step, outputs) in enumerate(zip(program.steps, program.output_names())):
        lines.append(step_source(step, index, [f"v{a}" for a in step.args], outputs))
    return lines


def function_source(program: Program) -> str:
    """``def program(t, hooks): ...`` returning every value it defined, by name."""
    body = "\n".join(body_lines(program)) or "pass"
    return ("def program(t, hooks):\n" + textwrap.indent(body, "    ") + "\n    defined = dict(locals())\n"
            "    return {name: value for name, value in defined.items() if name[0] == 'v' and name[1:].isdigit()}\n")


SCRIPT_TEMPLATE = '''\
"""Counterexample found by conformance's property tests ({label}).

Runs the program below on torch and on {impl}, prints what each side shows
(values, .grad, grad_fn, graph, versions, errors, warnings, hook calls) and
the differences. Regression JSON: see the end of this file.
"""
import json

import torch
import {impl} as impl

from conformance.properties.execution import observe_run
from conformance.properties.runtime import Recorder
from conformance.compare import compare


{function}

outcomes = {{}}
for t in (torch, impl):
    hooks = Recorder()
    values = program(t, hooks)
    outcomes[t.__name__] = observe_run(t, values, hooks)
    print(f"===== {{t.__name__}} =====")
    print(json.dumps(outcomes[t.__name__], indent=1))
print("===== differences (torch != implementation) =====")
for diff in compare(outcomes["torch"], outcomes[impl.__name__]).diffs:
    print(diff.text())

REGRESSION = {regression}
'''


def script(program: Program, impl_name: str = "reference_impl", label: str = "") -> str:
    """A standalone repro: the program's source, run on both sides, observations and differences printed."""
    regression = json.dumps(program.as_json(), sort_keys=True)
    return SCRIPT_TEMPLATE.format(label=label or "generated program", impl=impl_name,
                                  function=function_source(program).rstrip(), regression=repr(regression))
