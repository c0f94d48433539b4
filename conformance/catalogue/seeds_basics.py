"""Behaviours the seed tutorials show first: requires_grad, grad_fn names, scalar backward."""
from __future__ import annotations

from ..scenario import scenario, seed

S0 = "000_5702683785e882bc.txt"
S1 = "001_3d5dfff09b1f4dbc.txt"
S2 = "002_f7c3f1676d66577c.txt"
S3 = "003_5407a5188471c13c.txt"
S4 = "004_f6b0181ae14acc7b.txt"


@scenario("basics.requires_grad_default_false", "A new tensor does not require grad",
          seed(S2, "requires_grad is False unless asked for"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3))
    return {"x": x, "requires_grad": x.requires_grad, "grad_fn": x.grad_fn, "is_leaf": x.is_leaf}


@scenario("basics.requires_grad_true_repr", "requires_grad=True shows in the repr",
          seed(S1, "x = randn(3, requires_grad=True) prints requires_grad=True"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    return {"x": x, "repr": repr(x)}


@scenario("grad_fn.add_name", "x + 2 has grad_fn AddBackward0",
          seed(S0, "y = x + 2 creates a node named AddBackward0"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    y = x + 2
    return {"y": y, "grad_fn": type(y.grad_fn).__name__, "name": y.grad_fn.name()}


@scenario("grad_fn.mul_name", "y * y * 2 has grad_fn MulBackward0", seed(S1, "z = y*y*2 prints MulBackward0"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    y = x + 2
    z = y * y * 2
    return {"z": z, "name": z.grad_fn.name()}


@scenario("grad_fn.mean_name", "mean() has grad_fn MeanBackward0", seed(S1, "z.mean() prints MeanBackward0"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    z = ((x + 2) * (x + 2) * 2).mean()
    return {"z": z, "name": z.grad_fn.name()}


@scenario("grad_fn.sub_name", "x**2 - 5 has grad_fn SubBackward0", seed(S2, "the loss x**2 - 5 shows SubBackward0"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
    loss = x ** 2 - 5
    return {"loss": loss, "grad_fn": loss.grad_fn}


@scenario("backward.scalar_mean_chain", "Scalar backward through add, mul, mean fills x.grad",
          seed(S1, "z = mean(2(x+2)^2); z.backward(); x.grad = 4(x+2)/3"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    z = ((x + 2) * (x + 2) * 2).mean()
    z.backward()
    return {"x": x, "grad": x.grad, "z": z}


@scenario("backward.vector_jacobian_product", "backward(v) computes the vector-Jacobian product",
          seed(S1, "z.backward(v) with v = [0.1, 1.0, 0.001] gives grads printed in scientific notation"))
def _(t, ctx):
    x = t.tensor([1.3505, 0.9042, -0.7476], requires_grad=True)
    y = x + 2
    z = y * y * 2
    v = t.tensor([0.1, 1.0, 0.001], dtype=t.float32)
    z.backward(v)
    return {"grad": x.grad, "grad_repr": repr(x.grad)}


@scenario("backward.gradient_argument_ones", "backward(ones) on a non-scalar loss gives d(x^2-5)/dx = 2x",
          seed(S2, "loss.backward(torch.ones(5)) and x.grad equals 2*x"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
    loss = x ** 2 - 5
    loss.backward(t.ones(5))
    return {"grad": x.grad, "two_x": 2 * x.detach(), "equal": bool((x.grad == 2 * x.detach()).all())}


@scenario("backward.accumulates_over_calls", "Gradients accumulate: 3, 6, 9 over three backward calls",
          seed(S1, "weights*3 summed, backward three times: grads 3, 6, 9"))
def _(t, ctx):
    weights = t.ones(4, requires_grad=True)
    seen = []
    for _ in range(3):
        model_output = (weights * 3).sum()
        model_output.backward()
        seen.append(weights.grad.clone())
    return {"grads": seen, "final": weights.grad}


@scenario("backward.zero_grad_between_calls", "grad.zero_() between iterations keeps the grad at 3",
          seed(S1, "weights.grad.zero_() after each backward: 3, 3, 3"))
def _(t, ctx):
    weights = t.ones(4, requires_grad=True)
    seen = []
    for _ in range(3):
        model_output = (weights * 3).sum()
        model_output.backward()
        seen.append(weights.grad.clone())
        weights.grad.zero_()
    return {"grads": seen, "final": weights.grad, "grad_version": weights.grad._version}


@scenario("backward.accumulate_keeps_grad_object", "Accumulation adds into the same .grad tensor in place",
          seed(S0, "the second backward sums into the existing .grad"))
def _(t, ctx):
    w = t.ones(4, requires_grad=True)
    (w * 3).sum().backward()
    first = w.grad
    version_before = first._version
    (w * 3).sum().backward()
    return {"same_object": first is w.grad, "version_before": version_before, "version_after": w.grad._version,
            "grad": w.grad}
