"""Backward hooks: Tensor.register_hook, Node hooks, post-accumulate-grad hooks, retain_grad,
and the order in which the engine fires hooks across a graph."""
from __future__ import annotations

from ..scenario import engine, scenario, seed, torch_docs, torch_test

S4 = "004_f6b0181ae14acc7b.txt"
HOOK_DOC = "torch.Tensor.register_hook"
HOOKS_NOTE = "Autograd mechanics: Backward Hooks execution"
READY_QUEUE = "autograd engine: the ready queue pops the node with the highest sequence_nr first"


def _recorder(order, label, result=None):
    """A hook that appends ``label`` to ``order`` and returns ``result(grad)`` (or None)."""
    def hook(grad):
        order.append(label)
        return None if result is None else result(grad)
    return hook


# ------------------------------------------------------------------ Tensor.register_hook
@scenario("hooks.leaf_hook_sees_gradient", "A hook on a leaf receives the gradient; returning None keeps it",
          torch_docs(HOOK_DOC, "the hook is called with the gradient computed for the tensor"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.clone()))
    (x * x).sum().backward()
    return {"seen": seen, "x_grad": x.grad, "handle_type": type(handle).__name__}


@scenario("hooks.leaf_hook_return_replaces_gradient", "A hook returning a tensor replaces the gradient stored in .grad",
          torch_docs(HOOK_DOC, "the hook can optionally return a new gradient used in place of grad"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    x.register_hook(lambda g: g * 10)
    (x * 2).sum().backward()
    return {"x_grad": x.grad}


@scenario("hooks.two_hooks_chain_in_registration_order",
          "Two hooks run in registration order; the second sees the first one's result",
          torch_docs(HOOKS_NOTE, "multiple tensor hooks are executed in the order they were registered"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    order, seen = [], []

    def first(g):
        order.append("first")
        return g + 1

    def second(g):
        order.append("second")
        seen.append(g.clone())
        return g * 2

    x.register_hook(first)
    x.register_hook(second)
    (x * 3).sum().backward()
    return {"order": order, "second_saw": seen, "x_grad": x.grad}


@scenario("hooks.handle_remove_stops_hook", "RemovableHandle.remove() unregisters the hook",
          torch_test("test/test_autograd.py::TestAutograd::test_hooks", "a removed hook no longer runs"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    calls = []
    handle = x.register_hook(lambda g: calls.append("a") or g * 100)
    x.register_hook(lambda g: calls.append("b"))
    (x * 2).sum().backward()
    handle.remove()
    handle.remove()  # removing twice is harmless
    x.grad = None
    (x * 2).sum().backward()
    return {"calls": calls, "x_grad": x.grad}


@scenario("hooks.hook_changing_shape_errors", "A hook returning a gradient of another shape raises",
          torch_docs(HOOK_DOC, "the returned gradient must match the shape of the original"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)

    def shrink(grad):
        return grad.sum()

    x.register_hook(shrink)
    return {"error": ctx.capture((x * 2).sum().backward), "x_grad": x.grad}


@scenario("hooks.hook_changing_dtype_errors", "A hook returning a gradient of another dtype raises",
          torch_docs(HOOK_DOC, "the returned gradient must keep the dtype of the original"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2

    def widen(grad):
        return grad.double()

    y.register_hook(widen)
    return {"error": ctx.capture((y * 3).sum().backward), "x_grad": x.grad}


@scenario("hooks.hook_returning_non_tensor_errors", "A hook returning a float raises TypeError",
          torch_docs(HOOK_DOC, "a hook returns a Tensor or None"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: 1.0)
    return {"error": ctx.capture((x * 2).sum().backward), "x_grad": x.grad}


@scenario("hooks.register_hook_without_requires_grad_errors", "register_hook on a tensor not requiring grad raises",
          torch_docs(HOOK_DOC, "hooks can only be registered on tensors that require grad"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0])
    return {"error": ctx.capture(x.register_hook, lambda g: g)}


@scenario("hooks.intermediate_hook_none_keeps_leaf_grad",
          "A hook on an intermediate that returns None does not change the leaf's .grad",
          torch_docs(HOOKS_NOTE, "tensor hooks on non-leaf tensors run before the node that produced them"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    y = x * 2
    seen = []
    y.register_hook(lambda g: seen.append(g.clone()))
    (y * y).sum().backward()
    return {"seen": seen, "x_grad": x.grad, "y_retains_grad": y.retains_grad}


@scenario("hooks.intermediate_hook_return_changes_leaf_grad",
          "A hook on an intermediate that returns a tensor changes what reaches the leaf",
          torch_docs(HOOK_DOC, "the returned gradient is used in place of grad for the rest of the backward"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: t.ones_like(g) * 0.5)
    (y * y).sum().backward()
    return {"x_grad": x.grad}


@scenario("hooks.grad_mode_off_inside_hook", "During a normal backward, grad mode is off inside a hook",
          torch_docs("Autograd mechanics: Locally disabling gradient computation",
                     "backward runs with grad mode disabled unless create_graph=True"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    state = []

    def hook(g):
        state.append(t.is_grad_enabled())
        state.append(g.requires_grad)
        state.append((g * 2).requires_grad)

    y.register_hook(hook)
    (y * y).sum().backward()
    return {"state": state, "after": t.is_grad_enabled()}


@scenario("hooks.grad_mode_on_inside_hook_create_graph", "With create_graph=True, grad mode is on inside a hook",
          torch_docs("torch.autograd.grad", "create_graph=True records the derivative's own graph"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    state = []

    def hook(g):
        state.append(t.is_grad_enabled())
        state.append(g.requires_grad)

    y.register_hook(hook)
    (gx,) = t.autograd.grad((y * y).sum(), x, create_graph=True)
    return {"state": state, "gx": gx}


@scenario("hooks.tensor_used_twice_hook_fires_once",
          "A hook on a tensor used twice fires once with the summed gradient",
          torch_docs(HOOKS_NOTE, "a tensor hook sees the gradient accumulated over all uses of the tensor"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    seen, leaf_seen = [], []
    y.register_hook(lambda g: seen.append(g.clone()))
    x.register_hook(lambda g: leaf_seen.append(g.clone()))
    z = y * y + y * 2
    z.sum().backward()
    return {"y_hook": seen, "x_hook": leaf_seen, "x_grad": x.grad}


@scenario("hooks.retain_graph_twice_fires_twice", "Two backward calls with retain_graph fire a hook twice",
          torch_docs(HOOK_DOC, "the hook is called every time a gradient is computed"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    calls = []
    y.register_hook(lambda g: calls.append(g.clone()))
    x.register_hook(lambda g: calls.append(("leaf", g.clone())))
    z = (y * y).sum()
    z.backward(retain_graph=True)
    z.backward()
    return {"calls": calls, "x_grad": x.grad}


@scenario("hooks.hooks_before_inplace_stay_with_old_value",
          "A hook registered before an in-place op sees the old value's gradient; one after sees the new",
          torch_test("test/test_autograd.py::TestAutograd::test_tensor_hooks_inplace",
                     "a hook registered after an in-place op is attached to the new version"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    a = x.clone()
    order, seen = [], {}

    def before(g):
        order.append("before")
        seen["before"] = g.clone()

    def after(g):
        order.append("after")
        seen["after"] = g.clone()

    a.register_hook(before)
    a.mul_(2)
    a.register_hook(after)
    (a * 3).sum().backward()
    return {"order": order, "seen": seen, "x_grad": x.grad, "a": a}


# ------------------------------------------------------------------ Node hooks
@scenario("hooks.node_post_hook_sees_inputs_and_outputs",
          "Node.register_hook gets (grad_inputs, grad_outputs) after the node runs",
          torch_docs("torch.autograd.graph.Node.register_hook",
                     "hook(grad_inputs, grad_outputs) is called after the node's gradients are computed"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    w = t.tensor([3.0, 4.0])
    y = x * w
    seen = []

    def post(grad_inputs, grad_outputs):
        seen.append({"grad_inputs": list(grad_inputs), "grad_outputs": list(grad_outputs),
                     "types": [type(grad_inputs).__name__, type(grad_outputs).__name__]})

    handle = y.grad_fn.register_hook(post)
    (y * 5).sum().backward()
    return {"seen": seen, "x_grad": x.grad, "handle_type": type(handle).__name__}


@scenario("hooks.node_post_hook_replaces_grad_inputs", "A Node post hook's returned tuple replaces grad_inputs",
          torch_docs("torch.autograd.graph.Node.register_hook",
                     "the hook can return new grad_inputs used in place of the computed ones"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    b = t.tensor([1.0, 1.0], requires_grad=True)
    y = x + b
    y.grad_fn.register_hook(lambda gi, go: (gi[0] * 10, None))
    (y * 2).sum().backward()
    return {"x_grad": x.grad, "b_grad": b.grad}


@scenario("hooks.node_prehook_replaces_grad_outputs", "Node.register_prehook gets (grad_outputs,) and may replace it",
          torch_docs("torch.autograd.graph.Node.register_prehook",
                     "hook(grad_outputs) runs before the node and can return new grad_outputs"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    seen = []

    def pre(grad_outputs):
        seen.append((type(grad_outputs).__name__, len(grad_outputs), grad_outputs[0].clone()))
        return (grad_outputs[0] * 3,)

    y.grad_fn.register_prehook(pre)
    (y * 2).sum().backward()
    return {"seen": seen, "x_grad": x.grad}


@scenario("engine_order.node_hooks_vs_tensor_hooks",
          "Tensor hooks on a node's output run before its prehooks, then the node, then its post hooks",
          torch_docs(HOOKS_NOTE, "tensor pre-hooks, then node pre-hooks, then the node, then post hooks"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * 3
    order = []
    y.grad_fn.register_hook(lambda gi, go: order.append("y.node.post"))
    y.grad_fn.register_prehook(lambda go: order.append("y.node.pre"))
    y.register_hook(_recorder(order, "y.tensor"))
    z.grad_fn.register_hook(lambda gi, go: order.append("z.node.post"))
    z.grad_fn.register_prehook(lambda go: order.append("z.node.pre"))
    z.register_hook(_recorder(order, "z.tensor"))
    x.register_hook(_recorder(order, "x.tensor"))
    z.sum().backward()
    return {"order": order, "x_grad": x.grad}


# ------------------------------------------------------------------ post-accumulate-grad hooks
@scenario("hooks.post_accumulate_grad_hook_sees_updated_grad",
          "register_post_accumulate_grad_hook is called with the leaf after .grad is updated",
          torch_docs("torch.Tensor.register_post_accumulate_grad_hook",
                     "the hook receives the tensor itself once its .grad has been accumulated"))
def _(t, ctx):
    p = t.tensor([1.0, 2.0], requires_grad=True)
    seen = []

    def hook(tensor):
        seen.append({"is_p": tensor is p, "grad": tensor.grad.clone()})

    ret = p.register_post_accumulate_grad_hook(hook)
    (p * 3).sum().backward()
    (p * p).sum().backward()
    return {"seen": seen, "p_grad": p.grad, "returned_type": type(ret).__name__}


@scenario("hooks.post_accumulate_grad_hook_non_leaf_errors", "Post-accumulate-grad hooks cannot go on non-leaves",
          torch_test("test/test_autograd.py::TestAutograd::test_post_accumulate_grad_hook_on_non_leaf",
                     "registering on a non-leaf raises RuntimeError"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    return {"error": ctx.capture(y.register_post_accumulate_grad_hook, lambda tensor: None)}


# ------------------------------------------------------------------ hook order across a graph
@scenario("engine_order.chain", "Hooks on a chain x -> a -> b -> c fire from the output back to the leaf",
          engine(READY_QUEUE, "each node becomes ready only after its consumer has run"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a + 1
    c = b * b
    order = []
    for label, tensor in (("x", x), ("a", a), ("b", b), ("c", c)):
        tensor.register_hook(_recorder(order, label))
    c.sum().backward()
    return {"order": order, "x_grad": x.grad}


@scenario("engine_order.diamond_later_branch_first",
          "In a diamond x -> a, b -> c, the branch created later fires first",
          engine(READY_QUEUE, "a and b are ready together; b has the higher sequence number"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = x * 3
    c = a * b
    order = []
    for label, tensor in (("x", x), ("a", a), ("b", b), ("c", c)):
        tensor.register_hook(_recorder(order, label))
    c.sum().backward()
    return {"order": order, "x_grad": x.grad}


@scenario("engine_order.diamond_creation_order_decides",
          "Swapping which branch is created first swaps the hook order, whatever the operand order",
          engine(READY_QUEUE, "b created before a: a (higher sequence number) fires first"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    b = x * 3
    a = x * 2
    c = a * b
    order = []
    for label, tensor in (("a", a), ("b", b), ("x", x)):
        tensor.register_hook(_recorder(order, label))
    c.sum().backward()
    return {"order": order, "x_grad": x.grad}


@scenario("engine_order.leaf_before_intermediate",
          "A leaf's hook fires before an intermediate ready at the same time (AccumulateGrad runs first)",
          engine(READY_QUEUE, "AccumulateGrad nodes carry the maximum sequence number"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    w = t.tensor([3.0, 4.0], requires_grad=True)
    a = x * 2
    c = a * w
    order = []
    a.register_hook(_recorder(order, "a"))
    w.register_hook(_recorder(order, "w"))
    x.register_hook(_recorder(order, "x"))
    c.sum().backward()
    return {"order": order, "x_grad": x.grad, "w_grad": w.grad}


@scenario("engine_order.unbind_outputs", "Hooks on unbind's outputs fire when UnbindBackward0 runs",
          seed(S4, "b, c, d = a.unbind() share one UnbindBackward0; e = b * c * d"))
def _(t, ctx):
    a = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b, c, d = a.unbind()
    e = b * c * d
    order = []
    for label, tensor in (("d", d), ("b", b), ("c", c), ("a", a), ("e", e)):
        tensor.register_hook(_recorder(order, label))
    e.backward()
    return {"order": order, "a_grad": a.grad}


@scenario("engine_order.several_leaves_one_op", "Hooks on several leaves stacked by one op fire in the engine's order",
          engine(READY_QUEUE, "AccumulateGrad nodes tie on sequence number; the heap decides their order"))
def _(t, ctx):
    leaves = [t.tensor(float(i + 1), requires_grad=True) for i in range(4)]
    order = []
    for index, leaf in enumerate(leaves):
        leaf.register_hook(_recorder(order, f"leaf{index}"))
    t.stack(leaves).sum().backward()
    return {"order": order, "grads": [leaf.grad for leaf in leaves]}


@scenario("engine_order.leaf_chain_product", "Hooks on leaves multiplied in a chain fire from the last one backwards",
          engine(READY_QUEUE, "the leaf used last becomes ready first"))
def _(t, ctx):
    leaves = [t.tensor(float(i + 1), requires_grad=True) for i in range(4)]
    order = []
    for index, leaf in enumerate(leaves):
        leaf.register_hook(_recorder(order, f"leaf{index}"))
    product = leaves[0]
    for leaf in leaves[1:]:
        product = product * leaf
    product.backward()
    return {"order": order, "grads": [leaf.grad for leaf in leaves]}


@scenario("engine_order.leaf_used_twice", "A leaf feeding two branches fires its hook once, after both branches",
          engine(READY_QUEUE, "AccumulateGrad waits for all its inputs before running"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = x.exp()
    c = a + b
    order, seen = [], []
    a.register_hook(_recorder(order, "a"))
    b.register_hook(_recorder(order, "b"))
    x.register_hook(lambda g: order.append("x") or seen.append(g.clone()))
    c.sum().backward()
    return {"order": order, "x_hook_grad": seen, "x_grad": x.grad}


# ------------------------------------------------------------------ retain_grad
@scenario("retain_grad.intermediate_grad", "retain_grad() on an intermediate fills its .grad without a warning",
          seed(S4, "i.retain_grad() keeps the gradient flowing into the intermediate i"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    y = x * 2
    before = y.retains_grad
    y.retain_grad()
    (y * y).sum().backward()
    return {"before": before, "after": y.retains_grad, "y_grad": y.grad, "x_grad": x.grad}


@scenario("retain_grad.accumulates_out_of_place",
          "A retained grad accumulates over two backward calls into a new tensor",
          torch_docs("torch.Tensor.retain_grad", "the retained .grad accumulates like a leaf's"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    z.backward(retain_graph=True)
    first = y.grad
    first_values = first.clone()
    z.backward()
    return {"first": first_values, "first_now": first, "second": y.grad, "same_object": first is y.grad,
            "x_grad": x.grad}


@scenario("retain_grad.leaf_is_noop", "retain_grad() on a leaf changes nothing: retains_grad stays False",
          torch_docs("torch.Tensor.retains_grad", "retains_grad is True only for non-leaf tensors that retain grad"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    x.retain_grad()
    (x * 3).sum().backward()
    return {"x_grad": x.grad, "retains_grad": x.retains_grad}


@scenario("retain_grad.requires_grad_false_errors", "retain_grad() on a tensor without requires_grad raises",
          torch_docs("torch.Tensor.retain_grad", "only tensors that require grad can retain it"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0])
    return {"error": ctx.capture(x.retain_grad), "retains_grad": x.retains_grad}


@scenario("retain_grad.follows_inplace", "After an in-place op the retained grad belongs to the new grad_fn",
          torch_test("test/test_autograd.py::TestAutograd::test_retain_grad_inplace",
                     "a.retain_grad(); a.mul_(2); a.sum().backward() gives a.grad == 1"))
def _(t, ctx):
    x = t.tensor([1.0, 3.0], requires_grad=True)
    a = x.clone()
    a.retain_grad()
    a.mul_(2)
    (a * a).sum().backward()
    return {"a": a, "a_grad": a.grad, "x_grad": x.grad}


@scenario("retain_grad.runs_after_other_hooks", "The retained grad is taken after all tensor hooks, whatever the order",
          torch_docs(HOOKS_NOTE, "retains_grad hooks always execute last among tensor pre-hooks"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 100)
    (y * 3).sum().backward()
    return {"y_grad": y.grad, "x_grad": x.grad}


@scenario("hooks.node_hook_wrong_number_of_values",
          "A node pre-hook or post-hook returning a tuple of the wrong length raises 'hook '<name>' has returned "
          "an incorrect number of values'",
          torch_docs("torch.autograd.graph.Node.register_prehook", "the hook may return a new gradient for each "
                                                                   "grad_output, no more and no fewer"))
def _(t, ctx):
    def with_prehook(count):
        x = t.tensor(ctx.randn(2), requires_grad=True)
        y = x * 2

        def hook(grad_outputs):
            return (grad_outputs[0],) * count

        y.grad_fn.register_prehook(hook)
        return ctx.capture(y.sum().backward)

    def with_post_hook(count):
        x = t.tensor(ctx.randn(2), requires_grad=True)
        y = x * 2

        def my_hook(grad_inputs, grad_outputs):
            return (grad_inputs[0],) * count

        y.grad_fn.register_hook(my_hook)
        return {"error": ctx.capture(y.sum().backward), "grad": x.grad}

    return {"pre_two": with_prehook(2), "pre_none": with_prehook(0), "post_none": with_post_hook(0),
            "post_two": with_post_hook(2)}
