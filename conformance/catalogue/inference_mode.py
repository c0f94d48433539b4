"""Inference mode in depth, after PyTorch's TestAutogradInferenceMode: which tensors are inference tensors
(functional, in-place and view ops inside and outside the mode, on inference and on normal tensors), what
requires grad, how views made in inference mode behave later, mixing inference and normal tensors,
torch.is_inference; and calling a backward node directly (``y.grad_fn(grad)``)."""
from __future__ import annotations

from ..scenario import engine, scenario, torch_test

TEST = "test/test_autograd.py::TestAutogradInferenceMode::"
CPP_FUNCTION = "torch/csrc/autograd/python_cpp_function.cpp"


def _facts(t, x, ctx) -> dict:
    """What a test asks of a tensor: inference or not, requires_grad, leaf, view (no values)."""
    return {"is_inference": t.is_inference(x), "requires_grad": x.requires_grad,
            "is_leaf": ctx.capture(lambda: x.is_leaf), "is_view": x._is_view(),
            "version": ctx.capture(lambda: x._version)}


def _values(t, x):
    """The values of any tensor, read inside inference mode (so an inference tensor can be read too)."""
    with t.inference_mode():
        return x.tolist()


def _inference_leaf(t, requires_grad: bool, *shape):
    with t.inference_mode():
        return t.ones(*(shape or (2, 3)), requires_grad=requires_grad)


# ------------------------------------------------------------------ the mode itself
@scenario("inference.context_manager_nesting",
          "is_inference_mode_enabled follows nested inference_mode(True/False) blocks and is restored on exit",
          torch_test(TEST + "test_inference_mode_context_manager",
                     "the flag is on inside, off inside inference_mode(False), back on, then off after"))
def _(t, ctx):
    states = [t.is_inference_mode_enabled()]
    with t.inference_mode():
        states.append(t.is_inference_mode_enabled())
        with t.inference_mode(False):
            states.append(t.is_inference_mode_enabled())
        states.append(t.is_inference_mode_enabled())
    states.append(t.is_inference_mode_enabled())
    return {"states": states, "grad_after": t.is_grad_enabled()}


@scenario("inference.grad_modes_inside_inference_mode",
          "enable_grad inside inference_mode turns grad mode on, yet results stay inference tensors without grad",
          torch_test(TEST + "test_inference_mode_context_manager",
                     "inference mode decides over grad mode: no graph is recorded while it is on"))
def _(t, ctx):
    s = t.tensor([1.0, 2.0], requires_grad=True)
    out = {}
    with t.inference_mode():
        out["inside"] = t.is_grad_enabled()
        with t.enable_grad():
            y = s * 2
            out["enable_grad"] = {"grad": t.is_grad_enabled(), "inference": t.is_inference_mode_enabled(),
                                  "y": _facts(t, y, ctx), "grad_fn": y.grad_fn}
        with t.no_grad():
            out["no_grad"] = (t.is_grad_enabled(), t.is_inference_mode_enabled())
    with t.no_grad():
        with t.inference_mode(False):
            out["false_inside_no_grad"] = (t.is_grad_enabled(), t.is_inference_mode_enabled())
        out["back_in_no_grad"] = t.is_grad_enabled()
    return out


@scenario("inference.decorated_function_results",
          "An @inference_mode() function returns inference tensors without grad, whatever its input needs",
          torch_test(TEST + "test_inference_mode_decorator", "torch.is_inference(d) and not d.requires_grad"))
def _(t, ctx):
    @t.inference_mode()
    def square(a):
        return a * a, t.is_inference_mode_enabled()

    out = {}
    for requires_grad in (True, False):
        d, inside = square(t.ones(1, 2, 3, requires_grad=requires_grad))
        out[str(requires_grad)] = {"d": _facts(t, d, ctx), "inside": inside}
    return out


@scenario("inference.is_inference_function",
          "torch.is_inference(t) tells inference tensors apart; a non-tensor or missing argument is a TypeError",
          torch_test(TEST + "test_inference_mode_tensor_creation", "torch.is_inference as a function"))
def _(t, ctx):
    normal = t.ones(2)
    with t.inference_mode():
        inferred = t.ones(2)
        made_inside = t.is_inference(normal * 2)
    return {"normal": t.is_inference(normal), "inference": t.is_inference(inferred), "made_inside": made_inside,
            "keyword": t.is_inference(input=inferred), "number": ctx.capture(t.is_inference, 3),
            "none": ctx.capture(t.is_inference, None), "missing": ctx.capture(t.is_inference),
            "two": ctx.capture(t.is_inference, normal, normal)}


# ------------------------------------------------------------------ creation
@scenario("inference.factory_requires_grad_inside",
          "Inside inference_mode a factory with requires_grad=True gives an inference leaf that requires grad",
          torch_test(TEST + "test_inference_mode_tensor_creation",
                     "requires_grad does not change inference tensor behaviour in inference mode"))
def _(t, ctx):
    with t.inference_mode():
        plain = t.ones(1, 2, 3)
        wanting = t.ones(1, 2, 3, requires_grad=True)
        turned_off = t.ones(1, 2, 3).requires_grad_(False)
        turned_on = t.ones(1, 2, 3).requires_grad_(True)
    return {"plain": _facts(t, plain, ctx), "wanting": _facts(t, wanting, ctx),
            "turned_off": _facts(t, turned_off, ctx), "turned_on": _facts(t, turned_on, ctx)}


@scenario("inference.requires_grad_outside_refused",
          "Outside inference_mode an inference tensor may drop requires_grad but not set it",
          torch_test(TEST + "test_inference_mode_tensor_creation",
                     "requires_grad=True on an inference tensor is only allowed inside inference mode"))
def _(t, ctx):
    plain = _inference_leaf(t, False)
    wanting = _inference_leaf(t, True)
    set_attr = ctx.capture(setattr, plain, "requires_grad", True)
    return {"method": ctx.capture(plain.requires_grad_), "attribute": set_attr,
            "drop": ctx.capture(lambda: wanting.requires_grad_(False).requires_grad),
            "plain_after": plain.requires_grad}


# ------------------------------------------------------------------ inference tensors in inference mode
@scenario("inference.functional_op_inside_on_inference_tensor",
          "In inference_mode an op on an inference tensor gives an inference tensor that does not require grad",
          torch_test(TEST + "test_inference_mode_inf_tensor_in_inf_mode_functional_op",
                     "c * c is an inference tensor without grad, also when c requires grad"))
def _(t, ctx):
    out = {}
    with t.inference_mode():
        for requires_grad in (True, False):
            c = t.ones(1, 2, 3, requires_grad=requires_grad)
            out[str(requires_grad)] = {"mul": _facts(t, c * c, ctx), "exp": _facts(t, c.exp(), ctx),
                                       "sum": _facts(t, c.sum(), ctx)}
    return out


@scenario("inference.inplace_inside_on_inference_tensor",
          "In inference_mode an in-place op on an inference tensor keeps it an inference tensor with its flag",
          torch_test(TEST + "test_inference_mode_inf_tensor_in_inf_mode_inplace_op",
                     "after add_ the tensor is still an inference tensor with unchanged requires_grad"))
def _(t, ctx):
    out = {}
    with t.inference_mode():
        for requires_grad in (True, False):
            c = t.ones(1, 2, 3, requires_grad=requires_grad)
            c.add_(2)
            c.mul_(t.full((3,), 2.0))
            out[str(requires_grad)] = {"c": _facts(t, c, ctx), "values": c.tolist()}
    return out


def _view_ops(t):
    return (("view", lambda a: a.view(-1)), ("reshape", lambda a: a.reshape(3, 2)),
            ("t", lambda a: a[0].t()), ("transpose", lambda a: a.transpose(0, 2)),
            ("unsqueeze", lambda a: a.unsqueeze(1)), ("narrow", lambda a: a.narrow(2, 1, 2)),
            ("expand", lambda a: a.expand(2, 2, 3)), ("index", lambda a: a[0, 1]), ("slice", lambda a: a[:, :1]),
            ("unbind", lambda a: a.unbind(2)[1]), ("detach", lambda a: a.detach()))


@scenario("inference.view_inside_of_inference_tensor",
          "In inference_mode a view of an inference tensor is an inference tensor, not a view, needing no grad",
          torch_test(TEST + "test_inference_mode_inf_tensor_in_inf_mode_view_op",
                     "c.view(-1) is an inference tensor that does not require grad"))
def _(t, ctx):
    out = {}
    with t.inference_mode():
        for requires_grad in (True, False):
            c = t.ones(1, 2, 3, requires_grad=requires_grad)
            out[str(requires_grad)] = {name: dict(_facts(t, op(c), ctx), base=op(c)._base is None)
                                       for name, op in _view_ops(t)}
    return out


# ------------------------------------------------------------------ inference tensors outside
@scenario("inference.functional_op_outside_on_inference_tensor",
          "Outside inference_mode an op on inference tensors alone gives a normal leaf without grad",
          torch_test(TEST + "test_inference_mode_inf_tensor_in_normal_mode_functional_op",
                     "c * c is not an inference tensor, does not require grad and is a leaf"))
def _(t, ctx):
    out = {}
    for requires_grad in (True, False):
        c = _inference_leaf(t, requires_grad)
        # (not reductions: torch's reduction kernels write their fresh result in place, which counts on it
        # here, e.g. c.sum()._version is 1; reference_impl does not emulate those kernel internals)
        out[str(requires_grad)] = {"mul": _facts(t, c * c, ctx), "exp": _facts(t, c.exp(), ctx),
                                   "add": _facts(t, c + 1, ctx), "values": (c * c).tolist()}
    return out


@scenario("inference.inplace_outside_on_inference_tensor",
          "Outside inference_mode in-place ops on an inference tensor fail; the leaf check comes first",
          torch_test(TEST + "test_inference_mode_inf_tensor_in_normal_mode_inplace_op",
                     "'Inplace update to inference tensor outside InferenceMode is not allowed' (the write is "
                     "done before the missing version counter is found)"))
def _(t, ctx):
    out = {}
    for requires_grad in (False, True):
        c = _inference_leaf(t, requires_grad, 2)
        out[str(requires_grad)] = {
            "add_": ctx.capture(c.add_, 1), "after_add_": _values(t, c),
            "zero_": ctx.capture(c.zero_), "after_zero_": _values(t, c),
        }
        with t.no_grad():
            out[str(requires_grad)]["no_grad_fill_"] = ctx.capture(c.fill_, 4.0)
        out[str(requires_grad)]["after_fill_"] = _values(t, c)
    return out


@scenario("inference.view_outside_of_inference_tensor",
          "Outside inference_mode a view of an inference tensor is an inference leaf, not a view, without grad",
          torch_test(TEST + "test_inference_mode_inf_tensor_in_normal_mode_view_op",
                     "c.view(-1) outside: is_inference, not requires_grad, not _is_view, is_leaf"))
def _(t, ctx):
    out = {}
    for requires_grad in (True, False):
        c = _inference_leaf(t, requires_grad, 1, 2, 3)
        # (not detach(): outside inference mode torch gives an inference tensor *with* a version counter there)
        out[str(requires_grad)] = {name: _facts(t, op(c), ctx) for name, op in _view_ops(t)[:-1]}
    return out


# ------------------------------------------------------------------ normal tensors in inference mode
@scenario("inference.normal_tensor_inplace_inside_stays_normal",
          "In-place ops in inference_mode on a normal tensor keep it normal, bump its version, keep requires_grad",
          torch_test(TEST + "test_normal_tensor_inplace_output_in_inference_mode",
                     "inplace, inplace again, then a view: none is an inference tensor"))
def _(t, ctx):
    out = {}
    for requires_grad in (True, False):
        a = t.ones(1, 2, 3, requires_grad=requires_grad).clone()
        with t.inference_mode():
            a.add_(2)
            first = _facts(t, a, ctx)
            a.add_(2)
            second = _facts(t, a, ctx)
            v = a.view(-1)
            out[str(requires_grad)] = {"first": first, "second": second, "view": _facts(t, v, ctx),
                                       "grad_fn": a.grad_fn is None, "values": a.tolist()}
    return out


@scenario("inference.normal_tensor_inplace_inside_then_outside",
          "A normal tensor changed in place in inference_mode is tracked again by in-place ops after it",
          torch_test(TEST + "test_normal_tensor_inplace_output_in_normal_mode",
                     "the tensor stays normal with the same requires_grad after in-place ops in both modes"))
def _(t, ctx):
    out = {}
    for requires_grad in (True, False):
        s = t.ones(1, 2, 3, requires_grad=requires_grad)
        a = s.clone()
        with t.inference_mode():
            a.add_(2)
        a.mul_(3)
        a.add_(1)
        v = a.view(-1)
        entry = {"a": _facts(t, a, ctx), "grad_fn": a.grad_fn, "view": v}
        if requires_grad:
            v.sum().backward()
            entry["s_grad"] = s.grad
        out[str(requires_grad)] = entry
    return out


@scenario("inference.view_of_normal_tensor_inside_is_normal",
          "A view of a normal tensor taken in inference_mode is a normal view: not inference, requires_grad of "
          "its base, a leaf",
          torch_test(TEST + "test_normal_tensor_view_output_in_inference_mode",
                     "out = a.view(-1) and out.view(-1) are views, not inference tensors, requires_grad as a"))
def _(t, ctx):
    out = {}
    for requires_grad in (True, False):
        s = t.ones(1, 2, 3, requires_grad=requires_grad)
        a = s.clone()
        with t.inference_mode():
            v = a.view(-1)
            vv = v.view(-1)
            leaf_view = s.view(-1)
            others = {name: _facts(t, op(a), ctx) for name, op in _view_ops(t)[:-2]}
            out[str(requires_grad)] = {"view": _facts(t, v, ctx), "view_of_view": _facts(t, vv, ctx),
                                       "base_is_a": vv._base is a, "grad_fn": vv.grad_fn,
                                       "view_of_leaf": _facts(t, leaf_view, ctx), "others": others}
    return out


@scenario("inference.aliases_of_normal_tensor_inside",
          "In inference_mode detach(), .data and unbind/split of a normal tensor give normal tensors with version "
          "counters",
          torch_test(TEST + "test_normal_tensor_view_output_in_inference_mode",
                     "like view(), other aliases of a normal tensor made in inference mode are not inference "
                     "tensors; the multi-output views refuse in-place ops outside with the inference-mode text"))
def _(t, ctx):
    a = t.ones(2, requires_grad=True).clone()
    with t.inference_mode():
        detached = a.detach()
        data = a.data
        parts = a.unbind(0)
        pieces = a.split(1)
    out = {"detach": _facts(t, detached, ctx), "data": _facts(t, data, ctx),
           "unbind": [_facts(t, p, ctx) for p in parts], "split": [_facts(t, p, ctx) for p in pieces]}
    detached.add_(1)
    data.add_(1)
    out["versions"] = {"a": a._version, "detach": detached._version, "data": data._version}
    out["unbind_inplace"] = ctx.capture(parts[0].mul_, 2)
    out["values"] = a.tolist()
    return out


@scenario("inference.view_inside_modified_inside",
          "A view made in inference_mode and changed in place there shares the version; its grad_fn then errs "
          "if it requires grad",
          torch_test(TEST + "test_normal_tensor_view_output_in_inference_mode",
                     "view -> view -> add_ inside: still normal, a._version == tmp._version; reading is_leaf "
                     "raises 'A view was created in inference mode and its base or another view ...'"))
def _(t, ctx):
    out = {}
    for requires_grad in (True, False):
        a = t.ones(1, 2, 3, requires_grad=requires_grad).clone()
        with t.inference_mode():
            tmp = a.view(-1).view(-1)
            tmp.add_(2)
            entry = {"is_inference": t.is_inference(tmp), "requires_grad": tmp.requires_grad,
                     "versions": (a._version, tmp._version), "is_leaf_inside": ctx.capture(lambda: tmp.is_leaf)}
        entry["is_leaf_outside"] = ctx.capture(lambda: tmp.is_leaf)
        entry["repr"] = repr(tmp)
        out[str(requires_grad)] = entry
    return out


@scenario("inference.view_made_inside_used_outside",
          "Outside inference_mode a view made inside feeds autograd normally but refuses in-place ops if it "
          "requires grad",
          torch_test(TEST + "test_normal_tensor_view_output_in_normal_mode",
                     "out * out is tracked; out.add_ raises 'A view was created in inference mode and is being "
                     "modified inplace in normal mode'; out.view(2, 3) is a normal view"))
def _(t, ctx):
    out = {}
    for requires_grad in (True, False):
        s = t.ones(1, 2, 3, requires_grad=requires_grad)
        a = s.clone()
        with t.inference_mode():
            view = a.view(-1)
        product = view * view
        entry = {"view": _facts(t, view, ctx), "product": product, "inplace": ctx.capture(view.add_, 2)}
        again = view.view(2, 3)
        entry["view_again"] = dict(_facts(t, again, ctx), grad_fn=again.grad_fn)
        if requires_grad:
            product.sum().backward()
            entry["s_grad"] = s.grad
        out[str(requires_grad)] = entry
    return out


# ------------------------------------------------------------------ mixing inference and normal tensors
@scenario("inference.mixed_functional_inference_leaf_gets_grad",
          "An op mixing a normal tensor with an inference leaf that requires grad records the leaf's gradient",
          torch_test(TEST + "test_mix_inference_and_normal_tensor_functional_op",
                     "c.add(s) is normal and tracked; backward fills c.grad; c * s cannot save c"))
def _(t, ctx):
    out = {}
    for requires_grad in (True, False):
        s = t.ones(1, 2, 3, requires_grad=requires_grad)
        c = _inference_leaf(t, requires_grad, 1, 2, 3)
        total = c.add(s)
        entry = {"add": dict(_facts(t, total, ctx), grad_fn=total.grad_fn),
                 "mul_saves_inference": ctx.capture(lambda: (c * s).requires_grad),
                 "mul_normal_without_grad": ctx.capture(lambda: (c * t.full((3,), 2.0)).requires_grad),
                 "mul_number": ctx.capture(lambda: (c * 2).requires_grad)}
        if requires_grad:
            total.backward(t.ones_like(total))
            entry["c_grad"] = c.grad
            entry["s_grad"] = s.grad
        out[str(requires_grad)] = entry
    return out


@scenario("inference.mixed_inplace_on_normal_tensor",
          "An in-place op on a normal tensor with an inference operand works unless the operand must be saved",
          torch_test(TEST + "test_mix_inference_and_normal_tensor_inplace_op",
                     "a.mul_(c) raises 'Inference tensors cannot be saved for backward' when a requires grad"))
def _(t, ctx):
    out = {}
    for requires_grad in (True, False):
        a = t.ones(1, 2, 3, requires_grad=requires_grad).clone()
        with t.inference_mode():
            c = t.full((1, 2, 3), 3.0)
        entry = {"mul_": ctx.capture(lambda: a.mul_(c).tolist()), "a": _facts(t, a, ctx),
                 "add_": ctx.capture(lambda: a.add_(c).tolist())}
        entry["a_after"] = dict(_facts(t, a, ctx), grad_fn=a.grad_fn)
        out[str(requires_grad)] = entry
    return out


@scenario("inference.view_as_mixed",
          "view_as takes its kind from self: c.view_as(s) is inference, s.view_as(c) a tracked normal view",
          torch_test(TEST + "test_mix_inference_and_normal_tensor_view_op",
                     "view_as calls view with only one tensor argument: no mixed inputs"))
def _(t, ctx):
    out = {}
    for requires_grad in (True, False):
        s = t.ones(1, 2, 3, requires_grad=requires_grad)
        with t.inference_mode():
            c = t.ones(1, 2, 3)
        first, second = c.view_as(s), s.view_as(c)
        out[str(requires_grad)] = {"inference_self": _facts(t, first, ctx),
                                   "normal_self": dict(_facts(t, second, ctx), grad_fn=second.grad_fn)}
    return out


# ------------------------------------------------------------------ view + in-place across the modes
@scenario("inference.direct_view_rebase_error",
          "In-place on a view made in inference_mode, outside it, fails if the view requires grad",
          torch_test(TEST + "test_inference_mode_handle_direct_view_on_rebase",
                     "'A view was created in inference mode and is being modified inplace in normal mode'"))
def _(t, ctx):
    out = {}
    for requires_grad in (True, False):
        a = t.ones(1, 2, 3, requires_grad=requires_grad).clone()
        with t.inference_mode():
            view = a.view_as(a)
        out[str(requires_grad)] = {"add_": ctx.capture(lambda: view.add_(2).tolist()),
                                   "versions": (a._version, view._version), "a": a}
    return out


@scenario("inference.indirect_view_rebase_error",
          "After an in-place op on its base, a view made in inference_mode cannot give its grad_fn",
          torch_test(TEST + "test_inference_mode_handle_indirect_view_on_rebase",
                     "'A view was created in inference mode and its base or another view of its base has been "
                     "modified inplace in normal mode'; repr shows grad_fn=<Invalid>"))
def _(t, ctx):
    out = {}
    for requires_grad in (True, False):
        a = t.ones(1, 2, 3, requires_grad=requires_grad).clone()
        with t.inference_mode():
            view = a.view(-1)
        a.add_(2)
        out[str(requires_grad)] = {"grad_fn": ctx.capture(lambda: view.grad_fn), "repr": repr(view),
                                   "a_grad_fn": a.grad_fn}
    return out


@scenario("inference.inplace_inside_breaks_saved_tensor",
          "An in-place op in inference_mode on a tensor saved for backward makes the later backward fail",
          torch_test(TEST + "test_inference_mode_existing_autograd_session",
                     "normal tensors keep their version counter in inference mode: backward sees the change"))
def _(t, ctx):
    s = t.ones(1, 2, 3, requires_grad=True)
    a = s.clone()
    product = a * a
    with t.inference_mode():
        a.add_(2)
    return {"a": _facts(t, a, ctx), "backward": ctx.capture(product.backward, t.ones_like(product)),
            "s_grad": s.grad}


# ------------------------------------------------------------------ calling a node directly
@scenario("grad_fn.call_returns_input_grads",
          "y.grad_fn(g) runs the node once: one gradient as a tensor, several as a tuple, None where no edge",
          engine(CPP_FUNCTION, "THPCppFunction_call: a C++ node is called with the gradients of its outputs and "
                               "returns its inputs' gradients, one unpacked"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    w = t.tensor(ctx.randn(3), requires_grad=True)
    g = t.tensor(ctx.randn(3))
    square = x ** 2
    both = x * w
    constant = x * t.tensor([2.0, 3.0, 4.0])
    parts = x.unbind(0)
    return {"pow": square.grad_fn(g), "mul_both": both.grad_fn(g), "mul_constant": constant.grad_fn(g),
            "none_grad": both.grad_fn(None), "sum": x.sum().grad_fn(t.tensor(2.0)),
            "view": x.view(3, 1).grad_fn(t.ones(3, 1)),
            "unbind": parts[0].grad_fn(t.tensor(1.0), None, t.tensor(3.0)),
            "x_grad": x.grad}


@scenario("grad_fn.call_follows_grad_mode",
          "A node called with grad mode on records its formulas; under no_grad the result has no history",
          engine(CPP_FUNCTION, "the node's apply runs in the current grad mode, so its formula is recorded"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    y = x.exp()
    g = t.ones(3)
    tracked = y.grad_fn(g)
    with t.no_grad():
        untracked = y.grad_fn(g)
    twice = y.grad_fn(g)
    tracked.sum().backward()
    return {"tracked": tracked, "untracked": untracked, "twice": twice, "x_grad": x.grad}


@scenario("grad_fn.call_accumulate_grad_and_freed",
          "Calling AccumulateGrad fills the leaf's .grad and returns (); a node whose graph was freed raises",
          engine(CPP_FUNCTION, "a called AccumulateGrad accumulates; saved tensors freed by backward cannot be "
                               "used"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    y = x * x
    accumulator = y.grad_fn.next_functions[0][0]
    first = accumulator(t.ones(3))
    out = {"result": first, "x_grad_once": x.grad.tolist()}
    y.sum().backward()
    out["x_grad_after_backward"] = x.grad.tolist()
    out["freed"] = ctx.capture(y.grad_fn, t.ones(3))
    return out


@scenario("grad_fn.call_argument_errors",
          "A node takes one positional gradient per output: wrong counts, keywords and non-tensors are TypeErrors",
          engine(CPP_FUNCTION, "THPCppFunction_call checks keywords, the argument count, then each argument's "
                               "type"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    node = (x * 3).grad_fn
    parts = x.unbind(0)
    return {"none": ctx.capture(node), "two": ctx.capture(node, t.ones(2), t.ones(2)),
            "keyword": ctx.capture(lambda: node(grad=t.ones(2))), "number": ctx.capture(node, 3),
            "list": ctx.capture(node, [1.0, 1.0]), "multi_output_one": ctx.capture(parts[0].grad_fn, t.tensor(1.0)),
            "accumulate_none": ctx.capture(node.next_functions[0][0])}


@scenario("grad_fn.call_custom_function_node_not_callable",
          "The node of a custom autograd.Function cannot be called directly (TypeError: not callable)",
          engine("torch/autograd/function.py", "only C++ nodes define __call__; BackwardCFunction does not"))
def _(t, ctx):
    class Double(t.autograd.Function):
        @staticmethod
        def forward(ctx_, a):
            return a * 2

        @staticmethod
        def backward(ctx_, grad):
            return grad * 2

    y = Double.apply(t.tensor([1.0, 2.0], requires_grad=True))
    return {"call": ctx.capture(y.grad_fn, t.ones(2))}
