"""The backward engine: torch's algorithm, iterative throughout.

1. Count each node's dependencies with an explicit stack (no recursion).
2. Run a ready queue ordered like torch's (highest sequence_nr first; the same
   binary-heap sifting as std::priority_queue, so ties between AccumulateGrad
   nodes resolve as in torch). Gradients reaching a node are summed in its
   input buffer until its last dependency has run.
3. Around each node: tensor hooks, retain_grad hooks, pre-hooks, the node,
   output validation (reduce broadcast shapes, cast dtypes), post-hooks; then
   the node frees its saved tensors unless the graph is kept.

Gradients are NumPy arrays on a plain backward and tensors under
create_graph=True; ``task.F`` is the matching math namespace.
"""
from __future__ import annotations

import heapq
import sys
import weakref

import numpy as np

from .. import _messages
from .._grad_mode import STATE as _GRAD_MODE
from .graph import GraphRoot, note_pre_hook

_heappush = heapq.heappush
_heappop = heapq.heappop
_ndarray = np.ndarray


class GraphTask:
    """State of one backward call, visible to nodes while they run."""

    __slots__ = ("F", "needed", "runs", "keep_graph", "captures", "captured")

    def __init__(self, F, keep_graph: bool, needed=None) -> None:
        self.F = F
        self.keep_graph = keep_graph
        # None: everything reachable matters. Else torch's exec_info: ``needed`` holds the
        # nodes that should execute (gradients flow to them), ``runs`` those actually run.
        self.needed = needed
        self.runs = needed
        self.captures = None  # {node: [(input_nr, output_index)]} for autograd.grad
        self.captured = None

    def with_needed(self, needed):
        return GraphTask(self.F, self.keep_graph, needed)


class _Ready(list):
    """[node, buffer] in a ready-queue entry (-sequence_nr, _Ready). Entries compare by sequence_nr
    only, as torch's CompareNodeTaskTime, so ties (AccumulateGrad nodes) resolve by heap position:
    the tuple compares its int key in C and falls back to this (always "not less") on a tie."""

    __slots__ = ()

    def __lt__(self, other) -> bool:
        return False


def compute_dependencies(root) -> dict:
    dependencies = {}
    stack = [root]
    while stack:
        node = stack.pop()
        for fn in node._fns:
            if fn is None:
                continue
            if fn in dependencies:
                dependencies[fn] += 1
            else:
                dependencies[fn] = 1
                stack.append(fn)
    return dependencies


def _execution_plan(root, explicit: set, captured: set):
    """torch's init_to_execute, iteratively: which nodes run and which matter at all.

    A node *should execute* if it is explicitly needed, has captures, or has a
    child that should execute; it *runs* if explicitly needed or such a child exists.
    """
    active = set()
    runs = set(explicit)
    visited = {root}
    stack = [(root, iter(root._fns))]
    while stack:
        node, children = stack[-1]
        for fn in children:
            if fn is not None and fn not in visited:
                visited.add(fn)
                stack.append((fn, iter(fn._fns)))
                break
        else:
            stack.pop()
            if any(fn in active for fn in node._fns if fn is not None):
                runs.add(node)
            if node in runs or node in captured:
                active.add(node)
    return runs, active


def execute(root_edges, root_grads, *, keep_graph: bool, create_graph: bool, F,
            capture_edges=None, needed_edges=None):
    """Run backward from ``root_edges`` with ``root_grads`` (already in F's representation).

    ``capture_edges``: autograd.grad's inputs; returns their gradients.
    ``needed_edges``: backward(inputs=...); only the paths to them run.
    """
    task = GraphTask(F, keep_graph)
    root_grads = list(root_grads)
    validate_outputs([fn for fn, _ in root_edges], [nr for _, nr in root_edges], root_grads, F, None)
    if len(root_edges) == 1:
        root, input_nr = root_edges[0]
        buffer = [None] * len(root._meta)
        buffer[input_nr] = root_grads[0]
    else:
        root = GraphRoot(root_edges, root_grads)
        buffer = []
    dependencies = compute_dependencies(root)
    if capture_edges is not None or needed_edges is not None:
        # Only the needed inputs are marked; the root runs if it leads to one (torch's init_to_execute: a
        # root that is itself a captured input, as in autograd.grad(x, x), is captured, not run).
        explicit = {fn for fn, _ in needed_edges or () if fn is not None}
        if capture_edges is not None:
            task.captures = {}
            for index, (fn, input_nr) in enumerate(capture_edges):
                task.captures.setdefault(fn, []).append((input_nr, index))
            task.captured = [None] * len(capture_edges)
        task.runs, task.needed = _execution_plan(root, explicit, set(task.captures or ()))
    previous_mode = _GRAD_MODE.grad_enabled
    _GRAD_MODE.grad_enabled = create_graph
    try:
        root_buffers, buffer = [buffer], None  # handed over: nothing here may keep the root's gradients alive
        _run(task, root, root_buffers, dependencies)
    finally:
        _GRAD_MODE.grad_enabled = previous_mode
    return task.captured


def _run(task, root, root_buffers, dependencies) -> None:
    """``root_buffers``: a list holding the root's input buffer, emptied here: like torch's ready queue, the
    queue alone holds it, so AccumulateGrad can tell a gradient nobody else holds (and keep it)."""
    F = task.F
    needed = task.needed
    captures = task.captures
    keep_graph = task.keep_graph
    accumulate = F.accumulate
    not_ready = {}
    heap = [(-root._seq, _Ready((root, root_buffers.pop())))]
    while heap:
        ready = _heappop(heap)[1]
        node, inputs = ready
        ready = None
        if needed is not None:
            runs = node in task.runs
            if not runs and node._hooked:
                inputs = _hooks_of_unrun_node(node, inputs, F)
            if captures is not None and node in captures:
                # torch captures before tensor hooks when the node runs anyway (NOTE [Hooks ordering])
                for input_nr, index in captures[node]:
                    task.captured[index] = inputs[input_nr]
            if not runs:
                continue
        if node._hooked:
            outputs = _call_function(task, node, inputs)
        else:
            outputs = node.apply(inputs, task)
            validate_outputs(node._fns, node._nrs, outputs, F, node)
        inputs = None  # as torch's call_function, drop the inputs before passing gradients on
        if not keep_graph:
            node._release()
        if not outputs:
            continue
        fns = node._fns
        for index in range(len(fns)):
            # Take each gradient out of the list: whether it can be summed in place depends on
            # who else holds it (torch's InputBuffer checks use counts).
            grad = outputs[index]
            outputs[index] = None
            fn = fns[index]
            if fn is None:
                continue
            input_nr = node._nrs[index]
            count = dependencies[fn] - 1
            if count:
                dependencies[fn] = count
            else:
                del dependencies[fn]
            buffer = not_ready.get(fn)
            if buffer is None:
                if needed is not None and fn not in needed:
                    continue
                buffer = [None] * len(fn._meta)
                if count:
                    not_ready[fn] = buffer
            elif not count:
                del not_ready[fn]
            if grad is not None:
                if buffer[input_nr] is None:
                    buffer[input_nr] = grad
                else:
                    accumulate(buffer, input_nr, grad)
            if not count:
                _heappush(heap, (-fn._seq, _Ready((fn, buffer))))
        grad = buffer = None


def _call_function(task, node, inputs):
    F = task.F
    order = node.__dict__.get("_pre_hook_order")
    if order is not None:  # torch 1.13: every pre-hook in registration order (graph.note_pre_hook)
        inputs = _call_pre_hooks_in_order(node, inputs, F, order)
    else:
        inputs = _tensor_hooks(node, inputs, F)
        if node._pre_hooks:
            inputs = _call_pre_hooks(node, inputs, F)
    outputs = node.apply(inputs, task)
    validate_outputs(node._fns, node._nrs, outputs, F, node)
    if node._post_hooks:
        outputs = _call_post_hooks(node, outputs, inputs, F)
    return outputs


def validate_outputs(fns, nrs, grads, F, node) -> None:
    """Reduce broadcast gradients to their input's shape and cast to its dtype, in place in ``grads``."""
    if len(grads) != len(fns):
        _fail(node, _messages.INVALID_GRADIENT_COUNT.format(expected=len(fns), got=len(grads)))
    tensors = F.is_tensor
    i = -1
    for grad in grads:
        i += 1
        if grad is None:
            continue
        fn = fns[i]
        if fn is None:
            continue
        if not tensors and grad.__class__ is not _ndarray:  # NumPy gives scalars for 0-d results
            grad = grads[i] = np.asarray(grad)
        shape, dtype = fn._meta[nrs[i]]
        if grad.shape != shape:
            if not _expandable(shape, grad.shape):
                _fail(node, _messages.INVALID_GRADIENT.format(index=i, got=_dims(grad.shape), expected=_dims(shape)))
            grad = grads[i] = F.sum_to(grad, shape)
        if (grad._data.dtype if tensors else grad.dtype) != dtype:
            grads[i] = F.cast(grad, dtype)


def _fail(node, message: str):
    raise RuntimeError(message if node is None else f"Function {node.name()} returned an {message}")


def _dims(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _expandable(shape, desired) -> bool:
    if len(shape) > len(desired):
        return False
    for have, want in zip(reversed(shape), reversed(desired)):
        if have != want and have != 1:
            return False
    return True


# ------------------------------------------------------------------ hooks
def _hook_name(hook) -> str:
    return getattr(hook, "__name__", type(hook).__name__)


def _checked_hook_result(original, result, hook, F):
    """torch's check_single_result for a value a hook returned."""
    from .._tensor import Tensor

    if original is None:
        raise RuntimeError(_messages.HOOK_REPLACED_NONE)
    if not isinstance(result, Tensor):
        raise TypeError(_messages.HOOK_NOT_TENSOR.format(type_name=type(result).__name__))
    if result._data.dtype != original._data.dtype:
        raise RuntimeError(_messages.HOOK_CHANGED_TYPE.format(
            hook=_hook_name(hook), was=_type_string(original), got=_type_string(result)))
    if result._data.shape != original._data.shape:
        raise RuntimeError(_messages.HOOK_CHANGED_SIZE.format(hook=_hook_name(hook)))
    return result


def _type_string(tensor) -> str:
    from .. import _dtypes

    return _dtypes.legacy_type_name(tensor.dtype)


def _run_hook_dict(hooks, value, F):
    """Call hooks in registration order on one gradient; each may replace it.

    Whether user code kept the tensor it saw or returned decides, as torch's use
    counts do, if the engine may later reuse that memory (e.g. as a leaf's .grad)."""
    tensor = F.to_user(value)
    replaced = False
    for hook in tuple(hooks.values()):
        result = hook(tensor)
        if result is not None:
            tensor = _checked_hook_result(tensor, result, hook, F)
            replaced = True
        result = None
    kept_elsewhere = tensor is not None and sys.getrefcount(tensor) > _HOOK_TENSOR_REFS
    if replaced:
        grad = F.from_user(tensor, owned_by_user=False)  # (the next hook sees the tensor's _version)
        if kept_elsewhere:
            F.mark_user_owned(grad)
        return grad
    if kept_elsewhere:
        F.mark_user_owned(value)
    return value


_HOOK_TENSOR_REFS = 2  # the local name and getrefcount's argument


def _hooks_of_unrun_node(node, inputs, F):
    """torch's evaluate_function for a node reached but not run (e.g. the root of an autograd.grad that
    does not lead to the inputs): its tensor pre-hooks and retain_grad hooks still see its gradients."""
    return _tensor_hooks(node, list(inputs), F)


def _tensor_hooks(node, inputs, F):
    """The hooks registered on the node's output tensors: tensor hooks, then retain_grad's."""
    if node._tensor_pre_hooks:
        inputs = _call_tensor_pre_hooks(node, inputs, F)
    if node._retains_grad_hooks:
        for output_nr, tensor_ref in tuple(node._retains_grad_hooks.items()):
            _retain_grad(tensor_ref(), inputs[output_nr], F)
    return inputs


def _call_tensor_pre_hooks(node, inputs, F):
    for hooks, output_nr in node._tensor_pre_hooks:
        if hooks:
            inputs[output_nr] = _run_hook_dict(hooks, inputs[output_nr], F)
    return inputs


def _call_pre_hooks_in_order(node, inputs, F, order):
    for entry in tuple(order):
        if entry[0] == "tensor":
            if entry[1]:
                inputs[entry[2]] = _run_hook_dict(entry[1], inputs[entry[2]], F)
        elif entry[0] == "retain":
            tensor_ref = (node._retains_grad_hooks or {}).get(entry[1])
            if tensor_ref is not None:
                _retain_grad(tensor_ref(), inputs[entry[1]], F)
        elif node._pre_hooks:
            inputs = _call_pre_hooks(node, inputs, F)
    return inputs


def _call_pre_hooks(node, inputs, F):
    values = tuple(F.to_user(g) for g in inputs)
    for hook in tuple(node._pre_hooks.values()):
        result = hook(values)
        if result is not None:
            values = _checked_hook_results(values, result, hook, F)
    return [F.from_user(v, owned_by_user=False) for v in values]


def _call_post_hooks(node, outputs, inputs, F):
    grad_inputs = tuple(F.to_user(g) for g in outputs)
    grad_outputs = tuple(F.to_user(g) for g in inputs)
    for hook in tuple(node._post_hooks.values()):
        result = hook(grad_inputs, grad_outputs)
        if result is not None:
            grad_inputs = _checked_hook_results(grad_inputs, result, hook, F)
    return [F.from_user(v, owned_by_user=False) for v in grad_inputs]


def _checked_hook_results(values, result, hook, F):
    """A node hook's returned tuple replaces every value; None entries become 'no gradient' (torch's
    check_result: only a tuple, and a None gradient cannot become a tensor)."""
    if not isinstance(result, tuple):
        raise TypeError(_messages.HOOK_NOT_TUPLE.format(type_name=type(result).__name__))
    if len(result) != len(values):
        raise RuntimeError(_messages.HOOK_WRONG_COUNT.format(
            hook=_hook_name(hook), got=len(result), expected=len(values)))
    return tuple(None if r is None else _checked_hook_result(v, r, hook, F) for v, r in zip(values, result))


def _retain_grad(tensor, grad, F) -> None:
    """retain_grad's hook: .grad becomes a copy of the first gradient, then out-of-place sums."""
    if tensor is None or grad is None:
        return
    if tensor._grad is None:
        tensor._grad = F.to_user(F.clone(grad))
    else:
        tensor._grad = F.to_user(F.add(F.from_user(tensor._grad), grad))


def install_retain_grad(tensor) -> None:
    fn = tensor._grad_fn
    fn._retains_grad_hooks = {**(fn._retains_grad_hooks or {}), tensor._output_nr: weakref.ref(tensor)}
    fn._hooked = True
    note_pre_hook(fn, ("retain", tensor._output_nr))
    tensor._retains_grad = True


def call_node(node, grads, kwargs=None):
    """``node(*grads)``: run one node directly, as torch's THPCppFunction_call does.

    One argument per forward output of the node (None for an undefined gradient); the node's
    apply runs once under the current grad mode, so formulas are recorded when it is enabled,
    with no hooks, no shape/dtype validation and nothing freed. One output comes back as it is,
    several (or none, as AccumulateGrad's) as a tuple."""
    from .._tensor import Tensor
    from ..ops import _math
    from .function import BackwardCFunction

    if isinstance(node, BackwardCFunction):  # a custom Function's node is not a C++ node: not callable
        raise TypeError(f"'{type(node).__name__}' object is not callable")
    if kwargs:
        raise TypeError("keyword arguments are not supported")
    expected = len(node._meta)
    if len(grads) != expected:
        raise TypeError(f"expected {expected} arguments, got {len(grads)} instead")
    for index, grad in enumerate(grads):
        if grad is not None and not isinstance(grad, Tensor):
            raise TypeError(f"argument {index} is not a Variable")
    F = _math.TensorMath()
    outputs = node.apply(list(grads), GraphTask(F, keep_graph=True))
    if len(outputs) == 1:
        return outputs[0]
    return tuple(outputs)
