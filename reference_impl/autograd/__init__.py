"""reference_impl.autograd: backward(), grad() and the graph classes, as torch.autograd."""
from __future__ import annotations

import warnings
from collections.abc import Mapping

from .. import _behaviour, _grad_mode, _messages
from .._grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled  # noqa: F401 - torch's names
from .. import _tensor
from . import engine, graph  # noqa: F401
from .function import Function  # noqa: F401
from .graph import Identity, Node  # noqa: F401

_create_graph_warned = [False]


def _is_tensor(value) -> bool:
    return isinstance(value, _tensor.Tensor)


def _as_tuple(value):
    return (value,) if _is_tensor(value) else tuple(value)


def _inputs_tuple(inputs, api: str) -> tuple:
    if inputs is None:
        return ()
    if _is_tensor(inputs):
        return (inputs,)
    if not _behaviour.value("autograd.inputs_mapping"):
        return tuple(inputs)  # up to 2.12 a Mapping is iterated: its keys are the inputs
    if type(inputs) is dict:
        return tuple(inputs.values())
    if isinstance(inputs, Mapping):
        raise TypeError(f"`inputs` argument to `{api}()` must be a dict, not {type(inputs).__name__}. "
                        "Other Mapping types are not supported.")
    return tuple(inputs)


def _grads_tuple(grads, count: int) -> tuple:
    if grads is None:
        return (None,) * count
    if _is_tensor(grads):
        return (grads,)
    return tuple(grads)


def _make_grads(outputs, grads) -> list:
    """torch's _make_grads: check given gradients, create ones for scalar outputs."""
    from ..ops.creation import ones_like

    made = []
    for index, (out, grad) in enumerate(zip(outputs, grads)):
        if _is_tensor(grad):
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
    for index, (out, grad) in enumerate(zip(outputs, grads)):
        edge = out._gradient_edge()
        if edge[0] is None:
            raise RuntimeError(_messages.NO_GRAD_FN.format(index=index))
        if grad is None and out.requires_grad:
            raise RuntimeError(f"element {index} of gradients tuple is None, but the corresponding Tensor requires "
                               "grad")
        edges.append(edge)
    return edges


def _check_input(value) -> None:
    if not _is_tensor(value):
        raise RuntimeError(_behaviour.value("autograd.non_tensor_input_message").format(
            type_name=type(value).__name__))


def _input_edge(tensor):
    """Where an input's gradient is captured; an unused leaf without an accumulator is never reached."""
    _check_input(tensor)
    if not tensor.requires_grad:
        raise RuntimeError(_messages.DIFFERENTIATED_NO_GRAD)
    fn = tensor.grad_fn
    if fn is not None:
        return (fn, tensor._output_nr)
    ref = tensor._grad_accumulator
    accumulator = ref() if ref is not None else None
    return (accumulator, 0) if accumulator is not None else (Identity(), 0)


def _run(outputs, grads, retain_graph, create_graph, capture=None, needed=None):
    """Run the engine; returns the math namespace used (it knows the gradients' versions) and captures."""
    from ..ops import _math

    F = _math.TensorMath() if create_graph else _math.ArrayMath()
    edges = _root_edges(outputs, grads)
    root_grads = [F.from_user(g) for g in grads]
    captured = engine.execute(edges, root_grads, keep_graph=retain_graph, create_graph=create_graph, F=F,
                              capture_edges=capture, needed_edges=needed)
    return F, captured


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    """Accumulate d(tensors)/d(leaves) into the leaves' .grad (torch.autograd.backward)."""
    if grad_variables is not None:
        category, warning, both = _behaviour.value("autograd.backward.grad_variables_texts")
        warnings.warn(warning, FutureWarning if category == "FutureWarning" else UserWarning, stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError(both)
        grad_tensors = grad_variables
    inputs_tuple = _inputs_tuple(inputs, "backward")
    if inputs is not None and len(inputs_tuple) == 0:
        raise RuntimeError(_behaviour.value("autograd.backward.empty_inputs_message"))
    outputs = _as_tuple(tensors)
    grads = _make_grads(outputs, _grads_tuple(grad_tensors, len(outputs)))
    if retain_graph is None:
        retain_graph = create_graph
    # torch collects (and checks) the roots' edges before the inputs', so an input that is a root
    # finds the grad accumulator the root created; kept alive until the engine has run
    root_edges = _root_edges(outputs, grads)
    needed = None
    if inputs_tuple:
        needed = []
        for tensor in inputs_tuple:
            _check_input(tensor)
            tensor.retain_grad()
            needed.append(_input_edge(tensor))
    if create_graph and not _create_graph_warned[0]:  # with or without inputs=
        _create_graph_warned[0] = True  # TORCH_WARN_ONCE
        warnings.warn(_messages.BACKWARD_CREATE_GRAPH, UserWarning, stacklevel=3)
    _run(outputs, grads, retain_graph, create_graph, needed=needed)
    del root_edges


_UNSET = object()


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=_UNSET):
    """Gradients of outputs with respect to inputs, without touching .grad (torch.autograd.grad)."""
    if materialize_grads is _UNSET:
        materialize_grads = False
    elif not _behaviour.value("autograd.grad.materialize_grads"):
        raise TypeError("grad() got an unexpected keyword argument 'materialize_grads'")
    if materialize_grads and allow_unused is False:
        raise ValueError(_messages.MATERIALIZE_ALLOW_UNUSED)
    if allow_unused is None:
        allow_unused = materialize_grads
    t_outputs = _as_tuple(outputs)
    t_inputs = _inputs_tuple(inputs, "grad")
    if len(t_inputs) == 0:
        kind, text = _behaviour.value("autograd.grad.empty_inputs_error")
        raise (ValueError if kind == "ValueError" else RuntimeError)(text)
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). To accumulate "
                      "gradient for other parts of the graph, please use torch.autograd.backward.",
                      _behaviour.value("autograd.grad.only_inputs_warning_category"), stacklevel=2)
    if is_grads_batched:
        raise NotImplementedError("reference_impl: autograd.grad(is_grads_batched=True) is not implemented")
    grads = _make_grads(t_outputs, _grads_tuple(grad_outputs, len(t_outputs)))
    if retain_graph is None:
        retain_graph = create_graph
    root_edges = _root_edges(t_outputs, grads)  # torch checks the outputs before the inputs
    # (kept alive: an output that is itself an input must find the same grad accumulator)
    capture = [_input_edge(t) for t in t_inputs]
    F, captured = _run(t_outputs, grads, retain_graph, create_graph, capture=capture)
    del root_edges
    result = []
    wrapped = {}
    for index, value in enumerate(captured):
        if value is None and not allow_unused:
            raise RuntimeError(_behaviour.value("autograd.unused_input_message").format(index=index))
        # one gradient captured for several inputs (e.g. both sides of an add) is one tensor, as in torch
        result.append(None if value is None else wrapped.setdefault(id(value), F.to_user(value)))
    if materialize_grads:
        from ..ops.creation import zeros_like

        requires_grad = create_graph or _behaviour.value("autograd.grad.materialized_zeros_require_grad")
        result = [r if r is not None else zeros_like(t, requires_grad=requires_grad) for r, t in zip(result, t_inputs)]
    if type(inputs) is dict and _behaviour.value("autograd.inputs_mapping"):
        return dict(zip(inputs.keys(), result))
    return tuple(result)


__getattr__ = _behaviour.module_names_since("torch.autograd", {
    name: ("autograd." + name, getattr(_grad_mode, name))
    for name in ("set_multithreading_enabled", "is_multithreading_enabled")})
