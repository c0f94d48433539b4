"""Drift: what changed in PyTorch's own observable autograd behaviour between two recorded versions.

A pure function of two recordings (conformance/recording.py): for each behaviour
whose observation differs, the fields that differ with the old and the new value,
found by compare.py (floating values within their dtype's tolerance are equal, so
rounding noise between releases is not drift). Every differing field has a *kind*
(``KINDS``: error/warning text, names and graph structure, values, ``_version``,
a name appearing or disappearing, a recording status), so a reader sees first how
many behaviours changed in which way, and can keep only some kinds or categories
(``filter_report``). ``timeline`` does the same over every recording in version
order: for each behaviour that ever changed, the releases where it did.
``format_text`` / ``format_timeline`` print them; ``conformance/report/drift_html.py``
renders both as self-contained pages.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from . import recording
from .files import write_atomically
from .observe import is_marker

_TOKEN = re.compile(r"\.?([^.\[]+)|\[(\d+)\]")


# What a differing field is about, in the order reports list them.
KINDS = {
    "text": "error and warning text",
    "graph": "names and graph structure",
    "values": "values, shapes, dtypes, grads",
    "version": "_version counters",
    "names": "a name appearing or disappearing",
    "status": "recorded, timed out or crashed",
}
KIND_HELP = {
    "text": "an error or warning appeared, disappeared, or changed its type, category or message",
    "graph": "grad_fn and node names, next_functions (edges), graph creation order, requires_grad / is_leaf / "
             "retains_grad, node names a scenario returns as text, a repr that differs only in its grad_fn",
    "values": "numbers, shapes, dtypes, .grad, printed values, a value that became another kind of value",
    "version": "a tensor's _version counter",
    "names": "an AttributeError / ImportError or an 'unexpected keyword argument' TypeError that appeared or "
             "disappeared, a field torch could not show for lack of a name in one release only (a torch name or "
             "argument added or removed), or a behaviour only one recording has",
    "status": "torch gave an observation in one recording and timed out or crashed in the other",
}
# Errors that mean a name is missing (the harness's "missing" note is not compared, so read the record).
_MISSING_TYPES = ("AttributeError", "ImportError", "ModuleNotFoundError")
_NODE_NAME = re.compile(r"^[A-Z][A-Za-z0-9_]*Backward\d*$|^AccumulateGrad$")
_REPR_GRAPH_PARTS = re.compile(r",\s*(grad_fn=<[^>]*>|requires_grad=True)")
_GRAPH_FIELDS = ("grad_fn", "graph", "requires_grad", "is_leaf", "retains_grad")


def drift_report(old: dict, new: dict) -> dict:
    """The changes from recording ``old`` to recording ``new`` as plain data, every field with its kind."""
    titles = _titles()
    changes = []
    for change in recording.behaviour_changes(old, new):
        before = (old["observations"].get(change["id"]) or {}).get("outcome")
        after = (new["observations"].get(change["id"]) or {}).get("outcome")
        diffs = collapse(change["diffs"], before, after) if change["change"] == "changed" else change["diffs"]
        diffs = classify(change["change"], diffs, before, after)
        changes.append({"id": change["id"], "title": titles.get(change["id"], ""),
                        "category": change["id"].split(".", 1)[0], "change": change["change"],
                        "kinds": _kinds_of(change["change"], diffs), "diffs": diffs})
    common = set(old["observations"]) & set(new["observations"])
    counts = {kind: sum(c["change"] == kind for c in changes) for kind in ("changed", "status", "added", "removed")}
    return {"old": _side(old), "new": _side(new), "compared": len(common),
            "unchanged": len(common) - counts["changed"] - counts["status"], "counts": counts,
            "kinds": kind_counts(changes), "filter": None, "changes": changes}


# ------------------------------------------------------------------ kinds
def classify(change: str, diffs: list, before, after) -> list:
    """``diffs`` with a ``kind`` each (see KINDS)."""
    if change in ("added", "removed"):
        return [dict(d, kind="names") for d in diffs]
    if change == "status":
        return [dict(d, kind="status") for d in diffs]
    out = [dict(d, kind=diff_kind(d["path"], d["old"], d["new"], before, after)) for d in diffs]
    # A whole ``outputs`` that appeared or vanished goes with the uncaught error that replaced it.
    error_kind = next((d["kind"] for d in out if d["path"] == "error"), None)
    for d in out:
        if d["path"] == "outputs" and (d["old"] is None or d["new"] is None):
            d["kind"] = error_kind or "values"
    return out


def diff_kind(path: str, old, new, before=None, after=None) -> str:
    """The kind of one differing field of an outcome (``before`` / ``after``: the two whole outcomes)."""
    if _is_missing_name(old) != _is_missing_name(new) or is_marker(old) != is_marker(new):
        return "names"
    if _is_error(old) or _is_error(new):
        return "text"
    keys = [key for key, index in _TOKEN.findall(path) if key]
    if not keys:
        return "values"
    if keys[0] in ("error", "warnings"):
        return "text"
    owner_path, rest = _owner(path, before, after)
    owners = [_lookup_or_none(side, owner_path) for side in (before, after)]
    owner_kinds = {o.get("kind") for o in owners if isinstance(o, dict)}
    if "error" in owner_kinds:
        return "names" if len({_is_missing_name(o) for o in owners if isinstance(o, dict)}) > 1 else "text"
    if owner_kinds & {"tensor", "node"} and rest:
        if rest[0] in _GRAPH_FIELDS:
            return "graph"
        if rest[0] == "version":
            return "version"
        if rest[0] == "repr" and isinstance(old, str) and isinstance(new, str) \
                and _REPR_GRAPH_PARTS.sub("", old) == _REPR_GRAPH_PARTS.sub("", new):
            return "graph"
    if isinstance(old, str) and isinstance(new, str) and _NODE_NAME.match(old) and _NODE_NAME.match(new):
        return "graph"  # a node name the scenario returned as a string (type(y.grad_fn).__name__)
    return "values"


def _is_error(value) -> bool:
    return isinstance(value, dict) and value.get("kind") == "error"


def _is_missing_name(value) -> bool:
    if not _is_error(value):
        return False
    return value.get("type") in _MISSING_TYPES or (
        value.get("type") == "TypeError" and "unexpected keyword argument" in str(value.get("message", "")))


def _owner(path: str, before, after) -> tuple:
    """The innermost observed record (a dict with a ``kind``) that holds ``path``, and the keys below it."""
    spans = [(match.end(), match.group(1)) for match in _TOKEN.finditer(path)]
    for cut in range(len(spans) - 1, -1, -1):
        prefix = path[:spans[cut - 1][0]] if cut else ""
        for side in (before, after):
            value = _lookup_or_none(side, prefix) if prefix else None
            if isinstance(value, dict) and "kind" in value:
                rest = [key for _, key in spans[cut:] if key]
                return prefix, rest
    return "", [key for _, key in spans if key]


def _lookup_or_none(tree, path: str):
    if tree is None:
        return None
    try:
        return lookup(tree, path) if path else tree
    except KeyError:
        return None


def _kinds_of(change: str, diffs: list) -> list:
    if change in ("added", "removed"):
        return ["names"]
    present = {d["kind"] for d in diffs}
    return [kind for kind in KINDS if kind in present]


def kind_counts(changes: list) -> dict:
    """Per kind: how many behaviours show it and in how many fields (a behaviour may show several kinds)."""
    counts = {kind: {"behaviours": 0, "fields": 0} for kind in KINDS}
    for change in changes:
        for kind in change["kinds"]:
            counts[kind]["behaviours"] += 1
        for diff in change["diffs"]:
            counts[diff["kind"]]["fields"] += 1
        if change["change"] in ("added", "removed"):
            counts["names"]["fields"] += 1
    return counts


def categories_of(report: dict) -> list:
    return sorted({c["category"] for c in report["changes"]})


def filter_report(report: dict, kinds=None, categories=None) -> dict:
    """The report with only the changes of these kinds (and within them only those fields) and of these
    categories (the first part of a behaviour id); None keeps all. Counts per kind are of what is kept;
    ``compared``, ``unchanged`` and ``counts`` stay those of the whole pair."""
    kinds = list(kinds) if kinds else None
    categories = list(categories) if categories else None
    unknown = [k for k in kinds or () if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown drift kind {', '.join(unknown)}; kinds are {', '.join(KINDS)}")
    kept = []
    for change in report["changes"]:
        if categories is not None and change["category"] not in categories:
            continue
        if kinds is not None:
            if not set(change["kinds"]) & set(kinds):
                continue
            change = dict(change, kinds=[k for k in change["kinds"] if k in kinds],
                          diffs=[d for d in change["diffs"] if d["kind"] in kinds])
        kept.append(change)
    shown = dict(report, changes=kept, kinds=kind_counts(kept))
    if kinds is not None or categories is not None:
        shown["filter"] = {"kinds": kinds, "categories": categories, "shown": len(kept),
                           "of": len(report["changes"])}
    return shown


def by_kind(report: dict) -> list:
    """``[(kind, [change with only that kind's fields, ...]), ...]`` for every kind with a change, KINDS order."""
    groups = []
    for kind in KINDS:
        members = [dict(c, diffs=[d for d in c["diffs"] if d["kind"] == kind])
                   for c in report["changes"] if kind in c["kinds"]]
        if members:
            groups.append((kind, members))
    return groups


# ------------------------------------------------------------------ the timeline over every recording
def timeline(documents: list, kinds=None, categories=None) -> dict:
    """For each behaviour that changed between two adjacent recordings (in torch version order), the
    releases where it changed and the kinds of change. ``documents``: recordings, any order."""
    ordered = sorted(documents, key=lambda d: recording.version_key(d["torch"]["version"]))
    titles = _titles()
    steps, history = [], {}
    for old, new in zip(ordered, ordered[1:]):
        report = filter_report(drift_report(old, new), kinds, categories)
        steps.append({"old": recording.name_of(old), "new": recording.name_of(new),
                      "version": new["torch"]["version"], "changed": len(report["changes"]),
                      "kinds": {k: v["behaviours"] for k, v in report["kinds"].items()}})
        for change in report["changes"]:
            entry = history.setdefault(change["id"], {"id": change["id"], "title": titles.get(change["id"], ""),
                                                      "category": change["category"], "changes": []})
            entry["changes"].append({"old": recording.name_of(old), "new": recording.name_of(new),
                                     "version": new["torch"]["version"], "change": change["change"],
                                     "kinds": change["kinds"]})
    return {"releases": [_side(d) for d in ordered], "steps": steps,
            "filter": {"kinds": list(kinds) if kinds else None, "categories": list(categories) if categories else None}
            if kinds or categories else None,
            "behaviours": [history[key] for key in sorted(history)]}


def format_timeline(report: dict) -> str:
    releases = report["releases"]
    if not releases:
        return "No recordings.\n"
    lines = [f"Timeline of torch's observable autograd behaviour: {len(releases)} recordings, "
             f"{releases[0]['name']} to {releases[-1]['name']}"]
    if report.get("filter"):
        lines.append("  " + _filter_text(report["filter"]))
    lines += ["", "Behaviours changed, by release (a behaviour may show several kinds):"]
    width = max(len(step["new"]) for step in report["steps"]) if report["steps"] else 0
    for step in report["steps"]:
        kinds = ", ".join(f"{kind} {n}" for kind, n in step["kinds"].items() if n)
        lines.append(f"  {step['new']:<{width}} {step['changed']:>4}" + (f"  ({kinds})" if kinds else ""))
    lines += ["", f"{len(report['behaviours'])} behaviours changed at least once; where (and how) each changed:"]
    for entry in report["behaviours"]:
        where = "; ".join(f"{c['version']} ({', '.join(c['kinds'])})" for c in entry["changes"])
        lines.append(f"{entry['id']}: {where}")
    return "\n".join(lines) + "\n"


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
    """The value at a compare.py diff path (``outputs.items.z.graph.nodes[0].name``); KeyError if none.
    A dict key holding a dot (a scenario's ``{"-1.0": ...}``) is found too: the path does not quote it."""
    tokens = []
    position = 0
    while position < len(path):
        match = _TOKEN.match(path, position)
        if not match:
            raise KeyError(path)
        tokens.append(match.groups())
        position = match.end()
    found = _walk(tree, tokens, 0)
    if found is _NOTHING:
        raise KeyError(path)
    return found


_NOTHING = object()


def _walk(value, tokens, start):
    if start == len(tokens):
        return value
    key, index = tokens[start]
    if index is not None:
        if not isinstance(value, list) or int(index) >= len(value):
            return _NOTHING
        return _walk(value[int(index)], tokens, start + 1)
    if not isinstance(value, dict):
        return _NOTHING
    for end in range(start, len(tokens)):  # the key alone first, then joined with the dotted parts after it
        if tokens[end][1] is not None:
            break
        joined = ".".join(k for k, _ in tokens[start:end + 1])
        if joined in value:
            found = _walk(value[joined], tokens, end + 1)
            if found is not _NOTHING:
                return found
    return _NOTHING


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


def _filter_text(selected: dict) -> str:
    parts = []
    if selected.get("kinds"):
        parts.append("kinds " + ", ".join(selected["kinds"]))
    if selected.get("categories"):
        parts.append("categories " + ", ".join(selected["categories"]))
    shown = f": {selected['shown']} of {selected['of']} changed behaviours shown" if "shown" in selected else ""
    return "only " + "; ".join(parts) + shown


def summary_lines(report: dict) -> list:
    """The counts per kind, one line each (behaviours first: what a reader asks)."""
    width = max(len(text) for text in KINDS.values())
    lines = ["By kind (behaviours, fields; a behaviour may show several kinds):"]
    for kind, text in KINDS.items():
        count = report["kinds"][kind]
        lines.append(f"  {kind:<8} {text:<{width}} {count['behaviours']:>4} behaviours, {count['fields']:>4} fields")
    return lines


def format_text(report: dict, max_value_chars: int | None = 1000) -> str:
    old, new = report["old"], report["new"]
    counts = report["counts"]
    lines = [f"Drift in torch's observable autograd behaviour: {old['name']} -> {new['name']}",
             f"  old: torch {old['full_version']} (git {old['git'] or '?'}), recorded {old['recorded'] or '?'}",
             f"  new: torch {new['full_version']} (git {new['git'] or '?'}), recorded {new['recorded'] or '?'}",
             f"{report['compared']} behaviours in both: {counts['changed'] + counts['status']} changed, "
             f"{report['unchanged']} unchanged; {counts['added']} only in the new, {counts['removed']} only in the old."]
    if report.get("filter"):
        lines.append(_filter_text(report["filter"]) + ".")
    lines += [""] + summary_lines(report) + [""]
    for kind, changes in by_kind(report):
        lines.append(f"== {kind}: {KINDS[kind]} ({len(changes)} behaviours) ==")
        for change in changes:
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
        lines.append("")
    if not report["changes"]:
        lines.append("No observable change." if not report.get("filter") else "No change of these kinds or categories.")
    return "\n".join(lines).rstrip("\n") + "\n"


def write_json(report: dict, path) -> Path:
    return write_atomically(json.dumps(report, indent=1, ensure_ascii=False, default=repr), path)
