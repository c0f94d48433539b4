"""The HTML report: a pure function of results dicts (schema in conformance/results.py).

One self-contained file: inline CSS, a small vanilla script, graphs as inline
SVG, nothing fetched. Everything taken from results is text: Jinja2 escapes it,
the script's data travels in a JSON block that data cannot close, and the script
builds nothing from data with innerHTML. Output is deterministic (stable order,
no clock) so two reports can be compared.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ..files import write_atomically
from . import graph_svg

STATUSES = ("pass", "fail", "error", "not-implemented", "timeout", "crashed")  # runner.STATUSES; others when present
LEVELS = ("semantic", "exact")  # levels.LEVELS
EXPECTATION_LABELS = {"expected": "expected", "unexpected": "unexpected", "xpass": "XPASS"}
ABSENT = "absent"  # a behaviour that one of several runs did not have
MAX_DIFF_ROWS = 200
MAX_VALUE_CHARS = 600
MAX_OBSERVATION_CHARS = 200_000
MISSING = "<missing>"  # compare.py's marker for a key one side lacks

_TEMPLATES = Path(__file__).parent / "templates"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(_TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals["status_class"] = status_class
    return env


# ------------------------------------------------------------------ public API
def render_html(runs: list) -> str:
    """The report for one or more runs (e.g. one per torch version or per implementation)."""
    env = _environment()
    script = env.get_template("_script.html.j2").render()
    context = report_context(runs)
    return env.get_template("report.html.j2").render(
        **context, script=Markup(script), script_hash=Markup(script_hash(script)),  # base64 and quotes: safe
        data_json=Markup(json_for_script(context["page_data"])))


def write_html(runs: list, path) -> Path:
    """Render and write atomically (a reader never sees half a report); creates parent folders."""
    return write_atomically(render_html(runs), path)


# ------------------------------------------------------------------ safe embedding
def json_for_script(data) -> str:
    """JSON for a <script type="application/json"> block: no '<' (so no '</script>' or '<!--'), no '>' or '&'."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def script_hash(script: str) -> str:
    """CSP source allowing exactly this inline script: an injected one could not run even if escaping failed."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


# ------------------------------------------------------------------ view model
def report_context(runs: list) -> dict:
    runs = order_runs([run if isinstance(run, dict) else {} for run in runs])
    labels = run_labels(runs)
    first = runs[0] if runs else {}
    behaviours = [behaviour_view(result, index) for index, result in enumerate(results_of(first))]
    matrix = matrix_view(runs, labels) if len(runs) > 1 else None
    seen = {_status(result) for run in runs for result in results_of(run)}
    statuses = list(STATUSES) + sorted(seen - set(STATUSES))  # any status a later runner adds still shows
    return {
        "labels": labels,
        "summaries": [summarize_run(run) for run in runs],
        "statuses": statuses,
        "status_counts": {status: sum(b["status"] == status for b in behaviours) for status in statuses},
        "first_label": labels[0] if labels else "",
        "categories": group_by_category(behaviours),
        "behaviour_total": len(behaviours),
        "matrix": matrix,
        "properties": [properties_view(run, label) for run, label in zip(runs, labels) if run.get("properties")],
        "page_data": page_data(behaviours, matrix),
    }


def results_of(run: dict) -> list:
    """A run's results sorted by id (the order they were collected in must not change the page)."""
    results = [r for r in run.get("results") or [] if isinstance(r, dict)]
    return sorted(results, key=lambda r: str(r.get("id", "")))


def order_runs(runs: list) -> list:
    """Runs in torch-version order, oldest first (a matrix column per version reads left to right);
    runs of the same version, or without one, keep the order they were given in."""
    return sorted(runs, key=lambda run: _version_key((run.get("run") or {}).get("torch_version")))


def _version_key(version) -> tuple:
    match = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", str(version or ""))
    return tuple(int(part or 0) for part in match.groups()) if match else (-1,)


def run_labels(runs: list) -> list:
    """'torch 2.13.0 / reference_impl' per run ('torch 2.5.1 (recorded) / …' for a run checked against a
    recording), numbered when two runs would read the same."""
    plain = [_run_label(run.get("run") or {}) for run in runs]
    labels = []
    for index, label in enumerate(plain):
        labels.append(f"{label} (#{index + 1})" if plain.count(label) > 1 else label)
    return labels


def _run_label(meta: dict) -> str:
    recorded = " (recorded)" if meta.get("torch_source") == "recording" else ""
    return f"torch {meta.get('torch_version') or '?'}{recorded} / {meta.get('implementation') or '?'}"


def summarize_run(run: dict) -> dict:
    meta = run.get("run") or {}
    results = results_of(run)
    counts = {status: 0 for status in STATUSES}
    for result in results:
        status = _status(result)
        counts[status] = counts.get(status, 0) + 1
    total = len(results)
    return {
        "total": total,
        "counts": counts,
        "percent_pass": round(100.0 * counts["pass"] / total, 1) if total else 0.0,
        "level": str(meta.get("level") or "exact"),
        "levels": {level: sum(_level_status(r, level) == "pass" for r in results) for level in LEVELS},
        "expectations": _expectations_text(meta.get("expectations")),
        "categories": category_counts(results),
        "blocking": blocking_names(results)[:15],
        "facts": [
            ("implementation", _join(meta.get("implementation"), meta.get("implementation_version"))),
            ("torch", _join(meta.get("torch_version"), _labelled("git", meta.get("torch_git")))),
            ("emulated torch", _or_dash(meta.get("emulated_torch"))),
            ("reference", _reference_text(meta)),
            ("numpy", _or_dash(meta.get("numpy"))),
            ("python", _or_dash(meta.get("python"))),
            ("platform", _or_dash(meta.get("platform"))),
            ("date", _or_dash(meta.get("date"))),
            ("completeness", "interrupted: only the behaviours that ran before Ctrl-C" if meta.get("interrupted")
             else "complete"),
            ("hypothesis profile", _join(meta.get("hypothesis_profile"), _labelled("seed", meta.get("hypothesis_seed")))),
            ("property tests", _property_tally(run)),
        ],
    }


def _level_status(result: dict, level: str) -> str:
    levels = result.get("levels") if isinstance(result.get("levels"), dict) else {}
    return str(levels.get(level) or _status(result))


def _expectations_text(checked) -> str:
    if not isinstance(checked, dict):
        return ""
    counts = checked.get("counts") if isinstance(checked.get("counts"), dict) else {}
    return (f"{checked.get('file') or '?'}: {counts.get('expected', 0)} as expected, "
            f"{counts.get('unexpected', 0)} unexpected, {counts.get('xpass', 0)} XPASS")


def category_counts(results: list) -> list:
    """Per category: behaviours, and how many pass at each level."""
    groups: dict = {}
    for result in results:
        category = str(result.get("category") or str(result.get("id", "")).split(".", 1)[0])
        entry = groups.setdefault(category, {"name": category, "total": 0, **dict.fromkeys(LEVELS, 0)})
        entry["total"] += 1
        for level in LEVELS:
            entry[level] += _level_status(result, level) == "pass"
    return [groups[name] for name in sorted(groups)]


def blocking_names(results: list) -> list:
    """(name, behaviours) of the torch names the implementation lacks, most blocking first."""
    counts: dict = {}
    for result in results:
        for name in result.get("blocked") or ():
            counts[str(name)] = counts.get(str(name), 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _property_tally(run: dict) -> str:
    entries = [entry for entry in run.get("properties") or [] if isinstance(entry, dict)]
    if not entries:
        return "—"
    failing = sorted(str(entry.get("name") or "?") for entry in entries if _status(entry) != "pass")
    return f"{len(entries) - len(failing)} of {len(entries)} pass" + (f"; not passing: {', '.join(failing)}" if failing else "")


def _reference_text(meta: dict) -> str:
    """What the implementation was compared with: live torch, or a recording (and when it was made)."""
    recording = meta.get("recording") if isinstance(meta.get("recording"), dict) else None
    if recording is None:
        return _or_dash(meta.get("reference"))
    made = f", recorded {recording['recorded']}" if recording.get("recorded") else ""
    return f"recording {recording.get('file') or recording.get('name') or '?'}{made}"


def _join(*parts) -> str:
    text = " ".join(str(part) for part in parts if part not in (None, ""))
    return text or "—"


def _labelled(label: str, value) -> str | None:
    return None if value in (None, "") else f"({label} {value})"


def _or_dash(value) -> str:
    return "—" if value in (None, "") else str(value)


def _status(result: dict) -> str:
    return str(result.get("status") or "unknown")


def status_class(status: str) -> str:
    """A CSS class name for any status text."""
    return "status-" + re.sub(r"[^a-z0-9-]", "-", status.lower())


def group_by_category(behaviours: list) -> list:
    groups: dict = {}
    for behaviour in behaviours:
        groups.setdefault(behaviour["category"], []).append(behaviour)
    return [{"name": name, "behaviours": groups[name]} for name in sorted(groups)]


def behaviour_view(result: dict, index: int) -> dict:
    behaviour_id = str(result.get("id", f"(no id #{index})"))
    status = _status(result)
    source = result.get("source") if isinstance(result.get("source"), dict) else {}
    diffs = [d for d in result.get("diffs") or [] if isinstance(d, dict)]
    return {
        "id": behaviour_id,
        "anchor": f"b-{index}",
        "title": str(result.get("title") or ""),
        "category": str(result.get("category") or behaviour_id.split(".", 1)[0]),
        "status": status,
        "status_class": status_class(status),
        "source": {key: str(source.get(key) or "") for key in ("document", "shows", "kind")},
        "duration": _seconds(result.get("duration_s")),
        "message": str(result.get("message") or ""),
        "levels": [(level, _level_status(result, level)) for level in LEVELS],
        "blocked": [str(name) for name in result.get("blocked") or ()],
        "expectation": expectation_view(result.get("expectation")),
        "repro": str(result.get("repro") or ""),
        "diffs": [diff_view(d) for d in diffs[:MAX_DIFF_ROWS]],
        "diffs_hidden": max(len(diffs) - MAX_DIFF_ROWS, 0),
        "diff_count": len(diffs),
        "tolerances": tolerance_lines(result.get("tolerance")),
        "max_abs_error": _number(result.get("max_abs_error")),
        "max_rel_error": _number(result.get("max_rel_error")),
        "torch_json": pretty_json(result.get("torch")),
        "impl_json": pretty_json(result.get("impl")),
        "graphs": graph_pairs(result.get("torch"), result.get("impl"), behaviour_id),
        "search": "\n".join((behaviour_id, str(result.get("title") or ""), str(result.get("message") or ""))).lower(),
    }


def _seconds(value) -> str:
    return f"{value:.3f} s" if isinstance(value, (int, float)) and not isinstance(value, bool) else "—"


def _number(value) -> str:
    return f"{value:.3g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else "—"


def expectation_view(expectation) -> dict | None:
    if not isinstance(expectation, dict) or expectation.get("outcome") not in EXPECTATION_LABELS:
        return None
    outcome = expectation["outcome"]
    return {"label": EXPECTATION_LABELS[outcome], "class": f"expect-{outcome}",
            "status": str(expectation.get("status") or ""), "reason": str(expectation.get("reason") or "")}


def diff_view(diff: dict) -> dict:
    return {"path": str(diff.get("path", "")), "torch": value_text(diff.get("expected")),
            "impl": value_text(diff.get("actual")), "note": str(diff.get("note") or ""),
            "level": str(diff.get("level") or "exact")}


def value_text(value) -> str:
    """A diff value as compact JSON, so strings are quoted and types are visible; long values shortened."""
    if value == MISSING:
        return "(missing)"
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + f"… ({len(text)} chars)"


def tolerance_lines(tolerance) -> list:
    if not isinstance(tolerance, dict):
        return []
    lines = []
    for dtype in sorted(tolerance):
        pair = tolerance[dtype]
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            lines.append(f"{dtype}: rtol {pair[0]:g}, atol {pair[1]:g}")
        else:
            lines.append(f"{dtype}: {pair!r}")
    return lines


def pretty_json(observation) -> str:
    if observation is None:
        return "(no observation)"
    text = json.dumps(observation, indent=1, ensure_ascii=False, default=repr)
    if len(text) > MAX_OBSERVATION_CHARS:
        return text[:MAX_OBSERVATION_CHARS] + f"\n… shortened: {len(text)} characters in all"
    return text


# ------------------------------------------------------------------ graphs
def find_graphs(observation) -> list:
    """(path, graph) for every observed value carrying a backward graph, in document order.

    Paths read like compare.py's diff paths: ``outputs.items.z``, ``outputs.items[0]``.
    Iterative: observations can nest deeply.
    """
    found = []
    stack = [("", observation)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            if _is_graph(value.get("graph")):
                found.append((path, value["graph"]))
            children = [(_child_path(path, str(key)), child) for key, child in value.items() if key != "graph"]
        elif isinstance(value, list):
            children = [(f"{path}[{index}]", child) for index, child in enumerate(value)]
        else:
            continue
        stack.extend(reversed(children))
    return found


def _child_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _is_graph(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get("nodes"), list) and isinstance(value.get("edges"), list)


def graph_pairs(torch_side, impl_side, behaviour_id: str) -> list:
    """Both sides' graphs per output path, drawn side by side with their differences in red."""
    torch_graphs, impl_graphs = dict(find_graphs(torch_side)), dict(find_graphs(impl_side))
    paths = list(torch_graphs) + [path for path in impl_graphs if path not in torch_graphs]
    pairs = []
    for path in paths:
        torch_graph, impl_graph = torch_graphs.get(path), impl_graphs.get(path)
        diff = graph_svg.diff_graphs(torch_graph, impl_graph) if torch_graph and impl_graph else None
        pairs.append({
            "path": path,
            "differs": bool(diff) or torch_graph is None or impl_graph is None,
            "torch_svg": _graph_markup(torch_graph, diff, f"{behaviour_id} {path}: torch"),
            "impl_svg": _graph_markup(impl_graph, diff, f"{behaviour_id} {path}: implementation"),
        })
    return pairs


def _graph_markup(graph, diff, title: str):
    if graph is None:
        return None
    # graph_svg escapes every text it writes, so its output is markup, not text
    return Markup(graph_svg.render_svg(graph, diff, title=title, inline=True))


# ------------------------------------------------------------------ several runs
def matrix_view(runs: list, labels: list) -> dict:
    """Behaviour x run: one cell per result; rows whose status or torch-side observation differ are drift."""
    by_run = [{str(r.get("id")): r for r in results_of(run)} for run in runs]
    ids = sorted(set().union(*by_run))
    rows = []
    for behaviour_id in ids:
        results = [results.get(behaviour_id) for results in by_run]
        reasons = drift_reasons(results)
        rows.append({
            "id": behaviour_id,
            "title": next((str(r.get("title") or "") for r in results if r), ""),
            "cells": [matrix_cell(result) for result in results],
            "drift": bool(reasons),
            "drift_reason": "; ".join(reasons),
            "statuses": " ".join(sorted({_status(r) if r else ABSENT for r in results})),
            "search": "\n".join([behaviour_id] + [f"{r.get('title') or ''}\n{r.get('message') or ''}"
                                                  for r in results if r]).lower(),
        })
    return {"labels": labels, "rows": rows, "drift_count": sum(row["drift"] for row in rows)}


def drift_reasons(results: list) -> list:
    reasons = []
    if len({_status(r) if r else ABSENT for r in results}) > 1:
        reasons.append("status differs")
    observed = {_canonical(r.get("torch")) for r in results if r and r.get("torch") is not None}
    if len(observed) > 1:
        reasons.append("torch-side observation differs")
    return reasons


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


def matrix_cell(result) -> dict:
    if result is None:
        return {"status": ABSENT, "status_class": status_class(ABSENT), "title": "not in this run"}
    status = _status(result)
    message = str(result.get("message") or "")
    return {"status": status, "status_class": status_class(status),
            "title": f"{status}: {message}" if message else status}


# ------------------------------------------------------------------ properties
def properties_view(run: dict, label: str) -> dict:
    """A run's property tests (a later feature): tolerate any missing field."""
    rows = []
    for entry in run.get("properties") or []:
        if not isinstance(entry, dict):
            continue
        status = _status(entry)
        rows.append({"name": str(entry.get("name") or entry.get("id") or "?"), "status": status,
                     "status_class": status_class(status), "examples": _or_dash(entry.get("examples")),
                     "duration": _seconds(entry.get("duration_s")),
                     "message": str(entry.get("message") or ""), "repro": str(entry.get("repro") or "")})
    return {"label": label, "rows": sorted(rows, key=lambda row: row["name"])}


# ------------------------------------------------------------------ the script's data
def page_data(behaviours: list, matrix) -> dict:
    """What the filter script reads: per row id, the lower-case text the search box matches."""
    return {
        "search": {
            "behaviours": {b["anchor"]: b["search"] for b in behaviours},
            "matrix": {f"m-{index}": row["search"] for index, row in enumerate(matrix["rows"])} if matrix else {},
        },
    }
