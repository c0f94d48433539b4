"""The one mechanism every differentiable op uses, in the spirit of derivatives.yaml.

An op declares its backward node once::

    MUL = Derivative("MulBackward0",
                     self=lambda F, grad, other: grad * other,
                     other=lambda F, grad, self: grad * self)

One formula per differentiable input, in forward-argument order (that order is
``next_functions``). A formula's parameters after ``grad`` (or ``grads`` for a
multi-output node) name what it needs: forward inputs, ``result`` (the output),
or plain forward arguments such as ``dim``. Forward saves exactly what the
formulas of inputs that need a gradient ask for, as torch's codegen does.
``F`` is the math namespace: NumPy on a plain backward, differentiable tensor
ops under ``create_graph=True``, so one formula serves both.

Forward code computes the output array and calls ``record`` (or one of its
variants for views, multi-output ops and in-place ops).
"""
from __future__ import annotations

import copy
import inspect

import numpy as np

from .._grad_mode import STATE as _GRAD_MODE
from .._tensor import CreationMeta, Tensor
from .. import _behaviour, _messages
from ..autograd.graph import RELEASED, Node, SavedTensor, intern, meta_of, next_sequence_nr

_ndarray = np.ndarray
_asarray = np.asarray
_Tensor = Tensor
_make = Tensor._make
_new = object.__new__
_SavedTensor = SavedTensor
_next_seq = next_sequence_nr
_intern = intern
_meta_of = meta_of
_NOTHING_SAVED: dict = {}
_MANY = 64
_ZEROS = tuple((0,) * n for n in range(_MANY))  # the usual _nrs, shared


def _formula_needs(formula) -> tuple:
    params = list(inspect.signature(formula).parameters)
    if params[:2] not in (["F", "grad"], ["F", "grads"]):
        raise TypeError(f"formula {formula} must start with (F, grad) or (F, grads)")
    return tuple(params[2:])


class FormulaNode(Node):
    """A node whose backward is a table of per-input formulas (see module docstring)."""

    __slots__ = ("_saved",)
    _formulas: tuple = ()  # ((formula, needs), ...) in next_functions order
    _multi_output = False
    _list_input = False

    def apply(self, grads, task):
        F = task.F
        values = self._unpack_saved(F) if self._saved else _NOTHING_SAVED
        fns = self._fns
        if self._multi_output:
            if all(g is None for g in grads):
                return [None] * len(fns)
            grad = [g if g is not None else F.zeros(shape, dtype) for g, (shape, dtype) in zip(grads, self._meta)]
        else:
            grad = grads[0]
            if grad is None:
                return [None] * len(fns)
        needed = task.needed
        if self._list_input:  # one formula for a list of inputs (cat, stack)
            formula, needs = self._formulas[0]
            results = formula(F, grad, *[values[name] for name in needs])
            # torch asks task_should_compute_output once for the whole list: every element gets its gradient
            # (a node hook sees them all; the engine passes on only the needed ones)
            return list(results)
        # torch's generated nodes evaluate the formulas in the alphabetical order of the input names
        # (load_derivatives reads them sorted): visible in the order of the nodes create_graph makes.
        out = [None] * len(fns)
        for index, formula, needs in self._formula_order:
            fn = fns[index]
            if fn is None or (needed is not None and fn not in needed):
                continue
            if len(needs) == 1:
                out[index] = formula(F, grad, values[needs[0]])
            else:
                out[index] = formula(F, grad, *[values[name] for name in needs])
        return out

    def _unpack_saved(self, F) -> dict:
        """Generated torch nodes unpack (and version-check) everything saved before computing."""
        values = {}
        for name, value in self._saved.items():
            if value.__class__ is _SavedTensor:
                if value._nonleaf and value._tensor._grad_fn is None:
                    # torch's SavedVariable::unpack without saved_for: the input lost its history to detach_()
                    raise RuntimeError(_behaviour.value("saved_tensor.detached_inplace_message")
                                       or _messages.SAVED_DETACHED_INPLACE)
                value = F.unpack(value, self, name in self._operands)
            elif value is RELEASED:
                raise RuntimeError(_messages.BACKWARD_TWICE)
            values[name] = value
        return values

    def _release(self):
        """Free saved tensors and saved numbers standing in for tensors (torch's release_variables)."""
        saved = self._saved
        if not saved:
            return
        for name in self._releasable:
            if name in saved:
                saved[name] = RELEASED


class Derivative:
    """An op's backward node class plus the forward-side recording of it."""

    def __init__(self, node_name: str, /, *, multi_output: bool = False, releases: tuple = (), **formulas) -> None:
        """``releases``: saved arguments that hold tensors (indices, a mask) and are freed after backward
        like inputs and the result, as torch frees every SavedVariable."""
        self.inputs = tuple(formulas)
        self.needs = tuple(_formula_needs(f) for f in formulas.values())
        # An input named "tensors" is a list (cat, stack): its one formula returns a gradient per element.
        self.list_input = self.inputs == ("tensors",)
        # Formulas in the order torch's generated code runs them: input names sorted (other before self,
        # self before tensor). Each saved name with the indices of the formulas using it, in the order
        # torch unpacks them (first use in that order).
        order = sorted(range(len(self.inputs)), key=lambda i: self.inputs[i])
        names = dict.fromkeys(name for i in order for name in self.needs[i])
        self.saved_names = tuple((name, tuple(i for i, needs in enumerate(self.needs) if name in needs))
                                 for name in names)
        self.guarded = len(self.inputs) > 1 and not self.list_input
        # What _save does per name: (name, index of the only formula using it when torch guards it, else -1,
        # whether it is a forward input).
        self._save_plan = tuple(
            (name, users[0] if self.guarded and len(users) == 1 else -1, name in self.inputs)
            for name, users in self.saved_names)
        table = tuple(zip(formulas.values(), self.needs))
        self.node_class = type(node_name, (FormulaNode,), {
            "__slots__": (), "_formulas": table, "_formula_order": tuple((i, *table[i]) for i in order),
            "_multi_output": multi_output, "_list_input": self.list_input,
            "_releasable": self.inputs + ("result",) + tuple(releases), "_operands": self.inputs + ("result",),
            "__module__": "builtins"})

    def __repr__(self):
        return f"Derivative({self.node_class.__name__})"

    # ------------------------------------------------------------------ forward
    def _node(self, env):
        """A node for this op if an input needs grad, else None (grad mode is checked by callers)."""
        fns = []
        nrs = []
        any_edge = nonzero_nr = inference_leaf = False
        seq = None
        for value in env["tensors"] if self.list_input else map(env.get, self.inputs):
            if value.__class__ is _Tensor or isinstance(value, _Tensor):
                if value._base is None:  # inlined Tensor._gradient_edge: this is the hot path
                    fn = value._grad_fn
                    if fn is not None:
                        nr = value._output_nr
                        nonzero_nr = nonzero_nr or nr != 0
                    elif value._requires_grad:
                        if value._is_inference_tensor:
                            inference_leaf = True
                        fn, nr = value._grad_accumulator_node(), 0
                    else:
                        fn = nr = None
                else:
                    if seq is None and (value._requires_grad or value._grad_fn is not None or value._base._requires_grad):
                        # torch numbers the node before collect_next_edges regenerates a view's grad_fn
                        seq = _next_seq()
                    fn, nr = value._gradient_edge()
                    nonzero_nr = nonzero_nr or nr != 0
                    # A view made under no_grad of a tensor that requires grad requires grad itself but has
                    # no edge: torch still records the op, with a None edge (compute_requires_grad).
                    any_edge = any_edge or (fn is None and value.requires_grad)
                if fn is not None:
                    any_edge = True
                    fns.append(fn)
                    nrs.append(nr)
                    continue
            fns.append(None)
            nrs.append(0)
        if not any_edge or (inference_leaf and self._only_inference_inputs(env)):
            return None
        node = _new(self.node_class)
        node._fns = tuple(fns)
        node._nrs = _ZEROS[len(nrs)] if not nonzero_nr and len(nrs) < _MANY else _intern(tuple(nrs))
        node._seq = _next_seq() if seq is None else seq
        node._saved = {}
        return node

    def _only_inference_inputs(self, env) -> bool:
        """torch runs an op's autograd kernel only when some input is a normal tensor (a Python number
        for a Tensor argument is wrapped into one): inference tensors alone, even requiring grad, record
        nothing outside inference mode."""
        for value in env["tensors"] if self.list_input else map(env.get, self.inputs):
            if isinstance(value, _Tensor):
                if not value._is_inference_tensor:
                    return False
            elif value is not None:
                return False
        return True

    def _save(self, node, env, result, skip_result=False) -> None:
        """Save what the formulas ask for, with the guard torch's codegen emits: a tensor used by
        the formula of exactly one of several inputs is saved only if that input gets a gradient."""
        saved = node._saved
        fns = node._fns
        for name, guard, is_input in self._save_plan:
            if name in saved:
                continue
            if name == "result":
                if not skip_result:
                    saved[name] = SavedTensor.of_output(result)
                continue
            value = env[name]
            is_tensor = value.__class__ is _Tensor or isinstance(value, _Tensor)
            if is_tensor:
                if guard >= 0 and fns[guard] is None:
                    continue  # torch's codegen guard: only that input's formula would read it
                if value._is_inference_tensor:  # (SavedVariable's check: only what is saved)
                    raise RuntimeError(_behaviour.value("tensor.inference_saved_message"))
                saved[name] = _SavedTensor(value, None, value._version_counter, value._version, 0,
                                           value._grad_fn is not None)
            elif is_input:  # a Python number standing in for a tensor input, stored as it is
                if guard < 0 or fns[guard] is not None:
                    saved[name] = value
            else:
                saved[name] = value

    def _skipped_by_guard(self, node, users) -> bool:
        return self.guarded and len(users) == 1 and node._fns[users[0]] is None

    def record(self, data, /, **env) -> Tensor:
        """Wrap a fresh output array and, when needed, attach this op's node to it."""
        if data.__class__ is not _ndarray:
            data = _asarray(data)
        result = _new(_Tensor)  # Tensor._make, inlined: this runs for every op
        result._data = data
        result._grad_fn = None
        result._output_nr = 0
        result._requires_grad = False
        result._grad = None
        result._version_counter = None
        result._base = None
        mode = _GRAD_MODE
        if mode.inference:
            result._is_inference_tensor = True
        elif mode.grad_enabled and data.dtype.kind in "fc":  # integer outputs never need grad
            node = self._node(env)
            if node is not None:
                if self._save_plan:
                    self._save(node, env, result)
                node._meta = _meta_of(data)
                result._grad_fn = node
                result._requires_grad = True
        return result

    def record_view(self, data, base: Tensor, view_step, /, **env) -> Tensor:
        """Like record, for an output that aliases ``base``'s memory (a view)."""
        result = self.record(data, **env)
        make_view(result, base, view_step)
        return result

    def record_multi(self, datas, /, *, views_of: Tensor | None = None, view_steps=None, **env) -> tuple:
        """Several outputs sharing one node, with output_nr 0, 1, ...; optionally views of one base."""
        datas = [d if d.__class__ is _ndarray else _asarray(d) for d in datas]
        results = tuple(_make(d) for d in datas)
        if _GRAD_MODE.grad_enabled:
            node = self._node(env)
            if node is not None:
                self._save(node, env, None, skip_result=True)
                node._meta = _intern(tuple((d.shape, d.dtype) for d in datas))
                for i, r in enumerate(results):
                    r._grad_fn, r._output_nr, r._requires_grad = node, i, True
        if views_of is not None:
            for r, step in zip(results, view_steps):
                make_view(r, views_of, step, multi_output=True)
        return results

    def record_inplace(self, target: Tensor, compute, /, **env) -> Tensor:
        """Run ``compute()`` (which writes into target's array) as an in-place op, with torch's
        checks and order: node and inputs' edges before the write, ``self`` saved as a copy of its
        old value, version bump, then the target's history rebased onto the node."""
        from ..autograd import _view_inplace

        node = None
        if _GRAD_MODE.grad_enabled and any(
                isinstance(env.get(name), _Tensor) and env[name].requires_grad for name in self.inputs) and not (
                target._is_inference_tensor and self._only_inference_inputs(env)):
            _view_inplace.check_inplace(target)
            node = self._node(env)
            saved_env = env
            users = dict(self.saved_names).get("self")
            if users is not None and not self._skipped_by_guard(node, users):
                from .shape import clone  # torch saves self.clone(): the old value, with history

                saved_env = dict(env, self=clone(target))
            self._save(node, saved_env, None, skip_result=True)
        compute()
        if target._is_inference_tensor and not _GRAD_MODE.inference:
            # torch finds an inference tensor has no version counter only when bumping it: after the write
            raise RuntimeError(_messages.INFERENCE_INPLACE)
        target._bump_version()
        if node is not None:
            node._meta = _meta_of(target._data)
            _view_inplace.rebase_history(target, node)
            self._save(node, env, target)
        return target


def make_view(result: Tensor, base: Tensor, step, multi_output: bool = False) -> None:
    """Mark ``result`` as a view of ``base``: shared version counter, root base, replay chain."""
    if base._is_inference_tensor:
        # torch tracks no views of inference tensors: the result is an inference tensor of its own, in
        # inference mode or not (and records no history: _node sees only inference inputs)
        result._is_inference_tensor = True
        return
    if result._is_inference_tensor:  # a view of a normal tensor made in inference mode stays normal
        result._is_inference_tensor = False
    root = base._base if base._base is not None else base
    result._base = root
    result._version_counter = base._counter()
    result._view_chain = base._view_chain + (step,)
    result._attr_version = result._version_counter.value
    if _GRAD_MODE.inference:
        result._creation_meta = CreationMeta.INFERENCE_MODE
    elif not _GRAD_MODE.grad_enabled:  # before multi_output: torch's codegen asks grad mode first
        result._creation_meta = CreationMeta.NO_GRAD_MODE
    elif multi_output:
        result._creation_meta = CreationMeta.MULTI_OUTPUT_NODE
    elif base._creation_meta not in (None, CreationMeta.DEFAULT):
        result._creation_meta = base._creation_meta  # a view of a special view inherits its restriction
    else:
        result._creation_meta = CreationMeta.DEFAULT


_RENAMED: dict = {}


def named(derivative: Derivative, feature: str) -> Derivative:
    """``derivative`` under the node name the emulated torch release gives it: the value of the
    ``_behaviour`` feature ``feature`` (torch renumbered some nodes between releases)."""
    name = _behaviour.value(feature)
    if name == derivative.node_class.__name__:
        return derivative
    key = (id(derivative), name)
    renamed = _RENAMED.get(key)
    if renamed is None:
        renamed = copy.copy(derivative)
        renamed.node_class = type(name, (derivative.node_class,), {"__slots__": (), "__module__": "builtins"})
        _RENAMED[key] = renamed
    return renamed
