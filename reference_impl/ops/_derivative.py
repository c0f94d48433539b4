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

import inspect

import numpy as np

from .._grad_mode import STATE as _GRAD_MODE
from .._tensor import CreationMeta, Tensor
from .. import _messages
from ..autograd.graph import NO_EDGE, RELEASED, Node, SavedTensor, intern, meta_of, next_sequence_nr

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
_ZEROS = tuple((0,) * n for n in range(64))  # the usual _nrs, shared


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
            return [r if fn is not None and (needed is None or fn in needed) else None for r, fn in zip(results, fns)]
        # torch's generated nodes evaluate the formulas last input first (visible in the order of
        # the nodes a create_graph backward creates).
        out = [None] * len(fns)
        index = len(fns)
        for formula, needs in self._formulas_reversed:
            index -= 1
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
                value = F.unpack(value, self)
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

    def __init__(self, node_name: str, /, *, multi_output: bool = False, **formulas) -> None:
        self.inputs = tuple(formulas)
        self.needs = tuple(_formula_needs(f) for f in formulas.values())
        # An input named "tensors" is a list (cat, stack): its one formula returns a gradient per element.
        self.list_input = self.inputs == ("tensors",)
        # Each saved name with the indices of the formulas using it, in the order torch unpacks them
        # (first use when the formulas are read last input first).
        names = dict.fromkeys(name for needs in reversed(self.needs) for name in needs)
        self.saved_names = tuple((name, tuple(i for i, needs in enumerate(self.needs) if name in needs))
                                 for name in names)
        self.guarded = len(self.inputs) > 1 and not self.list_input
        table = tuple(zip(formulas.values(), self.needs))
        self.node_class = type(node_name, (FormulaNode,), {
            "__slots__": (), "_formulas": table, "_formulas_reversed": table[::-1],
            "_multi_output": multi_output, "_list_input": self.list_input,
            "_releasable": self.inputs + ("result",), "__module__": "builtins"})

    def __repr__(self):
        return f"Derivative({self.node_class.__name__})"

    # ------------------------------------------------------------------ forward
    def _node(self, env):
        """A node for this op if an input needs grad, else None (grad mode is checked by callers)."""
        fns = []
        nrs = []
        any_edge = nonzero_nr = False
        for value in env["tensors"] if self.list_input else [env.get(name) for name in self.inputs]:
            if value.__class__ is _Tensor or isinstance(value, _Tensor):
                if value._base is None:  # inlined Tensor._gradient_edge: this is the hot path
                    fn = value._grad_fn
                    if fn is not None:
                        nr = value._output_nr
                        nonzero_nr = nonzero_nr or nr != 0
                    elif value._requires_grad:
                        fn, nr = value._grad_accumulator_node(), 0
                    else:
                        fn = nr = None
                else:
                    fn, nr = value._gradient_edge()
                    nonzero_nr = nonzero_nr or nr != 0
                if fn is not None:
                    any_edge = True
                    fns.append(fn)
                    nrs.append(nr)
                    continue
            fns.append(None)
            nrs.append(0)
        if not any_edge:
            return None
        node = _new(self.node_class)
        node._fns = tuple(fns)
        node._nrs = _intern(tuple(nrs)) if nonzero_nr else _ZEROS[len(nrs)]
        node._seq = _next_seq()
        node._saved = {}
        return node

    def _save(self, node, env, result, skip_result=False) -> None:
        """Save what the formulas ask for, with the guard torch's codegen emits: a tensor used by
        the formula of exactly one of several inputs is saved only if that input gets a gradient."""
        saved = node._saved
        fns = node._fns
        inputs = self.inputs
        for name, users in self.saved_names:
            if name in saved:
                continue
            if name == "result":
                if not skip_result:
                    saved[name] = SavedTensor.of_output(result)
                continue
            value = env[name]
            is_tensor = value.__class__ is _Tensor or isinstance(value, _Tensor)
            if is_tensor and value._is_inference_tensor:
                raise RuntimeError(_messages.INFERENCE_SAVED)
            if is_tensor or name in inputs:
                if self.guarded and len(users) == 1 and fns[users[0]] is None:
                    continue  # torch's codegen guard: only that input's formula would read it
                # (a Python number standing in for a tensor input is stored as it is)
                saved[name] = _SavedTensor(value, None, value._version_counter, value._version) if is_tensor \
                    else value
            else:
                saved[name] = value

    def _skipped_by_guard(self, node, users) -> bool:
        return self.guarded and len(users) == 1 and node._fns[users[0]] is None

    def record(self, data, /, **env) -> Tensor:
        """Wrap a fresh output array and, when needed, attach this op's node to it."""
        if data.__class__ is not _ndarray:
            data = _asarray(data)
        result = _make(data)
        if _GRAD_MODE.grad_enabled and data.dtype.kind in "fc":  # integer outputs never need grad
            node = self._node(env)
            if node is not None:
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

        if target._is_inference_tensor and not _GRAD_MODE.inference:
            raise RuntimeError(_messages.INFERENCE_INPLACE)
        node = None
        if _GRAD_MODE.grad_enabled and any(
                isinstance(env.get(name), _Tensor) and env[name].requires_grad for name in self.inputs):
            _view_inplace.check_inplace(target)
            node = self._node(env)
            saved_env = env
            users = dict(self.saved_names).get("self")
            if users is not None and not self._skipped_by_guard(node, users):
                from .shape import clone  # torch saves self.clone(): the old value, with history

                saved_env = dict(env, self=clone(target))
            self._save(node, saved_env, None, skip_result=True)
        compute()
        target._bump_version()
        if node is not None:
            node._meta = _meta_of(target._data)
            _view_inplace.rebase_history(target, node)
            self._save(node, env, target)
        return target


def make_view(result: Tensor, base: Tensor, step, multi_output: bool = False) -> None:
    """Mark ``result`` as a view of ``base``: shared version counter, root base, replay chain."""
    root = base._base if base._base is not None else base
    result._base = root
    if base._is_inference_tensor:
        result._is_inference_tensor = True
    else:
        result._version_counter = base._counter()
    result._view_chain = base._view_chain + (step,)
    result._attr_version = result._version_counter.value
    if _GRAD_MODE.inference:
        result._creation_meta = CreationMeta.INFERENCE_MODE
    elif multi_output:
        result._creation_meta = CreationMeta.MULTI_OUTPUT_NODE
    elif not _GRAD_MODE.grad_enabled:
        result._creation_meta = CreationMeta.NO_GRAD_MODE
    elif base._creation_meta not in (None, CreationMeta.DEFAULT):
        result._creation_meta = base._creation_meta  # a view of a special view inherits its restriction
    else:
        result._creation_meta = CreationMeta.DEFAULT
