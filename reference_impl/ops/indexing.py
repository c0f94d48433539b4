"""Indexed reads and writes: gather, scatter, masked_fill, index_put (and torch's internal
_index_put_impl_), index_fill (what ``t[index] = number`` runs from torch 2.15), plus the
select/slice backward ops that torch's formulas call."""
from __future__ import annotations

import numpy as np

from .. import _behaviour
from .._tensor import Tensor, wrap_dim
from ._common import export, overlaps_itself, tensor_method, warn_at_caller, writable
from ._derivative import Derivative
from ._math import put_along_axis, take_along_axis

_make = Tensor._make


def _key(indices):
    return tuple(i._data if isinstance(i, Tensor) else i for i in indices) if isinstance(indices, (tuple, list)) \
        else indices


def _index_put_formulas(name):
    return Derivative(
        name, releases=("indices",),
        self=lambda F, grad, indices, values_shape, accumulate:
        grad if accumulate else F.index_put(F.clone(grad), indices, F.zeros(values_shape, F.dtype_of(grad)), False),
        values=lambda F, grad, indices: F.index(grad, indices))


INDEX_PUT = _index_put_formulas("IndexPutBackward0")
INDEX_PUT_IMPL = _index_put_formulas("IndexPutImplBackward0")
GATHER = Derivative("GatherBackward0", releases=("index",), self=lambda F, grad, self_sym_sizes, dim, index:
                    F.scatter_add_into_zeros(grad, self_sym_sizes, dim, index))
SCATTER = Derivative("ScatterBackward0", releases=("index",),
                     self=lambda F, grad, dim, index: F.scatter_value(grad, dim, index, 0),
                     src=lambda F, grad, dim, index: F.gather(grad, dim, index))
SCATTER_ADD = Derivative("ScatterAddBackward0", releases=("index",), self=lambda F, grad: grad,
                         src=lambda F, grad, dim, index: F.gather(grad, dim, index))
MASKED_FILL = Derivative("MaskedFillBackward0", releases=("mask",), self=lambda F, grad, mask: F.masked_fill(grad, mask, 0))
MASKED_FILL_TENSOR = Derivative("MaskedFillBackward1", releases=("mask",),
                                self=lambda F, grad, mask: F.masked_fill(grad, mask, 0),
                                value=lambda F, grad, mask: F.sum(F.where_zero(mask, grad), None))
INDEX_FILL = Derivative("IndexFillBackward0", releases=("index",),
                        self=lambda F, grad, dim, index: F.index_fill(grad, dim, index, 0))
SELECT_BACKWARD = Derivative("SelectBackwardBackward0",
                             grad_output=lambda F, grad, dim, index: F.select(grad, dim, index))
SLICE_BACKWARD = Derivative("SliceBackwardBackward0",
                            grad_output=lambda F, grad, dim, start, end, step: F.slice(grad, dim, start, end, step))
SCATTER_VALUE = Derivative("ScatterBackward1", releases=("index",),
                           self=lambda F, grad, dim, index: F.scatter_value(grad, dim, index, 0))


_EXPANDED_WRITE = ("Use of {op} on expanded tensors is deprecated. Please clone() the tensor before performing this "
                   "operation. This also applies to advanced indexing e.g. {example}")
_EXPANDED_WRITE_EXAMPLE = {"index_put_": "tensor[indices] = tensor", "masked_fill_": "tensor[mask] = scalar",
                           "index_fill_": "tensor[mask] = scalar"}


def _write_target(target, *ops):
    """The array an indexed write goes into. Unlike other in-place ops these accept an expanded target:
    torch warns, for each op it runs, that this is deprecated, then writes through to the shared memory."""
    data = target._data
    if data.flags.writeable:
        return data
    if overlaps_itself(data):
        for op in ops:
            warn_at_caller(_EXPANDED_WRITE.format(op=op, example=_EXPANDED_WRITE_EXAMPLE[op]))
    return writable(data, check_overlap=False)


def _runs_masked_fill(key, data, accumulate) -> bool:
    """index_put_ with one boolean mask and a one-element value runs masked_fill_ underneath."""
    tensors = [k for k in key if not isinstance(k, slice)]
    return not accumulate and data.size == 1 and len(tensors) == 1 and tensors[0].dtype == np.bool_


def _index_put(derivative, self, indices, values, accumulate):
    key = _key(indices)
    data = values._data if isinstance(values, Tensor) else np.asarray(values, self._data.dtype)
    ops = ("index_put_", "masked_fill_") if _runs_masked_fill(key, data, accumulate) else ("index_put_",)

    def compute():  # the kernel warns, so after the autograd checks
        target = _write_target(self, *ops)
        if accumulate:
            np.add.at(target, key, data)
        else:
            target[key] = data

    return derivative.record_inplace(self, compute, self=self, values=values, indices=key, values_shape=data.shape,
                                     accumulate=accumulate)


@tensor_method("index_put_")
def index_put_(self, indices, values, accumulate=False):
    return _index_put(INDEX_PUT, self, indices, values, accumulate)


def index_put_impl_(self, indices, values, accumulate=False):
    """torch's internal _index_put_impl_, which index's backward calls (IndexPutImplBackward0)."""
    return _index_put(INDEX_PUT_IMPL, self, indices, values, accumulate)


def _dim_index(input, dim, index, op="gather"):
    d = wrap_dim(dim, input._data.ndim)
    int32 = _behaviour.value("ops.gather_scatter.int32_index")
    allowed = (np.int64, np.int32) if int32 else (np.int64,)
    if not isinstance(index, Tensor) or index._data.dtype not in allowed:
        raise RuntimeError(f"{op}(): Expected dtype {'int32/int64' if int32 else 'int64'} for index")
    return d, index._data.astype(np.int64)


@export("gather")
def gather(input, dim, index, *, sparse_grad=False):
    d, idx = _dim_index(input, dim, index)
    return GATHER.record(take_along_axis(input._data, idx, d), self=input, dim=d, index=index,
                         self_sym_sizes=input._data.shape)


@tensor_method("scatter_")
def scatter_(self, dim, index, src):
    d, idx = _dim_index(self, dim, index, "scatter")
    target = writable(self._data)
    value = src._data if isinstance(src, Tensor) else self._data.dtype.type(src)

    def compute():
        put_along_axis(target, idx, value, d)

    if isinstance(src, Tensor):
        return SCATTER.record_inplace(self, compute, self=self, src=src, dim=d, index=index)
    return SCATTER_VALUE.record_inplace(self, compute, self=self, dim=d, index=index)


@export("scatter")
def scatter(input, dim, index, src):
    """Out of place: one ScatterBackward0/1 node on the input itself (no clone in the graph), at version 0."""
    d, idx = _dim_index(input, dim, index, "scatter")
    out = input._data.copy()
    if isinstance(src, Tensor):
        put_along_axis(out, idx, src._data, d)
        return SCATTER.record(out, self=input, src=src, dim=d, index=index)
    put_along_axis(out, idx, out.dtype.type(src), d)
    return SCATTER_VALUE.record(out, self=input, dim=d, index=index)


@tensor_method("scatter_add_")
def scatter_add_(self, dim, index, src):
    d, idx = _dim_index(self, dim, index, "scatter")
    written = writable(self._data)

    def compute():
        target = np.moveaxis(written, d, -1)
        lead = np.indices(idx.shape[:d] + idx.shape[d + 1:], sparse=True)
        rows = np.moveaxis(idx, d, -1)
        np.add.at(target, (*[np.expand_dims(axis, -1) for axis in lead], rows), np.moveaxis(src._data, d, -1))

    return SCATTER_ADD.record_inplace(self, compute, self=self, src=src, dim=d, index=index)


@tensor_method("masked_fill_")
def masked_fill_(self, mask, value):
    mask_data = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    fill = value._data if isinstance(value, Tensor) else value

    def compute():
        target = _write_target(self, "masked_fill_")
        target[np.broadcast_to(mask_data, target.shape)] = fill

    if isinstance(value, Tensor):
        return MASKED_FILL_TENSOR.record_inplace(self, compute, self=self, value=value, mask=mask)
    return MASKED_FILL.record_inplace(self, compute, self=self, mask=mask)


@export("masked_fill")
def masked_fill(input, mask, value):
    """Out of place: one MaskedFillBackward0/1 node on the input itself (no clone in the graph), at version 0."""
    mask_data = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    out = input._data.copy()
    out[np.broadcast_to(mask_data, out.shape)] = value._data if isinstance(value, Tensor) else value
    if isinstance(value, Tensor):
        return MASKED_FILL_TENSOR.record(out, self=input, value=value, mask=mask)
    return MASKED_FILL.record(out, self=input, mask=mask)


def index_fill_(self, dim, index, value):
    """torch's index_fill_(dim, index, Scalar) with a 1-D int64 ``index`` tensor (not published: only
    __setitem__ and the IndexFillBackward0 formula use it)."""
    d = wrap_dim(dim, self._data.ndim)
    idx = index._data

    def compute():
        target = _write_target(self, "index_fill_")
        key = [slice(None)] * target.ndim
        key[d] = idx
        target[tuple(key)] = value

    return INDEX_FILL.record_inplace(self, compute, self=self, dim=d, index=index)


def index_fill(input, dim, index, value):
    from .shape import clone

    return index_fill_(clone(input), dim, index, value)


def select_backward(grad_output, input_sizes, dim, index):
    """zeros(input_sizes) with grad_output placed at index along dim (torch's select_backward op)."""
    out = np.zeros(input_sizes, grad_output._data.dtype)
    key = [slice(None)] * len(input_sizes)
    key[dim] = index
    out[tuple(key)] = grad_output._data
    return SELECT_BACKWARD.record(out, grad_output=grad_output, dim=dim, index=index)


def slice_backward(grad_output, input_sizes, dim, start, end, step):
    out = np.zeros(input_sizes, grad_output._data.dtype)
    key = [slice(None)] * len(input_sizes)
    key[dim] = slice(start, end, step)
    out[tuple(key)] = grad_output._data
    return SLICE_BACKWARD.record(out, grad_output=grad_output, dim=dim, start=start, end=end, step=step)
