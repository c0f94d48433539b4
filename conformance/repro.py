"""Standalone repro scripts: one catalogue behaviour, runnable without the catalogue.

``build(scenario, impl_name, against=None, level="exact")`` writes a short Python
script that imports the implementation under test by its module name, contains the
scenario's body and every catalogue helper it uses (functions, classes, constants,
found by walking the body's code objects), and calls ``check`` below: it runs the
body on the implementation and on torch (live, or the outcome a recording of torch
holds), with the harness's own observer (``runner.run_side``) and comparer
(``runner.judge``), prints both observations as JSON and the fields that differ, and
exits 1 while they differ at the level, 0 when they agree (2: cannot compare).

``python -m conformance repro ID [--impl M] [--against REC] [--level L] [-o FILE]``
prints or writes the script (``add_subcommand``).
"""
from __future__ import annotations

import ast
import builtins
import dis
import importlib
import inspect
import json
import math
import re
import sys
import textwrap
import types
from pathlib import Path

from .levels import DEFAULT_LEVEL, LEVELS

_CATALOGUE = "conformance.catalogue"
_GLOBAL_LOADS = {"LOAD_GLOBAL", "LOAD_NAME", "STORE_GLOBAL", "DELETE_GLOBAL", "LOAD_FROM_DICT_OR_GLOBALS"}
# Names the script itself defines: a helper of the same name would shadow them.
_RESERVED = frozenset({"sys", "impl", "torch", "check", "body", "ID", "TITLE"})


class ReproError(Exception):
    """A scenario whose repro cannot be built (a helper that cannot be inlined or imported)."""


class UnknownBehaviour(LookupError):
    """No catalogue behaviour has this id."""


# ------------------------------------------------------------------ collecting what a body uses
def _code_objects(code):
    stack = [code]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(const for const in current.co_consts if isinstance(const, types.CodeType))


def _global_names(code) -> list:
    """Names the code (and the functions, lambdas, comprehensions and classes nested in it) reads as
    globals, in first-use order. co_names also holds attribute names: only global loads are taken."""
    names = []
    for current in _code_objects(code):
        for instruction in dis.get_instructions(current):
            if instruction.opname in _GLOBAL_LOADS and instruction.argval not in names:
                names.append(instruction.argval)
    return names


def _source_names(node) -> list:
    """Names read anywhere in an AST node (decorators, defaults, class bodies: code not in a function's
    code object)."""
    names = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id not in names:
            names.append(sub.id)
    return names


def _is_literal(value) -> bool:
    if value is None or isinstance(value, (bool, int, str, bytes)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (tuple, list, set, frozenset)):
        return all(_is_literal(item) for item in value)
    if isinstance(value, dict):
        return all(_is_literal(k) and _is_literal(v) for k, v in value.items())
    return False


def _literal_text(value) -> str:
    text = repr(value)
    if isinstance(value, frozenset):
        return f"frozenset({repr(set(value)) if value else ''})"
    try:
        if ast.literal_eval(text) != value:
            raise ValueError
    except (ValueError, SyntaxError) as error:
        raise ReproError(f"constant {text[:80]} does not round-trip through repr()") from error
    return text


def _definition_source(obj, name: str) -> tuple:
    """(source text, AST node) of a catalogue function or class, dedented."""
    try:
        text = textwrap.dedent(inspect.getsource(obj))
    except (OSError, TypeError) as error:
        raise ReproError(f"no source for {name!r}: {error}") from None
    tree = ast.parse(text)
    node = tree.body[0] if tree.body else None
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Lambda) and len(tree.body) == 1:
            return text.rstrip() + "\n", node
        raise ReproError(f"lambda {name!r} is not a plain `name = lambda ...` line")
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        raise ReproError(f"source of {name!r} does not start with its definition")
    return text.rstrip() + "\n", node


class _Collector:
    """Everything a body needs, resolved in the globals of the module each piece comes from."""

    def __init__(self) -> None:
        self.imports: list = []  # "import x as y" / "from m import n" lines
        self.constants: list = []  # "NAME = repr" lines
        self.definitions: list = []  # helper sources, dependencies first
        self.bound: dict = {}  # script name -> the object it stands for
        self.unresolved: list = []

    def names_of(self, code, module_globals, extra=()) -> None:
        names = _global_names(code) if code is not None else []
        for name in names + [n for n in extra if n not in names]:
            self.resolve(name, module_globals)

    def resolve(self, name: str, module_globals: dict) -> None:
        if name.startswith("__") and name.endswith("__"):
            return
        if name not in module_globals:
            if not hasattr(builtins, name) and name not in self.unresolved:
                self.unresolved.append(name)
            return
        value = module_globals[name]
        if name in self.bound:
            if self.bound[name] is not value:
                raise ReproError(f"two different objects are both called {name!r}")
            return
        if name == "sys" and value is sys:  # the script imports it anyway
            return
        if name in _RESERVED:
            raise ReproError(f"a helper is called {name!r}, a name the repro script uses itself")
        self.bound[name] = value
        if isinstance(value, types.ModuleType):
            module = value.__name__
            self.imports.append(f"import {module}" if module == name else f"import {module} as {name}")
        elif _is_literal(value):
            self.constants.append(f"{name} = {_literal_text(value)}")
        elif isinstance(value, (types.FunctionType, type)) and _from_catalogue(value):
            self.inline(name, value)
        else:
            self.imports.append(_import_line(name, value, module_globals))

    def inline(self, name: str, value) -> None:
        own = value.__name__
        if own != name and own != "<lambda>":  # `alias = helper`: define helper, then bind the alias
            self.resolve(own, vars(sys.modules[value.__module__]))
            self.constants.append(f"{name} = {own}")
            return
        source, node = _definition_source(value, name)
        module_globals = vars(sys.modules[value.__module__])
        if isinstance(value, type):
            extra = _source_names(node)
            self.names_of(None, module_globals, extra)
            for member in vars(value).values():
                function = getattr(member, "__func__", member)
                if isinstance(function, types.FunctionType):
                    self.names_of(function.__code__, module_globals)
        else:
            outside = [*getattr(node, "decorator_list", ()), *(ast.walk(node.args) if hasattr(node, "args") else ())]
            extra = [n for part in outside for n in _source_names(part)]
            self.names_of(value.__code__, module_globals, extra)
        self.definitions.append(source)  # after everything it needs (post-order)


def _from_catalogue(obj) -> bool:
    module = getattr(obj, "__module__", "") or ""
    return module == _CATALOGUE or module.startswith(_CATALOGUE + ".")


def _import_line(name: str, value, module_globals) -> str:
    """``from module import name`` for an object an installed module provides (conformance.scenario's
    Context, ErrorRecord; a non-literal catalogue constant comes from its catalogue module)."""
    module = getattr(value, "__module__", None)
    own = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    if module and own and "." not in own:
        try:
            if getattr(importlib.import_module(module), own) is value:
                return f"from {module} import {own}" + (f" as {name}" if own != name else "")
        except (ImportError, AttributeError):
            pass
    home = module_globals.get("__name__")
    if home and home.startswith(_CATALOGUE):
        return f"from {home} import {name}"
    raise ReproError(f"cannot inline or import {name!r} ({type(value).__name__})")


def _body_source(body) -> str:
    """The body's ``def`` (decorators dropped), renamed ``body``."""
    try:
        text = textwrap.dedent(inspect.getsource(body))
    except (OSError, TypeError) as error:
        raise ReproError(f"no source for the scenario body: {error}") from None
    node = ast.parse(text).body[0]
    if not isinstance(node, ast.FunctionDef):
        raise ReproError("the scenario body is not a def")
    lines = text.splitlines()[node.lineno - 1:]
    lines[0] = re.sub(rf"^def\s+{re.escape(body.__name__)}\s*\(", "def body(", lines[0], count=1)
    if not lines[0].startswith("def body("):
        raise ReproError(f"cannot rename the body's def line: {lines[0]!r}")
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------ the script
def _scenario(scenario):
    if isinstance(scenario, str):
        from . import catalogue

        registry = catalogue.load_all()
        if scenario not in registry:
            raise UnknownBehaviour(scenario)
        return registry[scenario]
    return scenario


def _reference(against) -> tuple:
    """(value for the script's ``against=``, text for its header)."""
    if against is None:
        return None, "live torch (the installed one)"
    from . import recording

    path = recording.resolve(against)  # RecordingFileError when there is none
    text = str(against)
    if path.suffix == ".json" and (Path(text).suffix == ".json" or "/" in text or "\\" in text):
        text = str(path.resolve())  # a path: absolute, so the script runs from anywhere
    return text, f"recording {text} (no torch needed)"


def build(scenario, impl_name: str, against: str | None = None, level: str = DEFAULT_LEVEL) -> str:
    """A standalone script reproducing one behaviour (a Scenario or its id) on ``impl_name`` against
    live torch (``against=None``) or a recording (a name such as ``torch-2.13.0`` or a path)."""
    scenario = _scenario(scenario)
    if level not in LEVELS:
        raise ValueError(f"level {level!r}: expected one of {', '.join(LEVELS)}")
    against_value, reference_text = _reference(against)
    collected = _Collector()
    collected.names_of(scenario.body.__code__, scenario.body.__globals__)
    body = _body_source(scenario.body)
    source = scenario.source
    module = scenario.body.__module__
    header = [
        f"# Repro of autograd behaviour {scenario.id}: {scenario.title}",
        f"# source ({source.kind}): {source.document} -- {source.shows}",
        f"# scenario: {module} (inlined below with the helpers it uses)",
        f"# implementation: {impl_name}",
        f"# reference: {reference_text}; level: {level}",
        "# Edit body() to experiment. Exit status 0: the implementation agrees with torch; 1: they differ.",
    ]
    if collected.unresolved:
        header.append(f"# note: not found in {module}: {', '.join(collected.unresolved)}")
    imports = ["import sys", ""]
    if against_value is None:
        imports.append("import torch")
    imports += [f"import {impl_name} as impl", "from conformance.repro import check"]
    imports += collected.imports
    sections = [part.rstrip("\n") for part in
                (["\n".join(collected.constants)] if collected.constants else []) + collected.definitions + [body]]
    call_args = [f"{scenario.id!r}", f"{scenario.title!r}", "body", "impl",
                 "torch_module=torch" if against_value is None else f"against={against_value!r}", f"level={level!r}"]
    sections.append('if __name__ == "__main__":\n    sys.exit(check(\n        ' + ",\n        ".join(call_args) + "))")
    return "\n".join(header) + "\n\n" + "\n".join(imports) + "\n\n\n" + "\n\n\n".join(sections) + "\n"


def attach(result, impl_name: str, against: str | None = None, level: str = DEFAULT_LEVEL) -> None:
    """Give a result (a Result or its dict) that does not pass its repro script, for every place that shows it."""
    status = result["status"] if isinstance(result, dict) else result.status
    if status in ("pass", "skip"):
        return
    behaviour_id = result["id"] if isinstance(result, dict) else result.id
    try:
        script = build(behaviour_id, impl_name, against, level)
    except Exception as error:  # noqa: BLE001 - a missing repro must not lose the result
        script = f"# no repro: {type(error).__name__}: {error}\n"
    if isinstance(result, dict):
        result["repro"] = script
    else:
        result.repro = script


# ------------------------------------------------------------------ what the script runs
def _json(value) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False, default=str)


_documents: dict = {}  # (path, mtime, size) -> recording document: scripts exec'd in one process share it


def _read_recording(against) -> dict:
    from . import recording

    path = recording.resolve(against)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _documents:
        _documents.clear()
        _documents[key] = recording.read(path)
    return _documents[key]


def check(scenario_id: str, title: str, body, impl_module, against: str | None = None, level: str = DEFAULT_LEVEL,
          torch_module=None, stream=None) -> int:
    """Run ``body`` on ``impl_module`` and on torch (``torch_module``, imported when None) or take torch's
    outcome from the recording ``against``; print both observations and their differences.
    0: they agree at ``level``; 1: they differ; 2: nothing to compare with."""
    from . import runner
    from .scenario import Scenario, engine

    out = stream or sys.stdout
    scenario = Scenario(scenario_id, title, engine("repro script", title), body)
    impl_name = getattr(impl_module, "__name__", repr(impl_module))
    if against is not None:
        from . import recording

        try:
            document = _read_recording(against)
        except recording.RecordingFileError as error:
            print(f"repro: {error}", file=sys.stderr)
            return 2
        entry = document["observations"].get(scenario_id)
        reference = f"recording {recording.name_of(document)} ({document['path']})"
        if entry is None or entry["status"] != recording.OBSERVED:
            why = "is not in it" if entry is None else f"was not observed ({entry['status']}: {entry.get('message')})"
            print(f"repro: {scenario_id} {why}: {reference}", file=sys.stderr)
            return 2
        expected = entry["outcome"]
        version = document["torch"]["version"]
        runner.set_emulation(impl_module, version)
        try:
            actual = runner.run_side(impl_module, scenario, recording.surface_of(document))
        finally:
            if callable(getattr(impl_module, "emulate", None)):
                impl_module.emulate(None)  # back to the default choice (matters when run in-process)
    else:
        if torch_module is None:
            import torch as torch_module
        reference = f"torch {getattr(torch_module, '__version__', '?')} (live)"
        expected = runner.run_side(torch_module, scenario)
        actual = runner.run_side(impl_module, scenario)
    result = runner.judge(scenario, expected, actual, 0.0, level)
    print(f"== {scenario_id}: {title}", file=out)
    print(f"== torch: {reference}", file=out)
    print(_json(runner.comparable(expected)), file=out)
    print(f"== implementation: {impl_name}", file=out)
    print(_json(runner.comparable(actual)), file=out)
    judged = [d for d in result.diffs if level == "exact" or d["level"] == "semantic"]
    if result.diffs:
        skipped = len(result.diffs) - len(judged)
        print(f"== differences: {len(judged)} judged at level {level}"
              f"{f', {skipped} exact-only (not judged)' if skipped else ''}; [level] = the lowest level each fails",
              file=out)
        for diff in result.diffs:
            print(f"  [{diff['level']}] {runner._diff_text(diff)}", file=out)
    if result.blocked:
        print(f"== not implemented (fields not compared): {', '.join(result.blocked)}", file=out)
    statuses = ", ".join(f"{name}: {status}" for name, status in result.levels.items())
    note = f": {result.message}" if result.message and result.status != "fail" else ""
    print(f"== {result.status.upper()} at level {level} ({statuses}){note}", file=out)
    return 0 if result.status == "pass" else 1


# ------------------------------------------------------------------ command line
def add_subcommand(subparsers) -> None:
    """``python -m conformance repro ID [--impl M] [--against REC] [--level L] [-o FILE]``."""
    parser = subparsers.add_parser("repro", help="print a standalone script reproducing one behaviour")
    parser.add_argument("id", metavar="ID", help="behaviour id (see `python -m conformance list`)")
    parser.add_argument("--impl", default="reference_impl", help="module under test (default: reference_impl)")
    parser.add_argument("--against", metavar="RECORDING", default=None,
                        help="compare with a recording of torch (a name such as torch-2.13.0, or a path) "
                             "instead of the installed torch")
    parser.add_argument("--level", default=DEFAULT_LEVEL, choices=LEVELS,
                        help=f"comparison level the script judges at (default: {DEFAULT_LEVEL})")
    parser.add_argument("-o", "--output", default=None, metavar="FILE", help="write the script here (default: stdout)")
    parser.set_defaults(func=cmd_repro)


def cmd_repro(args) -> int:
    from . import recording

    try:
        script = build(args.id, args.impl, args.against, args.level)
        if args.against is not None:
            document = recording.read(args.against)
            entry = document["observations"].get(args.id)
            if entry is None or entry["status"] != recording.OBSERVED:
                why = "is not in" if entry is None else f"was not observed ({entry['status']}) in"
                print(f"conformance: {args.id} {why} the recording {document['path']}", file=sys.stderr)
                return 2
    except UnknownBehaviour:
        print(f"conformance: no behaviour {args.id!r} in the catalogue (see `python -m conformance list`)",
              file=sys.stderr)
        return 2
    except recording.RecordingFileError as error:
        print(f"conformance: {error}", file=sys.stderr)
        return 2
    except ReproError as error:
        print(f"conformance: cannot build a repro of {args.id}: {error}", file=sys.stderr)
        return 2
    if args.output:
        from .files import write_atomically

        print(f"conformance: repro written to {write_atomically(script, args.output)}", file=sys.stderr)
    else:
        sys.stdout.write(script)
    return 0
