"""Turn anything a scenario produces into plain JSON data: what a user could see.

Works on any module with torch's public names (torch itself, reference_impl, a
third-party engine): it only uses public attributes such as ``grad_fn``,
``next_functions``, ``_version`` and ``repr``.
"""
from __future__ import annotations

import math
import re
import warnings
from collections import deque

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_NODE_TYPE = re.compile(r"Backward|AccumulateGrad|Node$")
_TRIGGERED = re.compile(r" \(Triggered internally at [^)]*\.\)$", re.S)


class ErrorRecord:
    """An exception a scenario caught on purpose (see Scenario API ``ctx.capture``)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.type = type(error).__name__
        self.message = clean_message(str(error))

    def observe(self) -> dict:
        return {"kind": "error", "type": self.type, "message": self.message}


def clean_message(text: str) -> str:
    """Drop what differs between runs or builds: object addresses, torch's C++ source location."""
    return _ADDRESS.sub(" at 0x…", _TRIGGERED.sub("", text))


def number(value):
    """A float as JSON can hold it (nan and infinities become strings)."""
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
    return value


def _values(nested):
    if isinstance(nested, list):
        return [_values(v) for v in nested]
    return number(nested)


class Observer:
    """Observes values produced with namespace ``t`` (torch or an implementation). ``missing_name(error)``
    names the torch name whose absence raised a caught error (the error is then a not-implemented marker)."""

    def __init__(self, t, missing_name=None) -> None:
        self.t = t
        self.missing_name = missing_name or (lambda error: None)
        self.Tensor = getattr(t, "Tensor", None)
        graph = getattr(getattr(t, "autograd", None), "graph", None)
        self.Node = getattr(graph, "Node", None)

    def __call__(self, value) -> dict:
        return self.observe(value)

    def observe(self, value, depth: int = 0) -> dict:
        if isinstance(value, ErrorRecord):
            name = self.missing_name(value.error)
            return marker(name, value.observe()) if name else value.observe()
        if self._is_tensor(value):
            return self.tensor(value, with_grad=depth == 0)
        if self._is_node(value):
            return {"kind": "node", "graph": FieldReader(value, "Node").call(self.graph)}
        if value is None or isinstance(value, (bool, int, str)):
            return {"kind": type(value).__name__, "value": value}
        if isinstance(value, float):
            return {"kind": "float", "value": number(value)}
        if type(value).__name__ == "Size" and isinstance(value, tuple):
            return {"kind": "size", "value": list(value)}
        if hasattr(value, "_fields") or hasattr(value, "n_fields"):  # named tuples, torch.return_types
            return {"kind": "structseq", "type": type(value).__name__,
                    "items": [self.observe(v, depth + 1) for v in value]}
        if isinstance(value, (list, tuple)):
            return {"kind": type(value).__name__, "items": [self.observe(v, depth + 1) for v in value]}
        if isinstance(value, dict):
            return {"kind": "dict", "items": {str(k): self.observe(v, depth + 1) for k, v in value.items()}}
        if type(value).__name__.lower().startswith("dtype"):  # torch.dtype, numpy's dtype[float32], DType
            return {"kind": "dtype", "value": repr(value)}
        if isinstance(value, type) and value.__module__ == "numpy":  # a NumPy scalar type used as a dtype
            return {"kind": "dtype", "value": repr(value)}
        if type(value).__module__ == "numpy" or type(value).__name__ == "ndarray":
            return self.ndarray(value)
        return {"kind": "object", "type": type(value).__name__, "repr": clean_message(repr(value))}

    def _is_tensor(self, value) -> bool:
        if self.Tensor is not None:
            return isinstance(value, self.Tensor)
        return hasattr(value, "requires_grad") and hasattr(value, "shape")  # an implementation without t.Tensor

    def _is_node(self, value) -> bool:
        if self.Node is not None and isinstance(value, self.Node):
            return True
        return looks_like_node(value)

    @staticmethod
    def ndarray(array) -> dict:
        import numpy as np

        array = np.asarray(array)
        return {"kind": "ndarray", "dtype": str(array.dtype), "shape": list(array.shape),
                "values": _values(array.tolist())}

    def tensor(self, t, with_grad: bool = True) -> dict:
        """Every field a user can read off a tensor; a field the implementation lacks becomes a
        ``not-implemented`` marker and the others are still observed."""
        read = FieldReader(t, "Tensor")
        out = {
            "kind": "tensor",
            "shape": read("shape", list),
            "dtype": read("dtype", repr),
            "values": read.call(_tensor_values),
            "requires_grad": read("requires_grad"),
            "is_leaf": read("is_leaf"),
            "grad_fn": read("grad_fn", lambda fn: None if fn is None else type(fn).__name__),
            "retains_grad": read("retains_grad"),
            "version": read.call(_version),
            "repr": read.call(lambda x: clean_message(repr(x))),
        }
        if with_grad:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                grad = read("grad", lambda g: g)
            out["grad"] = grad if grad is None or is_marker(grad) or "error" in _as_dict(grad) \
                else self.observe(grad, depth=1)
        grad_fn = getattr(t, "grad_fn", None) if isinstance(out["grad_fn"], str) else None
        if grad_fn is not None:
            out["graph"] = FieldReader(grad_fn, "Node").call(self.graph)
        return out

    def graph(self, root) -> dict:
        """The backward graph reachable from ``root``, breadth first (no recursion)."""
        ids = {root: 0}
        order = [root]
        queue = deque([root])
        edges = []
        while queue:
            node = queue.popleft()
            for next_node, input_nr in _attribute(node, "Node", "next_functions"):
                if next_node is None:
                    edges.append({"from": ids[node], "to": None, "input_nr": input_nr})
                    continue
                if next_node not in ids:
                    ids[next_node] = len(order)
                    order.append(next_node)
                    queue.append(next_node)
                edges.append({"from": ids[node], "to": ids[next_node], "input_nr": input_nr})
        nodes = []
        for node in order:
            read = FieldReader(node, "Node")
            entry = {"id": ids[node], "name": read.call(lambda n: _attribute(n, "Node", "name")()),
                     "type": type(node).__name__}
            variable = getattr(node, "variable", None)
            if variable is not None:
                variable_read = FieldReader(variable, "Tensor")
                entry["variable"] = {"shape": variable_read("shape", list), "dtype": variable_read("dtype", repr)}
            nodes.append(entry)
        return {"nodes": nodes, "edges": edges, "creation_order": _creation_order(order)}


def looks_like_node(value) -> bool:
    """A backward-graph node of any engine: it has next_functions, or its class is named like torch's nodes
    (``AddBackward0``, an engine's ``BackwardFunction``, ``AccumulateGrad``, ``...Node``)."""
    return hasattr(value, "next_functions") or _NODE_TYPE.search(type(value).__name__) is not None


class MissingName(Exception):
    """A torch name the implementation's object lacks: ``owner`` (Tensor, Node, ...) and ``name``."""

    def __init__(self, owner: str, name: str) -> None:
        super().__init__(f"{owner}.{name}")
        self.qualified = f"{owner}.{name}"


def marker(qualified: str, instead: dict | None = None) -> dict:
    """What the observer records for a field it could not read: the torch name that is missing, and for a
    caught error what it would otherwise have shown (torch may lack the name too: then it matches)."""
    return {"not-implemented": qualified} if instead is None else {"not-implemented": qualified, "instead": instead}


def is_marker(value) -> bool:
    return isinstance(value, dict) and "not-implemented" in value and set(value) <= {"not-implemented", "instead"}


def _as_dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _attribute(obj, owner: str, name: str):
    """``getattr(obj, name)``; MissingName when the object has no such attribute (and only then: an
    AttributeError raised inside the implementation's own property is its own error)."""
    try:
        return getattr(obj, name)
    except AttributeError as error:
        if getattr(error, "name", name) == name and not hasattr(type(obj), name):
            raise MissingName(owner, name) from None
        raise


class FieldReader:
    """Reads one object's fields: a missing attribute gives a marker, another exception an error entry."""

    def __init__(self, obj, owner: str) -> None:
        self.obj, self.owner = obj, owner

    def __call__(self, name: str, convert=lambda value: value):
        return self.call(lambda obj: convert(_attribute(obj, self.owner, name)))

    def call(self, read):
        try:
            return read(self.obj)
        except MissingName as missing:
            return marker(missing.qualified)
        except Exception as error:  # noqa: BLE001 - the implementation's own failure is what it shows
            return {"error": clean_message(f"{type(error).__name__}: {error}")}


def _tensor_values(t):
    return _values(_attribute(_attribute(t, "Tensor", "detach")(), "Tensor", "tolist")())


def _version(t):
    try:
        return _attribute(t, "Tensor", "_version")
    except MissingName:
        raise
    except Exception as error:  # inference tensors have no version counter
        return {"error": clean_message(str(error))}


def _creation_order(nodes) -> list:
    """Graph node ids sorted by sequence_nr: which node was created first (absolute numbers differ)."""
    keyed = []
    for index, node in enumerate(nodes):
        seq = getattr(node, "_sequence_nr", None)  # torch 1.13 and 2.0 have none: an optional field
        if seq is None or type(node).__name__ == "AccumulateGrad":
            continue
        keyed.append((seq(), index))
    return [index for _, index in sorted(keyed)]


def observe_warning(warning) -> dict:
    return {"category": warning.category.__name__, "message": clean_message(str(warning.message))}
