"""Which behaviours run which lines of the engine (coverage.py with one context per behaviour), so a
mutant is checked by the behaviours that execute the code it changed, and by no other: one that never
runs the changed function cannot notice it.

A change at module or class level runs at import, so every behaviour checks it. A change to a function's
default argument or decorator runs at import too, but shows through calls: the behaviours that run the
function's body check it.
"""
from __future__ import annotations

import ast

from . import execute, probe, sites


IMPORT = ("", "import")  # stands for "ran while the engine was imported"


def _collect_job(engine, batch, docs, coverage_obj) -> tuple:
    failures = []
    try:
        for pair in batch:
            coverage_obj.switch_context("|".join(pair))
            failures += probe.run(engine, [pair], docs, stop_at_first=False)[0]
    finally:
        coverage_obj.stop()
    data = coverage_obj.get_data()
    root = str(sites.package_dir())
    lines = {}
    for path in data.measured_files():
        if path.startswith(root):
            module = path[len(root) + 1:]
            lines[module] = {line: set(contexts) for line, contexts in data.contexts_by_lineno(path).items()}
    return ("unnoticed", (lines, failures))


def collect(plans, docs) -> tuple:
    """Run every batch of ``plans`` on the unmutated engine: (module -> line -> set of (recording, scenario
    id) that run it, the behaviours that already fail, as (pair, status, message))."""
    import coverage

    merged: dict = {}
    failing: list = []
    for batch in plans:
        tracer = coverage.Coverage(data_file=None, include=[str(sites.package_dir() / "*")], branch=False)
        kind, payload = execute.in_fork(None, None, _traced(tracer), (batch, docs), timeout=300,
                                        before_import=tracer.start)  # import-time lines count too
        if kind != "unnoticed":
            raise RuntimeError(f"mutation: collecting coverage failed on {batch[0]}: {kind} {payload}")
        lines_by_module, failures = payload
        failing += failures
        for module, lines in lines_by_module.items():
            target = merged.setdefault(module, {})
            for line, contexts in lines.items():
                target.setdefault(line, set()).update(tuple(c.split("|", 1)) if c else IMPORT for c in contexts)
    return merged, failing


def _traced(tracer):
    def job(engine, batch, docs):
        return _collect_job(engine, batch, docs, tracer)
    return job


class Reach:
    """The behaviours that can notice each mutant. A function that runs while the engine is imported
    (building dtypes, op tables) affects every behaviour, like module-level code."""

    def __init__(self, lines: dict) -> None:
        self.lines = lines
        self._trees: dict = {}

    def _scopes(self, module: str) -> list:
        """(first line, last line, body lines, is function) of every def and class of ``module``."""
        if module not in self._trees:
            tree = ast.parse((sites.package_dir() / module).read_text())
            scopes = []
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    body = (node.body[0].lineno, node.body[-1].end_lineno)
                    scopes.append((node.lineno, node.end_lineno, body, not isinstance(node, ast.ClassDef)))
            self._trees[module] = scopes
        return self._trees[module]

    def _ran(self, module: str, first: int, last: int) -> set | None:
        """The behaviours that run any of these lines; None (all of them) if one runs at import."""
        found: set = set()
        table = self.lines.get(module, {})
        for line in range(first, last + 1):
            found |= table.get(line, set())
        return None if IMPORT in found else found

    def pairs(self, mutant: sites.Mutant) -> set | None:
        """The behaviours that run the mutated code; None for all of them (code that runs at import)."""
        enclosing = [s for s in self._scopes(mutant.module) if s[0] <= mutant.line <= s[1]]
        functions = [s for s in enclosing if s[3]]
        if not functions:
            return None
        innermost = max(functions, key=lambda s: s[0])
        # Every behaviour that runs the function, not only the changed line: a line behind a cache (say
        # a class made once per name) runs for the first behaviour that gets there, while later ones
        # depend on it all the same. Default arguments and decorators show through calls too.
        body_first, body_last = innermost[2]
        return self._ran(mutant.module, body_first, body_last)


def restrict(plan, pairs) -> list:
    """The plan's batches with only ``pairs`` kept (all when ``pairs`` is None), empty batches dropped."""
    if pairs is None:
        return plan
    kept = [[pair for pair in batch if pair in pairs] for batch in plan]
    return [batch for batch in kept if batch]
