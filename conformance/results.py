"""Results files: one JSON document per run, versioned, with run metadata.

Schema (version 1)::

    {"schema": "autograd-conformance/results", "schema_version": 1,
     "run": {torch_version, torch_git, numpy, python, platform, implementation,
             implementation_version, emulated_torch, hypothesis_profile, hypothesis_seed, date, reference},
     "results": [{id, title, category, source, status, diffs, tolerance, max_abs_error,
                  max_rel_error, duration_s, torch, impl, message}],
     "properties": [...]}
"""
from __future__ import annotations

import datetime
import importlib
import json
import os
import platform
import sys
from pathlib import Path

SCHEMA = "autograd-conformance/results"
SCHEMA_VERSION = 1


class ResultsFileError(Exception):
    """A results file that cannot be used; the message names the file."""


def _version_of(module_name: str) -> str | None:
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, "__version__", None)


def run_metadata(impl_name: str, reference: str = "torch") -> dict:
    torch_version = torch_git = None
    if "torch" in sys.modules or reference == "torch":
        try:
            import torch

            torch_version, torch_git = torch.__version__, getattr(torch.version, "git_version", None)
        except ImportError:
            pass
    impl_version = _version_of(impl_name)
    emulated = None
    if impl_name == "reference_impl":
        from reference_impl import _behaviour

        emulated = _behaviour.emulated_version()
    return {
        "torch_version": torch_version,
        "torch_git": torch_git,
        "numpy": _version_of("numpy"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "implementation": impl_name,
        "implementation_version": impl_version,
        "emulated_torch": emulated,
        "reference": reference,
        "hypothesis_profile": os.environ.get("CONFORMANCE_HYPOTHESIS_PROFILE"),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def new_run(impl_name: str, results: list, reference: str = "torch", properties: list | None = None) -> dict:
    return {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "run": run_metadata(impl_name, reference),
            "results": sorted(results, key=lambda r: r["id"]), "properties": properties or []}


def summary(run: dict) -> dict:
    counts: dict = {}
    for result in run["results"]:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    total = len(run["results"])
    return {"total": total, "counts": counts,
            "percent_pass": round(100.0 * counts.get("pass", 0) / total, 1) if total else 0.0}


def write(run: dict, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(run, indent=1, sort_keys=False, allow_nan=False))
    tmp.replace(path)  # never leave a half-written results file
    return path


def read(path) -> dict:
    """Load a results file, with an error that names it when it is missing, truncated or foreign."""
    path = Path(path)
    if not path.exists():
        raise ResultsFileError(f"{path}: no such results file")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ResultsFileError(f"{path}: not valid JSON (truncated or corrupt?): {error}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ResultsFileError(f"{path}: not an autograd-conformance results file (schema {data.get('schema')!r})"
                               if isinstance(data, dict) else f"{path}: not an autograd-conformance results file")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ResultsFileError(f"{path}: results schema version {data.get('schema_version')!r}; this tool reads "
                               f"version {SCHEMA_VERSION}. Re-run `python -m conformance run` to regenerate it.")
    for key in ("run", "results"):
        if key not in data:
            raise ResultsFileError(f"{path}: missing the {key!r} section")
    return data
