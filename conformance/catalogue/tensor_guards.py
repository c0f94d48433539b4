"""Guards on a tensor's autograd attributes (what may not be deleted or assigned), numpy() under no_grad,
powers of a zero base, the in-place view ops (transpose_, t_, unsqueeze_, squeeze_, swapdims_, swapaxes_,
as_strided_) and resize_/resize_as_, as PyTorch's own test/test_autograd.py pins them down."""
from __future__ import annotations

from ..scenario import engine, scenario, torch_test

TEST_AUTOGRAD = "test/test_autograd.py::TestAutograd::"
TEST_DEVICE = "test/test_autograd.py::TestAutogradDeviceType::"


def _delete(obj, name):
    delattr(obj, name)


def _assign(obj, name, value):
    setattr(obj, name, value)


def _names(node):
    return [None if fn is None else fn.name() for fn, _ in node.next_functions]


# ------------------------------------------------------------------ attribute guards
@scenario("tensor.guard_attribute_deletion",
          "del x.grad clears it; del x.data / requires_grad / _grad_fn / _backward_hooks raise torch's RuntimeErrors",
          torch_test(TEST_AUTOGRAD + "test_attribute_deletion",
                     "only grad may be deleted; the other autograd attributes refuse deletion"))
def _(t, ctx):
    x = t.tensor(ctx.randn(2, 2), requires_grad=True)
    x.grad = t.ones(2, 2)
    del x.grad
    return {"grad_after_del": x.grad,
            "data": ctx.capture(_delete, x, "data"),
            "requires_grad": ctx.capture(_delete, x, "requires_grad"),
            "grad_fn_slot": ctx.capture(_delete, x, "_grad_fn"),
            "backward_hooks": ctx.capture(_delete, x, "_backward_hooks"),
            "still": {"requires_grad": x.requires_grad, "is_leaf": x.is_leaf, "x": x}}


@scenario("tensor.guard_set_data_type_checks",
          ".data = accepts only a tensor (TypeError naming the type) and, while requires_grad, a floating one",
          torch_test(TEST_AUTOGRAD + "test_attribute_deletion",
                     "x.data = None raises a TypeError (set_data wants a tensor, and a differentiable dtype when "
                     "the tensor requires grad)"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    out = {"none": ctx.capture(_assign, x, "data", None),
           "list": ctx.capture(_assign, x, "data", [1.0, 2.0]),
           "long_while_requiring_grad": ctx.capture(_assign, x, "data", t.tensor([1, 2]))}
    x.data = t.tensor([3.0, 4.0, 5.0], dtype=t.float64)  # another dtype and size is fine
    out["after_double"] = {"x": x, "dtype": x.dtype, "shape": x.shape, "requires_grad": x.requires_grad,
                           "version": x._version}
    plain = t.tensor([1.0, 2.0])
    plain.data = t.tensor([7, 8])  # no grad needed: any dtype
    out["plain_long"] = {"plain": plain, "dtype": plain.dtype}
    return out


@scenario("tensor.set_data_resets_grad_accumulator",
          ".data = a tensor of another dtype gives the leaf a new AccumulateGrad (same dtype: the old one stays); "
          "a graph recorded before still accumulates through the old one",
          engine("torch/csrc/autograd/variable.cpp",
                 "VariableHooks::set_data resets the grad accumulator when the new data's type differs"))
def _(t, ctx):
    def accumulator(x):
        return (x * 1).grad_fn.next_functions[0][0]

    x = t.tensor(ctx.randn(2), requires_grad=True)
    old = accumulator(x)
    y = x * 2
    x.data = t.tensor(ctx.randn(3), dtype=t.float64)
    out = {"double_same_node": accumulator(x) is old}
    y.sum().backward()
    out["old_graph"] = {"grad": x.grad, "dtype": x.grad.dtype, "x_dtype": x.dtype}
    w = t.tensor(ctx.randn(2), requires_grad=True)
    kept = accumulator(w)
    v = w * 3
    w.data = t.tensor(ctx.randn(2))
    out["float_same_node"] = accumulator(w) is kept
    v.sum().backward()
    out["float_grad"] = w.grad
    return out


@scenario("tensor.guard_grad_assignment",
          "x.grad = x is refused; a grad of another dtype or size is refused (dtype checked first); a number is a "
          "TypeError",
          torch_test(TEST_DEVICE + "test_grad_assignment",
                     "assigning .grad checks type, self-assignment, dtype and size"))
def _(t, ctx):
    x = t.tensor(ctx.randn(2, 3), requires_grad=True)
    return {"itself": ctx.capture(_assign, x, "grad", x),
            "number": ctx.capture(_assign, x, "grad", 0),
            "wrong_size": ctx.capture(_assign, x, "grad", t.zeros(3, 2)),
            "wrong_dtype": ctx.capture(_assign, x, "grad", t.zeros(2, 3, dtype=t.float64)),
            "wrong_both": ctx.capture(_assign, x, "grad", t.zeros(3, dtype=t.float64)),
            "long": ctx.capture(_assign, x, "grad", t.zeros(2, 3, dtype=t.int64)),
            "grad_untouched": x.grad,
            "plain_itself": ctx.capture(_assign, t.zeros(2), "grad", None)}


# ------------------------------------------------------------------ numpy()
@scenario("tensor.numpy_allowed_under_no_grad",
          "numpy() of a tensor that requires grad raises in grad mode but works under no_grad",
          torch_test(TEST_AUTOGRAD + "test_numpy_requires_grad",
                     "the numpy() check is skipped when grad mode is off"))
def _(t, ctx):
    x = t.tensor(ctx.randn(2, 2), requires_grad=True)
    y = x * 2
    out = {"grad_mode": ctx.capture(x.numpy), "nonleaf_grad_mode": ctx.capture(y.numpy)}
    with t.no_grad():
        out["no_grad"] = x.numpy().tolist()
        out["nonleaf_no_grad"] = y.numpy().tolist()
    out["plain"] = t.tensor([1.0, 2.0]).numpy().tolist()
    return out


# ------------------------------------------------------------------ powers of zero
@scenario("ops.pow_zero_base_gradients",
          "Gradients of powers of a zero base: 0 ** b (number base) w.r.t. b is -inf for b < 0, 0 for b >= 0",
          torch_test(TEST_AUTOGRAD + "test_power_function",
                     "pow at a zero base: the exponent's gradient is -inf for b < 0 and 0 for b >= 0, whether the "
                     "base is a zero tensor or the number 0"))
def _(t, ctx):
    exponents = [-1.0, -2.0, 0.0, 0.5, 1.0, 2.0]
    out = {}
    b = t.tensor(exponents, requires_grad=True)
    y = t.pow(0.0, b)
    y.sum().backward()
    out["number_base"] = {"y": y, "grad_fn": y.grad_fn.name(), "b_grad": b.grad}
    base = t.zeros(len(exponents), requires_grad=True)
    e = t.tensor(exponents, requires_grad=True)
    z = base ** e
    z.sum().backward()
    out["tensor_base"] = {"z": z, "grad_fn": z.grad_fn.name(), "base_grad": base.grad, "e_grad": e.grad}
    scalar = {}
    for exponent in exponents:
        x = t.zeros(2, requires_grad=True)
        w = x ** exponent
        w.sum().backward()
        scalar[str(exponent)] = {"w": w, "x_grad": x.grad}
    out["number_exponent"] = scalar
    b = t.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    (0 ** b).sum().backward()  # the operator (before torch 2.1 it wraps the 0 in a tensor)
    out["operator_b_grad"] = b.grad
    return out


@scenario("ops.pow_zero_tensor_exponent_zero",
          "A zero base to the power 0 (a tensor of zeros or the number 0) gets a zero gradient",
          torch_test(TEST_AUTOGRAD + "test_pow_zero_tensor_gradient",
                     "pow_backward's exponent == 0 special case: the base's gradient is 0, not nan"))
def _(t, ctx):
    out = {}
    for name, exponent in (("tensor", t.zeros(3)), ("tensor_2d", t.zeros(2, 3)), ("number", 0)):
        x = t.zeros(*((2, 3) if name == "tensor_2d" else (3,)), requires_grad=True)
        y = x.pow(exponent)
        y.sum().backward()
        out[name] = {"y": y, "grad_fn": y.grad_fn.name(), "x_grad": x.grad}
    return out


@scenario("ops.pow_zero_base_double_backward",
          "create_graph through 0 ** b (number base): the gradient w.r.t. b and its own graph",
          torch_test(TEST_AUTOGRAD + "test_pow_zero_tensor_gradient",
                     "pow's exponent gradient at a zero base, differentiated again"))
def _(t, ctx):
    b = t.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = t.pow(0.0, b)
    (g,) = t.autograd.grad(y.sum(), b, create_graph=True)
    return {"g": g, "g_grad_fn": g.grad_fn.name(), "g_next": _names(g.grad_fn)}


# ------------------------------------------------------------------ in-place view ops
def _inplace_view_case(t, ctx, rows, cols, op, *args):
    """op applied in place to a non-leaf y = x * 1: what y shows and where its gradient goes."""
    x = t.tensor(ctx.randn(rows, cols), requires_grad=True)
    y = x * 1
    before = y.grad_fn
    result = getattr(y, op)(*args)
    out = {"returns_self": result is y, "y": y, "shape": y.shape, "stride": y.stride(), "version": y._version,
           "grad_fn": y.grad_fn.name(), "next": _names(y.grad_fn),
           "chains_old_grad_fn": y.grad_fn.next_functions[0][0] is before, "is_contiguous": y.is_contiguous()}
    weights = t.tensor(ctx.randn(*y.shape)) if y.dim() else t.tensor(2.0)
    (y * weights).sum().backward()
    out["x_grad"] = x.grad
    leaf = t.tensor(ctx.randn(rows, cols), requires_grad=True)
    out["leaf_error"] = ctx.capture(getattr(leaf, op), *args)
    plain = t.tensor(ctx.randn(rows, cols))
    getattr(plain, op)(*args)
    out["plain"] = {"plain": plain, "version": plain._version, "grad_fn": plain.grad_fn}
    with t.no_grad():
        getattr(leaf, op)(*args)
    out["leaf_under_no_grad"] = {"shape": leaf.shape, "version": leaf._version, "requires_grad": leaf.requires_grad}
    return out


_INPLACE_VIEW_SHOWS = "in-place view ops change the geometry, bump _version and record their own node"


@scenario("views.inplace_transpose_",
          "y.transpose_(0, 1): same tensor, transposed, _version 1, TransposeBackward1 after the old grad_fn",
          torch_test(TEST_AUTOGRAD + "test_autograd_inplace_views_creation_meta", _INPLACE_VIEW_SHOWS))
def _(t, ctx):
    return _inplace_view_case(t, ctx, 2, 3, "transpose_", 0, 1)


@scenario("views.inplace_t_", "y.t_(): transposed in place, TBackward1",
          torch_test(TEST_AUTOGRAD + "test_autograd_inplace_views_creation_meta", _INPLACE_VIEW_SHOWS))
def _(t, ctx):
    out = _inplace_view_case(t, ctx, 2, 3, "t_")
    out["three_dims"] = ctx.capture(t.zeros(2, 2, 2).t_)
    return out


@scenario("views.inplace_swapdims_", "y.swapdims_(1, 0) and y.swapaxes_(-1, 0) are transpose_: TransposeBackward1",
          torch_test(TEST_AUTOGRAD + "test_autograd_inplace_views_creation_meta", _INPLACE_VIEW_SHOWS))
def _(t, ctx):
    return {"swapdims_": _inplace_view_case(t, ctx, 2, 3, "swapdims_", 1, 0),
            "swapaxes_": _inplace_view_case(t, ctx, 3, 2, "swapaxes_", -1, 0)}


@scenario("views.inplace_unsqueeze_", "y.unsqueeze_(1) and unsqueeze_(-1): UnsqueezeBackward1, grad squeezed back",
          torch_test(TEST_AUTOGRAD + "test_autograd_inplace_views_creation_meta", _INPLACE_VIEW_SHOWS))
def _(t, ctx):
    return {"dim_1": _inplace_view_case(t, ctx, 2, 3, "unsqueeze_", 1),
            "dim_last": _inplace_view_case(t, ctx, 2, 3, "unsqueeze_", -1)}


@scenario("views.inplace_squeeze_", "y.squeeze_() and y.squeeze_(dim) (a size-1 dim or not): SqueezeBackward3/4",
          torch_test(TEST_AUTOGRAD + "test_autograd_inplace_views_creation_meta", _INPLACE_VIEW_SHOWS))
def _(t, ctx):
    return {"all": _inplace_view_case(t, ctx, 1, 3, "squeeze_"),
            "dim_0": _inplace_view_case(t, ctx, 1, 3, "squeeze_", 0),
            "dim_not_one": _inplace_view_case(t, ctx, 1, 3, "squeeze_", 1)}


@scenario("views.inplace_as_strided_", "y.as_strided_(size, stride[, offset]): AsStridedBackward1, grad through storage",
          torch_test(TEST_AUTOGRAD + "test_autograd_inplace_views_creation_meta", _INPLACE_VIEW_SHOWS))
def _(t, ctx):
    return {"overlap_free": _inplace_view_case(t, ctx, 2, 3, "as_strided_", (2, 2), (1, 2)),
            "with_offset": _inplace_view_case(t, ctx, 2, 3, "as_strided_", (2,), (2,), 1)}


@scenario("views.inplace_view_op_on_view",
          "t_() on a view of a non-leaf: the view stays a view (TBackward1 after its SliceBackward0), the base keeps "
          "its grad_fn, the shared _version moves and a sibling view's grad_fn is regenerated",
          torch_test(TEST_AUTOGRAD + "test_autograd_inplace_views_creation_meta",
                     "in-place view ops on views are not rebased onto the base (no CopySlices): the view keeps "
                     "its own creation meta and history"))
def _(t, ctx):
    x = t.tensor(ctx.randn(2, 3), requires_grad=True)
    y = x * 1
    a = y[:]
    b = y[0]
    a.t_()
    out = {"a": a, "a_grad_fn": a.grad_fn.name(), "a_next": _names(a.grad_fn), "a_is_view": a._base is y,
           "y_grad_fn": y.grad_fn.name(), "versions": (y._version, a._version, b._version),
           "sibling_grad_fn": b.grad_fn.name()}
    (a * t.tensor(ctx.randn(3, 2))).sum().backward()
    out["x_grad"] = x.grad
    leaf_view = t.tensor([1.0, 2.0], requires_grad=True).view(2, 1)
    out["view_of_leaf"] = ctx.capture(leaf_view.t_)
    return out


@scenario("views.inplace_view_ops_creation_meta",
          "In-place view ops on a view made in grad mode / no_grad, of a multi-output op or inside a custom "
          "Function, run in grad mode or not: which raise, and whether a later add_ on the result raises",
          torch_test(TEST_AUTOGRAD + "test_autograd_inplace_views_creation_meta",
                     "in-place view ops keep (or refuse) the creation meta of the view they modify"))
def _(t, ctx):
    class ViewAs(t.autograd.Function):
        @staticmethod
        def forward(ctx_, x):
            return x.view_as(x)

        @staticmethod
        def backward(ctx_, grad):
            return grad

    ops = {"as_strided_": lambda v: v.as_strided_((1, 0), (2, 2)), "transpose_": lambda v: v.transpose_(0, 0),
           "t_": lambda v: v.t_(), "squeeze_": lambda v: v.squeeze_(0), "unsqueeze_": lambda v: v.unsqueeze_(0),
           "swapdims_": lambda v: v.swapdims_(0, 0), "swapaxes_": lambda v: v.swapaxes_(0, 0)}
    makers = {"normal": lambda base: base.view_as(base), "multi_view": lambda base: base.unbind()[0],
              "custom": lambda base: ViewAs.apply(base)}
    out = {}
    for name, op in ops.items():
        rows = []
        for kind, make in makers.items():
            for grad_mode_view in (True, False):
                for grad_mode_op in (True, False):
                    for requires_grad in (True, False):
                        base = t.tensor(ctx.rand(2, 3), requires_grad=requires_grad).clone()
                        with t.set_grad_enabled(grad_mode_view):
                            view = make(base)
                        with t.set_grad_enabled(grad_mode_op):
                            first = ctx.capture(op, view)
                        row = {"case": (kind, grad_mode_view, grad_mode_op, requires_grad), "op": first}
                        if not hasattr(first, "observe"):
                            row["then_add_"] = ctx.capture(view.add_, 1)
                            row["shape"] = view.shape
                        rows.append(row)
        out[name] = rows
    return out


@scenario("printing.invalid_view_repr",
          "A view made and modified in place under no_grad prints grad_fn=<Invalid> (its grad_fn raises)",
          torch_test(TEST_AUTOGRAD + "test_autograd_print_tensor",
                     "repr of a view whose grad_fn cannot be regenerated shows grad_fn=<Invalid>"))
def _(t, ctx):
    a = t.ones(1, requires_grad=True)
    with t.no_grad():
        b = a[:]
        b *= 2
    return {"a": repr(a), "clone": repr(a.clone()), "b": repr(b), "b_grad_fn": ctx.capture(lambda: b.grad_fn),
            "b_requires_grad": b.requires_grad}


@scenario("inference.inplace_view_and_resize_ops",
          "transpose_ / t_ / unsqueeze_ / resize_ / resize_as_ on inference tensors (inside and outside "
          "inference mode) and on a normal tensor inside it",
          torch_test("test/test_autograd.py::TestAutogradInferenceMode::"
                     "test_inference_mode_inf_tensor_in_inf_mode_inplace_op",
                     "in-place (view) ops keep an inference tensor an inference tensor; outside inference mode "
                     "they are refused; resize_ of a tensor that requires grad is allowed inside inference mode"))
def _(t, ctx):
    ops = {"transpose_": lambda x: x.transpose_(0, 1), "t_": lambda x: x.t_(), "unsqueeze_": lambda x: x.unsqueeze_(0),
           "resize_": lambda x: x.resize_(1, 2), "resize_as_": lambda x: x.resize_as_(t.ones(1, 2))}
    out = {}
    for name, op in ops.items():
        for requires_grad in (True, False):
            row = {}
            with t.inference_mode():
                c = t.ones(2, 3, requires_grad=requires_grad)
                op(c)
                row["inside"] = {"shape": c.shape, "is_inference": c.is_inference(), "requires_grad": c.requires_grad}
                d = t.ones(2, 3, requires_grad=requires_grad)
            row["outside"] = ctx.capture(op, d)
            a = t.ones(2, 3, requires_grad=requires_grad).clone()
            with t.inference_mode():
                op(a)
                row["normal_inside"] = {"shape": a.shape, "is_inference": a.is_inference(),
                                        "requires_grad": a.requires_grad, "version": a._version,
                                        "grad_fn": None if a.grad_fn is None else a.grad_fn.name()}
            row["normal_after"] = ctx.capture(op, a)
            out[f"{name}_{requires_grad}"] = row
    return out


# ------------------------------------------------------------------ resize_
@scenario("tensor.resize_refused_when_requiring_grad",
          "resize_ / resize_as_ of a tensor that requires grad (leaf, non-leaf, view, even under no_grad) raise",
          engine("torch/csrc/autograd/VariableTypeManual.cpp",
                 "resize_ / resize_as_ check requires_grad before resizing: 'cannot resize variables that require "
                 "grad'"))
def _(t, ctx):
    leaf = t.tensor([1.0, 2.0], requires_grad=True)
    nonleaf = leaf * 1
    out = {"leaf": ctx.capture(leaf.resize_, 3), "leaf_same_size": ctx.capture(leaf.resize_, 2),
           "nonleaf": ctx.capture(nonleaf.resize_, 1), "view": ctx.capture(nonleaf[:1].resize_, 1),
           "resize_as_": ctx.capture(leaf.resize_as_, t.zeros(2, 1))}
    with t.no_grad():
        out["leaf_no_grad"] = ctx.capture(leaf.resize_, 3)
    out["leaf"] = {"error": out["leaf"], "after": leaf, "version": leaf._version}
    return out


@scenario("tensor.resize_version_bump",
          "resize_ and resize_as_ bump _version only when the sizes change; shrinking keeps the leading elements",
          torch_test(TEST_DEVICE + "test_resize_version_bump",
                     "resize_ to the same sizes is a no-op without a version bump"))
def _(t, ctx):
    a = t.tensor(ctx.rand(1))
    b = t.tensor(ctx.randn(3))
    versions = []
    for step in (lambda: a.resize_((1, 2)), lambda: a.resize_as_(b), lambda: a.resize_((3,)), lambda: a.resize_as_(b)):
        step()
        versions.append((a.shape, a._version))
    x = t.tensor(ctx.randn(2, 3))
    steps = []
    for sizes in [(3, 2), (3, 2), (6,), (2,)]:
        x.resize_(sizes)
        steps.append({"sizes": sizes, "shape": x.shape, "stride": x.stride(), "version": x._version,
                      "values": x.tolist()})
    y = t.tensor(ctx.randn(4))
    y.resize_as_(t.zeros(2, 2))
    first = y._version
    y.resize_as_(t.zeros(2, 2))
    grown = t.tensor([1.0, 2.0])
    grown.resize_(2, 2)
    return {"upstream_steps": versions, "steps": steps, "resize_as_": {"y": y, "versions": (first, y._version)},
            "grown": {"shape": grown.shape, "version": grown._version, "head": grown.view(-1)[:2]},
            "negative": ctx.capture(t.zeros(2).resize_, 2, -1),
            "transposed": t.arange(6.0).reshape(2, 3).t().resize_(6)}
# ------------------------------------------------------------------ need edits outside this file's engine part
@scenario("errors.saved_input_detached_in_place",
          "detach_() of a non-leaf saved as an input fails at backward ('saved tensor that has been detached "
          "in-place'); detaching one saved as an output does not",
          torch_test(TEST_AUTOGRAD + "test_saved_variable_saved_original_inplace_detach",
                     "SavedVariable::unpack refuses an input that lost its grad_fn to detach_()"))
def _(t, ctx):
    a = t.tensor(ctx.randn(3), requires_grad=True).clone()
    b = a.sin()  # saves a (an input)
    a.detach_()
    out = {"input": ctx.capture(b.sum().backward), "a": {"requires_grad": a.requires_grad, "version": a._version}}
    c = t.tensor(ctx.randn(3), requires_grad=True)
    d = c.clone()
    e = d.exp()  # saves its result, not d
    d.detach_()
    out["not_saved"] = ctx.capture(e.sum().backward)
    out["c_grad"] = c.grad
    g = t.tensor(ctx.randn(3), requires_grad=True)
    h = g * 1
    k = h * h  # saves h twice; h detached, then modified: the detach error comes first
    h.detach_()
    h.add_(1)
    out["detached_then_modified"] = ctx.capture(k.sum().backward)
    return out


@scenario("hooks.post_accumulate_grad_hook_must_return_none",
          "A post-accumulate-grad hook returning a tensor raises 'should return None'; returning the tensor "
          "itself is fine; another type, dtype or size fails the usual hook result checks",
          torch_test(TEST_AUTOGRAD + "test_post_accumulate_grad_hook_returns_not_None",
                     "post accumulate grad hooks may not return a value"))
def _(t, ctx):
    def run(result):
        a = t.tensor(ctx.randn(2, 3), requires_grad=True)
        a.register_post_accumulate_grad_hook(lambda p: result(t, p))
        return {"error": ctx.capture((a * 2).sum().backward), "grad": a.grad}

    return {"grad": run(lambda t, p: p.grad), "itself": run(lambda t, p: p), "none": run(lambda t, p: None),
            "list": run(lambda t, p: [1]), "double": run(lambda t, p: p.grad.double()),
            "size": run(lambda t, p: t.zeros(3))}


@scenario("grad_modes.decorating_a_class",
          "@no_grad() / @enable_grad() / @set_grad_enabled(False) on a class: a FutureWarning, and only the "
          "construction runs in the mode (the class becomes a function)",
          torch_test(TEST_AUTOGRAD + "test_grad_mode_class_decoration",
                     "decorating a class is deprecated but still constructs it under the mode"))
def _(t, ctx):
    out = {}
    for name, make in (("no_grad", lambda: t.no_grad()), ("enable_grad", lambda: t.enable_grad()),
                       ("set_grad_enabled_false", lambda: t.set_grad_enabled(False))):
        @make()
        class Probe:
            def __init__(self):
                self.in_init = t.is_grad_enabled()

            def method(self):
                return t.is_grad_enabled()

        with t.set_grad_enabled(name != "enable_grad"):
            obj = Probe()
            out[name] = {"in_init": obj.in_init, "in_method": obj.method(), "decorated_is_class": isinstance(Probe, type),
                         "after": t.is_grad_enabled()}
    return out
