"""torch.autograd.Function: user-defined forward/backward pairs.

As in torch, the ``ctx`` handed to forward *is* the backward node: attributes set
on it in forward are visible on ``output.grad_fn``, and its saved tensors follow
the same version checks and release rules as built-in nodes.

``apply`` wraps the outputs the way torch's ``_wrap_outputs`` does
(torch/csrc/autograd/custom_function.cpp): every output keeps its position as
output_nr (non-tensor outputs too, which backward and the node's pre-hooks see
as None), an input returned as it is becomes a no_grad view of itself, views
returned by forward may not be modified in place later (CreationMeta
IN_CUSTOM_FUNCTION), and ``mark_dirty`` inputs get the node through the
in-place machinery (CopySlices on the base of a dirty view).
"""
from __future__ import annotations

import functools
import inspect
import sys
import warnings

from .. import _behaviour, _grad_mode, _messages
from .. import _tensor
from .._grad_mode import STATE as _GRAD_MODE
from .graph import NO_EDGE, RELEASED, Node, SavedTensor, intern, next_sequence_nr, set_edges

_RESULT_REFS = 3  # the result tuple, the loop variable, getrefcount's argument

_NOT_INSTANTIATED = ("{cls} should not be instantiated. Methods on autograd functions are all static, so you "
                     "should invoke them on the class itself. Instantiating an autograd function will raise an "
                     "error in a future version of PyTorch.")
_LEGACY_CALL = ("Legacy autograd function with non-static forward method is deprecated. Please use new-style "
                "autograd function with static forward method. (Example: "
                "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")
_BACKWARD_AND_VJP = ("Implementing both 'backward' and 'vjp' for a custom Function is not allowed. You should only "
                     "implement one of them.")
_SAVED_VARIABLES = "'saved_variables' is deprecated; use 'saved_tensors'"
_SAVED_CLEARED = ("saved_tensors can only be accessed once when clear_saved_tensors_on_access=True is set on the "
                  "autograd.Function. Either access saved_tensors only once, or set "
                  "clear_saved_tensors_on_access=False.")
_DIRTY_LEAF = "a leaf Variable that requires grad has been used in an in-place operation."
_DIRTY_NOT_INPUT = ("ctx.mark_dirty() received a tensor that was not an input. Only input Tensors that have been "
                    "mutated should be passed to ctx.mark_dirty().")
_DIRTY_NOT_INPUT_WARNING = ("Only input Tensors should be given to ctx.mark_dirty(). If a Tensor is not an input, there "
                            "is no need to pass it to mark_dirty().")  # (up to 2.7)
_DIRTY_VIEW_MANY_OUTPUTS = (
    "If your Function modifies inplace an input that is a view of another Tensor, your Function cannot return more "
    "than one Tensor. This is not supported by the current autograd engine. You should either make sure the input "
    "is not a view (using .clone() for example) or make your Function only return one Tensor (potentially splitting "
    "it into two Functions: one doing the inplace that returns a single Tensor and a second one that does the other "
    "operations). You can ask on the forum https://discuss.pytorch.org/ if you need help to do this change.")
_DIRTY_NOT_RETURNED = ("Some elements marked as dirty during the forward method were not returned as output. The "
                       "inputs that are modified inplace must all be outputs of the Function.")
_RETURNED_AS_IS_SAVED = (
    " that has been returned as-is as output is being saved for backward. This is not supported if you "
    "override setup_context. You should return and save a view of the input instead, e.g. with x.view_as(x) or "
    "setup ctx inside the forward function itself.")
_ONCE_DIFFERENTIABLE = "trying to differentiate twice a function that was marked with @once_differentiable"


class _Cleared:
    """What a node's saved values become once read with clear_saved_tensors_on_access."""

    __slots__ = ()


_CLEARED = _Cleared()


class BackwardCFunction(Node):
    """The node (and ctx) of a custom Function call."""

    __module__ = "torch.autograd.function"
    _materialize_non_diff_grads = True  # ctx._materialize_non_diff_grads = False: None for those outputs
    _non_differentiable_outputs = frozenset()

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
        if saved is _CLEARED:
            raise RuntimeError(_SAVED_CLEARED)
        if (not self.__dict__.get("_applying") and _behaviour.value("function.saved_tensors_freed_with_node")
                and _node_destroyed(self)):
            self._saved = RELEASED  # (torch up to 2.12: the node's destructor released its saved variables)
            raise RuntimeError(_messages.BACKWARD_TWICE)
        tensors = tuple(None if s is None else s.unpack_tensor(self) for s in saved)
        if (getattr(self._function, "clear_saved_tensors_on_access", False)
                and _behaviour.value("function.clear_saved_tensors_on_access")):
            self._saved = _CLEARED
        return tensors

    @property
    def saved_variables(self):
        warnings.warn(_SAVED_VARIABLES, DeprecationWarning, stacklevel=2)
        return self.saved_tensors

    def mark_non_differentiable(self, *outputs) -> None:
        self.non_differentiable = outputs

    def mark_dirty(self, *tensors) -> None:
        self.dirty_tensors = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value

    # ----------------------------------------------------------------- node
    def _get_user_fn(self):
        """backward, or vjp (torch's BackwardCFunction._get_user_fn: defining both is an error)."""
        cls = self._function
        backward_fn, vjp_fn = cls.backward, cls.vjp
        if backward_fn is not Function.backward and vjp_fn is not Function.vjp:
            raise RuntimeError(_BACKWARD_AND_VJP)
        return vjp_fn if vjp_fn is not Function.vjp else backward_fn

    def apply(self, grads, task):
        F = task.F
        values = []
        materialize = self.materialize_grads
        skip = () if (self._materialize_non_diff_grads or not _behaviour.value("function.materialize_non_diff_grads")) \
            else self._non_differentiable_outputs
        for index, meta in enumerate(self._meta):
            grad = grads[index]
            # (never for a non-tensor output; for a non-differentiable one unless _materialize_non_diff_grads)
            if grad is None and materialize and meta is not None and index not in skip:
                grad = F.materialized_zeros(*meta)
            values.append(F.to_user(grad))
        user_fn = self._get_user_fn()
        self._applying = True  # (the engine holds the node: its saved tensors are not freed meanwhile)
        try:
            with _grad_mode.set_grad_enabled(F.is_tensor):
                result = user_fn(self, *values)
        finally:
            self._applying = False
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
            grad = None if value is None else F.from_user(value, owned_by_user=False)  # (keeps its _version)
            if kept:
                F.mark_user_owned(grad)
            out.append(grad)
        return out

    def _release(self) -> None:
        if self._saved is not None:
            self._saved = RELEASED


class FunctionMeta(type):
    """Gives each Function subclass its own node class, named <Function>Backward."""

    def __init__(cls, name, bases, namespace):
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,),
                                 {"_function": cls, "_forward_cls": cls, "__module__": "torch.autograd.function"})
        super().__init__(name, bases, namespace)


class Function(metaclass=FunctionMeta):
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``; call ``apply``.

    Or: ``forward(*args)`` without ctx plus a static ``setup_context(ctx, inputs, output)``."""

    clear_saved_tensors_on_access = False

    def __init__(self, *args, **kwargs):
        caller = _behaviour.value("function.instantiation_warning_names_caller")
        warnings.warn(_NOT_INSTANTIATED.format(cls=self.__class__), DeprecationWarning, stacklevel=2 if caller else 1)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(_LEGACY_CALL)

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward  # aliases, as in torch

    @classmethod
    def apply(cls, *args, **kwargs):
        setup_context = cls.setup_context is not Function.setup_context and _behaviour.value("function.setup_context")
        if setup_context and _behaviour.value("function.setup_context_binds_defaults"):
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        ctx = cls._backward_cls()
        ctx.needs_input_grad = tuple(_is_tensor(a) and a.requires_grad for a in args)
        ctx._input_kinds = tuple(_is_tensor(a) for a in args)
        track = _GRAD_MODE.grad_enabled and any(ctx.needs_input_grad)
        if track:  # the edges are collected before forward runs (forward may modify its inputs)
            set_edges(ctx, [a._gradient_edge() if a.requires_grad else NO_EDGE for a in args if _is_tensor(a)])
        with _grad_mode.no_grad():
            if setup_context:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(outputs, tuple)
        outputs = _wrap_outputs(ctx if track else None, ctx, args, (outputs,) if single else outputs, setup_context)
        return outputs[0] if single else outputs


def _is_tensor(value) -> bool:
    return isinstance(value, _tensor.Tensor)


def _is_in(value, group) -> bool:
    return any(value is member for member in group)


def _node_destroyed(node) -> bool:
    """Whether nothing but user references holds ``node``: no tensor has it as grad_fn, no node has it as
    an edge (or wraps it, as CopySlices). Torch's node then is destroyed, its ctx left behind (up to 2.12)."""
    import gc

    for ref in gc.get_referrers(node):
        if isinstance(ref, _tensor.Tensor):
            if ref._grad_fn is node:
                return False
        elif isinstance(ref, Node):
            return False
        elif type(ref) is tuple:
            if any(isinstance(holder, Node) and holder._fns is ref for holder in gc.get_referrers(ref)):
                return False
    return True


def _view_as_self_with_no_grad(tensor):
    """An input returned as it is comes back as a view of itself, made under no_grad (as torch)."""
    with _grad_mode.no_grad():
        return tensor.view_as(tensor)


def _wrap_outputs(node, ctx, args, outputs, setup_context: bool):
    """torch's _wrap_outputs / _process_backward_mode_ad. ``node`` is None when nothing is recorded."""
    from . import _view_inplace

    inputs = [a for a in args if _is_tensor(a)]
    dirty = ctx.dirty_tensors
    for tensor in dirty:  # torch's _mark_dirty bumps each dirty tensor's version
        tensor._bump_version()
    non_differentiable = ctx.non_differentiable
    to_save = ctx.to_save if setup_context and _behaviour.value("function.returned_input_saved_check") else ()
    rebase_assert = _behaviour.value("function.mark_dirty_rebase_assert") if dirty else None
    if node is not None:
        node._meta = intern(tuple((o._data.shape, o._data.dtype) if _is_tensor(o) else None for o in outputs))
    results = []
    num_outputs = len(outputs)
    num_differentiable = 0
    for index, var in enumerate(outputs):
        if not _is_tensor(var):
            results.append(var)
            continue
        is_input = _is_in(var, inputs)
        is_modified = _is_in(var, dirty)
        differentiable = (node is not None and not _is_in(var, non_differentiable)
                          and var._data.dtype.kind in "fc")
        if not differentiable:
            if not var.requires_grad:
                if is_input and (not is_modified or _behaviour.value("function.dirty_untracked_input_as_view")):
                    if _is_in(var, to_save):
                        raise RuntimeError(_behaviour.value("function.returned_input_saved_article") + _RETURNED_AS_IS_SAVED)
                    var = _view_as_self_with_no_grad(var)
            elif is_input:
                var = var.detach()  # a detached alias rather than a change of the input's requires_grad
            elif var._base is None:
                var.detach_()
        elif is_modified:
            # torch reads the raw grad_fn here (is_leaf does not regenerate a view's grad_fn)
            if var._grad_fn is None and (var._requires_grad or (var._base is not None and var._base.requires_grad)):
                raise RuntimeError(_DIRTY_LEAF)
            if not is_input:
                if rebase_assert is not None:
                    warnings.warn(_DIRTY_NOT_INPUT_WARNING, UserWarning, stacklevel=3)
                elif var._base is not None:
                    raise RuntimeError(_DIRTY_NOT_INPUT)
                else:
                    warnings.warn(_DIRTY_NOT_INPUT, UserWarning, stacklevel=3)
            if var._base is not None and num_outputs > 1:
                raise RuntimeError(_DIRTY_VIEW_MANY_OUTPUTS)
            var._grad = None  # the input's old history is transplanted: grad and hooks go
            var._backward_hooks = None
            if rebase_assert is None:
                _view_inplace.check_inplace(var)
            elif var._base is not None and var._creation_meta not in (None, _tensor.CreationMeta.DEFAULT):
                raise RuntimeError(rebase_assert)  # (up to 2.7: rebase_history's assert, no check_inplace)
            if var._base is not None:
                # check_inplace may have regenerated the view's grad_fn from the base's old history: the
                # view's grad_fn is regenerated again once the base has its CopySlices
                var._attr_version = var._version_counter.value - 1
                _view_inplace.rebase_history(var, node)  # CopySlices on the base, as an in-place op on a view
            else:
                _view_inplace.set_history(var, node, index)
        else:
            if is_input:
                if _is_in(var, to_save):
                    raise RuntimeError(_behaviour.value("function.returned_input_saved_article") + _RETURNED_AS_IS_SAVED)
                var = _view_as_self_with_no_grad(var)
            var._grad_fn, var._output_nr, var._requires_grad = node, index, True
            if var._base is not None:  # torch's set_gradient_edge: this grad_fn is not to be regenerated
                var._attr_version = var._version_counter.value
        if var._base is not None and not (is_input and is_modified):
            var._creation_meta = _tensor.CreationMeta.IN_CUSTOM_FUNCTION
        if differentiable:
            num_differentiable += 1
        elif node is not None:
            node._non_differentiable_outputs = node._non_differentiable_outputs | {index}
        results.append(var)
    if num_differentiable > 1:
        for var in results:
            if _is_tensor(var) and var._base is not None:
                var._creation_meta = _tensor.CreationMeta.MULTI_OUTPUT_NODE
    for tensor in dirty:
        if not _is_in(tensor, outputs):  # (forward's own outputs: a 1.13 untracked dirty input became a view)
            raise RuntimeError(_DIRTY_NOT_RETURNED)
    if node is not None:
        dirty_view_as_input = bool(dirty) and _behaviour.value("function.dirty_saved_view_as_input")
        # An output of the node is saved without its history; so is a dirty view (its grad_fn is the view's
        # AsStridedBackward0 over the base's CopySlices, which leads back here: no reference cycle)
        node._saved = tuple(None if t is None else
                            SavedTensor.of_output(t) if t._grad_fn is node or (
                                t._base is not None and _is_in(t, dirty) and not dirty_view_as_input)
                            else SavedTensor.of_input(t)
                            for t in ctx.to_save)
    ctx.to_save = ctx.dirty_tensors = ()  # torch drops these references once the outputs are wrapped
    return tuple(results)


# ------------------------------------------------------------------ once_differentiable
class Error(Node):
    """torch::autograd::Error: a node whose backward raises (what DelayedError records)."""

    __module__ = "builtins"

    def __init__(self, message: str, edges) -> None:
        set_edges(self, edges)
        self._seq = next_sequence_nr()
        self._meta = ()
        self.message = message

    def name(self) -> str:
        return "torch::autograd::Error"

    def apply(self, grads, task):
        raise RuntimeError(self.message)


class DelayedError:
    """torch._C._functions.DelayedError(msg, num_inputs): aliases of the inputs whose grad_fn is an Error."""

    def __init__(self, message, num_inputs: int) -> None:
        self.message = message.decode() if isinstance(message, bytes) else message
        self.num_inputs = num_inputs

    def __call__(self, *inputs):
        outputs = [None if v is None else _tensor.Tensor._make(v._data) for v in inputs]  # (tensor_data)
        if any(v is not None and v.requires_grad for v in inputs):
            edges = [NO_EDGE if v is None or not v.requires_grad or not _GRAD_MODE.grad_enabled
                     else v._gradient_edge() for v in inputs]
            node = Error(self.message, edges if _GRAD_MODE.grad_enabled else [])
            node._meta = intern(tuple(None if o is None else (o._data.shape, o._data.dtype) for o in outputs))
            for index, out in enumerate(outputs):
                if out is not None:
                    out._grad_fn, out._output_nr, out._requires_grad = node, index, True
        return outputs[0] if len(outputs) == 1 else tuple(outputs)


def once_differentiable(fn):
    """Run backward under no_grad; under create_graph its results lead to an Error node (as torch's)."""

    @functools.wraps(fn)
    def wrapper(ctx, *args, **kwargs):
        with _grad_mode.no_grad():
            outputs = fn(ctx, *args, **kwargs)
        if not _GRAD_MODE.grad_enabled:
            return outputs
        if not any(_is_tensor(arg) and arg.requires_grad for arg in args):
            return outputs
        outputs_ = outputs if isinstance(outputs, tuple) else (outputs,)
        err_fn = DelayedError(_ONCE_DIFFERENTIABLE, len(outputs_))

        def fake_requires_grad(var):
            if var is not None:
                var = var.detach()
                var.requires_grad = True
            return var

        return err_fn(*[fake_requires_grad(v) for v in outputs_])

    return wrapper


class InplaceFunction(Function):
    """Kept for backward compatibility, as torch's: a Function with an ``inplace`` flag."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace
