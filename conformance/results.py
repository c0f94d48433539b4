"""Results files: one JSON document per run, versioned, with run metadata.

Schema (version 1)::

    {"schema": "autograd-conformance/results", "schema_version": 1,
     "run": {torch_version, torch_git, torch_source ("live" | "recording"), numpy, python, platform,
             implementation, implementation_version, emulated_torch, hypothesis_profile, hypothesis_seed, date,
             reference, [recording: {name, file, torch_full_version, recorded, python, numpy}]},

A run checked ``--against`` a recording (conformance/recording.py) has ``torch_source`` "recording",
``torch_version`` the recorded torch's, ``reference`` "recording torch-<version>" and a ``recording``
section; its results' ``torch`` sides are the recorded observations. Files written before these
fields existed read the same (they are optional).
     "results": [{id, title, category, source, status (at the run's level), levels {semantic, exact},
                  blocked [torch names the implementation lacks], diffs [{path, expected, actual, note, level}],
                  tolerance, max_abs_error, max_rel_error, duration_s, torch, impl, message,
                  [repro: a standalone script], [expectation: {outcome, status, reason}]}],
     "properties": [...],
     "summary": summary() of the above (written for readers of the file; recomputed when read)}

``run.level`` is the level statuses are judged at ("exact" unless ``--level semantic``);
``run.expectations`` names the expectations file a run was checked with and its counts.
``run.suite_version`` is ``conformance.__version__``; ``run.catalogue`` is ``{hash, behaviours}``: a hash of
every behaviour id of the catalogue with its scenario's source hash (``recording.scenario_hash``), so
reports can tell runs of different catalogues apart. A result's ``code`` is its scenario's source.

The published JSON Schema is ``conformance/results.schema.json`` (``SCHEMA_FILE``); files are validated
against it when written and when read (``validate``), with an error naming the file, the entry and the
value. Statuses: pass, fail, error, not-implemented, timeout, crashed, skip.
"""
from __future__ import annotations

import datetime
import functools
import hashlib
import importlib
import inspect
import json
import os
import platform
import sys
import textwrap
from pathlib import Path

from .files import write_atomically
from .levels import DEFAULT_LEVEL, LEVELS

SCHEMA = "autograd-conformance/results"
SCHEMA_VERSION = 1
SCHEMA_FILE = Path(__file__).with_name("results.schema.json")


class ResultsFileError(Exception):
    """A results file that cannot be used; the message names the file."""


def _version_of(module_name: str) -> str | None:
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, "__version__", None)


def run_metadata(impl_name: str, reference: str = "torch", recording: dict | None = None,
                 emulated: str | None = None, hypothesis: dict | None = None) -> dict:
    """``recording``: the recording an ``--against`` run compared with (its torch version labels the run);
    ``hypothesis``: {"profile", "seed"} of the property tests, when they ran."""
    torch_version = torch_git = None
    if recording is not None:
        torch_version, torch_git = recording["torch"]["version"], recording["torch"].get("git")
    elif "torch" in sys.modules or reference == "torch":
        try:
            import torch

            torch_version = getattr(torch, "__version__", None)
            torch_git = getattr(getattr(torch, "version", None), "git_version", None)
        except ImportError:
            pass
    impl_version = _version_of(impl_name)
    if emulated is None and impl_name == "reference_impl":
        from reference_impl import _behaviour

        emulated = _behaviour.emulated_version()
    meta = {
        "torch_version": torch_version,
        "torch_git": torch_git,
        "torch_source": "recording" if recording is not None else "live",
        "numpy": _version_of("numpy"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "implementation": impl_name,
        "implementation_version": impl_version,
        "emulated_torch": emulated,
        "reference": reference,
        "hypothesis_profile": (hypothesis or {}).get("profile") or os.environ.get("CONFORMANCE_HYPOTHESIS_PROFILE"),
        "hypothesis_seed": (hypothesis or {}).get("seed"),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    if recording is not None:
        meta["recording"] = {"name": f"torch-{recording['torch']['version']}",
                             "file": Path(recording.get("path") or "").name or None,
                             "torch_full_version": recording["torch"].get("full_version"),
                             "recorded": (recording.get("recorded") or {}).get("date"),
                             "python": (recording.get("environment") or {}).get("python"),
                             "numpy": (recording.get("environment") or {}).get("numpy")}
    return meta


def new_run(impl_name: str, results: list, reference: str = "torch", properties: list | None = None,
            recording: dict | None = None, emulated: str | None = None, hypothesis: dict | None = None,
            level: str = DEFAULT_LEVEL) -> dict:
    run = run_metadata(impl_name, reference, recording=recording, emulated=emulated, hypothesis=hypothesis)
    run["level"] = level
    run["suite_version"] = suite_version()
    run["catalogue"] = catalogue_fingerprint()
    return {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "run": run,
            "results": sorted((with_code(r) for r in results), key=lambda r: r["id"]),
            "properties": properties or []}


def suite_version() -> str:
    from . import __version__

    return __version__


def _registry() -> dict:
    from . import catalogue

    return catalogue.load_all()


@functools.lru_cache(maxsize=None)
def _scenario_code(scenario_id: str) -> str | None:
    scenario = _registry().get(scenario_id)
    if scenario is None:
        return None
    try:
        return textwrap.dedent(inspect.getsource(scenario.body))
    except (OSError, TypeError):
        return None


def with_code(result: dict) -> dict:
    """A result with its scenario's source (``code``), when the catalogue has that scenario."""
    if result.get("code") or not isinstance(result.get("id"), str):
        return result
    code = _scenario_code(result["id"])
    return {**result, "code": code} if code else result


def catalogue_fingerprint(registry: dict | None = None) -> dict:
    """{hash, behaviours}: a hash over every behaviour id and its scenario's source hash."""
    from .recording import scenario_hash

    registry = _registry() if registry is None else registry
    digest = hashlib.sha256()
    for scenario_id in sorted(registry):
        digest.update(f"{scenario_id} {scenario_hash(registry[scenario_id])}\n".encode("utf-8"))
    return {"hash": digest.hexdigest()[:16], "behaviours": len(registry)}


def level_statuses(result: dict) -> dict:
    """A result's status per level (files written before levels existed judged everything exactly)."""
    return result.get("levels") or {level: result["status"] for level in LEVELS}


def _percent(part: int, total: int) -> float:
    return round(100.0 * part / total, 1) if total else 0.0


def summary(run: dict) -> dict:
    """Counts for a reader: statuses, pass rate per level, per category, and the missing names that block
    most behaviours."""
    results = run["results"]
    counts: dict = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    total = len(results)
    per_level = {level: sum(level_statuses(r).get(level) == "pass" for r in results) for level in LEVELS}
    categories: dict = {}
    for result in results:
        entry = categories.setdefault(result["category"], {"total": 0, **dict.fromkeys(LEVELS, 0)})
        entry["total"] += 1
        for level, status in level_statuses(result).items():
            entry[level] += status == "pass"
    blocking: dict = {}
    for result in results:
        for name in result.get("blocked") or ():
            blocking[name] = blocking.get(name, 0) + 1
    return {"total": total, "counts": counts, "percent_pass": _percent(counts.get("pass", 0), total),
            "levels": {level: {"pass": n, "percent_pass": _percent(n, total)} for level, n in per_level.items()},
            "categories": dict(sorted(categories.items())),
            "blocking": [{"name": name, "behaviours": n}
                         for name, n in sorted(blocking.items(), key=lambda item: (-item[1], item[0]))]}


@functools.lru_cache(maxsize=1)
def _validator():
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def problems(data) -> list:
    """Every way ``data`` breaks the published schema, one readable line each (the first ones first)."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [_problem_text(data, error) for error in errors]


def _problem_text(data, error) -> str:
    path = list(error.absolute_path)
    where = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path)) \
        or "the document"
    if len(path) >= 2 and path[0] in ("results", "properties") and isinstance(path[1], int):
        entries = data.get(path[0]) if isinstance(data, dict) else None
        entry = entries[path[1]] if isinstance(entries, list) and path[1] < len(entries) else None
        name = entry.get("id" if path[0] == "results" else "name") if isinstance(entry, dict) else None
        if name is not None:
            where += f" ({'behaviour' if path[0] == 'results' else 'property'} {name})"
    if error.validator == "enum":
        allowed = ", ".join("null" if v is None else str(v) for v in error.validator_value)
        return f"{where}: {error.instance!r} is not one of {allowed}"
    message = error.message if len(error.message) <= 200 else error.message[:200] + "…"
    return f"{where}: {message}"


def validate(data, path) -> None:
    """Raise ResultsFileError naming ``path``, the entry and the value when ``data`` breaks the schema."""
    found = problems(data)
    if found:
        more = f" (and {len(found) - 1} more problems)" if len(found) > 1 else ""
        raise ResultsFileError(f"{path}: {found[0]}{more}")


def write(run: dict, path) -> Path:
    document = {**run, "summary": summary(run)}
    validate(document, path)
    return write_atomically(json.dumps(document, indent=1, sort_keys=False, allow_nan=False), path)


def read(path) -> dict:
    """Load a results file, with an error that names it when it is missing, truncated or foreign."""
    path = Path(path)
    if not path.exists():
        raise ResultsFileError(f"{path}: no such results file")
    if path.is_dir():
        raise ResultsFileError(f"{path}: is a directory; give the results files in it (e.g. {path}/*.json)")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ResultsFileError(f"{path}: not valid JSON (truncated or corrupt?): {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ResultsFileError(f"{path}: cannot be read: {error}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ResultsFileError(f"{path}: not an autograd-conformance results file (schema {data.get('schema')!r})"
                               if isinstance(data, dict) else f"{path}: not an autograd-conformance results file")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ResultsFileError(f"{path}: results schema version {data.get('schema_version')!r}; this tool reads "
                               f"version {SCHEMA_VERSION}. Re-run `python -m conformance run` to regenerate it.")
    for key in ("run", "results"):
        if key not in data:
            raise ResultsFileError(f"{path}: missing the {key!r} section")
    validate(data, path)
    return data
