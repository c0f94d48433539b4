"""Grad modes: no_grad, enable_grad, set_grad_enabled (call, context manager, decorator),
inference_mode and inference tensors, and detach compared with no_grad."""
from __future__ import annotations

from ..scenario import scenario, seed, torch_docs, torch_test

S0 = "000_5702683785e882bc.txt"
LOCAL = "Autograd mechanics: Locally disabling gradient computation"
INFERENCE = "Autograd mechanics: Inference Mode"


@scenario("grad_modes.no_grad_decorator_with_parentheses", "@no_grad() disables grad inside the function only",
          torch_docs("torch.no_grad", "no_grad can be used as a decorator"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)

    @t.no_grad()
    def double(a):
        return a * 2, t.is_grad_enabled()

    y, inside = double(x)
    return {"y": y, "inside": inside, "after": t.is_grad_enabled(), "name": double.__name__}


@scenario("grad_modes.no_grad_decorator_without_parentheses", "@no_grad without parentheses works as a decorator too",
          torch_docs("torch.no_grad", "no_grad used as a bare decorator"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)

    @t.no_grad
    def double(a):
        return a * 2, t.is_grad_enabled()

    y, inside = double(x)
    return {"y": y, "inside": inside, "after": t.is_grad_enabled(), "name": double.__name__}


@scenario("grad_modes.no_grad_generator_function", "@no_grad() on a generator disables grad at each step only",
          torch_test("test/test_autograd.py::TestAutograd::test_set_grad_generator_functions",
                     "grad mode decorators wrap each resumption of a generator"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)

    @t.no_grad()
    def steps(a):
        for scale in (2.0, 3.0):
            yield a * scale, t.is_grad_enabled()

    seen = []
    for y, inside in steps(x):
        seen.append({"y": y, "inside": inside, "outside": t.is_grad_enabled(), "z": (x * 1).requires_grad})
    return {"seen": seen, "after": t.is_grad_enabled()}


@scenario("grad_modes.nested_no_grad_enable_grad", "enable_grad inside no_grad re-enables tracking; exits restore",
          torch_docs("torch.enable_grad", "enable_grad enables gradient calculation inside a no_grad block"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    states = {}
    with t.no_grad():
        states["no_grad"] = (t.is_grad_enabled(), (x * 2).requires_grad)
        with t.enable_grad():
            y = x * 2
            states["enable_grad"] = (t.is_grad_enabled(), y.requires_grad)
            with t.no_grad():
                states["inner_no_grad"] = (t.is_grad_enabled(), (x * 2).requires_grad)
            states["back_in_enable"] = t.is_grad_enabled()
        states["back_in_no_grad"] = t.is_grad_enabled()
    states["outside"] = t.is_grad_enabled()
    return {"states": states, "y": y}


@scenario("grad_modes.enable_grad_decorator_inside_no_grad", "An @enable_grad function called under no_grad tracks",
          torch_docs("torch.enable_grad", "enable_grad also works as a decorator"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)

    @t.enable_grad()
    def square(a):
        return a * a

    with t.no_grad():
        y = square(x)
        z = x * x
    y.sum().backward()
    return {"y": y, "z": z, "x_grad": x.grad}


@scenario("grad_modes.set_grad_enabled_plain_call", "set_grad_enabled(False) called plainly affects what follows",
          torch_test("test/test_autograd.py::TestAutograd::test_set_grad_enabled",
                     "set_grad_enabled works as a function as well as a context manager"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    t.set_grad_enabled(False)
    y = x * 2
    state_off = t.is_grad_enabled()
    t.set_grad_enabled(True)
    z = x * 2
    return {"y": y, "z": z, "state_off": state_off, "state_on": t.is_grad_enabled()}


@scenario("grad_modes.set_grad_enabled_context_restores", "with set_grad_enabled(mode) restores the previous mode",
          torch_docs("torch.set_grad_enabled", "set_grad_enabled as a context manager"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    with t.set_grad_enabled(False):
        y = x * 2
        inside_false = t.is_grad_enabled()
    after_false = t.is_grad_enabled()
    with t.no_grad():
        with t.set_grad_enabled(True):
            z = x * 2
            inside_true = t.is_grad_enabled()
        after_true = t.is_grad_enabled()
    return {"y": y, "z": z, "states": [inside_false, after_false, inside_true, after_true],
            "outside": t.is_grad_enabled()}


@scenario("grad_modes.set_grad_enabled_decorator", "@set_grad_enabled(False) disables grad inside the function only",
          torch_docs("torch.set_grad_enabled", "set_grad_enabled as a decorator"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)

    @t.set_grad_enabled(False)
    def double(a):
        return a * 2, t.is_grad_enabled()

    y, inside = double(x)
    return {"y": y, "inside": inside, "after": t.is_grad_enabled()}


@scenario("grad_modes.leaf_created_in_no_grad_requires_grad",
          "Leaves created with requires_grad=True under no_grad require grad",
          torch_docs(LOCAL, "factory functions with requires_grad=True are unaffected by no_grad"))
def _(t, ctx):
    with t.no_grad():
        a = t.tensor([1.0, 2.0], requires_grad=True)
        b = t.ones(2, requires_grad=True)
        c = a * b
    (a * b).sum().backward()
    return {"a_rg": a.requires_grad, "a_leaf": a.is_leaf, "b_rg": b.requires_grad, "c": c, "a_grad": a.grad,
            "b_grad": b.grad}


@scenario("grad_modes.inplace_on_leaf_allowed_in_no_grad", "In-place ops on a leaf requiring grad work under no_grad",
          seed(S0, "weights are updated under no_grad in a training loop"))
def _(t, ctx):
    w = t.tensor([1.0, 2.0], requires_grad=True)
    before = w._version
    with t.no_grad():
        w.sub_(0.5)
        w.mul_(2)
    error = ctx.capture(w.add_, 1)
    return {"w": w, "before": before, "after": w._version, "outside_error": error, "is_leaf": w.is_leaf}


@scenario("grad_modes.backward_inside_no_grad_works", "backward() of a graph built earlier works inside no_grad",
          torch_docs(LOCAL, "grad mode affects graph recording, not backward of an existing graph"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    with t.no_grad():
        y.backward()
    return {"y": y, "x_grad": x.grad}


@scenario("grad_modes.detach_shares_storage_no_grad_copies",
          "detach() shares data and version counter; an op under no_grad makes a new tensor",
          torch_docs("torch.Tensor.detach", "the detached tensor shares storage; in-place changes are seen by both"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    d.add_(1)
    with t.no_grad():
        n = x * 1
    n.add_(1)
    return {"x": x, "d": d, "n": n, "x_version": x._version, "d_version": d._version}


@scenario("grad_modes.three_ways_same_computation",
          "requires_grad_(False), detach() and no_grad give the same untracked result",
          seed(S0, "three options to stop tracking: requires_grad_(False), detach(), with no_grad"))
def _(t, ctx):
    values = ctx.randn(3)
    a = t.tensor(values, requires_grad=True)
    a.requires_grad_(False)
    via_flag = a * 2 + 1
    b = t.tensor(values, requires_grad=True)
    via_detach = b.detach() * 2 + 1
    c = t.tensor(values, requires_grad=True)
    with t.no_grad():
        via_no_grad = c * 2 + 1
    tracked = c * 2 + 1
    return {"via_flag": via_flag, "via_detach": via_detach, "via_no_grad": via_no_grad, "tracked": tracked,
            "sources_rg": [a.requires_grad, b.requires_grad, c.requires_grad],
            "equal": bool((via_flag == via_detach).all()) and bool((via_detach == via_no_grad).all())}


# ------------------------------------------------------------------ inference mode
@scenario("inference.results_are_inference_tensors", "Results computed in inference_mode are inference tensors",
          torch_docs(INFERENCE, "tensors created in inference mode are inference tensors that do not require grad"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    with t.inference_mode():
        y = x * 2
        state = (t.is_inference_mode_enabled(), t.is_grad_enabled())
    return {"y_values": y.tolist(), "is_inference": y.is_inference(), "requires_grad": y.requires_grad,
            "grad_fn": y.grad_fn, "is_leaf": y.is_leaf, "x_is_inference": x.is_inference(), "inside": state,
            "after": (t.is_inference_mode_enabled(), t.is_grad_enabled())}


@scenario("inference.version_counter_error", "Reading _version of an inference tensor raises",
          torch_docs(INFERENCE, "inference tensors do not have a version counter"))
def _(t, ctx):
    with t.inference_mode():
        y = t.ones(2) * 3
    return {"error": ctx.capture(lambda: y._version), "y": y}


@scenario("inference.used_in_autograd_outside_errors",
          "Using an inference tensor in a recorded op outside inference_mode raises",
          torch_test(
              "test/test_autograd.py::TestAutogradInferenceMode::test_mix_inference_and_normal_tensor_functional_op",
              "c * s raises 'Inference tensors cannot be saved for backward'; c.add(s) is fine"))
def _(t, ctx):
    with t.inference_mode():
        y = t.ones(2) * 3
    w = t.tensor([1.0, 2.0], requires_grad=True)
    return {"mul": ctx.capture(lambda: y * w), "add": ctx.capture(lambda: (y + w).sum().tolist()),
            "inplace": ctx.capture(y.add_, 1), "requires_grad": ctx.capture(y.requires_grad_)}


@scenario("inference.clone_outside_gives_normal_tensor",
          "clone() of an inference tensor outside inference_mode is normal",
          torch_docs(INFERENCE, "make a clone to get a normal tensor and use it in autograd"))
def _(t, ctx):
    with t.inference_mode():
        y = t.ones(2) * 3
    c = y.clone()
    w = t.tensor([1.0, 2.0], requires_grad=True)
    (c * w).sum().backward()
    return {"c": c, "c_is_inference": c.is_inference(), "w_grad": w.grad}


@scenario("inference.inference_mode_false_inside", "inference_mode(False) inside inference_mode records a graph again",
          torch_docs("torch.inference_mode", "mode=False disables inference mode"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    with t.inference_mode():
        with t.inference_mode(False):
            z = x * 2
            inner = (t.is_inference_mode_enabled(), t.is_grad_enabled())
        outer = (t.is_inference_mode_enabled(), t.is_grad_enabled())
    z.sum().backward()
    return {"z": z, "z_is_inference": z.is_inference(), "inner": inner, "outer": outer, "x_grad": x.grad}


@scenario("inference.decorator", "@inference_mode() and bare @inference_mode decorate functions",
          torch_test("test/test_autograd.py::TestAutogradInferenceMode::test_inference_mode_decorator",
                     "inference_mode works as a decorator"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)

    @t.inference_mode()
    def called(a):
        return a * 2, t.is_inference_mode_enabled()

    @t.inference_mode
    def bare(a):
        return a * 3, t.is_inference_mode_enabled()

    out = {}
    for name, fn in (("called", called), ("bare", bare)):
        y, inside = fn(x)
        out[name] = {"values": y.tolist(), "is_inference": y.is_inference(), "requires_grad": y.requires_grad,
                     "inside": inside}
    out["after"] = t.is_inference_mode_enabled()
    return out


@scenario("inference.inplace_on_normal_leaf_allowed",
          "Inside inference_mode an in-place op on a normal leaf is allowed",
          torch_test("test/test_autograd.py::TestAutogradInferenceMode::test_inference_mode_existing_autograd_session",
                     "a normal tensor changed in place inside inference mode stays normal and bumps its version"))
def _(t, ctx):
    w = t.tensor([1.0, 2.0], requires_grad=True)
    with t.inference_mode():
        w.mul_(3)
    return {"w": w, "is_inference": w.is_inference()}


@scenario("inference.no_grad_result_is_not_inference",
          "A no_grad result is a normal tensor, unlike an inference_mode one",
          torch_docs(INFERENCE, "inference mode is no_grad plus skipping version counters and view tracking"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    with t.no_grad():
        a = x * 2
    with t.inference_mode():
        b = x * 2
    a.add_(1)
    return {"a": a, "a_is_inference": a.is_inference(), "b_is_inference": b.is_inference(),
            "b_version": ctx.capture(lambda: b._version)}
