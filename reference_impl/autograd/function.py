"""torch.autograd.Function: user-defined forward/backward pairs.

As in torch, the ``ctx`` handed to forward *is* the backward node: attributes set
on it in forward are visible on ``output.grad_fn``, and its saved tensors follow
the same version checks and release rules as built-in nodes.
"""
from __future__ import annotations

import sys

from .. import _grad_mode, _messages
from .. import _tensor
from .._grad_mode import STATE as _GRAD_MODE
from .graph import NO_EDGE, RELEASED, Node, SavedTensor, intern, next_sequence_nr, set_edges

_RESULT_REFS = 3  # the result tuple, the loop variable, getrefcount's argument


class BackwardCFunction(Node):
    """The node (and ctx) of a custom Function call."""

    __module__ = "torch.autograd.function"

    def __init__(self) -> None:
        self._fns = self._nrs = ()
        self._seq = next_sequence_nr()
        self._meta = ()
        self.to_save = ()
        self._saved = None
        self.needs_input_grad = ()
        self.materialize_grads = True
        self.non_differentiable = ()
        self.dirty_tensors = ()
        self._input_kinds = ()

    # ----------------------------------------------------------------- ctx API
    def save_for_backward(self, *tensors) -> None:
        self.to_save = tensors

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is None:
            return tuple(self.to_save)
        if saved is RELEASED:
            raise RuntimeError(_messages.BACKWARD_TWICE)
        return tuple(None if s is None else s.unpack_tensor(self) for s in saved)

    saved_variables = saved_tensors

    def mark_non_differentiable(self, *outputs) -> None:
        self.non_differentiable = outputs

    def mark_dirty(self, *tensors) -> None:
        self.dirty_tensors = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value

    # ----------------------------------------------------------------- node
    def apply(self, grads, task):
        F = task.F
        values = []
        for grad, (shape, dtype) in zip(grads, self._meta):
            if grad is None and self.materialize_grads:
                grad = F.materialized_zeros(shape, dtype)
            values.append(F.to_user(grad))
        with _grad_mode.set_grad_enabled(F.is_tensor):
            result = type(self)._function.backward(self, *values)
        values = None
        if not isinstance(result, tuple):
            result = (result,)
        kinds = self._input_kinds
        if len(result) != len(kinds):
            if len(result) > len(kinds) and all(r is None for r in result[len(kinds):]):
                result = result[:len(kinds)]
            else:
                raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients (expected "
                                   f"{len(kinds)}, got {len(result)})")
        out = []
        for index, is_tensor in enumerate(kinds):
            value = result[index]  # (not zip: its reused pair tuple would hold a reference to value)
            if not is_tensor:
                if value is not None:
                    raise RuntimeError(f"function {self.name()} returned a gradient different than None at "
                                       "position for a non-Tensor input")
                continue
            kept = value is not None and sys.getrefcount(value) > _RESULT_REFS
            out.append(None if value is None else F.from_user(value, owned_by_user=kept))
        return out

    def _release(self) -> None:
        if self._saved is not None:
            self._saved = RELEASED


class FunctionMeta(type):
    """Gives each Function subclass its own node class, named <Function>Backward."""

    def __init__(cls, name, bases, namespace):
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,),
                                 {"_function": cls, "__module__": "torch.autograd.function"})
        super().__init__(name, bases, namespace)


class Function(metaclass=FunctionMeta):
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``; call ``apply``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args):
        ctx = cls._backward_cls()
        ctx.needs_input_grad = tuple(_is_tensor(a) and a.requires_grad for a in args)
        ctx._input_kinds = tuple(_is_tensor(a) for a in args)
        track = _GRAD_MODE.grad_enabled and any(ctx.needs_input_grad)
        with _grad_mode.no_grad():
            outputs = cls.forward(ctx, *args)
        single = not isinstance(outputs, tuple)
        outputs = (outputs,) if single else outputs
        if track:
            outputs = _attach(ctx, args, outputs)
        return outputs[0] if single else outputs


def _is_tensor(value) -> bool:
    return isinstance(value, _tensor.Tensor)


def _attach(node, args, outputs):
    """Make the node the grad_fn of the outputs (except non-differentiable ones) and save tensors."""
    set_edges(node, [a._gradient_edge() if a.requires_grad else NO_EDGE for a in args if _is_tensor(a)])
    tensor_outputs = [o for o in outputs if _is_tensor(o)]
    node._meta = intern(tuple((o._data.shape, o._data.dtype) for o in tensor_outputs))
    results = []
    index = 0
    for out in outputs:
        if _is_tensor(out):
            differentiable = out.is_floating_point() and not any(out is n for n in node.non_differentiable)
            if differentiable:
                if any(out is a for a in args) and not any(out is d for d in node.dirty_tensors):
                    out = out.view_as(out)  # an input returned as it is becomes a view, as in torch
                out._grad_fn, out._output_nr, out._requires_grad = node, index, True
            index += 1
        results.append(out)
    node._saved = tuple(None if t is None else
                        SavedTensor.of_output(t) if any(t is o for o in results) else SavedTensor.of_input(t)
                        for t in node.to_save)
    return tuple(results)
