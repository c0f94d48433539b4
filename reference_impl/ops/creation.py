"""Creation ops: tensor(), factories (ones, zeros, full, arange, empty, eye, linspace),
random tensors with their own generator, *_like variants and from_numpy."""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from .. import _behaviour, _dtypes, _messages
from .._tensor import Tensor
from ._common import export, shape_arg

_make = Tensor._make


def _finish(data, requires_grad):
    """Wrap a fresh array as a leaf, applying requires_grad with the factories' error text."""
    t = _make(data)
    if requires_grad:
        if data.dtype.kind not in "fc":
            raise RuntimeError(_messages.FACTORY_REQUIRES_GRAD_DTYPE)
        t._requires_grad = True
    return t


def _np_dtype(dtype, default):
    return (dtype or default).numpy


# ----------------------------------------------------------------- tensor(data)
def _infer_layout(data):
    """Shape and element dtype of nested sequences of numbers, with torch's errors (iteratively)."""
    shape = []
    probe = data
    while isinstance(probe, (list, tuple)):
        shape.append(len(probe))
        if not probe:
            break
        probe = probe[0]
    has_float = has_int = has_bool = False
    stack = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if depth < len(shape):
            if not isinstance(item, (list, tuple)) or len(item) != shape[depth]:
                got = len(item) if isinstance(item, (list, tuple)) else None
                if got is None:
                    raise ValueError(f"expected sequence of length {shape[depth]} at dim {depth} (got "
                                     f"{type(item).__name__})" if depth else "could not determine the shape")
                raise ValueError(f"expected sequence of length {shape[depth]} at dim {depth} (got {got})")
            stack.extend((child, depth + 1) for child in item)
            continue
        if isinstance(item, Tensor):
            if item._data.size != 1:
                raise ValueError(_messages.SCALAR_CONVERSION)
            kind = item._data.dtype.kind
            has_float |= kind == "f"
            has_bool |= kind == "b"
            has_int |= kind in "iu"
        elif isinstance(item, (bool, np.bool_)):
            has_bool = True
        elif isinstance(item, (numbers.Integral, np.integer)):
            has_int = True
        elif isinstance(item, (numbers.Real, np.floating)):
            has_float = True
        elif isinstance(item, (list, tuple)):
            raise ValueError(f"expected sequence of length {shape[depth - 1] if depth else 0} at dim {depth}")
        else:
            raise TypeError(f"new(): invalid data type '{type(item).__name__}'")
    if has_float:
        return tuple(shape), _dtypes.get_default_dtype()
    if has_int:
        return tuple(shape), _dtypes.int64
    if has_bool:
        return tuple(shape), _dtypes.bool
    return tuple(shape), _dtypes.get_default_dtype()


def _flat_values(data):
    if isinstance(data, Tensor):
        return data._data.reshape(()).item()
    if isinstance(data, (list, tuple)):
        return [_flat_values(item) for item in data]
    return data


@export("tensor", method=False)
def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    if isinstance(data, Tensor):
        warnings.warn(_behaviour.value("tensor.copy_construct_warning"), UserWarning, stacklevel=2)
        array = np.array(data._data, dtype=_np_dtype(dtype, data.dtype), copy=True)
    elif isinstance(data, np.ndarray):
        array = np.array(data, dtype=None if dtype is None else dtype.numpy, copy=True)
        _dtypes.from_numpy(array.dtype)
    elif isinstance(data, (numbers.Number, np.generic)) and not isinstance(data, (list, tuple)):
        _, inferred = _infer_layout(data)
        array = np.array(data, dtype=_np_dtype(dtype, inferred))
    elif isinstance(data, (list, tuple)):
        shape, inferred = _infer_layout(data)
        array = np.array(_flat_values(data), dtype=_np_dtype(dtype, inferred)).reshape(shape)
    else:
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    return _finish(array, requires_grad)


@export("as_tensor", method=False)
def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor) and (dtype is None or data.dtype is dtype):
        return data
    if isinstance(data, Tensor):  # a conversion, no copy-construct warning
        return data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtype.numpy):
        return from_numpy(data)
    return tensor(data, dtype=dtype)


@export("from_numpy", method=False)
def from_numpy(array):
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    _dtypes.from_numpy(array.dtype)
    return _make(array)


def legacy_tensor(cls, *args, **kwargs):
    """``torch.Tensor(...)``: data in the default dtype, or uninitialised sizes."""
    if kwargs:
        raise TypeError("new() received an invalid combination of arguments")
    if not args:
        return _make(np.zeros((0,), _dtypes.get_default_dtype().numpy))
    if len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray, Tensor)):
        return tensor(args[0], dtype=_dtypes.get_default_dtype())
    return empty(*args)


# ----------------------------------------------------------------- factories
def _size(args):
    size = shape_arg(args)
    for s in size:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: [{', '.join(map(str, size))}]")
    return size


def _factory(fill):
    def factory(*size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False, out=None):
        shape = _size(size)
        return _finish(fill(shape, _np_dtype(dtype, _dtypes.get_default_dtype())), requires_grad)

    return factory


ones = export("ones", method=False)(_factory(np.ones))
zeros = export("zeros", method=False)(_factory(np.zeros))
empty = export("empty", method=False)(_factory(np.zeros))  # "uninitialised": zeros make runs reproducible


@export("full", method=False)
def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    shape = _size((size,))
    inferred = _dtypes.scalar_dtype(fill_value) if not isinstance(fill_value, Tensor) else fill_value.dtype
    value = fill_value._data.item() if isinstance(fill_value, Tensor) else fill_value
    return _finish(np.full(shape, value, _np_dtype(dtype, inferred)), requires_grad)


@export("arange", method=False)
def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if values[2] == 0:
        raise RuntimeError("step must be nonzero")
    inferred = _dtypes.get_default_dtype() if any(isinstance(v, float) for v in values) else _dtypes.int64
    count = int(np.ceil((values[1] - values[0]) / values[2]))
    if count < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    data = (values[0] + np.arange(count, dtype=np.float64 if inferred.is_floating_point else np.int64) * values[2])
    return _finish(data.astype(_np_dtype(dtype, inferred)), requires_grad)


@export("linspace", method=False)
def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    data = np.linspace(start, end, steps, dtype=np.float64)
    return _finish(data.astype(_np_dtype(dtype, _dtypes.get_default_dtype())), requires_grad)


@export("eye", method=False)
def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    return _finish(np.eye(n, m, dtype=_np_dtype(dtype, _dtypes.get_default_dtype())), requires_grad)


def _like(fill):
    def like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None, layout=None):
        return _finish(fill(input._data.shape, _np_dtype(dtype, input.dtype)), requires_grad)

    return like


zeros_like = export("zeros_like", method=False)(_like(np.zeros))
ones_like = export("ones_like", method=False)(_like(np.ones))
empty_like = export("empty_like", method=False)(_like(np.zeros))


@export("full_like", method=False)
def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _finish(np.full(input._data.shape, fill_value, _np_dtype(dtype, input.dtype)), requires_grad)


# ----------------------------------------------------------------- random
class Generator:
    """This package's own random stream (values differ from torch's, by design)."""

    def __init__(self, device="cpu") -> None:
        self._seed = 67280421310721
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int):
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        return self.manual_seed(np.random.SeedSequence().entropy % 2**63).initial_seed()


default_generator = Generator()


@export("manual_seed", method=False)
def manual_seed(seed):
    return default_generator.manual_seed(seed)


@export("initial_seed", method=False)
def initial_seed():
    return default_generator.initial_seed()


@export("seed", method=False)
def seed():
    return default_generator.seed()


def _random(draw):
    def factory(*size, dtype=None, generator=None, device=None, requires_grad=False, layout=None,
                pin_memory=False, out=None):
        dtype = dtype or _dtypes.get_default_dtype()
        if not dtype.is_floating_point:
            raise RuntimeError(f"\"check_uniform_bounds\" not implemented for '{_dtypes.scalar_type_name(dtype)}'")
        rng = (generator or default_generator)._rng
        return _finish(draw(rng, _size(size)).astype(dtype.numpy), requires_grad)

    return factory


rand = export("rand", method=False)(_random(lambda rng, shape: rng.random(shape)))
randn = export("randn", method=False)(_random(lambda rng, shape: rng.standard_normal(shape)))


@export("rand_like", method=False)
def rand_like(input, *, dtype=None, requires_grad=False):
    return rand(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


@export("randn_like", method=False)
def randn_like(input, *, dtype=None, requires_grad=False):
    return randn(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


@export("randint", method=False)
def randint(low, high=None, size=None, *, dtype=None, generator=None, requires_grad=False):
    if size is None:
        low, high, size = 0, low, high
    rng = (generator or default_generator)._rng
    return _finish(rng.integers(low, high, size=_size((size,))).astype(_np_dtype(dtype, _dtypes.int64)),
                   requires_grad)

