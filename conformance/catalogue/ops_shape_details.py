"""Details of shape, creation and matrix-product ops: tensor() from nested data and 0-d tensors, arange with
a start and a step, as_tensor/from_numpy sharing, random factories with their own generator, dtype
conversion methods, indexing with booleans/None/lists, cat/split/stack edge sizes, the matmul forms that
fold or broadcast batches, and the error texts of each."""
from __future__ import annotations

import numpy as np

from ..scenario import engine, scenario, torch_docs

DERIV = "tools/autograd/derivatives.yaml"
LINEAR_ALGEBRA = "aten/src/ATen/native/LinearAlgebra.cpp"
INDEXING = "torch/csrc/autograd/python_variable_indexing.cpp"


def _leaf(t, data, **kwargs):
    return t.tensor(data, requires_grad=True, **kwargs)


def _backward(t, ctx, y):
    """y.backward with a deterministic, non-uniform gradient of y's shape."""
    y.backward(t.tensor(ctx.randn(*y.shape)))


def _ints(t, ctx, *shape):
    """Small integers as floats: matrix products of them are exact whatever the summation order."""
    return t.tensor(ctx.randint(-3, 4, *shape), dtype=t.float32)


def _int_leaf(t, ctx, *shape):
    return _ints(t, ctx, *shape).requires_grad_()


def _int_backward(t, ctx, y):
    y.backward(_ints(t, ctx, *y.shape))


def _edges(node):
    return [(None if fn is None else fn.name(), nr) for fn, nr in node.next_functions]


# ====================================================================== creation
@scenario("ops.tensor_from_zero_dim_tensor_elements",
          "tensor() of a list holding 0-d tensors reads their values; float, int and bool elements set the dtype",
          torch_docs("torch.tensor", "data can be a list of scalars, including 0-d tensors"))
def _(t, ctx):
    mixed = t.tensor([t.tensor(1.5), 2])
    ints = t.tensor([t.tensor(3), t.tensor(4)])
    int_and_float = t.tensor([t.tensor(3), 2.5])
    bools = t.tensor([t.tensor(True), t.tensor(False)])
    nested = t.tensor([[t.tensor(1.0), t.tensor(2.0)], [t.tensor(3.0), 4]])
    one_element = [t.tensor([[1.5]]), 2.0], [2.0, t.tensor([1.5])], [t.tensor([1.5]), t.tensor([2.0])]
    return {"mixed": mixed, "ints": ints, "int_and_float": int_and_float, "bools": bools, "nested": nested,
            "one_element": [t.tensor(data) for data in one_element],
            "multi_element": ctx.capture(t.tensor, [t.tensor([1.0, 2.0])])}


@scenario("errors.tensor_ragged_and_invalid_data",
          "tensor() of ragged lists names the expected length, dim and the length got; a str element is invalid",
          torch_docs("torch.tensor", "data: a list, tuple, NumPy ndarray or scalar"))
def _(t, ctx):
    return {"longer": ctx.capture(t.tensor, [[1, 2], [3, 4, 5]]),
            "shorter": ctx.capture(t.tensor, [[1.0, 2.0], [3.0]]),
            "deeper": ctx.capture(t.tensor, [[[1, 2]], [[3]]]),
            "str_element": ctx.capture(t.tensor, [1, "a"]),
            "str_data": ctx.capture(t.tensor, "a")}


@scenario("ops.arange_start_end_step", "arange with a start, a step (int, float, negative): count and values",
          torch_docs("torch.arange", "ceil((end - start) / step) values start, start + step, ..."))
def _(t, ctx):
    return {"odd": t.arange(1, 7, 2), "by_three": t.arange(2, 11, 3), "quarters": t.arange(1.0, 2.0, 0.25),
            "down": t.arange(5, 1, -2), "float_step": t.arange(0, 1, 0.3), "negative_start": t.arange(-3, 3, 2),
            "zero_step": ctx.capture(t.arange, 0, 1, 0)}


@scenario("ops.as_tensor_shares_or_copies",
          "as_tensor returns the same tensor / shares the ndarray unless a dtype change forces a copy",
          torch_docs("torch.as_tensor", "no copy if data is a tensor or ndarray with the requested dtype"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0])
    a = np.array([1.0, 2.0, 3.0])
    shared, shared_dtype = t.as_tensor(a), t.as_tensor(a, dtype=t.float64)
    copied = t.as_tensor(a, dtype=t.float32)
    numpy_view = t.from_numpy(a)
    a[0] = 7.0
    return {"same_tensor": t.as_tensor(x) is x, "same_tensor_dtype": t.as_tensor(x, dtype=t.float32) is x,
            "converted": t.as_tensor(x, dtype=t.float64), "shared": shared, "shared_dtype": shared_dtype,
            "copied": copied, "from_numpy": numpy_view, "from_list": t.as_tensor([1, 2]),
            "from_numpy_list": ctx.capture(t.from_numpy, [1.0, 2.0])}


@scenario("ops.random_factories_generator",
          "randn/rand shapes and dtypes; a reseeded Generator repeats its draws; *_like need no grad; seeds",
          torch_docs("torch.Generator", "manual_seed sets the seed; initial_seed returns it; seed() draws one"))
def _(t, ctx):
    g = t.Generator()
    fresh_seed = g.initial_seed()
    g.manual_seed(7)
    first = t.randn(4, generator=g)
    g.manual_seed(7)
    again = t.randn(4, generator=g)
    base = t.ones(2, 3, dtype=t.float64)
    like, rand_like = t.randn_like(base), t.rand_like(base)
    drawn = t.Generator().seed()
    previous = t.initial_seed()
    global_seed = t.seed()
    reseeded = t.initial_seed() == global_seed
    t.manual_seed(previous)
    plain = t.randn(2, 3)
    return {"fresh_seed": fresh_seed, "repeats": bool((first == again).all()), "first_shape": first.shape,
            "plain": (plain.shape, plain.dtype, plain.requires_grad),
            "rand": (t.rand(3, 1).shape, t.rand(2, dtype=t.float64).dtype),
            "randn_like": (like.shape, like.dtype, like.requires_grad, like.is_leaf),
            "rand_like": (rand_like.shape, rand_like.dtype, rand_like.requires_grad),
            "randn_like_grad": t.randn_like(base, requires_grad=True).requires_grad,
            "generator_seed_is_large": drawn > 2 ** 20, "global_seed_is_large": global_seed > 2 ** 20,
            "reseeded": reseeded}


@scenario("ops.factory_functions_not_methods", "factories (full, zeros, rand, randn, *_like, ...) are functions "
          "only: no Tensor.full method",
          torch_docs("torch.full", "torch.full(size, fill_value) creates a tensor; it is not a Tensor method"))
def _(t, ctx):
    x = t.ones(2)
    factories = ("full", "zeros", "ones", "empty", "arange", "linspace", "eye", "rand", "randn", "randint",
                 "zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like", "as_tensor",
                 "from_numpy", "manual_seed", "tensor")
    return {"methods": {name: hasattr(x, name) for name in factories},
            "full_int": t.full((2, 2), 3), "full_float": t.full((2,), 1.5), "full_bool": t.full((1, 2), True)}


# ====================================================================== linalg
@scenario("errors.matmul_family_error_texts",
          "mm/mv/dot/bmm/matmul reject wrong ranks, sizes and dtypes with their own texts",
          engine(LINEAR_ALGEBRA, "each product checks its operands' ranks, sizes and dtypes"))
def _(t, ctx):
    f32, f64 = t.ones(2, 3), t.ones(3, 2, dtype=t.float64)
    return {
        "dot_dtype": ctx.capture(t.dot, t.ones(2), t.ones(2, dtype=t.float64)),
        "dot_rank": ctx.capture(t.dot, t.ones(2, 2), t.ones(2, 2)),
        "dot_size": ctx.capture(t.dot, t.ones(2), t.ones(3)),
        "mm_self_1d": ctx.capture(t.mm, t.ones(3), t.ones(3, 2)),
        "mm_mat2_1d": ctx.capture(t.mm, t.ones(2, 3), t.ones(3)),
        "mm_dtype": ctx.capture(t.mm, f32, f64),
        "mv_matrix_vec": ctx.capture(t.mv, t.ones(2, 2), t.ones(2, 2)),
        "mv_3d": ctx.capture(t.mv, t.ones(2, 3, 3), t.ones(3)),
        "mv_size": ctx.capture(t.mv, t.ones(2, 3), t.ones(4)),
        "bmm_batch1_2d": ctx.capture(t.bmm, t.ones(3, 4), t.ones(2, 4, 5)),
        "bmm_batch2_2d": ctx.capture(t.bmm, t.ones(2, 3, 4), t.ones(2, 4)),
        "bmm_sizes": ctx.capture(t.bmm, t.ones(2, 3, 4), t.ones(2, 5, 6)),
        "bmm_batch": ctx.capture(t.bmm, t.ones(2, 3, 4), t.ones(3, 4, 6)),
        "matmul_0d_left": ctx.capture(t.matmul, t.tensor(1.0), t.ones(3)),
        "matmul_0d_right": ctx.capture(t.matmul, t.ones(3), t.tensor(1.0)),
        "matmul_0d_both": ctx.capture(t.matmul, t.tensor(1.0), t.tensor(2.0)),
        "matmul_batched_sizes": ctx.capture(t.matmul, t.ones(2, 3, 4), t.ones(2, 5, 6)),
        "matmul_1d_batched_sizes": ctx.capture(t.matmul, t.ones(5), t.ones(2, 4, 3)),
    }


@scenario("ops.outer_and_ger", "outer and its alias ger: a (n,1) view times the vector, MulBackward0",
          torch_docs("torch.outer", "outer product of two vectors; torch.ger is an alias"))
def _(t, ctx):
    a, b = _leaf(t, ctx.randn(2)), _leaf(t, ctx.randn(3))
    y, alias = t.outer(a, b), t.ger(a, b)
    _backward(t, ctx, y + alias)
    return {"y": y, "alias": alias, "edges": _edges(y.grad_fn), "a_grad": a.grad, "b_grad": b.grad}


@scenario("ops.matmul_1d_and_2d_with_3d", "1-D/2-D @ 3-D: bmm over the broadcast batch, or one mm when the "
          "small operand needs grad (folded, transposed back)",
          engine(LINEAR_ALGEBRA, "_matmul_impl: should_fold(tensor2.mT, tensor1) decides fold vs. bmm"))
def _(t, ctx):
    batch = _int_leaf(t, ctx, 2, 3, 4)
    vec, mat = _ints(t, ctx, 3), _ints(t, ctx, 5, 3)
    vec_batch, mat_batch = vec @ batch, mat @ batch
    vec_leaf, mat_leaf = _int_leaf(t, ctx, 3), _int_leaf(t, ctx, 5, 3)
    vec_folded, mat_folded = vec_leaf @ batch, mat_leaf @ batch
    _int_backward(t, ctx, vec_batch.sum() + mat_batch.sum() + vec_folded.sum() + mat_folded.sum())
    return {"vec_batch": vec_batch, "mat_batch": mat_batch, "vec_folded": vec_folded, "mat_folded": mat_folded,
            "batch_grad": batch.grad, "vec_grad": vec_leaf.grad, "mat_grad": mat_leaf.grad}


@scenario("ops.matmul_3d_with_1d_strided", "a non-contiguous 3-D @ 1-D goes through bmm (vector unsqueezed); "
          "contiguous or a vector needing grad folds into mv",
          engine(LINEAR_ALGEBRA, "_matmul_impl: should_fold needs foldable strides unless the small operand "
                                 "requires grad"))
def _(t, ctx):
    base = _int_leaf(t, ctx, 4, 2, 3)
    strided = base.transpose(0, 1)
    vec = _ints(t, ctx, 3)
    vec_leaf = _int_leaf(t, ctx, 3)
    batched, folded = strided @ vec, strided @ vec_leaf
    contiguous = base @ vec
    _int_backward(t, ctx, batched.sum() * 2 + folded.sum() + contiguous.sum())
    return {"batched": batched, "folded": folded, "contiguous": contiguous, "base_grad": base.grad,
            "vec_grad": vec_leaf.grad}


@scenario("ops.matmul_3d_transposed_with_2d", "a 3-D tensor transposed in its last two dims @ 2-D: "
          "folded into one mm, or (older torch) a bmm over the expanded matrix",
          engine(LINEAR_ALGEBRA, "_matmul_impl / should_fold: whether a transposed batch is folded changed"))
def _(t, ctx):
    a = _int_leaf(t, ctx, 2, 4, 3)
    b = _int_leaf(t, ctx, 4, 5)
    transposed = a.transpose(1, 2)
    y = transposed @ b
    _int_backward(t, ctx, y)
    names, stack, seen = [], [y.grad_fn], set()
    while stack:
        fn = stack.pop()
        if fn is None or fn.name() in seen:
            continue
        seen.add(fn.name())
        names.append(fn.name())
        stack.extend(f for f, _ in fn.next_functions)
    return {"y": y, "graph": sorted(names), "a_grad": a.grad, "b_grad": b.grad}


@scenario("ops.matmul_3d_batch_one_and_strided", "3-D @ 3-D with a batch of 1 needing grad squeezes it; a "
          "strided 3-D needing grad @ 2-D is bmm, not folded",
          engine(LINEAR_ALGEBRA, "_matmul_impl: a size-1 batch of an operand requiring grad is squeezed"))
def _(t, ctx):
    a = _ints(t, ctx, 2, 3, 4)
    one = _int_leaf(t, ctx, 1, 4, 5)
    squeezed = a @ one
    one_left = _int_leaf(t, ctx, 1, 3, 4)
    squeezed_left = one_left @ _ints(t, ctx, 2, 4, 5)
    base = _int_leaf(t, ctx, 3, 2, 4)
    strided = base.transpose(0, 1) @ _ints(t, ctx, 4, 5)
    broadcast = _int_leaf(t, ctx, 2, 1, 3, 4) @ _ints(t, ctx, 5, 4, 2)
    _int_backward(t, ctx, squeezed.sum() + squeezed_left.sum() + strided.sum() + broadcast.sum())
    return {"squeezed": squeezed, "squeezed_left": squeezed_left, "strided": strided, "broadcast": broadcast,
            "one_grad": one.grad, "one_left_grad": one_left.grad, "base_grad": base.grad}


@scenario("ops.mm_grad_layout_follows_input", "mm's gradient for a transposed (column-major) matrix is itself "
          "transposed: the grad's strides follow the input's layout",
          engine("torch/csrc/autograd/FunctionsManual.cpp", "mm_mat1_backward/mm_mat2_backward: a column-major "
                                                            "input gets grad computed as a transposed product"))
def _(t, ctx):
    m1 = _ints(t, ctx, 3, 2).t().requires_grad_()  # a (2, 3) leaf with strides (1, 2)
    m2 = _ints(t, ctx, 4, 3).t().requires_grad_()
    row, col = _int_leaf(t, ctx, 1, 3), _int_leaf(t, ctx, 3, 1)
    y, z = t.mm(m1, m2), t.mm(col, row)
    gy, gz = _ints(t, ctx, 2, 4), _ints(t, ctx, 3, 3)
    g1, g2 = t.autograd.grad(y, (m1, m2), gy)
    gc, gr = t.autograd.grad(z, (col, row), gz)
    return {"g1": g1, "g2": g2, "gc": gc, "gr": gr, "m1_stride": m1.stride(),
            "strides": [g.stride() for g in (g1, g2, gc, gr)],
            "contiguous": [g.is_contiguous() for g in (g1, g2, gc, gr)]}


@scenario("ops.mv_double_backward", "mv's gradient for the matrix is grad[:, None] * vec, differentiable again",
          engine(DERIV, "mv: self: grad.ger(vec.conj()), vec: self.conj().t().mv(grad)"))
def _(t, ctx):
    m, v = _int_leaf(t, ctx, 2, 3), _int_leaf(t, ctx, 3)
    gm, gv = t.autograd.grad(t.mv(m, v), (m, v), _ints(t, ctx, 2), create_graph=True)
    (gm.sum() + gv.sum()).backward()
    return {"gm": gm, "gv": gv, "m_grad": m.grad, "v_grad": v.grad}


@scenario("errors.matmul_with_non_tensor", "tensor @ list and list @ tensor raise TypeError (no conversion)",
          torch_docs("torch.Tensor.__matmul__", "the @ operator needs tensors on both sides"))
def _(t, ctx):
    x = t.ones(3)
    return {"right_list": ctx.capture(lambda: x @ [1.0, 2.0, 3.0]),
            "left_list": ctx.capture(lambda: [1.0, 2.0, 3.0] @ x), "left_int": ctx.capture(lambda: 2 @ x)}


# ====================================================================== shape
@scenario("ops.dtype_conversion_methods", "double/float/half/long/int/short/char/byte/bool convert (ToCopyBackward0 "
          "from a float leaf)", torch_docs("torch.Tensor.int", "self.int() is self.to(torch.int32)"))
def _(t, ctx):
    x = _leaf(t, [1.5, -2.0, 0.0])
    names = ("double", "float", "half", "long", "int", "short", "char", "byte", "bool")
    converted = {name: getattr(x.detach(), name)() for name in names}
    y = x.double()
    _backward(t, ctx, y)
    return {"converted": converted, "y": y, "x_grad": x.grad, "same_float": x.float() is x}


@scenario("ops.mt_batched_transpose", "x.mT swaps the last two dims of a batch (TransposeBackward0)",
          torch_docs("torch.Tensor.mT", "a view with the last two dimensions transposed"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2, 3, 4))
    y = x.mT
    _backward(t, ctx, y)
    return {"y": y, "x_grad": x.grad, "stride": y.stride()}


@scenario("ops.indexing_bool_none_and_after_slice",
          "x[True], x[0, True], x[None, 1], x[1:, 2], x[[0, 2], 1] and a 0-d int tensor index (a select)",
          engine(INDEXING, "applySlicing: True/None add a dim, a 0-d integer tensor is an integer index"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3, 4))
    zero_d = _leaf(t, 2.5)
    out = {"zero_d_true": zero_d[True], "zero_d_false": zero_d[False], "row_true": x[0, True],
           "none_row": x[None, 1], "slice_then_int": x[1:, 2], "list_then_int": x[[0, 2], 1],
           "int_then_list": x[1, [0, 3]], "tensor_int": x[t.tensor(1)], "tensor_int_col": x[:, t.tensor(2)],
           "ellipsis_true": x[..., True], "true_then_int": x[True, 1]}
    cube = _leaf(t, ctx.randn(2, 3, 4))
    cubed = {"slice_then_int": cube[1:, 2], "list_then_int": cube[[1, 0], 1], "true_then_int": cube[True, 1, 2],
             "none_then_ints": cube[None, 1, 2]}
    total = sum(v.sum() * (i + 1) for i, v in enumerate([*out.values(), *cubed.values()]))
    total.backward()
    return {**out, "cube": cubed, "x_grad": x.grad, "zero_d_grad": zero_d.grad, "cube_grad": cube.grad}


@scenario("errors.index_out_of_bounds_texts", "Out-of-range integer, index-tensor and select() indices: their texts",
          engine(INDEXING, "applySelect and index checks: 'index 3 is out of bounds for dimension 0 with size 3'"))
def _(t, ctx):
    x = t.arange(3.0)
    m = t.ones(2, 3)
    return {"int": ctx.capture(lambda: x[5]), "negative": ctx.capture(lambda: x[-4]),
            "tensor_at_size": ctx.capture(lambda: x[t.tensor([3])]),
            "tensor_negative": ctx.capture(lambda: x[t.tensor([-4])]),
            "tensor_last_ok": x[t.tensor([2, -3])], "list_at_size": ctx.capture(lambda: m[[0, 2]]),
            "column": ctx.capture(lambda: m[:, 3]),
            "select_0d": ctx.capture(t.select, t.tensor(1.0), 0, 0),
            "select_method": ctx.capture(x.select, 0, 5), "select_dim1": ctx.capture(m.select, 1, -4),
            "float_tensor": ctx.capture(lambda: x[t.tensor([1.0])])}


@scenario("ops.index_with_number_lists", "A list index is converted to a long tensor (floats truncated, [] empty); a "
          "list of bools is a mask", engine(INDEXING, "sequenceToVariable: indexing_tensor_from_data makes a Long "
                                                      "tensor unless the data is bool or uint8"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3, 2))
    out = {"empty": x[[]], "floats": x[[1.7, 0.2]], "negative_float": x[[-0.5]], "bools": x[[True, False, True]],
           "ints": x[[2, 0, 2]]}
    total = sum(v.sum() * (i + 1) for i, v in enumerate(out.values()))
    total.backward()
    return {**out, "x_grad": x.grad}


@scenario("views.setitem_leading_slice", "y[:2] = v writes two rows (CopySlices); y[:] = v copies over all of y",
          engine(INDEXING, "THPVariable_setitem: a full slice is skipped, a partial one is a slice view"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3, 2))
    v = _leaf(t, ctx.randn(2, 2))
    y = x * 1
    y[:2] = v
    z = x * 2
    z[:] = v[0]
    w = x * 3
    w[0:3] = 5.0
    (y.sum() + (z * 2).sum() + w.sum()).backward()
    return {"y": y, "z": z, "w": w, "x_grad": x.grad, "v_grad": v.grad}


@scenario("ops.cat_uneven_and_empty_inputs", "cat of inputs of sizes 1, 2, 3 and with empty (0,) / (0, 3) inputs: "
          "each input's slice of the gradient", engine(DERIV, "cat: cat_tensors_backward narrows grad per input; "
                                                              "legacy (0,) inputs are skipped"))
def _(t, ctx):
    a, b, c = _leaf(t, ctx.randn(1)), _leaf(t, ctx.randn(2)), _leaf(t, ctx.randn(3))
    y = t.cat([a, b, c])
    e, m = _leaf(t, t.zeros(0).tolist()), _leaf(t, ctx.randn(2, 3))
    legacy = t.cat([e, m, e], dim=1)
    rows = _leaf(t, t.zeros(0, 3).tolist())
    stacked = t.cat([rows, m], dim=0)
    mixed = t.cat([t.ones(2), t.ones(1, dtype=t.float64)])
    _backward(t, ctx, y)
    _backward(t, ctx, legacy)
    _backward(t, ctx, stacked)
    return {"y": y, "legacy": legacy, "stacked": stacked, "mixed": mixed, "a": a.grad, "b": b.grad, "c": c.grad,
            "e": e.grad, "m": m.grad, "rows": rows.grad, "rows_shape": rows.shape}


@scenario("ops.split_sizes_edge_cases", "split(1) of a size-1 dim is one piece; split(2) of 3 is 2+1; "
          "split_with_sizes must sum to the size",
          torch_docs("torch.split", "the last chunk is smaller if the size is not divisible"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(1, 3))
    one = x.split(1)
    pieces = x.split(2, dim=1)
    empty = t.zeros(0, 2).split(1)
    total = one[0].sum() + (pieces[0].sum() * 2 + pieces[1].sum() * 3)
    total.backward()
    return {"one": one, "pieces": pieces, "empty": empty, "x_grad": x.grad,
            "sizes_error": ctx.capture(x.split, [1, 1], 1), "chunk": x.chunk(2, 1)}


@scenario("errors.expand_narrow_view_fill_texts", "expand at a non-singleton dim, narrow past the end, two -1 in "
          "view, fill_ with a 1-D value: their texts; narrow of length 0 is empty",
          torch_docs("torch.Tensor.expand", "only singleton dimensions can be expanded"))
def _(t, ctx):
    x = t.ones(2, 3)
    return {"expand": ctx.capture(x.expand, 4, 2, 4), "expand_first": ctx.capture(x.expand, 3, 3),
            "narrow": ctx.capture(x.narrow, 1, 2, 2), "narrow_negative": ctx.capture(x.narrow, 1, -1, 2),
            "narrow_empty": x.narrow(1, 1, 0), "narrow_end_empty": x.narrow(1, 3, 0),
            "view_two_inferred": ctx.capture(x.view, -1, -1), "reshape_two_inferred": ctx.capture(x.reshape, -1, -1),
            "fill_1d": ctx.capture(x.clone().fill_, t.tensor([1.0, 2.0])), "fill_0d": x.clone().fill_(t.tensor(4.0))}


@scenario("ops.stack_negative_dim", "stack with dim=-1 inserts the new last dim; its gradient selects along it",
          torch_docs("torch.stack", "dim must be between -(input.dim()+1) and input.dim()"))
def _(t, ctx):
    a, b = _leaf(t, ctx.randn(2, 3)), _leaf(t, ctx.randn(2, 3))
    y = t.stack([a, b], dim=-1)
    z = t.stack([a, b], dim=-3)
    _backward(t, ctx, y)
    return {"y": y, "z_shape": z.shape, "a_grad": a.grad, "b_grad": b.grad,
            "too_far": ctx.capture(t.stack, [a, b], 3)}


@scenario("ops.squeeze_inplace_method", "y.squeeze_(dim) squeezes in place: same tensor, version bumped, "
          "SqueezeBackward4", torch_docs("torch.Tensor.squeeze_", "in-place version of squeeze()"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(1, 3))
    y = x * 2
    r = y.squeeze_(0)
    kept = x * 3
    kept.squeeze_(1)
    _backward(t, ctx, r + kept.sum())
    return {"y": y, "same": r is y, "version": y._version, "kept": kept, "x_grad": x.grad}


@scenario("ops.squeeze_inplace_dims_tuple", "y.squeeze_((d1, d2)) squeezes the size-1 dims among them in place "
          "and leaves the others (SqueezeBackward5)",
          torch_docs("torch.Tensor.squeeze_", "dim may be a tuple of dims (since 2.0)"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2, 1, 3, 1))
    y = x * 2
    result = ctx.capture(y.squeeze_, (1, 3))
    z = x * 3
    mixed = ctx.capture(z.squeeze_, (0, 1, -1))
    _backward(t, ctx, y.sum() + z.sum())
    return {"y": (tuple(y.shape), y.grad_fn.name(), y._version), "z": (tuple(z.shape), z.grad_fn.name()),
            "returned": ["self" if result is y else result, "self" if mixed is z else mixed], "x_grad": x.grad}


@scenario("views.setitem_basic_then_advanced", "y[0, [0, 2]] = v and y[1, :, [1, 3]] = v: basic indices first, "
          "then an index_put_ on that view",
          torch_docs("torch.Tensor.__setitem__", "basic and advanced indices mixed in one assignment"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2, 3, 4))
    y = x * 1
    y[0, [0, 2]] = 5.0
    y[1, :, [1, 3]] = t.tensor([1.0, 2.0])
    y[[0, 1], 1, 1:3] = -1.0
    name = y.grad_fn.name()
    _backward(t, ctx, y)
    return {"y": y, "name": name, "version": y._version, "x_grad": x.grad}


@scenario("views.setitem_into_expanded", "Indexed writes into a repeated expand (index list, mask, index_put_, "
          "masked_fill_) warn that this is deprecated and write through to the expanded tensor's memory",
          engine("aten/src/ATen/native/TensorAdvancedIndexing.cpp", "index_put_ / index_fill_ / masked_fill_: "
                                                                    "'Use of ... on expanded tensors is deprecated'"))
def _(t, ctx):
    out = {}
    writes = {"list": lambda e: e.__setitem__((slice(None), [0, 2]), 1.0),
              "list_tensor": lambda e: e.__setitem__((slice(None), [1]), t.tensor([4.0])),
              "mask": lambda e: e.__setitem__((slice(None), t.tensor([True, False, True])), 7.0),
              "index_put_": lambda e: e.index_put_((t.tensor([0]),), t.tensor(2.0)),
              "masked_fill_": lambda e: e.masked_fill_(t.tensor([False, True, False]), 3.0)}
    for name, write in writes.items():
        base = t.zeros(3)
        result = ctx.capture(write, base.expand(2, 3))
        out[name] = {"result": result, "base": base, "version": base._version}
    return out


@scenario("views.expand_without_repeat_writable", "expand that only adds leading size-1 dims is writable through; "
          "one that repeats elements refuses in-place writes",
          torch_docs("torch.Tensor.expand", "more than one element of an expanded tensor may refer to one location"))
def _(t, ctx):
    x = t.zeros(3)
    y = x.expand(1, 3)
    y.add_(1)
    z = x.expand(1, 1, 3)
    z.mul_(2)
    repeated = x.expand(2, 3)
    return {"x": x, "y": y, "z": z, "repeated_add": ctx.capture(repeated.add_, 1), "x_after": x}


@scenario("views.setitem_number_mask_leading_dims", "y[mask] = number with a mask over the leading dims, and "
          "y[index] = number along dim 0",
          torch_docs("torch.Tensor.__setitem__", "a boolean mask or an index tensor selects what is written"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2, 3))
    y = x * 1
    y[t.tensor([True, False])] = 5.0
    z = x * 2
    z[t.tensor([1])] = -1.0
    (y.sum() + (z * 3).sum()).backward()
    return {"y": y, "z": z, "x_grad": x.grad}


@scenario("ops.legacy_tensor_constructor", "torch.Tensor(sizes) / torch.Tensor(data): the default dtype, no grad",
          torch_docs("torch.Tensor", "torch.Tensor(*sizes) allocates (values unspecified); torch.Tensor(data) copies "
                                     "data into the default dtype"))
def _(t, ctx):
    sized, data, empty = t.Tensor(2, 3), t.Tensor([1, 2]), t.Tensor()
    return {"sized": (tuple(sized.shape), str(sized.dtype), sized.requires_grad, sized.is_leaf),
            "data": data, "from_ints_dtype": str(data.dtype), "empty": (tuple(empty.shape), str(empty.dtype)),
            "nested": t.Tensor([[1.5, 2], [3, 4]])}
