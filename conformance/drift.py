"""Drift: what changed in PyTorch's own observable autograd behaviour between two recorded versions.

A pure function of two recordings (conformance/recording.py): for each behaviour
whose observation differs, the fields that differ with the old and the new value,
found by compare.py (floating values within their dtype's tolerance are equal, so
rounding noise between releases is not drift). ``format_text`` prints it;
``conformance/report/drift_html.py`` renders it as a self-contained page.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from . import recording
from .files import write_atomically

_TOKEN = re.compile(r"\.?([^.\[]+)|\[(\d+)\]")


def drift_report(old: dict, new: dict) -> dict:
    """The changes from recording ``old`` to recording ``new`` as plain data."""
    titles = _titles()
    changes = []
    for change in recording.behaviour_changes(old, new):
        before = (old["observations"].get(change["id"]) or {}).get("outcome")
        after = (new["observations"].get(change["id"]) or {}).get("outcome")
        diffs = collapse(change["diffs"], before, after) if change["change"] == "changed" else change["diffs"]
        changes.append({"id": change["id"], "title": titles.get(change["id"], ""),
                        "category": change["id"].split(".", 1)[0], "change": change["change"], "diffs": diffs})
    common = set(old["observations"]) & set(new["observations"])
    counts = {kind: sum(c["change"] == kind for c in changes) for kind in ("changed", "status", "added", "removed")}
    return {"old": _side(old), "new": _side(new), "compared": len(common),
            "unchanged": len(common) - counts["changed"] - counts["status"], "counts": counts, "changes": changes}


def _side(document: dict) -> dict:
    torch_meta, env, recorded = document["torch"], document.get("environment") or {}, document.get("recorded") or {}
    return {"name": recording.name_of(document), "version": torch_meta["version"],
            "full_version": torch_meta.get("full_version") or torch_meta["version"], "git": torch_meta.get("git"),
            "file": Path(document.get("path") or "").name, "python": env.get("python"), "numpy": env.get("numpy"),
            "recorded": recorded.get("date"), "behaviours": len(document["observations"])}


def _titles() -> dict:
    try:
        from . import catalogue

        return {scenario_id: s.title for scenario_id, s in catalogue.load_all().items()}
    except Exception:  # noqa: BLE001 - titles are a courtesy; the drift stands without them
        return {}


# ------------------------------------------------------------------ readable field differences
def lookup(tree, path: str):
    """The value at a compare.py diff path (``outputs.items.z.graph.nodes[0].name``); KeyError if none."""
    value = tree
    position = 0
    while position < len(path):
        match = _TOKEN.match(path, position)
        if not match:
            raise KeyError(path)
        key, index = match.groups()
        if index is not None:
            if not isinstance(value, list) or int(index) >= len(value):
                raise KeyError(path)
            value = value[int(index)]
        else:
            if not isinstance(value, dict) or key not in value:
                raise KeyError(path)
            value = value[key]
        position = match.end()
    return value


def collapse(diffs: list, before, after) -> list:
    """Where an observed value changed kind (a tensor became None, an error appeared), show that value
    whole as one difference instead of one per field inside it."""
    kinds = [d["path"][:-len(".kind")] for d in diffs if d["path"].endswith(".kind")]
    kinds = [p for p in kinds if not any(p != q and _inside(p, q) for q in kinds)]  # outermost only
    out, done = [], set()
    for diff in diffs:
        owner = next((p for p in kinds if _inside(diff["path"], p)), None)
        if owner is None:
            out.append(diff)
            continue
        if owner in done:
            continue
        done.add(owner)
        try:
            out.append({"path": owner or "(whole observation)", "old": lookup(before, owner),
                        "new": lookup(after, owner), "note": "a different kind of value"})
        except KeyError:
            out.extend(d for d in diffs if _inside(d["path"], owner))
    return out


def _inside(path: str, owner: str) -> bool:
    return path.startswith(owner + ".") or path.startswith(owner + "[")


def value_text(value, limit: int | None = None) -> str:
    if value == "<missing>":
        return "(missing)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=repr)
    if limit and len(text) > limit:
        return text[:limit] + f"… ({len(text)} chars)"
    return text


def format_text(report: dict, max_value_chars: int | None = 1000) -> str:
    old, new = report["old"], report["new"]
    counts = report["counts"]
    lines = [f"Drift in torch's observable autograd behaviour: {old['name']} -> {new['name']}",
             f"  old: torch {old['full_version']} (git {old['git'] or '?'}), recorded {old['recorded'] or '?'}",
             f"  new: torch {new['full_version']} (git {new['git'] or '?'}), recorded {new['recorded'] or '?'}",
             f"{report['compared']} behaviours in both: {counts['changed'] + counts['status']} changed, "
             f"{report['unchanged']} unchanged; {counts['added']} only in the new, {counts['removed']} only in the old.",
             ""]
    for change in report["changes"]:
        title = f" — {change['title']}" if change["title"] else ""
        if change["change"] in ("added", "removed"):
            where = "new" if change["change"] == "added" else "old"
            lines.append(f"{change['id']}{title}: only in the {where} recording")
            continue
        lines.append(f"{change['id']}{title}")
        for diff in change["diffs"]:
            note = f"  ({diff['note']})" if diff.get("note") else ""
            lines.append(f"  {diff['path']}{note}")
            lines.append(f"    old: {value_text(diff['old'], max_value_chars)}")
            lines.append(f"    new: {value_text(diff['new'], max_value_chars)}")
        lines.append("")
    if not report["changes"]:
        lines.append("No observable change.")
    return "\n".join(lines).rstrip("\n") + "\n"


def write_json(report: dict, path) -> Path:
    return write_atomically(json.dumps(report, indent=1, ensure_ascii=False, default=repr), path)
