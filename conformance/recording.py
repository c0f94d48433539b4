"""Recordings: what real torch showed for every catalogue behaviour, kept as data.

``python -m conformance record`` runs the whole catalogue on the installed torch
only (no implementation) and writes ``conformance/recordings/torch-<version>.json``.
``python -m conformance run --against torch-2.5.1`` then checks an implementation
against that file, with no torch installed; ``python -m conformance drift A B``
lists what changed in torch between two recordings.

Schema (version 1)::

    {"schema": "autograd-conformance/recording", "schema_version": 1,
     "torch": {version, full_version, git, cuda, debug},
     "environment": {python, numpy, platform, omp_num_threads},
     "recorded": {date, tool_version, catalogue_size, duration_s},
     "surface": torch's public names and keyword arguments (conformance/surface.py; absent in old files),
     "observations": {
        "<behaviour id>": {"status": "recorded" | "timeout" | "crashed",
                           "outcome": {outputs, error, warnings[, missing]} | null,
                           "message": "" | why there is no outcome,
                           "scenario_sha256": hash of the scenario's source when recorded},
        ...}}

``outcome`` is exactly what ``runner.run_side`` observes (the ``torch`` side of a
results file). Only ``observations`` is behaviour; ``torch`` names the version and
build; ``environment`` and ``recorded`` are volatile (they differ between two
recordings of the same torch and are ignored when recordings are compared). The
file is written with one behaviour per line, so a re-recording diffs per behaviour.
"""
from __future__ import annotations

import datetime
import hashlib
import importlib
import inspect
import json
import os
import platform
import re
import textwrap
import time
from pathlib import Path

from . import __version__, surface
from .compare import compare
from .files import write_atomically
from .levels import DEFAULT_LEVEL
from .runner import Result, comparable, failure_result, judge, observe_sides, run_side, set_emulation
from .scenario import Scenario

SCHEMA = "autograd-conformance/recording"
SCHEMA_VERSION = 1
RECORDINGS_DIR = Path(__file__).parent / "recordings"
OBSERVED = "recorded"
RESULTS_SCHEMA = "autograd-conformance/results"
_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?")


class RecordingFileError(Exception):
    """A recording that cannot be used; the message names the file."""


# ------------------------------------------------------------------ versions and names
def base_version(version: str) -> str:
    """'2.13.0+cpu' -> '2.13.0' (the local build tag is not part of the behaviour's version)."""
    return str(version).split("+", 1)[0]


def version_key(version) -> tuple:
    """Sortable key for a torch version string; unknown text sorts first."""
    match = _VERSION.match(base_version(version or ""))
    if not match:
        return (-1,)
    return tuple(int(part or 0) for part in match.groups())


def file_name(version: str) -> str:
    return f"torch-{base_version(version)}.json"


def available(directory: Path | None = None) -> list:
    """(name, path) of every recording in ``directory`` (default: the committed ones), oldest torch first."""
    directory = Path(directory) if directory is not None else RECORDINGS_DIR
    paths = sorted(directory.glob("torch-*.json"), key=lambda p: version_key(p.stem[len("torch-"):]))
    return [(path.stem, path) for path in paths]


def resolve(name_or_path) -> Path:
    """A recording named like ``torch-2.5.1`` (or ``2.5.1``) in the committed folder, or a path to one."""
    text = str(name_or_path)
    path = Path(text)
    if path.suffix == ".json" or os.sep in text or path.exists():
        if not path.exists():
            raise RecordingFileError(f"{path}: no such recording file")
        return path
    stem = text if text.startswith("torch-") else f"torch-{text}"
    candidate = RECORDINGS_DIR / f"{stem}.json"
    if candidate.exists():
        return candidate
    names = ", ".join(name for name, _ in available()) or "none"
    raise RecordingFileError(f"{text}: no recording of that name in {RECORDINGS_DIR} (recorded: {names}); "
                             f"give a name such as torch-2.5.1 or a path to a recording file")


# ------------------------------------------------------------------ making one
def scenario_hash(scenario: Scenario) -> str:
    """A fingerprint of the scenario's code: tells a recording made from an older scenario body."""
    try:
        source = textwrap.dedent(inspect.getsource(scenario.body))
    except (OSError, TypeError):
        source = scenario.id
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def observe_catalogue(scenarios, namespace: str, emulate: str | None = None, progress=None,
                      surface_data: dict | None = None) -> list:
    """Each scenario on ``namespace`` alone, in worker processes (a fresh one after a hang or crash, and
    for isolated scenarios): a list of ``(scenario, status, outcome or message, seconds)``."""
    def report(done, total, scenario, outcomes):
        if progress is not None:
            progress(done, total, scenario, *outcomes[0][:2])

    observed = observe_sides(scenarios, [(namespace, emulate, surface_data)], report)
    return [(scenario, *outcomes[0]) for scenario, outcomes in zip(scenarios, observed)]


def torch_metadata(namespace: str = "torch") -> dict:
    """Version and build of the module recorded (torch; ImportError when it is not installed)."""
    module = importlib.import_module(namespace)
    full = str(getattr(module, "__version__", "0.0.0"))
    version_info = getattr(module, "version", None)
    return {"version": base_version(full), "full_version": full,
            "git": getattr(version_info, "git_version", None), "cuda": getattr(version_info, "cuda", None),
            "debug": bool(getattr(version_info, "debug", False))}


def environment_metadata() -> dict:
    try:
        import numpy

        numpy_version = numpy.__version__
    except ImportError:
        numpy_version = None
    return {"python": platform.python_version(), "numpy": numpy_version, "platform": platform.platform(),
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS")}


def record(scenarios, namespace: str = "torch", progress=None) -> dict:
    """Run ``scenarios`` on the installed torch alone and return the recording document."""
    meta = torch_metadata(namespace)
    torch_surface = surface.capture() if namespace == "torch" else None  # other namespaces: harness tests
    started = time.perf_counter()
    observed = observe_catalogue(scenarios, namespace, progress=progress, surface_data=torch_surface)
    observations = {}
    for scenario, status, payload, _ in observed:
        ok = status == "ok"
        outcome = {key: value for key, value in payload.items() if key != "raised_at"} if ok else None
        observations[scenario.id] = {"status": OBSERVED if ok else status, "outcome": outcome,
                                     "message": "" if ok else str(payload),
                                     "scenario_sha256": scenario_hash(scenario)}
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "torch": meta,
        "environment": environment_metadata(),
        "recorded": {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                     "tool_version": __version__, "catalogue_size": len(observations),
                     "duration_s": round(time.perf_counter() - started, 1)},
        "surface": torch_surface,
        "observations": dict(sorted(observations.items())),
    }


# ------------------------------------------------------------------ files
def dumps(document: dict) -> str:
    """JSON with the metadata indented and one behaviour per line (diff-friendly, compact)."""
    head = {key: value for key, value in document.items() if key != "observations"}
    lines = ["{"]
    for key, value in head.items():
        lines.append(f" {json.dumps(key)}: {json.dumps(value, sort_keys=True, allow_nan=False)},")
    lines.append(' "observations": {')
    items = sorted(document.get("observations", {}).items())
    for index, (behaviour_id, entry) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        lines.append(f"  {json.dumps(behaviour_id)}: "
                     f"{json.dumps(entry, sort_keys=True, ensure_ascii=False, allow_nan=False)}{comma}")
    lines += [" }", "}", ""]
    return "\n".join(lines)


def write(document: dict, path) -> Path:
    return write_atomically(dumps(document), path)  # never leave half a recording


def read(name_or_path) -> dict:
    """Load a recording (a committed name or a path), with an error naming the file when it is missing,
    truncated, foreign or of another schema version."""
    path = resolve(name_or_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise RecordingFileError(f"{path}: not valid JSON (truncated or corrupt?): {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise RecordingFileError(f"{path}: cannot be read: {error}") from None
    return validate(data, path)


def validate(data, path) -> dict:
    if not isinstance(data, dict):
        raise RecordingFileError(f"{path}: not an autograd-conformance recording (a JSON {type(data).__name__})")
    schema = data.get("schema")
    if schema == RESULTS_SCHEMA:
        raise RecordingFileError(f"{path}: a results file, not a recording; record one with "
                                 f"`python -m conformance record`, or render results with `python -m conformance report`")
    if schema != SCHEMA:
        raise RecordingFileError(f"{path}: not an autograd-conformance recording (schema {schema!r})")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise RecordingFileError(f"{path}: recording schema version {data.get('schema_version')!r}; this tool "
                                 f"reads version {SCHEMA_VERSION}. Re-record it with `python -m conformance record`.")
    for key in ("torch", "observations"):
        if not isinstance(data.get(key), dict):
            raise RecordingFileError(f"{path}: missing the {key!r} section")
    if not data["torch"].get("version"):
        raise RecordingFileError(f"{path}: the 'torch' section names no version")
    for behaviour_id, entry in data["observations"].items():
        if not isinstance(entry, dict) or entry.get("status") not in (OBSERVED, "timeout", "crashed") \
                or (entry.get("status") == OBSERVED and not isinstance(entry.get("outcome"), dict)):
            raise RecordingFileError(f"{path}: observation {behaviour_id!r} is malformed")
    data["path"] = str(path)
    return data


def surface_of(document: dict) -> "surface.Surface":
    """The torch surface a recording carries (read once per document)."""
    cached = _surface_objects.get(id(document))
    if cached is None or cached[0] is not document:
        cached = _surface_objects[id(document)] = (document, surface.Surface(surface_data_of(document)))
    return cached[1]


_surface_objects: dict = {}  # id(document) -> (document, Surface); the document is kept so its id stays unique


def surface_data_of(document: dict) -> dict | None:
    """A recording's surface data; for a recording made before surfaces were recorded, the one of the
    nearest recorded release that has one (names rarely disappear between neighbouring releases)."""
    if document.get("surface"):
        return document["surface"]
    wanted = _release_number(document["torch"]["version"])
    recorded = _recorded_surfaces()
    if not recorded:
        return None
    return recorded[min(recorded, key=lambda version: abs(_release_number(version) - wanted))]


def _release_number(version: str) -> int:
    key = version_key(version) + (0, 0)
    return key[0] * 1000 + key[1]


_surfaces: dict | None = None


def _recorded_surfaces() -> dict:
    """torch version -> surface, of the committed recordings that carry one (read once per process)."""
    global _surfaces
    if _surfaces is None:
        _surfaces = {}
        for name, path in available():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            if data.get("surface"):
                _surfaces[name[len("torch-"):]] = data["surface"]
    return _surfaces


def name_of(document: dict) -> str:
    return f"torch-{base_version(document['torch']['version'])}"


# ------------------------------------------------------------------ checking an implementation against one
def judge_against(scenario: Scenario, entry: dict | None, status: str, payload, seconds: float,
                  level: str = DEFAULT_LEVEL) -> Result:
    """One behaviour: the implementation's outcome (``status`` "ok") against the recorded one."""
    if entry is None:
        return failure_result(scenario, "error", "not in the recording (recorded before this behaviour existed: "
                                                 "re-record it)", seconds)
    if entry["status"] != OBSERVED:
        return failure_result(scenario, "error", f"torch itself gave no observation when recorded "
                                                 f"({entry['status']}: {entry.get('message', '')})", seconds)
    if status != "ok":
        return failure_result(scenario, status, str(payload), seconds)
    result = judge(scenario, entry["outcome"], payload, seconds, level)
    if entry.get("scenario_sha256") not in (None, scenario_hash(scenario)):
        note = "the scenario's code changed since this recording was made (re-record it)"
        result.message = f"{note}; {result.message}" if result.message else note
    return result


def run_against(scenarios, impl_name: str, document: dict, progress=None, level: str = DEFAULT_LEVEL) -> list:
    """Every scenario on the implementation alone (emulating the recorded torch version where it can),
    compared with the recording. Scenarios the recording lacks are left out (see ``missing_from``)."""
    version = document["torch"]["version"]
    present = [s for s in scenarios if s.id in document["observations"]]
    results = []

    def report(done, total, scenario, status, payload):
        result = judge_against(scenario, document["observations"].get(scenario.id), status, payload, 0.0, level)
        results.append(result)
        if progress is not None:
            progress(done, total, result)

    observed = observe_catalogue(present, impl_name, emulate=version, progress=report,
                                 surface_data=surface_data_of(document))
    for result, (_, _, _, seconds) in zip(results, observed):
        result.duration_s = round(seconds, 6)
    return results


def missing_from(scenarios, document: dict) -> list:
    return [s.id for s in scenarios if s.id not in document["observations"]]


def coverage(document: dict, catalogue_ids) -> tuple:
    """(behaviours of the catalogue the recording lacks, behaviours it holds that the catalogue no longer
    has), both sorted: a complete recording has neither."""
    ids, observed = set(catalogue_ids), set(document["observations"])
    return sorted(ids - observed), sorted(observed - ids)


def run_side_against(scenario: Scenario, impl_ns, document: dict, level: str = DEFAULT_LEVEL) -> Result:
    """In this process (for pytest): one behaviour on ``impl_ns`` emulating the recording's version."""
    start = time.perf_counter()
    set_emulation(impl_ns, document["torch"]["version"])
    try:
        outcome = run_side(impl_ns, scenario, surface_of(document))
    finally:
        if callable(getattr(impl_ns, "emulate", None)):
            impl_ns.emulate(None)  # back to the default choice
    return judge_against(scenario, document["observations"].get(scenario.id), "ok", outcome,
                         time.perf_counter() - start, level)


# ------------------------------------------------------------------ comparing two recordings
def behaviour_changes(old: dict, new: dict) -> list:
    """Per behaviour in either recording: how the observation changed from ``old`` to ``new``.

    Each entry: ``{"id", "change": "changed" | "added" | "removed" | "status", "diffs": [{path, old, new, note}]}``;
    unchanged behaviours are left out. Field differences come from compare.py (values within the
    dtype's tolerance are equal), and a field the newer recording shows as a missing-name marker is one too.
    Only observations are compared: metadata never counts.
    """
    old_obs, new_obs = old["observations"], new["observations"]
    changes = []
    for behaviour_id in sorted(set(old_obs) | set(new_obs)):
        before, after = old_obs.get(behaviour_id), new_obs.get(behaviour_id)
        if before is None or after is None:
            changes.append({"id": behaviour_id, "change": "added" if before is None else "removed", "diffs": []})
            continue
        if before["status"] != after["status"]:
            changes.append({"id": behaviour_id, "change": "status",
                            "diffs": [{"path": "status", "old": _status_text(before), "new": _status_text(after),
                                       "note": ""}]})
            continue
        if before["status"] != OBSERVED:
            continue
        old_outcome, new_outcome = comparable(before["outcome"]), comparable(after["outcome"])
        comparison = compare(old_outcome, new_outcome)
        diffs = [{"path": d.path, "old": d.expected, "new": d.actual, "note": d.note} for d in comparison.diffs]
        # A field the newer torch could not show (it lacks the name) is a change between releases too.
        diffs += [{"path": b["path"] or "(whole observation)", "old": _value_at(old_outcome, b["path"]),
                   "new": _value_at(new_outcome, b["path"]), "note": f"torch {new['torch']['version']} has no {b['name']}"}
                  for b in comparison.blocked]
        if diffs:
            changes.append({"id": behaviour_id, "change": "changed", "diffs": diffs})
    return changes


def _value_at(outcome, path: str):
    from .drift import lookup

    try:
        return lookup(outcome, path) if path else outcome
    except KeyError:
        return "<missing>"


def _status_text(entry: dict) -> str:
    return entry["status"] if entry["status"] == OBSERVED else f"{entry['status']}: {entry.get('message', '')}"

