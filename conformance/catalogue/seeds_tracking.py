"""Seed behaviours: errors of a first backward, the three ways to stop tracking, SGD, autograd.grad."""
from __future__ import annotations

from ..scenario import scenario, seed
from .seeds_basics import S0, S1, S2, S3

# ------------------------------------------------------------------ errors the seeds trigger


@scenario("errors.backward_without_grad_fn", "backward on a tensor that needs no grad raises",
          seed(S1, "x without requires_grad: z.backward() raises 'element 0 of tensors does not require grad'"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=False)
    z = ((x + 2) * (x + 2) * 2).mean()
    return {"error": ctx.capture(z.backward), "grad": x.grad}


@scenario("errors.implicit_grad_non_scalar", "backward() without a gradient on a vector raises",
          seed(S0, "c has 3 values: c.backward() raises 'grad can be implicitly created only for scalar outputs'"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    z = (x + 2) * (x + 2) * 2
    return {"z": z, "error": ctx.capture(z.backward), "grad": x.grad}


# ------------------------------------------------------------------ stop tracking
@scenario("tracking.requires_grad_false_inplace", "requires_grad_(False) stops tracking on a leaf",
          seed(S1, "x.requires_grad_(False) prints requires_grad False"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    before = x.requires_grad
    returned = x.requires_grad_(False)
    return {"before": before, "after": x.requires_grad, "returns_self": returned is x, "x": x, "y": x + 2}


@scenario("tracking.detach_no_grad", "detach() gives a tensor with the same values that needs no grad",
          seed(S0, "y = x.detach() has the same values but requires_grad False"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    y = x.detach()
    return {"x": x, "y": y, "same_values": bool((x.detach() == y).all()), "y_is_leaf": y.is_leaf}


@scenario("tracking.no_grad_block", "Operations inside no_grad() record no grad_fn",
          seed(S1, "with torch.no_grad(): y = x + 2 has requires_grad False"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    with t.no_grad():
        y = x + 2
        inside = t.is_grad_enabled()
    z = x + 2
    return {"y": y, "grad_fn": y.grad_fn, "inside": inside, "after": t.is_grad_enabled(), "z": z}


@scenario("tracking.detach_2x2_rand", "A detached 2x2 tensor does not require grad",
          seed(S2, "b = a.detach() of a 2x2 tensor: b.requires_grad is False"))
def _(t, ctx):
    a = t.tensor(ctx.rand(2, 2), requires_grad=True)
    b = a.detach()
    return {"a": a, "b": b, "b_requires_grad": b.requires_grad}


@scenario("tracking.no_grad_square", "c ** 2 under no_grad does not require grad",
          seed(S2, "with no_grad, c**2 has requires_grad False"))
def _(t, ctx):
    c = t.tensor(ctx.rand(2, 2), requires_grad=True)
    with t.no_grad():
        d = c ** 2
    return {"d": d, "requires_grad": d.requires_grad}


# ------------------------------------------------------------------ optimizer
@scenario("optim.sgd_step_zero_grad", "SGD step then zero_grad, as in a training loop",
          seed(S0, "optimizer = SGD([weights], lr); step(); zero_grad()"))
def _(t, ctx):
    weights = t.ones(4, requires_grad=True)
    optimizer = t.optim.SGD([weights], lr=0.01)
    seen = []
    for _ in range(3):
        (weights * 3).sum().backward()
        optimizer.step()
        seen.append((weights.detach().clone(), weights.grad.clone()))
        optimizer.zero_grad()
    return {"weights": weights, "history": seen, "grad_after_zero": weights.grad, "version": weights._version}


# ------------------------------------------------------------------ autograd.grad and retain_graph
def _neuron(t):
    x = t.tensor([3.0])
    w = t.tensor([2.0], requires_grad=True)
    b = t.tensor([1.0], requires_grad=True)
    u = x * w
    v = u + b
    a = t.nn.functional.relu(v)
    return w, b, a


@scenario("autograd_grad.retain_graph_sequence", "grad(a, w, retain_graph=True), then grad(a, b), then the error",
          seed(S3, "da/dw = 3 with retain_graph, da/db = 1, then a second grad raises"))
def _(t, ctx):
    w, b, a = _neuron(t)
    d_w = t.autograd.grad(a, w, retain_graph=True)
    d_b = t.autograd.grad(a, b)
    again = ctx.capture(t.autograd.grad, a, w)
    return {"a": a, "d_w": d_w, "d_b": d_b, "again": again, "w_grad": w.grad}


@scenario("control_flow.relu_gradient_at_zero", "relu's gradient at 0 is 0",
          seed(S3, "at the relu kink the gradient is 0 rather than undefined"))
def _(t, ctx):
    x = t.tensor([-1.0])
    w = t.tensor([1.0], requires_grad=True)
    b = t.tensor([1.0], requires_grad=True)
    a = t.nn.functional.relu(x * w + b)
    return {"a": a, "grads": t.autograd.grad(a, (w, b))}


@scenario("control_flow.python_if_else_relu", "A relu written with Python if/else is differentiated like any op",
          seed(S3, "a hand-written relu with Python if/else is differentiated too"))
def _(t, ctx):
    def my_relu(z):
        if z > 0.0:
            return z
        return z * 0.0

    out = {}
    for value in (3.0, -1.0):
        x = t.tensor([value])
        w = t.tensor([2.0], requires_grad=True)
        b = t.tensor([1.0], requires_grad=True)
        a = my_relu(x * w + b)
        out[str(value)] = {"a": a, "grads": t.autograd.grad(a, (w, b))}
    return out
