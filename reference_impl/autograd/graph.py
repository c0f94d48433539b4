"""Backward-graph nodes: Node, AccumulateGrad, GraphRoot and saved tensors.

A node is created by a forward op. Its edges, one per forward input, are kept
as two tuples: ``_fns`` (next node, or None where no gradient flows) and
``_nrs`` (which input of that node); ``next_functions`` pairs them up. ``_meta``
holds (shape, numpy dtype) of each forward output, which the engine uses to
reduce and cast incoming gradients, as torch's input metadata does.

Few objects per node on purpose: Python's cyclic GC scans every container
object, and a training step creates thousands of nodes.
"""
from __future__ import annotations

import functools
import itertools
from _thread import allocate_lock as _Lock

from .. import _behaviour, _dtypes, _messages
from ..utils.hooks import HookDict

UINT64_MAX = 2**64 - 1
NO_EDGE = (None, 0)

_sequence_numbers = itertools.count()


next_sequence_nr = functools.partial(next, _sequence_numbers)  # a C call: this runs for every recorded op


_interned: dict = {}


def intern(value: tuple) -> tuple:
    """One shared tuple per distinct value (edge numbers, output metadata): fewer GC-tracked objects."""
    shared = _interned.get(value)
    if shared is None:
        if len(_interned) > 4096:
            _interned.clear()
        shared = _interned[value] = value
    return shared


_metas: dict = {}


def meta_of(data) -> tuple:
    """The ``_meta`` of a node with one output: ((shape, numpy dtype),), shared between nodes."""
    key = (data.shape, data.dtype)
    meta = _metas.get(key)
    if meta is None:
        if len(_metas) > 4096:
            _metas.clear()
        meta = _metas[key] = (key,)
    return meta


def set_edges(node, edges) -> None:
    node._fns = tuple(fn for fn, _ in edges)
    node._nrs = intern(tuple(nr for _, nr in edges))


class Node:
    """Base of every backward node; mirrors ``torch.autograd.graph.Node``."""

    __slots__ = ("_fns", "_nrs", "_seq", "_meta", "__weakref__", "__dict__")
    # Rarely used state lives in the instance __dict__, read through these defaults.
    _pre_hooks = None  # HookDict of fn(grad_outputs)
    _post_hooks = None  # HookDict of fn(grad_inputs, grad_outputs)
    _tensor_pre_hooks = ()  # [(HookDict, output_nr)] from Tensor.register_hook
    _retains_grad_hooks = None  # {output_nr: fn(grad)} from Tensor.retain_grad
    _hooked = False  # any of the above: the engine takes its slower, hook-aware path
    _saved = None
    num_outputs = 1

    def name(self) -> str:
        return type(self).__name__

    @property
    def next_functions(self):
        return tuple(zip(self._fns, self._nrs))

    @_behaviour.method_since("autograd.node.sequence_nr")
    def _sequence_nr(self) -> int:
        return self._seq

    def _set_sequence_nr(self, value: int) -> None:
        self._seq = value

    @property
    def metadata(self) -> dict:
        if "metadata" not in self.__dict__:
            self.__dict__["metadata"] = {}
        return self.__dict__["metadata"]

    @property
    def _input_metadata(self):
        return self._meta

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) runs after this node; a non-None result replaces grad_inputs."""
        if self._post_hooks is None:
            self._post_hooks = HookDict()
        self._hooked = True
        return self._post_hooks.add(fn)

    def register_prehook(self, fn):
        """fn(grad_outputs) runs before this node; a non-None result replaces grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = HookDict()
            note_pre_hook(self, ("node",))
        self._hooked = True
        return self._pre_hooks.add(fn)

    def _add_tensor_pre_hooks(self, hooks: HookDict, output_nr: int) -> None:
        self._tensor_pre_hooks = (*self._tensor_pre_hooks, (hooks, output_nr))
        self._hooked = True
        note_pre_hook(self, ("tensor", hooks, output_nr))

    def _release(self) -> None:
        """Free saved tensors (torch's release_variables)."""

    def apply(self, grads: list, task) -> list:  # pragma: no cover - every node overrides
        raise NotImplementedError

    def __call__(self, *grads, **kwargs):
        from . import engine

        return engine.call_node(self, grads, kwargs)

    def __getattr__(self, name):
        # torch exposes saved values as _saved_<name> (unpacked) and _raw_saved_<name>.
        saved = self._saved
        if saved is not None:
            if name.startswith("_saved_") and name[7:] in saved:
                return _public_saved(saved[name[7:]], self)
            if name.startswith("_raw_saved_") and name[11:] in saved:
                return saved[name[11:]]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


def note_pre_hook(node, entry: tuple) -> None:
    """torch 1.13 kept tensor hooks, retain_grad's hook and node pre-hooks in one list on the node, run in
    the order they were first registered; the engine replays that order (``_pre_hook_order``)."""
    if _behaviour.value("autograd.hooks.one_pre_hook_list"):
        order = node.__dict__.setdefault("_pre_hook_order", [])
        if entry not in order:
            order.append(entry)


def _public_saved(value, node):
    if value is RELEASED:
        raise RuntimeError(_messages.BACKWARD_TWICE)
    if isinstance(value, SavedTensor):
        return value.unpack_tensor(node)
    return value


class AccumulateGrad(Node):
    """Sink node of a leaf: sums incoming gradients into ``variable.grad``."""

    __slots__ = ("variable", "_lock")
    __module__ = "builtins"  # so repr() reads <AccumulateGrad object at ...>, as torch's
    _hooked = True  # its leaf's tensor hooks can appear at any time

    def __init__(self, variable) -> None:
        self.variable = variable
        # torch's AccumulateGrad holds its node mutex while it updates .grad and runs the post-accumulate
        # hooks: backward calls from several threads into one leaf each add their gradient (none is lost)
        self._lock = _Lock()
        self._fns = self._nrs = ()
        self._seq = UINT64_MAX  # runs as soon as it is ready, like torch's
        self._meta = meta_of(variable._data)

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    @property
    def _tensor_pre_hooks(self):
        hooks = self.variable._backward_hooks
        return ((hooks, 0),) if hooks else ()

    def apply(self, grads, task):
        grad = grads[0]
        if grad is not None:
            with self._lock:
                task.F.accumulate_into(self.variable, grad)
                hooks = self.variable._post_accumulate_grad_hooks
                if hooks:
                    _run_post_accumulate_grad_hooks(hooks, self.variable, task.F)
        return []


def _run_post_accumulate_grad_hooks(hooks, variable, F) -> None:
    """torch's PyFunctionTensorPostAccGradHooks: each hook gets the tensor (or what an earlier hook returned);
    a result other than None or that same tensor is checked like a tensor hook's, then refused."""
    from .engine import _checked_hook_result

    current, modified = variable, False
    for hook in tuple(hooks.values()):
        result = hook(current)
        if result is None or result is current:
            continue
        current = _checked_hook_result(current, result, hook, F)
        modified = True
    if modified:
        raise RuntimeError("Tensor post accumulate grad hooks should return None.")


class GraphRoot(Node):
    """Feeds the given gradients to several root edges."""

    __module__ = "builtins"

    def __init__(self, edges, grads) -> None:
        set_edges(self, edges)
        self._seq = next_sequence_nr()
        self._meta = ()
        self._grads = grads

    def name(self) -> str:
        return "torch::autograd::GraphRoot"

    def apply(self, grads, task):
        return list(self._grads)


class Identity(Node):
    """Stands for an input with no grad accumulator yet, so it is never reached."""

    __module__ = "builtins"

    def __init__(self) -> None:
        self._fns = self._nrs = ()
        self._seq = next_sequence_nr()
        self._meta = ()

    def name(self) -> str:
        return "torch::autograd::Identity"

    def apply(self, grads, task):
        return list(grads)


class _Released:
    """What a node's saved values become when it frees them; unpacking it is the 'backward twice' error."""

    __slots__ = ()

    def __repr__(self):
        return "<released>"


RELEASED = _Released()


class SavedTensor:
    """A tensor saved for backward, with torch's version check (torch's SavedVariable).

    Two kinds: an input (kept by reference, so errors name its current grad_fn)
    and an output of the saving node (kept as data plus version counter, so the
    output and its node do not hold each other). Saved Python numbers are
    stored as they are; freeing replaces both by RELEASED in the node.
    """

    __slots__ = ("_tensor", "_data", "_counter", "_version", "_output_nr", "_nonleaf")

    def __init__(self, tensor=None, data=None, counter=None, version=0, output_nr=0, nonleaf=False):
        self._tensor = tensor
        self._data = data
        self._counter = counter
        self._version = version
        self._output_nr = output_nr
        self._nonleaf = nonleaf  # an input that had a grad_fn when saved (torch's !is_leaf_)

    @classmethod
    def of_input(cls, tensor):
        counter = tensor._version_counter
        return cls(tensor, None, counter, counter.value if counter is not None else 0)

    @classmethod
    def of_output(cls, tensor):
        counter = tensor._counter()
        return cls(None, tensor._data, counter, counter.value, tensor._output_nr)

    def unpack_array(self, node):
        tensor = self._tensor
        if tensor is None:
            if self._counter.value != self._version:
                raise RuntimeError(self._version_error(node, self._counter.value))
            return self._data
        counter = tensor._version_counter
        if counter is not None and counter.value != self._version:
            raise RuntimeError(self._version_error(node, counter.value))
        return tensor._data

    def unpack_tensor(self, node):
        """The saved value as a Tensor, connected to the graph (for create_graph)."""
        data = self.unpack_array(node)
        if self._tensor is not None:
            return self._tensor
        from .._tensor import Tensor

        return Tensor._from_saved_output(data, self._counter, node, self._output_nr)

    def _version_error(self, node, current: int) -> str:
        tensor = self._tensor
        data = tensor._data if tensor is not None else self._data
        dtype = _dtypes.from_numpy(data.dtype)
        shape = "[" + ", ".join(str(s) for s in data.shape) + "]"
        text = f"one of the variables needed for gradient computation has been modified by an inplace operation: [{_dtypes.legacy_type_name(dtype)} {shape}]"
        # torch asks the saved input for its grad_fn(), which regenerates a view's (AsStridedBackward0)
        grad_fn, output_nr = (node, self._output_nr) if tensor is None else (tensor.grad_fn, tensor._output_nr)
        if grad_fn is not None:
            text += f", which is output {output_nr} of {node_label(grad_fn)},"
        text += f" is at version {current}; expected version {self._version} instead. "
        return text + _behaviour.value("saved_tensor.anomaly_hint")


def forward_op_name(name: str) -> str:
    """torch's Node::forward_op_name: MulBackward0 -> Mul, PowBackward1 -> Pow1, CopyBackwards unchanged."""
    pos = name.rfind("Backward")
    suffix = name[pos + 8:] if pos >= 0 else "x"
    if not suffix.isdigit() and suffix != "":
        return name
    return name[:pos] + ("" if suffix in ("0", "") else suffix)


def node_label(node: Node) -> str:
    """How torch's messages name a node: MulBackward0 up to 2.12, Mul from 2.13."""
    name = node.name()
    if _behaviour.value("saved_tensor.node_naming") == "forward_op":
        return forward_op_name(name)
    return name


class _GraphModule(type(_behaviour)):
    """This module's type: ``Node`` is a public name of torch.autograd.graph from 2.0 only (1.13 has no
    ``torch.autograd.graph.Node``); the engine's own modules always see it."""

    @property
    def Node(self):
        if not _behaviour.value("autograd.graph.node_class"):
            import sys

            if not sys._getframe(1).f_globals.get("__name__", "").startswith("reference_impl."):
                raise AttributeError("Node")  # the module type then asks __getattr__ below for the message
        return Node


def __getattr__(name):
    module = "torch.autograd.graph" if name == "Node" else __name__
    raise AttributeError(f"module '{module}' has no attribute '{name}'")


__import__("sys").modules[__name__].__class__ = _GraphModule
