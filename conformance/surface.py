"""torch's public surface: which names and keyword arguments real PyTorch has.

It decides whether an implementation that lacks a name is *not implemented*
(torch has the name) or has an error of its own (torch does not), without torch
installed: ``capture`` reads the surface off the installed torch and every
recording carries it (``recording.record``); ``for_recording`` reads it back.

Shape (plain JSON)::

    {"modules": {"torch": [names], "torch.autograd": [...], ...},
     "classes": {"Tensor": [attributes], "Node": [...], "SGD": [...], ...},
     "keywords": {"Tensor.backward": [keyword names], "torch.tensor": [...], ...}}
"""
from __future__ import annotations

import importlib
import inspect
import json
import re

MODULES = ("torch", "torch.autograd", "torch.autograd.graph", "torch.autograd.function", "torch.autograd.forward_ad",
           "torch.autograd.functional", "torch.nn", "torch.nn.functional", "torch.nn.init", "torch.optim",
           "torch.utils", "torch.utils.checkpoint", "torch.utils.hooks", "torch.testing")

# Display name -> where the class lives in torch. "Node" and "FunctionCtx" are read off live objects too.
CLASSES = {"Tensor": "torch.Tensor", "Size": "torch.Size", "dtype": "torch.dtype", "Generator": "torch.Generator",
           "Node": "torch.autograd.graph.Node", "Function": "torch.autograd.Function",
           "FunctionCtx": "torch.autograd.function.FunctionCtx", "Module": "torch.nn.Module",
           "Linear": "torch.nn.Linear", "Sequential": "torch.nn.Sequential",
           "Optimizer": "torch.optim.Optimizer", "SGD": "torch.optim.SGD",
           "RemovableHandle": "torch.utils.hooks.RemovableHandle"}

_SIGNATURE_LINE = re.compile(r"^\s*(?:[\w.]+\.)?(\w+)\((.*)\)\s*(?:->.*)?$")


def _public(names) -> list:
    return sorted(n for n in names if not (n.startswith("__") and n.endswith("__")))


def _resolve(path: str):
    module_name, _, attribute = path.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def keyword_names(fn) -> list | None:
    """Keyword names ``fn`` accepts: from its signature, else from the ``name(a, *, b=1) -> T`` lines that
    start torch's docstrings of C functions and ``*args`` wrappers (one line per overload); None when neither
    says."""
    try:
        parameters = inspect.signature(fn).parameters.values()
        named = sorted(p.name for p in parameters
                       if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self")
        if named:
            return named
    except (TypeError, ValueError):
        pass
    names = set()
    doc = getattr(fn, "__doc__", None)
    for line in (doc if isinstance(doc, str) else "").splitlines()[:12]:
        match = _SIGNATURE_LINE.match(line)
        if match and match.group(1) == getattr(fn, "__name__", None):
            for part in match.group(2).split(","):
                name = part.split("=", 1)[0].split(":", 1)[0].strip().lstrip("*")
                if name.isidentifier() and name != "self":
                    names.add(name)
    return sorted(names) if names else None


def _live_classes(torch) -> dict:
    """Attributes of the objects a user meets but cannot import by a public path: graph nodes, ctx."""
    x = torch.ones(2, requires_grad=True)
    node_names = set()
    for node in ((x * 2).grad_fn, (x * 2).grad_fn.next_functions[0][0], (x.exp() + 1).grad_fn):
        node_names |= set(dir(node))
    captured = {}

    class Probe(torch.autograd.Function):
        @staticmethod
        def forward(ctx, value):
            captured["ctx"] = set(dir(ctx))
            return value * 1

        @staticmethod
        def backward(ctx, grad):
            return grad

    y = Probe.apply(x)
    node_names |= set(dir(y.grad_fn)) - captured.get("ctx", set())
    optimizer, linear = torch.optim.SGD([x], lr=0.1), torch.nn.Linear(2, 2)  # instance attributes: state, ...
    return {"Node": node_names, "FunctionCtx": captured.get("ctx", set()) | set(dir(y.grad_fn)),
            "SGD": set(dir(optimizer)), "Optimizer": set(dir(optimizer)), "Linear": set(dir(linear)),
            "Module": set(dir(torch.nn.Module()))}


def capture(torch=None) -> dict:
    """The surface of the installed torch (or of the given torch module)."""
    if torch is None:
        import torch
    modules, classes, keywords = {}, {}, {}
    for module_name in MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        modules[module_name] = _public(dir(module))
        for name in modules[module_name]:
            value = getattr(module, name, None)
            if callable(value) and not name.startswith("_"):  # functions and classes (their constructors)
                accepted = keyword_names(value)
                if accepted:
                    keywords[f"{module_name}.{name}"] = accepted
    for display, path in CLASSES.items():
        try:
            cls = _resolve(path)
        except (ImportError, AttributeError):
            continue
        classes[display] = set(dir(cls))
    for display, names in _live_classes(torch).items():
        classes[display] = classes.get(display, set()) | names
    for display in list(classes):
        cls_names = sorted(classes[display])  # dunders too: an operator the implementation lacks is a name
        classes[display] = cls_names
        owner = _resolve(CLASSES[display]) if display in CLASSES and display not in ("Node", "FunctionCtx") else None
        for name in cls_names:
            member = getattr(owner, name, None) if owner is not None else None
            if callable(member) and not inspect.isclass(member) and not name.startswith("_"):
                accepted = keyword_names(member)
                if accepted:
                    keywords[f"{display}.{name}"] = accepted
    return {"modules": modules, "classes": classes, "keywords": dict(sorted(keywords.items()))}


class Surface:
    """Questions about one surface: does torch have this name, does it accept this keyword?"""

    def __init__(self, data: dict | None) -> None:
        data = data or {}
        self.data = data  # plain JSON, to hand to worker processes
        self.modules = {k: frozenset(v) for k, v in (data.get("modules") or {}).items()}
        self.classes = {k: frozenset(v) for k, v in (data.get("classes") or {}).items()}
        self.keywords = {k: frozenset(v) for k, v in (data.get("keywords") or {}).items()}
        self._by_lower = {name.lower(): name for name in self.classes}

    def __bool__(self) -> bool:
        return bool(self.modules or self.classes)

    def class_named(self, type_name: str) -> str | None:
        """The torch class an implementation's class stands for, matched by name (``DType`` -> ``dtype``)."""
        return self._by_lower.get(type_name.lower())

    def has(self, owner: str, name: str) -> bool:
        """``owner``: a module path (``torch.autograd``) or a class name (``Tensor``; ``DType`` reads ``dtype``)."""
        if owner.startswith("torch"):
            names = self.modules.get(owner)
        else:
            names = self.classes.get(self.class_named(owner) or owner)
        return bool(names) and name in names

    def callables_named(self, name: str) -> list:
        """Qualified names (``Tensor.backward``, ``torch.autograd.backward``) of every torch callable called
        ``name`` that has a keyword list, Tensor methods first."""
        found = [q for q in self.keywords if q.rsplit(".", 1)[1] == name]
        return sorted(found, key=lambda q: (not q.startswith("Tensor."), q.count("."), q))

    def accepts(self, qualified: str, keyword: str) -> bool:
        return keyword in self.keywords.get(qualified, ())


def for_recording(document: dict | None) -> Surface:
    return Surface((document or {}).get("surface"))


_live: Surface | None = None


def installed() -> Surface:
    """The installed torch's surface (empty when torch is not installed), once per process: the committed
    recording of the same torch release carries it; otherwise it is captured (several seconds)."""
    global _live
    if _live is None:
        try:
            import torch
        except ImportError:
            _live = Surface(None)
            return _live
        _live = Surface(_recorded(str(torch.__version__)) or capture(torch))
    return _live


def _recorded(version: str) -> dict | None:
    from . import recording

    path = recording.RECORDINGS_DIR / recording.file_name(version)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    same_build = (document.get("torch") or {}).get("full_version") == version
    return document.get("surface") if same_build else None
