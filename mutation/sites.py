"""Where reference_impl can be mutated, and the mutated source of one site.

A mutant is one small change at one place in one module: an operator swapped, a condition negated, a
number moved by one, a message altered, a call statement removed. Its id names the module, the function
it is in, the kind of change and which such site of that function it is (``ops/shape.py:flatten:Lt>LtE#1``),
so ids stay stable while other functions change; the line is for people only.
"""
from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "reference_impl"

# Operator swaps: each maps to the operator a typing slip would give.
BINARY = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
          ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult, ast.LShift: ast.RShift, ast.RShift: ast.LShift,
          ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd, ast.BitXor: ast.BitOr, ast.MatMult: ast.Mult}
COMPARE = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
           ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
BOOLEAN = {ast.And: ast.Or, ast.Or: ast.And}
# Keyword arguments that document code rather than run it: reference_impl._behaviour's Feature(doc=...,
# shown_by=...) name the recordings that show a change; the engine never reads them.
DOCUMENTATION_KEYWORDS = {"doc", "shown_by"}
KINDS = ("arithmetic", "comparison", "boolean", "number", "message", "condition", "call")


@dataclass(frozen=True)
class Mutant:
    id: str
    module: str       # path inside the package, e.g. "ops/shape.py"
    line: int
    end_line: int     # the mutated code's lines (a negated condition: the condition's)
    kind: str         # one of KINDS
    change: str       # e.g. "Lt>LtE", "not(...)", "'text'>'XXtext'"
    function: str     # qualified name of the enclosing function or class, "<module>" at top level
    site: int         # index among all sites of the module, in walk order (how ``apply`` finds it)

    def as_dict(self) -> dict:
        return {"id": self.id, "module": self.module, "line": self.line, "end_line": self.end_line, "kind": self.kind,
                "change": self.change, "function": self.function}


def package_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec(PACKAGE)
    return Path(spec.origin).parent


def modules(root: Path | None = None) -> list:
    """The package's modules as paths relative to it, sorted."""
    root = package_dir() if root is None else root
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))


def source_hash(root: Path | None = None) -> str:
    """A digest of every module's text: what a coverage map or a result was computed from."""
    root = package_dir() if root is None else root
    digest = hashlib.sha256()
    for name in modules(root):
        digest.update(name.encode() + b"\0" + (root / name).read_bytes())
    return digest.hexdigest()[:16]


def _docstring_nodes(tree: ast.AST) -> set:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def _documentation_nodes(tree: ast.AST) -> set:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in DOCUMENTATION_KEYWORDS:
                    found.update(id(n) for n in ast.walk(keyword.value))
    return found


def _annotation_nodes(tree: ast.AST) -> set:
    """Nodes inside annotations: changing them changes nothing at run time (``from __future__ import annotations``)."""
    found = set()
    for node in ast.walk(tree):
        parts = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parts.append(node.returns)
            args = node.args
            parts += [a.annotation for a in args.posonlyargs + args.args + args.kwonlyargs]
            parts += [a.annotation for a in (args.vararg, args.kwarg) if a is not None]
        elif isinstance(node, ast.AnnAssign):
            parts.append(node.annotation)
        for part in parts:
            if part is not None:
                found.update(id(n) for n in ast.walk(part))
    return found


class _Walker(ast.NodeVisitor):
    """Visits a module in a fixed order, yielding (node, kind, change, replace) for every mutable site.
    ``replace`` mutates the tree in place at that site."""

    def __init__(self, tree: ast.AST) -> None:
        self.skip = _docstring_nodes(tree) | _annotation_nodes(tree) | _documentation_nodes(tree)
        self.scope: list = []
        self.sites: list = []

    def _add(self, node, kind, change, replace):
        self.sites.append((node, kind, change, replace, ".".join(self.scope) or "<module>"))

    def _scoped(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def visit_BinOp(self, node):
        self._swap(node, BINARY, "arithmetic")
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._swap(node, BINARY, "arithmetic")
        self.generic_visit(node)

    def visit_BoolOp(self, node):
        self._swap(node, BOOLEAN, "boolean")
        self.generic_visit(node)

    def _swap(self, node, table, kind):
        new = table.get(type(node.op))
        if new is not None:
            self._add(node, kind, f"{type(node.op).__name__}>{new.__name__}",
                      lambda n=node, new=new: setattr(n, "op", new()))

    def visit_Compare(self, node):
        for index, op in enumerate(node.ops):
            new = COMPARE.get(type(op))
            if new is not None:
                self._add(node, "comparison", f"{type(op).__name__}>{new.__name__}",
                          lambda n=node, i=index, new=new: n.ops.__setitem__(i, new()))
        self.generic_visit(node)

    def visit(self, node):
        if id(node) not in self.skip:
            super().visit(node)

    def visit_Constant(self, node):
        value = node.value
        if isinstance(value, bool):
            self._add(node, "boolean", f"{value}>{not value}", lambda n=node: setattr(n, "value", not n.value))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            self._add(node, "number", f"{value!r}>{value + 1!r}", lambda n=node: setattr(n, "value", n.value + 1))
        elif isinstance(value, str) and value:
            self._add(node, "message", f"{_short(value)!r}>'XX'+...",
                      lambda n=node: setattr(n, "value", "XX" + n.value))

    def visit_FormattedValue(self, node):
        self.visit(node.value)  # the format spec is not a message

    def _negate(self, node, label):
        self._add(node.test, "condition", f"{label}: not(...)",
                  lambda n=node: setattr(n, "test", ast.UnaryOp(op=ast.Not(), operand=n.test)))

    def visit_If(self, node):
        self._negate(node, "if")
        self.generic_visit(node)

    def visit_While(self, node):
        self._negate(node, "while")
        self.generic_visit(node)

    def visit_IfExp(self, node):
        self._negate(node, "ternary")
        self.generic_visit(node)

    def visit_Expr(self, node):
        if isinstance(node.value, ast.Call):
            self._add(node, "call", f"{_short(ast.unparse(node.value.func))}(...) removed",
                      lambda n=node: setattr(n, "value", ast.Constant(value=None)))
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self.visit(node.value)


def _short(text: str, width: int = 30) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def _sites(source: str) -> list:
    tree = ast.parse(source)
    walker = _Walker(tree)
    walker.visit(tree)
    return tree, walker.sites


def mutants_of(module: str, source: str) -> list:
    """Every mutant of one module (``module`` relative to the package, ``source`` its text)."""
    _, sites = _sites(source)
    counts: dict = {}
    found = []
    for index, (node, kind, change, _, function) in enumerate(sites):
        key = (function, change)
        counts[key] = counts.get(key, 0) + 1
        mutant_id = f"{module}:{function}:{change}#{counts[key]}"
        found.append(Mutant(mutant_id, module, node.lineno, node.end_lineno, kind, change, function, index))
    return found


def all_mutants(root: Path | None = None) -> list:
    root = package_dir() if root is None else root
    return [m for name in modules(root) for m in mutants_of(name, (root / name).read_text())]


def apply(mutant: Mutant, source: str) -> str:
    """The module's source with ``mutant`` applied (the rest of the module is unchanged in meaning)."""
    tree, sites = _sites(source)
    node, kind, change, replace, function = sites[mutant.site]
    if (kind, change, function) != (mutant.kind, mutant.change, mutant.function):
        raise ValueError(f"mutation: {mutant.id} does not match this source of {mutant.module} (it changed)")
    replace()
    return ast.unparse(ast.fix_missing_locations(tree))
