"""The two math namespaces backward formulas are written against (``F``).

``ArrayMath``: NumPy arrays, used by a plain backward (fast, records nothing).
``TensorMath``: reference_impl tensors and differentiable ops, used under
``create_graph=True`` so that the gradients themselves have a graph, with the
node names torch's own formulas produce.

Both offer the same primitives; composite backward helpers (pow_backward,
sum_backward, ...) are written once, next to their ops, in terms of these.
"""
from __future__ import annotations

import sys
import weakref

import numpy as np

from .. import _behaviour
from .._tensor import Tensor, VersionCounter
from ..autograd._view_inplace import replay_array, replay_tensor

_make = Tensor._make


def _sum_to_array(grad, shape):
    if not shape:  # at::sum_to to a 0-d shape is always tensor.sum(): a new array, even from a 0-d one
        return np.asarray(grad.sum())
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, size in enumerate(shape) if size == 1 and grad.shape[lead + i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape) if lead else grad  # as torch: a view only to drop leading dims


def _keep_float_dtype(a, out):
    """A gradient times/plus/over a Python number keeps its dtype, as in torch. NumPy 2 does that already;
    NumPy 1 turns a 0-d float32 array with a Python number into a float64 scalar."""
    dtype = getattr(a, "dtype", None)
    if dtype is not None and dtype.kind == "f" and out.dtype != dtype:
        return np.asarray(out, dtype)
    return out


def _refs_inside_a_call(value) -> int:
    return sys.getrefcount(value)


def _call_extra_refs() -> int:
    """References a Python call adds to an argument beyond the parameter itself: 0 on Python 3.11+, 1 on
    3.10 (whose caller keeps the argument on its value stack during the call)."""
    probe = object()
    return _refs_inside_a_call(probe) - sys.getrefcount(probe) - 1


# Reference counts seen by ArrayMath.accumulate when nobody else holds an array (see there).
_OLD_EXCLUSIVE_REFS = 2  # the local name and getrefcount's argument
# the input buffer list, AccumulateGrad.apply's local, the parameter, getrefcount's argument (+ the caller's
# stack on Python 3.10)
_STEAL_EXCLUSIVE_REFS = 4 + _call_extra_refs()


def _owns_memory(array) -> bool:
    """torch's storage().use_count() == 1 for a buffered gradient: it is not a view (a torch view
    keeps its base alive, so its storage is always shared). A view of this array would hold a
    reference to it, which the reference-count test catches."""
    return array.base is None


_SAME_SIZE_INT = {np.dtype(np.float16): np.int16, np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}


def where_zero(condition, values):
    """np.where(condition, values, 0), bit-exact (keeps -0.0 and NaN where selected) and several times
    faster: np.where branches per element and is slow on irregular masks, a bitwise AND is not."""
    values = np.asarray(values)
    as_int = _SAME_SIZE_INT.get(values.dtype)
    if as_int is None:
        return np.where(condition, values, values.dtype.type(0))
    keep = np.negative(np.asarray(condition).astype(as_int))  # all bits set where kept, 0 elsewhere
    shape = np.broadcast_shapes(values.shape, keep.shape)
    # owns its memory, like torch's, laid out like an operand that is not a broadcast (TensorIterator
    # follows its operands' layout: a transposed input gives a transposed result)
    # (condition first: torch's where and threshold_backward list it, or self, before the gradient)
    like = next((a for a in (condition, values) if isinstance(a, np.ndarray) and a.shape == shape
                 and 0 not in a.strides), None)
    out = np.empty(shape, values.dtype) if like is None else np.empty_like(like, dtype=values.dtype)
    np.bitwise_and(values.view(as_int), keep, out=out.view(as_int))
    return out


def view_strides(old_shape, old_strides, new_shape):
    """torch's computeStride (non-empty case): the strides of a view with ``new_shape``, or None if
    only a copy can have it. Unlike NumPy's, size-1 dims keep the stride of their chunk (possibly 0)."""
    if not old_shape:
        return None
    new = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base = old_strides[-1]
    tensor_numel = view_numel = 1
    for tensor_d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[tensor_d]
        if tensor_d == 0 or (old_shape[tensor_d - 1] != 1 and old_strides[tensor_d - 1] != tensor_numel * chunk_base):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new[view_d] = view_numel * chunk_base
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base = old_strides[tensor_d - 1]
                tensor_numel = view_numel = 1
    return tuple(new) if view_d == -1 else None


def take_along_axis(array, indices, axis):
    """np.take_along_axis, also for a 0-d ``array`` (torch gathers from a 0-d tensor along dim 0)."""
    return array.copy() if array.ndim == 0 else np.take_along_axis(array, indices, axis=axis)


def put_along_axis(out, indices, values, axis) -> None:
    """np.put_along_axis, also for a 0-d ``out`` (torch scatters into a 0-d tensor along dim 0)."""
    if out.ndim == 0:
        out[...] = values
    else:
        np.put_along_axis(out, indices, values, axis=axis)


def _obeys_layout(grad) -> bool:
    """torch's obeys_layout_contract for a (contiguous) leaf: the row-major strides on every dim of size
    other than 1 (also when the tensor is empty, where NumPy calls any strides contiguous), and no
    stride 0 on a dim of size 1 (such a gradient is a view, e.g. of an expanded 0-d tensor)."""
    if grad.size == 0:  # NumPy's strides of an empty result mean nothing; torch's expand gives 0 strides,
        return grad.flags.writeable  # and an expanded array is NumPy's read-only broadcast
    expected = grad.itemsize
    for size, stride in zip(reversed(grad.shape), reversed(grad.strides)):
        if (stride != expected) if size != 1 else (stride == 0):
            return False
        expected *= max(size, 1)
    return True


def _expand_like_torch(a, shape):
    """np.broadcast_to with torch's strides (inferExpandGeometry): a new leading dim of size 1 takes
    size * stride of the dim after it, where NumPy puts 0; expanding a 0-d tensor gives all zeros."""
    out = np.broadcast_to(a, shape)
    lead = len(shape) - a.ndim
    # NumPy also gives stride 0 to a size-1 dim that stays size 1; torch keeps that dim's stride
    kept = any(size == 1 and shape[lead + i] == 1 and stride != 0
               for i, (size, stride) in enumerate(zip(a.shape, a.strides)))
    if a.ndim == 0 or not (kept or any(shape[i] == 1 for i in range(lead))):
        return out
    strides = list(out.strides)
    for i, (size, stride) in enumerate(zip(a.shape, a.strides)):
        if size == 1 and shape[lead + i] == 1:
            strides[lead + i] = stride
    for i in range(lead - 1, -1, -1):
        if shape[i] == 1:
            strides[i] = shape[i + 1] * strides[i + 1]
    return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=False)


def unsqueeze_like_torch(a, dim: int):
    """np.expand_dims with torch's stride for the new dim (inferUnsqueezeGeometry): size * stride of the dim
    it precedes, the item size at the end. NumPy picks its own for a sliced or permuted array."""
    out = np.expand_dims(a, dim)
    stride = a.shape[dim] * a.strides[dim] if dim < a.ndim else a.itemsize
    strides = a.strides[:dim] + (stride,) + a.strides[dim:]
    if out.strides != strides:
        out = np.lib.stride_tricks.as_strided(a, out.shape, strides, writeable=a.flags.writeable)
    return out


def dense_strides_order(shape, strides) -> list:
    """The dims from innermost to outermost as torch's infer_dense_strides sorts them: by stride, a smaller
    size first among equal strides, and a 0-stride (expanded) dim compares with nothing, so stays put."""
    def should_swap(outer, inner) -> int:
        s0, s1 = strides[outer], strides[inner]
        if s0 == 0 or s1 == 0:
            return 0
        if s0 != s1:
            return 1 if s0 > s1 else -1
        return 1 if shape[outer] > shape[inner] else 0

    perm = list(range(len(shape)))[::-1]
    for i in range(1, len(perm)):
        moving = i
        for earlier in range(i - 1, -1, -1):
            order = should_swap(perm[earlier], perm[moving])
            if order > 0:
                perm[earlier], perm[moving] = perm[moving], perm[earlier]
                moving = earlier
            elif order < 0:
                break
    return perm


def clone_keeping_layout(a):
    """torch's clone (preserve_format): a non-overlapping and dense array keeps its strides; any other is
    laid out densely in the dim order infer_dense_strides gives (NumPy's order='K' orders 0 strides apart)."""
    if _dense(a):
        return np.array(a, copy=True)
    inner_first = dense_strides_order(a.shape, a.strides)
    outer_first = inner_first[::-1]
    laid_out = np.ascontiguousarray(a.transpose(outer_first)).transpose(np.argsort(outer_first))
    return np.array(laid_out, copy=True)  # owns its memory, strides kept (it is dense)


def _dense(array) -> bool:
    """torch's is_non_overlapping_and_dense: the strides, sorted, are those of a contiguous array (any dim
    order: a transposed result qualifies)."""
    if array.flags.c_contiguous or array.flags.f_contiguous:
        return True
    expected = array.itemsize
    for stride, size in sorted((abs(st), sz) for sz, st in zip(array.shape, array.strides) if sz != 1):
        if stride != expected:
            return False
        expected *= size
    return True


_view_counters: dict = {}  # id(root array) -> (weakref to it, VersionCounter) of .grads that are views of it


def _writable_alias(array):
    """The same memory, writable (a broadcast of a writable array); a copy if NumPy refuses."""
    alias = array.view()
    try:
        alias.flags.writeable = True
    except ValueError:
        return array.copy()
    return alias


def _shared_view_counter(view, version: int, counter: VersionCounter | None = None) -> VersionCounter:
    """The version counter shared by the tensors wrapping views of one array (made at ``version``, or
    ``counter``: the one of the user's tensor owning that array)."""
    root = _root(view)
    key = id(root)
    entry = _view_counters.get(key)
    if entry is not None and entry[0]() is root:
        return entry[1]

    def forget(ref, key=key):
        if _view_counters.get(key, (None,))[0] is ref:
            del _view_counters[key]

    counter = VersionCounter(version) if counter is None else counter
    _view_counters[key] = (weakref.ref(root, forget), counter)
    return counter


def _root(array):
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


class ArrayMath:
    """Primitives over NumPy arrays; one instance per backward call.

    It also keeps what torch keeps on gradient tensors that arrays lack: which
    arrays the user can see (they must be copied before becoming a .grad) and
    how often an array's memory was written in place (its tensor's _version,
    shared with its views). Primitives that torch computes by writing into a
    fresh tensor (zeros().select(...).copy_(grad), masked_fill_, scatter_, ...)
    note those writes, so gradients end up with torch's version numbers.
    """

    is_tensor = False

    def __init__(self) -> None:
        self._user_owned = []
        self._versions = {}  # id(root array) -> (weakref, in-place writes)

    def bump(self, array, count: int = 1):
        """Note ``count`` in-place writes to an array's memory; returns the array."""
        root = _root(array)
        key = id(root)
        previous = self._versions.get(key)
        versions = self._versions
        ref = previous[0] if previous else weakref.ref(root, lambda _, key=key: versions.pop(key, None))
        versions[key] = (ref, (previous[1] if previous else 0) + count)
        return array

    def version_of(self, array) -> int:
        root = _root(array)
        entry = self._versions.get(id(root))
        return entry[1] if entry is not None and entry[0]() is root else 0

    def _wrap(self, array):
        t = _make(array)
        version = self.version_of(array)
        if version:
            t._version_counter = VersionCounter(version)
        return t

    def _user_sees(self, array) -> bool:
        return any(array is owned for owned in self._user_owned)

    def accumulate(self, buffer, pos, grad) -> None:
        """torch's InputBuffer::accumulate without grad mode: sum in place into the buffered
        gradient when nobody else holds it or its memory (bumping its version), else out of place."""
        old = buffer[pos]
        buffer[pos] = None
        if sys.getrefcount(old) == _OLD_EXCLUSIVE_REFS and self._can_write(old) \
                and _behaviour.value("engine.input_buffer_accumulates_in_place"):
            np.add(old, grad, out=old)
            buffer[pos] = self.bump(old)
        else:
            total = old + grad
            buffer[pos] = total if total.__class__ is np.ndarray else np.asarray(total)  # 0-d: NumPy gives a scalar

    def _can_write(self, array) -> bool:
        return _owns_memory(array) and _dense(array) and not self._user_sees(array)

    # -- engine plumbing
    @staticmethod
    def unpack(saved, node, operand: bool):
        """A saved array for a formula. An operand (not an index or mask) that is an integer array, or a
        0-d float one, is cast to the dtype the op computed in (its output's): torch computes float32 *
        int64 or * 0-d float64 in float32, NumPy 2 promotes both to float64."""
        array = saved.unpack_array(node)
        kind = array.dtype.kind
        if operand and (kind in "iu" or (kind == "f" and array.ndim == 0)):
            dtype = node._meta[0][1] if node._meta else array.dtype
            if dtype != array.dtype and dtype.kind == "f":
                return array.astype(dtype)
        return array

    def to_user(self, grad):
        return None if grad is None else self._wrap(grad)

    def from_user(self, tensor, owned_by_user: bool = True):
        """A tensor handed to the engine by user code; ``owned_by_user``: the user still holds it."""
        if tensor is None:
            return None
        data = tensor._data
        if owned_by_user:
            self._user_owned.append(data)
            if data.__class__ is np.ndarray:  # (a 0-d value may be a NumPy scalar: nothing can view it)
                _shared_view_counter(data, 0, tensor._counter())  # a .grad stolen as a view of it shares it
        if tensor._version:  # the hooks and outputs that see this array see the tensor's _version, as in torch
            self.bump(data, tensor._version - self.version_of(data))
        return data

    def mark_user_owned(self, array) -> None:
        self._user_owned.append(array)

    def accumulate_into(self, variable, grad) -> None:
        """AccumulateGrad without create_graph: keep the gradient itself when nobody else holds it
        and its layout fits (torch "steals" it), else a copy; later, add in place."""
        old = variable._grad
        if old is None:
            if sys.getrefcount(grad) > _STEAL_EXCLUSIVE_REFS or self._user_sees(grad) or not _obeys_layout(grad):
                # torch's clone_obey_contract: empty_strided(...).copy_(grad), so version 1
                variable._grad = _make(grad.copy())
                variable._grad._version_counter = VersionCounter(1)
                return
            stolen = self._wrap(grad)
            if not grad.flags.writeable:  # a read-only NumPy view (of an expanded gradient): torch keeps the
                # view itself, so later sums write into that memory, seen by every alias of it
                stolen._data = _writable_alias(grad)
                if stolen._data.base is not None and stolen._data is not grad:
                    stolen._version_counter = _shared_view_counter(grad, self.version_of(grad))
            elif grad.base is not None:  # a view (e.g. a select of one stacked gradient): in torch every .grad
                # stolen from that memory is a view of it, sharing one version counter
                stolen._version_counter = _shared_view_counter(grad, self.version_of(grad))
            variable._grad = stolen
            return
        np.add(old._data, grad, out=old._data, casting="unsafe")
        old._bump_version()

    @staticmethod
    def dtype_of(grad):
        return grad.dtype

    @staticmethod
    def cast(grad, dtype):
        return grad.astype(dtype, copy=False)  # like tensor.to(): the same array when nothing changes

    sum_to = staticmethod(_sum_to_array)

    @staticmethod
    def add(a, b):
        return a + b

    @staticmethod
    def clone(a):
        return a.copy()

    @staticmethod
    def zeros(shape, dtype):
        # A 0-d zero as a NumPy scalar: np.where with a 0-d array operand is several times slower.
        return np.zeros(shape, dtype) if shape else np.dtype(dtype).type(0)

    def materialized_zeros(self, shape, dtype):
        """zeros torch makes with an in-place fill (so at version 1), e.g. for a custom Function."""
        return self.bump(np.zeros(shape, dtype))

    @staticmethod
    def zeros_like(a):
        return np.zeros_like(a)

    # -- arithmetic that torch's formulas spell as C++ calls
    @staticmethod
    def mul_scalar(a, scalar):
        return _keep_float_dtype(a, a * scalar)

    @staticmethod
    def div_by_count(a, count):
        return _keep_float_dtype(a, a / count)

    @staticmethod
    def sub_scalar(a, scalar):
        return _keep_float_dtype(a, a - scalar)

    @staticmethod
    def add_scalar(a, scalar):
        return _keep_float_dtype(a, a + scalar)

    @staticmethod
    def div_scalar(a, scalar):
        return _keep_float_dtype(a, a / scalar)

    @staticmethod
    def pow(a, exponent):
        return np.power(a, exponent)

    exp, log, sqrt, sin, cos, sgn = (staticmethod(f) for f in (np.exp, np.log, np.sqrt, np.sin, np.cos, np.sign))

    @staticmethod
    def where(condition, a, b):
        return np.where(condition, a, b)

    @staticmethod
    def where_zero(condition, values):
        """values where condition holds, else +0.0 (torch's where(cond, values, 0))."""
        return where_zero(condition, values)

    @staticmethod
    def where_zero_else(condition, values):
        """where(condition, 0, values)."""
        return where_zero(np.logical_not(condition), values)

    def masked_fill_zero_(self, values, mask):
        """values.masked_fill_(mask, 0), in place (so one version up)."""
        values = np.array(values, copy=True) if not isinstance(values, np.ndarray) or not values.flags.writeable \
            else values
        values[np.broadcast_to(mask, values.shape)] = 0
        return self.bump(values)

    @staticmethod
    def logical_and(a, b):
        return np.logical_and(a, b)

    @staticmethod
    def logical_or(a, b):
        return np.logical_or(a, b)

    @staticmethod
    def logical_not(a):
        return np.logical_not(a)

    @staticmethod
    def isnan(a):
        return np.isnan(a)

    @staticmethod
    def tanh_backward(grad, result):
        return grad * (1 - result * result)

    @staticmethod
    def sigmoid_backward(grad, result):
        return grad * (1 - result) * result

    @staticmethod
    def threshold_backward(grad, value, threshold):
        return where_zero(value > threshold, grad)

    # -- shapes
    @staticmethod
    def expand(a, shape):
        if a.shape == tuple(shape):  # torch's expand to the same shape is a plain (writable) view
            return a.view()
        return _expand_like_torch(a, tuple(shape))

    @staticmethod
    def reshape(a, shape):
        if a.size == 0:  # torch's view of an empty tensor keeps its strides if the shape stays, else
            target = a.reshape(shape).shape  # (resolves a -1)
            return a.view() if a.shape == target else np.zeros(target, a.dtype)  # contiguous ones
        out = a.reshape(shape)
        if not a.flags.writeable:  # an expanded gradient: keep torch's 0 strides on size-1 dims
            strides = view_strides(a.shape, a.strides, out.shape)
            if strides is not None and strides != out.strides:
                out = np.lib.stride_tricks.as_strided(a, out.shape, strides, writeable=False)
        return out

    @staticmethod
    def unsqueeze(a, dim):
        return unsqueeze_like_torch(a, dim % (a.ndim + 1))

    @staticmethod
    def squeeze(a, dim):
        return np.squeeze(a, dim)

    @staticmethod
    def transpose(a, dim0, dim1):
        return np.swapaxes(a, dim0, dim1)

    @staticmethod
    def permute(a, dims):
        return np.transpose(a, dims)

    @staticmethod
    def t(a):
        return a.T

    @staticmethod
    def sum(a, dims, keepdim=False):
        return np.asarray(a.sum(axis=dims, keepdims=keepdim))

    @staticmethod
    def stack(arrays, dim):
        return np.stack(arrays, dim)

    @staticmethod
    def cat(arrays, dim):
        return np.concatenate(arrays, dim)

    @staticmethod
    def select(a, dim, index):
        """A view, like torch's select (np.take would copy)."""
        key = [slice(None)] * a.ndim
        key[dim] = index
        return a[(*key, Ellipsis)]

    @staticmethod
    def narrow(a, dim, start, length):
        key = [slice(None)] * a.ndim
        key[dim] = slice(start, start + length)
        return a[tuple(key)]

    @staticmethod
    def select_backward(grad, sizes, dim, index):
        """torch's select_backward op (its in-kernel write does not count as a version)."""
        out = np.zeros(sizes, grad.dtype)
        key = [slice(None)] * len(sizes)
        key[dim] = index
        out[tuple(key)] = grad
        return out

    @staticmethod
    def slice_backward(grad, sizes, dim, start, end, step):
        """torch's slice_backward op (its in-kernel write does not count as a version)."""
        out = np.zeros(sizes, grad.dtype)
        key = [slice(None)] * len(sizes)
        key[dim] = slice(start, end, step)
        out[tuple(key)] = grad
        return out

    def index_backward(self, grad, sizes, indices):
        """zeros(sizes)._index_put_impl_(indices, grad, accumulate=True)."""
        out = np.zeros(sizes, grad.dtype)
        np.add.at(out, indices, grad)
        return self.bump(out)

    @staticmethod
    def index(grad, indices):
        return grad[indices]

    def index_put(self, base, indices, values, accumulate):
        """base.index_put_(indices, values, accumulate), in place."""
        if accumulate:
            np.add.at(base, indices, values)
        else:
            base[indices] = values
        return self.bump(base)

    def scatter_into_zeros(self, grad, sizes, dim, indices):
        """at::zeros(sizes).scatter_(dim, indices, grad): two in-place writes (zero_, scatter_)."""
        out = np.zeros(sizes, grad.dtype)
        put_along_axis(out, indices, grad, dim)
        return self.bump(out, 2)

    def scatter_add_into_zeros(self, grad, sizes, dim, indices):
        """zeros(sizes).scatter_add_(dim, indices, grad) (gather's backward)."""
        out = np.zeros(sizes, grad.dtype)
        if out.ndim == 0:  # a 0-d input gathered along dim 0: its one element
            out[...] = grad
            return self.bump(out)
        target = np.moveaxis(out, dim, -1)
        lead = np.indices(indices.shape[:dim] + indices.shape[dim + 1:], sparse=True)
        np.add.at(target, (*[np.expand_dims(axis, -1) for axis in lead], np.moveaxis(indices, dim, -1)),
                  np.moveaxis(grad, dim, -1))
        return self.bump(out)

    @staticmethod
    def scatter_value(grad, dim, indices, value):
        out = np.array(grad, copy=True)
        np.put_along_axis(out, indices, value, axis=dim)
        return out

    @staticmethod
    def gather(grad, dim, indices):
        return take_along_axis(grad, indices, dim)

    @staticmethod
    def masked_fill(values, mask, value):
        out = np.array(values, copy=True)
        out[np.broadcast_to(mask, out.shape)] = value
        return out

    @staticmethod
    def index_fill(values, dim, index, value):
        out = np.array(values, copy=True)
        key = [slice(None)] * out.ndim
        key[dim] = index
        out[tuple(key)] = value
        return out

    @staticmethod
    def slice(a, dim, start, end, step):
        key = [slice(None)] * a.ndim
        key[dim] = slice(start, end, step)
        return a[tuple(key)]

    @staticmethod
    def sgn_backward(grad, self, result):
        return np.zeros_like(grad)

    def masked_fill_zeros(self, grad_value, sizes, mask):
        """grad.new_zeros(sizes).masked_fill_(mask, value)."""
        out = np.zeros(sizes, grad_value.dtype)
        out[mask] = grad_value
        return self.bump(out)

    # -- linear algebra
    @staticmethod
    def mm(a, b):
        return a @ b

    @staticmethod
    def mv(a, v):
        return a @ v

    @staticmethod
    def outer(a, b):
        return np.multiply.outer(a, b)

    @staticmethod
    def bmm(a, b):
        return np.matmul(a, b)

    # -- views written to after an in-place op (CopySlices, AsStridedBackward0)
    def copy_with_view_region(self, grad, chain):
        """new_empty_strided(...).copy_(grad) and the view's part of it."""
        result = self.bump(np.array(grad, copy=True))
        return result, _view_elements(result, chain)

    def write_view_region(self, result, chain, value):
        flat_index = replay_array(np.arange(result.size).reshape(result.shape), chain)
        result.reshape(-1)[flat_index.reshape(-1)] = np.broadcast_to(value, flat_index.shape).reshape(-1)
        return self.bump(result)

    def as_strided_backward(self, grad, base_shape, chain):
        out = np.zeros(base_shape, grad.dtype)
        flat_index = replay_array(np.arange(out.size).reshape(base_shape), chain)
        np.add.at(out.reshape(-1), flat_index.reshape(-1), np.broadcast_to(grad, flat_index.shape).reshape(-1))
        return self.bump(out)


def _view_elements(array, chain):
    flat_index = replay_array(np.arange(array.size).reshape(array.shape), chain)
    return array.reshape(-1)[flat_index.reshape(-1)].reshape(flat_index.shape)


class TensorMath:
    """Primitives over tensors with history: the graph of a create_graph backward.

    The functions live in ``_tensor_primitives``; this class only adds the engine
    plumbing, so that ``F.<name>`` reads the same in both modes.
    """

    is_tensor = True

    def __init__(self) -> None:
        from . import _tensor_primitives

        self._ops = _tensor_primitives

    def __getattr__(self, name):
        return getattr(self._ops, name)

    @staticmethod
    def unpack(saved, node, operand: bool):
        return saved.unpack_tensor(node)

    @staticmethod
    def to_user(grad):
        return grad

    @staticmethod
    def from_user(tensor, owned_by_user: bool = True):
        return tensor

    @staticmethod
    def mark_user_owned(tensor) -> None:
        pass

    @staticmethod
    def dtype_of(grad):
        return grad._data.dtype

    @staticmethod
    def accumulate(buffer, pos, grad) -> None:
        """InputBuffer::accumulate with grad mode on: always out of place (so it is recorded)."""
        buffer[pos] = buffer[pos] + grad

    @staticmethod
    def copy_with_view_region(grad, chain):
        """torch's grad.new_empty_strided(...).copy_(grad): a CopyBackwards node (not a clone)."""
        from .shape import copy_

        result = copy_(_make(np.empty_like(grad._data)), grad)
        return result, replay_tensor(result, chain)

    @staticmethod
    def write_view_region(result, chain, value):
        replay_tensor(result, chain).copy_(value)
        return result
