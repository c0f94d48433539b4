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
_TRIGGERED = re.compile(r" \(Triggered internally at [^)]*\.\)$", re.S)


class ErrorRecord:
    """An exception a scenario caught on purpose (see Scenario API ``ctx.capture``)."""

    def __init__(self, error: BaseException) -> None:
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
    """Observes values produced with namespace ``t`` (torch or an implementation)."""

    def __init__(self, t) -> None:
        self.t = t
        self.Tensor = getattr(t, "Tensor", None)
        graph = getattr(getattr(t, "autograd", None), "graph", None)
        self.Node = getattr(graph, "Node", None)

    def __call__(self, value) -> dict:
        return self.observe(value)

    def observe(self, value, depth: int = 0) -> dict:
        if isinstance(value, ErrorRecord):
            return value.observe()
        if self.Tensor is not None and isinstance(value, self.Tensor):
            return self.tensor(value, with_grad=depth == 0)
        if self._is_node(value):
            return {"kind": "node", "graph": self.graph(value)}
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
        if type(value).__module__ == "numpy" or type(value).__name__ == "ndarray":
            return self.ndarray(value)
        if type(value).__name__ == "dtype":
            return {"kind": "dtype", "value": repr(value)}
        return {"kind": "object", "type": type(value).__name__, "repr": clean_message(repr(value))}

    def _is_node(self, value) -> bool:
        if self.Node is not None and isinstance(value, self.Node):
            return True
        return hasattr(value, "next_functions") and callable(getattr(value, "name", None))

    @staticmethod
    def ndarray(array) -> dict:
        import numpy as np

        array = np.asarray(array)
        return {"kind": "ndarray", "dtype": str(array.dtype), "shape": list(array.shape),
                "values": _values(array.tolist())}

    def tensor(self, t, with_grad: bool = True) -> dict:
        data = t.detach()
        out = {
            "kind": "tensor",
            "shape": list(t.shape),
            "dtype": repr(t.dtype),
            "values": _values(data.tolist()),
            "requires_grad": t.requires_grad,
            "is_leaf": t.is_leaf,
            "grad_fn": type(t.grad_fn).__name__ if t.grad_fn is not None else None,
            "retains_grad": t.retains_grad,
            "version": _version(t),
            "repr": clean_message(repr(t)),
        }
        if with_grad:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                grad = t.grad
            out["grad"] = None if grad is None else self.tensor(grad, with_grad=False)
        if t.grad_fn is not None:
            out["graph"] = self.graph(t.grad_fn)
        return out

    def graph(self, root) -> dict:
        """The backward graph reachable from ``root``, breadth first (no recursion)."""
        ids = {root: 0}
        order = [root]
        queue = deque([root])
        edges = []
        while queue:
            node = queue.popleft()
            for next_node, input_nr in node.next_functions:
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
            entry = {"id": ids[node], "name": node.name(), "type": type(node).__name__}
            variable = getattr(node, "variable", None)
            if variable is not None:
                entry["variable"] = {"shape": list(variable.shape), "dtype": repr(variable.dtype)}
            nodes.append(entry)
        return {"nodes": nodes, "edges": edges, "creation_order": _creation_order(order)}


def _version(t):
    try:
        return t._version
    except Exception as error:  # inference tensors have no version counter
        return {"error": clean_message(str(error))}


def _creation_order(nodes) -> list:
    """Graph node ids sorted by sequence_nr: which node was created first (absolute numbers differ)."""
    keyed = []
    for index, node in enumerate(nodes):
        seq = getattr(node, "_sequence_nr", None)
        if seq is None or type(node).__name__ == "AccumulateGrad":
            continue
        keyed.append((seq(), index))
    return [index for _, index in sorted(keyed)]


def observe_warning(warning) -> dict:
    return {"category": warning.category.__name__, "message": clean_message(str(warning.message))}
