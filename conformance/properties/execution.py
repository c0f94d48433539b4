"""Run a program on one side and observe it; run it on both and explain any difference.

An outcome is plain data: ``{"values": {name: observation}, "events": [...]}``
(events: each step's error and warnings, each hook call, in order). Both
sides' outcomes are compared with conformance.compare, with two allowances
that generated numbers need and hand-written scenarios do not:

- tolerances loose enough for last-bit differences of exp/sin/pow/sum that a
  generated chain of ops can amplify (real bugs are off by far more: a factor
  2, a transposed or unreduced gradient, a wrong shape, name or error);
- reprs with their numbers and whitespace masked, for the same reason: ``0.1235``
  vs ``0.1234`` is rounding, ``-0.0000`` vs `` 0.0000`` (padded) a signed zero from
  another summation order, while the brackets, dtype and grad_fn parts still count;
- no ``_version`` for the ``.grad`` of an empty tensor: whether AccumulateGrad may keep
  an empty gradient or copies it (version 1) depends on the strides torch gives empty
  results and views, which NumPy does not keep (see README, known differences).

An error of the implementation that shows it lacks a torch name (conformance.missing.torch_name, with
torch's public surface) is no difference: it ends the run with runtime.NotImplementedInEngine, and the
property with status not-implemented at its first such example.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

from .. import missing, recording, surface
from ..compare import Diff, compare
from ..observe import Observer, clean_message
from ..runner import reset_state
from . import codegen
from .programs import Program
from .runtime import Recorder

PROPERTY_TOLERANCES = {
    "torch.float32": (1e-4, 1e-4),
    "torch.float64": (1e-9, 1e-9),
    "python float": (1e-4, 1e-4),
}
# A program mixing float32 and float64 computes some float64 values in float32 (a float32 tensor with a
# 0-d float64 one stays float32): those are only float32-accurate.
MIXED_TOLERANCES = dict(PROPERTY_TOLERANCES, **{"torch.float64": PROPERTY_TOLERANCES["torch.float32"]})

_NUMBER = re.compile(r"(?<![\w.])-?(?:nan|inf|\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)(?![\w.])")
_SPACES = re.compile(r"\s+")
_VALUE_NAME = re.compile(r"^v(\d+)$")


def masked_repr(text: str) -> str:
    """A repr with every number replaced by '#' and no whitespace."""
    return _SPACES.sub("", _NUMBER.sub("#", text))


def _normalize(observation):
    """Mask reprs; drop the version of an empty tensor's .grad (see the module docstring)."""
    stack = [observation]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if value.get("kind") == "tensor" and isinstance(value.get("repr"), str):
                value["repr"] = masked_repr(value["repr"])
            empty = value.get("kind") == "tensor" and 0 in (value.get("shape") or ())
            if empty and isinstance(value.get("grad"), dict):
                value["grad"].pop("version", None)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return observation


def _is_observable(t, value) -> bool:
    """Tensors and missing gradients (None); optimizers and the like are seen through their tensors."""
    return value is None or isinstance(value, t.Tensor)


def observe_run(t, values: dict, recorder: Recorder) -> dict:
    """Everything the user can see after a run: each value (with .grad and graph) and the events."""
    observer = Observer(t)
    ordered = sorted(((int(_VALUE_NAME.match(name).group(1)), name, value) for name, value in values.items()
                      if _VALUE_NAME.match(name) and _is_observable(t, value)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        observed = {}
        for _, name, value in ordered:
            try:
                observed[name] = observer(value)
            except Exception as error:
                message = clean_message(f"{type(error).__name__}: {error}")
                observed[name] = {"kind": "observer-error", "message": message}
    return _normalize({"values": observed, "events": list(recorder.events)})


# ------------------------------------------------------------------ names the implementation lacks
_surface: surface.Surface | None = None


def torch_surface() -> surface.Surface:
    """torch's public surface: the installed torch's, else the newest recording's (read once, when first needed)."""
    global _surface
    if _surface is None:
        found = surface.installed()
        if not found and recording.available():
            found = recording.surface_of(recording.read(recording.available()[-1][0]))
        _surface = found
    return _surface


class _LazySurface:
    """torch_surface(), captured only when the classifier asks (most errors, e.g. RuntimeErrors, never do)."""

    def __bool__(self) -> bool:
        return bool(torch_surface())

    def __getattr__(self, name):
        return getattr(torch_surface(), name)


def missing_names(impl_ns):
    """``error -> the torch name it shows impl_ns lacks, or None``: a Recorder's ``missing``."""
    lazy = _LazySurface()
    return lambda error: missing.torch_name(error, impl_ns, lazy)


def call_program(function, t, recorder: Recorder) -> dict:
    """``function(t, recorder)``; an error outside every step (a leaf) may show a missing name too."""
    try:
        return function(t, recorder)
    except Exception as error:
        recorder.raise_if_missing(error)
        raise


def compile_program(program: Program):
    """The program's ``program(t, hooks)`` function, compiled from its generated source."""
    namespace: dict = {}
    exec(compile(codegen.function_source(program), "<generated program>", "exec"), namespace)
    return namespace["program"]


def run_program(program: Program, t, function=None, missing=None) -> dict:
    """Run on one side (torch or an implementation) and observe. ``missing``: see runtime.Recorder (the
    implementation's side: ``missing_names(t)``)."""
    reset_state(t)
    function = function or compile_program(program)
    recorder = Recorder(missing)
    values = call_program(function, t, recorder)
    return observe_run(t, values, recorder)


class LiveRun:
    """A program executed one step at a time on one side (the state machine's way)."""

    def __init__(self, t, missing=None) -> None:
        reset_state(t)
        self.t = t
        self.recorder = Recorder(missing)
        self.namespace = {"t": t, "hooks": self.recorder}

    def _run(self, source: str, filename: str) -> None:
        try:
            exec(compile(source, filename, "exec"), self.namespace)
        except Exception as error:
            self.recorder.raise_if_missing(error)
            raise

    def add_leaf(self, source: str) -> None:
        self._run(source, "<generated leaf>")

    def run_step(self, source: str) -> None:
        self._run(source, "<generated step>")

    def observe(self) -> dict:
        values = {name: value for name, value in self.namespace.items() if _VALUE_NAME.match(name)}
        return observe_run(self.t, values, self.recorder)


def mixes_dtypes(program: Program) -> bool:
    dtypes = {leaf.dtype for leaf in program.leaves}
    dtypes |= {step.params["dtype"] for step in program.steps if step.op == "tensor"}
    return len(dtypes) > 1


def compare_outcomes(expected: dict, actual: dict, mixed: bool = False):
    return compare(expected, actual, MIXED_TOLERANCES if mixed else PROPERTY_TOLERANCES)


# ------------------------------------------------------------------ divergences
@dataclass(eq=False)  # compared by identity, hashable, as exceptions are
class Divergence(AssertionError):
    """torch and the implementation showed different things for ``program``."""

    label: str
    program: Program
    diffs: list
    impl_name: str = "reference_impl"
    regression_path: str | None = None
    saved: bool = False
    extra: dict = field(default_factory=dict)  # e.g. the oracle's attribution
    repro_program: Program | None = None  # what the repro script runs, when more than ``program`` (the oracle's grad)

    def __post_init__(self):
        super().__init__(self.message())

    def summary(self, limit: int = 12) -> list:
        lines = [d.text() if isinstance(d, Diff) else str(d) for d in self.diffs[:limit]]
        if len(self.diffs) > limit:
            lines.append(f"… {len(self.diffs) - limit} more differences")
        return lines

    def script(self) -> str:
        return codegen.script(self.repro_program or self.program, self.impl_name, self.label)

    def message(self) -> str:
        steps = len(self.program.steps)
        lines = [f"{self.label}: torch and {self.impl_name} differ on a generated program "
                 f"({len(self.program.leaves)} leaves, {steps} steps):"]
        lines += [f"  {line}" for line in self.summary()]
        for key, value in self.extra.items():
            lines.append(f"  {key}: {value}")
        lines += ["", "Standalone repro (python - <<'EOF' ... EOF):", "", self.script()]
        regression = self.program.to_json(sort_keys=True)
        if self.saved:
            lines.append(f"Saved to the regression corpus: {self.regression_path}")
        elif self.regression_path:
            lines += [f"To keep it as a regression test, rerun with CONFORMANCE_SAVE_REGRESSIONS=1 or save this "
                      f"JSON as {self.regression_path}:", regression]
        return "\n".join(lines)

    def __str__(self) -> str:  # computed when printed: saving to the corpus updates it
        return self.message()


def differences(program: Program, torch_ns, impl_ns) -> list:
    """The diffs between both sides' outcomes of ``program`` (empty when they agree)."""
    function = compile_program(program)
    expected = run_program(program, torch_ns, function)
    actual = run_program(program, impl_ns, function, missing_names(impl_ns))
    return compare_outcomes(expected, actual, mixes_dtypes(program)).diffs


def differences_step_by_step(program: Program, torch_ns, impl_ns) -> list:
    """Like ``differences``, comparing after every step (how the state machine checks)."""
    sides = [LiveRun(torch_ns), LiveRun(impl_ns, missing_names(impl_ns))]
    for index, leaf in enumerate(program.leaves):
        for side in sides:
            side.add_leaf(codegen.leaf_source(leaf, f"v{index}"))
    for index, (step, outputs) in enumerate(zip(program.steps, program.output_names())):
        source = codegen.step_source(step, index, [f"v{a}" for a in step.args], outputs)
        for side in sides:
            side.run_step(source)
        diffs = compare_outcomes(sides[0].observe(), sides[1].observe(), mixes_dtypes(program)).diffs
        if diffs:
            return [Diff(f"after step {index}: {d.path}", d.expected, d.actual, d.note) for d in diffs]
    return []


def check_program(program: Program, torch_ns, impl_ns, label: str, *, step_by_step: bool = False,
                  regression_dir=None) -> None:
    """Raise Divergence (with a repro and the regression JSON) when the sides differ."""
    find = differences_step_by_step if step_by_step else differences
    diffs = find(program, torch_ns, impl_ns)
    if diffs:
        raise divergence(label, program, diffs, impl_ns, regression_dir)


def divergence(label, program, diffs, impl_ns, regression_dir=None, extra=None, repro_program=None) -> Divergence:
    from . import corpus

    path = corpus.path_for(label, program, regression_dir) if regression_dir is not None else None
    return Divergence(label, program, diffs, impl_ns.__name__, None if path is None else str(path),
                      extra=extra or {}, repro_program=repro_program)
