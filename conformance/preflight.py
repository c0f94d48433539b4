"""Checks before a run, each failing in one line instead of hundreds of identical failures.

- The reference must be real PyTorch: a module named ``torch`` without ``torch._C``
  and ``torch.version`` (an engine installed under torch's name) is refused.
- The implementation must do the least every behaviour needs: make a tensor that
  requires grad, run an op, backward, and show ``.grad``.
"""
from __future__ import annotations

import importlib

from . import missing
from .surface import Surface


class PreflightError(Exception):
    """Why the run cannot start, in one line."""


def check_reference(name: str = "torch"):
    """Import the reference and make sure it is PyTorch; returns the module."""
    try:
        module = importlib.import_module(name)
    except ImportError as error:
        raise PreflightError(f"the reference {name!r} cannot be imported ({error}); install torch, or check "
                             f"against a recording with --against torch-<version>") from None
    if not (hasattr(module, "_C") and hasattr(getattr(module, "version", None), "__version__")):
        where = getattr(module, "__file__", None) or "?"
        raise PreflightError(f"the reference {name!r} at {where} is not PyTorch (it has no torch._C / "
                             f"torch.version): an engine installed as 'torch' cannot be its own reference; "
                             f"install PyTorch or use --against torch-<version>")
    return module


def smoke(t, torch_surface: Surface) -> list:
    """Problems of implementation ``t`` with the first steps every behaviour takes (empty when none)."""
    problems = []
    steps = (("tensor", lambda state: t.tensor([1.0, 2.0, 3.0], requires_grad=True)),
             ("op", lambda state: (state["tensor"] * state["tensor"]).sum()),
             ("backward", lambda state: state["op"].backward()),
             ("grad", lambda state: state["tensor"].grad))
    state = {}
    for step, run in steps:
        try:
            state[step] = run(state)
        except Exception as error:  # noqa: BLE001 - reported as what is missing
            name = missing.torch_name(error, t, torch_surface)
            problems.append(f"missing {name}" if name else f"{_step_text(step)} raised "
                                                           f"{type(error).__name__}: {error}")
            break
    else:
        if state["grad"] is None:
            problems.append("x.grad is None after (x * x).sum().backward()")
    return problems


def _step_text(step: str) -> str:
    return {"tensor": "t.tensor([1.0, 2.0, 3.0], requires_grad=True)", "op": "(x * x).sum()",
            "backward": "y.backward()", "grad": "x.grad"}[step]


def check_implementation(name: str, torch_surface: Surface):
    """Import the implementation and smoke-test it; returns the module."""
    try:
        module = importlib.import_module(name)
    except ImportError as error:
        raise PreflightError(f"cannot import implementation module {name!r} (--impl): {error}") from None
    except Exception as error:  # noqa: BLE001 - a module that fails on import is bad input, not a crash
        raise PreflightError(f"implementation module {name!r} (--impl) raised {type(error).__name__} on "
                             f"import: {error}") from None
    problems = smoke(module, torch_surface)
    if problems:
        raise PreflightError(f"implementation {name!r} fails the preflight (a tensor with requires_grad=True, "
                             f"an op, backward, .grad): {'; '.join(problems)}")
    return module
