"""TensorMath's primitives: the same names as ArrayMath, built from differentiable ops.

Each mirrors the ATen call torch's backward formula makes, so a create_graph
backward builds the nodes torch builds (e.g. ``mul_scalar`` -> MulBackward1).
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import activation, linalg, pointwise, reduction, shape
from ._derivative import Derivative
from .pointwise import ADD, DIV_SCALAR, MUL_SCALAR, ADD_SCALAR

_make = Tensor._make

tanh_backward = activation.tanh_backward
sigmoid_backward = activation.sigmoid_backward
threshold_backward = activation.threshold_backward
exp, log, sqrt, sin, cos = pointwise.exp, pointwise.log, pointwise.sqrt, pointwise.sin, pointwise.cos
sign = pointwise.sign
pow = pointwise.pow  # noqa: A001
isnan = pointwise.isnan
mm, mv, bmm, outer = linalg.mm, linalg.mv, linalg.bmm, linalg.outer
t, transpose, permute = shape.t, shape.transpose, shape.permute
unsqueeze, squeeze, select, narrow = shape.unsqueeze, shape.squeeze, shape.select, shape.narrow
stack, cat, clone = shape.stack, shape.cat, shape.clone
index_put = shape.index_put_


def add(a, b):
    return a + b


def mul_scalar(a, scalar):
    """at::mul(Tensor, Scalar): MulBackward1, not the MulBackward0 that Python's * gives."""
    return MUL_SCALAR.record(a._data * a._data.dtype.type(scalar), self=a, other=scalar)


def div_scalar(a, scalar):
    return DIV_SCALAR.record(a._data / a._data.dtype.type(scalar), self=a, other=scalar)


def add_scalar(a, scalar):
    return ADD_SCALAR.record(a._data + a._data.dtype.type(scalar), self=a)


def zeros(shape_, dtype):
    return _make(np.zeros(shape_, dtype))


def zeros_like(a):
    return _make(np.zeros_like(a._data))


def where(condition, a, b):
    return WHERE.record(np.where(_data(condition), _data(a), _data(b)), condition=condition, self=a, other=b)


def where_zero(condition, values):
    return where(condition, values, zeros((), values._data.dtype))


def _data(value):
    return value._data if isinstance(value, Tensor) else value


WHERE = Derivative("WhereBackward0",
                   self=lambda F, grad, condition: F.where(condition, grad, F.zeros((), F.dtype_of(grad))),
                   other=lambda F, grad, condition: F.where(condition, F.zeros((), F.dtype_of(grad)), grad))


def logical_and(a, b):
    return _make(np.logical_and(a._data, b._data))


def expand(a, shape_):
    return shape.expand(a, shape_)


def reshape(a, shape_):
    return shape.reshape(a, shape_)


def sum(a, dims, keepdim=False):  # noqa: A001
    return reduction.sum(a) if dims is None else reduction.sum(a, dims, keepdim)


def sum_to(grad, shape_):
    """at::sum_to: sum leading dims away, then dims that were 1, keeping them."""
    if tuple(grad._data.shape) == tuple(shape_):
        return grad
    lead = grad.dim() - len(shape_)
    if lead:
        grad = reduction.sum(grad, tuple(range(lead)))
    dims = tuple(i for i, size in enumerate(shape_) if size == 1 and grad._data.shape[i] != 1)
    if dims:
        grad = reduction.sum(grad, dims, keepdim=True)
    return grad


def cast(grad, dtype):
    from .. import _dtypes

    return shape.to(grad, _dtypes.from_numpy(np.dtype(dtype)))


def select_backward(grad, sizes, dim, index):
    out = zeros(sizes, grad._data.dtype)
    shape.select(out, dim, index).copy_(grad)
    return out


def slice_backward(grad, sizes, dim, start, end, step):
    out = zeros(sizes, grad._data.dtype)
    shape._slice(out, dim, start, end, step).copy_(grad)
    return out


def index_backward(grad, sizes, indices):
    return shape.index_put_(zeros(sizes, grad._data.dtype), indices, grad, accumulate=True)


def index(grad, indices):
    return shape.INDEX.record(grad._data[indices], self=grad, self_sym_sizes=grad._data.shape, indices=indices)


def scatter_into_zeros(grad, sizes, dim, indices):
    key = np.indices(indices._data.shape, sparse=True)
    key = tuple(indices._data if axis == dim else k for axis, k in enumerate(key))
    return shape.index_put_(zeros(sizes, grad._data.dtype), key, grad)


def masked_fill_zeros(value, sizes, mask):
    mask_data = mask._data if isinstance(mask, Tensor) else mask
    out = zeros(sizes, value._data.dtype)
    return shape.index_put_(out, (mask_data,), value.expand(int(mask_data.sum())))


def accumulate_into(variable, grad) -> None:
    """AccumulateGrad under create_graph: a differentiable copy first, then out-of-place sums."""
    old = variable._grad
    if old is None:
        fresh = _make(np.empty_like(grad._data))
        variable._grad = shape.copy_(fresh, grad)
    else:
        variable._grad = ADD.record(old._data + grad._data, self=old, other=grad, alpha=1) \
            if isinstance(old, Tensor) else old + grad


def as_strided_backward(grad, base_shape, chain):
    from ..autograd._view_inplace import replay_array

    flat = replay_array(np.arange(int(np.prod(base_shape))).reshape(base_shape), chain).reshape(-1)
    out = zeros((int(np.prod(base_shape)),), grad._data.dtype)
    out = shape.index_put_(out, (flat,), shape.reshape(grad, (-1,)) if grad.dim() else grad, accumulate=True)
    return shape.reshape(out, base_shape)
