"""dtype objects and torch's type-promotion rules."""
from __future__ import annotations

import builtins as _py

import numpy as np


class dtype:
    """A tensor element type; prints like ``torch.float32``."""

    __slots__ = ("name", "numpy", "is_floating_point", "is_signed", "itemsize", "_category", "_legacy_name")

    def __init__(self, name, numpy_type, category, legacy_name):
        self.name = name
        self.numpy = np.dtype(numpy_type)
        self._category = category  # 0 bool, 1 integer, 2 floating
        self.is_floating_point = category == 2
        self.is_signed = name not in ("bool", "uint8")
        self.itemsize = self.numpy.itemsize
        self._legacy_name = legacy_name

    @property
    def is_complex(self):
        return False

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):
        return self.name


bool = dtype("bool", np.bool_, 0, "Bool")  # noqa: A001 - torch's name
uint8 = dtype("uint8", np.uint8, 1, "Byte")
int8 = dtype("int8", np.int8, 1, "Char")
int16 = dtype("int16", np.int16, 1, "Short")
int32 = dtype("int32", np.int32, 1, "Int")
int64 = dtype("int64", np.int64, 1, "Long")
float16 = dtype("float16", np.float16, 2, "Half")
float32 = dtype("float32", np.float32, 2, "Float")
float64 = dtype("float64", np.float64, 2, "Double")

short, int, long = int16, int32, int64  # noqa: A001
half, float, double = float16, float32, float64  # noqa: A001

ALL = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NUMPY = {d.numpy: d for d in ALL}

_default = [float32]


def from_numpy(np_dtype) -> dtype:
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type {np_dtype}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool."
        ) from None


def get_default_dtype() -> dtype:
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def legacy_type_name(d: dtype) -> str:
    """The name torch uses in saved-tensor messages, e.g. ``torch.FloatTensor``."""
    return f"torch.{d._legacy_name}Tensor"


def scalar_type_name(d: dtype) -> str:
    """c10's ScalarType name, e.g. ``Float`` or ``Long``."""
    return d._legacy_name


# promote_types: same categories as c10's table for the dtypes above.
def promote_types(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    if a._category != b._category:
        return a if a._category > b._category else b
    if a._category == 1:
        if a is uint8 or b is uint8:  # uint8 with a signed type needs the next wider signed type
            other = b if a is uint8 else a
            return int16 if other is int8 else other
    return a if a.itemsize >= b.itemsize else b


def _combine_categories(higher, lower):
    if higher is None:
        return lower
    if higher.is_floating_point:
        return higher
    if lower is not None and (higher is bool or lower.is_floating_point):
        return promote_types(higher, lower)
    return higher


def result_type(*operands) -> dtype:
    """torch.result_type over tensors and Python scalars (dimensioned > zero-dim > scalar)."""
    dim_result = zero_result = wrapped_result = None
    for op in operands:
        if hasattr(op, "_data"):
            d = from_numpy(op._data.dtype)
            if op._data.ndim:
                dim_result = d if dim_result is None else promote_types(dim_result, d)
            else:
                zero_result = d if zero_result is None else promote_types(zero_result, d)
        elif op is not None:
            d = scalar_dtype(op)
            wrapped_result = d if wrapped_result is None else promote_types(wrapped_result, d)
    return _combine_categories(dim_result, _combine_categories(zero_result, wrapped_result))


def scalar_dtype(value) -> dtype:
    """The dtype a Python number takes part in promotion as."""
    if isinstance(value, (_py.bool, np.bool_)):
        return bool
    if isinstance(value, (_py.int, np.integer)):
        return int64
    if isinstance(value, (_py.float, np.floating)):
        return _default[0]
    raise TypeError(f"unsupported scalar type {type(value).__name__}")

