"""Custom torch.autograd.Function subclasses: saving tensors, needs_input_grad, non-tensor arguments,
several outputs, non-differentiable outputs, materialized grads, errors and double backward."""
from __future__ import annotations

from ..scenario import scenario, seed, torch_docs, torch_test

S4 = "004_f6b0181ae14acc7b.txt"
EXTENDING = "Extending PyTorch: Extending torch.autograd"
TEST = "test/test_autograd.py::TestAutograd::"


def _square_class(t):
    class Square(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    return Square


@scenario("custom_function.save_for_backward", "save_for_backward / saved_tensors give backward its inputs",
          seed(S4, "a function stores inputs with save_for_backward and reads them back as saved_tensors"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    y = _square_class(t).apply(x)
    y.sum().backward()
    return {"y": y, "x_grad": x.grad, "expected": 2 * x.detach()}


@scenario("custom_function.node_name_and_next_functions", "The node is <ClassName>Backward linked to the inputs' nodes",
          torch_docs(EXTENDING, "apply records a node for the Function in the graph"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    w = t.tensor([3.0, 4.0])
    y = _square_class(t).apply(x * w)
    node = y.grad_fn
    return {"y": y, "type": type(node).__name__, "name": node.name(),
            "next": [(type(fn).__name__, nr) for fn, nr in node.next_functions]}


@scenario("custom_function.saved_tensors_on_node", "grad_fn.saved_tensors is a tuple holding the saved input itself",
          torch_docs(EXTENDING, "tensors saved with save_for_backward are unpacked as the original tensor"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = _square_class(t).apply(x)
    saved = y.grad_fn.saved_tensors
    return {"type": type(saved).__name__, "length": len(saved), "is_x": saved[0] is x}


@scenario("custom_function.needs_input_grad", "ctx.needs_input_grad tells which inputs need a gradient",
          torch_docs(EXTENDING, "needs_input_grad is a tuple of booleans, one per forward input"))
def _(t, ctx):
    seen = {}

    class Scale(t.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, k):
            seen["forward"] = ctx.needs_input_grad
            ctx.save_for_backward(x, w)
            return x * w * k

        @staticmethod
        def backward(ctx, grad):
            seen["backward"] = ctx.needs_input_grad
            x, w = ctx.saved_tensors
            return (grad * w * 2 if ctx.needs_input_grad[0] else None,
                    grad * x * 2 if ctx.needs_input_grad[1] else None, None)

    x = t.tensor([1.0, 2.0], requires_grad=True)
    w = t.tensor([3.0, 4.0])
    y = Scale.apply(x, w, 2.0)
    y.sum().backward()
    return {"seen": seen, "y": y, "x_grad": x.grad, "w_grad": w.grad}


@scenario("custom_function.non_tensor_arguments", "Non-tensor arguments get None as their gradient",
          torch_docs(EXTENDING, "backward returns None for inputs that are not tensors"))
def _(t, ctx):
    class Affine(t.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale, label):
            ctx.scale = scale
            ctx.label = label
            return x * scale + 1

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.scale, None, None

    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = Affine.apply(x, 3.0, "three")
    y.sum().backward()
    return {"y": y, "x_grad": x.grad, "next": [nr for _, nr in y.grad_fn.next_functions],
            "n_next": len(y.grad_fn.next_functions)}


@scenario("custom_function.multiple_outputs", "A forward returning a tuple gives outputs sharing one node",
          torch_docs(EXTENDING, "forward may return several tensors; backward gets one gradient per output"))
def _(t, ctx):
    seen = []

    class Two(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append((g1.clone(), g2.clone()))
            return g1 * 2 + g2 * 3

    x = t.tensor([1.0, 2.0], requires_grad=True)
    out = Two.apply(x)
    a, b = out
    shared = a.grad_fn is b.grad_fn
    a.sum().backward()
    return {"type": type(out).__name__, "a": a, "b": b, "shared": shared, "output_nr": [a.output_nr, b.output_nr],
            "backward_saw": seen, "x_grad": x.grad}


@scenario("custom_function.mark_non_differentiable", "mark_non_differentiable outputs do not require grad",
          torch_test(TEST + "test_mark_non_differentiable", "a marked output has requires_grad False"))
def _(t, ctx):
    seen = []

    class Shifted(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            shifted = x + 1
            ctx.mark_non_differentiable(shifted)
            return x * 2, shifted

        @staticmethod
        def backward(ctx, grad_out, grad_shifted):
            seen.append(grad_shifted)
            return grad_out * 2

    x = t.tensor([3.0, 1.0, 2.0], requires_grad=True)
    out, shifted = Shifted.apply(x)
    (out * t.tensor([1.0, 2.0, 3.0])).sum().backward()
    return {"out": out, "shifted": shifted, "grad_for_shifted": seen, "x_grad": x.grad,
            "shifted_error": ctx.capture(shifted.sum().backward)}


@scenario("custom_function.set_materialize_grads_false", "With set_materialize_grads(False) unused outputs give None",
          torch_test(TEST + "test_materialize_grads", "backward sees None instead of zeros for unused outputs"))
def _(t, ctx):
    seen = []

    class Two(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append((g1, g2))
            return g2 * 3 if g1 is None else g1 * 2

    x = t.tensor([1.0, 2.0], requires_grad=True)
    a, b = Two.apply(x)
    b.sum().backward()
    return {"backward_saw": seen, "x_grad": x.grad}


@scenario("custom_function.wrong_number_of_gradients", "backward returning too many gradients raises",
          torch_test(TEST + "test_invalid_gradients", "returning the wrong number of gradients is an error"))
def _(t, ctx):
    class Double(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2, grad

    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = Double.apply(x)
    return {"error": ctx.capture(y.sum().backward), "x_grad": x.grad}


@scenario("custom_function.wrong_gradient_shape", "backward returning a gradient of the wrong shape raises",
          torch_test(TEST + "test_invalid_gradients", "a gradient of an incompatible shape is an error"))
def _(t, ctx):
    class Double(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad[:1]

    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = Double.apply(x)
    return {"error": ctx.capture(y.sum().backward), "x_grad": x.grad}


@scenario("custom_function.saved_tensors_freed_after_backward",
          "After backward, saved tensors are freed: a second backward raises",
          torch_docs("Autograd mechanics: Saved tensors", "saved tensors are freed after backward unless retain_graph"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = _square_class(t).apply(x)
    y.sum().backward()
    first = x.grad.clone()
    return {"first": first, "node_saved": ctx.capture(lambda: y.grad_fn.saved_tensors),
            "second": ctx.capture(y.sum().backward), "x_grad": x.grad}


@scenario("custom_function.input_modified_in_place", "Changing a saved input in place makes backward raise",
          seed(S4, "saved tensors are checked against their version when unpacked in backward"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    a = x.clone()
    y = _square_class(t).apply(a)
    a.add_(1)
    return {"a_version": a._version, "error": ctx.capture(y.sum().backward), "x_grad": x.grad}


@scenario("custom_function.leaf_input_modified_under_no_grad", "A saved leaf changed under no_grad also fails backward",
          torch_docs("Autograd mechanics: In-place correctness checks", "every saved tensor is version-checked"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = _square_class(t).apply(x)
    with t.no_grad():
        x.add_(1)
    return {"error": ctx.capture(y.sum().backward), "x_grad": x.grad}


@scenario("custom_function.apply_under_no_grad", "apply under no_grad records no node",
          torch_test(TEST + "test_no_grad_python_function", "Python Functions respect grad mode"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    with t.no_grad():
        y = _square_class(t).apply(x)
    return {"y": y}


@scenario("custom_function.create_graph_double_backward",
          "A backward built from differentiable ops supports create_graph and a second derivative",
          torch_docs(EXTENDING, "backward is differentiable when it uses tensor ops on its inputs"))
def _(t, ctx):
    class Cube(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x

    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    (first,) = t.autograd.grad(y.sum(), x, create_graph=True)
    (second,) = t.autograd.grad(first.sum(), x)
    return {"y": y, "first": first, "second": second}
