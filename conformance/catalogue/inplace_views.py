"""In-place operations, views and version counters: grad_fn rebasing, CopySlices, _base and
shared version counters, and what clone / contiguous / detach share."""
from __future__ import annotations

from ..scenario import scenario, torch_docs, torch_test

INPLACE = "Autograd mechanics: In-place operations with autograd"
CHECKS = "Autograd mechanics: In-place correctness checks"
VIEWS = "Tensor Views"
DEVICE_TESTS = "test/test_autograd.py::TestAutogradDeviceType::"


def _leaf(t, values=(1.0, 2.0, 3.0)):
    return t.tensor(list(values), requires_grad=True)


def _matrix(t):
    return t.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)


def _name(tensor):
    return None if tensor.grad_fn is None else tensor.grad_fn.name()


def _view_facts(view, base):
    return {"grad_fn": _name(view), "shape": view.shape, "is_view": view._is_view(), "base_is_x": view._base is base}


def _iadd(c, v):
    c += v
    return c


def _isub(c, v):
    c -= v
    return c


def _imul(c, v):
    c *= v
    return c


def _idiv(c, v):
    c /= v
    return c


def _run_inplace(t, ops, values=(1.0, 2.0, 3.0)):
    """For each op: a fresh non-leaf c = x * 1, the op in place, then c.sum().backward()."""
    out = {}
    for name, op in ops.items():
        x = _leaf(t, values)
        c = x * 1
        returned = op(c, x)
        same = returned is c
        c.sum().backward()
        out[name] = {"c": c, "returns_self": same, "x_grad": x.grad}
    return out


# ------------------------------------------------------------------ version counters
@scenario("version.counter_sequence", "_version counts in-place ops: add_, mul_, setitem, zero_, +=, copy_, fill_",
          torch_docs(CHECKS, "every in-place operation increments the tensor's version counter"))
def _(t, ctx):
    a = t.ones(3)
    seen = [a._version]
    for op in (lambda: a.add_(1), lambda: a.mul_(2), lambda: a.__setitem__(0, 5.0), lambda: a.zero_(),
               lambda: _iadd(a, 1), lambda: a + 1, lambda: a.copy_(t.tensor([1.0, 2.0, 3.0])),
               lambda: a.fill_(3.0)):
        op()
        seen.append(a._version)
    return {"versions": seen, "a": a}


@scenario("version.out_of_place_no_bump_no_grad_bumps", "Out-of-place ops leave _version; in-place under no_grad bumps it",
          torch_docs(CHECKS, "the version counter tracks in-place changes whatever the grad mode"))
def _(t, ctx):
    x = _leaf(t)
    a = t.ones(3)
    for op in (lambda: a * 2, lambda: a.exp(), lambda: a.view(3), lambda: a.clone(), lambda: a.sum()):
        op()
    untouched = a._version
    y = x * 2
    with t.no_grad():
        y.mul_(2)
        a.add_(1)
    return {"untouched": untouched, "a_version": a._version, "y": y}


@scenario("version.shared_by_views_and_detach_not_data", "Views and detach() share the version counter; .data does not",
          torch_docs(VIEWS, "a view shares its base's storage and version counter"))
def _(t, ctx):
    a = t.ones(3)
    v = a[:2]
    d = a.detach()
    dd = a.data
    v.add_(1)
    after_view = [a._version, v._version, d._version, dd._version]
    d.add_(1)
    after_detach = [a._version, v._version, d._version, dd._version]
    dd.add_(1)
    return {"after_view": after_view, "after_detach": after_detach,
            "after_data": [a._version, v._version, d._version, dd._version], "a": a}


@scenario("version.slice_augmented_assignment_bumps_twice", "a[1:] += 1 bumps a's version twice (add_ then setitem)",
          torch_docs(CHECKS, "a[1:] += 1 is an in-place add on the view followed by __setitem__"))
def _(t, ctx):
    a = t.ones(3)
    a[1:] += 1
    b = t.ones(3)
    b[1:].add_(1)
    return {"a": a, "a_version": a._version, "b": b, "b_version": b._version}


# ------------------------------------------------------------------ in-place on non-leaves
@scenario("inplace.augmented_assignment_grad_fn", "c += 1, c *= 2, c -= 1, c /= 2 rebase c's grad_fn",
          torch_docs(INPLACE, "an in-place op replaces the tensor's grad_fn with its own node"))
def _(t, ctx):
    ops = {"+=": lambda c, x: _iadd(c, 1), "*=": lambda c, x: _imul(c, 2), "-=": lambda c, x: _isub(c, 1),
           "/=": lambda c, x: _idiv(c, 2)}
    return _run_inplace(t, ops)


@scenario("inplace.binary_methods_with_tensors", "add_/sub_ with alpha, mul_/div_ with tensors: names, values, grads",
          torch_docs("torch.Tensor.add_", "in-place add with a tensor and alpha is differentiated"))
def _(t, ctx):
    ops = {"add_alpha": lambda c, x: c.add_(x, alpha=2), "sub_alpha": lambda c, x: c.sub_(x, alpha=2),
           "mul_tensor": lambda c, x: c.mul_(x), "div_tensor": lambda c, x: c.div_(t.tensor([2.0, 4.0, 0.5]))}
    return _run_inplace(t, ops)


@scenario("inplace.zero_and_fill", "zero_ is ZeroBackward0, fill_(2.0) FillBackward2, fill_(0-d tensor) FillBackward3",
          torch_docs(INPLACE, "zero_ and fill_ cut the gradient to the overwritten values"))
def _(t, ctx):
    value = t.tensor(2.5, requires_grad=True)
    ops = {"zero_": lambda c, x: c.zero_(), "fill_number": lambda c, x: c.fill_(2.0),
           "fill_tensor": lambda c, x: c.fill_(t.tensor(2.0)), "fill_grad_tensor": lambda c, x: c.fill_(value)}
    out = _run_inplace(t, ops)
    out["value_grad"] = value.grad
    return out


@scenario("inplace.unary_methods", "clamp_, relu_, exp_, neg_, sigmoid_, tanh_ on a non-leaf: names, values, grads",
          torch_docs(INPLACE, "in-place unary ops are recorded like their out-of-place forms"))
def _(t, ctx):
    ops = {"clamp_": lambda c, x: c.clamp_(-0.5, 1.0), "relu_": lambda c, x: c.relu_(),
           "exp_": lambda c, x: c.exp_(), "neg_": lambda c, x: c.neg_(), "sigmoid_": lambda c, x: c.sigmoid_(),
           "tanh_": lambda c, x: c.tanh_(), "relu_inplace_functional": lambda c, x: t.nn.functional.relu(c, True)}
    return _run_inplace(t, ops, values=(-1.0, 0.5, 2.0))


@scenario("inplace.leaf_without_grad_becomes_nonleaf", "a = zeros(3); a += x turns a into a non-leaf with AddBackward0",
          torch_docs(INPLACE, "an in-place op with an input that requires grad makes the result require grad"))
def _(t, ctx):
    x = _leaf(t)
    a = t.zeros(3)
    before = {"is_leaf": a.is_leaf, "requires_grad": a.requires_grad}
    a += x
    after_add = {"is_leaf": a.is_leaf, "grad_fn": _name(a)}
    a.mul_(x)
    a.sum().backward()
    return {"before": before, "after_add": after_add, "a": a, "x_grad": x.grad}


@scenario("inplace.copy_records_copybackwards", "copy_ records CopyBackwards: the source gets the grad, the old value none",
          torch_docs("torch.Tensor.copy_", "copy_ is differentiable with respect to src"))
def _(t, ctx):
    x = _leaf(t)
    src = t.tensor([0.5, 0.25, 2.0], requires_grad=True)
    y = x * 2
    y.copy_(src)
    plain = t.ones(3)
    plain.copy_(x)
    (y.sum() + (plain * 3).sum()).backward()
    return {"y": y, "plain": plain, "x_grad": x.grad, "src_grad": src.grad}


# ------------------------------------------------------------------ views
@scenario("views.indexing_grad_fns", "x[0], x[1:], x[:, 1], x[..., 0], x[None], narrow are views with their own nodes",
          torch_docs(VIEWS, "basic slicing and indexing return views"))
def _(t, ctx):
    x = _matrix(t)
    views = {"x[0]": x[0], "x[1:]": x[1:], "x[:, 1]": x[:, 1], "x[..., 0]": x[..., 0], "x[None]": x[None],
             "narrow": x.narrow(1, 0, 2), "select": x.select(1, 2)}
    return {name: _view_facts(v, x) for name, v in views.items()}


@scenario("views.shape_ops_grad_fns", "view, t, transpose, permute, unsqueeze, squeeze, expand, flatten are views",
          torch_docs(VIEWS, "view ops share storage with their base"))
def _(t, ctx):
    x = _matrix(t)
    views = {"view": x.view(3, 2), "t": x.t(), "transpose": x.transpose(0, 1), "permute": x.permute(1, 0),
             "unsqueeze": x.unsqueeze(0), "squeeze_dim": x.unsqueeze(0).squeeze(0), "squeeze": x[None].squeeze(),
             "expand": x[:, :1].expand(2, 3), "flatten": x.flatten()}
    return {name: _view_facts(v, x) for name, v in views.items()}


@scenario("views.reshape_three_ways", "reshape: ViewBackward0, ReshapeAliasBackward0, or UnsafeViewBackward0 over a clone",
          torch_docs("torch.reshape", "reshape returns a view when possible, otherwise a copy"))
def _(t, ctx):
    x = _matrix(t)
    contiguous = x.reshape(3, 2)
    aliased = x.t().reshape(3, 1, 2)
    copied = x.t().reshape(6)
    (contiguous.sum() + (aliased * 2).sum() + (copied * t.arange(6.0)).sum()).backward()
    return {"contiguous": {"view": contiguous._is_view(), "y": contiguous},
            "aliased": {"view": aliased._is_view(), "y": aliased},
            "copied": {"view": copied._is_view(), "base": copied._base, "y": copied}, "grad": x.grad}


@scenario("views.multi_output_views", "unbind, split, chunk: one shared node, output_nr 0..n-1, all views of x",
          torch_docs("torch.split", "each chunk is a view of the original tensor"))
def _(t, ctx):
    x = _matrix(t)
    out = {}
    for name, parts in (("unbind", x.unbind()), ("split", x.split(2, dim=1)), ("chunk", x.chunk(3, dim=1))):
        out[name] = {"names": [_name(p) for p in parts], "shared": all(p.grad_fn is parts[0].grad_fn for p in parts),
                     "output_nr": [p.output_nr for p in parts], "views": [p._is_view() for p in parts],
                     "bases": [p._base is x for p in parts]}
    return out


@scenario("views.gradients_through_views", "Gradients through select, slice, t and expand scatter back into x",
          torch_docs(VIEWS, "the backward of a view writes the gradient into the base's positions"))
def _(t, ctx):
    x = _matrix(t)
    loss = (x[0] * 2).sum() + x[:, 1:].sum() + (x.t()[2] * 10).sum() + x[:1, :1].expand(2, 4).sum()
    loss.backward()
    return {"loss": loss, "grad": x.grad}


@scenario("views.advanced_indexing_is_copy", "x[[0, 1]] and x[mask] are copies (IndexBackward0), not views",
          torch_docs(VIEWS, "advanced indexing always returns a copy"))
def _(t, ctx):
    x = _matrix(t)
    picked = x[[1, 0]]
    masked = x[x > 2.5]
    with t.no_grad():
        x.mul_(1)
    (picked.sum() + masked.sum()).backward()
    return {"picked": _view_facts(picked, x), "masked": _view_facts(masked, x),
            "versions": [x._version, picked._version, masked._version], "grad": x.grad}


@scenario("views.inplace_on_view_of_nonleaf", "y[0].mul_(3): y's grad_fn CopySlices, the view's AsStridedBackward0",
          torch_docs(INPLACE, "in-place on a view rewrites the base's history"))
def _(t, ctx):
    x = _leaf(t)
    y = x * 2
    v = y[0]
    v.mul_(3)
    facts = {"y_grad_fn": _name(y), "v_grad_fn": _name(v), "versions": [y._version, v._version]}
    y.sum().backward()
    return {"facts": facts, "y": y, "v": v, "x_grad": x.grad}


@scenario("views.setitem_basic_index_nonleaf", "y[0] = 5.0 and y[1:] = tensor go through CopySlices; grads are cut",
          torch_docs(INPLACE, "assignment into a slice is an in-place copy into a view"))
def _(t, ctx):
    x = _leaf(t)
    y = x * 2
    y[0] = 5.0
    z = x * 2
    z[1:] = t.tensor([0.5, 0.25])
    (y.sum() + (z * 10).sum()).backward()
    return {"y": y, "z": z, "x_grad": x.grad}


@scenario("views.setitem_tensor_requiring_grad", "y[1] = w sends w its gradient through CopySlices",
          torch_docs(INPLACE, "the assigned value is differentiated as well"))
def _(t, ctx):
    x = _leaf(t)
    w = t.tensor(7.0, requires_grad=True)
    y = x * 2
    y[1] = w
    (y * y).sum().backward()
    return {"y": y, "x_grad": x.grad, "w_grad": w.grad}


@scenario("views.setitem_index_list_and_mask", "y[[0, 2]] = 0 and y[mask] = 0 record IndexPutBackward0",
          torch_docs(VIEWS, "advanced-index assignment is index_put_, not a view copy"))
def _(t, ctx):
    x = _leaf(t)
    y = x * 2
    y[[0, 2]] = 0.0
    z = x * 2
    z[z > 3] = 1.5
    (y.sum() + (z * 10).sum()).backward()
    return {"y": y, "z": z, "x_grad": x.grad}


@scenario("views.setitem_on_plain_tensor", "p = zeros(3); p[0] = x[1] makes p a non-leaf (CopySlices); p[[0, 2]] IndexPut",
          torch_test("test/test_autograd.py::TestAutograd::test_leaf_assignment",
                     "assigning a tensor that requires grad into a plain tensor makes it require grad"))
def _(t, ctx):
    x = _leaf(t)
    p = t.zeros(3)
    p[0] = x[1]
    q = t.zeros(3)
    q[[0, 2]] = x[:2] * 2
    (p.sum() + (q * 10).sum()).backward()
    return {"p": p, "q": q, "p_is_leaf": p.is_leaf, "x_grad": x.grad}


@scenario("views.inplace_on_multi_output_view_error", "In-place on an unbind/split/chunk output raises; y is untouched",
          torch_test(DEVICE_TESTS + "test_inplace_on_view_multiple_outputs",
                     "outputs of multi-view functions cannot be modified in place"))
def _(t, ctx):
    x = _leaf(t)
    y = x * 2
    a, _, _ = y.unbind()
    s, _ = y.split(2)
    c, _ = y.chunk(2)
    return {"unbind": ctx.capture(a.mul_, 2), "split": ctx.capture(s.add_, 1), "chunk": ctx.capture(c.zero_),
            "y": y, "a": a}


@scenario("views.no_grad_view_inplace_error", "A view made under no_grad, modified in place with grad on, raises",
          torch_docs(INPLACE, "views created in no_grad mode cannot be modified in place under grad mode"))
def _(t, ctx):
    x = _leaf(t)
    y = x * 2
    with t.no_grad():
        v = y[:2]
    facts = {"requires_grad": v.requires_grad, "is_leaf": v.is_leaf, "grad_fn": v.grad_fn, "is_view": v._is_view()}
    error = ctx.capture(v.mul_, 2)
    return {"facts": facts, "error": error, "y": y}


@scenario("views.view_of_view_inplace", "A view of a view has the root as _base; in-place on it rewrites the root",
          torch_test(DEVICE_TESTS + "test_inplace_on_view_of_view", "modify a view of a view and backprop"))
def _(t, ctx):
    x = _leaf(t)
    y = x * 2
    v1 = y[1:]
    v2 = v1[:1]
    bases = {"v2_base_is_y": v2._base is y, "v2_base_is_v1": v2._base is v1}
    v2.mul_(10)
    facts = {"y": _name(y), "v1": _name(v1), "v2": _name(v2), "versions": [y._version, v1._version, v2._version]}
    y.sum().backward()
    return {"bases": bases, "facts": facts, "y": y, "x_grad": x.grad}


@scenario("views.base_modified_after_view", "Modifying the base in place regenerates the view's grad_fn",
          torch_test(DEVICE_TESTS + "test_inplace_on_view_python", "views see in-place changes of their base"))
def _(t, ctx):
    x = _leaf(t)
    y = x * 2
    v = y[:2]
    before = _name(v)
    y.add_(1)
    after = _name(v)
    v.sum().backward()
    return {"before": before, "after": after, "v": v, "x_grad": x.grad}


# ------------------------------------------------------------------ what clone / contiguous / detach share
@scenario("views.clone_shares_nothing", "clone() has its own storage and version counter",
          torch_docs("torch.clone", "clone copies the data; it is recorded as CloneBackward0"))
def _(t, ctx):
    x = _leaf(t)
    y = x * 2
    c = y.clone()
    c.add_(1)
    return {"shares_data": c.data_ptr() == y.data_ptr(), "versions": [y._version, c._version],
            "is_view": c._is_view(), "c": c, "y": y}


@scenario("views.contiguous_identity", "contiguous() of a contiguous tensor is the same object; of a transpose a copy",
          torch_docs("torch.Tensor.contiguous", "if self is already contiguous, self is returned"))
def _(t, ctx):
    x = _matrix(t)
    m = t.ones(2, 3)
    transposed = x.t().contiguous()
    return {"leaf_same": x.contiguous() is x, "plain_same": m.contiguous() is m,
            "transposed": transposed, "transposed_is_view": transposed._is_view(),
            "transposed_contiguous": transposed.is_contiguous()}


@scenario("views.detach_shares_data", "detach() shares data: in-place on it changes x and bumps x's version",
          torch_test("test/test_autograd.py::TestAutograd::test_detach_base", "a detached tensor aliases its source"))
def _(t, ctx):
    x = _leaf(t)
    d = x.detach()
    shares = d.data_ptr() == x.data_ptr()
    d.mul_(2)
    return {"shares": shares, "d_is_view": d._is_view(), "d_base": d._base, "x": x, "x_version": x._version,
            "d": d}
