"""Shape ops: views (view, reshape, transpose, squeeze, expand, indexing, unbind, split),
copies (clone, cat, stack, dtype conversion) and writes (copy_, fill_, zero_, setitem).

A view op returns an output aliasing its input's memory; it records a ViewStep
so that in-place writes through the view can be replayed onto the base.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _behaviour, _dtypes, _messages
from .._grad_mode import STATE as _GRAD_MODE
from .._tensor import Tensor, wrap_dim
from ..autograd._view_inplace import ViewStep
from ._common import as_array, broadcast_shapes, export, is_number, shape_arg, tensor_method, writable
from ._derivative import Derivative, named
from ._math import _expand_like_torch, clone_keeping_layout, unsqueeze_like_torch
from ..autograd.graph import meta_of as _meta_of
from .indexing import index_fill_, index_put_, masked_fill_

_make = Tensor._make


# ----------------------------------------------------------------- backward helpers
def unsqueeze_to(F, grad, sizes, dims=None):
    """Undo a squeeze: put back the size-1 dims that were removed."""
    for dim in range(len(sizes)) if dims is None else dims:
        if sizes[dim] == 1:
            grad = F.unsqueeze(grad, dim)
    return grad


def unbind_backward(F, grads, dim):
    return F.stack(grads, dim)


def split_backward(F, grads, dim):
    return F.cat(grads, dim)


def cat_backward(F, grad, sizes, dim):
    """Each input's slice of the gradient, narrowed along dim."""
    out, start = [], 0
    for shape in sizes:
        if len(shape) == 1 and shape[0] == 0:  # legacy empty inputs take no part in cat: at::zeros({0}) for them
            out.append(F.materialized_zeros((0,), F.dtype_of(grad)))
            continue
        out.append(F.narrow(grad, dim, start, shape[dim]))
        start += shape[dim]
    return out


def stack_backward(F, grad, dim, count):
    return [F.select(grad, dim, i) for i in range(count)]


VIEW = Derivative("ViewBackward0", self=lambda F, grad, self_sym_sizes: F.reshape(grad, self_sym_sizes))
RESHAPE_ALIAS = Derivative("ReshapeAliasBackward0", self=lambda F, grad, self_sym_sizes: F.reshape(grad, self_sym_sizes))
UNSAFE_VIEW = Derivative("UnsafeViewBackward0", self=lambda F, grad, self_sym_sizes: F.reshape(grad, self_sym_sizes))
CLONE = Derivative("CloneBackward0", self=lambda F, grad: grad)
ALIAS = Derivative("AliasBackward0", self=lambda F, grad: grad)
T = Derivative("TBackward0", self=lambda F, grad: F.t(grad))
TRANSPOSE = Derivative("TransposeBackward0", self=lambda F, grad, dim0, dim1: F.transpose(grad, dim0, dim1))
PERMUTE = Derivative("PermuteBackward0", self=lambda F, grad, inverse: F.permute(grad, inverse))
SQUEEZE = Derivative("SqueezeBackward0", self=lambda F, grad, self_sym_sizes: unsqueeze_to(F, grad, self_sym_sizes))
SQUEEZE_DIM = Derivative("SqueezeBackward1", self=lambda F, grad, self_sym_sizes, dim:
                         unsqueeze_to(F, grad, self_sym_sizes, (dim,)))
SQUEEZE_DIMS = Derivative("SqueezeBackward2", self=lambda F, grad, self_sym_sizes, dim:
                          unsqueeze_to(F, grad, self_sym_sizes, dim))
SQUEEZE_INPLACE = Derivative("SqueezeBackward4", self=lambda F, grad, self_sym_sizes, dim:
                             unsqueeze_to(F, grad, self_sym_sizes, (dim,)))
UNSQUEEZE = Derivative("UnsqueezeBackward0", self=lambda F, grad, dim: F.squeeze(grad, dim))
EXPAND = Derivative("ExpandBackward0", self=lambda F, grad, self_sym_sizes: F.sum_to(grad, self_sym_sizes))
SELECT = Derivative("SelectBackward0", self=lambda F, grad, self_sym_sizes, dim, index:
                    F.select_backward(grad, self_sym_sizes, dim, index))
SLICE = Derivative("SliceBackward0", self=lambda F, grad, self_sym_sizes, dim, start, end, step:
                   F.slice_backward(grad, self_sym_sizes, dim, start, end, step))
INDEX = Derivative("IndexBackward0", releases=("indices",), self=lambda F, grad, self_sym_sizes, indices:
                   F.index_backward(grad, self_sym_sizes, indices))
UNBIND = Derivative("UnbindBackward0", multi_output=True, self=lambda F, grads, dim: unbind_backward(F, grads, dim))
SPLIT = Derivative("SplitBackward0", multi_output=True, self=lambda F, grads, dim: split_backward(F, grads, dim))
SPLIT_WITH_SIZES = Derivative("SplitWithSizesBackward0", multi_output=True,
                              self=lambda F, grads, dim: split_backward(F, grads, dim))
CAT = Derivative("CatBackward0", tensors=lambda F, grad, sizes, dim: cat_backward(F, grad, sizes, dim))
STACK = Derivative("StackBackward0", tensors=lambda F, grad, dim, count: stack_backward(F, grad, dim, count))
TO_COPY = Derivative("ToCopyBackward0", self=lambda F, grad, self_dtype: F.cast(grad, self_dtype))
AS_STRIDED = Derivative("AsStridedBackward0", self=lambda F, grad, self_sym_sizes, view_chain:
                        F.as_strided_backward(grad, self_sym_sizes, view_chain))
COPY = Derivative("CopyBackwards", self=lambda F, grad: F.zeros_like(grad),
                  src=lambda F, grad, src_dtype: F.cast(grad, src_dtype))
ZERO = Derivative("ZeroBackward0", self=lambda F, grad: F.zeros_like(grad))
FILL = Derivative("FillBackward2", self=lambda F, grad: F.zeros_like(grad))
FILL_TENSOR = Derivative("FillBackward3", self=lambda F, grad: F.zeros_like(grad),
                         value=lambda F, grad: F.sum(grad, None))

CopyBackwards = COPY.node_class
CopyBackwards.name = lambda self: "torch::autograd::CopyBackwards"


# ----------------------------------------------------------------- view arrays (replayable)
def _infer_shape(shape, numel):
    shape = list(shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = math.prod(s for s in shape if s != -1)
    if unknown:
        if known == 0 or numel % known:
            raise RuntimeError(_messages.SHAPE_INVALID.format(shape=_dims(shape), numel=numel))
        shape[unknown[0]] = numel // known
    elif known != numel:
        raise RuntimeError(_messages.SHAPE_INVALID.format(shape=_dims(shape), numel=numel))
    return tuple(shape)


def _dims(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _view_array(a, shape):
    """a reshaped without copying, or torch's error if that is impossible."""
    view = a.view()
    try:
        view.shape = shape
    except AttributeError:
        raise RuntimeError(_messages.VIEW_STRIDE) from None
    return view


def _select_array(a, dim, index):
    key = [slice(None)] * a.ndim
    key[dim] = index
    return a[(*key, Ellipsis)]  # the Ellipsis keeps a 0-d result a view (a[0] would copy a NumPy scalar)


def _slice_array(a, dim, start, end, step):
    key = [slice(None)] * a.ndim
    key[dim] = slice(start, end, step)
    return a[tuple(key)]


def _squeeze_array(a, dims):
    return a.reshape(tuple(s for i, s in enumerate(a.shape) if i not in dims)) if dims else a.view()


def _expand_array(a, shape):
    shape = tuple(shape)
    lead = len(shape) - a.ndim
    if shape[lead:] == a.shape and all(size == 1 for size in shape[:lead]):
        # nothing repeated (at most new leading dims of size 1): an ordinary writable view, no overlap
        return np.expand_dims(a, tuple(range(lead))) if lead else a.view()
    return _expand_like_torch(a, shape)


def _alias_array(a):
    return a.view()


# ----------------------------------------------------------------- views
@tensor_method("view")
def view(self, *shape):
    if len(shape) == 1 and isinstance(shape[0], _dtypes.dtype):
        raise NotImplementedError("reference_impl: view(dtype) is not implemented")
    shape = _infer_shape(shape_arg(shape), self._data.size)
    data = _view_array(self._data, shape)
    return VIEW.record_view(data, self, ViewStep(_view_array, view, (shape,)), self=self,
                            self_sym_sizes=self._data.shape)


def _can_view(a, shape):
    try:
        _view_array(a, shape)
        return True
    except RuntimeError:
        return False


@export("reshape")
def reshape(input, *shape):
    """A view when strides allow (ViewBackward0 if contiguous, else ReshapeAliasBackward0), else a copy."""
    shape = _infer_shape(shape_arg(shape), input._data.size)
    if input._data.flags.c_contiguous and _behaviour.value("ops.reshape.contiguous_is_view"):
        return view(input, shape)
    if _can_view(input._data, shape):
        data = _view_array(input._data, shape)
        return RESHAPE_ALIAS.record_view(data, input, ViewStep(_view_array, reshape, (shape,)), self=input,
                                         self_sym_sizes=input._data.shape)
    copy = clone(input)
    return UNSAFE_VIEW.record(copy._data.reshape(shape), self=copy, self_sym_sizes=input._data.shape)


@export("flatten")
def flatten(input, start_dim=0, end_dim=-1):
    ndim = input._data.ndim
    if ndim == 0:
        return reshape(input, 1)
    start, end = wrap_dim(start_dim, ndim), wrap_dim(end_dim, ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    shape = input._data.shape
    return reshape(input, shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])


@tensor_method("view_as")
def view_as(self, other):
    return view(self, other._data.shape)


@export("reshape_as", function=False)
def reshape_as(self, other):
    return reshape(self, other._data.shape)


@export("t")
def t(input):
    ndim = input._data.ndim
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return T.record_view(input._data.T, input, ViewStep(lambda a: a.T, t, ()), self=input)


@export("transpose", "swapaxes")
def transpose(input, dim0, dim1):
    ndim = input._data.ndim
    d0, d1 = wrap_dim(dim0, ndim), wrap_dim(dim1, ndim)
    data = np.swapaxes(input._data, d0, d1)
    return TRANSPOSE.record_view(data, input, ViewStep(np.swapaxes, transpose, (d0, d1)), self=input,
                                 dim0=d0, dim1=d1)


@export("permute")
def permute(input, *dims):
    ndim = input._data.ndim
    dims = tuple(wrap_dim(d, ndim) for d in shape_arg(dims))
    if sorted(dims) != list(range(ndim)):
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           "length of the desired ordering of dimensions i.e. input.dim() = "
                           f"{ndim} is not equal to len(dims) = {len(dims)}")
    inverse = tuple(int(i) for i in np.argsort(dims))
    return PERMUTE.record_view(np.transpose(input._data, dims), input, ViewStep(np.transpose, permute, (dims,)),
                               self=input, inverse=inverse)


Tensor.T = property(lambda self: permute(self, tuple(reversed(range(self._data.ndim)))))
Tensor.mT = property(lambda self: transpose(self, -2, -1))


@export("squeeze")
def squeeze(input, dim=None):
    shape = input._data.shape
    if dim is None:
        dims = tuple(i for i, s in enumerate(shape) if s == 1)
        return SQUEEZE.record_view(_squeeze_array(input._data, dims), input, ViewStep(_squeeze_array, _squeeze_dims,
                                   (dims,)), self=input, self_sym_sizes=shape)
    if isinstance(dim, (tuple, list)):
        wanted = tuple(sorted({wrap_dim(d, len(shape)) for d in dim}))
        dims = tuple(d for d in wanted if shape and shape[d] == 1)
        return SQUEEZE_DIMS.record_view(_squeeze_array(input._data, dims), input,
                                        ViewStep(_squeeze_array, _squeeze_dims, (dims,)), self=input,
                                        self_sym_sizes=shape, dim=wanted)
    d = wrap_dim(dim, len(shape))
    dims = (d,) if shape and shape[d] == 1 else ()
    return SQUEEZE_DIM.record_view(_squeeze_array(input._data, dims), input,
                                   ViewStep(_squeeze_array, _squeeze_dims, (dims,)), self=input, self_sym_sizes=shape,
                                   dim=d)


def _squeeze_dims(input, dims):
    return squeeze(input, dims) if dims else alias(input)


# ----------------------------------------------------------------- in-place views
# transpose_, t_, unsqueeze_, squeeze_, as_strided_ change only the tensor's geometry. torch runs the in-place
# checks and bumps the version, then *sets* the tensor's history to the op's node (TransposeBackward1, ...):
# on a view this is no CopySlices, the base keeps its grad_fn, and the view stays a view with the op appended
# to how it is made from its base.
T_INPLACE = Derivative("TBackward1", self=lambda F, grad: F.t(grad))
TRANSPOSE_INPLACE = Derivative("TransposeBackward1", self=lambda F, grad, dim0, dim1: F.transpose(grad, dim0, dim1))
UNSQUEEZE_INPLACE = Derivative("UnsqueezeBackward1", self=lambda F, grad, dim: F.squeeze(grad, dim))
SQUEEZE_ALL_INPLACE = Derivative("SqueezeBackward3", self=lambda F, grad, self_sym_sizes:
                                 unsqueeze_to(F, grad, self_sym_sizes))
SQUEEZE_DIMS_INPLACE = Derivative("SqueezeBackward5", self=lambda F, grad, self_sym_sizes, dim:
                                  unsqueeze_to(F, grad, self_sym_sizes, dim))
AS_STRIDED_INPLACE = Derivative("AsStridedBackward1", self=lambda F, grad, self_sym_sizes, view_chain:
                                F.as_strided_backward(grad, self_sym_sizes, view_chain))


def _inplace_view(derivative, self, step, /, **env):
    """Apply the view ``step`` to ``self`` in place, recording ``derivative``'s node (see above)."""
    from ..autograd import _view_inplace

    if self._is_inference_tensor and not _GRAD_MODE.inference:
        raise RuntimeError(_messages.INFERENCE_INPLACE)
    node = None
    env["self"] = self
    if _GRAD_MODE.grad_enabled and self.requires_grad:
        _view_inplace.check_inplace(self)
        node = derivative._node(env)
        derivative._save(node, env, None, skip_result=True)
    self._data = step.array_fn(self._data, *step.args)
    self._bump_version()
    if self._base is not None:
        self._view_chain = self._view_chain + (step,)
    if node is not None:
        node._meta = _meta_of(self._data)
        _view_inplace.set_history(self, node)
        if self._base is not None:  # torch's set_gradient_edge: the view's grad_fn is current again
            self._attr_version = self._version_counter.value
    return self


@tensor_method("t_")
def t_(self):
    ndim = self._data.ndim
    if ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return _inplace_view(T_INPLACE, self, ViewStep(_t_array, t, ()))


def _t_array(a):
    return a.T


@tensor_method("transpose_", "swapdims_", "swapaxes_")
def transpose_(self, dim0, dim1):
    ndim = self._data.ndim
    d0, d1 = wrap_dim(dim0, ndim), wrap_dim(dim1, ndim)
    return _inplace_view(TRANSPOSE_INPLACE, self, ViewStep(np.swapaxes, transpose, (d0, d1)), dim0=d0, dim1=d1)


@tensor_method("unsqueeze_")
def unsqueeze_(self, dim):
    d = wrap_dim(dim, self._data.ndim + 1)
    return _inplace_view(UNSQUEEZE_INPLACE, self, ViewStep(unsqueeze_like_torch, unsqueeze, (d,)), dim=d)


# 1.13's argument parser refusing a tuple of dims (2.0 added squeeze_.dims): its listing of the overloads
_SQUEEZE_INPLACE_NO_DIMS = (
    "squeeze_() received an invalid combination of arguments - got ({0}), but expected one of:\n"
    + "".join(f" * ({signature})\n      didn't match because some of the arguments have invalid types: (!{{0}}!)\n"
              for signature in ("", "int dim", "name dim")))


@tensor_method("squeeze_")
def squeeze_(self, dim=None):
    """In-place squeeze (torch.matmul uses squeeze_(dim), giving SqueezeBackward4)."""
    shape = self._data.shape
    if dim is None:
        dims = tuple(i for i, s in enumerate(shape) if s == 1)
        derivative, extra = named(SQUEEZE_ALL_INPLACE, "ops.squeeze_inplace_node"), {}
    elif isinstance(dim, (tuple, list)):
        if not _behaviour.value("ops.squeeze_inplace_dims_tuple"):
            raise TypeError(_SQUEEZE_INPLACE_NO_DIMS.format(type(dim).__name__))
        wanted = tuple(sorted({wrap_dim(d, len(shape)) for d in dim}))
        dims = tuple(d for d in wanted if shape and shape[d] == 1)
        derivative, extra = SQUEEZE_DIMS_INPLACE, {"dim": wanted}
    else:
        d = wrap_dim(dim, len(shape))
        dims = (d,) if shape and shape[d] == 1 else ()
        derivative, extra = named(SQUEEZE_INPLACE, "ops.squeeze_inplace_dim_node"), {"dim": d}
    return _inplace_view(derivative, self, ViewStep(_squeeze_array, _squeeze_dims, (dims,)), self_sym_sizes=shape,
                         **extra)


def _storage_of(tensor):
    """The C-ordered array standing for the tensor's storage and the tensor's offset in it (elements)."""
    root = tensor._base if tensor._base is not None else tensor
    owner = root._data
    while owner.base is not None and isinstance(owner.base, np.ndarray):
        owner = owner.base
    if not owner.flags.c_contiguous:
        raise NotImplementedError("reference_impl: as_strided_ on a tensor whose storage is not contiguous")
    flat = owner.reshape(-1)
    offset = (tensor._data.__array_interface__["data"][0] - flat.__array_interface__["data"][0]) // flat.itemsize
    return flat, offset


def _as_strided_array(a, size, stride, offset):
    """a's storage (its owning array, C-ordered) seen with the given geometry (torch's as_strided)."""
    owner = a
    while owner.base is not None and isinstance(owner.base, np.ndarray):
        owner = owner.base
    flat = owner.reshape(-1)
    return np.lib.stride_tricks.as_strided(flat[offset:], size, tuple(s * flat.itemsize for s in stride))


def _as_strided_step_tensor(tensor, size, stride, offset):
    raise NotImplementedError("reference_impl: replaying as_strided_ on a tensor (create_graph through CopySlices)")


@tensor_method("as_strided_")
def as_strided_(self, size, stride, storage_offset=None):
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    flat, old_offset = _storage_of(self)
    offset = old_offset if storage_offset is None else int(storage_offset)
    needed = offset + 1 + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else 0
    if needed > flat.size:
        raise RuntimeError(f"setStorage: sizes {_dims(size)}, strides {_dims(stride)}, storage offset {offset}, and "
                           f"itemsize {flat.itemsize} requiring a storage size of {needed * flat.itemsize} are out "
                           f"of bounds for storage of size {flat.size * flat.itemsize}")
    # The node's gradient reaches self's old elements through the storage; supported when those elements are
    # storage[old_offset:old_offset + numel] in order and the new geometry stays inside them.
    numel = self._data.size
    relative = (size, stride, offset - old_offset)
    chain = (ViewStep(_as_strided_array, _as_strided_step_tensor, relative),)
    if self.requires_grad and _GRAD_MODE.grad_enabled and (
            not self._data.flags.c_contiguous or offset < old_offset or needed > old_offset + numel):
        raise NotImplementedError("reference_impl: as_strided_ reaching storage outside a tensor that requires grad")
    return _inplace_view(AS_STRIDED_INPLACE, self, ViewStep(_as_strided_array, _as_strided_step_tensor,
                                                             (size, stride, offset)),
                         self_sym_sizes=self._data.shape, view_chain=chain)


# ----------------------------------------------------------------- resize
@tensor_method("resize_")
def resize_(self, *sizes, memory_format=None):
    """torch's resize_: refused for a tensor that requires grad; otherwise contiguous over the same storage
    (grown if needed), the version bumped when the sizes change (from 2.1)."""
    sizes = shape_arg(sizes)
    _check_resize(self, inference_first=True)
    _resize(self, sizes)
    return self


def _resize(self, sizes):
    if any(s < 0 for s in sizes):
        raise RuntimeError("numel: integer multiplication overflow")
    if sizes == self._data.shape:
        return
    numel = math.prod(sizes)
    data = self._data
    if data.flags.c_contiguous and numel <= data.size:
        self._data = data.reshape(-1)[:numel].reshape(sizes)
    else:
        try:
            flat, offset = _storage_of(self)
        except NotImplementedError:
            flat, offset = np.ascontiguousarray(data).reshape(-1), 0
        if offset + numel <= flat.size:
            self._data = flat[offset:offset + numel].reshape(sizes)
        else:  # torch grows the storage; the new elements are uninitialised (zeros here)
            grown = np.zeros(numel, data.dtype)
            old = flat[offset:]
            grown[:old.size] = old
            self._data = grown.reshape(sizes)
    if _behaviour.value("tensor.resize_is_inplace"):
        self._bump_version()


def _check_resize(self, inference_first):
    """Outside inference mode: an inference tensor may not change, one that requires grad may not be resized
    (torch's resize_ checks the first first, resize_as_ the second). Inference mode skips both checks.
    Up to 2.0 resize_ is not an in-place op to torch: no inference tensor check, and resize_ (not resize_as_)
    of an inference tensor skips the requires-grad check too."""
    if _GRAD_MODE.inference:
        return
    if not _behaviour.value("tensor.resize_is_inplace"):
        if self.requires_grad and not (inference_first and self._is_inference_tensor):
            raise RuntimeError("cannot resize variables that require grad")
        return
    checks = [(self._is_inference_tensor, _messages.INFERENCE_INPLACE),
              (self.requires_grad, "cannot resize variables that require grad")]
    for failed, message in checks if inference_first else checks[::-1]:
        if failed:
            raise RuntimeError(message)


@tensor_method("resize_as_")
def resize_as_(self, the_template, memory_format=None):
    _check_resize(self, inference_first=False)
    _resize(self, the_template._data.shape)
    return self


@export("unsqueeze")
def unsqueeze(input, dim):
    d = wrap_dim(dim, input._data.ndim + 1)
    return UNSQUEEZE.record_view(unsqueeze_like_torch(input._data, d), input,
                                 ViewStep(unsqueeze_like_torch, unsqueeze, (d,)),
                                 self=input, dim=d)


@tensor_method("expand")
def expand(self, *sizes):
    sizes = shape_arg(sizes)
    shape = self._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{_dims(shape)}}}, size={_dims(sizes)}): the number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    target = list(sizes)
    for i, size in enumerate(shape):
        want = sizes[lead + i]
        if want == -1:
            target[lead + i] = size
        elif size != want and size != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) must match the existing size ({size}) at non-singleton "
                f"dimension {lead + i}.  Target sizes: {_dims(sizes)}.  Tensor sizes: {_dims(shape)}")
    target = tuple(target)
    return EXPAND.record_view(_expand_array(self._data, target), self, ViewStep(_expand_array, expand, (target,)),
                              self=self, self_sym_sizes=shape)


@tensor_method("expand_as")
def expand_as(self, other):
    return expand(self, other._data.shape)


@export("broadcast_to")
def broadcast_to(input, size):
    return expand(input, size)


@export("select")
def select_checked(input, dim, index):
    """torch.select / Tensor.select: its own out-of-range text (indexing's is raised by select below)."""
    shape = input._data.shape
    if shape:
        d = wrap_dim(dim, len(shape))
        if not -shape[d] <= index < shape[d]:
            raise IndexError(f"select(): index {index} out of range for tensor of size {_dims(shape)} at "
                             f"dimension {d}")
    return select(input, dim, index)


def select(input, dim, index):
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(shape))
    size = shape[d]
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension {d} with size {size}")
    index = index % size
    return SELECT.record_view(_select_array(input._data, d, index), input,
                              ViewStep(_select_array, select, (d, index)), self=input, self_sym_sizes=shape, dim=d,
                              index=index)


def _slice(input, dim, start, end, step):
    size = input._data.shape[dim]
    if step <= 0:
        raise ValueError("step must be greater than zero")
    start, end = _clamp_index(start, size, 0), _clamp_index(end, size, size)
    end = max(end, start)
    data = _slice_array(input._data, dim, start, end, step)
    return SLICE.record_view(data, input, ViewStep(_slice_array, _slice, (dim, start, end, step)), self=input,
                             self_sym_sizes=input._data.shape, dim=dim, start=start, end=end, step=step)


def _clamp_index(value, size, default):
    if value is None:
        return default
    value = int(value)
    if value < 0:
        value += size
    return min(max(value, 0), size)


@export("narrow")
def narrow(input, dim, start, length):
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    start = start + size if start < 0 else start
    if start + length > size or length < 0:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return _slice(input, d, start, start + length, 1)


@export("alias", method=False)
def alias(input):
    return ALIAS.record_view(_alias_array(input._data), input, ViewStep(_alias_array, alias, ()), self=input)


@export("unbind")
def unbind(input, dim=0):
    shape = input._data.shape
    if not shape:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, len(shape))
    datas = [_select_array(input._data, d, i) for i in range(shape[d])]
    steps = [ViewStep(_select_array, select, (d, i)) for i in range(shape[d])]
    return UNBIND.record_multi(datas, views_of=input, view_steps=steps, self=input, dim=d)


@export("split")
def split(input, split_size_or_sections, dim=0):
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    size = shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != size:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at dimension "
                f"{d}), but got split_sizes={_dims(sizes)}")
        derivative = SPLIT_WITH_SIZES
    else:
        chunk = int(split_size_or_sections)
        sizes = [min(chunk, size - start) for start in range(0, size, chunk)] if chunk else [0]
        if size == 0:
            sizes = [0]
        derivative = SPLIT
    starts = np.cumsum([0] + sizes[:-1])
    steps = [ViewStep(_slice_array, _slice, (d, int(s), int(s) + n, 1)) for s, n in zip(starts, sizes)]
    datas = [_slice_array(input._data, d, *step.args[1:]) for step in steps]
    return derivative.record_multi(datas, views_of=input, view_steps=steps, self=input, dim=d)


@export("chunk")
def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    size = input._data.shape[wrap_dim(dim, input._data.ndim)]
    return split(input, max(1, -(-size // chunks)), dim)


# ----------------------------------------------------------------- indexing
def _is_int_index(item):
    if isinstance(item, Tensor):
        return item._data.ndim == 0 and item._data.dtype.kind in "iu" and not item.requires_grad
    return isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_))


def _is_advanced(item):
    return isinstance(item, (Tensor, list, np.ndarray, bool, np.bool_))


def _basic_dims_used(item):
    if item is None or item is Ellipsis:
        return 0
    if isinstance(item, Tensor) and item._data.dtype == np.bool_:
        return item._data.ndim
    if isinstance(item, (bool, np.bool_)):
        return 0
    return 1


@tensor_method("__getitem__")
def getitem(self, index):
    """torch's indexing: basic indices become select/slice/unsqueeze views, the rest one index op."""
    items = index if isinstance(index, tuple) else (index,)
    if index is Ellipsis:
        return alias(self)
    if isinstance(index, slice):  # a lone slice is always recorded, even when it takes everything
        return _slice(self, 0, index.start, index.stop, 1 if index.step is None else index.step)
    result, advanced = _apply_basic_indices(self, items)
    if advanced:
        return index_tensor(result, advanced)
    if result is self:
        return alias(self)
    return result


def _apply_basic_indices(self, items):
    """torch's applySlicing, shared by getitem and setitem: integers select, slices slice (a whole-dim ':'
    skipped from 2.9), None and booleans unsqueeze; the index arrays are returned by the dim of the result
    they index."""
    result, dim = self, 0
    advanced = {}
    used = sum(_basic_dims_used(item) for item in items)
    if used > self._data.ndim:
        raise IndexError(f"too many indices for tensor of dimension {self._data.ndim}")
    for item in items:
        if _is_int_index(item):
            result = select(result, dim, int(item))
        elif isinstance(item, slice):
            size = result._data.shape[dim]
            start, stop, step = item.start, item.stop, 1 if item.step is None else item.step
            # torch's slice optimization: skipped only if start is literally 0 (or omitted), not e.g. -size
            full = (start is None or start == 0) and _clamp_index(stop, size, size) == size and step == 1
            if not full or _behaviour.value("indexing.full_slice_recorded"):
                result = _slice(result, dim, start, stop, step)
            dim += 1
        elif item is None:
            result = unsqueeze(result, dim)
            dim += 1
        elif item is Ellipsis:
            dim += self._data.ndim - used
        elif isinstance(item, (bool, np.bool_)):
            result = unsqueeze(result, dim)
            advanced[dim] = np.array([bool(item)])
            dim += 1
        elif _is_advanced(item):
            array = _index_array(item)
            advanced[dim] = array
            dim += array.ndim if array.dtype == np.bool_ else 1
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             "valid indices (got " + type(item).__name__ + ")")
    return result, advanced


def _index_array(item):
    if isinstance(item, Tensor):
        array = item._data
    else:
        array = np.asarray(item)
        if array.dtype.kind == "f":  # torch makes a sequence of numbers a long index (floats truncated, [] too)
            array = array.astype(np.int64)
        if array.size == 0:
            array = array.astype(np.int64)
    if not _behaviour.value("indexing.int32_index_tensors"):  # 1.13: long, byte or bool only
        if array.dtype.kind not in "ub" and array.dtype != np.int64:
            raise IndexError("tensors used as indices must be long, byte or bool tensors")
    elif array.dtype.kind not in "iub":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return array


def _numpy_key(ndim, advanced):
    key, dim = [], 0
    while dim < ndim:
        if dim in advanced:
            array = advanced[dim]
            key.append(array)
            dim += array.ndim if array.dtype == np.bool_ else 1
        else:
            key.append(slice(None))
            dim += 1
    return tuple(key)


def index_tensor(input, advanced):
    key = _numpy_key(input._data.ndim, advanced)
    for dim, array in advanced.items():
        if array.dtype != np.bool_:
            size = input._data.shape[dim]
            bad = array[(array >= size) | (array < -size)]
            if bad.size:
                raise IndexError(f"index {int(bad.reshape(-1)[0])} is out of bounds for dimension {dim} with size "
                                 f"{size}")
    # torch's index result is a fresh contiguous tensor; NumPy's fancy indexing may lay it out otherwise
    return INDEX.record(np.ascontiguousarray(input._data[key]), self=input, self_sym_sizes=input._data.shape,
                        indices=key)


@tensor_method("__setitem__")
def setitem(self, index, value):
    items = index if isinstance(index, tuple) else (index,)
    if any(_is_advanced(item) and not _is_int_index(item) for item in items):
        _setitem_advanced(self, items, value)
        return
    target = self if index is Ellipsis or _takes_everything(self, index) else getitem(self, index)
    if is_number(value):
        if _behaviour.value("indexing.setitem_number_fills"):  # from 2.15: fill_(Scalar), no edge for it
            fill_(target, value)
            return
        value = _make(np.asarray(value, self._data.dtype))  # before: a 0-d tensor, then filled with it
    if isinstance(value, Tensor) and value._data.ndim == 0:
        fill_(target, value)
    else:
        if isinstance(value, Tensor) and value._data.shape != target._data.shape:
            # torch's copy_to: a view without the value's leading 1s, expanded to the target if still different
            sizes = value._data.shape
            lead = next((i for i, s in enumerate(sizes) if s != 1), len(sizes))
            value = view(value, sizes[lead:])
            if value._data.shape != target._data.shape:
                value = expand(value, target._data.shape)
        copy_(target, value)


def _setitem_advanced(self, items, value):
    """The basic indices first (a view when they take less than everything), then index_put_ on it."""
    target, advanced = _apply_basic_indices(self, items)
    if is_number(value):
        if _behaviour.value("indexing.setitem_number_fills"):
            _fill_advanced(target, advanced, value)
            return
        value = _make(np.asarray(value, self._data.dtype))
    index_put_(target, _numpy_key(target._data.ndim, advanced), value)


def _fill_advanced(self, advanced, value):
    """t[index] = number from torch 2.15: one boolean mask is a masked_fill_ (the mask shaped to broadcast
    against t), one integer index an index_fill_ along its dimension (the index flattened); several index
    tensors are still an index_put_ of the number as a 0-d tensor."""
    if len(advanced) == 1:
        ((dim, array),) = advanced.items()
        ndim = self._data.ndim
        if array.dtype == np.bool_ and dim + array.ndim <= ndim \
                and array.shape == self._data.shape[dim:dim + array.ndim]:
            return masked_fill_(self, _make(array.reshape(array.shape + (1,) * (ndim - dim - array.ndim))), value)
        if array.dtype != np.bool_ and dim < ndim:
            size = self._data.shape[dim]
            flat = array.reshape(-1).astype(np.int64)
            bad = flat[(flat >= size) | (flat < -size)]
            if bad.size:
                raise IndexError(f"index {int(bad[0])} is out of bounds for dimension {dim} with size {size}")
            return index_fill_(self, dim, _make(flat), value)
    return index_put_(self, _numpy_key(self._data.ndim, advanced), _make(np.asarray(value, self._data.dtype)))


def _takes_everything(self, index) -> bool:
    """A lone slice over the whole first dim: torch's set_item skips it (its slice optimization, which
    getitem turns off for a lone slice), so the write goes to the tensor itself."""
    if not isinstance(index, slice) or not self._data.ndim:
        return False
    size = self._data.shape[0]
    if not _behaviour.value("indexing.setitem_full_slice_skipped"):  # older torch: the unclamped stop must be
        return index.start in (None, 0) and index.stop == size and index.step in (None, 1)  # the size itself
    return index.start in (None, 0) and _clamp_index(index.stop, size, size) == size and index.step in (None, 1)


# ----------------------------------------------------------------- copies and conversions
def _copy_kernel_version(source, result):
    """clone/_to_copy of an inference tensor outside inference mode run as empty + copy_, and that
    copy_ is counted on the new (normal) tensor: version 1. Normal inputs copy below autograd: 0."""
    if source._is_inference_tensor and not _GRAD_MODE.inference:
        if source._requires_grad and _GRAD_MODE.grad_enabled:  # that copy_ is recorded: CopyBackwards
            return copy_(Tensor._make(np.empty_like(result._data)), source)
        result._bump_version()
    return result


@export("clone")
def clone(input, *, memory_format=None):
    return _copy_kernel_version(input, CLONE.record(clone_keeping_layout(input._data), self=input))


@tensor_method("contiguous")
def contiguous(self, memory_format=None):
    """self if already C-contiguous, else a C-ordered copy (clone with MemoryFormat::Contiguous)."""
    if self._data.flags.c_contiguous:
        return self
    return CLONE.record(np.ascontiguousarray(self._data), self=self)


def _convert(self, dtype):
    if self._data.dtype == dtype.numpy:
        return self
    return _copy_kernel_version(self, TO_COPY.record(self._data.astype(dtype.numpy), self=self,
                                                     self_dtype=self._data.dtype))


@tensor_method("to")
def to(self, *args, **kwargs):
    dtype = kwargs.get("dtype")
    for arg in args:
        if isinstance(arg, _dtypes.dtype):
            dtype = arg
        elif isinstance(arg, Tensor):
            dtype = arg.dtype
    return self if dtype is None else _convert(self, dtype)


@tensor_method("type")
def type_(self, dtype=None):
    if dtype is None:
        return _dtypes.legacy_type_name(self.dtype)
    return _convert(self, dtype)


for _name, _dtype in (("double", _dtypes.float64), ("float", _dtypes.float32), ("half", _dtypes.float16),
                      ("long", _dtypes.int64), ("int", _dtypes.int32), ("short", _dtypes.int16),
                      ("char", _dtypes.int8), ("byte", _dtypes.uint8), ("bool", _dtypes.bool)):
    tensor_method(_name)(lambda self, _d=_dtype: _convert(self, _d))


@export("cat", "concat", "concatenate", method=False)
def cat(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    parts = [t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)] or tensors[:1]
    ndim = parts[0]._data.ndim
    if ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    for t in parts:
        if t._data.ndim != ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ndim} and {t._data.ndim}")
    d = wrap_dim(dim, ndim)
    dtype = _dtypes.result_type(*parts) if len(parts) > 1 else parts[0].dtype
    for i, t in enumerate(parts):
        for axis, (a, b) in enumerate(zip(t._data.shape, parts[0]._data.shape)):
            if axis != d and a != b:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size {b} but got "
                                   f"size {a} for tensor number {i} in the list.")
    data = np.concatenate([as_array(t, dtype.numpy) for t in parts], axis=d)
    return CAT.record(data, tensors=tensors, sizes=[t._data.shape for t in tensors], dim=d)


@export("stack", method=False)
def stack(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != first:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {_dims(first)} at entry 0 and "
                               f"{_dims(t._data.shape)} at entry {i}")
    d = wrap_dim(dim, len(first) + 1)
    dtype = _dtypes.result_type(*tensors)
    data = np.stack([as_array(t, dtype.numpy) for t in tensors], axis=d)
    return STACK.record(data, tensors=tensors, dim=d, count=len(tensors))


# ----------------------------------------------------------------- writes
def _fill_array(data, value, check_overlap: bool = False) -> None:
    """fill_(number)/zero_ write one value everywhere: torch allows them on an expanded tensor (no overlap
    check); fill_(tensor) is a copy_ inside, which checks."""
    writable(data, check_overlap).fill(value)


@tensor_method("copy_")
def copy_(self, src, non_blocking=False):
    value = src._data if isinstance(src, Tensor) else np.asarray(src)
    broadcast_shapes(self._data.shape, value.shape)

    def compute():  # the overlap check is the kernel's: after autograd's in-place checks, as in torch
        np.copyto(writable(self._data), value, casting="unsafe")

    return COPY.record_inplace(self, compute, self=self, src=src, src_dtype=value.dtype)


@tensor_method("zero_")
def zero_(self):
    return ZERO.record_inplace(self, lambda: _fill_array(self._data, 0), self=self)


@tensor_method("fill_")
def fill_(self, value):
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        return FILL_TENSOR.record_inplace(self, lambda: _fill_array(self._data, value._data.item(), True),
                                          self=self, value=value)
    return FILL.record_inplace(self, lambda: _fill_array(self._data, value), self=self)
