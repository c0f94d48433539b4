"""torch.autograd.Function: user-defined forward/backward pairs with a ctx object."""
from __future__ import annotations

from .. import _grad_mode, _messages
from .._grad_mode import STATE as _GRAD_MODE
from .. import _tensor
from .graph import NO_EDGE, RELEASED, Node, SavedTensor, next_sequence_nr, set_edges


class FunctionCtx:
    """The ``ctx`` handed to forward and backward."""

    def __init__(self) -> None:
        self._saved = ()
        self._node = None
        self.needs_input_grad = ()
        self.materialize_grads = True
        self._non_differentiable = ()
        self._dirty = ()

    def save_for_backward(self, *tensors) -> None:
        self._to_save = tensors

    @property
    def saved_tensors(self):
        node = self._node
        if any(s is RELEASED for s in self._saved):
            raise RuntimeError(_messages.BACKWARD_TWICE)
        return tuple(None if s is None else s.unpack_tensor(node) for s in self._saved)

    def mark_non_differentiable(self, *outputs) -> None:
        self._non_differentiable = outputs

    def mark_dirty(self, *tensors) -> None:
        self._dirty = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value


class BackwardCFunction(Node):
    """The node of a custom Function: calls the user's backward."""

    __slots__ = ("_function", "_ctx")

    def apply(self, grads, task):
        F = task.F
        ctx = self._ctx
        values = []
        for g, (shape, dtype) in zip(grads, self._meta):
            if g is None and ctx.materialize_grads:
                g = F.zeros(shape, dtype)
            values.append(F.to_user(g))
        with _grad_mode.set_grad_enabled(F.is_tensor):
            result = self._function.backward(ctx, *values)
        if not isinstance(result, tuple):
            result = (result,)
        if len(result) != len(self._input_kinds):
            if len(result) > len(self._input_kinds) and all(r is None for r in result[len(self._input_kinds):]):
                result = result[:len(self._input_kinds)]
            else:
                raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients (expected "
                                   f"{len(self._input_kinds)}, got {len(result)})")
        out = []
        for is_tensor, value in zip(self._input_kinds, result):
            if not is_tensor:
                if value is not None:
                    raise RuntimeError(f"function {self.name()} returned a gradient different than None at "
                                       "position for a non-Tensor input")
                continue
            out.append(None if value is None else F.from_user(value, owned_by_user=True))
        return out

    def _release(self) -> None:
        self._ctx._saved = tuple(RELEASED for _ in self._ctx._saved)


class FunctionMeta(type):
    """Gives each Function subclass its own node class, named <Function>Backward."""

    def __init__(cls, name, bases, namespace):
        backward_class = type(name + "Backward", (BackwardCFunction,),
                              {"__slots__": ("_input_kinds",), "_function": cls, "__module__": "builtins"})
        cls._backward_cls = backward_class
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
        ctx = FunctionCtx()
        tensors = [a for a in args if isinstance(a, _tensor.Tensor)]
        ctx.needs_input_grad = tuple(isinstance(a, _tensor.Tensor) and a.requires_grad for a in args)
        track = _GRAD_MODE.grad_enabled and any(ctx.needs_input_grad)
        with _grad_mode.no_grad():
            outputs = cls.forward(ctx, *args)
        single = not isinstance(outputs, tuple)
        outputs = (outputs,) if single else outputs
        if track:
            outputs = tuple(_attach(cls, ctx, args, tensors, outputs))
        return outputs[0] if single else outputs


def _attach(cls, ctx, args, tensors, outputs):
    node = cls._backward_cls.__new__(cls._backward_cls)
    set_edges(node, [t._gradient_edge() if t.requires_grad else NO_EDGE for t in tensors])
    node._seq = next_sequence_nr()
    node._ctx = ctx
    node._input_kinds = tuple(isinstance(a, _tensor.Tensor) for a in args)
    ctx._node = node
    results = []
    differentiable = [o for o in outputs if isinstance(o, _tensor.Tensor) and o.is_floating_point()
                      and not any(o is n for n in ctx._non_differentiable)]
    node._meta = tuple((o._data.shape, o._data.dtype) for o in differentiable)
    index = 0
    for out in outputs:
        if isinstance(out, _tensor.Tensor) and any(out is d for d in differentiable):
            if any(out is t for t in tensors) and not any(out is d for d in ctx._dirty):
                out = out.view_as(out)  # an input returned as is becomes a view, as in torch
                out._grad_fn, out._output_nr, out._requires_grad = node, index, True
            else:
                out._grad_fn, out._output_nr, out._requires_grad = node, index, True
            index += 1
        results.append(out)
    ctx._saved = tuple(_save(t, results) for t in getattr(ctx, "_to_save", ()))
    return results


def _save(tensor, outputs):
    if tensor is None:
        return None
    if any(tensor is o for o in outputs):
        return SavedTensor.of_output(tensor)
    return SavedTensor.of_input(tensor)
