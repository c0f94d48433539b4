"""Custom torch.autograd.Function in detail, as PyTorch's own test_autograd.py pins it: views returned by
forward, non-tensor outputs, mark_dirty (through views, and its checks), backward vs vjp, the legacy API,
once_differentiable, setup_context and clear_saved_tensors_on_access."""
from __future__ import annotations

import sys
import warnings

from ..scenario import engine, scenario, torch_test

TEST = "test/test_autograd.py::TestAutograd::"
WRAP = "torch/csrc/autograd/custom_function.cpp"


def _grad_names(node):
    return [None if fn is None else fn.name() for fn, _ in node.next_functions]


def _caught(fn, *args):
    """Run fn, keeping the warnings it raised (category and text) out of the scenario's own warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args)
    return result, caught


# ------------------------------------------------------------------ views returned by forward
@scenario("function.view_output_inplace_error",
          "A view of an input returned by forward may not be modified in place: the custom Function error",
          torch_test(TEST + "test_autograd_multiple_views_python",
                     "out += 1 on a select view a custom Function returned raises 'Output 0 of ... is a view'"))
def _(t, ctx):
    class Pick(t.autograd.Function):
        @staticmethod
        def forward(ctx, a, idx):
            ctx.idx = idx
            return a.select(0, idx)

        @staticmethod
        def backward(ctx, grad):
            full = t.zeros(2)
            full[ctx.idx] = grad
            return full, None

    a = t.tensor([1.0, 2.0], requires_grad=True)
    out = Pick.apply(a.clone(), 1)
    return {"is_view": out._is_view(), "grad_fn": type(out.grad_fn).__name__,
            "inplace": ctx.capture(out.add_, 1)}


@scenario("function.view_output_backward",
          "The custom backward of a view returned by forward is the one that runs",
          torch_test(TEST + "test_autograd_multiple_views_python", "the custom backward is called once"))
def _(t, ctx):
    calls = []

    class Pick(t.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a.select(0, 1)

        @staticmethod
        def backward(ctx, grad):
            calls.append(grad.clone())
            full = t.zeros(2)
            full[1] = grad * 10
            return full

    a = t.tensor([1.0, 2.0], requires_grad=True)
    Pick.apply(a.clone()).sum().backward()
    return {"calls": calls, "a_grad": a.grad}


@scenario("function.view_of_temporary_inplace_error",
          "A view of a tensor made inside forward, returned, then modified in place: the custom Function error",
          torch_test(TEST + "test_autograd_simple_views_python",
                     "ViewOfTemp: in-place on the returned select of a temporary raises"))
def _(t, ctx):
    class ViewOfTemp(t.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a.clone().select(0, 0)

        @staticmethod
        def backward(ctx, grad):
            res = t.zeros(2)
            res[0] = grad
            return res

    a = t.tensor([1.0, 1.0], requires_grad=True)
    b = t.tensor([1.0, 1.0], requires_grad=True)
    out = ViewOfTemp.apply(a + b)
    return {"requires_grad": out.requires_grad, "grad_fn": type(out.grad_fn).__name__,
            "inplace": ctx.capture(out.add_, 3)}


@scenario("function.returned_input_is_view",
          "An input returned as it is comes back as a new tensor, a view of the input, with the custom node",
          torch_test(TEST + "test_autograd_simple_views_python",
                     "IdOneOutput returning its input: in-place on the result raises the custom Function error"))
def _(t, ctx):
    class Id(t.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a

        @staticmethod
        def backward(ctx, grad):
            return grad

    a = t.tensor([1.0, 2.0], requires_grad=True).clone()
    out = Id.apply(a)
    return {"same_object": out is a, "is_view": out._is_view(), "base_is_input": out._base is a,
            "grad_fn": type(out.grad_fn).__name__, "inplace": ctx.capture(out.mul_, 2)}


@scenario("function.returns_input_gradient",
          "A Function returning its input: backward flows through the custom backward to a leaf or a clone",
          torch_test(TEST + "test_function_returns_input", "the custom backward (grad * 2) reaches v.grad"))
def _(t, ctx):
    class Twice(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    out = {}
    for name, shape in (("vector", (1,)), ("scalar", ())):
        v = t.ones(shape, requires_grad=True)
        Twice.apply(v).backward()
        first = v.grad.clone()
        Twice.apply(v.clone()).backward()
        out[name] = {"leaf": first, "after_clone": v.grad}
    return out


@scenario("function.local_inplace_view_of_clone",
          "forward may modify a view of a local clone in place and return it: the output keeps the custom node",
          torch_test(TEST + "test_custom_function_local_inplace", "the output's grad_fn is MyFnBackward"))
def _(t, ctx):
    class Head(t.autograd.Function):
        @staticmethod
        def forward(ctx, inp, inplace):
            view = inp.clone()[:2]
            if inplace:
                view += 2
            return view

        @staticmethod
        def backward(ctx, grad):
            return t.cat([grad * 3, t.zeros(1)]), None

    base = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    plain = Head.apply(base, False)
    modified = Head.apply(base, True)
    modified.sum().backward()
    return {"plain": type(plain.grad_fn).__name__, "modified": type(modified.grad_fn).__name__,
            "value": modified.detach(), "base_grad": base.grad}


@scenario("function.untracked_view_inplace_error",
          "A view returned by a Function whose input needs no grad: in-place with a grad-requiring value raises",
          torch_test(TEST + "test_inplace_not_requires_grad",
                     "view_a += b and view_a.copy_(b) raise 'This view was created inside a custom Function'"))
def _(t, ctx):
    class ViewAs(t.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            return inp.view_as(inp)

        @staticmethod
        def backward(ctx, grad):
            return grad

    b = t.tensor([1.0], requires_grad=True)
    view_a = ViewAs.apply(t.tensor([[1.0, 2.0]]))
    other = ViewAs.apply(t.tensor([[1.0, 2.0]]))
    return {"grad_fn": view_a.grad_fn, "add": ctx.capture(view_a.add_, b), "copy": ctx.capture(other.copy_, b)}


@scenario("function.return_view_under_no_grad",
          "A view returned by apply under no_grad requires grad like a no_grad view and may not be modified",
          torch_test(TEST + "test_custom_function_return_view_in_nograd",
                     "requires_grad matches x[:] under no_grad; zero_() raises 'A view was created in no_grad mode'"))
def _(t, ctx):
    class Alias(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x[:]

        @staticmethod
        def backward(ctx, gx):
            return gx

    inp = t.tensor([1.0, 2.0], requires_grad=True)
    with t.no_grad():
        output = Alias.apply(inp)
        expected = inp[:]
    return {"requires_grad": output.requires_grad, "expected": expected.requires_grad,
            "zero": ctx.capture(output.zero_)}


@scenario("function.two_outputs_view_inplace_error",
          "With two differentiable outputs, a returned view may not be modified in place: the multiple-views error",
          torch_test(TEST + "test_autograd_simple_views_python",
                     "IdTwoOutput with a narrow view: tmp1 += 3 raises 'returns multiple views'"))
def _(t, ctx):
    class IdTwo(t.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            a = a.narrow(0, 0, 2)
            return a, a + b

        @staticmethod
        def backward(ctx, ga, gab):
            return t.cat([ga + gab, t.zeros(1)]), gab

    a = t.tensor([1.0, 1.0, 1.0], requires_grad=True).clone()
    b = t.tensor([1.0, 1.0], requires_grad=True)
    first, second = IdTwo.apply(a, b)
    return {"first": ctx.capture(first.add_, 3), "second": ctx.capture(second.add_, 3),
            "second_value": second}


@scenario("function.print_returned_input",
          "repr of an input returned as it is names the custom node",
          torch_test(TEST + "test_autograd_print_tensor", "repr(Func.apply(a)) ends with grad_fn=<FuncBackward>)"))
def _(t, ctx):
    class Func(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, x):
            return x

    return {"repr": repr(Func.apply(t.ones(1, requires_grad=True)))}


@scenario("function.non_differentiable_input_returned_detached",
          "An input marked non-differentiable and returned as it is comes back as a detached alias",
          engine(WRAP, "set_history: a non-differentiable input that requires grad is returned as var.detach()"))
def _(t, ctx):
    class Keep(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_non_differentiable(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = t.tensor([1.0, 2.0], requires_grad=True)
    out = Keep.apply(x)
    return {"same_object": out is x, "requires_grad": out.requires_grad, "grad_fn": out.grad_fn,
            "x_requires_grad": x.requires_grad, "same_version": out._version == x._version}


@scenario("function.untracked_apply_returns_detached_input",
          "apply under no_grad of a Function returning its (grad-requiring) input gives a detached alias",
          engine(WRAP, "without a node every output is non-differentiable: an input that requires grad is detached"))
def _(t, ctx):
    class Id(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = t.tensor([1.0, 2.0], requires_grad=True)
    with t.no_grad():
        out = Id.apply(x)
    return {"same_object": out is x, "requires_grad": out.requires_grad, "is_view": out._is_view()}


@scenario("function.integer_output_not_differentiable",
          "An integer output of forward does not require grad; outputs keep their positions as output_nr",
          engine(WRAP, "is_differentiable needs a differentiable dtype; output_nr is the output's position"))
def _(t, ctx):
    seen = []

    class Split(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return (x > 1.5).long(), x * 2

        @staticmethod
        def backward(ctx, g_index, g_value):
            seen.append((g_index, g_value))
            return g_value * 2

    x = t.tensor([1.0, 2.0], requires_grad=True)
    index, value = Split.apply(x)
    value.sum().backward()
    return {"index_requires_grad": index.requires_grad, "value_output_nr": value.output_nr,
            "backward_saw": seen, "x_grad": x.grad}


# ------------------------------------------------------------------ non-tensor outputs
def _mixed_outputs(t, seen):
    class Mixed(t.autograd.Function):
        @staticmethod
        def forward(ctx, t1, t2, scale, t3):
            t4 = (t1 + t2 * t3) * scale
            t5 = (t1 * t2 + t3) * scale
            ctx.scale = scale
            ctx.save_for_backward(t1, t2, t3)
            return scale, t4, None, True, t5, "bar", t1

        @staticmethod
        def backward(ctx, *grads):
            seen.append(grads)
            var1, var2, var3 = ctx.saved_tensors
            scale = ctx.scale
            return (grads[1] * scale + grads[4] * var2 * scale + grads[6],
                    grads[1] * var3 * scale + grads[4] * var1 * scale, None,
                    grads[1] * var2 * scale + grads[4] * scale)

    return Mixed


@scenario("function.non_tensor_outputs_backward_gets_none",
          "backward gets one gradient per forward output: None for non-tensor outputs, zeros for unused tensors",
          torch_test(TEST + "test_custom_function_non_tensor_inputs_outputs",
                     "backward receives 7 grads; those of scale, None, True and 'bar' are None"))
def _(t, ctx):
    seen = []
    t1 = t.tensor(ctx.rand(3), requires_grad=True)
    t2 = t.tensor(ctx.rand(3), requires_grad=True)
    t3 = t.tensor(ctx.rand(3))
    res = _mixed_outputs(t, seen).apply(t1, t2, 3, t3)
    res[1].sum().backward()
    return {"res": res, "output_nr": [res[1].output_nr, res[4].output_nr, res[6].output_nr],
            "backward_saw": seen, "t1": t1.grad, "t2": t2.grad, "t3": t3.grad}


@scenario("function.non_tensor_outputs_all_used",
          "Backward through three outputs of a Function with non-tensor outputs accumulates every gradient",
          torch_test(TEST + "test_custom_function_non_tensor_inputs_outputs",
                     "autograd.backward([res[1].sum(), res[4].sum(), res[6].sum()]) fills t1.grad and t2.grad"))
def _(t, ctx):
    seen = []
    t1 = t.tensor(ctx.rand(3), requires_grad=True)
    t2 = t.tensor(ctx.rand(3), requires_grad=True)
    t3 = t.tensor(ctx.rand(3))
    res = _mixed_outputs(t, seen).apply(t1, t2, 2, t3)
    t.autograd.backward([res[1].sum(), res[4].sum(), res[6].sum()])
    return {"t1": t1.grad, "t2": t2.grad, "t3": t3.grad, "n_grads": [len(g) for g in seen],
            "returned_input_is_t1": res[6] is t1}


@scenario("function.non_tensor_outputs_prehook_sees_none",
          "A pre-hook of the custom node sees None for non-tensor outputs and for unused tensor outputs",
          engine(WRAP, "non-tensor outputs get an undefined input slot on the node; pre-hooks run before "
                       "gradients are materialized"))
def _(t, ctx):
    seen = []

    class Mixed(t.autograd.Function):
        @staticmethod
        def forward(ctx, a, s):
            return s, a * s, None, a * 2

        @staticmethod
        def backward(ctx, *grads):
            return grads[1] * 3 + grads[3] * 2, None

    a = t.tensor([1.0, 2.0], requires_grad=True)
    res = Mixed.apply(a, 3)
    res[1].grad_fn.register_prehook(lambda grads: seen.append(grads))
    res[1].sum().backward()
    return {"prehook_saw": seen, "a_grad": a.grad}


@scenario("function.no_tensor_inputs",
          "A Function applied to Python numbers only returns forward's results as they are",
          torch_test(TEST + "test_custom_function_no_tensors", "scale, None, True, 'bar' and the numbers come back"))
def _(t, ctx):
    class Numbers(t.autograd.Function):
        @staticmethod
        def forward(ctx, t1, t2, scale, t3):
            return scale, (t1 + t2 * t3) * scale, None, True, "bar", t1

        @staticmethod
        def backward(ctx, *args):
            return args[0], args[1], None, args[2]

    return {"res": Numbers.apply(0.5, 0.25, 3, 2.0)}


# ------------------------------------------------------------------ mark_dirty
def _inplace_double(t):
    class Double(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    return Double


@scenario("function.mark_dirty_through_view",
          "mark_dirty on a view: the base gets CopySlices around the custom node, gradients pass its backward",
          torch_test(TEST + "test_autograd_python_custom_function_inplace",
                     "MyAdder on a view of a clone: backward calls the custom backward once"))
def _(t, ctx):
    a = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 1
    v = b[1:]
    out = _inplace_double(t).apply(v)
    info = {"same_object": out is v, "view_grad_fn": out.grad_fn.name(), "view_next": _grad_names(out.grad_fn),
            "base_grad_fn": b.grad_fn.name(), "base_next": _grad_names(b.grad_fn), "base": b,
            "version": b._version}
    (b * t.tensor([1.0, 10.0, 100.0])).sum().backward()
    info["a_grad"] = a.grad
    return info


@scenario("function.mark_dirty_through_view_grad_of_view",
          "Backward from the dirty view itself goes through CopySlices and the custom backward",
          torch_test(TEST + "test_autograd_python_custom_function_inplace", "the input is a view"))
def _(t, ctx):
    a = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = (a * 1)[1:]
    out = _inplace_double(t).apply(v)
    (out * t.tensor([10.0, 100.0])).sum().backward()
    return {"a_grad": a.grad}


@scenario("function.mark_dirty_leaf_error",
          "mark_dirty on a leaf that requires grad raises",
          torch_test(TEST + "test_return_duplicate_inplace", "Can't modify leaf variables in-place"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    return {"error": ctx.capture(_inplace_double(t).apply, x), "x": x.detach(), "version": x._version}


@scenario("function.mark_dirty_view_of_leaf_error",
          "mark_dirty on a view of a leaf that requires grad raises the view-of-a-leaf error",
          torch_test(TEST + "test_custom_function_inplace_on_view_of_leaf",
                     "'a view of a leaf Variable that requires grad'"))
def _(t, ctx):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    return {"error": ctx.capture(_inplace_double(t).apply, a.view_as(a))}


@scenario("function.mark_dirty_multi_output_view_error",
          "mark_dirty on an output of a multi-view op (unbind) raises the multiple-views error",
          torch_test(TEST + "test_custom_function_inplace_on_non_default_view",
                     "'output of a function that returns multiple view'"))
def _(t, ctx):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    first, _second = a.clone().unbind(0)
    return {"error": ctx.capture(_inplace_double(t).apply, first)}


@scenario("function.mark_dirty_not_input_warning",
          "mark_dirty of a tensor that is not an input warns once (UserWarning naming mark_dirty)",
          torch_test(TEST + "test_autograd_python_custom_function_inplace", "MyAdderBad: one warning"))
def _(t, ctx):
    class AdderBad(t.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            c = 3 * a
            c.add_(b)
            ctx.mark_dirty(c)
            return c

        @staticmethod
        def backward(ctx, grad):
            return 3 * grad, grad * 1

    a = t.tensor([1.0, 1.0], requires_grad=True)
    b = t.tensor([1.0, 1.0], requires_grad=True)
    out, caught = _caught(AdderBad.apply, a.clone(), b)
    out.sum().backward()
    return {"warnings": [(w.category.__name__, "mark_dirty()" in str(w.message)) for w in caught],
            "out": out, "a_grad": a.grad, "b_grad": b.grad}


@scenario("function.mark_dirty_view_not_input_error",
          "mark_dirty of a view of an intermediate (not an input) raises",
          torch_test(TEST + "test_custom_function_mark_output_view_of_intermediate",
                     "'received a tensor that was not an input.'"))
def _(t, ctx):
    class Func(t.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            out = inp.clone().view_as(inp)
            ctx.mark_dirty(out)
            return out

        @staticmethod
        def backward(ctx, grad):
            return grad

    a = t.tensor([1.0], requires_grad=True)
    return {"error": ctx.capture(Func.apply, a.clone())}


@scenario("function.mark_dirty_not_returned_error",
          "A dirty input that forward does not return raises",
          torch_test(TEST + "test_autograd_python_custom_function_inplace",
                     "MyOutPlaceAdder: 'Some elements marked as dirty during the forward method were not returned'"))
def _(t, ctx):
    class OutPlaceAdder(t.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            a.add_(b)
            ctx.mark_dirty(a)
            return a.clone(), a + b

        @staticmethod
        def backward(ctx, ga, gab):
            return ga + gab, ga + 2 * gab

    a = t.tensor([1.0, 1.0], requires_grad=True)
    b = t.tensor([1.0, 1.0], requires_grad=True)
    return {"error": ctx.capture(OutPlaceAdder.apply, a.clone().view_as(a), b)}


def _bad_adder(t, calls):
    class BadAdder(t.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            a.add_(b)
            ctx.mark_dirty(a)
            return a, a + b

        @staticmethod
        def backward(ctx, ga, gab):
            calls.append(1)
            return ga + gab, ga + gab

    return BadAdder


@scenario("function.mark_dirty_view_two_outputs_error",
          "A Function modifying a view input in place may not return two tensors",
          torch_test(TEST + "test_autograd_python_custom_function_inplace",
                     "MyBadAdder on a view: 'your Function modifies inplace an input that is a view'"))
def _(t, ctx):
    a = t.tensor([1.0, 1.0], requires_grad=True)
    b = t.tensor([1.0, 1.0], requires_grad=True)
    return {"error": ctx.capture(_bad_adder(t, []).apply, a.clone().view_as(a), b)}


@scenario("function.mark_dirty_two_outputs",
          "A dirty (non-view) input returned with a second output: both gradients, also after c += 2",
          torch_test(TEST + "test_autograd_python_custom_function_inplace", "MyBadAdder: backward called once"))
def _(t, ctx):
    calls = []
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = t.tensor([3.0, 4.0], requires_grad=True)
    c, d = _bad_adder(t, calls).apply(a.clone(), b)
    (c * d).sum().backward()
    first = {"a": a.grad.clone(), "b": b.grad.clone()}
    c, d = _bad_adder(t, calls).apply(a.clone(), b)
    c += 2
    (c * d).sum().backward()
    return {"first": first, "a": a.grad, "b": b.grad, "calls": len(calls), "c_grad_fn": c.grad_fn.name()}


@scenario("function.mark_dirty_returned_as_is",
          "A dirty input is returned as the same object, modified, its version bumped once more by mark_dirty",
          torch_test(TEST + "test_custom_function_mark_dirty_not_differentiable",
                     "the tensor is always returned as-is if marked dirty"))
def _(t, ctx):
    out = {}
    for requires_grad in (True, False):
        z = t.tensor(1.0, requires_grad=requires_grad)
        x = z.clone()
        y = _inplace_double(t).apply(x)
        out[str(requires_grad)] = {"same": x is y, "value": x.detach(), "version": x._version,
                                   "grad_fn": None if y.grad_fn is None else y.grad_fn.name()}
    return out


@scenario("function.return_duplicate",
          "A forward returning the same tensor twice gives one object for both outputs",
          torch_test(TEST + "test_return_duplicate", "a is b for DoubleDuplicate"))
def _(t, ctx):
    class DoubleDuplicate(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            output = x * 2
            return output, output

        @staticmethod
        def backward(ctx, grad1, grad2):
            return grad1 * 2 + grad2 * 2

    x = t.tensor([1.0, 2.0], requires_grad=True)
    a, b = DoubleDuplicate.apply(x)
    same = a is b
    (a + b).sum().backward()
    return {"same": same, "output_nr": a.output_nr, "x_grad": x.grad}


@scenario("function.return_duplicate_inplace",
          "A dirty input returned twice is one object; gradients of both outputs reach the clone's leaf",
          torch_test(TEST + "test_return_duplicate_inplace", "a is b for DoubleInplace on x.clone()"))
def _(t, ctx):
    class DoubleInplace(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x, x

        @staticmethod
        def backward(ctx, grad1, grad2):
            return grad1 * 2 + grad2 * 2

    x = t.tensor([1.0, 2.0], requires_grad=True)
    a, b = DoubleInplace.apply(x.clone())
    same = a is b
    (a + b).sum().backward()
    return {"same": same, "x_grad": x.grad, "view_error": ctx.capture(DoubleInplace.apply, x.clone()[0])}


# ------------------------------------------------------------------ backward / vjp and the legacy API
@scenario("function.backward_and_vjp_error",
          "Defining both backward and vjp: apply works, backward raises",
          torch_test(TEST + "test_custom_function_error", "\"Implementing both 'backward' and 'vjp'\""))
def _(t, ctx):
    class Both(t.autograd.Function):
        @staticmethod
        def forward(ctx, foo):
            return foo.clone()

        @staticmethod
        def backward(ctx, foo):
            return foo

        @staticmethod
        def vjp(ctx, foo):
            return foo

    inp = t.tensor([1.0], requires_grad=True)
    out = Both.apply(inp)
    return {"out": out, "error": ctx.capture(out.sum().backward), "grad": inp.grad}


@scenario("function.missing_forward_and_backward",
          "A Function without forward raises NotImplementedError at apply; without backward, at backward",
          torch_test(TEST + "test_custom_function_error", "'must implement the forward' / 'must implement either "
                                                           "the backward'"))
def _(t, ctx):
    class NoForward(t.autograd.Function):
        @staticmethod
        def backward(ctx, foo):
            return foo

    class NoBackward(t.autograd.Function):
        @staticmethod
        def forward(ctx, foo):
            return foo.clone()

    inp = t.tensor([1.0], requires_grad=True)
    return {"forward": ctx.capture(NoForward.apply, inp),
            "backward": ctx.capture(NoBackward.apply(inp).sum().backward)}


@scenario("function.vjp_only",
          "A Function defining vjp instead of backward uses it for backward",
          torch_test(TEST + "test_custom_function_save_for_forward", "vjp stands for backward"))
def _(t, ctx):
    class Scaled(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def vjp(ctx, grad):
            return grad * 5

    x = t.tensor([1.0, 2.0], requires_grad=True)
    Scaled.apply(x).sum().backward()
    return {"x_grad": x.grad}


@scenario("function.legacy_instance_call_error",
          "Calling an instance of a Function (legacy non-static forward) raises",
          torch_test(TEST + "test_legacy_function_deprecation_exception",
                     "'Legacy autograd function with non-static forward method is deprecated'"))
def _(t, ctx):
    class Legacy(t.autograd.Function):
        def forward(self, x):
            return x

        def backward(self, grad_output):
            return grad_output

    instance, caught = _caught(Legacy)
    return {"error": ctx.capture(instance, t.ones(2)), "n_warnings": len(caught)}


@scenario("function.instantiation_warning",
          "Instantiating a Function warns with a DeprecationWarning naming the class",
          torch_test(TEST + "test_legacy_function_deprecation_exception", "MyFunction() is deprecated use"))
def _(t, ctx):
    class Legacy(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    instance, caught = _caught(Legacy)
    x = t.tensor([1.0, 2.0], requires_grad=True)
    instance.apply(x).sum().backward()  # apply stays usable on the instance
    return {"warnings": [(w.category.__name__, str(Legacy) in str(w.message),
                          "should not be instantiated" in str(w.message)) for w in caught],
            "x_grad": x.grad}


def _instantiated_where(cls):
    """Instantiate cls here; its warnings with whether each points at this very line and its file."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        instance, line = cls(), sys._getframe().f_lineno  # one line: the line the warning should name
    here = sys._getframe().f_code.co_filename  # (not __file__: a repro script run from stdin has none)
    return instance, [{"this_file": w.filename == here, "this_line": w.lineno == line,
                       "in_function_module": w.filename.replace("\\", "/").endswith("autograd/function.py")}
                      for w in caught]


@scenario("function.instantiation_warning_points_at_caller",
          "The DeprecationWarning of instantiating a Function names the caller's line (newer torch) or "
          "torch's own function.py (older)",
          torch_test(TEST + "test_legacy_function_deprecation_exception",
                     "the deprecation is a warnings.warn in Function.__init__; its stacklevel decides the line shown"))
def _(t, ctx):
    class Legacy(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x + 1

        @staticmethod
        def backward(ctx, grad):
            return grad

    _, where = _instantiated_where(Legacy)
    return {"where": where}


@scenario("function.saved_variables_deprecated",
          "ctx.saved_variables still works but warns (DeprecationWarning)",
          torch_test(TEST + "test_saved_variables_deprecated", "a warning mentioning deprecated saved_variables"))
def _(t, ctx):
    class Add(t.autograd.Function):
        @staticmethod
        def forward(ctx, tensor1, tensor2):
            ctx.save_for_backward(tensor1, tensor2)
            return tensor1 + tensor2

        @staticmethod
        def backward(ctx, grad_output):
            var1, var2 = ctx.saved_variables
            return grad_output * var2, grad_output * var1

    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = t.tensor([3.0, 4.0], requires_grad=True)
    Add.apply(x, y).sum().backward()
    return {"x_grad": x.grad, "y_grad": y.grad}


@scenario("function.node_isinstance",
          "A custom Function's ctx and node are instances of autograd.graph.Node",
          torch_test(TEST + "test_autograd_node_isinstance", "custom function case"))
def _(t, ctx):
    seen = []

    class Func(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            seen.append(isinstance(ctx, t.autograd.graph.Node))
            return x

        @staticmethod
        def backward(ctx, x):
            seen.append(isinstance(ctx, t.autograd.graph.Node))
            return x

    out = Func.apply(t.tensor([1.0], requires_grad=True))
    out.sum().backward()
    return {"seen": seen, "node": isinstance(out.grad_fn, t.autograd.graph.Node),
            "subclass": issubclass(t.autograd.function.BackwardCFunction, t.autograd.graph.Node)}


@scenario("function.backward_exception_propagates",
          "An exception raised in a custom backward reaches the caller of backward with its message",
          torch_test(TEST + "test_custom_function_exception", "'Simulate error on backward pass'"))
def _(t, ctx):
    class Fails(t.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            return inp.clone()

        @staticmethod
        @t.autograd.function.once_differentiable
        def backward(ctx, grad):
            raise ValueError("Simulate error on backward pass")

    t1 = t.tensor([1.0, 2.0], requires_grad=True)
    tmp = (t1 + 1) * (t1 + 1)
    return {"error": ctx.capture(Fails.apply(tmp).sum().backward), "t1": t1.grad}


@scenario("function.grad_mode_restored_reentrant",
          "A backward that runs autograd.grad under enable_grad: grad mode is restored after it, both ways",
          torch_test(TEST + "test_grad_mode_restored_reentrant", "is_grad_enabled() == original after the block"))
def _(t, ctx):
    modes = []

    class Reentrant(t.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            return inp.clone()

        @staticmethod
        def backward(ctx, go):
            original = t.is_grad_enabled()
            with t.enable_grad():
                foo = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
                (grad,) = t.autograd.grad(foo ** 3, foo, grad_outputs=go)
            modes.append((original, t.is_grad_enabled()))
            return grad

    inp = t.tensor([0.5, 1.0, 1.5], requires_grad=True)
    Reentrant.apply(inp).sum().backward()
    first = inp.grad.clone()
    inp.grad = None
    (g,) = t.autograd.grad(Reentrant.apply(inp).sum(), inp, create_graph=True)
    return {"modes": modes, "first": first, "second": g.detach()}


@scenario("function.returns_undefined_gradient",
          "A backward returning None leaves .grad None and autograd.grad(allow_unused) None",
          torch_test(TEST + "test_function_returns_undefined_tensor", "undefined, not zeros"))
def _(t, ctx):
    class NoGrad(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return None

    x = t.ones(1, requires_grad=True)
    NoGrad.apply(x).backward()
    NoGrad.apply(x ** 2).backward()
    NoGrad.apply(x).sum().backward()
    return {"grad": x.grad, "autograd_grad": t.autograd.grad(NoGrad.apply(x), x, allow_unused=True)}


@scenario("function.saved_none_and_freed",
          "save_for_backward(x, None) reads back (x, None); after backward, saved_tensors raises",
          torch_test(TEST + "test_custom_function_saved_tensors", "'after they have already been freed'"))
def _(t, ctx):
    class Saves(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, None)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    class SavesNothing(Saves):
        @staticmethod
        def forward(ctx, x):
            return x

    a = t.tensor([1.0, 2.0], requires_grad=True)
    y = Saves.apply(a)
    saved = y.grad_fn.saved_tensors
    before = {"len": len(saved), "is_a": saved[0] is a, "second": saved[1]}
    y.sum().backward()
    return {"before": before, "after": ctx.capture(lambda: y.grad_fn.saved_tensors),
            "nothing": SavesNothing.apply(a).grad_fn.saved_tensors}


# ------------------------------------------------------------------ once_differentiable
def _once(t, seen):
    class Once(t.autograd.Function):
        @staticmethod
        def forward(ctx, tensor1, pyscalar, tensor2):
            ctx.pyscalar = pyscalar
            ctx.save_for_backward(tensor1, tensor2)
            return tensor1 + pyscalar * tensor2 + tensor1 * tensor2

        @staticmethod
        @t.autograd.function.once_differentiable
        def backward(ctx, grad_output):
            seen.append(t.is_grad_enabled())
            t1, t2 = ctx.saved_tensors
            return grad_output + grad_output * t2, None, grad_output * ctx.pyscalar + grad_output * t1

    return Once


@scenario("function.once_differentiable_grad_mode",
          "A once_differentiable backward runs with grad disabled, even under create_graph",
          torch_test(TEST + "test_once_differentiable", "assertFalse(torch.is_grad_enabled()) in backward"),
          isolated=True)  # backward(create_graph=True) warns once per process
def _(t, ctx):
    seen = []
    x = t.tensor(ctx.randn(3), requires_grad=True)
    y = t.tensor(ctx.randn(3), requires_grad=True)
    go = t.ones((), requires_grad=True)
    _once(t, seen).apply(x, 2, y).sum().backward(go, create_graph=True)
    return {"grad_enabled": seen, "x_grad": x.grad.detach(), "y_grad": y.grad.detach()}


@scenario("function.once_differentiable_error_node",
          "Under create_graph a once_differentiable backward's results lead to an Error node; differentiating "
          "them raises",
          torch_test(TEST + "test_once_differentiable", "Error(AccumulateGrad(), None, AccumulateGrad())"))
def _(t, ctx):
    seen = []
    x = t.tensor(ctx.randn(3), requires_grad=True)
    y = t.tensor(ctx.randn(3), requires_grad=True)
    go = t.ones((), requires_grad=True)
    gx, gy = t.autograd.grad(_once(t, seen).apply(x, 2, y).sum(), (x, y), go, create_graph=True)
    node = gx.grad_fn
    return {"type": type(node).__name__, "name": node.name(), "next": _grad_names(node),
            "same_node": node is gy.grad_fn,
            "output_nr": [gx.output_nr, gy.output_nr], "repr": repr(gx), "error": ctx.capture(gx.sum().backward)}


@scenario("function.once_differentiable_plain_backward",
          "Without create_graph (or when no gradient requires grad) once_differentiable returns plain results",
          torch_test(TEST + "test_once_differentiable", "the wrapper only adds the Error node when needed"))
def _(t, ctx):
    seen = []
    x = t.tensor(ctx.randn(3), requires_grad=True)
    y = t.tensor(ctx.randn(3), requires_grad=True)
    plain = t.autograd.grad(_once(t, seen).apply(x, 2, y).sum(), (x, y))
    graph = t.autograd.grad(_once(t, seen).apply(x, 2, y).sum(), (x, y), create_graph=True)
    return {"plain": [g.requires_grad for g in plain], "create_graph_ones_go": [g.grad_fn for g in graph],
            "grad_enabled": seen}


# ------------------------------------------------------------------ setup_context
@scenario("function.setup_context_simple",
          "forward without ctx plus setup_context(ctx, inputs, output): saved tensors reach backward",
          torch_test(TEST + "test_custom_function_setup_context_simple", "gx == 2 * x"))
def _(t, ctx):
    class Square(t.autograd.Function):
        @staticmethod
        def forward(x):
            return x ** 2

        @staticmethod
        def setup_context(ctx, inputs, output):
            (x,) = inputs
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x

    x = t.tensor(1.5, requires_grad=True)
    y = Square.apply(x)
    return {"y": y, "gx": t.autograd.grad(y, x)}


@scenario("function.setup_context_multi_output",
          "setup_context sees forward's tuple output, non-tensor element included",
          torch_test(TEST + "test_custom_function_setup_context_multi_output", "two_x reaches backward"))
def _(t, ctx):
    seen = []

    class Square(t.autograd.Function):
        @staticmethod
        def forward(x):
            return x ** 2, x.item() * 2

        @staticmethod
        def setup_context(ctx, inputs, output):
            seen.append((type(inputs).__name__, len(inputs), type(output).__name__, t.is_grad_enabled()))
            _, ctx.two_x = output

        @staticmethod
        @t.autograd.function.once_differentiable
        def backward(ctx, g, _):
            return g * ctx.two_x

    x = t.tensor(1.5, requires_grad=True)
    y, two_x = Square.apply(x)
    return {"two_x": two_x, "gx": t.autograd.grad(y, x), "setup_saw": seen}


@scenario("function.setup_context_multi_input",
          "setup_context gets every forward argument, defaults bound; gradients match a ctx-style forward",
          torch_test(TEST + "test_custom_function_setup_context_multi_input", "MyReshape == MyReshapeRef"))
def _(t, ctx):
    seen = []

    class Reshape(t.autograd.Function):
        @staticmethod
        def forward(x, shape, scale_forward, scale_backward=3):
            return x.reshape(shape) * scale_forward

        @staticmethod
        def setup_context(ctx, inputs, output):
            seen.append(inputs[1:])
            x, shape, scale_forward, scale_backward = inputs
            ctx.scale_backward = scale_backward
            ctx.x_shape = x.shape

        @staticmethod
        def backward(ctx, g):
            return g.reshape(ctx.x_shape) * ctx.scale_backward, None, None, None

    x = t.tensor(ctx.randn(6), requires_grad=True)
    y = Reshape.apply(x, (2, 3), 7, 11)
    z = Reshape.apply(x, (3, 2), -1)
    return {"y": y, "gx": t.autograd.grad(y.sum(), x), "gx_default": t.autograd.grad(z.sum(), x), "inputs": seen}


@scenario("function.setup_context_input_returned_saved_error",
          "With setup_context, saving an input that forward returned as it is raises",
          engine(WRAP, "error_msg_input_returned_as_is: return and save a view of the input instead"))
def _(t, ctx):
    class Same(t.autograd.Function):
        @staticmethod
        def forward(x):
            return x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            return g

    return {"error": ctx.capture(Same.apply, t.tensor([1.0], requires_grad=True))}


# ------------------------------------------------------------------ clear_saved_tensors_on_access
def _clearing(t, log):
    class Clearing(t.autograd.Function):
        clear_saved_tensors_on_access = True

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            log.append(x.detach().clone())
            return 2 * x * g

    return Clearing


@scenario("function.clear_saved_tensors_on_access_once",
          "clear_saved_tensors_on_access: one access works; the node's saved_tensors then raise",
          torch_test(TEST + "test_clear_saved_tensors_on_access", "saved tensors are released after first access"))
def _(t, ctx):
    log = []
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = _clearing(t, log).apply(x)
    y.sum().backward(retain_graph=True)
    return {"x_grad": x.grad, "log": log, "node": ctx.capture(lambda: y.grad_fn.saved_tensors),
            "again": ctx.capture(y.sum().backward)}


@scenario("function.clear_saved_tensors_on_access_double_access_error",
          "clear_saved_tensors_on_access: a second access inside backward raises",
          torch_test(TEST + "test_clear_saved_tensors_on_access_double_access_error", "'can only be accessed once'"))
def _(t, ctx):
    class Twice(t.autograd.Function):
        clear_saved_tensors_on_access = True

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clone()

        @staticmethod
        def backward(ctx, grad_output):
            _ = ctx.saved_tensors
            _ = ctx.saved_tensors
            return grad_output

    x = t.tensor([1.0, 2.0], requires_grad=True)
    return {"error": ctx.capture(Twice.apply(x).sum().backward), "x_grad": x.grad}


@scenario("function.materialize_non_diff_grads_false",
          "ctx._materialize_non_diff_grads = False: backward gets None for a non-differentiable output",
          torch_test(TEST + "test_set_materialize_non_diff_grads", "assertIsNone(g1)"))
def _(t, ctx):
    seen = []

    class Func(t.autograd.Function):
        @staticmethod
        def forward(ctx, x, keep):
            out0 = x.clone()
            out1 = x.clone()
            ctx.mark_non_differentiable(out1)
            if not keep:
                ctx._materialize_non_diff_grads = False
            return out0, out1

        @staticmethod
        def backward(ctx, g0, g1, *_):
            seen.append(g1)
            return g0, None

    for keep in (True, False):
        a = t.tensor(1.0, requires_grad=True)
        Func.apply(a, keep)[0].backward()
    return {"g1": seen}


@scenario("function.dirty_saved_view_no_cycle",
          "A dirty view that is also saved for backward is freed without the garbage collector (no cycle)",
          torch_test(TEST + "test_custom_function_saving_mutated_view_no_leak", "weakref to the view is dead"),
          isolated=True)
def _(t, ctx):
    import gc
    import weakref

    class Test(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            ctx.save_for_backward(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad

    def scope():
        x = t.tensor(1.0, requires_grad=True).clone()
        x = x.view_as(x)
        Test.apply(x)
        return weakref.ref(x)

    enabled = gc.isenabled()
    gc.disable()
    try:
        ref = scope()
        freed = ref() is None
    finally:
        if enabled:
            gc.enable()
    return {"freed": freed}


# ------------------------------------------------------------------ hooks on custom nodes
@scenario("function.prehook_replaces_grads_with_non_tensor_output",
          "A pre-hook of a custom node with a non-tensor output sees None there and may scale the other gradients",
          torch_test(TEST + "test_grad_fn_prehooks_multiple_outputs", "test with custom Function: ga is None"))
def _(t, ctx):
    seen = []

    class DoubleMul2(t.autograd.Function):
        @staticmethod
        def forward(ctx, x, a, y):
            ctx.a = a
            return a * x * 2, a, a * y * 2

        @staticmethod
        def backward(ctx, g1, _a, g2):
            return ctx.a * g1 * 2, None, ctx.a * g2 * 2

    def prehook(grad_output):
        g1, ga, g2 = grad_output
        seen.append(ga)
        return (g1 * 2, None, g2 * 2)

    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = t.tensor([3.0, 4.0], requires_grad=True)
    c, k, d = DoubleMul2.apply(a, 3, b)
    c.grad_fn.register_prehook(prehook)
    (c + d).sum().backward()
    return {"k": k, "seen": seen, "a_grad": a.grad, "b_grad": b.grad}


@scenario("function.tensor_hooks_on_outputs_needing_no_input_grad",
          "Outputs of a custom Function both get hooks; needs_input_grad reflects which input requires grad",
          torch_test(TEST + "test_hook_none", "NoneGradientFunction: hooks see a gradient"))
def _(t, ctx):
    seen = []

    class NoneGradient(t.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            seen.append(("needs", ctx.needs_input_grad))
            return x, y

        @staticmethod
        def backward(ctx, grad_x, grad_y):
            return grad_x, None

    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = t.tensor([3.0, 4.0])
    rx, ry = NoneGradient.apply(x, y)
    rx.register_hook(lambda g: seen.append(("rx", g)))
    ry.register_hook(lambda g: seen.append(("ry", g)))
    (rx + ry).sum().backward()
    return {"seen": seen, "ry_requires_grad": ry.requires_grad, "x_grad": x.grad}


def _double_mul(t):
    class DoubleMul(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    return DoubleMul


@scenario("function.retain_grad_inplace_multiple_outputs",
          "retain_grad on both outputs of a custom node, then an in-place op on one: .grad as autograd.grad gives",
          torch_test(TEST + "test_retains_grad_inplace_multiple_outputs", "DoubleMul.apply case"))
def _(t, ctx):
    b = t.tensor([1.0, 2.0], requires_grad=True)
    var, mean = _double_mul(t).apply(b)
    var.retain_grad()
    mean.retain_grad()
    var.mul_(2)
    (var + mean).sum().backward()
    a = b.detach().requires_grad_(True)
    var2, mean2 = _double_mul(t).apply(a)
    var2.mul_(2)
    expected = t.autograd.grad((var2 + mean2).sum(), inputs=(var2, mean2))
    return {"var_grad": var.grad, "mean_grad": mean.grad, "expected": expected}


@scenario("function.tensor_hooks_inplace_multiple_outputs",
          "Hooks on outputs of a custom node, one output then modified in place: old and new hooks each run once",
          torch_test(TEST + "test_tensor_hooks_inplace_multiple_outputs", "DoubleMul.apply case: counts [1, 1, 1]"))
def _(t, ctx):
    seen = []
    b = t.tensor([1.0, 2.0], requires_grad=True)
    out1, out2 = _double_mul(t).apply(b)
    out1.register_hook(lambda g: seen.append(("first", g)))
    out2.register_hook(lambda g: seen.append(("second", g)))
    out1.mul_(2)
    out1.register_hook(lambda g: seen.append(("after_inplace", g)))
    (out1 + out2 * 3).sum().backward()
    return {"seen": seen, "b_grad": b.grad}


# ------------------------------------------------------------------ saved tensors and double backward
@scenario("function.stashed_ctx_after_backward",
          "A ctx kept past backward: its saved_tensors raise once the graph is freed",
          torch_test(TEST + "test_naughty_autograd_function_stashing_ctx", "saved_ctx[0].saved_tensors raises"))
def _(t, ctx):
    stash = []

    class Id(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x

        @staticmethod
        def backward(ctx, grad_x):
            stash.append(ctx)
            return ctx.saved_tensors

    p = t.zeros(1, requires_grad=True)
    loss = Id.apply(p)
    loss.backward(retain_graph=True)
    retained = [s is p for s in stash[0].saved_tensors]
    loss.backward()
    return {"retained": retained, "freed": ctx.capture(lambda: stash[0].saved_tensors), "grad": p.grad}


@scenario("function.backward_gradient_cast_to_input_dtype",
          "A custom backward returning float64 for a float32 input: the leaf's .grad is float32",
          torch_test(TEST + "test_grad_dtype", "MismatchedGradientFunction: default behavior is to cast"))
def _(t, ctx):
    class Mismatched(t.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            return inp * 2

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output.to(t.float64)

    d = t.tensor([1.0, 2.0], requires_grad=True)
    Mismatched.apply(d).sum().backward()
    return {"grad": d.grad}


@scenario("function.saved_output_double_backward",
          "A backward using a saved output works with create_graph and again without (no early free)",
          torch_test(TEST + "test_custom_autograd_no_early_free", "Double2: grad after grad(create_graph) works"))
def _(t, ctx):
    class Square(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x ** 2
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            x, y = ctx.saved_tensors
            return grad_output * 2 * y / x

    x = t.tensor(2.0, dtype=t.float64, requires_grad=True)
    y = Square.apply(x)
    (first,) = t.autograd.grad(y, x, create_graph=True)
    (second,) = t.autograd.grad(first, x)
    y = Square.apply(x)
    with_graph = t.autograd.grad(y, x, create_graph=True)
    plain = t.autograd.grad(y, x)
    return {"first": first.detach(), "second": second, "with_graph": with_graph[0].detach(), "plain": plain}


@scenario("function.repeated_grad_grad",
          "Second derivatives through a custom Function saving its output are the same when computed twice",
          torch_test(TEST + "test_custom_autograd_repeated_grad_grad", "ggy_1[0, 0, 1] == ggy_2[0, 0, 1]"))
def _(t, ctx):
    class Mult(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp().sum(dim=-1).sum(dim=-1)
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            x, y = ctx.saved_tensors
            return grad_output[:, None, None] * x.exp() + 0 * y[:, None, None]

    x = t.tensor(ctx.rand(2, 2, 2, low=0.5, high=1.5), requires_grad=True)
    y = Mult.apply(x)
    results = []
    for _ in range(2):
        (gy,) = t.autograd.grad(y[0], x, create_graph=True)
        (ggy,) = t.autograd.grad(gy[0, 0, 0], x, retain_graph=True)
        results.append(ggy)
    return {"ggy": results}


# ------------------------------------------------------------------ more from TestAutograd
@scenario("function.save_none_for_backward",
          "save_for_backward(None, x, None) reads back None around the saved input",
          torch_test(TEST + "test_save_none_for_backward", "n1 and n2 are None; x.grad == 2 * x"))
def _(t, ctx):
    seen = []

    class Square(t.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            ctx.save_for_backward(None, inp, None)
            return inp * inp

        @staticmethod
        def backward(ctx, grad_output):
            n1, inp, n2 = ctx.saved_tensors
            seen.append((n1, n2))
            return 2 * inp * grad_output

    x = t.tensor(ctx.randn(3), requires_grad=True)
    Square.apply(x).sum().backward()
    return {"seen": seen, "x_grad": x.grad}


@scenario("function.too_many_grads_all_none",
          "Extra trailing None gradients returned by backward are dropped",
          torch_test(TEST + "test_too_many_grads", "backward returns (grad, None, None) for one input"))
def _(t, ctx):
    class Id(t.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            return inp

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, None, None

    x = t.tensor([1.0, 2.0], requires_grad=True)
    Id.apply(x).sum().backward()
    return {"x_grad": x.grad}


@scenario("function.non_differentiable_output_feeds_next_function",
          "A non-differentiable output passed on to another Function: gradients still flow through the first",
          torch_test(TEST + "test_dep_nograd", "a requires grad, b does not; x.grad is ones"))
def _(t, ctx):
    class F1(t.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            out = t.zeros(inp.shape)
            ctx.mark_non_differentiable(out)
            return inp, out

        @staticmethod
        def backward(ctx, grad_output, ignored):
            return grad_output

    class F2(t.autograd.Function):
        @staticmethod
        def forward(ctx, inp, ignored):
            return inp

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, None

    x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a, b = F1.apply(x)
    b = b + 1
    c = F2.apply(a, b)
    c.backward(t.ones(3))
    return {"a": a.requires_grad, "b": b.requires_grad, "c_next": _grad_names(c.grad_fn), "x_grad": x.grad}


@scenario("function.reentrant_backward",
          "A backward that runs another backward (built in forward under enable_grad) gets its result",
          torch_test(TEST + "test_simple_reentrant", "x.grad == y_data"))
def _(t, ctx):
    y_data = ctx.randn(2)

    class Reenter(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            with t.enable_grad():
                ctx.x = x.detach().requires_grad_(True)
                ctx.y = t.tensor(y_data, requires_grad=True)
                ctx.output_var = ctx.x * ctx.y
            return ctx.output_var.detach()

        @staticmethod
        def backward(ctx, grad_output):
            with t.enable_grad():
                ctx.output_var.sum().backward()
            return ctx.x.grad * grad_output

    x = t.tensor([1.0, 2.0], requires_grad=True)
    Reenter.apply(x).sum().backward()
    return {"x_grad": x.grad, "expected": t.tensor(y_data)}


@scenario("function.reentrant_child_error",
          "An error raised in a reentrant child backward reaches the outer backward's caller",
          torch_test(TEST + "test_reentrant_child_error", "'Simulate error'"))
def _(t, ctx):
    class Fails(t.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            return inp.clone()

        @staticmethod
        @t.autograd.function.once_differentiable
        def backward(ctx, grad):
            raise RuntimeError("Simulate error on backward pass")

    a = t.tensor([1.0, 2.0], requires_grad=True)
    c = a * a
    b = t.tensor([3.0, 4.0], requires_grad=True)
    reentrant_root = Fails.apply(b * b).sum()

    class ReentrantFunc(t.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            return inp.clone()

        @staticmethod
        def backward(ctx, grad):
            reentrant_root.backward()
            return grad

    return {"error": ctx.capture(ReentrantFunc.apply(c).sum().backward), "a": a.grad, "b": b.grad}


@scenario("function.return_leaf_input_and_sum",
          "A Function returning one input and a sum: a hook on that output sees only its own gradient",
          torch_test(TEST + "test_return_leaf", "hook receives grad from usage of q, not x"))
def _(t, ctx):
    seen = []

    class Identity(t.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a, a + b

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            return grad_a + grad_b, grad_b

    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = t.tensor([3.0, 4.0], requires_grad=True)
    q, p = Identity.apply(x, y)
    q.register_hook(lambda g: seen.append(g))
    (q + p + x).sum().backward()
    return {"q_is_x": q is x, "seen": seen, "x_grad": x.grad, "y_grad": y.grad}


@scenario("function.return_leaf_inplace",
          "InplaceFunction marking a leaf that needs no grad dirty: the same tensor comes back with the node",
          torch_test(TEST + "test_return_leaf_inplace", "q is x; q.grad_fn is an Inplace._backward_cls"))
def _(t, ctx):
    class Inplace(t.autograd.function.InplaceFunction):
        @staticmethod
        def forward(ctx, a, b):
            ctx.mark_dirty(a)
            return a.add_(b), b + 2

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            return grad_a, grad_a + grad_b

    x = t.tensor([1.0, 2.0])
    y = t.tensor([3.0, 4.0], requires_grad=True)
    q, p = Inplace.apply(x, y)
    info = {"same": q is x, "node_class": q.grad_fn.__class__ is Inplace._backward_cls,
            "requires_grad": q.requires_grad, "is_leaf": q.is_leaf, "version": x._version}
    q.sum().backward()
    info["y_grad"] = y.grad
    return info


@scenario("function.no_grad_input_returned",
          "apply under no_grad: the input keeps requires_grad, the output has no grad_fn",
          torch_test(TEST + "test_no_grad_input", "x.requires_grad and y.grad_fn is None"))
def _(t, ctx):
    class Id(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    x = t.tensor([1.0, 2.0], requires_grad=True)
    with t.no_grad():
        y = Id.apply(x)
    return {"x": x.requires_grad, "y_grad_fn": y.grad_fn, "y": y.requires_grad}


@scenario("function.ctx_metadata_cycle_collected",
          "An output stored in a dict kept on ctx forms a cycle: alive without the collector, freed by gc.collect()",
          torch_test(TEST + "test_custom_function_cycle", "ref alive under disable_gc, expired after gc.collect()"),
          isolated=True)
def _(t, ctx):
    import gc
    import weakref

    class Keep(t.autograd.Function):
        @staticmethod
        def forward(ctx, x, metadata):
            x = x.clone()
            ctx.meta = metadata
            ctx.save_for_backward(x)
            return x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x, None

    def refs(with_backward):
        a = t.tensor(3.0, requires_grad=True)
        metadata = {}
        out = Keep.apply(a, metadata)
        metadata["foo"] = out
        grad = None
        if with_backward:
            out.sum().backward()
            grad = a.grad.item()
        return weakref.ref(out), grad

    result = {}
    enabled = gc.isenabled()
    try:
        for with_backward in (False, True):
            gc.disable()
            ref, grad = refs(with_backward)
            alive = ref() is not None
            gc.collect()
            result[str(with_backward)] = {"alive_without_gc": alive, "freed_by_collect": ref() is None, "grad": grad}
    finally:
        if enabled:
            gc.enable()
    return result
