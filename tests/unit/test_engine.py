"""Unit tests of reference_impl's engine internals: order, freeing, version counters, depth."""
from __future__ import annotations

import gc
import sys
import weakref

import numpy as np
import pytest

import reference_impl as ri
from reference_impl.autograd import engine
from reference_impl.autograd.graph import RELEASED, UINT64_MAX

torch = pytest.importorskip("torch")


def _chain(t, depth, start=None):
    x = t.ones(2, requires_grad=True) if start is None else start
    y = x
    for _ in range(depth):
        y = y + 0.5
    return x, y


# ------------------------------------------------------------------ depth: no recursion anywhere
def test_million_node_chain_backward_and_free():
    depth = 1_000_000
    x, y = _chain(ri, depth)
    middle = y.grad_fn
    for _ in range(depth // 2):
        middle = middle.next_functions[0][0]
    middle_ref = weakref.ref(middle)
    del middle
    limit = sys.getrecursionlimit()
    y.sum().backward()
    assert sys.getrecursionlimit() == limit
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])
    assert middle_ref() is not None  # still reachable from y
    del y
    assert middle_ref() is None  # freed by reference counting, without RecursionError


def test_deep_graph_autograd_grad_and_dependencies_are_iterative():
    x, y = _chain(ri, 200_000)
    (g,) = ri.autograd.grad(y.sum(), x)
    np.testing.assert_array_equal(g.numpy(), [1.0, 1.0])
    assert len(engine.compute_dependencies(y.grad_fn)) == 200_000


# ------------------------------------------------------------------ order
def _record_order(t):
    """A graph where several nodes become ready together; returns the order their prehooks fire."""
    order = []
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = t.tensor([3.0, 4.0], requires_grad=True)
    c = a * b          # seq 0
    d = a + b          # seq 1
    e = c.exp()        # seq 2
    f = d.sin()        # seq 3
    out = (e * f).sum()
    for label, tensor in (("c", c), ("d", d), ("e", e), ("f", f)):
        tensor.grad_fn.register_prehook(lambda grads, label=label: order.append(label))
    for label, leaf in (("a", a), ("b", b)):
        leaf.register_hook(lambda grad, label=label: order.append(label))
    out.backward()
    return order


def test_ready_queue_runs_highest_sequence_number_first_like_torch():
    assert _record_order(ri) == _record_order(torch)


def _leaf_hook_order(t, n):
    leaves = [t.tensor(float(i + 1), requires_grad=True) for i in range(n)]
    order = []
    for index, leaf in enumerate(leaves):
        leaf.register_hook(lambda grad, index=index: order.append(index))
    (t.stack(leaves[:5]).sum() + t.stack(leaves[5:]).sum() * leaves[0]).backward()
    return order


@pytest.mark.parametrize("n", [9, 13, 21])
def test_tied_accumulate_grad_nodes_leave_the_queue_in_torchs_heap_order(n):
    # AccumulateGrad nodes share one sequence number; std::priority_queue's sift order decides, not FIFO or LIFO.
    order = _leaf_hook_order(ri, n)
    assert order == _leaf_hook_order(torch, n)
    assert order not in (sorted(order), sorted(order, reverse=True))


@pytest.fixture
def python_sequence_nr():
    """Node._sequence_nr() exists from torch 2.1: emulate a release that has it, whatever torch is installed."""
    ri.emulate("2.14.1")
    yield
    ri.emulate(None)


def test_accumulate_grad_has_the_largest_sequence_number(python_sequence_nr):
    a = ri.ones(1, requires_grad=True)
    node = (a * 2).grad_fn.next_functions[0][0]
    assert type(node).__name__ == "AccumulateGrad"
    assert node._sequence_nr() == UINT64_MAX


def test_sequence_numbers_increase_with_creation(python_sequence_nr):
    a = ri.ones(1, requires_grad=True)
    b = a * 2
    c = b + 1
    assert c.grad_fn._sequence_nr() > b.grad_fn._sequence_nr()


def test_fan_in_is_summed_in_the_input_buffer_before_the_node_runs():
    calls = []
    a = ri.tensor([1.0, 2.0], requires_grad=True)
    b = a * 3
    b.grad_fn.register_prehook(lambda grads: calls.append(grads[0].tolist()))
    (b + b * 2).sum().backward()
    assert calls == [[3.0, 3.0]]  # one call with 1 + 2, not two calls
    assert a.grad.tolist() == [9.0, 9.0]


# ------------------------------------------------------------------ saved tensors
def test_saved_tensors_are_released_after_backward_unless_retained():
    a = ri.tensor([1.0, 2.0], requires_grad=True)
    y = a * a
    node = y.grad_fn
    y.sum().backward(retain_graph=True)
    assert all(v is not RELEASED for v in node._saved.values())
    y.sum().backward()
    assert all(v is RELEASED for v in node._saved.values())
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.sum().backward()


def test_release_frees_the_saved_input_memory():
    a = ri.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    b_ref = weakref.ref(b)
    y = b * b
    del b
    gc.collect()
    assert b_ref() is not None  # kept alive by y's node
    y.sum().backward()
    assert b_ref() is None


def test_nodes_that_save_nothing_can_run_twice():
    a = ri.tensor([1.0, 2.0], requires_grad=True)
    y = (a + a).sum()
    y.backward()
    y.backward()
    assert a.grad.tolist() == [4.0, 4.0]


# ------------------------------------------------------------------ version counters
def test_version_counter_shared_by_views_and_detach_not_data():
    a = ri.zeros(4)
    view = a[1:]
    detached = a.detach()
    data = a.data
    view.add_(1)
    assert (a._version, view._version, detached._version, data._version) == (1, 1, 1, 0)
    data.add_(1)
    assert (a._version, data._version) == (1, 1)
    assert a.tolist() == [1.0, 2.0, 2.0, 2.0]


def test_inplace_under_no_grad_bumps_version_and_breaks_saved_tensor():
    w = ri.tensor([1.0, 2.0], requires_grad=True)
    y = w * w
    with ri.no_grad():
        w.mul_(2)
    assert w._version == 1
    with pytest.raises(RuntimeError, match="is at version 1; expected version 0 instead"):
        y.sum().backward()


# ------------------------------------------------------------------ execution plan
def test_autograd_grad_runs_only_the_needed_part_and_leaves_grad_alone():
    ran = []
    a = ri.tensor([1.0], requires_grad=True)
    b = ri.tensor([2.0], requires_grad=True)
    left, right = a * 3, b.exp()
    left.grad_fn.register_prehook(lambda g: ran.append("left"))
    right.grad_fn.register_prehook(lambda g: ran.append("right"))
    (g,) = ri.autograd.grad((left + right).sum(), a)
    assert ran == ["left"] and g.tolist() == [3.0]
    assert a.grad is None and b.grad is None


def test_backward_inputs_accumulates_only_into_those():
    a = ri.tensor([1.0], requires_grad=True)
    b = ri.tensor([2.0], requires_grad=True)
    (a * b).sum().backward(inputs=[b])
    assert a.grad is None and b.grad.tolist() == [1.0]


# ------------------------------------------------------------------ gradients flowing through arrays
def test_root_gradient_given_by_the_user_is_copied_not_aliased():
    a = ri.tensor([1.0, 2.0], requires_grad=True)
    v = ri.tensor([1.0, 1.0])
    (a + 0).backward(v)
    a.grad.add_(1)
    assert v.tolist() == [1.0, 1.0]


def test_an_op_with_many_inputs():
    xs = [ri.ones(2, requires_grad=True) for _ in range(200)]
    ri.stack(xs).sum().backward()
    assert all(x.grad.tolist() == [1.0, 1.0] for x in xs)


# ------------------------------------------------------------------ warnings name the user's line
@pytest.mark.parametrize("write", [lambda e: e.masked_fill_(ri.tensor([True, False, True]), 1.0),
                                   lambda e: e.__setitem__((slice(None), [0, 2]), 1.0),
                                   lambda e: e.index_put_((ri.tensor([0]),), ri.tensor(2.0))])
def test_expanded_write_warning_points_at_the_calling_line(write):
    """torch's C++ warnings show the Python line that called in; the engine's come from deep inside an op
    (setitem -> index_put_ -> its kernel), so the stacklevel is found, not fixed."""
    expanded = ri.zeros(3).expand(2, 3)
    with pytest.warns(UserWarning, match="on expanded tensors is deprecated") as caught:
        write(expanded)
    assert {w.filename for w in caught} == {__file__}
