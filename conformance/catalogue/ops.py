"""Per-op behaviour: values, gradients (after a deterministic non-uniform backward), grad_fn names and the
backward graph of each op; broadcasting's gradient reduction; dtype promotion and which outputs can need grad."""
from __future__ import annotations

from ..scenario import engine, scenario, torch_docs

DERIV = "tools/autograd/derivatives.yaml"


def _leaf(t, data, **kwargs):
    return t.tensor(data, requires_grad=True, **kwargs)


def _backward(t, ctx, y):
    """y.backward with a deterministic, non-uniform gradient of y's shape; returns that gradient."""
    gradient = t.tensor(ctx.randn(*y.shape))
    y.backward(gradient)
    return gradient


def _edges(node):
    """node.next_functions as (name or None, input_nr) pairs."""
    return [(None if fn is None else fn.name(), nr) for fn, nr in node.next_functions]


# ====================================================================== arithmetic
@scenario("ops.add_sub_tensor_tensor", "x + y and x - y: AddBackward0/SubBackward0 with two AccumulateGrad edges",
          torch_docs("torch.add / torch.sub", "out = input + other; out = input - other"))
def _(t, ctx):
    x, y = _leaf(t, ctx.randn(3)), _leaf(t, ctx.randn(3))
    s, d = x + y, x - y
    g = _backward(t, ctx, s * 1.0 + d * 2.0)
    return {"sum": s, "diff": d, "edges": _edges(d.grad_fn), "x_grad": x.grad, "y_grad": y.grad, "gradient": g}


@scenario("ops.mul_div_tensor_tensor", "x * y and x / y: MulBackward0/DivBackward0 and their gradients",
          torch_docs("torch.mul / torch.div", "elementwise product and true division"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(4))
    y = _leaf(t, ctx.rand(4, low=0.5, high=2.0))
    p, q = x * y, x / y
    _backward(t, ctx, p + q)
    return {"p": p, "q": q, "x_grad": x.grad, "y_grad": y.grad}


@scenario("ops.tensor_scalar_right_operand", "x + 2, x - 2, x * 2, x / 2: the tensor op's node, the number a None edge",
          engine(DERIV, "a Python number operand is wrapped as a tensor: AddBackward0/SubBackward0/MulBackward0/"
                        "DivBackward0 get next_functions (AccumulateGrad, 0), (None, 0)"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    outs = {"add": x + 2, "sub": x - 2, "mul": x * 2, "div": x / 2}
    names = {k: (v.grad_fn.name(), _edges(v.grad_fn)) for k, v in outs.items()}
    _backward(t, ctx, outs["add"] + outs["sub"] + outs["mul"] + outs["div"])
    return {**outs, "names": names, "x_grad": x.grad}


@scenario("ops.rsub_scalar_tensor", "2 - x records RsubBackward1 and its gradient is -grad",
          engine(DERIV, "rsub.Scalar: a Python number minus a tensor"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    y = 2 - x
    g = _backward(t, ctx, y)
    return {"y": y, "x_grad": x.grad, "gradient": g}


@scenario("ops.rdiv_scalar_tensor", "2 / x is MulBackward0 over ReciprocalBackward0; grad -2/x^2",
          engine(DERIV, "Tensor.__rtruediv__ computes reciprocal() * 2"))
def _(t, ctx):
    x = _leaf(t, [0.5, 2.0, -4.0])
    y = 2 / x
    _backward(t, ctx, y)
    return {"y": y, "x_grad": x.grad, "inner": y.grad_fn.next_functions[0][0].name()}


@scenario("ops.pow_tensor_scalar", "x ** 2 and x ** 0.5 record PowBackward0 with grad n*x^(n-1)",
          torch_docs("torch.pow", "exponent is a float: out = input ** exponent"))
def _(t, ctx):
    x = _leaf(t, ctx.rand(3, low=0.5, high=2.0))
    sq, root = x ** 2, x ** 0.5
    _backward(t, ctx, sq + root)
    return {"sq": sq, "root": root, "x_grad": x.grad}


@scenario("ops.rpow_scalar_tensor", "2 ** x records PowBackward2 with grad 2^x ln 2",
          torch_docs("torch.pow", "self is a scalar and exponent a tensor"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    y = 2 ** x
    _backward(t, ctx, y)
    return {"y": y, "x_grad": x.grad}


@scenario("ops.pow_tensor_tensor", "x ** y records PowBackward1 with gradients to base and exponent",
          torch_docs("torch.pow", "both input and exponent are tensors"))
def _(t, ctx):
    x = _leaf(t, ctx.rand(3, low=0.5, high=2.0))
    y = _leaf(t, ctx.randn(3))
    z = x ** y
    _backward(t, ctx, z)
    return {"z": z, "x_grad": x.grad, "y_grad": y.grad, "edges": _edges(z.grad_fn)}


@scenario("ops.neg", "-x records NegBackward0 and negates the gradient",
          torch_docs("torch.neg", "out = -1 * input"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2, 2))
    y = -x
    g = _backward(t, ctx, y)
    return {"y": y, "x_grad": x.grad, "gradient": g, "same_as_neg": bool((t.neg(x) == y).all())}


# ====================================================================== matmul family
@scenario("ops.matmul_1d_1d_dot", "1-D @ 1-D is a 0-d DotBackward0, as is torch.dot",
          torch_docs("torch.matmul", "if both tensors are 1-dimensional, the dot product (scalar) is returned"))
def _(t, ctx):
    a, b = _leaf(t, ctx.randn(3)), _leaf(t, ctx.randn(3))
    y = a @ b
    d = t.dot(a, b)
    y.backward()
    return {"y": y, "dot": d, "a_grad": a.grad, "b_grad": b.grad}


@scenario("ops.matmul_2d_1d_mv", "2-D @ 1-D is MvBackward0, as is torch.mv",
          torch_docs("torch.matmul", "2-D by 1-D: the matrix-vector product is returned"))
def _(t, ctx):
    m, v = _leaf(t, ctx.randn(2, 3)), _leaf(t, ctx.randn(3))
    y = m @ v
    _backward(t, ctx, y)
    return {"y": y, "mv": t.mv(m, v), "m_grad": m.grad, "v_grad": v.grad}


@scenario("ops.matmul_1d_2d_squeeze_mm", "1-D @ 2-D is SqueezeBackward4 over MmBackward0 over UnsqueezeBackward0",
          torch_docs("torch.matmul", "1-D first argument: a 1 is prepended to its dimension, removed after"))
def _(t, ctx):
    v, m = _leaf(t, ctx.randn(3)), _leaf(t, ctx.randn(3, 2))
    y = v @ m
    _backward(t, ctx, y)
    return {"y": y, "v_grad": v.grad, "m_grad": m.grad}


@scenario("ops.matmul_2d_2d_mm", "2-D @ 2-D, torch.matmul and torch.mm all record MmBackward0",
          torch_docs("torch.mm", "matrix product of two 2-D tensors"))
def _(t, ctx):
    a, b = _leaf(t, ctx.randn(2, 3)), _leaf(t, ctx.randn(3, 4))
    y, y2, y3 = a @ b, t.matmul(a, b), t.mm(a, b)
    _backward(t, ctx, y)
    return {"y": y, "matmul": y2, "mm": y3, "a_grad": a.grad, "b_grad": b.grad}


@scenario("ops.matmul_3d_2d_unsafe_view", "3-D @ 2-D folds the batch: UnsafeViewBackward0 over MmBackward0",
          torch_docs("torch.matmul", "batched matrix times a broadcast 2-D matrix"))
def _(t, ctx):
    a, b = _leaf(t, ctx.randn(2, 2, 3)), _leaf(t, ctx.randn(3, 2))
    y = a @ b
    _backward(t, ctx, y)
    return {"y": y, "a_grad": a.grad, "b_grad": b.grad}


@scenario("ops.matmul_3d_3d_batched", "3-D @ 3-D goes through expand/view/BmmBackward0; torch.bmm is BmmBackward0",
          torch_docs("torch.bmm", "batch matrix-matrix product of 3-D tensors"))
def _(t, ctx):
    a, b = _leaf(t, ctx.randn(2, 2, 3)), _leaf(t, ctx.randn(2, 3, 2))
    y = a @ b
    z = t.bmm(a, b)
    _backward(t, ctx, y)
    return {"y": y, "bmm": z, "a_grad": a.grad, "b_grad": b.grad}


# ====================================================================== unary
@scenario("ops.exp_log_sqrt", "exp, log and sqrt: values, grads and ExpBackward0/LogBackward0/SqrtBackward0",
          torch_docs("torch.exp / torch.log / torch.sqrt", "elementwise exponential, natural log, square root"))
def _(t, ctx):
    x = _leaf(t, ctx.rand(4, low=0.25, high=3.0))
    e, lg, sq = t.exp(x), x.log(), t.sqrt(x)
    _backward(t, ctx, e + lg + sq)
    return {"exp": e, "log": lg, "sqrt": sq, "x_grad": x.grad}


@scenario("ops.sin_cos_tanh_sigmoid", "sin, cos, tanh, sigmoid: values, grads and node names",
          torch_docs("torch.sin / torch.cos / torch.tanh / torch.sigmoid", "elementwise functions"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(4))
    outs = {"sin": t.sin(x), "cos": x.cos(), "tanh": t.tanh(x), "sigmoid": x.sigmoid()}
    _backward(t, ctx, outs["sin"] + outs["cos"] + outs["tanh"] + outs["sigmoid"])
    return {**outs, "x_grad": x.grad}


@scenario("ops.relu_three_spellings", "torch.relu, x.relu() and F.relu agree: ReluBackward0, grad 0 at x <= 0",
          torch_docs("torch.nn.functional.relu", "relu(x) = max(0, x)"))
def _(t, ctx):
    x = _leaf(t, [-1.5, 0.0, 0.5, 2.0])
    a, b, c = t.relu(x), x.relu(), t.nn.functional.relu(x)
    _backward(t, ctx, a + b + c)
    return {"a": a, "b": b, "c": c, "x_grad": x.grad}


@scenario("ops.abs_gradient_sign", "abs: AbsBackward0, gradient sign(x) * grad, 0 at x = 0",
          torch_docs("torch.abs", "elementwise absolute value"))
def _(t, ctx):
    x = _leaf(t, [-2.0, 0.0, 3.0])
    y = x.abs()
    g = _backward(t, ctx, y)
    return {"y": y, "x_grad": x.grad, "gradient": g}


# ====================================================================== clamp
@scenario("ops.clamp_scalar_bounds", "clamp with number bounds is ClampBackward1; grad passes where min <= x <= max",
          torch_docs("torch.clamp", "clamps all elements into [min, max]"))
def _(t, ctx):
    x = _leaf(t, [-2.0, -1.0, 0.0, 0.5, 1.0, 2.0])
    lo, hi, both = x.clamp(min=0.0), x.clamp(max=1.0), t.clamp(x, -1.0, 1.0)
    _backward(t, ctx, lo + 2 * hi + 4 * both)
    return {"min": lo, "max": hi, "both": both, "x_grad": x.grad}


@scenario("ops.clamp_tensor_bounds", "clamp with tensor bounds is ClampBackward0; a bound requiring grad gets one",
          torch_docs("torch.clamp", "min and max may be tensors"))
def _(t, ctx):
    x = _leaf(t, [-1.0, 0.5, 1.0, 3.0])
    low = _leaf(t, [0.0, 0.0, 2.0, 0.0])
    high = t.tensor([2.0, 2.0, 2.5, 2.0])
    y = x.clamp(low, high)
    _backward(t, ctx, y)
    return {"y": y, "x_grad": x.grad, "low_grad": low.grad, "edges": _edges(y.grad_fn)}


@scenario("ops.clamp_min_max_methods", "clamp_min / clamp_max record ClampMinBackward0 / ClampMaxBackward0",
          torch_docs("torch.clamp_min / torch.clamp_max", "one-sided clamps"))
def _(t, ctx):
    x = _leaf(t, [-1.0, 0.25, 2.0])
    a, b = x.clamp_min(0.0), t.clamp_max(x, 1.0)
    _backward(t, ctx, a + 3 * b)
    return {"clamp_min": a, "clamp_max": b, "x_grad": x.grad}


# ====================================================================== reductions
@scenario("ops.sum_variants", "sum(): SumBackward0; sum(dim), keepdim, tuple and negative dims: SumBackward1",
          torch_docs("torch.sum", "sum over all elements or over dim, with keepdim"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2, 3, 2))
    outs = {"all": x.sum(), "dim0": x.sum(0), "keep": x.sum(1, keepdim=True), "tuple": t.sum(x, (0, 2)),
            "neg": x.sum(-1)}
    total = sum((o * t.tensor(ctx.randn(*o.shape))).sum() for o in outs.values())
    total.backward()
    return {**outs, "x_grad": x.grad}


@scenario("ops.mean_variants", "mean(): MeanBackward0; mean(0), keepdim, tuple of dims: MeanBackward1",
          torch_docs("torch.mean", "mean over all elements or over dim, with keepdim"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2, 4))
    outs = {"all": x.mean(), "dim0": x.mean(0), "keep": x.mean(-1, keepdim=True), "tuple": t.mean(x, (0, 1))}
    total = sum((o * t.tensor(ctx.randn(*o.shape))).sum() for o in outs.values())
    total.backward()
    return {**outs, "x_grad": x.grad}


@scenario("ops.max_min_all_ties", "max()/min() over all elements (MaxBackward1) split the gradient evenly over ties",
          torch_docs("torch.max", "max(input) returns the maximum value of all elements"))
def _(t, ctx):
    x = _leaf(t, [1.0, 3.0, -2.0, 3.0, -2.0, 3.0])
    hi, lo = x.max(), t.min(x)
    (hi * 1.5 + lo * 2.0).backward()
    return {"max": hi, "min": lo, "x_grad": x.grad}


@scenario("ops.max_dim_keepdim", "max(dim, keepdim=True) returns torch.return_types.max (values, indices)",
          torch_docs("torch.max", "max(input, dim, keepdim) returns a namedtuple (values, indices)"))
def _(t, ctx):
    x = _leaf(t, [[1.0, 4.0, 2.0], [5.0, -1.0, 0.5]])
    result = x.max(dim=1, keepdim=True)
    values, indices = result
    _backward(t, ctx, values)
    return {"result": result, "repr": repr(result), "type": type(result).__name__, "values": result.values,
            "indices": result.indices, "same": values is result[0], "indices_dtype": indices.dtype,
            "x_grad": x.grad}


@scenario("ops.min_dim_no_keepdim", "min(dim=0) drops the dim; grad goes to the arg-min positions (MinBackward0)",
          torch_docs("torch.min", "min(input, dim) returns a namedtuple (values, indices)"))
def _(t, ctx):
    x = _leaf(t, [[1.0, -4.0, 2.0], [0.5, 1.0, 3.0]])
    result = t.min(x, 0)
    _backward(t, ctx, result.values)
    return {"values": result.values, "indices": result.indices, "x_grad": x.grad, "type": type(result).__name__}


@scenario("ops.maximum_binary_ties", "torch.max(a, b) and torch.maximum: MaximumBackward0, ties share the grad",
          torch_docs("torch.maximum", "elementwise maximum of input and other"))
def _(t, ctx):
    a = _leaf(t, [1.0, 2.0, 3.0, -1.0])
    b = _leaf(t, [2.0, 2.0, 1.0, -1.0])
    m1, m2 = t.max(a, b), t.maximum(a, b)
    _backward(t, ctx, m1 + 10 * m2)
    return {"max": m1, "maximum": m2, "a_grad": a.grad, "b_grad": b.grad}


# ====================================================================== views and shape ops
@scenario("ops.view_reshape", "view and reshape of a contiguous tensor record ViewBackward0",
          torch_docs("Tensor Views", "view and reshape of a contiguous tensor return views"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2, 3))
    v, r, r2 = x.view(6), x.reshape(3, 2), x.view(-1, 2)
    _backward(t, ctx, v + r.reshape(6) + r2.flatten())
    return {"view": v, "reshape": r, "infer": r2, "x_grad": x.grad}


@scenario("ops.reshape_noncontiguous_copies", "reshape of a transposed tensor copies: UnsafeViewBackward0/Clone",
          torch_docs("torch.reshape", "returns a view when possible, otherwise a copy"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2, 3))
    y = x.t().reshape(6)
    _backward(t, ctx, y)
    return {"y": y, "x_grad": x.grad, "contiguous": x.t().is_contiguous()}


@scenario("ops.transpose_t", "t() records TBackward0, transpose(0, 1) TransposeBackward0; grads are transposed",
          torch_docs("torch.transpose", "swaps dim0 and dim1"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2, 3))
    a, b = x.t(), x.transpose(0, 1)
    _backward(t, ctx, a + 2 * b)
    return {"t": a, "transpose": b, "x_grad": x.grad, "neg_dims": x.transpose(-1, -2).shape}


@scenario("ops.squeeze_unsqueeze", "unsqueeze is UnsqueezeBackward0; squeeze() SqueezeBackward0, squeeze(d) 1",
          torch_docs("torch.squeeze", "squeeze() removes all size-1 dims; squeeze(dim) only that one"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    u = x.unsqueeze(0).unsqueeze(-1)
    s_all, s_dim = u.squeeze(), u.squeeze(0)
    _backward(t, ctx, s_all + s_dim.squeeze(-1))
    return {"u": u, "squeeze_all": s_all, "squeeze_dim": s_dim, "x_grad": x.grad,
            "noop": x.unsqueeze(1).squeeze(0).shape}


@scenario("ops.expand_sums_gradient", "expand records ExpandBackward0 and sums the gradient over expanded dims",
          torch_docs("torch.Tensor.expand", "a singleton dimension expanded to a larger size"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3, 1))
    y = x.expand(2, 3, 4)
    _backward(t, ctx, y)
    return {"y": y, "x_grad": x.grad, "minus_one": x.expand(-1, 2).shape}


@scenario("ops.indexing_basic", "x[0] and x[:, 1] SelectBackward0, x[0, 1] two selects, x[1:] SliceBackward0",
          torch_docs("Tensor Indexing API", "basic indexing returns views"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3, 3))
    outs = {"row": x[0], "col": x[:, 1], "elem": x[0, 1], "slice": x[1:], "step": x[::2, 1:]}
    total = sum((o * t.tensor(ctx.randn(*o.shape))).sum() for o in outs.values())
    total.backward()
    return {**outs, "x_grad": x.grad}


@scenario("ops.indexing_advanced", "Index lists and masks record IndexBackward0; repeated indices accumulate",
          torch_docs("Tensor Indexing API", "advanced indexing copies"))
def _(t, ctx):
    x = _leaf(t, [[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
    rows = x[[1, 0, 1]]
    mask = x[x > 0]
    _backward(t, ctx, rows.sum(1) * 1.0)
    after_rows = x.grad.clone()
    mask.backward(t.tensor([1.0, 2.0, 3.0]))
    return {"rows": rows, "mask": mask, "grad_after_rows": after_rows, "x_grad": x.grad}


@scenario("ops.unbind_outputs", "unbind(1) gives views sharing one UnbindBackward0; unused outputs get zero grad",
          torch_docs("torch.unbind", "removes a tensor dimension, returning a tuple of slices"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2, 3))
    a, b, c = x.unbind(1)
    y = a * 2 + c
    _backward(t, ctx, y)
    return {"a": a, "shared": a.grad_fn is b.grad_fn, "y": y, "x_grad": x.grad, "type": type(x.unbind()).__name__}


@scenario("ops.split_chunk", "split/chunk share SplitBackward0; split with sizes is SplitWithSizesBackward0",
          torch_docs("torch.split / torch.chunk", "splits a tensor into chunks of views"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(4, 3))
    s = x.split(2)
    c = x.chunk(3, dim=1)
    w = t.split(x, [1, 3])
    y = s[1] * 2 + c[2].sum() + w[0].sum()
    _backward(t, ctx, y)
    return {"split": s, "chunk": c, "sizes": w, "x_grad": x.grad, "shared": s[0].grad_fn is s[1].grad_fn,
            "chunk_shapes": [p.shape for p in x.chunk(3)]}


@scenario("ops.stack_cat", "stack/cat record StackBackward0/CatBackward0; a constant input is a None edge",
          torch_docs("torch.cat / torch.stack", "concatenate along an existing / a new dimension"))
def _(t, ctx):
    a, b = _leaf(t, ctx.randn(2)), _leaf(t, ctx.randn(2))
    const = t.tensor([7.0, 8.0])
    s = t.stack([a, b, const], dim=1)
    c = t.cat([a, const, b])
    _backward(t, ctx, s.sum(1) + c[:2])
    return {"stack": s, "cat": c, "a_grad": a.grad, "b_grad": b.grad, "stack_edges": _edges(s.grad_fn)}


@scenario("ops.clone", "clone() records CloneBackward0 and passes the gradient through unchanged",
          torch_docs("torch.clone", "this function is differentiable"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    y = x.clone()
    g = _backward(t, ctx, y)
    return {"y": y, "x_grad": x.grad, "gradient": g, "shares_data": y.data_ptr() == x.data_ptr()}


@scenario("ops.to_float64_copy", "to(float64) and double() record ToCopyBackward0; the leaf's grad stays float32",
          torch_docs("torch.Tensor.to", "performs dtype conversion; differentiable"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    a, b = x.to(t.float64), x.double()
    same = x.to(t.float32)
    (a * t.tensor(ctx.randn(3), dtype=t.float64) + b).sum().backward()
    return {"a": a, "b": b, "x_grad": x.grad, "same_is_x": same is x}


@scenario("ops.operand_kinds_same_node", "x * 2, x * tensor(2.) and x * tensor([2., 2., 2.]): MulBackward0 each",
          torch_docs("torch.mul", "other may be a number or a tensor"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    outs = {"number": x * 2, "zero_dim": x * t.tensor(2.0), "same_shape": x * t.tensor([2.0, 2.0, 2.0])}
    edges = {k: _edges(v.grad_fn) for k, v in outs.items()}
    _backward(t, ctx, outs["number"] + outs["zero_dim"] + outs["same_shape"])
    return {**outs, "edges": edges, "x_grad": x.grad}


# ====================================================================== broadcasting
@scenario("broadcasting.vector_plus_matrix", "(3,) + (2, 3): the vector's gradient is summed over the new dim",
          torch_docs("Broadcasting semantics", "a missing leading dimension is broadcast"))
def _(t, ctx):
    v, m = _leaf(t, ctx.randn(3)), _leaf(t, ctx.randn(2, 3))
    y = v + m
    g = _backward(t, ctx, y)
    return {"y": y, "v_grad": v.grad, "m_grad": m.grad, "gradient": g}


@scenario("broadcasting.column_times_row", "(2, 1) * (1, 3) gives (2, 3); grads reduced back with keepdim shape",
          torch_docs("Broadcasting semantics", "size-1 dimensions are broadcast in both operands"))
def _(t, ctx):
    col, row = _leaf(t, ctx.randn(2, 1)), _leaf(t, ctx.randn(1, 3))
    y = col * row
    _backward(t, ctx, y)
    return {"y": y, "col_grad": col.grad, "row_grad": row.grad}


@scenario("broadcasting.zero_dim_times_matrix", "0-d * (2, 3): the 0-d tensor's gradient is a 0-d sum",
          torch_docs("Broadcasting semantics", "a 0-d tensor broadcasts with any shape"))
def _(t, ctx):
    s, m = _leaf(t, 1.5), _leaf(t, ctx.randn(2, 3))
    y = s * m
    _backward(t, ctx, y)
    return {"y": y, "s_grad": s.grad, "m_grad": m.grad}


@scenario("broadcasting.row_minus_matrix", "(1, 3) - (2, 3): the row's grad is -sum over rows, shape (1, 3)",
          torch_docs("Broadcasting semantics", "size-1 dimension of the first operand is broadcast"))
def _(t, ctx):
    row, m = _leaf(t, ctx.randn(1, 3)), _leaf(t, ctx.randn(2, 3))
    y = m - row
    _backward(t, ctx, y)
    return {"y": y, "row_grad": row.grad, "m_grad": m.grad}


@scenario("broadcasting.leading_dims", "(4, 1, 3) + (2, 3) gives (4, 2, 3); each grad has its input's shape",
          torch_docs("Broadcasting semantics", "dimensions are aligned from the trailing end"))
def _(t, ctx):
    a, b = _leaf(t, ctx.randn(4, 1, 3)), _leaf(t, ctx.randn(2, 3))
    y = a + b
    _backward(t, ctx, y)
    return {"y": y, "a_grad": a.grad, "b_grad": b.grad}


@scenario("broadcasting.keepdim_normalise", "x - x.mean(1, keepdim=True) and x / x.sum(-1, keepdim=True)",
          torch_docs("torch.mean", "keepdim=True keeps the reduced dim so the result broadcasts back"))
def _(t, ctx):
    x = _leaf(t, ctx.rand(2, 3, low=0.5, high=2.0))
    centred = x - x.mean(1, keepdim=True)
    share = x / x.sum(-1, keepdim=True)
    _backward(t, ctx, centred + share)
    return {"centred": centred, "share": share, "x_grad": x.grad}


@scenario("broadcasting.incompatible_shapes_error", "(2, 3) + (2,) raises; an in-place op cannot grow its target",
          torch_docs("Broadcasting semantics", "in-place operations do not allow the tensor to change shape"))
def _(t, ctx):
    a = t.tensor(ctx.randn(2, 3))
    b = t.tensor(ctx.randn(2))
    v = t.tensor(ctx.randn(3))

    def grow():
        v.add_(a)

    return {"error": ctx.capture(lambda: a + b), "inplace": ctx.capture(grow), "v": v}


# ====================================================================== dtypes
@scenario("dtypes.float32_plus_float64", "float32 + float64 tensors give float64; each grad keeps its leaf's dtype",
          torch_docs("Tensor Attributes: type promotion", "the higher floating category/size wins"))
def _(t, ctx):
    a = _leaf(t, ctx.randn(3))
    b = _leaf(t, ctx.randn(3), dtype=t.float64)
    y = a * b + a
    y.backward(t.tensor(ctx.randn(3), dtype=t.float64))
    return {"y": y, "a_grad": a.grad, "b_grad": b.grad}


@scenario("dtypes.int_tensor_times_float_scalar", "int tensor * 1.5 is float32 (the default dtype)",
          torch_docs("Tensor Attributes: type promotion", "a float scalar promotes an integral tensor to default"))
def _(t, ctx):
    i = t.tensor([1, 2, 3])
    return {"mul": i * 1.5, "add": i + 0.5, "float_of_int": t.tensor([1, 2]) * 1.0}


@scenario("dtypes.int_tensor_int_scalar", "int64 tensor + int stays int64; int32 tensor + int stays int32",
          torch_docs("Tensor Attributes: type promotion", "a scalar of the same category does not promote"))
def _(t, ctx):
    i = t.tensor([1, 2, 3])
    j = t.tensor([1, 2, 3], dtype=t.int32)
    return {"int64": i + 2, "int32": j * 3, "int32_plus_int64": j + i, "promote": t.promote_types(t.int32, t.int64)}


@scenario("dtypes.bool_arithmetic", "bool tensor + int is int64; bool * 1.5 float32; bool + bool stays bool",
          torch_docs("Tensor Attributes: type promotion", "bool is the lowest category"))
def _(t, ctx):
    b = t.tensor([True, False, True])
    return {"plus_int": b + 1, "times_float": b * 1.5, "plus_bool": b + b, "with_int_tensor": b + t.tensor([1, 2, 3])}


@scenario("dtypes.int_true_division", "int tensor / int tensor (or int) is true division giving float32",
          torch_docs("torch.div", "rounding_mode=None performs true division with type promotion"))
def _(t, ctx):
    a, b = t.tensor([7, -7, 4]), t.tensor([2, 2, 4])
    return {"div": a / b, "by_int": a / 2, "torch_div": t.div(a, b)}


@scenario("dtypes.int_floor_division", "int // int and div(rounding_mode='trunc') stay int64 (floor vs trunc)",
          torch_docs("torch.div", "rounding_mode 'trunc' and 'floor' keep integer inputs integral"))
def _(t, ctx):
    a, b = t.tensor([7, -7, 4]), t.tensor([2, 2, 4])
    return {"floor": a // 2, "floor_tensor": a // b, "trunc": t.div(a, b, rounding_mode="trunc"),
            "floor_mode": t.div(a, b, rounding_mode="floor")}


@scenario("dtypes.zero_dim_float64_with_float32", "a 0-d float64 tensor with a float32 tensor gives float32",
          torch_docs("Tensor Attributes: type promotion", "zero-dim tensors only promote across categories"))
def _(t, ctx):
    s = _leaf(t, 2.0, dtype=t.float64)
    v = _leaf(t, ctx.randn(3))
    y = s * v
    _backward(t, ctx, y)
    return {"y": y, "s_grad": s.grad, "v_grad": v.grad,
            "dim1_float64": (t.tensor([2.0], dtype=t.float64) * v.detach()).dtype}


@scenario("dtypes.default_dtype_float64", "set_default_dtype(float64) changes tensor() of floats and scalar promotion",
          torch_docs("torch.set_default_dtype", "affects floating point tensors created from Python floats"))
def _(t, ctx):
    before = t.get_default_dtype()
    t.set_default_dtype(t.float64)
    try:
        x = _leaf(t, [1.5, 2.5])
        out = {"during": t.get_default_dtype(), "x": x, "int_times_float": t.tensor([1, 2]) * 1.5,
               "float32_times_float": t.tensor([1.0], dtype=t.float32) * 1.5, "ints": t.tensor([1, 2]),
               "ones": t.ones(2)}
        (x * 2).sum().backward()
        out["x_grad"] = x.grad
    finally:
        t.set_default_dtype(before)
    out["before"], out["after"] = before, t.get_default_dtype()
    return out


@scenario("dtypes.integer_outputs_never_require_grad", "x.long(), comparisons and argmax of a grad tensor need no grad",
          torch_docs("Autograd mechanics", "only floating point and complex tensors can require gradients"))
def _(t, ctx):
    x = _leaf(t, [0.5, -1.5, 2.5])
    return {"long": x.long(), "gt": x > 0, "eq": x == x, "argmax": x.argmax(), "int_mul": x.long() * 2,
            "round_trip": x.long().float()}


@scenario("dtypes.int_requires_grad_error", "An integer tensor cannot require grad",
          torch_docs("Autograd mechanics", "only floating point and complex dtypes can require gradients"))
def _(t, ctx):
    i = t.tensor([1, 2])
    return {"ctor": ctx.capture(lambda: t.tensor([1, 2], requires_grad=True)),
            "method": ctx.capture(i.requires_grad_), "i": i}
