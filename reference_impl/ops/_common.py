"""Helpers shared by op families: operands, promotion, broadcasting, dims, export."""
from __future__ import annotations

import numbers
import sys
import warnings

import numpy as np

from .. import _dtypes, _messages
from .._tensor import Tensor, wrap_dim

FUNCTIONS: dict = {}  # public function name -> callable (reference_impl.<name>)
METHODS: dict = {}  # Tensor attribute name -> callable


def export(*names, function: bool = True, method: bool = True):
    """Publish an op as ``reference_impl.<name>`` and/or ``Tensor.<name>``."""

    def register(fn):
        for name in names or (fn.__name__,):
            if function:
                FUNCTIONS[name] = fn
            if method:
                METHODS[name] = fn
        return fn

    return register


OVERLAP_ERROR = ("unsupported operation: more than one element of the written-to tensor refers to a single memory "
                 "location. Please clone() the tensor before performing the operation.")


PARTIAL_OVERLAP_ERROR = ("unsupported operation: some elements of the input tensor and the written-to tensor refer "
                         "to a single memory location. Please clone() the tensor before performing the operation.")


def check_no_partial_overlap(out, operand) -> None:
    """torch's assert_no_partial_overlap for an in-place op: the operand may be the target itself (x.mul_(x))
    but not share only some of its memory (x.mul_(x[0]), a view of another part)."""
    if out.size == 0 or operand.size == 0 or not np.may_share_memory(out, operand):
        return
    same = out.__array_interface__["data"][0] == operand.__array_interface__["data"][0] and \
        out.shape == operand.shape and out.strides == operand.strides
    if not same and np.shares_memory(out, operand):
        raise RuntimeError(PARTIAL_OVERLAP_ERROR)


def warn_at_caller(message: str, category=UserWarning):
    """Warn at the first frame outside reference_impl: torch's C++ warnings point at the Python line that
    called into torch, however deep inside the op they are raised."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_globals.get("__name__", "").startswith("reference_impl"):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def overlaps_itself(data) -> bool:
    """torch's has_internal_overlap for a strided array: a dim of size > 1 with stride 0 (an expand)."""
    return bool(data.size) and any(size > 1 and stride == 0 for size, stride in zip(data.shape, data.strides))


def writable(data, check_overlap: bool = True):
    """The array an in-place op writes into. torch refuses a target whose elements share memory (an
    expanded tensor: a dim of size > 1 with stride 0), except in fill_/zero_ (``check_overlap=False``).
    NumPy marks every broadcast read-only, also one without shared elements: that gets a writable alias."""
    if data.flags.writeable:
        return data
    if check_overlap and overlaps_itself(data):
        raise RuntimeError(OVERLAP_ERROR)
    alias = data.view()
    alias.flags.writeable = True  # the memory behind a broadcast of a tensor's array is writable
    return alias


def tensor_method(*names):
    return export(*names, function=False)


def is_number(value) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, Tensor)


def check_operand(value, op_name: str):
    cls = value.__class__
    if cls is Tensor or cls is float or cls is int or isinstance(value, Tensor) or is_number(value):
        return value
    raise TypeError(f"{op_name}(): argument 'other' (position 1) must be Tensor, not {type(value).__name__}")


def promote(a, b, *, int_to_float: bool = False):
    """torch's result dtype for a binary op over tensors and Python numbers."""
    a_tensor, b_tensor = isinstance(a, Tensor), isinstance(b, Tensor)
    if a_tensor and b_tensor and a._data.dtype is b._data.dtype:
        dtype = _dtypes.from_numpy(a._data.dtype)  # the common case, without the full rules
    elif a_tensor and not b_tensor and a._data.dtype.kind == "f" and isinstance(b, (int, float)) \
            and not isinstance(b, bool):
        dtype = _dtypes.from_numpy(a._data.dtype)
    else:
        dtype = _dtypes.result_type(a, b)
    if int_to_float and not dtype.is_floating_point:
        dtype = _dtypes.get_default_dtype()
    return dtype


def as_array(value, np_dtype):
    """The operand as an array (tensor) or NumPy scalar (number) of the computation dtype."""
    if isinstance(value, Tensor):
        data = value._data
        return data if data.dtype is np_dtype or data.dtype == np_dtype else data.astype(np_dtype)
    return np_dtype.type(value)


def broadcast_shapes(a: tuple, b: tuple) -> tuple:
    """Broadcast two shapes with torch's error text."""
    if a == b:
        return a
    ndim = max(len(a), len(b))
    out = []
    for i in range(-ndim, 0):
        x = a[i] if -i <= len(a) else 1
        y = b[i] if -i <= len(b) else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(_messages.BROADCAST.format(a=x, b=y, dim=i + ndim))
        out.append(y if x == 1 else x)
    return tuple(out)


_NUMPY_WEAK_SCALARS = int(np.__version__.split(".")[0]) >= 2  # NEP 50: Python scalars keep the array's dtype


def binary_arrays(a, b, *, int_to_float: bool = False):
    """Both operands as arrays of the promoted dtype, after checking they broadcast."""
    if a.__class__ is Tensor:  # fast paths: float tensor with a Python number, or two same-dtype tensors
        x = a._data
        kind = x.dtype.kind
        cls = b.__class__
        if kind == "f" and (cls is float or cls is int):
            return x, (b if _NUMPY_WEAK_SCALARS else x.dtype.type(b))
        if cls is Tensor:
            y = b._data
            if x.dtype is y.dtype and x.shape == y.shape and (kind == "f" or not int_to_float):
                return x, y
    dtype = promote(a, b, int_to_float=int_to_float)
    np_dtype = dtype.numpy
    x, y = as_array(a, np_dtype), as_array(b, np_dtype)
    if isinstance(a, Tensor) and isinstance(b, Tensor) and x.shape != y.shape:
        broadcast_shapes(x.shape, y.shape)
    return x, y


def dims_arg(dim, ndim: int) -> tuple:
    """Normalise dim (int, sequence or None=all) to a sorted tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        return (wrap_dim(int(dim), ndim),)
    dims = tuple(wrap_dim(int(d), ndim) for d in dim)
    if not dims:
        return tuple(range(ndim))
    return tuple(sorted(dims))


def shape_arg(args) -> tuple:
    """Accept f(2, 3), f((2, 3)), f([2, 3]) or f(torch.Size) like torch."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    return tuple(int(s) for s in args)
