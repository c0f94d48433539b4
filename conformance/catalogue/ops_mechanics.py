"""Mechanics under the ops: which names are functions or methods, in-place aliasing and overlap checks,
gather/scatter gradients, the strides of gradients autograd.grad returns, and create_graph backwards through
broadcasting, retain_grad accumulation, clamp masks, CopySlices and regenerated (AsStrided) views."""
from __future__ import annotations

from ..scenario import engine, scenario, torch_docs, torch_test

DERIV = "tools/autograd/derivatives.yaml"
T = "test/test_autograd.py::TestAutograd::"


def _leaf(t, data, **kwargs):
    return t.tensor(data, requires_grad=True, **kwargs)


# ====================================================================== namespaces
@scenario("ops.functions_versus_methods", "in-place ops are Tensor methods only; cat/stack/zeros are torch functions only",
          torch_docs("torch.Tensor", "add_, mul_, reshape_as exist as methods; torch.cat and torch.stack as functions"))
def _(t, ctx):
    names = ("add_", "mul_", "reshape_as", "cat", "stack", "zeros", "tensor", "swapaxes", "concat", "reshape")
    return {"function": [hasattr(t, n) for n in names], "method": [hasattr(t.Tensor, n) for n in names]}


# ====================================================================== in-place mechanics
@scenario("inplace.augmented_assignment_aliases", "b = a; b += 1 writes a's memory: the same object, version 1",
          torch_docs("torch.Tensor.add_", "x += y calls Tensor.__iadd__, the in-place add_"))
def _(t, ctx):
    a = t.zeros(3)
    b = a
    b += 1
    b *= 3
    b -= 1
    return {"a": a, "same": b is a, "version": a._version}


@scenario("inplace.partial_overlap_errors", "x.mul_(x) is allowed; x[1:].add_(x[:-1]) raises the partial-overlap error",
          engine("aten/src/ATen/MemoryOverlap.cpp", "assert_no_partial_overlap: the operand may be the output itself, "
                                                    "not a different part of its memory"))
def _(t, ctx):
    x = t.tensor([0.0, 1.0, 2.0, 3.0, 4.0])
    x.mul_(x)
    y = t.tensor([1.0, 2.0, 3.0, 4.0])
    shifted = ctx.capture(lambda: y[1:].add_(y[:-1]))
    z = t.tensor([1.0, 2.0, 3.0, 4.0])
    disjoint = z[:2].add_(z[2:])
    return {"square": x, "shifted": shifted, "y": y, "disjoint": disjoint, "z": z}


@scenario("inplace.expanded_target", "add_ into expand(2, 3) raises the internal-overlap error; into expand(1, 3) it writes",
          engine("aten/src/ATen/MemoryOverlap.cpp", "assert_no_internal_overlap: a size>1 dim with stride 0"))
def _(t, ctx):
    x = t.zeros(3)
    overlapping = ctx.capture(lambda: x.expand(2, 3).add_(1))
    e = x.expand(1, 3)
    e.add_(t.tensor([1.0, 2.0, 3.0]))
    r = t.zeros(3)
    row = r.expand(2, 3)[0]
    row.add_(1.0)
    column = ctx.capture(lambda: r.expand(2, 3)[:, 1].add_(1))
    return {"overlapping": overlapping, "e": e, "x": x, "stride": e.stride(), "row": row, "r": r, "column": column}


@scenario("inplace.scatter_into_expanded", "scatter_ and scatter_add_ into a repeated expand raise the "
          "internal-overlap error and write nothing",
          engine("aten/src/ATen/native/TensorAdvancedIndexing.cpp", "scatter_ / scatter_add_: "
                                                                    "assert_no_internal_overlap(self)"))
def _(t, ctx):
    x = t.zeros(3)
    e = x.expand(2, 3)
    index = t.tensor([[0], [1]])
    return {"scatter_": ctx.capture(e.scatter_, 1, index, 1.0),
            "scatter_src": ctx.capture(e.scatter_, 1, index, t.ones(2, 1)),
            "scatter_add_": ctx.capture(e.scatter_add_, 1, index, t.ones(2, 1)), "x": x, "version": x._version}


# ====================================================================== gather / scatter
@scenario("ops.gather_backward_repeats", "gather's gradient adds up repeated indices (2-D and 3-D, dims 0 and 1)",
          engine(DERIV, "gather: self: gather_backward(grad, self, dim, index, sparse_grad), a scatter_add"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3, 4))
    idx = t.tensor([[0, 0, 3], [1, 2, 1], [3, 3, 3]])
    y = x.gather(1, idx)
    g1 = t.tensor(ctx.randn(3, 3))
    y.backward(g1)
    w = _leaf(t, ctx.randn(2, 3, 4))
    idx3 = t.tensor([[[0, 1, 2, 0], [2, 2, 0, 1]], [[1, 1, 1, 1], [0, 2, 0, 2]]])
    z = w.gather(1, idx3)
    z.backward(t.tensor(ctx.randn(2, 2, 4)))
    v = _leaf(t, ctx.randn(3, 2))
    u = v.gather(0, t.tensor([[2, 0], [2, 2]]))
    u.backward(t.tensor(ctx.randn(2, 2)))
    return {"y": y, "x_grad": x.grad, "z": z, "w_grad": w.grad, "u": u, "v_grad": v.grad}


@scenario("higher_order.gather_double_backward", "create_graph through gather: ScatterAddBackward0, then gather again",
          engine(DERIV, "scatter_add: src: grad.gather(dim, index)"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2, 3, 4))
    idx = t.tensor([[[0, 1, 2, 0], [2, 2, 0, 1]], [[1, 1, 1, 1], [0, 2, 0, 2]]])
    y = x.gather(1, idx) ** 2
    first, = t.autograd.grad(y, x, t.tensor(ctx.randn(2, 2, 4)), create_graph=True)
    second, = t.autograd.grad(first, x, t.tensor(ctx.randn(2, 3, 4)))
    return {"first": first, "name": first.grad_fn.name(), "second": second}


# ====================================================================== strides of gradients
@scenario("views.gradient_strides", "autograd.grad returns sum's expanded gradient: its strides through view/squeeze",
          engine("aten/src/ATen/TensorUtils.cpp", "computeStride: a view of an expanded tensor keeps stride 0"))
def _(t, ctx):
    out = {}
    x = _leaf(t, ctx.randn(2, 1, 3))
    out["sum"] = t.autograd.grad(x.sum(), x)[0].stride()
    out["view"] = t.autograd.grad(x.view(6).sum(), x)[0].stride()
    out["squeeze"] = t.autograd.grad(x.squeeze(1).sum(), x)[0].stride()
    out["squeeze_sum_dim"] = t.autograd.grad(x.squeeze(1).sum(1).sum(), x)[0].stride()
    out["view_sum_dim"] = t.autograd.grad(x.view(2, 3).sum(1).sum(), x)[0].stride()
    y = _leaf(t, ctx.randn(4, 3))
    out["reshape_rows"] = t.autograd.grad(y.view(2, 2, 3).sum(2).sum(), y)[0].stride()
    out["reshape_cols"] = t.autograd.grad(y.view(2, 2, 3).sum(1).sum(), y)[0].stride()
    out["unsqueeze_neg"] = t.autograd.grad(y.unsqueeze(-1).sum(0).sum(), y)[0].stride()
    out["to_one"] = t.autograd.grad(y.view(1, 12, 1).sum(1).sum(), y)[0].stride()
    z = _leaf(t, ctx.randn(3, 1, 1, 2))
    out["squeeze_all"] = t.autograd.grad(z.squeeze().sum(0).sum(), z)[0].stride()
    out["flatten"] = t.autograd.grad(z.flatten().sum(), z)[0].stride()
    out["flatten_mean"] = t.autograd.grad(z.flatten(1).mean(1).sum(), z)[0].stride()
    g = t.autograd.grad(y.view(2, 2, 3).sum(1).sum(), y)[0]
    out["grad"] = g
    # a gradient that is not all stride 0: sum over some dims with a given grad_output, back through a view
    cases = (((2, 1, 3), (2, 1, 3), [0]), ((2, 1, 3), (2, 1, 3), [2]), ((2, 1, 3), (2, 1, 3), [0, 2]),
             ((2, 1), (2, 1), [0]), ((3, 1, 1), (3, 1, 1), [0, 2]), ((1, 3), (1, 3), [1]), ((1, 3), (1, 3), [0]),
             ((2, 1, 3), (2, 3, 1), [0]), ((2, 1, 3), (2, 3, 1), [1]), ((2, 3), (2, 1, 3), [0]),
             ((2, 3), (2, 1, 3), [1]), ((4, 3), (2, 2, 3), [1]), ((1, 2, 1, 3), (2, 3), [0]),
             ((2, 1, 1, 3), (2, 1, 3, 1), [0]), ((2, 1, 1, 3), (2, 1, 3, 1), [2]), ((1, 6), (2, 3, 1), [1]))
    for shape, view, dims in cases:
        a = _leaf(t, ctx.randn(*shape))
        z = a.view(*view).sum(dims)
        out[f"{shape}->{view} sum{dims}"] = t.autograd.grad(z, a, t.ones(tuple(z.shape)))[0].stride()
    return out


# ====================================================================== create_graph mechanics
@scenario("higher_order.broadcast_double_backward", "x (3, 1) * y (2, 3, 4): grad of x is summed back; then d/dy",
          engine("torch/csrc/autograd/engine.cpp", "validate_outputs: at::sum_to the gradient to the input's shape"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3, 1))
    y = _leaf(t, ctx.randn(2, 3, 4))
    z = x * y
    gx, = t.autograd.grad(z, x, t.tensor(ctx.randn(2, 3, 4)), create_graph=True)
    gy, = t.autograd.grad(gx, y, t.tensor(ctx.randn(3, 1)))
    a = _leaf(t, ctx.randn(3, 1))
    e = a.expand(2, 3, 4)
    ga, = t.autograd.grad(e, a, t.tensor(ctx.randn(2, 3, 4)) * y, create_graph=True)
    gy2, = t.autograd.grad(ga, y, t.tensor(ctx.randn(3, 1)))
    b = _leaf(t, ctx.randn(4))
    gb, = t.autograd.grad(b * y, b, t.tensor(ctx.randn(2, 3, 4)), create_graph=True)
    gy3, = t.autograd.grad(gb, y, t.tensor(ctx.randn(4)))
    return {"gx": gx, "gy": gy, "ga": ga, "gy2": gy2, "gb": gb, "gy3": gy3}


@scenario("higher_order.retain_grad_accumulates", "retain_grad under create_graph: a second backward adds to .grad",
          torch_docs("torch.Tensor.retain_grad", "a non-leaf's .grad accumulates like a leaf's"),
          isolated=True)  # backward(create_graph=True) warns once per process
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    y = x * 2
    y.retain_grad()
    loss = (y * y).sum()
    loss.backward(create_graph=True, retain_graph=True)
    first = y.grad.detach().clone()
    loss.backward(create_graph=True)
    return {"first": first, "y_grad": y.grad, "x_grad": x.grad}


@scenario("higher_order.clamp_double_backward", "grad of clamp(min, max) is a masked grad (its own graph); d2 is 0",
          engine(DERIV, "clamp: self: clamp_backward(grad, self, min, max): where(self >= min and self <= max, grad, 0)"))
def _(t, ctx):
    x = _leaf(t, [-2.0, -0.5, 0.0, 0.7, 3.0])
    w = _leaf(t, ctx.randn(5))
    y = x.clamp(-1.0, 1.0) * w
    first, = t.autograd.grad(y, x, t.tensor(ctx.randn(5)), create_graph=True)
    second, = t.autograd.grad(first, w, t.tensor(ctx.randn(5)))
    lo = x.clamp(min=-1.0) * w
    f2, = t.autograd.grad(lo, x, t.tensor(ctx.randn(5)), create_graph=True)
    return {"first": first, "second": second, "f2": f2}


@scenario("higher_order.copy_slices_double_backward", "create_graph through b[1:].mul_(w): CopySlices' region written",
          torch_test(T + "test_inplace_on_view_backward", "an in-place op on a view is differentiable twice"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(4))
    w = _leaf(t, ctx.randn(3))
    b = x * 1.0
    b[1:].mul_(w)
    first, = t.autograd.grad(b, x, t.tensor(ctx.randn(4)), create_graph=True)
    fw, = t.autograd.grad(b, w, t.tensor(ctx.randn(4)), create_graph=True)
    return {"first": first, "fw": fw, "b": b}


@scenario("higher_order.as_strided_view_double_backward", "an expanded view of b after b.mul_(2) regenerates as "
          "AsStridedBackward0; create_graph sums its overlapping elements",
          engine("torch/csrc/autograd/variable.cpp", "a view whose base changed in place gets AsStridedBackward0"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    b = x * 1.0
    v = b.unsqueeze(0).expand(2, 3)
    b.mul_(2.0)
    name = v.grad_fn.name()
    y = v * v
    first, = t.autograd.grad(y, x, t.tensor(ctx.randn(2, 3)), create_graph=True)
    second, = t.autograd.grad(first, x, t.tensor(ctx.randn(3)))
    # (values only: the graph of ``first`` is as_strided_backward's internals, which differ between versions)
    return {"name": name, "first": first.detach(), "first_requires_grad": first.requires_grad, "second": second}


# ====================================================================== nodes and saved values
@scenario("ops.cat_many_leaves_edges", "torch.cat of 70 leaves: 70 AccumulateGrad edges, every input_nr 0",
          engine(DERIV, "cat: tensors: cat_tensors_backward; each leaf's edge is its AccumulateGrad, input_nr 0"))
def _(t, ctx):
    leaves = [_leaf(t, [float(i)]) for i in range(70)]
    c = t.cat(leaves)
    edges = c.grad_fn.next_functions
    (c * t.arange(70.0)).sum().backward()
    return {"count": len(edges), "nrs": sorted({nr for _, nr in edges}), "names": sorted({fn.name() for fn, _ in edges}),
            "grad_69": leaves[69].grad, "grad_0": leaves[0].grad}


@scenario("ops.node_class_module", "type(grad_fn).__module__ is 'builtins' for MulBackward0 and squeeze_'s SqueezeBackward4",
          torch_docs("torch.autograd.graph.Node", "grad_fn classes are generated C++ types, module builtins"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2, 1))
    v = x.clone()
    v.squeeze_(1)
    y = x * 2
    return {"squeeze": (v.grad_fn.name(), type(v.grad_fn).__module__, type(v.grad_fn).__name__),
            "mul": (type(y.grad_fn).__module__, type(y.grad_fn).__qualname__)}


@scenario("inplace.unsaved_operand_modified", "a * w with w not requiring grad saves no a: a.add_(1) afterwards is fine",
          engine("tools/autograd/gen_variable_type.py", "a saved tensor used only by one input's formula is saved only "
                                                        "if that input requires grad"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(3))
    w = t.tensor(ctx.randn(3))
    a = x * 1.0
    z = a * w
    a.add_(1.0)
    z.backward(t.tensor(ctx.randn(3)))
    b = x * 1.0
    z2 = w * b
    b.mul_(2.0)
    z2.sum().backward()
    return {"x_grad": x.grad, "a_version": a._version}


# ====================================================================== gradients the user sees
@scenario("views.stacked_grads_share_version", "stack's backward gives each leaf a view of one gradient: their "
          ".grad _version counters are shared",
          engine("torch/csrc/autograd/functions/accumulate_grad.h", "a gradient nobody else holds is stolen as .grad, "
                                                                    "also when it is a view (unbind of the stacked grad)"))
def _(t, ctx):
    p, q = _leaf(t, [1.0, 2.0]), _leaf(t, [3.0, 4.0])
    s = t.stack([p, q]) * 2.0
    s.backward(t.tensor(ctx.randn(2, 2)))
    before = (p.grad._version, q.grad._version)
    p.grad.mul_(2.0)
    return {"before": before, "after": (p.grad._version, q.grad._version), "p_grad": p.grad, "q_grad": q.grad}


@scenario("hooks.root_gradient_version", "a tensor hook on y sees y.backward(gv)'s gv itself: its _version",
          torch_docs("torch.Tensor.register_hook", "the hook is called with the gradient"))
def _(t, ctx):
    x = _leaf(t, ctx.randn(2))
    y = x * 2.0
    seen = []
    y.register_hook(lambda g: seen.append((g._version, g.tolist())))
    gv = t.ones(2)
    gv.add_(1.0)
    gv.mul_(3.0)
    y.backward(gv)
    return {"seen": seen, "x_grad": x.grad, "gv_version": gv._version}


@scenario("views.masked_gradient_layout", "relu/where/clamp of a transposed tensor: the gradient is transposed too; "
          "an empty view's gradient has the input's shape",
          engine("aten/src/ATen/TensorIterator.cpp", "the output of threshold_backward/where follows its inputs' layout"))
def _(t, ctx):
    x = _leaf(t, [[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
    v = (x * 1.0).t()
    g = t.tensor(ctx.randn(3, 2))
    out = {}
    for name, y in (("relu", v.relu()), ("where", t.where(v > 0, v, t.zeros(()))), ("clamp", v.clamp(min=0.5)),
                    ("clamp_both", v.clamp(-3.0, 2.0))):
        grad, = t.autograd.grad(y, v, g)
        out[name] = (grad.stride(), grad.is_contiguous())
        out[name + "_grad"] = grad
    e = t.zeros(0, 3, requires_grad=True)
    out["empty_view"] = t.autograd.grad(e.view(3, 0).sum(), e)[0].shape
    out["empty_same"] = t.autograd.grad(e.view(0, 3).sum(), e)[0].shape
    return out


@scenario("views.clone_layout", "clone() keeps the strides of a dense tensor in any dim order; a sliced or "
          "expanded one is made dense in its own dim order (contiguous when that is the usual one)",
          torch_docs("torch.clone", "memory_format=torch.preserve_format: the strides are kept when the input is "
                                    "non-overlapping and dense, else dense strides keeping its dim order"))
def _(t, ctx):
    cases = {"permuted": t.ones(3, 2, 4).permute(2, 0, 1), "transposed": t.ones(2, 3).t(),
             "expanded": t.ones(3, 1).expand(3, 4), "sliced_rows": t.ones(4, 3)[::2],
             "sliced_permuted": t.ones(2, 3, 4)[:, :, ::2].permute(2, 0, 1),
             "expanded_permuted": t.ones(1, 3, 4).expand(2, 3, 4).permute(2, 0, 1),
             "singleton_permuted": t.ones(2, 1, 4).permute(2, 1, 0),
             "gapped_permuted": t.ones(4, 3, 4)[::2].permute(2, 1, 0)}
    return {name: (c.clone().stride(), c.clone().is_contiguous()) for name, c in cases.items()}


# ====================================================================== strides of views and results
@scenario("views.expand_keeps_singleton_strides",
          "expand keeps the stride of a size-1 dim that stays size 1, and a new leading size-1 dim takes "
          "size * stride of the next; only repeated dims get stride 0",
          engine("aten/src/ATen/ExpandUtils.cpp", "inferExpandGeometry: strides of kept, new and repeated dims"))
def _(t, ctx):
    column = t.ones(3, 1)
    return {"same": column.expand(3, 1).stride(), "new_repeated": column.expand(2, 3, 1).stride(),
            "transposed": t.ones(1, 3).t().expand(3, 1).stride(), "new_singletons": column.expand(1, 1, 3, 1).stride(),
            "sliced": t.ones(2, 1, 3)[:, :, :2].expand(2, 1, 2).stride(),
            "row_repeated": t.ones(1, 4).expand(3, 4).stride(), "scalar": t.tensor(1.0).expand(2, 1).stride()}


@scenario("views.unsqueeze_of_expanded_strides",
          "unsqueeze of an expanded tensor: the new dim's stride is size * stride of the dim it precedes",
          engine("aten/src/ATen/native/TensorShape.cpp", "inferUnsqueezeGeometry"))
def _(t, ctx):
    e = t.ones(1, 4).expand(3, 4)
    return {str(d): e.unsqueeze(d).stride() for d in (0, 1, 2, -1)}


@scenario("views.unsqueeze_of_strided_strides",
          "unsqueeze of a sliced or permuted tensor: the new dim's stride is size * stride of the dim it "
          "precedes, 1 at the end",
          engine("aten/src/ATen/native/TensorShape.cpp", "inferUnsqueezeGeometry: new stride = dim >= ndim ? 1 : "
                                                         "sizes[dim] * strides[dim]"))
def _(t, ctx):
    sliced, permuted = t.ones(3, 4)[:, ::2], t.ones(2, 3, 4).permute(2, 0, 1)
    return {"sliced": [sliced.unsqueeze(d).stride() for d in (0, 1, 2, -1)],
            "permuted": [permuted.unsqueeze(d).stride() for d in (0, 1, 2, 3)],
            "inplace": sliced.clone().t().unsqueeze_(1).stride()}


@scenario("views.pointwise_result_follows_input_layout",
          "A pointwise result takes its input's dim order (permuted, size-1 dims included); a sliced or "
          "expanded input gives a contiguous result",
          engine("aten/src/ATen/TensorIterator.cpp", "compute_strides / reorder_dimensions: outputs follow the "
                                                     "inputs' memory order"))
def _(t, ctx):
    return {"permuted": (t.ones(2, 3, 4).permute(2, 0, 1) * 2).stride(),
            "permuted_singleton": (t.ones(2, 1, 4).permute(2, 1, 0) + 1).stride(),
            "sliced": (t.ones(3, 4)[:, ::2] * 2).stride(), "expanded": (t.ones(1, 4).expand(3, 4) * 2).stride()}


# ====================================================================== .grad layout and aliasing
@scenario("views.leaf_grad_layout",
          "A leaf's first .grad is contiguous like the leaf: a transposed incoming gradient is copied (version 1), "
          "an expanded one too (version 0); later gradients add in place",
          engine("torch/csrc/autograd/functions/accumulate_grad.h", "AccumulateGrad: obeys_layout_contract, "
                                                                    "clone_obey_contract, in-place accumulation"))
def _(t, ctx):
    def first_grad(make_grad, shape):
        x = t.ones(*shape, requires_grad=True)
        (x * 1).backward(make_grad())
        return {"stride": x.grad.stride(), "version": x.grad._version, "contiguous": x.grad.is_contiguous()}

    out = {"transposed": first_grad(lambda: t.ones(3, 2).t(), (2, 3)),
           "expanded": first_grad(lambda: t.ones(1, 3).expand(2, 3), (2, 3)),
           "singleton": first_grad(lambda: t.ones(3, 1).t().contiguous().view(1, 3), (1, 3))}
    x = t.ones(3, 2, requires_grad=True)
    y = x.t()
    (y * 2).sum().backward()
    first = x.grad
    (y * 3).backward(t.ones(2, 3))
    out["accumulated"] = {"stride": x.grad.stride(), "same_object": x.grad is first, "version": x.grad._version,
                          "grad": x.grad}
    return out


@scenario("views.root_gradient_kept_through_a_view",
          "y = x.view(6); y.backward(g): x.grad is a view of g itself (shared memory and version counter)",
          engine("torch/csrc/autograd/functions/accumulate_grad.h", "AccumulateGrad steals a gradient nobody else "
                                                                    "references, even when it is a view"))
def _(t, ctx):
    x = t.ones(2, 3, requires_grad=True)
    g = t.ones(6)
    x.view(6).backward(g)
    before = x.grad.clone()
    g.add_(1)
    return {"before": before, "after": x.grad, "version": x.grad._version, "g_version": g._version}


@scenario("ops.gather_scatter_zero_dim",
          "gather and scatter of a 0-d tensor along dim 0 work, forward and backward",
          torch_docs("torch.Tensor.scatter_", "a 0-d tensor is indexed along dim 0 like a one-element vector"))
def _(t, ctx):
    x = t.tensor(1.5, requires_grad=True)
    gathered = x.gather(0, t.tensor(0))
    gathered.backward(t.tensor(2.0))
    s = t.tensor(3.0, requires_grad=True)
    scattered = (x * 1).scatter(0, t.tensor(0), s)
    return {"gathered": gathered, "x_grad": x.grad, "scattered": scattered,
            "s_grad": t.autograd.grad(scattered, s)[0]}


@scenario("inplace.partial_overlap_one_element",
          "a[0:1].add_(a[0]): a one-element target and a 0-d view of the same element still count as overlapping",
          engine("aten/src/ATen/MemoryOverlap.cpp", "get_overlap_status: different sizes of the same memory are not "
                                                    "the same tensor"))
def _(t, ctx):
    a = t.zeros(3)
    b = t.zeros(3)
    return {"zero_d_operand": ctx.capture(lambda: a[0:1].add_(a[0])), "a": a,
            "itself": b[0:1].add_(b[0:1]), "b": b, "empty": t.zeros(0).add_(t.zeros(0))}


# ====================================================================== named results
@scenario("ops.return_types_are_structseqs",
          "torch.return_types.max is a tuple subclass without __dict__, built from a 2-sequence only",
          torch_docs("torch.max", "max(dim) returns a namedtuple (values, indices): a torch.return_types structseq"))
def _(t, ctx):
    r = t.max(t.tensor([[1.0, 5.0], [3.0, 2.0]]), 0)
    kind = type(r)
    rebuilt = kind((t.ones(1), t.zeros(1)))
    return {"is_tuple": isinstance(r, tuple), "has_dict": hasattr(r, "__dict__"), "n_fields": kind.n_fields,
            "rebuilt": (rebuilt.values, rebuilt.indices), "repr": repr(rebuilt),
            "three": ctx.capture(kind, (1, 2, 3)), "one": ctx.capture(kind, (1,))}


@scenario("indexing.invalid_index_type", "Indexing with a float or a float list raises torch's IndexError",
          torch_docs("torch.Tensor.__getitem__", "valid indices: integers, slices, ellipsis, None, integer or bool tensors"))
def _(t, ctx):
    x = t.ones(3)
    return {"float": ctx.capture(lambda: x[1.5]), "in_tuple": ctx.capture(lambda: x[0:1, 1.5]),
            "setitem": ctx.capture(x.__setitem__, 0.5, 1.0)}


@scenario("views.leaf_grad_buffers_summed_in_place",
          "Two gradients for one leaf through permuted views are summed in place into one buffer that becomes "
          ".grad (version 1, the leaf's layout); an engine-made gradient that fits is kept as is (version 0)",
          engine("torch/csrc/autograd/input_buffer.cpp", "InputBuffer::accumulate adds in place into a buffer "
                                                         "nobody else holds when it is non-overlapping and dense"))
def _(t, ctx):
    out = {}
    for shape, order in (((2, 3), (1, 0)), ((2, 1, 3), (2, 1, 0)), ((2, 2, 3), (2, 0, 1)), ((1, 2, 3), (2, 1, 0)),
                         ((3, 2, 2), (1, 2, 0)), ((2, 1), (1, 0)), ((1, 1, 4), (2, 0, 1))):
        x = t.ones(*shape, requires_grad=True)
        (x.permute(*order) * 2).sum().add((x.permute(*order) * 3).sum()).backward()
        summed = (x.grad.stride(), x.grad._version)
        z = t.ones(*shape, requires_grad=True)
        view = z.permute(*order)
        (view * 2).backward(t.ones(*view.shape))
        out[str(shape)] = {"summed": summed, "one": (z.grad.stride(), z.grad._version)}
    column = t.ones(3, 1, requires_grad=True)
    (column * 2).sum().backward()
    square = t.ones(2, 2, requires_grad=True)
    (square.t() * 2).sum().backward()
    out["column"] = (column.grad.stride(), column.grad._version)
    out["square_transposed"] = (square.grad.stride(), square.grad._version)
    return out
