"""TensorMath's primitives: the same names as ArrayMath, built from differentiable ops.

Each mirrors the ATen call torch's backward formula makes, so a create_graph
backward builds the nodes torch builds (e.g. ``mul_scalar`` -> MulBackward1,
``select_backward`` -> SelectBackwardBackward0).
"""
from __future__ import annotations

import numpy as np

from .. import _dtypes
from .._tensor import Tensor
from ..autograd._view_inplace import replay_array
from . import activation, indexing, linalg, pointwise, reduction, shape
from .pointwise import ADD_SCALAR, DIV_SCALAR, MUL_SCALAR, SUB_SCALAR

_make = Tensor._make

# Ops used as they are.
tanh_backward = activation.tanh_backward
sigmoid_backward = activation.sigmoid_backward
threshold_backward = activation.threshold_backward
exp, log, sqrt, sin, cos, sgn = pointwise.exp, pointwise.log, pointwise.sqrt, pointwise.sin, pointwise.cos, pointwise.sgn
pow = pointwise.pow  # noqa: A001 - the name formulas use
isnan = pointwise.isnan
mm, mv, bmm = linalg.mm, linalg.mv, linalg.bmm
t, transpose, permute = shape.t, shape.transpose, shape.permute
unsqueeze, squeeze, select, narrow, slice = shape.unsqueeze, shape.squeeze, shape.select, shape.narrow, shape._slice  # noqa: A001
stack, cat, clone, expand, reshape = shape.stack, shape.cat, shape.clone, shape.expand, shape.reshape
select_backward, slice_backward = indexing.select_backward, indexing.slice_backward
gather, masked_fill, masked_fill_ = indexing.gather, indexing.masked_fill, indexing.masked_fill_
index_fill = indexing.index_fill


def add(a, b):
    return a + b


def mul_scalar(a, scalar):
    """at::mul(Tensor, Scalar): MulBackward1, not the MulBackward0 that Python's * gives."""
    return MUL_SCALAR.record(a._data * a._data.dtype.type(scalar), self=a, other=scalar)


def div_scalar(a, scalar):
    return DIV_SCALAR.record(a._data / a._data.dtype.type(scalar), self=a, other=scalar)


def div_by_count(a, count):
    """torch's ``grad / mask.sum()``: a division by an integer tensor, so DivBackward0 (not 1)."""
    return pointwise.div(a, _make(np.asarray(count, np.int64)))


def add_scalar(a, scalar):
    return ADD_SCALAR.record(a._data + a._data.dtype.type(scalar), self=a)


def sub_scalar(a, scalar):
    return SUB_SCALAR.record(a._data - a._data.dtype.type(scalar), self=a)


def zeros(shape_, dtype):
    return _make(np.zeros(shape_, dtype))


def materialized_zeros(shape_, dtype):
    t_ = zeros(shape_, dtype)
    t_._bump_version()  # made by an in-place fill, as torch does
    return t_


def zeros_like(a):
    return _make(np.zeros_like(a._data))


def _data(value):
    return value._data if isinstance(value, Tensor) else value


def where(condition, a, b):
    return pointwise.where(condition, a, b)


def where_zero(condition, values):
    return where(condition, values, zeros((), values._data.dtype))


def where_zero_else(condition, values):
    return where(condition, zeros((), values._data.dtype), values)


def masked_fill_zero_(values, mask):
    return masked_fill_(values, mask, 0)


def logical_and(a, b):
    return _make(np.logical_and(_data(a), _data(b)))


def logical_or(a, b):
    return _make(np.logical_or(_data(a), _data(b)))


def logical_not(a):
    return _make(np.logical_not(_data(a)))


def sum(a, dims, keepdim=False):  # noqa: A001
    return reduction.sum(a) if dims is None else reduction.sum(a, dims, keepdim)


def sum_to(grad, shape_):
    """at::sum_to: one sum over the leading dims and the dims that were 1 (keepdim), then a view."""
    shape_ = tuple(shape_)
    if not shape_:  # torch: to a 0-d shape, always tensor.sum() (a new SumBackward0, even from 0-d)
        return reduction.sum(grad)
    if tuple(grad._data.shape) == shape_:
        return grad
    lead = grad.dim() - len(shape_)
    dims = tuple(range(lead)) + tuple(lead + i for i, size in enumerate(shape_)
                                      if size == 1 and grad._data.shape[lead + i] != 1)
    if dims:
        grad = reduction.sum(grad, dims, keepdim=True)
    return shape.view(grad, shape_) if lead else grad


def cast(grad, dtype):
    return shape.to(grad, _dtypes.from_numpy(np.dtype(dtype)))


def index(grad, key):
    return shape.INDEX.record(grad._data[key], self=grad, self_sym_sizes=grad._data.shape, indices=key)


def index_put(base, key, values, accumulate):
    return indexing.index_put_(base, key, values, accumulate)


def index_backward(grad, sizes, key):
    """zeros(sizes)._index_put_impl_(indices, grad, accumulate=True): IndexPutImplBackward0."""
    return indexing.index_put_impl_(zeros(sizes, grad._data.dtype), key, grad, accumulate=True)


def scatter_into_zeros(grad, sizes, dim, indices):
    """grad.new_zeros(sizes).scatter_(dim, indices, grad): ScatterBackward0; two in-place writes (version 2),
    as ArrayMath.scatter_into_zeros counts them."""
    return indexing.scatter_(materialized_zeros(sizes, grad._data.dtype), dim, indices, grad)


def scatter_add_into_zeros(grad, sizes, dim, indices):
    return indexing.scatter_add_(zeros(sizes, grad._data.dtype), dim, indices, grad)


def scatter_value(grad, dim, indices, value):
    return indexing.scatter(grad, dim, indices, value)


def masked_fill_zeros(value, sizes, mask):
    """grad.new_zeros(sizes).masked_fill_(mask, value): MaskedFillBackward1."""
    return masked_fill_(zeros(sizes, value._data.dtype), mask, value)


def sgn_backward(grad, self, result):
    return zeros_like(grad)


def accumulate_into(variable, grad) -> None:
    """AccumulateGrad under create_graph: a differentiable copy first, then out-of-place sums."""
    old = variable._grad
    if old is None:
        variable._grad = shape.copy_(_make(np.empty_like(grad._data)), grad)
    else:
        variable._grad = old + grad


def as_strided_backward(grad, base_shape, chain):
    """The base-shaped gradient of a regenerated view: the view's elements, summed where they overlap."""
    size = int(np.prod(base_shape))
    flat = replay_array(np.arange(size).reshape(base_shape), chain).reshape(-1)
    values = shape.reshape(grad, (-1,)) if grad.dim() else shape.reshape(grad, (1,))
    out = indexing.index_put_(zeros((size,), grad._data.dtype), (flat,), values, accumulate=True)
    return shape.reshape(out, base_shape)
