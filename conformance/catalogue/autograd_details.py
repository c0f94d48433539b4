"""Finer points of the autograd engine: CopySlices under autograd.grad / backward(inputs=...), the view
rebase errors for views of views, what node hooks may return, who owns a gradient user code kept,
custom Functions without backward, how error messages name nodes, argument checks of
autograd.backward / autograd.grad, and the AccumulateGrad node's sequence number."""
from __future__ import annotations

import collections
import types

from ..scenario import engine, scenario, torch_docs

COPY_SLICES = "torch/csrc/autograd/functions/tensor.cpp"
VIEW_REBASE = "torch/csrc/autograd/variable.cpp"
PYTHON_HOOK = "torch/csrc/autograd/python_hook.cpp"
AUTOGRAD_PY = "torch/autograd/__init__.py"


def _leaf(t, values=(1.0, 2.0, 3.0)):
    return t.tensor(list(values), requires_grad=True)


def _names(node):
    return [None if fn is None else fn.name() for fn, _ in node.next_functions]


# ------------------------------------------------------------------ CopySlices and needed inputs
@scenario("views.copy_slices_grad_selected_inputs",
          "y[1:].mul_(w) on a non-leaf: autograd.grad / backward(inputs=...) through CopySlices give each input",
          engine(COPY_SLICES, "CopySlices runs the wrapped in-place node for the outputs the graph task needs, the "
                              "base's part included"))
def _(t, ctx):
    x = _leaf(t)
    w = t.tensor([2.0, 3.0], requires_grad=True)
    y = x * 1
    y[1:].mul_(w)
    out = {"grad_fn": y.grad_fn.name(), "next": _names(y.grad_fn), "y": y}
    out["grad_w"] = t.autograd.grad(y.sum(), [w], retain_graph=True)
    out["grad_x"] = t.autograd.grad(y.sum(), [x], retain_graph=True)
    out["grad_both"] = t.autograd.grad(y.sum(), [w, x], retain_graph=True)
    y.sum().backward(inputs=[w], retain_graph=True)
    out["after_inputs_w"] = {"x": x.grad, "w": w.grad}
    y.sum().backward(inputs=[x])
    out["after_inputs_x"] = {"x": x.grad, "w": w.grad}
    return out


# ------------------------------------------------------------------ view rebase errors
@scenario("views.view_of_no_grad_view_inplace_error",
          "A view of a view made under no_grad names its node: 'Output 0 of ... is a view of a view which was created in'",
          engine(VIEW_REBASE, "handle_view_on_rebase: a view with a grad_fn whose creation meta came from its base"))
def _(t, ctx):
    x = _leaf(t)
    y = x * 2
    with t.no_grad():
        v = y[:2]
    vv = v[:1]
    out = {"vv_grad_fn": None if vv.grad_fn is None else vv.grad_fn.name(),
           "no_grad_view_of_view": ctx.capture(vv.mul_, 2),
           "no_grad_view": ctx.capture(v.mul_, 2)}
    out["y"] = y
    return out


# ------------------------------------------------------------------ node hook results
@scenario("hooks.node_hook_result_checks",
          "Node pre/post hooks must return a tuple of the same size; each tensor keeps size and dtype, None stays None",
          engine(PYTHON_HOOK, "check_result and check_single_result on the values a Python node hook returned"))
def _(t, ctx):
    def run(register, hook, with_constant=False):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = x * t.tensor([3.0, 4.0]) if with_constant else x * 2
        getattr(y.grad_fn, register)(hook)
        return {"error": ctx.capture(y.sum().backward), "x_grad": x.grad}

    def wrong_size(go):
        return (t.ones(3),)

    return {
        "pre_wrong_size": run("register_prehook", wrong_size),
        "pre_wrong_dtype": run("register_prehook", lambda go: (go[0].to(t.float64),)),
        "pre_list": run("register_prehook", lambda go: [go[0] * 2]),
        "pre_bare_tensor": run("register_prehook", lambda go: go[0] * 2),
        "pre_none_entry": run("register_prehook", lambda go: (None,)),
        "pre_scaled": run("register_prehook", lambda go: (go[0] * 5,)),
        "post_replaces_none": run("register_hook", lambda gi, go: (gi[0], t.ones(2)), with_constant=True),
        "post_wrong_size": run("register_hook", lambda gi, go: (t.ones(3), None), with_constant=True),
        "post_wrong_dtype": run("register_hook", lambda gi, go: (gi[0].to(t.float64), None), with_constant=True),
        "post_not_tensor": run("register_hook", lambda gi, go: ("no", None), with_constant=True),
        "post_list": run("register_hook", lambda gi, go: [gi[0] * 2, None], with_constant=True),
        "post_scaled": run("register_hook", lambda gi, go: (gi[0] * 5, None), with_constant=True),
    }


@scenario("hooks.multi_output_prehook_cannot_fill_none",
          "A prehook of unbind's node sees None for the unused output and may not replace it by a tensor",
          engine(PYTHON_HOOK, "check_single_result: can't replace a None gradient with a non-None value"))
def _(t, ctx):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    a, b = x.unbind()
    seen = []

    def pre(go):
        seen.append([None if g is None else g.clone() for g in go])
        return (go[0], t.tensor(5.0))

    a.grad_fn.register_prehook(pre)
    return {"error": ctx.capture((a * 2).backward), "seen": seen, "x_grad": x.grad}


# ------------------------------------------------------------------ gradients user code kept
@scenario("hooks.kept_hook_gradients_not_reused",
          "A gradient a tensor hook kept or returned is not reused as .grad nor summed into in place",
          engine("torch/csrc/autograd/functions/accumulate_grad.h",
                 "AccumulateGrad steals the new gradient only when nobody else holds it; the input buffer "
                 "likewise sums in place only into an unshared tensor"))
def _(t, ctx):
    out = {}
    # a leaf hook returning a tensor it also stored
    store = []

    def scale(g):
        r = g * 10
        store.append(r)
        return r

    x = _leaf(t)
    x.register_hook(scale)
    (x * 2).sum().backward()
    store[0].add_(100)
    out["returned_kept"] = {"x_grad": x.grad, "kept_version": store[0]._version}
    # a leaf hook that only stores the gradient it sees
    seen = []
    x = _leaf(t)
    x.register_hook(seen.append)
    (x * 2).sum().backward()
    seen[0].add_(100)
    out["seen_kept"] = {"x_grad": x.grad, "seen": seen[0]}
    # a non-leaf hook's kept result meets a second path in the input buffer
    store.clear()
    x = _leaf(t)
    h = x * 1
    a = h * 3
    b = h * 2
    b.register_hook(scale)
    (a + b).sum().backward()
    out["buffer"] = {"x_grad": x.grad, "kept": store[0], "kept_version": store[0]._version}
    # a kept result modified in place, passed on unchanged by AddBackward0: the next hook sees its _version
    def bumped(g):
        r = g * 10
        r.add_(1)
        store.append(r)
        return r

    store.clear()
    x = _leaf(t)
    h = x * 1
    a = h + 0
    a.register_hook(bumped)
    versions = []
    h.register_hook(lambda g: versions.append(g._version))
    a.sum().backward()
    out["passed_on"] = {"x_grad": x.grad, "versions_seen": versions, "kept_version": store[0]._version}
    return out


@scenario("custom_function.backward_result_kept_not_reused",
          "A gradient a custom backward returns and keeps is neither the leaf's .grad nor summed into; hooks see its _version",
          engine("torch/csrc/autograd/input_buffer.cpp",
                 "a gradient whose use count shows another owner is accumulated out of place"))
def _(t, ctx):
    kept = []

    class Keep(t.autograd.Function):
        @staticmethod
        def forward(ctx_, a):
            return a * 2

        @staticmethod
        def backward(ctx_, g):
            r = g * 2
            r.add_(1)
            kept.append(r)
            return r

    x = _leaf(t)
    Keep.apply(x).sum().backward()
    kept[0].add_(100)
    single = {"x_grad": x.grad, "kept_version": kept[0]._version}
    kept.clear()
    x = _leaf(t)
    h = x * 1
    y2 = h * 3
    y1 = Keep.apply(h)  # created last: its backward runs first, its gradient enters the buffer first
    (y1 + y2).sum().backward()
    two_paths = {"x_grad": x.grad, "kept": kept[0], "kept_version": kept[0]._version}
    kept.clear()
    x = _leaf(t)
    h = x * 1
    versions = []
    h.register_hook(lambda g: versions.append(g._version))  # the very tensor backward returned
    Keep.apply(h).sum().backward()
    return {"single": single, "two_paths": two_paths,
            "hook_after": {"versions_seen": versions, "x_grad": x.grad, "kept_version": kept[0]._version}}


# ------------------------------------------------------------------ custom Functions
@scenario("custom_function.missing_backward",
          "A Function without backward: backward raises NotImplementedError; its node class lives in "
          "torch.autograd.function",
          torch_docs("torch.autograd.Function", "subclasses must implement backward (or vjp) for backward mode AD"))
def _(t, ctx):
    class NoBackward(t.autograd.Function):
        @staticmethod
        def forward(ctx_, a):
            return a * 2

    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = NoBackward.apply(x)
    node_cls = type(y.grad_fn)
    return {"y": y, "error": ctx.capture(y.sum().backward), "x_grad": x.grad,
            "direct": ctx.capture(NoBackward.backward, None, t.ones(2)),
            "node_class": [node_cls.__module__, node_cls.__name__],
            "node_bases": [[b.__module__, b.__name__] for b in node_cls.__bases__]}


# ------------------------------------------------------------------ node names in messages
@scenario("errors.saved_tensor_error_node_names",
          "The modified-saved-tensor error names the node: PowBackward1, CopyBackwards, a custom Function's",
          engine("torch/csrc/autograd/saved_variable.cpp",
                 "the message names the saved tensor's grad_fn (from 2.13 by its forward op name)"))
def _(t, ctx):
    out = {}
    x = _leaf(t)
    w = t.tensor([2.0], requires_grad=True)
    a = x ** w  # PowBackward1 saves its result
    a.mul_(2)
    out["pow_tensor_tensor"] = ctx.capture(a.sum().backward)
    x = _leaf(t)
    w = t.tensor([2.0, 2.0, 2.0], requires_grad=True)
    b = t.zeros(3)
    b.copy_(x)
    c = b * w
    with t.no_grad():
        b.mul_(2)
    out["copy_grad_fn"] = b.grad_fn.name()
    out["copy"] = ctx.capture(c.sum().backward)

    def forward(ctx_, v):
        result = v * 2
        ctx_.save_for_backward(result)
        return result

    def backward(ctx_, g):
        ctx_.saved_tensors
        return g * 2

    unnamed = type("", (t.autograd.Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward)})
    x = _leaf(t)
    o = unnamed.apply(x)
    with t.no_grad():
        o.mul_(2)
    out["unnamed_node"] = o.grad_fn.name()
    out["unnamed"] = ctx.capture(o.sum().backward)
    return out


# ------------------------------------------------------------------ autograd.backward / grad arguments
@scenario("autograd_grad.backward_grad_variables_deprecated",
          "autograd.backward(grad_variables=...) warns and works; with grad_tensors too it raises",
          engine(AUTOGRAD_PY, "backward: grad_variables is the deprecated name of grad_tensors"))
def _(t, ctx):
    x = _leaf(t)
    y = (x * 2).sum()
    t.autograd.backward(y, grad_variables=t.tensor(3.0), retain_graph=True)
    first = x.grad.clone()
    both = ctx.capture(t.autograd.backward, y, grad_tensors=t.tensor(1.0), grad_variables=t.tensor(1.0),
                       retain_graph=True)
    return {"first": first, "both": both, "grad": x.grad}


@scenario("autograd_grad.inputs_mapping_types",
          "inputs may be a dict (autograd.grad then returns a dict); other Mapping types raise TypeError",
          engine(AUTOGRAD_PY, "backward and grad accept dict inputs, refuse other Mappings"))
def _(t, ctx):
    x = _leaf(t)
    w = _leaf(t, (4.0, 5.0, 6.0))
    y = (x * w).sum()
    # Each call captured: up to 2.12 any Mapping is iterated, so every call fails on its str keys.
    return {"grad_dict": ctx.capture(t.autograd.grad, y, {"x": x, "w": w}, retain_graph=True),
            "grad_ordered": ctx.capture(t.autograd.grad, y, collections.OrderedDict(x=x), retain_graph=True),
            "grad_proxy": ctx.capture(t.autograd.grad, y, types.MappingProxyType({"x": x}), retain_graph=True),
            "backward_proxy": ctx.capture(t.autograd.backward, y, inputs=types.MappingProxyType({"w": w}),
                                          retain_graph=True),
            "x_grad": x.grad, "w_grad": w.grad}


@scenario("errors.gradients_count_mismatch",
          "Fewer gradients than outputs: 'got 2 tensors and 1 gradients' from backward and grad",
          engine("torch/csrc/autograd/python_engine.cpp", "run_backward checks one gradient per tensor"))
def _(t, ctx):
    x = _leaf(t)
    a = (x * 2).sum()
    b = (x * 3).sum()
    return {"backward": ctx.capture(t.autograd.backward, [a, b], [t.tensor(1.0)]),
            "grad": ctx.capture(t.autograd.grad, [a, b], x, [t.tensor(1.0)]),
            "x_grad": x.grad}


# ------------------------------------------------------------------ sequence numbers
@scenario("graph.accumulate_grad_sequence_nr",
          "AccumulateGrad's _sequence_nr() is UINT64_MAX (read on the node and through its class)",
          engine("torch/csrc/autograd/functions/accumulate_grad.cpp",
                 "AccumulateGrad is built with sequence_nr UINT64_MAX so it runs as soon as it is ready"))
def _(t, ctx):
    x = _leaf(t)
    acc = (x * 2).grad_fn.next_functions[0][0]
    cls = type(acc)
    out = {"name": acc.name(), "on_node": ctx.capture(lambda: acc._sequence_nr()),
           "through_class": ctx.capture(lambda: cls._sequence_nr(acc))}
    try:  # releases without the method: the AttributeError names the class it was read on
        cls._sequence_nr  # noqa: B018
        out["missing"] = None
    except AttributeError as error:
        out["missing"] = {"name": error.name, "obj_is_class": error.obj is cls}
    return out


@scenario("graph.sequence_nr_counts_nodes_made",
          "_sequence_nr() grows by one per node made: an op of several inputs needing grad (views too) makes "
          "one node, ops that need no grad (plain tensors and their views, no_grad) make none",
          engine("torch/csrc/autograd/function.h", "Node's constructor takes the thread's next sequence number; "
                                                   "ops whose inputs need no grad build no Node"))
def _(t, ctx):
    x = _leaf(t)
    w = _leaf(t, (0.5, -1.0, 2.0))
    a = x * 2
    plain = t.ones(3) * 3 + t.zeros(2, 3)[0]
    with t.no_grad():
        x * w
    b = a + plain
    pair = x[:2] * x[1:]
    c = b * w
    d = t.stack([c, a, x]).sum()
    nodes = [a.grad_fn, b.grad_fn, pair.grad_fn, c.grad_fn, d.grad_fn]
    return {"gaps": [later._sequence_nr() - earlier._sequence_nr() for earlier, later in zip(nodes, nodes[1:])],
            "plain_grad_fn": plain.grad_fn}


@scenario("retain_grad.follows_inplace_then_tensor_hook",
          "retain_grad() then an in-place op then register_hook: .grad is still retained, hook and retain both run",
          torch_docs("torch.Tensor.retain_grad", "the retained gradient follows the tensor to its new grad_fn"))
def _(t, ctx):
    x = _leaf(t)
    y = x * 2
    y.retain_grad()
    y.mul_(3)
    seen = []
    y.register_hook(lambda g: seen.append(g.clone()))
    (y * 5).sum().backward()
    return {"y_grad": y.grad, "seen": seen, "x_grad": x.grad, "grad_fn": y.grad_fn.name()}


@scenario("version.stolen_grads_share_one_expanded_element",
          "stack(leaves).sum().backward(): each leaf keeps its unbind view of the one expanded gradient element as "
          ".grad, so an in-place change of one .grad shows in all of them and bumps one shared version counter",
          engine("torch/csrc/autograd/functions/accumulate_grad.h", "accumulateGrad steals a gradient nobody else "
                                                                    "holds, a view included, instead of cloning it"))
def _(t, ctx):
    leaves = [t.tensor(float(i + 1), requires_grad=True) for i in range(4)]
    t.stack(leaves).sum().backward()
    first = [leaf.grad._version for leaf in leaves]
    leaves[0].grad.add_(1)
    changed = [(leaf.grad.item(), leaf.grad._version) for leaf in leaves]
    t.stack(leaves).sum().backward()
    return {"first": first, "changed": changed, "again": [(leaf.grad.item(), leaf.grad._version) for leaf in leaves]}
