"""Which torch name an implementation lacks, read off an exception it raised.

An AttributeError on an implementation's tensor, node, module or class whose
torch counterpart has that name (per torch's surface, conformance/surface.py)
means *not implemented* (``Tensor.retains_grad``); so does a TypeError for a
keyword torch accepts (``Tensor.backward(retain_graph=)``) and the
implementation's own NotImplementedError. Anything else, such as an
AttributeError on a name torch does not have (``DType.split``), is the
implementation's own error.
"""
from __future__ import annotations

import re
import traceback
import types

from .observe import clean_message, looks_like_node
from .surface import Surface

_KEYWORD = re.compile(r"^(?P<function>[\w.<>]+)\(\) got an unexpected keyword argument '(?P<keyword>\w+)'")
_POSITIONAL = re.compile(r"^(?P<function>[\w.]+)\(\) takes .* positional arguments? but \d+ (?:was|were) given")
# Python's TypeErrors for an operator or protocol a class lacks -> (pattern, dunder name, which operand owns it)
_OPERATORS = {"<": "lt", ">": "gt", "<=": "le", ">=": "ge", "+": "add", "-": "sub", "*": "mul", "/": "truediv",
              "//": "floordiv", "%": "mod", "** or pow()": "pow", "@": "matmul", "&": "and", "|": "or", "^": "xor"}
_PROTOCOLS = ((re.compile(r"^'([^']+)' not supported between instances of '(\w+)' and '(\w+)'"), "compare"),
              (re.compile(r"^unsupported operand type\(s\) for (.+): '(\w+)' and '(\w+)'"), "binary"),
              (re.compile(r"^'(\w+)' object does not support item assignment"), "__setitem__"),
              (re.compile(r"^'(\w+)' object is not subscriptable"), "__getitem__"),
              (re.compile(r"^'(\w+)' object is not iterable"), "__iter__"),
              (re.compile(r"^object of type '(\w+)' has no len\(\)"), "__len__"),
              (re.compile(r"^bad operand type for unary (.): '(\w+)'"), "unary"))
_UNARY = {"-": "__neg__", "+": "__pos__", "~": "__invert__"}


def torch_name(error: BaseException, t, surface: Surface, captured: bool = False) -> str | None:
    """The missing torch name behind ``error`` raised by implementation ``t``; None when it is not one.
    ``captured``: the scenario caught the error on purpose, so a NotImplementedError is an observation."""
    if isinstance(error, NotImplementedError) and not captured:
        return clean_message(str(error)) or "NotImplementedError"
    if isinstance(error, AttributeError) and getattr(error, "name", None):
        return _attribute(error, t, surface)
    if isinstance(error, TypeError):
        message = str(error)
        return _keyword(message, surface) or _positional(message, surface) or _protocol(message, surface)
    return None


def _attribute(error: AttributeError, t, surface: Surface) -> str | None:
    obj, name = getattr(error, "obj", None), error.name
    if obj is None or isinstance(obj, (bool, int, float, str, bytes, list, tuple, dict, set)):
        return None  # e.g. None.variable: the scenario saw something else, not a missing torch name
    if hasattr(obj if isinstance(obj, type) or _is_namespace(obj) else type(obj), name):
        return None  # the name exists: an AttributeError from inside it is the implementation's own error
    if not surface:  # no surface known: take the implementation's word that it lacks the name
        return f"{_owner_names(obj, t)[0]}.{name}"
    for owner in _owner_names(obj, t):
        if surface.has(owner, name):
            return f"{owner if owner.startswith('torch') else surface.class_named(owner) or owner}.{name}"
    return None


def _owner_names(obj, t) -> list:
    """What ``obj`` stands for in torch, most specific first: a module path (``torch.autograd``) or class
    names (``Tensor``, ``Node``, ``SGD``, ``FunctionCtx``)."""
    if _is_namespace(obj):
        return [_torch_path(obj, t) or getattr(obj, "__name__", type(obj).__name__)]
    cls = obj if isinstance(obj, type) else type(obj)
    tensor_class = getattr(t, "Tensor", None)
    if isinstance(tensor_class, type) and issubclass(cls, tensor_class):
        return ["Tensor"]
    path = _torch_path(cls, t)
    names = [path.rsplit(".", 1)[1]] if path else []
    names += [base.__name__ for base in cls.__mro__ if base is not object]
    if looks_like_node(obj):
        names.append("Node")
    names.append("FunctionCtx")  # ctx objects of custom Functions have engine-specific class names
    return list(dict.fromkeys(names))


def _is_namespace(obj) -> bool:
    """A module, or a plain namespace object an adapter uses as one (``autograd = SimpleNamespace(...)``)."""
    return isinstance(obj, (types.ModuleType, types.SimpleNamespace))


def _torch_path(target, t, depth: int = 3) -> str | None:
    """``torch.<path>`` where implementation ``t`` exposes ``target`` (a namespace or class), breadth first."""
    frontier = [("torch", t)]
    seen = {id(t)}
    for _ in range(depth):
        next_frontier = []
        for path, namespace in frontier:
            if namespace is target:
                return path
            for name, value in list(vars(namespace).items()):
                if name.startswith("_") or id(value) in seen:
                    continue
                if value is target:
                    return f"{path}.{name}"
                if _is_namespace(value):
                    seen.add(id(value))
                    next_frontier.append((f"{path}.{name}", value))
        frontier = next_frontier
    return None


def _keyword(message: str, surface: Surface) -> str | None:
    match = _KEYWORD.match(message)
    if not match:
        return None
    function, keyword = match.group("function"), match.group("keyword")
    owner, _, short = function.removesuffix(".__init__").rpartition(".")  # SGD.__init__(): SGD's keywords
    candidates = surface.callables_named(short)
    if owner:
        torch_class = surface.class_named(owner) or owner
        candidates = [q for q in candidates if q.startswith(f"{torch_class}.")] or candidates
    for qualified in candidates:
        if surface.accepts(qualified, keyword):
            return f"{qualified}({keyword}=)"
    return None


def _positional(message: str, surface: Surface) -> str | None:
    """``Tensor.reshape() takes 2 positional arguments but 3 were given``: a calling form torch accepts."""
    match = _POSITIONAL.match(message)
    if not match:
        return None
    owner, _, short = match.group("function").rpartition(".")
    torch_class = surface.class_named(owner) if owner else None
    if torch_class and surface.has(torch_class, short):
        return f"{torch_class}.{short}(more positional arguments)"
    return None


def _protocol(message: str, surface: Surface) -> str | None:
    """An operator or protocol (``x > 0``, ``x[0] = 1``) of a class whose torch counterpart has it."""
    for pattern, kind in _PROTOCOLS:
        match = pattern.match(message)
        if not match:
            continue
        if kind == "compare":
            symbol, owner = match.group(1), match.group(2)
            dunder = f"__{_OPERATORS.get(symbol, '')}__"
        elif kind == "binary":
            symbol, left, right = match.groups()
            torch_left = surface.class_named(left)
            owner = left if torch_left else right
            dunder = f"__{'' if torch_left else 'r'}{_OPERATORS.get(symbol, '')}__"
        elif kind == "unary":
            owner, dunder = match.group(2), _UNARY.get(match.group(1), "")
        else:
            owner, dunder = match.group(1), kind
        torch_class = surface.class_named(owner)
        if torch_class and surface.has(torch_class, dunder):
            return f"{torch_class}.{dunder}"
        return None
    return None


def last_frame(error: BaseException) -> str:
    """Where the error was raised: ``file:line in function`` of its traceback's last frame."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return ""
    frame = frames[-1]
    return f"{frame.filename}:{frame.lineno} in {frame.name}"
