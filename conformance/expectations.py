"""Expectations files: an implementation's known gaps, so CI stays green on them and goes red on a regression.

A TOML file of entries, first match wins::

    [[expect]]
    id = "hooks.*"                # a behaviour id or a glob
    status = "not-implemented"    # fail | not-implemented | error | skip
    reason = "no tensor hooks yet"
    torch = ">=2.0,<2.14"         # optional: the torch versions it applies to (PEP 440 specifiers)
    level = "exact"               # optional: only when the run is judged at this level

A result that matches its entry's status is *expected*; one that passes where
an entry expected otherwise is *xpass*; any other non-passing result is
*unexpected*. Each level a run judges is checked (a run at the exact level
judges the semantic fields too), so an engine expected to fail the exact level
still goes red when its values change. ``error`` also covers timeouts and
crashes; ``skip`` entries are not run at all.
"""
from __future__ import annotations

import fnmatch
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from .files import write_atomically
from .levels import LEVELS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

STATUSES = ("fail", "not-implemented", "error", "skip")
_COVERS = {"error": ("error", "timeout", "crashed")}
_KEYS = {"id", "status", "reason", "torch", "level"}


class ExpectationsError(Exception):
    """An expectations file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Expectation:
    pattern: str
    status: str
    reason: str
    torch: SpecifierSet | None = None
    level: str | None = None
    index: int = 0  # position in the file, for messages

    def applies(self, behaviour_id: str, torch_version: str | None, level: str) -> bool:
        if not fnmatch.fnmatchcase(behaviour_id, self.pattern):
            return False
        if self.level is not None and self.level != level:
            return False
        if self.torch is not None and torch_version is not None:
            return self.torch.contains(torch_version.split("+", 1)[0], prereleases=True)
        return True

    def describe(self) -> str:
        return f"entry {self.index + 1} (id = {self.pattern!r})"


def load(path) -> list:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExpectationsError(f"{path}: no such expectations file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ExpectationsError(f"{path}: cannot be read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ExpectationsError(f"{path}: not valid TOML: {error}") from None
    unknown = set(data) - {"expect"}
    if unknown:
        raise ExpectationsError(f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}; "
                                f"entries go in [[expect]] tables")
    entries = data.get("expect", [])
    if not isinstance(entries, list):
        raise ExpectationsError(f"{path}: 'expect' must be an array of tables ([[expect]])")
    return [_entry(path, index, entry) for index, entry in enumerate(entries)]


def _entry(path: Path, index: int, entry) -> Expectation:
    where = f"{path}: entry {index + 1}"
    if not isinstance(entry, dict):
        raise ExpectationsError(f"{where}: not a table")
    unknown = set(entry) - _KEYS
    if unknown:
        raise ExpectationsError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} "
                                f"(allowed: {', '.join(sorted(_KEYS))})")
    for key in ("id", "status", "reason"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise ExpectationsError(f"{where}: {key!r} is required (a non-empty string)")
    if entry["status"] not in STATUSES:
        raise ExpectationsError(f"{where}: status {entry['status']!r} is not one of {', '.join(STATUSES)}")
    level = entry.get("level")
    if level is not None and level not in LEVELS:
        raise ExpectationsError(f"{where}: level {level!r} is not one of {', '.join(LEVELS)}")
    torch = None
    if entry.get("torch") is not None:
        try:
            torch = SpecifierSet(str(entry["torch"]))
        except InvalidSpecifier:
            raise ExpectationsError(f"{where}: torch {entry['torch']!r} is not a version range such as "
                                    f"'>=2.0,<2.14'") from None
    return Expectation(entry["id"], entry["status"], entry["reason"], torch, level, index)


def find(expectations, behaviour_id: str, torch_version: str | None, level: str) -> Expectation | None:
    return next((e for e in expectations if e.applies(behaviour_id, torch_version, level)), None)


def covered(status: str) -> tuple:
    """The result statuses an entry of ``status`` expects."""
    return _COVERS.get(status, (status,))


def outcome(status: str, expectation: Expectation | None) -> str:
    """``pass``, ``expected``, ``xpass`` or ``unexpected`` for a result of ``status``."""
    if status == "pass":
        return "xpass" if expectation is not None and expectation.status != "skip" else "pass"
    if expectation is not None and status in covered(expectation.status):
        return "expected"
    return "unexpected"


_ORDER = ("unexpected", "xpass", "expected", "pass")  # the worst outcome of a result's levels is its outcome


def judged_levels(level: str) -> tuple:
    """The levels a run judged at ``level`` checks: exact judges the semantic fields too."""
    return ("semantic",) if level == "semantic" else LEVELS


def verdict(result: dict, expectations, torch_version: str | None, level: str) -> tuple:
    """(outcome, the entry behind it) of a result dict, over every level the run judges: a value regression
    shows at the semantic level even where the exact level was expected to fail anyway."""
    statuses = result.get("levels") or dict.fromkeys(LEVELS, result["status"])
    found = []
    for each in judged_levels(level):
        entry = find(expectations, result["id"], torch_version, each)
        found.append((outcome(statuses.get(each, result["status"]), entry), entry))
    found.sort(key=lambda pair: _ORDER.index(pair[0]))
    worst, entry = found[0]
    return worst, entry or next((e for _, e in found if e is not None), None)


def apply(results: list, expectations, torch_version: str | None, level: str) -> dict:
    """Mark each result dict with its ``expectation`` (outcome, expected status, reason); return the counts
    and the entries that matched no behaviour."""
    counts = dict.fromkeys(_ORDER, 0)
    used = set()
    for result in results:
        for each in judged_levels(level):
            entry = find(expectations, result["id"], torch_version, each)
            if entry is not None:
                used.add(entry.index)
        outcome_, expectation = verdict(result, expectations, torch_version, level)
        counts[outcome_] += 1
        if expectation is not None or outcome_ != "pass":
            result["expectation"] = {"outcome": outcome_, "status": getattr(expectation, "status", None),
                                     "reason": getattr(expectation, "reason", None)}
    return {"counts": counts, "unused": [e.describe() for e in expectations if e.index not in used]}


def unmatched(expectations, behaviour_ids) -> list:
    """Entries whose id matches no behaviour of the catalogue (stale or misspelt)."""
    return [e.describe() for e in expectations if not any(fnmatch.fnmatchcase(b, e.pattern) for b in behaviour_ids)]


def baseline(results: list, header: str = "") -> str:
    """An expectations file for a run: an entry per behaviour and level that did not pass (one entry when both
    levels agree), its reason the first difference at that level."""
    lines = [f"# {line}" for line in header.splitlines()] + ([""] if header else [])
    for result in sorted(results, key=lambda r: r["id"]):
        statuses = result.get("levels") or dict.fromkeys(LEVELS, result["status"])
        if all(status == "pass" for status in statuses.values()):
            continue
        agree = len(set(statuses.values())) == 1
        for level in (None,) if agree else LEVELS:
            status = statuses[level or "exact"]
            if status == "pass":
                continue
            lines += ["[[expect]]", f"id = {json.dumps(result['id'])}",
                      f"status = {json.dumps(status if status in STATUSES else 'error')}",
                      f"reason = {json.dumps(_reason(result, level), ensure_ascii=False)}"]
            lines += [f"level = {json.dumps(level)}"] if level else []
            lines.append("")
    return "\n".join(lines)


def _reason(result: dict, level: str | None) -> str:
    """The first difference at ``level`` (any level: None), else the result's message."""
    diffs = [d for d in result.get("diffs") or () if level is None or level == "exact" or d.get("level") == level]
    if diffs and (result["status"] == "fail" or level == "semantic"):
        first = diffs[0]
        text = f"{first['path']}: torch {first['expected']!r} != implementation {first['actual']!r}"
    elif result.get("blocked"):
        text = f"not implemented: {', '.join(result['blocked'])}"
    else:
        text = result.get("message") or result["status"]
    return text.splitlines()[0][:300]


def write_baseline(results: list, path, header: str = "") -> Path:
    return write_atomically(baseline(results, header), path)
