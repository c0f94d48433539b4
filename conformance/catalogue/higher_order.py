"""Higher-order gradients (create_graph=True) and the options of torch.autograd.grad / torch.autograd.backward /
Tensor.backward(inputs=...)."""
from __future__ import annotations

from ..scenario import engine, scenario, torch_docs, torch_test

T = "test/test_autograd.py::TestAutograd::"
DERIV = "tools/autograd/derivatives.yaml"


def _leaf(t, data, **kwargs):
    return t.tensor(data, requires_grad=True, **kwargs)


def _double(t, ctx, fn, data):
    """First derivative of fn at data with a non-uniform grad_output (create_graph=True), then the second
    derivative of <first, w> through autograd.grad again."""
    x = _leaf(t, data)
    y = fn(x)
    v = t.tensor(ctx.randn(*y.shape))
    first, = t.autograd.grad(y, x, v, create_graph=True)
    w = t.tensor(ctx.randn(*first.shape))
    second, = t.autograd.grad(first, x, w)
    return {"y": y, "first": first, "first_requires_grad": first.requires_grad, "second": second, "x_grad": x.grad}


# ====================================================================== double backward per op
@scenario("higher_order.pow3_double_backward", "grad of x**3 is MulBackward0(MulBackward1(PowBackward0)); then 6x",
          torch_test(T + "test_grad", "autograd.grad with create_graph=True returns a differentiable gradient"))
def _(t, ctx):
    return _double(t, ctx, lambda x: x ** 3, [0.5, -1.0, 2.0])


@scenario("higher_order.exp_double_backward", "grad of exp is grad * result: MulBackward0 over ExpBackward0",
          engine(DERIV, "exp: self: grad * result.conj()"))
def _(t, ctx):
    return _double(t, ctx, t.exp, ctx.randn(3))


@scenario("higher_order.sin_double_backward", "grad of sin is grad * cos(x): MulBackward0 over CosBackward0",
          engine(DERIV, "sin: self: grad * self.cos().conj()"))
def _(t, ctx):
    return _double(t, ctx, t.sin, ctx.randn(3))


@scenario("higher_order.tanh_double_backward", "grad of tanh records TanhBackwardBackward0",
          engine(DERIV, "tanh: self: tanh_backward(grad, result); tanh_backward is itself differentiable"))
def _(t, ctx):
    return _double(t, ctx, t.tanh, ctx.randn(3))


@scenario("higher_order.sigmoid_double_backward", "grad of sigmoid records SigmoidBackwardBackward0",
          engine(DERIV, "sigmoid: self: sigmoid_backward(grad, result)"))
def _(t, ctx):
    return _double(t, ctx, t.sigmoid, ctx.randn(3))


@scenario("higher_order.relu_double_backward_zero", "grad of relu is ThresholdBackwardBackward0; its derivative is 0",
          engine(DERIV, "relu: self: threshold_backward(grad, result, 0)"))
def _(t, ctx):
    return _double(t, ctx, t.relu, [-1.0, 0.5, 2.0])


@scenario("higher_order.mul_mixed_partials", "z = x * y: dz/dx = y carries a graph to y; d/dy <dz/dx, w> = w",
          torch_test(T + "test_grad", "gradients of gradients w.r.t. another input"))
def _(t, ctx):
    x, y = _leaf(t, ctx.randn(3)), _leaf(t, ctx.randn(3))
    z = x * y
    gx, gy = t.autograd.grad(z, (x, y), t.tensor(ctx.randn(3)), create_graph=True)
    w = t.tensor(ctx.randn(3))
    dy, unused = t.autograd.grad(gx, (y, x), w, allow_unused=True)
    return {"gx": gx, "gy": gy, "d_gx_dy": dy, "d_gx_dx": unused}


@scenario("higher_order.div_double_backward", "x / y twice: second derivatives 2x/y^3 and -1/y^2 cross term",
          engine(DERIV, "div.Tensor: self: grad / other; other: -grad * self / (other * other)"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    y = _leaf(t, ctx.rand(3, low=0.5, high=2.0))
    gy, = t.autograd.grad((x / y).sum(), y, create_graph=True)
    dx, dy = t.autograd.grad(gy.sum(), (x, y))
    return {"gy": gy, "d2_dydx": dx, "d2_dy2": dy}


@scenario("higher_order.sum_mean_grad_is_constant", "grad of sum/mean has no grad_fn; differentiating it again raises",
          torch_docs("torch.autograd.grad", "allow_unused: inputs not used to compute outputs are an error"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    gs, = t.autograd.grad(x.sum(), x, create_graph=True)
    gm, = t.autograd.grad(x.mean(), x, create_graph=True)
    return {"sum_grad": gs, "mean_grad": gm, "again": ctx.capture(t.autograd.grad, gm.sum(), x)}


@scenario("higher_order.matmul_double_backward", "grad of A @ B w.r.t. A is MmBackward0 over TBackward0 of B",
          engine(DERIV, "mm: self: grad.mm(mat2.t())"))
def _(t, ctx):
    a, b = _leaf(t, ctx.randn(2, 3)), _leaf(t, ctx.randn(3, 2))
    ga, = t.autograd.grad(a @ b, a, t.tensor(ctx.randn(2, 2)), create_graph=True)
    db, = t.autograd.grad(ga, b, t.tensor(ctx.randn(2, 3)))
    return {"ga": ga, "d_ga_db": db, "a_grad": a.grad}


@scenario("higher_order.third_derivative", "grad three times: 3x^2, 6x, 6",
          torch_docs("torch.autograd.grad", "create_graph=True allows computing higher order derivatives"))
def _(t, ctx):
    x = _leaf(t, [0.5, -1.0, 2.0])
    d1, = t.autograd.grad((x ** 3).sum(), x, create_graph=True)
    d2, = t.autograd.grad(d1.sum(), x, create_graph=True)
    d3, = t.autograd.grad(d2.sum(), x)
    return {"d1": d1, "d2": d2, "d3": d3}


@scenario("higher_order.second_derivative_via_backward", "grad(create_graph=True) then first.backward() fills x.grad",
          torch_docs("Autograd mechanics", "a gradient computed with create_graph=True can be backpropagated"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    first, = t.autograd.grad(t.sin(x).sum(), x, create_graph=True)
    grad_before = x.grad
    first.backward(t.tensor(ctx.randn(3)))
    return {"first": first, "grad_before": grad_before, "x": x, "x_grad": x.grad}


@scenario("higher_order.backward_create_graph_grad_fn",
          "backward(create_graph=True): x.grad gets CopyBackwards, then AddBackward0 on accumulation; warns once",
          torch_test(T + "test_accumulate_grad", "with create_graph=True the gradient is accumulated out of place"),
          isolated=True)
def _(t, ctx):
    x = _leaf(t, [0.5, 1.0, 2.0])
    (x ** 3).sum().backward(create_graph=True)
    first = x.grad
    first_fn = x.grad.grad_fn
    (x ** 3).sum().backward(create_graph=True)
    return {"first": first, "first_fn": first_fn, "second": x.grad, "same_object": first is x.grad,
            "grad_is_leaf": x.grad.is_leaf}


@scenario("higher_order.hessian_vector_via_backward", "Hessian-vector product from backward(create_graph=True)",
          torch_test(T + "test_hessian_vector", "z = x**2 + y*x + y**2; backward of 2*x.grad + y.grad"),
          isolated=True)
def _(t, ctx):
    x, y = _leaf(t, ctx.randn(2, 2)), _leaf(t, ctx.randn(2, 2))
    z = x ** 2 + y * x + y ** 2
    z.backward(t.ones(2, 2), create_graph=True)
    x_first, y_first = x.grad.clone(), y.grad.clone()
    grad_sum = 2 * x.grad + y.grad
    grad_sum.backward(t.ones(2, 2))
    return {"x_first": x_first, "y_first": y_first, "grad_sum": grad_sum, "x_grad": x.grad, "y_grad": y.grad}


# ====================================================================== autograd.grad options
@scenario("autograd_grad.grad_outputs_tensor", "grad_outputs gives the vector of the vector-Jacobian product",
          torch_docs("torch.autograd.grad", "grad_outputs: the vector in the vector-Jacobian product"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    y = x * x
    v = t.tensor(ctx.randn(3))
    g = t.autograd.grad(y, x, grad_outputs=v)
    return {"g": g, "type": type(g).__name__, "x_grad": x.grad}


@scenario("autograd_grad.grad_outputs_list_and_none", "grad_outputs as a list, and None for a scalar output",
          torch_docs("torch.autograd.grad", "None values can be specified for scalar Tensors"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    y, s = x * 3, (x * x).sum()
    v = t.tensor(ctx.randn(3))
    missing = ctx.capture(t.autograd.grad, y, x)
    scalar = t.autograd.grad(s, x, grad_outputs=None, retain_graph=True)
    both = t.autograd.grad([y, s], [x], grad_outputs=[v, None])
    return {"both": both, "scalar": scalar, "missing": missing}


@scenario("autograd_grad.several_outputs_summed", "grad([y1, y2], x) sums the contributions of each output",
          torch_docs("torch.autograd.grad", "outputs: sequence of tensors; gradients w.r.t. each are summed"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    y1, y2 = (x * x).sum(), (x * 3).sum()
    both = t.autograd.grad([y1, y2], x, retain_graph=True)
    one = t.autograd.grad(y1, x, retain_graph=True)
    two = t.autograd.grad(y2, x)
    return {"both": both, "one": one, "two": two}


@scenario("autograd_grad.several_inputs_order", "grad(y, (b, a)) returns gradients in the order of the inputs given",
          torch_docs("torch.autograd.grad", "returns a tuple with one gradient per input"))
def _(t, ctx):
    a, b = _leaf(t, ctx.randn(2)), _leaf(t, ctx.randn(2))
    y = (a * b * b).sum()
    ba = t.autograd.grad(y, (b, a), retain_graph=True)
    ab = t.autograd.grad(y, [a, b])
    return {"ba": ba, "ab": ab, "single_in_list": len(ab)}


@scenario("autograd_grad.nonleaf_input", "grad w.r.t. a non-leaf gives the gradient flowing into that point",
          torch_test(T + "test_grad_nonleaf", "autograd.grad with respect to an intermediate tensor"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    h = x * 2 + 1
    y = (h * h).sum()
    gh, = t.autograd.grad(y, h, retain_graph=True)
    gx, = t.autograd.grad(y, x)
    return {"gh": gh, "two_h": 2 * h.detach(), "gx": gx, "h_is_leaf": h.is_leaf}


@scenario("autograd_grad.leaf_through_other_path", "A leaf reached only through another tensor gets the chain rule",
          torch_docs("torch.autograd.grad", "gradients flow through every path from outputs to inputs"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    w = _leaf(t, ctx.randn(3))
    h = x.exp()
    y = (h * w).sum()
    gx, = t.autograd.grad(y, x, retain_graph=True)
    gw, gh = t.autograd.grad(y, (w, h))
    return {"gx": gx, "gw": gw, "gh": gh, "w_grad": w.grad}


@scenario("autograd_grad.allow_unused", "An input not used raises; allow_unused=True gives None for it",
          torch_test(T + "test_grad_unreachable", "unreachable inputs give None with allow_unused=True"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2))
    z = _leaf(t, ctx.randn(2))
    y = (x * 2).sum()
    error = ctx.capture(t.autograd.grad, y, [x, z], retain_graph=True)
    allowed = t.autograd.grad(y, [x, z], allow_unused=True)
    return {"error": error, "allowed": allowed}


@scenario("autograd_grad.materialize_grads", "materialize_grads=True gives zeros instead of None for unused inputs",
          torch_test(T + "test_grad_materialize_grads", "d2y/dx2 of x * a is zeros with materialize_grads"))
def _(t, ctx):
    x = _leaf(t, 0.5)
    a = _leaf(t, 1.0)
    y = x * a
    dydx = t.autograd.grad(y, x, create_graph=True)
    none = t.autograd.grad(dydx, x, create_graph=True, allow_unused=True)
    zeros = t.autograd.grad(dydx, x, create_graph=True, allow_unused=True, materialize_grads=True)
    bad = ctx.capture(t.autograd.grad, dydx, x, allow_unused=False, materialize_grads=True)
    return {"dydx": dydx, "none": none, "zeros": zeros, "bad": bad}


@scenario("autograd_grad.only_inputs_false_warns", "only_inputs=False is deprecated: FutureWarning, same result",
          torch_docs("torch.autograd.grad", "only_inputs argument is deprecated and is ignored now"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2))
    w = _leaf(t, ctx.randn(2))
    g = t.autograd.grad((x * w).sum(), x, only_inputs=False)
    return {"g": g, "w_grad": w.grad, "x_grad": x.grad}


@scenario("autograd_grad.does_not_touch_grad", "autograd.grad returns gradients and leaves .grad alone",
          torch_docs("torch.autograd.grad", "computes and returns the sum of gradients; does not accumulate"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    (x * 2).sum().backward()
    before = x.grad.clone()
    g = t.autograd.grad((x * x).sum(), x)
    return {"g": g, "before": before, "x_grad": x.grad}


@scenario("autograd_grad.input_not_requiring_grad_error", "grad w.r.t. a tensor that does not require grad raises",
          torch_docs("torch.autograd.grad", "inputs must require grad"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2))
    c = t.tensor(ctx.randn(2))
    y = (x * c).sum()
    return {"error": ctx.capture(t.autograd.grad, y, c), "x_grad": t.autograd.grad(y, x)}


# ====================================================================== backward variants
@scenario("autograd_grad.autograd_backward_list", "torch.autograd.backward([a, b], [ga, gb]) accumulates both",
          torch_test(T + "test_multi_backward", "torch.autograd.backward with several tensors and grad_tensors"))
def _(t, ctx):
    x, y = _leaf(t, ctx.randn(3)), _leaf(t, ctx.randn(3))
    a = x * y
    b = (x + y).exp()
    ga, gb = t.tensor(ctx.randn(3)), t.tensor(ctx.randn(3))
    returned = t.autograd.backward([a, b], [ga, gb])
    return {"returned": returned, "x_grad": x.grad, "y_grad": y.grad}


@scenario("autograd_grad.backward_inputs_subset", "backward(inputs=[w]) accumulates into w only",
          torch_test(T + "test_backward_with_inputs", "only the tensors listed in inputs get .grad"))
def _(t, ctx):
    x, w = _leaf(t, ctx.randn(3)), _leaf(t, ctx.randn(3))
    y = (x * w).sum()
    y.backward(inputs=[w], retain_graph=True)
    w_first = w.grad.clone()
    x_first = x.grad
    y.backward(inputs=w)
    return {"w_first": w_first, "x_first": x_first, "w_grad": w.grad, "x_grad": x.grad}


@scenario("autograd_grad.backward_inputs_nonleaf", "backward(inputs=[h]) on a non-leaf h fills h.grad like retain_grad",
          torch_test(T + "test_backward_with_nonleaf_inputs", "a non-leaf in inputs gets its .grad populated"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    h = x * 2
    y = (h * h).sum()
    y.backward(inputs=[h])
    return {"h": h, "h_grad": h.grad, "x_grad": x.grad, "retains_grad": h.retains_grad}


@scenario("autograd_grad.retain_graph_second_backward_accumulates", "retain_graph=True then backward again doubles",
          torch_docs("torch.Tensor.backward", "retain_graph: keep the graph to backward through it again"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    y = (x.sin() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.clone()
    y.backward()
    third = ctx.capture(y.backward)
    return {"first": first, "x_grad": x.grad, "third": third}


@scenario("autograd_grad.unused_branch", "A branch computed but not used contributes nothing; a zero-weighted one 0",
          torch_docs("Autograd mechanics", "only the graph reachable from the outputs is traversed"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    used = x * 2
    unused = x.exp() * 100  # built, never part of the loss
    zero = x ** 2
    loss = (used + 0.0 * zero).sum()
    loss.backward()
    return {"loss": loss, "x_grad": x.grad, "unused": unused}


@scenario("autograd_grad.python_loop_graphs", "Loops of different lengths build different graphs and gradients",
          torch_docs("Autograd mechanics", "the graph is recreated from scratch at every iteration (define-by-run)"))
def _(t, ctx):
    out = {}
    for n in (1, 2, 4):
        x = _leaf(t, [1.5, -0.5])
        y = x
        for _ in range(n):
            y = y * x
        y.sum().backward()
        out[f"n{n}"] = {"y": y, "x_grad": x.grad}
    return out
