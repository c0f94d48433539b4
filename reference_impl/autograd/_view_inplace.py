"""Views meet in-place ops: torch's checks, CopySlices and regenerated view grad_fns.

An in-place op on a view writes into its base's memory, so the base's history
changes too: the base's grad_fn becomes ``CopySlices`` (wrapping the in-place
op's node) and the view's grad_fn is regenerated lazily as
``AsStridedBackward0`` pointing at the base, exactly as torch does.
"""
from __future__ import annotations

from typing import NamedTuple

from .. import _behaviour, _messages
from .._tensor import CreationMeta
from .graph import AccumulateGrad, Node, meta_of, next_sequence_nr, node_label, note_pre_hook, set_edges


class ViewStep(NamedTuple):
    """One view op, replayable on arrays (to find the view's elements) and on tensors."""

    array_fn: object
    tensor_fn: object
    args: tuple


def replay_array(array, chain):
    for step in chain:
        array = step.array_fn(array, *step.args)
    return array


def replay_tensor(tensor, chain):
    for step in chain:
        tensor = step.tensor_fn(tensor, *step.args)
    return tensor


# ----------------------------------------------------------------- checks
def _view_rebase_error(view, indirect: bool) -> str:
    """torch's handle_view_on_rebase message for a view that may not be modified in place."""
    meta = view._creation_meta
    modified = "its base or another view of its base has been" if indirect else "is being"
    fn = view._grad_fn
    if fn is not None and meta == CreationMeta.NO_GRAD_MODE:
        assert_text = _behaviour.value("views.no_grad_view_of_view_message")
        if assert_text is not None:  # torch 1.13: an internal assert instead
            return assert_text
    if meta not in (CreationMeta.INFERENCE_MODE, CreationMeta.NO_GRAD_MODE) and fn is not None:
        text = f"Output {view._output_nr} of {node_label(fn)} is a view and {modified} modified inplace."
    else:  # a view with a grad_fn inherited the restriction from the view it was made of
        prefix = "A view was created in" if fn is None else \
            f"Output {view._output_nr} of {node_label(fn)} is a view of a view which was created in"
        if meta == CreationMeta.INFERENCE_MODE:
            text = f"{prefix} inference mode and {modified} modified inplace in normal mode."
        else:
            text = f"{prefix} no_grad mode and {modified} modified inplace with grad mode enabled."
    if meta == CreationMeta.MULTI_OUTPUT_NODE:
        return text + _messages.MULTI_OUTPUT_VIEW_INPLACE.split("modified inplace.", 1)[1]
    if meta == CreationMeta.NO_GRAD_MODE:
        return text + _messages.NO_GRAD_VIEW_INPLACE.split("grad mode enabled.", 1)[1]
    if meta == CreationMeta.IN_CUSTOM_FUNCTION:
        return text + _messages.CUSTOM_FUNCTION_VIEW_INPLACE
    return text + (" Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
                   "code by moving both the view and the inplace either both inside the inference_mode block (if "
                   "you don't want the inplace to be tracked) or both outside (if you want the inplace to be "
                   "tracked).")


def _check_view_rebase(view, indirect: bool) -> None:
    if view._creation_meta not in (None, CreationMeta.DEFAULT):
        raise RuntimeError(_view_rebase_error(view, indirect))


def check_inplace(target) -> None:
    """torch's check_inplace, run before an in-place op that will record history."""
    if target._base is not None:
        _check_view_rebase(target, indirect=False)
        if target.requires_grad and target._base.is_leaf:
            raise RuntimeError(_messages.LEAF_VIEW_INPLACE)
    if target.requires_grad and target.is_leaf:
        raise RuntimeError(_messages.LEAF_INPLACE)


# ------------------------------------------------------------ history edits
def set_history(tensor, node, output_nr: int = 0) -> None:
    """Point tensor at a new grad_fn; hooks stay with the old one, retain_grad follows (as torch)."""
    old, old_nr = tensor._grad_fn, tensor._output_nr
    tensor._grad_fn, tensor._output_nr, tensor._requires_grad = node, output_nr, True
    if tensor._backward_hooks is not None and not _behaviour.value("autograd.hooks.one_pre_hook_list"):
        tensor._backward_hooks = None  # (torch 1.13 kept the dict on the old node: later hooks went there too)
    if tensor._retains_grad and old is not None and old._retains_grad_hooks:
        hook = old._retains_grad_hooks.pop(old_nr, None)
        if hook is not None:
            node._retains_grad_hooks = {**(node._retains_grad_hooks or {}), output_nr: hook}
            node._hooked = True
            note_pre_hook(node, ("retain", output_nr))


def rebase_history(target, node) -> None:
    """After an in-place op: the target (or, for a view, its base through CopySlices) gets ``node``."""
    base = target._base
    if base is None:
        set_history(target, node)
        return
    copy_slices = CopySlices(base, target._view_chain, node)
    set_history(base, copy_slices)
    target.grad_fn  # noqa: B018 - regenerates the view's grad_fn, as torch does here


def regenerate_view_grad_fn(view) -> None:
    """The view's memory changed under it: its grad_fn becomes AsStridedBackward0 of the base."""
    from ..ops.shape import AS_STRIDED

    _check_view_rebase(view, indirect=True)
    base = view._base
    node = AS_STRIDED._node({"self": base})
    node._saved.update(self_sym_sizes=base._data.shape, view_chain=view._view_chain)
    node._meta = meta_of(view._data)
    set_history(view, node)
    view._attr_version = view._version_counter.value


class CopySlices(Node):
    """The base's node after an in-place op on one of its views.

    Backward: the incoming gradient for the base, with the view's region replaced
    by what the wrapped in-place node gives for the view's old value.
    """

    __slots__ = ("fn", "view_chain")
    __module__ = "builtins"

    def __init__(self, base, view_chain, fn) -> None:
        set_edges(self, [base._gradient_edge()] + list(zip(fn._fns, fn._nrs))[1:])
        self._seq = next_sequence_nr()
        self._meta = meta_of(base._data)
        self.fn = fn
        self.view_chain = view_chain

    def name(self) -> str:
        return "torch::autograd::CopySlices"

    def _release(self) -> None:
        """torch's CopySlices::release_variables drops the wrapped node itself: a second backward through
        this node fails even when that node saved nothing."""
        if self.fn is not None:
            self.fn._release()
            self.fn = None

    def apply(self, grads, task):
        grad = grads[0]
        out = [None] * len(self._fns)
        if grad is None:
            return out
        if self.fn is None:
            raise RuntimeError(_messages.BACKWARD_TWICE)
        F = task.F
        result, region = F.copy_with_view_region(grad, self.view_chain)
        sub_needed = None
        if task.needed is not None:  # the wrapped node computes what this node must output
            sub_needed = {fn for fn, mine in zip(self.fn._fns, self._fns) if mine is not None and mine in task.needed}
            if self._fns[0] in task.needed and self.fn._fns[0] is not None:
                sub_needed.add(self.fn._fns[0])
        unrun = ()
        if task.needed is not None and _behaviour.value("copy_slices.always_accumulates_other_inputs"):
            # torch 1.13: the other leaves' grads are accumulated whatever the graph task needs
            unrun = {i for i, fn in enumerate(self._fns)
                     if i and isinstance(fn, AccumulateGrad) and fn not in task.runs}
            sub_needed |= {self.fn._fns[i] for i in unrun}
        res = self.fn.apply([F.clone(region)], task.with_needed(sub_needed))
        for i, value in enumerate(res):
            if value is None or self._fns[i] is None:
                continue
            if i == 0:
                result = F.write_view_region(result, self.view_chain, value)
                out[0] = result
            else:
                out[i] = value  # (still passed on: autograd.grad may capture it)
                if i in unrun:
                    self._fns[i].apply([value], task)
        return out

