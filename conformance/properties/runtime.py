"""What generated programs call besides ``t``: ``hooks.step(i)`` and the hook recorders.

Every step runs inside ``with hooks.step(i):``. An exception ends that step
only: it is recorded (type and message) and the program goes on, so a step
after a failed backward still runs. Values a failed step would have defined
stay undefined; a later use is a NameError, recorded the same way on both sides.
Warnings are recorded per step, except those torch emits once per process
(their presence depends on what ran earlier in the process, not on the program).

On the implementation's side the recorder is given ``missing`` (error -> the torch name
it shows the implementation lacks, conformance.missing.torch_name): such an error ends the
whole program with NotImplementedInEngine instead, and with it the property (see that class).
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager

from ..observe import ErrorRecord, number, observe_warning

ONCE_PER_PROCESS_WARNINGS = (
    "Using backward() with create_graph=True will create a reference cycle",
    "Converting a tensor with requires_grad=True to a scalar",
)


def snapshot(tensor):
    """A gradient as hooks see it, taken when the hook runs (it may be changed in place later)."""
    if tensor is None:
        return None
    grad_fn = tensor.grad_fn
    return {"kind": "tensor", "shape": list(tensor.shape), "dtype": repr(tensor.dtype),
            "values": _numbers(tensor.detach().tolist()),
            "grad_fn": None if grad_fn is None else type(grad_fn).__name__}


def _numbers(nested):
    if isinstance(nested, list):
        return [_numbers(v) for v in nested]
    return number(nested)


class NotImplementedInEngine(BaseException):
    """The implementation lacks a torch name (``name``, e.g. ``torch.float32``): the property is not
    implemented, whatever the example. A BaseException, as KeyboardInterrupt: hypothesis stops at the
    first example that raises it, neither shrinking nor replaying it, and ``except Exception`` (a step's
    error capture, the observer) lets it through."""

    def __init__(self, name: str) -> None:
        super().__init__(f"not implemented: {name}")
        self.name = name


class Recorder:
    """Collects, in order, the errors, warnings and hook calls of one run on one side. ``missing``: see
    the module docstring (None on torch's side)."""

    def __init__(self, missing=None) -> None:
        self.events = []
        self.missing = missing

    def raise_if_missing(self, error: Exception) -> None:
        """NotImplementedInEngine when ``error`` shows a torch name the implementation lacks."""
        name = self.missing(error) if self.missing is not None else None
        if name:
            raise NotImplementedInEngine(name) from error

    @contextmanager
    def step(self, index: int):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                yield
            except Exception as error:
                self.raise_if_missing(error)
                self.events.append({"step": index, "error": ErrorRecord(error).observe()})
        for warning in caught:
            if not str(warning.message).startswith(ONCE_PER_PROCESS_WARNINGS):
                self.events.append({"step": index, "warning": observe_warning(warning)})

    # Hooks: each logs its id and what it saw; a tensor hook with a scale returns grad * scale.
    def tensor_hook(self, hook_id: int, scale=None):
        def hook(grad):
            self.events.append({"hook": hook_id, "grad": snapshot(grad)})
            return None if scale is None else grad * scale
        return hook

    def post_accumulate_hook(self, hook_id: int):
        def hook(tensor):
            self.events.append({"hook": hook_id, "grad": snapshot(tensor.grad)})
        return hook

    def node_prehook(self, hook_id: int):
        def hook(grad_outputs):
            self.events.append({"hook": hook_id, "grad_outputs": [snapshot(g) for g in grad_outputs]})
        return hook

    def node_hook(self, hook_id: int):
        def hook(grad_inputs, grad_outputs):
            self.events.append({"hook": hook_id, "grad_inputs": [snapshot(g) for g in grad_inputs],
                                "grad_outputs": [snapshot(g) for g in grad_outputs]})
        return hook
