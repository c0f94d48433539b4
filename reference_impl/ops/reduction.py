"""Reductions: sum, mean, max, min (whole tensor or along dims) and arg-reductions."""
from __future__ import annotations

import numpy as np

from .. import _behaviour, _dtypes, return_types
from .._tensor import Tensor, wrap_dim
from ._common import dims_arg, export
from ._derivative import Derivative

_make = Tensor._make


# ----------------------------------------------------------------- backward helpers
def unsqueeze_multiple(F, grad, dims, ndim):
    for dim in sorted(dims):
        grad = F.unsqueeze(grad, dim)
    return grad


def sum_backward(F, grad, sizes, dims, keepdim):
    if not keepdim and sizes and dims:
        grad = unsqueeze_multiple(F, grad, dims, len(sizes))
    return F.expand(grad, sizes)


def evenly_distribute_backward(F, grad, self, result):
    """Ties share the gradient equally (torch's formula for max()/min() over all elements)."""
    mask = F.isnan(self) if F.isnan(result).any() else self == result
    count = int(mask.sum())
    return F.masked_fill_zeros(F.div_by_count(grad, count), self.shape, mask)


def value_selecting_reduction_backward(F, grad, dim, indices, sizes, keepdim):
    if not keepdim and sizes:  # a 0-d input: grad and indices are 0-d already
        grad, indices = F.unsqueeze(grad, dim), F.unsqueeze(indices, dim)
    return F.scatter_into_zeros(grad, sizes, dim, indices)


SUM = Derivative("SumBackward0", self=lambda F, grad, self_sym_sizes: F.expand(grad, self_sym_sizes))
SUM_DIM = Derivative("SumBackward1", self=lambda F, grad, self_sym_sizes, dim, keepdim:
                     sum_backward(F, grad, self_sym_sizes, dim, keepdim))
MEAN = Derivative("MeanBackward0", self=lambda F, grad, self_sym_sizes, self_sym_numel:
                  F.div_scalar(F.expand(grad, self_sym_sizes), self_sym_numel))
# torch 2.0 and 2.1 saved the input itself for mean() (a second backward then raises): _behaviour "ops.mean.saves_self".
MEAN_SAVING_SELF = Derivative("MeanBackward0", self=lambda F, grad, self:
                              F.div_scalar(F.expand(grad, tuple(self.shape)), int(np.prod(self.shape))))
MEAN_DIM = Derivative("MeanBackward1", self=lambda F, grad, self_sym_sizes, dim, keepdim, reduced_numel:
                      F.div_scalar(sum_backward(F, grad, self_sym_sizes, dim, keepdim), reduced_numel))
MAX = Derivative("MaxBackward1", self=lambda F, grad, self, result: evenly_distribute_backward(F, grad, self, result))
MIN = Derivative("MinBackward1", self=lambda F, grad, self, result: evenly_distribute_backward(F, grad, self, result))
MAX_DIM = Derivative("MaxBackward0", releases=("indices",), self=lambda F, grad, dim, indices, self_sym_sizes, keepdim:
                     value_selecting_reduction_backward(F, grad, dim, indices, self_sym_sizes, keepdim))
MIN_DIM = Derivative("MinBackward0", releases=("indices",), self=lambda F, grad, dim, indices, self_sym_sizes, keepdim:
                     value_selecting_reduction_backward(F, grad, dim, indices, self_sym_sizes, keepdim))


# ----------------------------------------------------------------- forwards
def _sum_dtype(input, dtype):
    if dtype is not None:
        return dtype.numpy
    kind = input._data.dtype.kind
    return np.dtype(np.int64) if kind in "biu" else input._data.dtype


@export("sum")
def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001 - torch's name
    data = input._data.astype(_sum_dtype(input, dtype), copy=False)
    if dim is None:
        return SUM.record(np.asarray(data.sum()), self=input, self_sym_sizes=input._data.shape)
    dims = dims_arg(dim, input._data.ndim)
    out = data.sum(axis=dims if data.ndim else (), keepdims=keepdim)  # a 0-d tensor takes dim 0 or -1
    return SUM_DIM.record(out, self=input, self_sym_sizes=input._data.shape, dim=dims, keepdim=keepdim)


def _mean_dtype(input, dtype):
    if dtype is not None:
        return dtype.numpy
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
            f"Got: {_dtypes.scalar_type_name(input.dtype)}")
    return input._data.dtype


@export("mean")
def mean(input, dim=None, keepdim=False, *, dtype=None):
    data = input._data.astype(_mean_dtype(input, dtype), copy=False)
    if dim is None:
        if _behaviour.value("ops.mean.saves_self"):
            return MEAN_SAVING_SELF.record(np.asarray(_mean_array(data, None, False)), self=input)
        return MEAN.record(np.asarray(_mean_array(data, None, False)), self=input, self_sym_sizes=data.shape,
                           self_sym_numel=data.size)
    dims = dims_arg(dim, data.ndim)
    reduced = int(np.prod([data.shape[d] for d in dims])) if data.ndim else 1
    out = _mean_array(data, dims if data.ndim else (), keepdim)
    return MEAN_DIM.record(out, self=input, self_sym_sizes=data.shape, dim=dims, keepdim=keepdim,
                           reduced_numel=reduced)


def _mean_array(data, axis, keepdims):
    """NumPy's mean, except over nothing: nan, silently, as torch (NumPy warns 'Mean of empty slice')."""
    counted = data.size if axis is None else int(np.prod([data.shape[d] for d in axis]))
    if counted == 0 and data.size == 0:
        return np.full(np.sum(data, axis=axis, keepdims=keepdims).shape, np.nan, data.dtype)
    return data.mean(axis=axis, keepdims=keepdims, dtype=data.dtype)


def _extreme(input, dim, keepdim, name, whole, along, array_fn, arg_fn, result_type):
    data = input._data
    if dim is None:
        if data.size == 0:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument.")
        return whole.record(np.asarray(array_fn(data)), self=input)
    d = wrap_dim(dim, data.ndim)
    if data.ndim == 0:
        indices = np.zeros((), np.int64)
        values = data.copy()
    else:
        indices = arg_fn(data, axis=d, keepdims=True)
        values = np.take_along_axis(data, indices, axis=d)
        if not keepdim:
            indices, values = indices.squeeze(d), values.squeeze(d)
    indices_tensor = _make(indices.astype(np.int64))
    values_tensor = along.record(values, self=input, dim=d, indices=indices_tensor, self_sym_sizes=data.shape,
                                 keepdim=keepdim)
    return result_type((values_tensor, indices_tensor))


@export("max")
def max(input, dim=None, keepdim=False):  # noqa: A001 - torch's name
    if isinstance(dim, Tensor):
        from .pointwise import maximum

        return maximum(input, dim)
    return _extreme(input, dim, keepdim, "max", MAX, MAX_DIM, np.max, _nan_argmax, return_types.max)


@export("min")
def min(input, dim=None, keepdim=False):  # noqa: A001 - torch's name
    if isinstance(dim, Tensor):
        from .pointwise import minimum

        return minimum(input, dim)
    return _extreme(input, dim, keepdim, "min", MIN, MIN_DIM, np.min, _nan_argmin, return_types.min)


def _nan_first_arg(pick, data, axis, keepdims):
    """np.argmax/np.argmin along axis where a NaN counts as the extreme (the first NaN wins), as in torch."""
    index = pick(data, axis=axis, keepdims=True)
    if data.dtype.kind == "f":
        nan = np.isnan(data)
        if nan.any():
            index = np.where(nan.any(axis=axis, keepdims=True), np.argmax(nan, axis=axis, keepdims=True), index)
    return index if keepdims else np.squeeze(index, axis=axis)


def _nan_argmax(data, axis, keepdims):
    return _nan_first_arg(np.argmax, data, axis, keepdims)


def _nan_argmin(data, axis, keepdims):
    return _nan_first_arg(np.argmin, data, axis, keepdims)


def _arg_reduction(pick, input, dim, keepdim):
    if dim is None:
        return _make(np.asarray(pick(input._data.reshape(-1), 0, False), np.int64))
    return _make(np.asarray(pick(input._data, wrap_dim(dim, input._data.ndim), keepdim), np.int64))


@export("argmax")
def argmax(input, dim=None, keepdim=False):
    return _arg_reduction(_nan_argmax, input, dim, keepdim)


@export("argmin")
def argmin(input, dim=None, keepdim=False):
    return _arg_reduction(_nan_argmin, input, dim, keepdim)


@export("any")
def any(input, dim=None, keepdim=False):  # noqa: A001
    axis = None if dim is None else wrap_dim(dim, input._data.ndim)
    return _make(np.asarray(np.any(input._data, axis=axis, keepdims=keepdim if axis is not None else False)))


@export("all")
def all(input, dim=None, keepdim=False):  # noqa: A001
    axis = None if dim is None else wrap_dim(dim, input._data.ndim)
    return _make(np.asarray(np.all(input._data, axis=axis, keepdims=keepdim if axis is not None else False)))
