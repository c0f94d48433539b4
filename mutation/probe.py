"""Running catalogue behaviours on reference_impl against recordings, in this process: the unit of work
for both the coverage map (which behaviours run which lines) and a mutant's check (does any of them
notice the change). One behaviour is one (recording, scenario id) pair."""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import time
from pathlib import Path

from conformance import catalogue, recording
from conformance.recording import run_side_against

from .sites import PACKAGE

LEVEL = "exact"  # the strictest level: a semantic difference fails it too


def documents(recordings) -> dict:
    """name -> document of each (name, path) given, in that order."""
    return {name: recording.read(path) for name, path in recordings}


def noticed(result) -> bool:
    return result.status != "pass" or any(status != "pass" for status in result.levels.values())


def run(engine, pairs, docs: dict, stop_at_first: bool = True):
    """Run (recording, scenario id) pairs on ``engine``; returns [(pair, status, message, seconds)] of the
    behaviours that noticed something (only the first with ``stop_at_first``) and the seconds per pair."""
    registry = catalogue.load_all()
    found, seconds = [], {}
    for pair in pairs:
        name, scenario_id = pair
        start = time.perf_counter()
        try:
            result = run_side_against(registry[scenario_id], engine, docs[name], LEVEL)
            verdict = (result.status, result.message) if noticed(result) else None
        except Exception as exc:  # noqa: BLE001 - the harness itself broke on this engine: noticed
            verdict = ("error", f"{type(exc).__name__}: {exc}")
        seconds[pair] = time.perf_counter() - start
        if verdict is not None:
            found.append((pair, *verdict))
            if stop_at_first:
                break
    return found, seconds


class _MutatedSource(importlib.abc.SourceLoader):
    """Loads one module of the package from a mutated text (no bytecode cache is read or written)."""

    def __init__(self, path: Path, source: str) -> None:
        self.path, self.source = path, source

    def get_filename(self, fullname):
        return str(self.path)

    def get_data(self, path):
        return self.source.encode()


class _MutantFinder(importlib.abc.MetaPathFinder):
    def __init__(self, fullname: str, path: Path, source: str) -> None:
        self.fullname, self.path, self.source = fullname, path, source

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.fullname:
            return None
        package_dirs = [str(self.path.parent)] if self.path.name == "__init__.py" else None
        return importlib.util.spec_from_file_location(fullname, self.path, loader=_MutatedSource(self.path, self.source),
                                                      submodule_search_locations=package_dirs)


def module_name(module: str) -> str:
    """"ops/shape.py" -> "reference_impl.ops.shape"."""
    parts = [PACKAGE, *module[:-3].split("/")]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_engine(root: Path, module: str | None = None, source: str | None = None):
    """Import the package, with ``module`` (relative path) taken from ``source`` when given. Must run in a
    process that has not imported it yet."""
    if any(name == PACKAGE or name.startswith(PACKAGE + ".") for name in sys.modules):
        raise RuntimeError(f"mutation: {PACKAGE} is already imported in this process")
    if module is not None:
        sys.meta_path.insert(0, _MutantFinder(module_name(module), root / module, source))
    return importlib.import_module(PACKAGE)
