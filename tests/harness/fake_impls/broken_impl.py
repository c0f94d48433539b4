"""reference_impl with planted differences from torch, one per kind (for tests/harness/test_repro.py).

The differences are planted in a private copy of the reference_impl package (its files loaded again
under another package name), so reference_impl itself, its classes and its module state are never
touched: other tests in the same process see the real engine. ``make(kinds)`` builds a fresh copy with
the chosen plants; importing this module gives the copy with ``BROKEN_IMPL_PLANTS`` (comma-separated
kinds, default: all of them) re-exported under torch's names.
"""
from __future__ import annotations

import importlib.util
import itertools
import os
import sys
from pathlib import Path

_copies = itertools.count()


def _fresh_copy():
    """A new, independent copy of the reference_impl package (no module shared with the original)."""
    spec = importlib.util.find_spec("reference_impl")
    root = Path(spec.origin).parent
    name = f"_broken_reference_impl_{next(_copies)}"
    copy_spec = importlib.util.spec_from_file_location(name, root / "__init__.py",
                                                       submodule_search_locations=[str(root)])
    module = importlib.util.module_from_spec(copy_spec)
    sys.modules[name] = module
    try:
        copy_spec.loader.exec_module(module)
    except BaseException:
        for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            del sys.modules[key]
        raise
    return module


def _submodule(ri, name):
    return sys.modules[f"{ri.__name__}.{name}"]


def _set_formula(derivative, formula, needs):
    """Replace the (only) backward formula of ``derivative``'s node class in the copy."""
    cls = derivative.node_class
    cls._formulas = ((formula, needs),)
    cls._formula_order = ((0, formula, needs),)


# ------------------------------------------------------------------ the plants, one per kind
def _wrong_value(ri):
    """sin's forward is off by 0.01 (its gradient, from the saved input, stays right)."""
    original = ri.Tensor.sin

    def sin(input):
        out = original(input)
        out._data = (out._data + 0.01).astype(out._data.dtype)
        return out

    ri.Tensor.sin = sin
    ri.sin = sin


def _wrong_gradient(ri):
    """exp's backward doubles the gradient (values stay right)."""
    _set_formula(_submodule(ri, "ops.pointwise").EXP, lambda F, grad, result: (grad * result) * 2, ("result",))


def _wrong_grad_fn_name(ri):
    """t() records its node as TBackward1 instead of TBackward0."""
    derivative = _submodule(ri, "ops.shape").T
    derivative.node_class.__name__ = derivative.node_class.__qualname__ = "TBackward1"


def _wrong_error_message(ri):
    """register_hook on a tensor not requiring grad raises with a reworded text."""
    _submodule(ri, "_messages").HOOK_NO_GRAD = "cannot register a hook on a tensor that does not require gradients"


def _missing_warning(ri):
    """float()/int() of a tensor requiring grad no longer warns (torch warns once per process)."""
    _submodule(ri, "_tensor")._warn_scalar_conversion_once = lambda: None


def _wrong_requires_grad(ri):
    """requires_grad_(False) is ignored: the leaf keeps requiring grad."""
    original = ri.Tensor.requires_grad_

    def requires_grad_(self, requires_grad=True):
        return self if requires_grad is False else original(self, requires_grad)

    ri.Tensor.requires_grad_ = requires_grad_


def _wrong_dtype(ri):
    """double() converts to float16 instead of float64."""
    ri.Tensor.double = lambda self, memory_format=None: self.to(ri.float16)


def _wrong_shape(ri):
    """sum(dim, keepdim=True) ignores keepdim."""
    original = ri.Tensor.sum

    def sum(input, *args, **kwargs):  # noqa: A001 - torch's name
        kwargs.pop("keepdim", None)
        if len(args) > 1:
            args = args[:1] + args[2:]
        return original(input, *args, **kwargs)

    ri.Tensor.sum = sum
    ri.sum = sum


def _wrong_version(ri):
    """zero_ bumps the version counter twice."""
    original = ri.Tensor.zero_

    def zero_(self):
        out = original(self)
        self._bump_version()
        return out

    ri.Tensor.zero_ = zero_


def _wrong_next_functions(ri):
    """SubBackward0 lists its next_functions edges in reverse order (the engine, reading the node's own
    edge table, still computes the right gradients)."""
    cls = _submodule(ri, "ops.pointwise").SUB.node_class
    cls.next_functions = property(lambda self: tuple(zip(self._fns, self._nrs))[::-1])


def _wrong_repr(ri):
    """repr() of a float64 tensor leaves out its dtype=torch.float64 suffix."""
    original = ri.Tensor.__repr__

    def __repr__(self, *, tensor_contents=None):
        text = original(self, tensor_contents=tensor_contents)
        return text.replace(", dtype=torch.float64", "") if self.dtype == ri.float64 else text

    ri.Tensor.__repr__ = __repr__


PLANTS = {
    "wrong_value": _wrong_value,
    "wrong_gradient": _wrong_gradient,
    "wrong_grad_fn_name": _wrong_grad_fn_name,
    "wrong_error_message": _wrong_error_message,
    "missing_warning": _missing_warning,
    "wrong_requires_grad": _wrong_requires_grad,
    "wrong_dtype": _wrong_dtype,
    "wrong_shape": _wrong_shape,
    "wrong_version": _wrong_version,
    "wrong_next_functions": _wrong_next_functions,
    "wrong_repr": _wrong_repr,
}


def make(kinds=tuple(PLANTS)):
    """A fresh copy of reference_impl with the plants ``kinds`` (names in PLANTS)."""
    unknown = sorted(set(kinds) - set(PLANTS))
    if unknown:
        raise ValueError(f"broken_impl: unknown plant(s) {', '.join(unknown)}; known: {', '.join(PLANTS)}")
    ri = _fresh_copy()
    for kind in kinds:
        PLANTS[kind](ri)
    return ri


def _chosen() -> tuple:
    text = os.environ.get("BROKEN_IMPL_PLANTS")
    if text is None:
        return tuple(PLANTS)
    return tuple(kind.strip() for kind in text.split(",") if kind.strip() and kind.strip() != "none")


_engine = make(_chosen())
PLANTED = _chosen()
globals().update({name: value for name, value in vars(_engine).items()
                  if not (name.startswith("__") and name.endswith("__"))})
