"""Seed 004's deep dive: the backward graph, next_functions, version counters, unbind,
the long graph example, retain_grad and getting values out (detach, numpy, item, tolist)."""
from __future__ import annotations

from ..scenario import scenario, seed

S4 = "004_f6b0181ae14acc7b.txt"


@scenario("graph.mul_next_functions", "c = a * b: next_functions is (AccumulateGrad, 0) and (None, 0)",
          seed(S4, "b does not require grad, so its slot in next_functions is None"))
def _(t, ctx):
    a = t.tensor(2.0, requires_grad=True)
    b = t.tensor(3.0)
    c = a * b
    edges = [(type(fn).__name__ if fn is not None else None, index) for fn, index in c.grad_fn.next_functions]
    c.backward()
    return {"c": c, "edges": edges, "a_grad": a.grad, "b_grad": b.grad,
            "accumulate_variable_is_a": c.grad_fn.next_functions[0][0].variable is a}


@scenario("graph.chain_two_muls", "e = (a * b) * d: gradients flow through the inner MulBackward0",
          seed(S4, "a=2, b=3, d=4: d.grad 6, a.grad 12, b.grad 8; next_functions[0] is c's MulBackward0"))
def _(t, ctx):
    a = t.tensor(2.0, requires_grad=True)
    b = t.tensor(3.0, requires_grad=True)
    c = a * b
    d = t.tensor(4.0, requires_grad=True)
    e = c * d
    inner_is_c = e.grad_fn.next_functions[0][0] is c.grad_fn
    e.backward()
    return {"e": e, "inner_is_c": inner_is_c, "a": a.grad, "b": b.grad, "d": d.grad, "c_is_leaf": c.is_leaf,
            "c_grad": c.grad}


@scenario("version.inplace_after_mul_fails", "c += 1 after e = c * d makes backward fail",
          seed(S4, "MulBackward0 saved c at version 0; c is at version 1 at backward"))
def _(t, ctx):
    a = t.tensor(2.0, requires_grad=True)
    b = t.tensor(3.0, requires_grad=True)
    c = a * b
    d = t.tensor(4.0, requires_grad=True)
    e = c * d
    c += 1
    return {"c": c, "version": c._version, "error": ctx.capture(e.backward), "a_grad": a.grad, "d_grad": d.grad}


@scenario("version.inplace_after_add_ok", "c += 1 after e = c + d is fine: add saves nothing",
          seed(S4, "AddBackward0 does not need c, so backward works after the in-place change"))
def _(t, ctx):
    a = t.tensor(2.0, requires_grad=True)
    b = t.tensor(3.0, requires_grad=True)
    c = a * b
    d = t.tensor(4.0, requires_grad=True)
    e = c + d
    c += 1
    e.backward()
    return {"c": c, "e": e, "a": a.grad, "b": b.grad, "d": d.grad}


@scenario("graph.unbind_shared_node", "unbind's outputs share one UnbindBackward0; edges carry indices 0, 1, 2",
          seed(S4, "b, c, d = a.unbind(); e = b * c * d; a.grad = [6, 3, 2]"))
def _(t, ctx):
    a = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b, c, d = a.unbind()
    e = b * c * d
    shared = b.grad_fn is c.grad_fn is d.grad_fn
    outer = e.grad_fn.next_functions
    inner = outer[0][0].next_functions
    e.backward()
    return {"shared": shared, "outer_indices": [i for _, i in outer], "inner_indices": [i for _, i in inner],
            "e": e, "grad": a.grad, "b": b, "output_nrs": [b.output_nr, c.output_nr, d.output_nr]}


def _long_graph(t):
    a = t.tensor(2.0)
    b = t.tensor(2.0)
    c = a * b
    c.requires_grad = True
    d = t.tensor(2.0)
    e = c * d
    f = t.tensor(2.0)
    g = e * f
    h = t.tensor(2.0, requires_grad=True)
    i = g / h
    j = i + h
    k = j * i
    return c, h, i, k


@scenario("graph.long_example_gradients", "The long graph: h.grad = -64, c.grad = 36",
          seed(S4, "c made a leaf with requires_grad after a no-grad multiply; h feeds div and add"))
def _(t, ctx):
    c, h, i, k = _long_graph(t)
    k.backward()
    return {"k": k, "c_grad": c.grad, "h_grad": h.grad, "c_is_leaf": c.is_leaf, "i_grad_fn": i.grad_fn, "graph": k}


@scenario("graph.long_example_retain_grad", "retain_grad() on the intermediate i keeps its gradient",
          seed(S4, "i.retain_grad() stores the gradient flowing into DivBackward0 on i.grad"))
def _(t, ctx):
    c, h, i, k = _long_graph(t)
    i.retain_grad()
    k.backward()
    return {"i": i, "i_grad": i.grad, "retains_grad": i.retains_grad, "c_grad": c.grad}


@scenario("graph.nonleaf_grad_is_none_with_warning", "Reading .grad of a non-leaf warns and gives None",
          seed(S4, "intermediate nodes keep no gradient unless retain_grad is called"))
def _(t, ctx):
    c, h, i, k = _long_graph(t)
    k.backward()
    return {"i_grad": i.grad}


@scenario("conversions.detach_shares_data", "k.detach() shares k's data and has no grad_fn",
          seed(S4, "m = k.detach(): same underlying data, a leaf, grad_fn None"))
def _(t, ctx):
    _, _, _, k = _long_graph(t)
    m = k.detach()
    return {"m": m, "m_is_leaf": m.is_leaf, "m_grad_fn": m.grad_fn, "shares_data": m.data_ptr() == k.data_ptr(),
            "same_version_counter": (k._version, m._version)}


@scenario("conversions.numpy_requires_grad_error", "numpy() on a tensor that requires grad raises",
          seed(S4, "k.numpy() gives a NumPy array once k no longer needs grad"))
def _(t, ctx):
    _, _, _, k = _long_graph(t)
    return {"error": ctx.capture(k.numpy), "detached": k.detach().numpy()}


@scenario("conversions.item_and_tolist", "item() gives a Python float, tolist() nested lists",
          seed(S4, "k.item() returns a Python float; tolist() returns (nested) lists of Python numbers"))
def _(t, ctx):
    _, _, _, k = _long_graph(t)
    m = t.tensor([[1.5, 2.0], [3.0, 4.25]])
    n = t.tensor([[1, 2], [3, 4]])
    return {"item": k.item(), "item_type": type(k.item()).__name__, "tolist": m.tolist(), "int_list": n.tolist(),
            "int_item": n[0, 1].item(), "int_item_type": type(n[0, 1].item()).__name__,
            "item_error": ctx.capture(m.item)}
