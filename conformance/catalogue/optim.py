"""torch.optim.SGD: update rule variants, state, param groups, zero_grad, validation, closures,
and a small training loop written from tensor ops."""
from __future__ import annotations

from ..scenario import scenario, seed, torch_docs

S0 = "000_5702683785e882bc.txt"
SGD_DOC = "torch.optim.SGD"
OPTIM_DOC = "torch.optim: How to use an optimizer"
TARGET = [0.5, 4.0]


def _quadratic_run(t, steps=3, **options):
    """SGD on loss = sum((p - TARGET)^2), grad = 2 (p - TARGET); returns p after each step."""
    p = t.tensor([1.0, 2.0], requires_grad=True)
    target = t.tensor(TARGET)
    optimizer = t.optim.SGD([p], **options)
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        ((p - target) ** 2).sum().backward()
        optimizer.step()
        history.append(p.detach().clone())
    return p, optimizer, history


@scenario("optim.sgd_plain_steps", "Plain SGD subtracts lr * grad at each step",
          torch_docs(SGD_DOC, "without momentum the update is p -= lr * grad"))
def _(t, ctx):
    p, optimizer, history = _quadratic_run(t, lr=0.1)
    return {"history": history, "p": p, "p_grad": p.grad, "version": p._version}


@scenario("optim.sgd_default_lr", "SGD without lr uses the default 0.001", torch_docs(SGD_DOC, "lr defaults to 1e-3"))
def _(t, ctx):
    p, optimizer, history = _quadratic_run(t, steps=1)
    return {"history": history, "lr": optimizer.param_groups[0]["lr"], "defaults_lr": optimizer.defaults["lr"]}


@scenario("optim.sgd_momentum", "SGD with momentum accumulates a velocity buffer",
          torch_docs(SGD_DOC, "b_t = mu * b_{t-1} + g_t, p -= lr * b_t"))
def _(t, ctx):
    p, optimizer, history = _quadratic_run(t, steps=4, lr=0.1, momentum=0.9)
    return {"history": history, "p": p}


@scenario("optim.sgd_dampening", "Dampening scales the new gradient after the first step",
          torch_docs(SGD_DOC, "b_t = mu * b_{t-1} + (1 - dampening) * g_t; the first buffer is g_1 itself"))
def _(t, ctx):
    p, optimizer, history = _quadratic_run(t, steps=4, lr=0.1, momentum=0.9, dampening=0.5)
    return {"history": history, "buffer": optimizer.state[p]["momentum_buffer"]}


@scenario("optim.sgd_nesterov", "Nesterov momentum steps with g + mu * b",
          torch_docs(SGD_DOC, "with nesterov the step uses g_t + mu * b_t"))
def _(t, ctx):
    p, optimizer, history = _quadratic_run(t, steps=4, lr=0.1, momentum=0.9, nesterov=True)
    return {"history": history, "buffer": optimizer.state[p]["momentum_buffer"]}


@scenario("optim.sgd_weight_decay", "weight_decay adds wd * p to the gradient used in the step, not to .grad",
          torch_docs(SGD_DOC, "g_t = g_t + lambda * theta_{t-1}"))
def _(t, ctx):
    p, optimizer, history = _quadratic_run(t, lr=0.1, weight_decay=0.5)
    return {"history": history, "p_grad": p.grad}


@scenario("optim.sgd_maximize", "maximize=True ascends the objective",
          torch_docs(SGD_DOC, "maximize the objective with respect to the params, instead of minimizing"))
def _(t, ctx):
    p, optimizer, history = _quadratic_run(t, lr=0.1, maximize=True)
    return {"history": history, "p_grad": p.grad}


@scenario("optim.momentum_buffer_state",
          "state[p]['momentum_buffer'] appears after the first step and is updated in place",
          torch_docs(SGD_DOC, "the momentum buffer is kept in optimizer.state"))
def _(t, ctx):
    p = t.tensor([1.0, 2.0], requires_grad=True)
    optimizer = t.optim.SGD([p], lr=0.1, momentum=0.5)
    before = len(optimizer.state)
    ((p * p).sum()).backward()
    optimizer.step()
    buffer = optimizer.state[p]["momentum_buffer"]
    first = buffer.clone()
    p.grad = None
    ((p * p).sum()).backward()
    optimizer.step()
    after = optimizer.state[p]["momentum_buffer"]
    return {"before": before, "keys": sorted(optimizer.state[p].keys()), "first": first, "second": after,
            "same_buffer": buffer is after, "buffer_is_grad": after is p.grad, "p": p}


@scenario("optim.no_momentum_no_state", "Without momentum SGD keeps no per-parameter state",
          torch_docs(SGD_DOC, "the momentum buffer exists only when momentum is non-zero"))
def _(t, ctx):
    p, optimizer, history = _quadratic_run(t, steps=2, lr=0.1)
    return {"state_len": len(optimizer.state), "state_type": type(optimizer.state).__name__,
            "state_p": dict(optimizer.state[p]) if p in optimizer.state else "absent"}


@scenario("optim.param_groups_and_defaults", "param_groups carry every option; a group's own lr overrides the default",
          torch_docs("torch.optim: Per-parameter options", "dicts in params define separate groups"))
def _(t, ctx):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = t.tensor([1.0, 2.0], requires_grad=True)
    optimizer = t.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    (a * 2 + b * 2).sum().backward()
    optimizer.step()
    groups = [{k: v for k, v in g.items() if k != "params"} for g in optimizer.param_groups]
    return {"a": a, "b": b, "groups": groups, "group_keys": [list(g.keys()) for g in optimizer.param_groups],
            "params_are_lists": [type(g["params"]).__name__ for g in optimizer.param_groups],
            "defaults": optimizer.defaults}


@scenario("optim.add_param_group", "add_param_group adds a group filled with the defaults",
          torch_docs("torch.optim.Optimizer.add_param_group", "the new group takes missing options from defaults"))
def _(t, ctx):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = t.tensor([3.0, 4.0], requires_grad=True)
    optimizer = t.optim.SGD([a], lr=0.1, momentum=0.9)
    optimizer.add_param_group({"params": b, "lr": 0.01})
    duplicate = ctx.capture(optimizer.add_param_group, {"params": [a]})
    (a * 3 + b * 3).sum().backward()
    optimizer.step()
    return {"a": a, "b": b, "n_groups": len(optimizer.param_groups),
            "second": {k: v for k, v in optimizer.param_groups[1].items() if k != "params"},
            "second_params_is_b": optimizer.param_groups[1]["params"][0] is b, "duplicate": duplicate}


@scenario("optim.zero_grad_sets_none", "zero_grad() sets every .grad to None by default",
          seed(S0, "optimizer.zero_grad() empties the gradients before the next iteration"))
def _(t, ctx):
    p = t.tensor([1.0, 2.0], requires_grad=True)
    optimizer = t.optim.SGD([p], lr=0.1)
    (p * 3).sum().backward()
    had = p.grad.clone()
    optimizer.zero_grad()
    return {"had": had, "p_grad": p.grad}


@scenario("optim.zero_grad_set_to_none_false", "zero_grad(set_to_none=False) zeroes the same .grad object in place",
          torch_docs("torch.optim.Optimizer.zero_grad", "set_to_none=False fills the grads with zeros instead"))
def _(t, ctx):
    p = t.tensor([1.0, 2.0], requires_grad=True)
    optimizer = t.optim.SGD([p], lr=0.1)
    (p * 3).sum().backward()
    grad = p.grad
    version = grad._version
    optimizer.zero_grad(set_to_none=False)
    return {"p_grad": p.grad, "same_object": grad is p.grad, "version_before": version,
            "version_after": p.grad._version}


@scenario("optim.step_skips_params_without_grad", "step() leaves parameters whose .grad is None untouched",
          torch_docs(SGD_DOC, "parameters with grad None are skipped"))
def _(t, ctx):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = t.tensor([3.0, 4.0], requires_grad=True)
    optimizer = t.optim.SGD([a, b], lr=0.1, momentum=0.9)
    (a * 2).sum().backward()
    optimizer.step()
    return {"a": a, "b": b, "a_version": a._version, "b_version": b._version, "b_grad": b.grad,
            "b_in_state": b in optimizer.state, "state_len": len(optimizer.state)}


@scenario("optim.step_bumps_version", "Each step updates the parameter in place and bumps its _version",
          torch_docs(SGD_DOC, "parameters are updated in place"))
def _(t, ctx):
    p = t.tensor([1.0, 2.0], requires_grad=True)
    optimizer = t.optim.SGD([p], lr=0.1)
    versions = [p._version]
    for _ in range(3):
        (p * p).sum().backward()
        optimizer.step()
        versions.append(p._version)
    return {"versions": versions, "p": p, "is_leaf": p.is_leaf, "grad_fn": p.grad_fn}


@scenario("optim.hyperparameter_validation", "Negative lr, momentum or weight_decay and bad nesterov raise ValueError",
          torch_docs(SGD_DOC, "SGD validates its hyperparameters at construction"))
def _(t, ctx):
    p = t.tensor([1.0, 2.0], requires_grad=True)
    SGD = t.optim.SGD
    return {"lr": ctx.capture(SGD, [p], lr=-0.1),
            "momentum": ctx.capture(SGD, [p], lr=0.1, momentum=-0.5),
            "weight_decay": ctx.capture(SGD, [p], lr=0.1, weight_decay=-1.0),
            "nesterov_no_momentum": ctx.capture(SGD, [p], lr=0.1, nesterov=True),
            "nesterov_dampening": ctx.capture(SGD, [p], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)}


@scenario("optim.empty_parameter_list", "An empty parameter list raises ValueError",
          torch_docs(OPTIM_DOC, "an optimizer needs an iterable of parameters"))
def _(t, ctx):
    return {"error": ctx.capture(t.optim.SGD, [], lr=0.1)}


@scenario("optim.non_leaf_parameter", "A non-leaf tensor cannot be optimized",
          torch_docs(OPTIM_DOC, "parameters must be leaf tensors"))
def _(t, ctx):
    p = t.tensor([1.0, 2.0], requires_grad=True)
    return {"error": ctx.capture(t.optim.SGD, [p * 2], lr=0.1)}


@scenario("optim.tensor_instead_of_iterable", "Passing a tensor instead of an iterable of tensors raises TypeError",
          torch_docs(OPTIM_DOC, "params should be an iterable of Tensors or dicts"))
def _(t, ctx):
    p = t.tensor([1.0, 2.0], requires_grad=True)
    return {"error": ctx.capture(t.optim.SGD, p, lr=0.1)}


@scenario("optim.duplicate_parameters_warn", "A parameter listed twice in a group warns; across groups it raises",
          torch_docs(OPTIM_DOC, "duplicate parameters in a group produce a UserWarning"))
def _(t, ctx):
    p = t.tensor([1.0, 2.0], requires_grad=True)
    optimizer = t.optim.SGD([p, p], lr=0.1)
    (p * 2).sum().backward()
    optimizer.step()
    across = ctx.capture(t.optim.SGD, [{"params": [p]}, {"params": [p]}], lr=0.1)
    return {"p": p, "n_params": len(optimizer.param_groups[0]["params"]), "across_groups": across}


@scenario("optim.step_with_closure", "step(closure) re-evaluates the loss and returns it",
          torch_docs(OPTIM_DOC, "optimizer.step(closure): the closure clears grads, computes the loss and returns it"))
def _(t, ctx):
    p = t.tensor([1.0, 2.0], requires_grad=True)
    optimizer = t.optim.SGD([p], lr=0.1)
    calls = []

    def closure():
        optimizer.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        calls.append(t.is_grad_enabled())
        return loss

    losses = [optimizer.step(closure) for _ in range(2)]
    no_closure = optimizer.step()
    return {"losses": losses, "calls": calls, "p": p, "no_closure": no_closure}


@scenario("optim.linear_regression_loop", "Five SGD steps of y = w*x + b with an MSE written from ops",
          seed(S0, "a training loop: forward, backward, optimizer.step(), optimizer.zero_grad()"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0, 3.0, 4.0])
    y = t.tensor([3.0, 5.0, 7.0, 9.0])
    w = t.tensor(0.0, requires_grad=True)
    b = t.tensor(0.0, requires_grad=True)
    optimizer = t.optim.SGD([w, b], lr=0.05)
    losses = []
    for _ in range(5):
        prediction = w * x + b
        loss = ((prediction - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return {"w": w, "b": b, "losses": losses, "last_loss": loss}


@scenario("optim.repr", "repr(optimizer) lists each parameter group's options",
          torch_docs(SGD_DOC, "the optimizer prints its parameter groups"))
def _(t, ctx):
    a = t.tensor([1.0], requires_grad=True)
    b = t.tensor([2.0], requires_grad=True)
    optimizer = t.optim.SGD([{"params": [a]}, {"params": [b], "momentum": 0.5}], lr=0.25)
    return {"repr": repr(optimizer)}
