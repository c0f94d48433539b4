"""reference_impl.autograd: backward(), grad() and the graph classes, as torch.autograd."""
from __future__ import annotations

import warnings

from .. import _behaviour, _messages
from .._grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled  # noqa: F401 - torch's names
from .. import _tensor
from . import engine, graph  # noqa: F401
from .function import Function  # noqa: F401
from .graph import Identity, Node  # noqa: F401

_create_graph_warned = [False]


def _as_tuple(value):
    return (value,) if isinstance(value, _tensor.Tensor) else tuple(value)


def _grads_tuple(grads, count: int) -> tuple:
    if grads is None:
        return (None,) * count
    if isinstance(grads, _tensor.Tensor):
        return (grads,)
    return tuple(grads)


def _make_grads(outputs, grads) -> list:
    """torch's _make_grads: check given gradients, create ones for scalar outputs."""
    from ..ops.creation import ones_like

    made = []
    for index, (out, grad) in enumerate(zip(outputs, grads)):
        if isinstance(grad, _tensor.Tensor):
            if grad._data.shape != out._data.shape:
                raise RuntimeError(_messages.GRAD_SHAPE_MISMATCH.format(
                    index=index, grad_shape=grad.shape, out_shape=out.shape))
            made.append(grad)
        elif grad is None:
            if out.requires_grad:
                if out._data.size != 1:
                    raise RuntimeError(_messages.IMPLICIT_GRAD_NOT_SCALAR)
                if not out.is_floating_point():
                    raise RuntimeError(_messages.IMPLICIT_GRAD_NOT_REAL.format(dtype=out.dtype))
                made.append(ones_like(out))
            else:
                made.append(None)
        else:
            raise TypeError(_messages.GRADIENT_TYPE.format(type_name=type(grad).__name__))
    return made


def _root_edges(outputs, grads):
    if len(outputs) != len(grads):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    edges = []
    for index, out in enumerate(outputs):
        edge = out._gradient_edge()
        if edge[0] is None:
            raise RuntimeError(_messages.NO_GRAD_FN.format(index=index))
        edges.append(edge)
    return edges


def _input_edge(tensor, create_accumulator: bool):
    if not tensor.requires_grad:
        raise RuntimeError(_messages.DIFFERENTIATED_NO_GRAD)
    fn = tensor.grad_fn
    if fn is not None:
        return (fn, tensor._output_nr)
    ref = tensor._grad_accumulator
    accumulator = ref() if ref is not None else None
    if accumulator is None:
        return (Identity(), 0)  # never reached: this input was not used
    return (accumulator, 0)


def _math(create_graph: bool):
    from ..ops import _math

    return _math.TensorMath() if create_graph else _math.ArrayMath()


def _run(outputs, grads, retain_graph, create_graph, capture=None, needed=None):
    F = _math(create_graph)
    edges = _root_edges(outputs, grads)
    root_grads = [F.from_user(g) for g in grads]
    return engine.execute(edges, root_grads, keep_graph=retain_graph, create_graph=create_graph, F=F,
                          capture_edges=capture, needed_edges=needed)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    """Accumulate d(tensors)/d(leaves) into the leaves' .grad (torch.autograd.backward)."""
    if grad_variables is not None:
        grad_tensors = grad_variables
    if inputs is not None and not isinstance(inputs, _tensor.Tensor) and len(inputs) == 0:
        raise RuntimeError(_messages.BACKWARD_EMPTY_INPUTS)
    outputs = _as_tuple(tensors)
    grads = _make_grads(outputs, _grads_tuple(grad_tensors, len(outputs)))
    if retain_graph is None:
        retain_graph = create_graph
    needed = None
    if inputs is not None:
        needed = []
        for tensor in _as_tuple(inputs):
            tensor.retain_grad()
            needed.append(_input_edge(tensor, create_accumulator=False))
    elif create_graph and not _create_graph_warned[0]:
        _create_graph_warned[0] = True  # TORCH_WARN_ONCE
        warnings.warn(_messages.BACKWARD_CREATE_GRAPH, UserWarning, stacklevel=3)
    _run(outputs, grads, retain_graph, create_graph, needed=needed)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of outputs with respect to inputs, without touching .grad (torch.autograd.grad)."""
    if materialize_grads and allow_unused is False:
        raise ValueError(_messages.MATERIALIZE_ALLOW_UNUSED)
    if allow_unused is None:
        allow_unused = materialize_grads
    if is_grads_batched:
        raise NotImplementedError("reference_impl: autograd.grad(is_grads_batched=True) is not implemented")
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). To accumulate "
                      "gradient for other parts of the graph, please use torch.autograd.backward.",
                      FutureWarning, stacklevel=2)
    t_outputs, t_inputs = _as_tuple(outputs), _as_tuple(inputs)
    grads = _make_grads(t_outputs, _grads_tuple(grad_outputs, len(t_outputs)))
    if retain_graph is None:
        retain_graph = create_graph
    edges = _root_edges(t_outputs, grads)  # check outputs before inputs, like torch
    del edges
    capture = [_input_edge(t, create_accumulator=False) for t in t_inputs]
    captured = _run(t_outputs, grads, retain_graph, create_graph, capture=capture)
    F = _math(create_graph)
    result = []
    for index, value in enumerate(captured):
        if value is None and not allow_unused:
            raise RuntimeError(_behaviour.value("autograd.unused_input_message").format(index=index))
        result.append(None if value is None else F.to_user(value))
    if materialize_grads:
        from ..ops.creation import zeros_like

        result = [r if r is not None else zeros_like(t) for r, t in zip(result, t_inputs)]
    return tuple(result)
