"""Details of pointwise ops, reductions, indexed reads/writes and SGD that the broader catalogue leaves out:
less common spellings (function, method, in-place), tie-breaking gradients, integer and bool dtypes,
error texts, saved tensors released after backward, double-backward node names, optimizer state_dict."""
from __future__ import annotations

import sys

from ..scenario import engine, scenario, torch_docs

DERIV = "tools/autograd/derivatives.yaml"
SGD_DOC = "torch.optim.SGD"


def _leaf(t, data, **kwargs):
    return t.tensor(data, requires_grad=True, **kwargs)


def _backward(t, ctx, y):
    gradient = t.tensor(ctx.randn(*y.shape))
    y.backward(gradient)
    return gradient


def _graph_names(node):
    """Names of every node reachable from node (each once), sorted."""
    seen, kept, names, stack = set(), [], [], [node]
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        kept.append(fn)  # keep each node object alive: a freed one's id() can be reused (torch <= 2.12 did)
        names.append(fn.name())
        stack.extend(f for f, _ in fn.next_functions)
    return sorted(names)


# ====================================================================== pointwise
@scenario("ops.minimum_maximum_ties", "minimum/maximum record MinimumBackward0/MaximumBackward0; ties split grad",
          engine(DERIV, "minimum/maximum: grad.masked_fill(self > other / self < other, 0), halved where equal"))
def _(t, ctx):
    x = _leaf(t, [1.0, 2.0, 3.0, -1.0])
    y = _leaf(t, [2.0, 2.0, 1.0, -1.0])
    lo, hi = t.minimum(x, y), t.maximum(x, y)
    _backward(t, ctx, lo * 1.0 + hi * 3.0)
    return {"min": lo, "max": hi, "names": [lo.grad_fn.name(), hi.grad_fn.name()], "x_grad": x.grad,
            "y_grad": y.grad}


@scenario("ops.sign_and_integer_abs", "sign records SignBackward0 with zero grad; abs of an int tensor stays int64",
          engine(DERIV, "sign: zeros_like(grad); abs: grad * self.sgn() (0 at 0)"))
def _(t, ctx):
    x = _leaf(t, [-2.0, 0.0, 3.0])
    s = x.sign()
    a = x.abs()
    _backward(t, ctx, s + a)
    ints = t.tensor([-3, 0, 4])
    return {"sign": s, "name": s.grad_fn.name(), "abs_name": a.grad_fn.name(), "x_grad": x.grad,
            "int_abs": ints.abs(), "int_absolute": t.absolute(ints), "int_sign": ints.sign()}


@scenario("ops.pow_tensor_exponent_create_graph", "The gradient of x ** y built with create_graph holds SubBackward1",
          engine(DERIV, "pow.Tensor_Tensor self: grad * exponent * self.pow(exponent - 1) (exponent - 1: sub.Scalar)"))
def _(t, ctx):
    x = _leaf(t, [0.5, 1.5, 2.0])
    y = _leaf(t, [2.0, 0.0, 3.0])
    gx, gy = t.autograd.grad((x ** y).sum(), (x, y), create_graph=True)
    gx.sum().backward()
    return {"gx": gx, "gy": gy, "gx_graph": _graph_names(gx.grad_fn), "x_grad": x.grad, "y_grad": y.grad}


@scenario("ops.comparison_spellings", "eq/ne/lt/le/gt/ge under every name give bool tensors that need no grad",
          torch_docs("torch.le / torch.less_equal / torch.gt / torch.greater / torch.ge / torch.greater_equal",
                     "elementwise comparisons; aliases and operators agree"))
def _(t, ctx):
    x = _leaf(t, [1.0, 2.0, 3.0])
    y = t.tensor([2.0, 2.0, 2.0])
    results = {"le": t.le(x, y), "less_equal": t.less_equal(x, y), "le_op": x <= y, "le_method": x.le(y),
               "gt": t.gt(x, y), "gt_method": x.gt(y), "greater": t.greater(x, y), "gt_op": x > y,
               "ge": t.ge(x, 2), "greater_equal": t.greater_equal(x, y), "ge_method": x.greater_equal(y),
               "ge_op": x >= y, "lt": t.less(x, y), "ne": t.not_equal(x, y)}
    return {"results": results, "dtypes": {k: str(v.dtype) for k, v in results.items()},
            "requires_grad": {k: v.requires_grad for k, v in results.items()}}


@scenario("inplace.unary_float_methods",
          "exp_/log_/sqrt_/sin_/cos_/abs_ run in place with their nodes; int exp_ raises",
          torch_docs("torch.Tensor.exp_", "in-place forms of unary functions; an integer tensor cannot hold floats"))
def _(t, ctx):
    x = _leaf(t, ctx.rand(3, low=0.5, high=2.0))
    out, names = {}, {}
    total = None
    for name in ("exp_", "log_", "sqrt_", "sin_", "cos_", "abs_"):
        y = x.clone()
        result = getattr(y, name)()
        out[name] = y
        names[name] = (y.grad_fn.name(), y._version, result is y)
        total = y if total is None else total + y
    _backward(t, ctx, total)
    ints = t.tensor([-1, 2])
    return {"out": out, "names": names, "x_grad": x.grad, "int_exp_": ctx.capture(ints.exp_),
            "int_log_": ctx.capture(t.tensor([1, 2]).log_), "int_abs_": ints.abs_(), "int_after": ints}


@scenario("ops.clamp_min_max_at_bound", "clamp_min/clamp_max with a number: the gradient at the bound itself",
          engine(DERIV, "clamp_min: where(self >= min, grad, 0) (strict from torch 2.14); clamp_max likewise"))
def _(t, ctx):
    x = _leaf(t, [0.0, 0.5, 1.0])
    lo, hi = t.clamp_min(x, 0.5), t.clamp_max(x, 0.5)
    _backward(t, ctx, lo * 1.0 + hi * 2.0)
    return {"lo": lo, "hi": hi, "names": [lo.grad_fn.name(), hi.grad_fn.name()], "x_grad": x.grad}


@scenario("ops.clamp_tensor_bound_forms", "clamp with one tensor bound is ClampBackward0; clip_ is clamp_",
          engine(DERIV, "clamp.Tensor: gradients for self and for each tensor bound"))
def _(t, ctx):
    x = _leaf(t, [0.0, 0.5, 1.0, 2.0])
    low = _leaf(t, [0.5, 0.5, 0.5, 0.5])
    high = _leaf(t, [1.5, 1.5, 1.0, 1.5])
    a = t.clamp(x, min=low)
    b = x.clamp(max=high)
    c = x.clone()
    c.clip_(min=low, max=high)
    d = x.clone()
    d.clip_(0.25, 1.5)
    _backward(t, ctx, a + b * 2.0 + c * 3.0 + d * 4.0)
    return {"a": a, "b": b, "c": c, "d": d,
            "names": [a.grad_fn.name(), b.grad_fn.name(), c.grad_fn.name(), d.grad_fn.name()],
            "x_grad": x.grad, "low_grad": low.grad, "high_grad": high.grad}


@scenario("errors.bool_subtraction", "Subtracting with a bool tensor raises: 'two bool tensors' or 'a bool tensor'",
          engine("aten/src/ATen/native/BinaryOps.h", "sub_check: both bool, or one of them bool, is rejected"))
def _(t, ctx):
    b = t.tensor([True, False])
    n = t.tensor([2, 3])
    return {"bool_bool": ctx.capture(lambda: b - b), "bool_int": ctx.capture(lambda: b - n),
            "int_bool": ctx.capture(lambda: n - b), "bool_number": ctx.capture(lambda: b - 1),
            "bool_true": ctx.capture(lambda: b - True), "number_bool": ctx.capture(lambda: 1 - b),
            "float_true": ctx.capture(lambda: t.tensor([2.0]) - True), "sub_": ctx.capture(lambda: b.clone().sub_(b)),
            "torch_sub": ctx.capture(t.sub, b, b), "ok_xor": b ^ b}


@scenario("dtypes.unary_keep_float64_int_to_default", "exp/reciprocal keep float64; reciprocal of int is float32",
          torch_docs("torch.reciprocal", "integer inputs are promoted to the default scalar type"))
def _(t, ctx):
    d = _leaf(t, [0.5, 2.0], dtype=t.float64)
    e, r = t.exp(d), t.reciprocal(d)
    _backward(t, ctx, e + r)
    ints = t.tensor([1, 2, 4])
    return {"exp": e, "exp_dtype": str(e.dtype), "recip": r, "recip_dtype": str(r.dtype), "d_grad": d.grad,
            "int_recip": t.reciprocal(ints), "int_recip_method": ints.reciprocal(),
            "int_recip_dtype": str(ints.reciprocal().dtype), "int_sqrt_dtype": str(t.sqrt(ints).dtype)}


@scenario("inplace.operand_dtype_checks", "In place: bool *= bool works, int *= 1.5 and int /= 2 raise",
          torch_docs("torch.Tensor.mul_", "an in-place result must be castable to self's dtype"))
def _(t, ctx):
    b = t.tensor([True, False, True])
    b.mul_(t.tensor([True, True, False]))
    c = t.tensor([True, False])
    c.add_(t.tensor([True, True]))
    i = t.tensor([3, 4])
    i.add_(2)
    return {"bool_mul": b, "bool_add": c, "int_add": i,
            "int_mul_float": ctx.capture(lambda: t.tensor([1, 2]).mul_(1.5)),
            "int_div": ctx.capture(lambda: t.tensor([1, 2]).div_(2)),
            "int_add_float_tensor": ctx.capture(lambda: t.tensor([1, 2]).add_(t.tensor([0.5, 0.5]))),
            "bool_add_int": ctx.capture(lambda: t.tensor([True]).add_(1))}


@scenario("ops.int_rounding_division", "Integer div with rounding_mode by +-1 works; by zero raises ZeroDivisionError",
          torch_docs("torch.div", "rounding_mode 'trunc' / 'floor' on integer tensors"))
def _(t, ctx):
    a = t.tensor([7, -7, 5, -5])
    b = t.tensor([1, -1, 2, 2])
    return {"floor": t.div(a, b, rounding_mode="floor"), "trunc": t.div(a, b, rounding_mode="trunc"),
            "by_one": t.div(a, 1, rounding_mode="floor"), "floor_divide": t.floor_divide(a, b),
            "zero": ctx.capture(t.div, a, t.tensor([1, 0, 1, 1]), rounding_mode="trunc"),
            "zero_floor_divide": ctx.capture(t.floor_divide, a, 0)}


@scenario("ops.add_with_alpha", "add(x, y, alpha=2) is x + 2*y; y's gradient is 2*grad",
          torch_docs("torch.add", "out = input + alpha * other"))
def _(t, ctx):
    x, y = _leaf(t, ctx.randn(3)), _leaf(t, ctx.randn(3))
    s = t.add(x, y, alpha=2)
    u = x.add(y, alpha=-0.5)
    _backward(t, ctx, s + u)
    ints = t.add(t.tensor([1, 2]), t.tensor([3, 4]), alpha=2)
    return {"s": s, "u": u, "x_grad": x.grad, "y_grad": y.grad, "ints": ints}


@scenario("ops.bitwise_not_forms", "bitwise_not / ~ on int and bool tensors; ~ of a float tensor raises TypeError",
          torch_docs("torch.bitwise_not", "integer and boolean inputs only"))
def _(t, ctx):
    i, b = t.tensor([0, 5, -3]), t.tensor([True, False])
    return {"int_method": i.bitwise_not(), "int_op": ~i, "bool_method": b.bitwise_not(), "bool_op": ~b,
            "float": ctx.capture(lambda: ~t.tensor([1.0]))}


@scenario("ops.floor_divide_tensors", "floor_divide rounds down floats; its node is NotImplemented and cannot backward",
          torch_docs("torch.floor_divide", "rounds the quotient towards negative infinity"))
def _(t, ctx):
    x = _leaf(t, [7.5, -7.5, 3.0, -1.0])
    y = _leaf(t, [2.0, 2.0, -2.0, 3.0])
    q = t.floor_divide(x, y)
    return {"q": q, "op": x // y, "name": q.grad_fn.name(), "type": type(q.grad_fn).__name__,
            "backward": ctx.capture(q.sum().backward)}


@scenario("ops.bitwise_reflected_operands", "5 | t, 6 & t, 3 ^ t and True | b: a number on the left "
          "goes through __ror__ / __rand__ / __rxor__",
          torch_docs("torch.bitwise_or", "the operator forms with a Python number on either side"))
def _(t, ctx):
    ints, bools = t.tensor([1, 2, 12]), t.tensor([False, True, False])
    return {"or": 5 | ints, "and": 6 & ints, "xor": 3 ^ ints, "bool_or": True | bools, "bool_and": True & bools,
            "bool_xor": True ^ bools, "float": ctx.capture(lambda: 1 | t.tensor([1.0]))}


@scenario("ops.sub_with_alpha", "torch.sub / Tensor.sub with alpha: x - alpha * y, y's gradient scaled by -alpha",
          engine(DERIV, "sub.Tensor: self: handle_r_to_c(self, grad); other: -grad * alpha"))
def _(t, ctx):
    x, y = _leaf(t, ctx.randn(3)), _leaf(t, ctx.randn(3))
    a, b, c = t.sub(x, y, alpha=2), x.sub(y, alpha=0.5), t.sub(x, 3.0, alpha=2)
    _backward(t, ctx, a * 1.5 + b + c)
    return {"a": a, "b": b, "c": c, "names": [a.grad_fn.name(), c.grad_fn.name()], "x_grad": x.grad,
            "y_grad": y.grad}


@scenario("ops.mixed_operand_backward_in_op_dtype",
          "float32 times a 0-d float64, a 0-d int64 or an int64 tensor computes in float32, and so does its "
          "backward: x * 0-d f64 0.1 - x * 0-d f32 0.1 and z * (2**24 + 1) - z * 2**24.0 have gradients of "
          "exactly 0",
          engine("aten/src/ATen/native/TypeProperties.cpp", "result_type: a 0-d tensor does not promote a "
                                                            "dimensioned one, an integer tensor does not promote a "
                                                            "float one; mul's backward computes in that type too"))
def _(t, ctx):
    x, z, u = (_leaf(t, ctx.randn(64)) for _ in range(3))
    tenth, tenth32 = t.tensor(0.1, dtype=t.float64), t.tensor(0.1)
    ints = t.full((64,), 16777217, dtype=t.int64)
    y = x * tenth - x * tenth32 + z * t.tensor(16777217) - z * t.tensor(16777216.0) + u * ints - u * ints.float()
    gradient = t.tensor(ctx.randn(64)) * 1e6  # large, so that a float64 product rounds away from float32's
    y.backward(gradient)
    return {"y": y, "dtype": str(y.dtype), "x_grad": x.grad, "z_grad": z.grad, "u_grad": u.grad}


@scenario("errors.inplace_operand_not_tensor", "mul_/sub_/sub with a str operand name the op in the TypeError",
          torch_docs("torch.Tensor.mul_", "other must be a Tensor or a number"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0])
    return {"mul_": ctx.capture(x.mul_, "a"), "sub_": ctx.capture(x.sub_, "a"), "sub": ctx.capture(x.sub, "a"),
            "add_": ctx.capture(x.add_, "a"), "x": x, "version": x._version}


@scenario("ops.rsub_function", "torch.rsub(x, y) is y - alpha*x with RsubBackward0",
          engine(DERIV, "rsub.Tensor: self: -grad * alpha, other: grad"))
def _(t, ctx):
    x, y = _leaf(t, ctx.randn(3)), _leaf(t, ctx.randn(3))
    r = t.rsub(x, y)
    r2 = t.rsub(x, y, alpha=3)
    r3 = t.rsub(x, 2.0)
    _backward(t, ctx, r + r2 * 2.0 + r3)
    return {"r": r, "r2": r2, "r3": r3, "names": [r.grad_fn.name(), r3.grad_fn.name()], "x_grad": x.grad,
            "y_grad": y.grad}


@scenario("ops.where_gradients", "where(cond, x, y) and x.where(cond, y): grad to x where cond, else to y; "
          "cond must be bool",
          engine(DERIV, "where: self: where(condition, grad, 0), other: where(condition, 0, grad)"))
def _(t, ctx):
    x, y = _leaf(t, ctx.randn(4)), _leaf(t, ctx.randn(4))
    cond = t.tensor([True, False, False, True])
    w = t.where(cond, x, y)
    w2 = t.where(x > y, x, 0.0)
    w3 = x.where(cond, y)
    _backward(t, ctx, w + w2 + w3 * 2.0)
    return {"w": w, "w2": w2, "w3": w3, "name": w.grad_fn.name(), "x_grad": x.grad, "y_grad": y.grad,
            "float_condition": ctx.capture(t.where, t.tensor([1.0, 0.0, 0.0, 1.0]), x, y),
            "long_condition": ctx.capture(t.where, t.tensor([1, 0, 0, 1]), x, y)}


# ====================================================================== reductions
@scenario("errors.max_min_of_empty_without_dim", "max()/min() of an empty tensor without dim raise RuntimeError",
          torch_docs("torch.max", "a reduction over all elements needs at least one element"))
def _(t, ctx):
    e = t.zeros(0)
    return {"max": ctx.capture(t.max, e), "min": ctx.capture(t.min, e), "max_dim0": t.max(t.zeros(0, 2), 1)}


@scenario("ops.mean_over_empty", "mean over zero elements is nan, silently",
          torch_docs("torch.mean", "mean of an empty selection is nan"))
def _(t, ctx):
    return {"all": t.zeros(0).mean(), "dim0": t.zeros(0, 3).mean(0), "dim0_keep": t.zeros(0, 3).mean(0, keepdim=True),
            "dim1": t.zeros(0, 3).mean(1)}


@scenario("ops.any_all_argmax_dims", "any/all/argmax along a dim drop it unless keepdim=True",
          torch_docs("torch.any / torch.all / torch.argmax", "keepdim (bool) defaults to False"))
def _(t, ctx):
    b = t.tensor([[True, False, False], [True, True, True]])
    x = t.tensor([[1.0, 3.0, 2.0], [4.0, 0.0, 5.0]])
    return {"any1": b.any(1), "any1_keep": t.any(b, 1, keepdim=True), "all1": b.all(1),
            "all1_keep": b.all(dim=1, keepdim=True), "all0_keep": t.all(b, 0, True), "any": b.any(),
            "argmax1": t.argmax(x, dim=1), "argmax1_keep": x.argmax(1, keepdim=True), "argmin0": t.argmin(x, 0),
            "argmax": x.argmax()}


# ====================================================================== indexing
@scenario("ops.gather_scatter_gradients", "gather, scatter (tensor and number src) and scatter_add_ along dim 0",
          engine(DERIV, "gather: scatter_add into zeros; scatter: self grad zero where written, src: gather(grad)"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3, 2))
    src = _leaf(t, ctx.randn(2, 2))
    index = t.tensor([[2, 0], [1, 2]])
    g = t.gather(x, 0, index)
    s = t.scatter(x, 0, index, src)
    n = x.clone()
    n.scatter_(1, t.tensor([[1], [0], [1]]), 9.0)
    a = x.clone()
    a.scatter_add_(0, t.tensor([[2, 0], [2, 2]]), src)
    _backward(t, ctx, g.sum() + (s * 2.0).sum() + (n * 3.0).sum() + (a * a).sum())
    return {"g": g, "s": s, "n": n, "a": a,
            "names": [g.grad_fn.name(), s.grad_fn.name(), n.grad_fn.name(), a.grad_fn.name()],
            "x_grad": x.grad, "src_grad": src.grad}


@scenario("ops.gather_scatter_index_dtype", "gather/scatter index dtypes: int64 always; int32 in newer torch; "
          "float and int16 refused, naming gather() or scatter()",
          engine("aten/src/ATen/native/ScatterGatherChecks.h", "scatter_gather_dtype_check: index must be int64 "
                                                               "(int32/int64 in newer torch)"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3, 2))
    src = t.ones(2, 2)
    rows = [[2, 0], [1, 2]]
    out = {}
    for name, dtype in (("int32", t.int32), ("float", t.float32), ("int16", t.int16)):
        index = t.tensor(rows, dtype=dtype)
        out[name] = {"gather": ctx.capture(t.gather, x, 0, index), "method": ctx.capture(x.gather, 0, index),
                     "scatter": ctx.capture(t.scatter, x, 0, index, src),
                     "scatter_value": ctx.capture(lambda: x.detach().clone().scatter_(0, index, 9.0)),
                     "scatter_add_": ctx.capture(lambda: x.detach().clone().scatter_add_(0, index, src))}
    long_gather = t.gather(x, 0, t.tensor(rows))
    long_gather.sum().backward()
    return {**out, "int64": long_gather, "x_grad": x.grad}


@scenario("ops.masked_fill_saved_mask_released", "masked_fill's node saves the mask and frees it at backward",
          engine(DERIV, "masked_fill.Scalar / masked_fill.Tensor save mask; backward releases saved variables"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    v = _leaf(t, 2.0)
    mask = t.tensor([True, False, True])
    a = t.masked_fill(x, mask, 0.5)
    b = x.masked_fill(mask, v)
    before = [a.grad_fn._saved_mask, b.grad_fn._saved_mask]
    _backward(t, ctx, a + b)
    return {"a": a, "b": b, "names": [a.grad_fn.name(), b.grad_fn.name()], "before": before,
            "after_a": ctx.capture(lambda: a.grad_fn._saved_mask),
            "after_b": ctx.capture(lambda: b.grad_fn._saved_mask), "x_grad": x.grad, "v_grad": v.grad}


@scenario("ops.index_put_saved_indices_released", "index_put_'s node frees its saved indices at backward",
          engine(DERIV, "index_put: saves indices; values: grad.index(indices)"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(4))
    v = _leaf(t, [1.0, 2.0])
    y = x.clone()
    y.index_put_((t.tensor([3, 0]),), v)
    name = y.grad_fn.name()
    _backward(t, ctx, y)
    return {"y": y, "name": name, "after": ctx.capture(lambda: y.grad_fn._saved_indices), "v_grad": v.grad}


@scenario("ops.select_slice_double_backward", "Gradients of x[1] and x[1:3] built with create_graph are "
          "SelectBackwardBackward0 / SliceBackwardBackward0",
          engine(DERIV, "select_backward / slice_backward have their own derivatives: select / slice of grad"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3, 2))
    v1 = _leaf(t, ctx.randn(2))
    v2 = _leaf(t, ctx.randn(2, 2))
    g1, = t.autograd.grad(x[1], x, v1, create_graph=True)
    g2, = t.autograd.grad(x[1:3], x, v2, create_graph=True)
    (g1 * t.tensor(ctx.randn(3, 2))).sum().backward()
    (g2 * t.tensor(ctx.randn(3, 2))).sum().backward()
    return {"g1": g1, "g2": g2, "names": [g1.grad_fn.name(), g2.grad_fn.name()], "v1_grad": v1.grad,
            "v2_grad": v2.grad}


# ====================================================================== optim
@scenario("optim.state_dict_contents", "state_dict() numbers parameters across groups and packs state by number",
          torch_docs("torch.optim.Optimizer.state_dict", "'state' keyed by parameter index, 'param_groups' "
                     "with 'params' as index lists"))
def _(t, ctx):
    p, q, r = _leaf(t, [1.0, 2.0]), _leaf(t, [3.0]), _leaf(t, [0.5, -0.5])
    optimizer = t.optim.SGD([{"params": [p, q]}, {"params": [r], "lr": 0.5}], lr=0.1, momentum=0.9)
    ((p * p).sum() + q.sum() + (r * 3).sum()).backward()
    optimizer.step()
    sd = optimizer.state_dict()
    return {"keys": sorted(sd), "groups": sd["param_groups"], "state_keys": sorted(sd["state"]),
            "state": {k: sd["state"][k] for k in sorted(sd["state"])}}


@scenario("optim.zero_grad_grad_with_history", "zero_grad(set_to_none=False) detaches a .grad built with "
          "create_graph, then zeroes it",
          torch_docs("torch.optim.Optimizer.zero_grad", "a grad with a grad_fn is detached before zeroing"),
          isolated=True)  # backward(create_graph=True) warns once per process
def _(t, ctx):
    p = _leaf(t, [1.0, 2.0])
    optimizer = t.optim.SGD([p], lr=0.1)
    (p ** 3).sum().backward(create_graph=True)
    had = p.grad.grad_fn is not None
    optimizer.zero_grad(set_to_none=False)
    return {"had_grad_fn": had, "grad": p.grad, "grad_fn": p.grad.grad_fn, "requires_grad": p.grad.requires_grad}


@scenario("optim.required_repr", "torch.optim.optimizer.required prints as <required parameter>",
          torch_docs("torch.optim.Optimizer", "the sentinel for a hyperparameter without a default"))
def _(t, ctx):
    return {"repr": repr(sys.modules[t.optim.Optimizer.__module__].required)}


@scenario("optim.sgd_tensor_lr", "SGD accepts a 1-element tensor lr and rejects a longer one",
          torch_docs(SGD_DOC, "lr (float, Tensor): a tensor lr must have one element"))
def _(t, ctx):
    p = _leaf(t, [1.0, 2.0])
    one = ctx.capture(lambda: t.optim.SGD([p], lr=t.tensor(0.1)).param_groups[0]["lr"])
    return {"one": one, "two": ctx.capture(t.optim.SGD, [p], lr=t.tensor([0.1, 0.2]))}


@scenario("optim.sgd_weight_decay_one", "weight_decay=1 adds p itself to the gradient of each step",
          torch_docs(SGD_DOC, "g_t = g_t + weight_decay * p_{t-1}"))
def _(t, ctx):
    p = _leaf(t, [1.0, 2.0])
    optimizer = t.optim.SGD([p], lr=0.1, weight_decay=1.0)
    history = []
    for _ in range(3):
        optimizer.zero_grad()
        ((p - t.tensor([0.5, 4.0])) ** 2).sum().backward()
        optimizer.step()
        history.append(p.detach().clone())
    return {"history": history, "grad": p.grad}
