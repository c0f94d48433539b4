"""Errors and warnings of everyday autograd use: same type, same text, raised at the same moment,
and (where it matters) nothing mutated by the failed call."""
from __future__ import annotations

from ..scenario import engine, scenario, torch_docs, torch_test

AUTOGRAD_MECHANICS_INPLACE = "Autograd mechanics: In-place correctness checks"
SAVED_TENSORS = "Autograd mechanics: Saved tensors"
TEST_AUTOGRAD = "test/test_autograd.py::TestAutograd::"


def _leaf(t, values=(1.0, 2.0, 3.0)):
    return t.tensor(list(values), requires_grad=True)


def _setattr(obj, name, value):
    setattr(obj, name, value)


def _iadd(tensor, value):
    tensor += value


def _state(x):
    """What a failed call must leave untouched on a leaf."""
    return {"values": x.detach().clone(), "version": x._version, "grad": x.grad}


# ------------------------------------------------------------------ implicit gradient
@scenario("errors.implicit_grad_needs_one_element", "backward() needs one element: shape (1,) works, (3,) raises",
          torch_docs("torch.Tensor.backward", "gradient can be omitted only when the tensor holds a single element"))
def _(t, ctx):
    x = _leaf(t)
    one = x[:1] * 2
    one.backward()
    grad_after_one = x.grad.clone()
    three = x * 2
    return {"one_shape": one.shape, "grad_after_one": grad_after_one, "three": three,
            "error": ctx.capture(three.backward), "grad_unchanged": x.grad}


@scenario("errors.implicit_grad_integer_or_bool_output", "backward on an integer or bool scalar: no grad_fn",
          torch_docs("torch.Tensor.backward", "casting to an integer dtype leaves no grad_fn to differentiate"))
def _(t, ctx):
    x = _leaf(t)
    as_int = (x * 2).sum().to(t.int64)
    as_bool = (x > 1).any()
    return {"as_int": as_int, "as_bool": as_bool, "int_error": ctx.capture(as_int.backward),
            "bool_error": ctx.capture(as_bool.backward), "grad": x.grad}


@scenario("errors.backward_list_element_index", "autograd.backward([ok, bad]) names element 1; nothing runs",
          torch_docs("torch.autograd.backward", "every tensor in `tensors` must require grad"))
def _(t, ctx):
    x = _leaf(t)
    ok = (x * 2).sum()
    bad = t.tensor(1.0)
    return {"error": ctx.capture(t.autograd.backward, [ok, bad]), "grad": x.grad,
            "swapped": ctx.capture(t.autograd.backward, [bad, ok])}


# ------------------------------------------------------------------ backward twice and saved tensors
@scenario("errors.backward_twice_mul", "A second backward through mul raises; .grad keeps the first result",
          torch_test(TEST_AUTOGRAD + "test_backward_twice_with_saved_values",
                     "a node with saved tensors cannot run twice without retain_graph"))
def _(t, ctx):
    x = _leaf(t)
    y = (x * x).sum()
    y.backward()
    first = x.grad.clone()
    return {"first": first, "error": ctx.capture(y.backward), "grad": x.grad}


@scenario("errors.backward_twice_saving_ops", "exp, pow, div and a sum of products all free what they saved",
          torch_test(TEST_AUTOGRAD + "test_backward_twice_with_saved_values",
                     "every node that saved tensors raises on the second backward"))
def _(t, ctx):
    builders = {"exp": lambda x: x.exp().sum(), "pow": lambda x: (x ** 2).sum(),
                "div": lambda x: (x / (x + 1)).sum(), "sum_of_product": lambda x: (x * (x + 1)).sum()}
    out = {}
    for name, build in builders.items():
        x = _leaf(t)
        y = build(x)
        y.backward()
        out[name] = {"error": ctx.capture(y.backward), "grad": x.grad}
    return out


@scenario("errors.backward_twice_nonsaving_ops", "add, sub, neg and mean save no tensors: backward twice works",
          torch_test(TEST_AUTOGRAD + "test_backward_twice_without_saved_values",
                     "nodes without saved tensors can be run a second time and the grads accumulate"))
def _(t, ctx):
    builders = {"add": lambda x: (x + 1).sum(), "sub": lambda x: (x - 1).sum(), "neg": lambda x: (-x).sum(),
                "mean": lambda x: x.mean()}
    out = {}
    for name, build in builders.items():
        x = _leaf(t)
        y = build(x)
        y.backward()
        again = ctx.capture(y.backward)
        out[name] = {"again": again, "grad": x.grad}
    return out


@scenario("errors.retain_graph_sequence", "retain_graph=True twice works, retain_graph=False frees, third raises",
          torch_docs("torch.Tensor.backward", "retain_graph=False frees the graph after this call"))
def _(t, ctx):
    x = _leaf(t)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    after_two = x.grad.clone()
    y.backward(retain_graph=False)
    after_three = x.grad.clone()
    return {"after_two": after_two, "after_three": after_three, "error": ctx.capture(y.backward, retain_graph=True),
            "grad": x.grad}


@scenario("errors.autograd_grad_twice", "autograd.grad twice over the same graph raises the same error",
          torch_docs("torch.autograd.grad", "retain_graph defaults to create_graph; the graph is freed"))
def _(t, ctx):
    x = _leaf(t)
    y = x.exp().sum()
    first = t.autograd.grad(y, x)
    return {"first": first, "error": ctx.capture(t.autograd.grad, y, x), "x_grad": x.grad}


@scenario("errors.saved_tensor_access_after_backward", "grad_fn._saved_self reads before backward, raises after",
          torch_docs(SAVED_TENSORS, "accessing a saved tensor after the graph was freed raises"))
def _(t, ctx):
    x = _leaf(t)
    y = x * x
    e = x.exp()
    before = {"self": y.grad_fn._saved_self, "other": y.grad_fn._saved_other, "result": e.grad_fn._saved_result,
              "self_is_x": y.grad_fn._saved_self is x}
    (y.sum() + e.sum()).backward()
    return {"before": before, "self_after": ctx.capture(lambda: y.grad_fn._saved_self),
            "result_after": ctx.capture(lambda: e.grad_fn._saved_result)}


@scenario("errors.saved_tensor_access_with_retain_graph", "Saved tensors stay readable after backward(retain_graph=True)",
          torch_docs(SAVED_TENSORS, "retain_graph keeps the saved tensors"))
def _(t, ctx):
    x = _leaf(t)
    y = x * x
    y.sum().backward(retain_graph=True)
    return {"self": y.grad_fn._saved_self, "other": y.grad_fn._saved_other, "grad": x.grad}


# ------------------------------------------------------------------ saved tensor modified in place
@scenario("errors.saved_mul_input_modified", "mul's saved input changed twice: 'output 0 of Mul ... version 2'",
          torch_docs(AUTOGRAD_MECHANICS_INPLACE, "the version counter check names the tensor and both versions"))
def _(t, ctx):
    x = _leaf(t)
    a = x * 1
    y = a * a
    a.add_(1)
    a.mul_(2)
    return {"a": a, "version": a._version, "error": ctx.capture(y.sum().backward), "grad": x.grad}


@scenario("errors.saved_exp_output_modified", "exp's saved output modified: the message still says 'output 0 of Exp'",
          torch_docs(AUTOGRAD_MECHANICS_INPLACE, "exp saves its result, so modifying the result invalidates it"))
def _(t, ctx):
    x = _leaf(t)
    y = (x * 1).exp()
    y.add_(1)
    return {"y_grad_fn": y.grad_fn, "version": y._version, "error": ctx.capture(y.sum().backward), "grad": x.grad}


@scenario("errors.saved_pow_input_modified", "pow's saved input modified by add_: the message names Add",
          torch_docs(AUTOGRAD_MECHANICS_INPLACE, "a saved input reports the op that last produced it"))
def _(t, ctx):
    x = _leaf(t)
    a = x * 1
    y = a ** 2
    a.add_(1)
    return {"error": ctx.capture(y.sum().backward), "grad": x.grad, "a": a}


@scenario("errors.saved_relu_output_modified", "relu's saved output modified three times: 'is at version 3'",
          torch_docs(AUTOGRAD_MECHANICS_INPLACE, "every in-place op bumps the version the check compares"))
def _(t, ctx):
    x = t.tensor([-1.0, 2.0, 3.0], requires_grad=True)
    y = (x * 1).relu()
    for _ in range(3):
        y.mul_(2)
    return {"y": y, "error": ctx.capture(y.sum().backward), "grad": x.grad}


@scenario("errors.saved_div_other_modified", "div's saved divisor modified in place raises at backward",
          torch_docs(AUTOGRAD_MECHANICS_INPLACE, "div saves its other operand"))
def _(t, ctx):
    x = _leaf(t)
    b = x + 1
    y = x / b
    b.add_(1)
    return {"y": y, "error": ctx.capture(y.sum().backward), "grad": x.grad}


@scenario("errors.saved_leaf_modified_under_no_grad", "A saved leaf changed under no_grad: message without 'output of'",
          torch_docs(AUTOGRAD_MECHANICS_INPLACE, "in-place changes under no_grad still bump the version"))
def _(t, ctx):
    w = _leaf(t)
    y = w * w
    with t.no_grad():
        w.add_(1)
        w.add_(1)
    return {"w": w, "error": ctx.capture(y.sum().backward), "grad": w.grad}


# ------------------------------------------------------------------ in-place on leaves
@scenario("errors.inplace_on_leaf_requiring_grad", "add_, mul_, zero_, fill_, +=, clamp_, relu_ on a leaf all raise",
          torch_docs(AUTOGRAD_MECHANICS_INPLACE, "a leaf that requires grad cannot be modified in place"))
def _(t, ctx):
    x = _leaf(t)
    ops = {"add_": lambda: x.add_(1), "mul_": lambda: x.mul_(2), "zero_": lambda: x.zero_(),
           "fill_": lambda: x.fill_(5.0), "+=": lambda: _iadd(x, 1), "clamp_": lambda: x.clamp_(0.0, 1.0),
           "relu_": lambda: x.relu_()}
    return {"errors": {name: ctx.capture(op) for name, op in ops.items()}, "x": x, "state": _state(x)}


@scenario("errors.inplace_on_view_of_leaf", "In-place through x[0] or x.view(...) of a leaf raises the view text",
          torch_docs(AUTOGRAD_MECHANICS_INPLACE, "views of a leaf that requires grad cannot be modified in place"))
def _(t, ctx):
    x = _leaf(t)
    return {"select_add": ctx.capture(lambda: x[0].add_(1)), "view_mul": ctx.capture(lambda: x.view(3, 1).mul_(2)),
            "setitem": ctx.capture(x.__setitem__, 0, 5.0), "x": x}


@scenario("errors.inplace_on_leaf_under_no_grad_allowed", "Under no_grad a leaf can be changed in place; _version bumps",
          torch_docs("Autograd mechanics: Locally disabling gradient computation",
                     "parameter updates happen in place under no_grad"))
def _(t, ctx):
    x = _leaf(t)
    with t.no_grad():
        x.add_(1)
        x.mul_(2)
        x[0] = 0.0
    return {"x": x, "version": x._version, "is_leaf": x.is_leaf, "grad_fn": x.grad_fn}


# ------------------------------------------------------------------ requires_grad flags
@scenario("errors.nonleaf_requires_grad_true", "requires_grad = True on a non-leaf raises; requires_grad_() is fine",
          torch_test(TEST_AUTOGRAD + "test_requires_grad_inplace", "only leaves can change their requires_grad flag"))
def _(t, ctx):
    y = _leaf(t) * 2
    returned = y.requires_grad_()
    return {"setattr_true": ctx.capture(_setattr, y, "requires_grad", True), "method_returns_self": returned is y,
            "y": y}


@scenario("errors.nonleaf_requires_grad_false", "requires_grad = False on a non-leaf raises the hint about detach()",
          torch_docs("torch.Tensor.requires_grad_", "non-leaf tensors cannot stop requiring grad"))
def _(t, ctx):
    y = _leaf(t) * 2
    return {"setattr_false": ctx.capture(_setattr, y, "requires_grad", False),
            "method_false": ctx.capture(y.requires_grad_, False), "y": y}


@scenario("errors.integer_requires_grad_three_texts", "Integer/bool tensors cannot require grad: three different texts",
          torch_test("test/test_autograd.py::TestAutogradDeviceType::test_set_requires_grad_only_for_floats",
                     "factory, requires_grad_() and the attribute setter all refuse integer dtypes"))
def _(t, ctx):
    plain = t.tensor([1, 2])
    return {"factory_int": ctx.capture(t.tensor, [1, 2], requires_grad=True),
            "factory_bool": ctx.capture(t.tensor, [True, False], requires_grad=True),
            "method": ctx.capture(plain.requires_grad_), "setattr": ctx.capture(_setattr, plain, "requires_grad", True),
            "plain": plain}


@scenario("errors.requires_grad_non_bool", "requires_grad must be a bool: setter RuntimeError, method TypeError",
          torch_docs("torch.Tensor.requires_grad_", "requires_grad is a bool flag"))
def _(t, ctx):
    a = t.tensor([1.0, 2.0])
    return {"one": ctx.capture(_setattr, a, "requires_grad", 1), "none": ctx.capture(_setattr, a, "requires_grad", None),
            "method_int": ctx.capture(a.requires_grad_, 1), "a": a}


@scenario("errors.numpy_on_leaf_requiring_grad", "numpy() on a leaf that requires grad raises; detach().numpy() works",
          torch_docs("torch.Tensor.numpy", "tensors that require grad must be detached first"))
def _(t, ctx):
    x = t.tensor([1.5, 2.5], requires_grad=True)
    error = ctx.capture(x.numpy)
    x.requires_grad_(False)
    return {"error": error, "after_flag_off": x.numpy(), "nonleaf": ctx.capture((_leaf(t) * 2).numpy)}


# ------------------------------------------------------------------ the gradient argument
@scenario("errors.backward_gradient_shape_mismatch", "backward(gradient) with the wrong shape names both shapes",
          torch_docs("torch.Tensor.backward", "gradient should be a tensor of matching type and shape"))
def _(t, ctx):
    x = _leaf(t)
    y = x * 2
    m = t.ones(2, 3, requires_grad=True) * 1
    shapes = [(2,), (3, 1), (1,), (), (2, 3)]
    out = {str(shape): ctx.capture(y.backward, t.ones(shape), retain_graph=True) for shape in shapes}
    out["matrix_output"] = ctx.capture(m.backward, t.ones(3))
    out["grad"] = x.grad
    return out


@scenario("errors.backward_gradient_other_dtype_cast", "A float64 or int64 gradient is accepted and cast to float32",
          engine("torch/csrc/autograd/engine.cpp: validate_outputs casts a gradient to the output's dtype",
                 "a gradient of another dtype is accepted and cast, not rejected"))
def _(t, ctx):
    x = _leaf(t)
    y = x * 2
    y.backward(t.tensor([1.0, 0.5, 0.25], dtype=t.float64), retain_graph=True)
    first = x.grad.clone()
    y.backward(t.tensor([1, 2, 3]))
    return {"first": first, "grad": x.grad}


@scenario("errors.backward_gradient_wrong_type", "A list or str gradient raises TypeError; a float is not iterable",
          torch_docs("torch.autograd.backward", "grad_tensors must be tensors or None"))
def _(t, ctx):
    x = _leaf(t)
    y = x * 2
    return {"list": ctx.capture(y.backward, [1.0, 1.0, 1.0], retain_graph=True),
            "str": ctx.capture(y.backward, "a", retain_graph=True),
            "float": ctx.capture(y.backward, 1.0, retain_graph=True),
            "grad_outputs_list": ctx.capture(t.autograd.grad, y.sum(), x, grad_outputs=[1.0]), "grad": x.grad}


# ------------------------------------------------------------------ autograd.grad inputs
def _unused_setup(t):
    a = t.tensor([1.0], requires_grad=True)
    b = t.tensor([2.0], requires_grad=True)
    return a, b, a * 3


@scenario("errors.grad_unused_input_index", "autograd.grad names the index of an unused input (0 or 1)",
          torch_test(TEST_AUTOGRAD + "test_grad_unreachable", "unreachable inputs raise unless allow_unused=True"))
def _(t, ctx):
    a, b, z = _unused_setup(t)
    return {"index_1": ctx.capture(t.autograd.grad, z, [a, b], retain_graph=True),
            "index_0": ctx.capture(t.autograd.grad, z, [b, a], retain_graph=True), "a_grad": a.grad}


@scenario("errors.grad_allow_unused_and_materialize", "allow_unused gives None, materialize_grads gives zeros",
          torch_docs("torch.autograd.grad", "allow_unused returns None for unused inputs; materialize_grads zeros"))
def _(t, ctx):
    a, b, z = _unused_setup(t)
    return {"allow_unused": t.autograd.grad(z, [a, b], retain_graph=True, allow_unused=True),
            "materialize": t.autograd.grad(z, [a, b], retain_graph=True, materialize_grads=True),
            "both": t.autograd.grad(z, [a, b], allow_unused=True, materialize_grads=True)}


@scenario("errors.grad_materialize_with_allow_unused_false", "materialize_grads with allow_unused=False is a ValueError",
          torch_docs("torch.autograd.grad", "materialize_grads requires allow_unused to be True or unset"))
def _(t, ctx):
    a, b, z = _unused_setup(t)
    return {"error": ctx.capture(t.autograd.grad, z, [a, b], allow_unused=False, materialize_grads=True),
            "still_usable": t.autograd.grad(z, [a])}


@scenario("errors.grad_input_not_requiring_grad", "autograd.grad w.r.t. a tensor that needs no grad raises",
          torch_docs("torch.autograd.grad", "inputs must require grad"))
def _(t, ctx):
    a, _, z = _unused_setup(t)
    c = t.tensor([1.0])
    return {"alone": ctx.capture(t.autograd.grad, z, [c], retain_graph=True),
            "second": ctx.capture(t.autograd.grad, z, [a, c], retain_graph=True), "works": t.autograd.grad(z, [a])}


@scenario("errors.empty_inputs", "backward(inputs=[]) and autograd.grad(y, []) raise 'cannot be empty'",
          torch_test(TEST_AUTOGRAD + "test_backward_with_inputs", "an empty inputs list is rejected"))
def _(t, ctx):
    a, _, z = _unused_setup(t)
    return {"backward": ctx.capture(z.backward, inputs=[], retain_graph=True),
            "grad": ctx.capture(t.autograd.grad, z, [], retain_graph=True), "a_grad": a.grad}


@scenario("errors.retain_grad_and_hook_without_requires_grad", "retain_grad() and register_hook() need requires_grad",
          torch_docs("torch.Tensor.register_hook", "hooks are only allowed on tensors that require grad"))
def _(t, ctx):
    c = t.tensor([1.0, 2.0])
    return {"retain_grad": ctx.capture(c.retain_grad), "register_hook": ctx.capture(c.register_hook, lambda g: g),
            "retains_grad": c.retains_grad, "c": c}


@scenario("errors.detach_inplace_on_view", "detach_() on a view raises; on a non-view non-leaf it detaches",
          torch_docs("torch.Tensor.detach_", "views cannot be detached in place"))
def _(t, ctx):
    x = _leaf(t)
    y = x * 2
    plain = t.ones(3)
    view_error = ctx.capture(lambda: y[0].detach_())
    plain_error = ctx.capture(lambda: plain[0].detach_())
    returned = y.detach_()
    return {"view": view_error, "plain_view": plain_error, "returns_self": returned is y, "y": y}


@scenario("errors.grad_assignment_checked", "Assigning .grad checks size, dtype and type; .grad is unchanged",
          torch_test(TEST_AUTOGRAD + "test_leaf_assignment", "the grad setter validates what it gets"))
def _(t, ctx):
    import numpy as np

    x = _leaf(t)
    x.grad = t.tensor([0.5, 0.5, 0.5])
    return {"size": ctx.capture(_setattr, x, "grad", t.ones(2)),
            "float64": ctx.capture(_setattr, x, "grad", t.ones(3, dtype=t.float64)),
            "int64": ctx.capture(_setattr, x, "grad", t.ones(3, dtype=t.int64)),
            "list": ctx.capture(_setattr, x, "grad", [1.0, 1.0, 1.0]),
            "ndarray": ctx.capture(_setattr, x, "grad", np.ones(3)), "grad": x.grad}


# ------------------------------------------------------------------ Python conversions
@scenario("errors.scalar_conversion_multi_element", "item() RuntimeError, float()/int() ValueError on two elements",
          torch_docs("torch.Tensor.item", "only works for tensors with one element"))
def _(t, ctx):
    a = t.tensor([1.0, 2.0])
    return {"item": ctx.capture(a.item), "float": ctx.capture(float, a), "int": ctx.capture(int, a),
            "one_element": float(t.tensor([[2.5]]))}


@scenario("errors.bool_ambiguous", "bool() of a multi-element or empty tensor is ambiguous",
          torch_docs("torch.is_nonzero", "the truth value of a tensor needs exactly one element"))
def _(t, ctx):
    return {"two": ctx.capture(bool, t.tensor([1.0, 2.0])), "empty": ctx.capture(bool, t.tensor([])),
            "one": bool(t.tensor([0.0]))}


@scenario("errors.zero_dim_len_and_iter", "len() and iteration of a 0-d tensor raise TypeError",
          torch_docs("torch.Tensor", "a 0-d tensor is not a sequence: no len(), no iteration"))
def _(t, ctx):
    s = t.tensor(2.0)
    return {"len": ctx.capture(len, s), "iter": ctx.capture(iter, s), "list": ctx.capture(list, s),
            "len_1d": len(t.tensor([2.0]))}


# ------------------------------------------------------------------ warnings
@scenario("warnings.nonleaf_grad_access", "Reading .grad of a non-leaf warns (UserWarning) and gives None",
          torch_test(TEST_AUTOGRAD + "test_tensor_grad_warnings", "non-leaf .grad access warns"))
def _(t, ctx):
    x = _leaf(t)
    y = x * 2
    y.sum().backward()
    return {"grad": y.grad}


@scenario("warnings.grad_access_silent_cases", "No warning for a leaf, after retain_grad, or without requires_grad",
          torch_test(TEST_AUTOGRAD + "test_tensor_grad_warnings", "only non-leaves without retain_grad warn"))
def _(t, ctx):
    x = _leaf(t)
    y = x * 2
    y.retain_grad()
    plain = t.tensor([1.0]) * 2
    (y.sum()).backward()
    return {"leaf": x.grad, "retained": y.grad, "plain": plain.grad}


@scenario("warnings.scalar_conversion_requires_grad", "int()/float() of a tensor requiring grad warns once per process",
          engine("torch/csrc/autograd/python_variable_methods.cpp: TORCH_WARN_ONCE in the scalar conversion",
                 "int()/float() of a tensor that requires grad warns the first time only"), isolated=True)
def _(t, ctx):
    x = t.tensor([1.5], requires_grad=True)
    return {"int": int(x), "float": float(x), "item": x.item(), "float_again": float(x * 2)}


@scenario("warnings.backward_create_graph", "backward(create_graph=True) warns about a reference cycle, once",
          torch_docs("torch.Tensor.backward", "create_graph with backward() creates a parameter/grad cycle"),
          isolated=True)
def _(t, ctx):
    x = t.tensor([1.5], requires_grad=True)
    via_grad = t.autograd.grad((x * x).sum(), x, create_graph=True)
    (x * x).sum().backward(create_graph=True)
    first = x.grad
    x.grad = None
    (x * x).sum().backward(create_graph=True)
    return {"via_grad": via_grad, "first": first, "second": x.grad}


@scenario("errors.reduction_dim_saved_indices_released",
          "max(dim) / min(dim) save their indices and free them at backward: reading them after raises",
          engine("tools/autograd/derivatives.yaml", "max.dim / min.dim: self: value_selecting_reduction_backward"
                                                    "(grad, dim, indices, ...); backward releases saved variables"))
def _(t, ctx):
    x = t.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    hi, lo = x.max(1), x.min(0)
    before = [hi.values.grad_fn._saved_indices, lo.values.grad_fn._saved_indices]
    (hi.values.sum() + lo.values.sum()).backward()
    return {"names": [hi.values.grad_fn.name(), lo.values.grad_fn.name()], "before": before,
            "max_after": ctx.capture(lambda: hi.values.grad_fn._saved_indices),
            "min_after": ctx.capture(lambda: lo.values.grad_fn._saved_indices), "x_grad": x.grad}


@scenario("errors.dot_needs_two_1d", "torch.dot of a 1-D and a 2-D tensor (either order, or two 2-D) raises "
          "'1D tensors expected'", torch_docs("torch.dot", "unlike NumPy's dot, torch.dot only supports two 1-D "
                                                           "tensors with the same number of elements"))
def _(t, ctx):
    vec, row, mat = t.ones(3), t.ones(1, 3), t.ones(2, 3)
    return {"vec_row": ctx.capture(t.dot, vec, row), "row_vec": ctx.capture(t.dot, row, vec),
            "mat_mat": ctx.capture(t.dot, mat, mat), "method": ctx.capture(vec.dot, mat),
            "sizes": ctx.capture(t.dot, vec, t.ones(2))}


@scenario("warnings.tensor_copy_construct", "torch.tensor(tensor) warns to use detach().clone() instead",
          torch_docs("torch.tensor", "torch.tensor always copies; prefer clone().detach() for tensors"))
def _(t, ctx):
    x = _leaf(t)
    copy = t.tensor(x)
    plain = t.tensor(t.tensor([1.0, 2.0]))
    return {"copy": copy, "plain": plain, "shares": copy.data_ptr() == x.data_ptr()}


# ------------------------------------------------------------------ shape errors of common ops
@scenario("errors.shape_broadcast_and_expand", "mul of (2,3) and (4,3) and expand to (3,3) both raise size texts",
          torch_docs("Broadcasting semantics", "sizes must be equal, 1, or absent, compared from the trailing dim"))
def _(t, ctx):
    a = t.ones(2, 3, requires_grad=True)
    b = t.ones(4, 3)
    return {"mul": ctx.capture(t.mul, a, b), "add": ctx.capture(lambda: a + b),
            "expand": ctx.capture(a.expand, 3, 3), "expand_fewer_dims": ctx.capture(a.expand, 3),
            "ok": a.expand(2, 2, 3)}


@scenario("errors.shape_view_errors", "view with a wrong element count vs. incompatible strides: two texts",
          torch_docs("torch.Tensor.view", "view needs a compatible element count and stride"))
def _(t, ctx):
    a = t.ones(2, 3)
    return {"numel": ctx.capture(a.view, 4), "numel_minus_one": ctx.capture(a.view, -1, 4),
            "strides": ctx.capture(a.t().view, 6), "reshape_numel": ctx.capture(a.reshape, 4),
            "reshape_ok": a.t().reshape(6)}


@scenario("errors.shape_matrix_ops", "mm of (2,3) and (4,3) and t() of a 3-D tensor raise",
          torch_docs("torch.mm", "mat1 columns must equal mat2 rows; torch.t expects <= 2-D"))
def _(t, ctx):
    a = t.ones(2, 3)
    b = t.ones(4, 3)
    return {"mm": ctx.capture(t.mm, a, b), "matmul": ctx.capture(t.matmul, a, b),
            "t_3d": ctx.capture(t.ones(2, 3, 4).t)}


@scenario("errors.shape_dims_and_joins", "sum over dim 2 of a 2-D tensor, cat of ranks 2 and 1, stack of unequal sizes",
          torch_docs("torch.cat", "tensors must have the same shape except in the cat dimension"))
def _(t, ctx):
    a = t.ones(2, 3)
    return {"sum_dim_2": ctx.capture(a.sum, 2), "sum_dim_minus_3": ctx.capture(a.sum, -3),
            "cat_ranks": ctx.capture(t.cat, [a, t.ones(3)]), "cat_sizes": ctx.capture(t.cat, [a, t.ones(2, 4)]),
            "stack": ctx.capture(t.stack, [a, t.ones(4, 3)])}
