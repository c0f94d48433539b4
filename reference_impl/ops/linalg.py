"""Matrix products: mm, mv, dot, bmm, outer and matmul (torch's dispatch over ranks)."""
from __future__ import annotations

import math

import numpy as np

from .. import _behaviour, _dtypes
from .._tensor import Tensor, _c10_dtype_name
from ._common import broadcast_shapes, export, tensor_method
from ._derivative import Derivative
from .shape import expand, reshape, squeeze, squeeze_, transpose, unsqueeze, contiguous, UNSAFE_VIEW

def _column_major(sizes, strides) -> bool:
    """torch's test in mm_mat1/mat2_backward (true for every 1x1 matrix and every transposed one)."""
    return strides[0] == 1 and strides[1] == sizes[0]


def mm_mat1_backward(F, grad, mat2, sizes, strides):
    """A column-major mat1 gets its gradient as a transposed product (a view: not summed in place)."""
    if _column_major(sizes, strides):
        return F.t(F.mm(mat2, F.t(grad)))
    return F.mm(grad, F.t(mat2))


def mm_mat2_backward(F, grad, mat1, sizes, strides):
    if _column_major(sizes, strides):
        return F.t(F.mm(F.t(grad), mat1))
    return F.mm(F.t(mat1), grad)


MM = Derivative("MmBackward0",
                self=lambda F, grad, mat2, self_sym_sizes, self_sym_strides:
                mm_mat1_backward(F, grad, mat2, self_sym_sizes, self_sym_strides),
                mat2=lambda F, grad, self, mat2_sym_sizes, mat2_sym_strides:
                mm_mat2_backward(F, grad, self, mat2_sym_sizes, mat2_sym_strides))
MV = Derivative("MvBackward0", self=lambda F, grad, vec: F.reshape(grad, (-1, 1)) * vec,
                vec=lambda F, grad, self: F.mv(F.t(self), grad))
DOT = Derivative("DotBackward0", self=lambda F, grad, tensor: grad * tensor, tensor=lambda F, grad, self: grad * self)
BMM = Derivative("BmmBackward0", self=lambda F, grad, mat2: F.bmm(grad, F.transpose(mat2, 1, 2)),
                 mat2=lambda F, grad, self: F.bmm(F.transpose(self, 1, 2), grad))


def _same_dtype(a, b, what="m1 and m2"):
    if a._data.dtype != b._data.dtype and _behaviour.value("ops.linalg.legacy_mm_mv_messages"):
        raise RuntimeError(f"expected scalar type {_dtypes.scalar_type_name(a.dtype)} but found "
                           f"{_dtypes.scalar_type_name(b.dtype)}")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected {what} to have the same dtype, but got: {_c10_dtype_name(a._data.dtype)} != "
                           f"{_c10_dtype_name(b._data.dtype)}")


@export("mm")
def mm(input, mat2):
    a, b = input._data, mat2._data
    shapes, not_matrix = _behaviour.value("ops.mm.error_messages")
    if a.ndim != 2:
        raise RuntimeError(not_matrix.format(arg="self", ndim=a.ndim))
    if b.ndim != 2:
        raise RuntimeError(not_matrix.format(arg="mat2", ndim=b.ndim))
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(shapes.format(a0=a.shape[0], a1=a.shape[1], b0=b.shape[0], b1=b.shape[1]))
    _same_dtype(input, mat2)
    return MM.record(a @ b, self=input, mat2=mat2, self_sym_sizes=a.shape, self_sym_strides=input.stride(),
                     mat2_sym_sizes=b.shape, mat2_sym_strides=mat2.stride())


@export("mv")
def mv(input, vec):
    a, v = input._data, vec._data
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0] and _behaviour.value("ops.linalg.legacy_mm_mv_messages"):
        raise RuntimeError(f"size mismatch, got {a.shape[0]}, {a.shape[0]}x{a.shape[1]},{v.shape[0]}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), "
                           f"vec ({v.shape[0]})")
    if a.dtype != v.dtype:  # mv is addmv into a result made like vec: torch names (result, mat, vec)
        vec_name, mat_name = _dtypes.scalar_type_name(vec.dtype), _dtypes.scalar_type_name(input.dtype)
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {vec_name}, {mat_name}, and "
                           f"{vec_name}")
    return MV.record(a @ v, self=input, vec=vec)


@export("dot", "inner")
def dot(input, tensor):
    a, b = input._data, tensor._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape != b.shape:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
                           f"have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements "
                           "respectively")
    if a.dtype != b.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {_dtypes.scalar_type_name(input.dtype)} "
                           f"and {_dtypes.scalar_type_name(tensor.dtype)}")
    return DOT.record(np.asarray(np.dot(a, b)), self=input, tensor=tensor)


@export("bmm")
def bmm(input, mat2):
    a, b = input._data, mat2._data
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
                           f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_dtypes.scalar_type_name(input.dtype)} but found "
                           f"{_dtypes.scalar_type_name(mat2.dtype)}")
    return BMM.record(np.matmul(a, b), self=input, mat2=mat2)


@export("outer", "ger")
def outer(input, vec2):
    """Composite in torch: self.reshape({n, 1}) * vec2 (MulBackward0 over a view)."""
    from .pointwise import mul

    return mul(reshape(input, input._data.shape[0], 1), vec2)


def _should_fold_legacy(tensor, other_dim):
    """torch 1.13-2.0's should_fold(tensor1, dim_tensor2): fold a >= 3-D operand against a 1-D/2-D one, except
    a 3-D @ 2-D whose last two dims are transposed (first dim slowest): bmm handles that without a copy."""
    if not (tensor.dim() >= 3 and other_dim in (1, 2)):
        return False
    shape, strides = tensor._data.shape, tensor.stride()
    if tensor.dim() == 3 and other_dim == 2 and strides[-1] != 1 and strides[0] == shape[1] * shape[2]:
        return False
    return True


def _should_fold(t1, t2):
    """torch's should_fold: use one mm/mv over the folded batch instead of bmm."""
    if _behaviour.value("ops.matmul.fold_rule") == "1.13":
        return _should_fold_legacy(t1, t2.dim()) or _should_fold_legacy(t2, t1.dim())
    larger = t1.dim() >= t2.dim()
    big = t1 if larger else transpose(t2, -2, -1) if t2.dim() >= 2 else t2
    small_dim = t2.dim() if larger else t1.dim()
    if not (big.dim() >= 3 and small_dim <= 2):
        return False
    if (t2 if larger else t1).requires_grad:
        return True
    if t1.dim() == 2:
        return False
    if big.numel() == 0:
        return True
    shape, strides = big._data.shape, big._data.strides
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(big.dim() - 2))


@export("matmul")
def matmul(input, other):
    """torch's _matmul_impl: the node structure depends on the operand ranks."""
    d1, d2 = input.dim(), other.dim()
    if d1 == 0 or d2 == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {d1}D and {d2}D")
    if d1 == 1 and d2 == 1:
        return dot(input, other)
    if d1 == 2 and d2 == 1:
        return mv(input, other)
    if d1 == 1 and d2 == 2:
        return squeeze_(mm(unsqueeze(input, 0), other), 0)
    if d1 == 2 and d2 == 2:
        return mm(input, other)
    if _should_fold(input, other):
        return _folded_matmul(input, other)
    return _batched_matmul(input, other)


def _folded_matmul(tensor1, tensor2):
    swap = tensor2.dim() > tensor1.dim()
    t1 = transpose(tensor2, -2, -1) if swap else tensor1
    t2 = tensor2 if not swap else (tensor1.t() if tensor1.dim() == 2 else tensor1)
    sizes = t1._data.shape
    output_shape = list(sizes[:-1])
    folded = math.prod(output_shape)
    if t2.dim() == 2:
        output_shape.append(t2._data.shape[1])
    t1_folded = reshape(t1, folded, sizes[-1])
    if t2.dim() == 2:
        product = mm(t1_folded, t2)
        output = UNSAFE_VIEW.record(product._data.reshape(output_shape), self=product,
                                    self_sym_sizes=product._data.shape)
        return contiguous(transpose(output, -2, -1)) if swap else output
    product = mv(t1_folded, t2)
    return UNSAFE_VIEW.record(product._data.reshape(output_shape), self=product, self_sym_sizes=product._data.shape)


def _batched_matmul(tensor1, tensor2):
    d1, d2 = tensor1.dim(), tensor2.dim()
    s1, s2 = tensor1._data.shape, tensor2._data.shape
    n = s1[-2] if d1 > 1 else 1
    m1 = s1[-1]
    batch1 = s1[:max(d1 - 2, 0)]
    m2 = s2[-2] if d2 > 1 else s2[0]
    p = s2[-1] if d2 > 1 else 1
    batch2 = s2[:max(d2 - 2, 0)]
    if d1 == 3 and d2 == 3 and batch1[0] != batch2[0] and _behaviour.value("ops.matmul.fold_rule") != "1.13":
        if batch1[0] == 1 and tensor1.requires_grad:
            return matmul(squeeze(tensor1, 0), tensor2)
        if batch2[0] == 1 and tensor2.requires_grad:
            return matmul(tensor1, squeeze(tensor2, 0))
    if m1 != m2:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{math.prod(broadcast_shapes(batch1, batch2))}, {m1}] but got: "
                           f"[{math.prod(broadcast_shapes(batch1, batch2))}, {m2}].")
    output_shape = list(broadcast_shapes(batch1, batch2))
    batch = math.prod(output_shape)
    expanded1 = reshape(expand(tensor1, (*output_shape, n, m1)), batch, n, m1)
    if d2 == 1:
        expanded2 = unsqueeze(reshape(expand(tensor2, (*output_shape, m2)), batch, m2), 2)
    else:
        expanded2 = reshape(expand(tensor2, (*output_shape, m2, p)), batch, m2, p)
    if d1 > 1:
        output_shape.append(n)
    if d2 > 1:
        output_shape.append(p)
    product = bmm(expanded1, expanded2)
    if d2 == 1:
        product = squeeze(product, -1)
    return UNSAFE_VIEW.record(product._data.reshape(output_shape), self=product, self_sym_sizes=product._data.shape)


@tensor_method("__matmul__")
def _matmul_operator(self, other):
    return matmul(self, other) if isinstance(other, Tensor) else NotImplemented  # Python raises TypeError


@tensor_method("__rmatmul__")
def _rmatmul_operator(self, other):
    return matmul(other, self) if isinstance(other, Tensor) else NotImplemented

