"""Comparison levels: what a result is judged on.

``semantic``: what a program computes and does: values, grads, shapes, dtypes by
name, requires_grad, is_leaf, which tensors get a grad, whether an error is
raised and its type, the order hooks run in, optimizer results.
``exact``: everything, including what torch prints or names: grad_fn and node
names, next_functions, graphs, messages, warnings, repr, ``_version``.

The exact level compares whole observations; the semantic level compares their
``semantic`` projection, which drops the exact-only fields and reads dtypes by
name, so an engine with its own printing can still pass it.
"""
from __future__ import annotations

import re

LEVELS = ("semantic", "exact")
DEFAULT_LEVEL = "exact"

_EXACT_TENSOR_FIELDS = frozenset({"grad_fn", "version", "repr", "graph", "retains_grad"})
# Keys under which scenarios return names, texts or version counters (exact-only wherever they appear).
_EXACT_KEY = re.compile(r"version|repr|message|warning|name|grad_fn|edges|graph|text|str$", re.I)
# A string torch prints or names: a node name (AddBackward0, AccumulateGrad), a dtype's or a tensor's repr.
_NAME_VALUE = re.compile(r"Backward\d*\b|AccumulateGrad|<Invalid>|^torch\.\w+|^tensor\(|grad_fn=|^Parameter")
_SEQUENCES = frozenset({"list", "tuple", "structseq", "size"})

# Other spellings of torch's dtype names (torch.float, numpy's, tinygrad's dtypes.float ...).
_DTYPE_ALIASES = {"float": "float32", "double": "float64", "half": "float16", "long": "int64", "int": "int32",
                  "short": "int16", "cfloat": "complex64", "cdouble": "complex128", "bool_": "bool",
                  "default_float": "float32", "default_int": "int32"}
_WORD = re.compile(r"[A-Za-z_]\w*")


def dtype_name(text) -> str | None:
    """A dtype's name however an implementation prints it: ``torch.float32``, ``float32``,
    ``dtypes.float``, ``dtype('float32')``, ``<class 'numpy.float32'>`` -> ``float32``."""
    if not isinstance(text, str):
        return None
    words = _WORD.findall(text)
    name = words[-1] if words else text
    return _DTYPE_ALIASES.get(name, name)


def semantic(outcome: dict) -> dict:
    """An outcome (``outputs``, ``error``, ``warnings``) with only its semantic fields."""
    return {"outputs": _project(outcome.get("outputs")), "error": _project(outcome.get("error"))}


def semantic_pair(expected: dict, actual: dict) -> tuple:
    """Both outcomes' semantic projections; where torch's shows a string it prints or names (a node name, a
    repr), neither side's string at that place is compared."""
    projected = semantic(expected), semantic(actual)
    stack = [projected]
    while stack:
        e, a = stack.pop()
        if isinstance(e, dict) and isinstance(a, dict):
            for key in e.keys() & a.keys():
                if _names_something(e[key]):
                    e[key] = a[key] = {"kind": "name"}
                else:
                    stack.append((e[key], a[key]))
        elif isinstance(e, list) and isinstance(a, list):
            for index in range(min(len(e), len(a))):
                if _names_something(e[index]):
                    e[index] = a[index] = {"kind": "name"}
                else:
                    stack.append((e[index], a[index]))
    return projected


def _names_something(value) -> bool:
    return isinstance(value, dict) and value.get("kind") == "str" and isinstance(value.get("value"), str) \
        and _NAME_VALUE.search(value["value"]) is not None


def _project(value):
    if isinstance(value, list):
        return [_project(item) for item in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("kind")
    if "not-implemented" in value:  # a marker: what it blocks is judged where torch's value is
        return {key: (_project(item) if key == "instead" else item) for key, item in value.items()}
    if kind is None:  # a field's error entry, a graph part
        if "error" in value and len(value) == 1 and isinstance(value["error"], str):
            return {"error": value["error"].split(":", 1)[0]}  # its type, not its text
        return {key: _project(item) for key, item in value.items()}
    if kind == "tensor":
        projected = {key: _project(item) for key, item in value.items() if key not in _EXACT_TENSOR_FIELDS}
        if "dtype" in projected:
            projected["dtype"] = _dtype(projected["dtype"])
        return projected
    if kind == "ndarray":
        return {**value, "dtype": _dtype(value.get("dtype"))}
    if kind == "dtype":
        return {"kind": "dtype", "value": _dtype(value.get("value"))}
    if kind == "node":
        return {"kind": "node"}
    if kind == "error":
        return {"kind": "error", "type": value.get("type")}
    if kind == "object":
        return {"kind": "object"}
    if kind in _SEQUENCES:
        items = value["value"] if kind == "size" else value.get("items", [])
        if kind == "size":
            items = [{"kind": "int", "value": item} for item in items]
        return {"kind": "sequence", "items": [_project(item) for item in items]}
    if kind == "dict":
        return {"kind": "dict", "items": {key: _project(item) for key, item in value["items"].items()
                                          if not _EXACT_KEY.search(key)}}
    return dict(value)


def _dtype(value):
    if isinstance(value, dict):  # a marker or an error entry
        return value
    return dtype_name(value)
