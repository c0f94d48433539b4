"""The HTML report: a pure function of results dicts (schema in conformance/results.py).

One self-contained file: inline CSS, a small vanilla script, graphs as inline
SVG, nothing fetched. Everything taken from results is text: Jinja2 escapes it,
the script's data travels in a JSON block that data cannot close, and the script
builds nothing from data with innerHTML. Output is deterministic (stable order,
no clock) so two reports can be compared.

Navigation: every behaviour's anchor is its id (``report.html#ops.add_sub_tensor_tensor``), a table of
contents links the categories with their pass counts at both levels, and the summary has a row per run.
Merged runs: one row per behaviour id; each distinct result gets one detail block listing the runs it
belongs to (``data-runs``), and the run selector shows that run's statuses, details and filter counts.
Passing behaviours' observations and every scenario's code are not written into the page: they travel
once each, gzipped, in the data block, and the script writes them as text when a reader opens them.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

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
_SEED_TITLES = Path(__file__).resolve().parents[1] / "catalogue" / "seed_titles.json"
_SAFE_ANCHOR = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")


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
    matrix = matrix_view(runs, labels) if len(runs) > 1 else None
    seen = {_status(result) for run in runs for result in results_of(run)}
    statuses = list(STATUSES) + sorted(seen - set(STATUSES))  # any status a later runner adds still shows
    summaries = [summarize_run(run) for run in runs]
    observations: dict = {}
    behaviours = behaviours_view(runs, observations)
    status_counts = [{status: summary["counts"].get(status, 0) for status in statuses} for summary in summaries]
    categories = group_by_category(behaviours)
    return {
        "labels": labels,
        "summaries": summaries,
        "statuses": statuses,
        "status_counts": status_counts[0] if status_counts else dict.fromkeys(statuses, 0),
        "first_label": labels[0] if labels else "",
        "categories": categories,
        "toc": toc_view(categories, summaries),
        "behaviour_total": summaries[0]["total"] if summaries else 0,
        "matrix": matrix,
        "catalogues": catalogue_note(runs, labels),
        "properties": [properties_view(run, label) for run, label in zip(runs, labels) if run.get("properties")],
        "page_data": page_data(behaviours, matrix, summaries, status_counts, observations),
    }


def toc_view(categories: list, summaries: list) -> list:
    """Per category: its anchor and, for the first run (the script follows the chosen run), how many of
    its behaviours pass at each level."""
    first = {c["name"]: c for c in summaries[0]["categories"]} if summaries else {}
    return [{"name": c["name"], "anchor": c["anchor"],
             "counts": first.get(c["name"]) or {"total": 0, "semantic": 0, "exact": 0}} for c in categories]


def catalogue_note(runs: list, labels: list) -> str:
    """Say so when merged runs come from different catalogues (behaviours only some runs have are missing,
    not drift)."""
    hashes = [((run.get("run") or {}).get("catalogue") or {}).get("hash") for run in runs]
    known = sorted({h for h in hashes if h})
    if len(runs) < 2 or len(known) < 2:
        return ""
    return f"These runs come from {len(known)} different catalogues (suite versions " + ", ".join(
        sorted({str((run.get("run") or {}).get("suite_version") or "?") for run in runs})) + \
        "): a behaviour one run lacks is shown as missing there, not as drift."


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
        "interrupted": bool(meta.get("interrupted")),
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


def anchor_for(behaviour_id: str) -> str:
    """The behaviour's id as its anchor (a permalink: report.html#ops.add_sub_tensor_tensor); an id that is
    not a plain name gets an escaped form with a short hash so two never collide."""
    if _SAFE_ANCHOR.match(behaviour_id):
        return behaviour_id
    digest = hashlib.sha1(behaviour_id.encode("utf-8")).hexdigest()[:8]
    return "b-" + re.sub(r"[^A-Za-z0-9_.-]", "-", behaviour_id)[:80] + "-" + digest


def group_by_category(behaviours: list) -> list:
    groups: dict = {}
    for behaviour in behaviours:
        groups.setdefault(behaviour["category"], []).append(behaviour)
    return [{"name": name, "anchor": "category-" + re.sub(r"[^A-Za-z0-9_-]", "-", name), "behaviours": groups[name]}
            for name in sorted(groups)]


def _seed_titles() -> dict:
    try:
        data = json.loads(_SEED_TITLES.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def source_view(source: dict, titles: dict) -> dict:
    """Where a behaviour comes from; a seed document by its title, its file name as the tooltip."""
    view = {key: str(source.get(key) or "") for key in ("document", "shows", "kind")}
    name = view["document"].replace("\\", "/").rsplit("/", 1)[-1]
    title = titles.get(name) if view["kind"] == "seed" else None
    view["title"] = str(title) if title else view["document"]
    view["tooltip"] = view["document"] if title else ""
    return view


def _content_key(result: dict) -> str:
    """Results that read the same (all but their duration) share one detail block across runs."""
    return _canonical({k: v for k, v in result.items() if k not in ("duration_s", "code")})


def _observation_key(observation, store: dict):
    """Observations of passing behaviours travel once each in the data block; a key into it."""
    if observation is None:
        return ""
    text = _canonical(observation)
    key = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    store.setdefault(key, observation)
    return key


def behaviours_view(runs: list, observations: dict) -> list:
    """One entry per behaviour id of any run, with one detail block per distinct result across the runs
    (runs with the same result share it; the run selector picks which one shows)."""
    titles = _seed_titles()
    by_run = [{str(r.get("id", f"(no id #{index})")): r for index, r in enumerate(results_of(run))} for run in runs]
    ids = sorted(set().union(*by_run)) if by_run else []
    behaviours = []
    for behaviour_id in ids:
        results = [results.get(behaviour_id) for results in by_run]
        present = [r for r in results if r is not None]
        latest = present[-1]
        details: dict = {}
        for index, result in enumerate(results):
            if result is None:
                continue
            key = _content_key(result)
            if key not in details:
                details[key] = {"runs": [], **behaviour_view(result, observations)}
            details[key]["runs"].append(index)
        statuses = [(_status(r) if r else ABSENT) for r in results]
        badges: dict = {}
        for index, status in enumerate(statuses):
            badges.setdefault(status, []).append(index)
        source = latest.get("source") if isinstance(latest.get("source"), dict) else {}
        code = next((str(r.get("code")) for r in reversed(present) if r.get("code")), "")
        first = results[0]
        behaviours.append({
            "id": behaviour_id, "anchor": anchor_for(behaviour_id),
            "title": str(latest.get("title") or ""),
            "category": str(latest.get("category") or behaviour_id.split(".", 1)[0]),
            "status": statuses[0], "status_class": status_class(statuses[0]),
            "run_statuses": " ".join(statuses),
            "badges": [{"status": status, "runs": " ".join(map(str, indexes))} for status, indexes in badges.items()],
            "source": source_view(source, titles),
            "duration": _seconds(first.get("duration_s")) if first else "—",
            "code_key": _observation_key(code, observations) if code else "",  # shown when opened, as text
            "details": [{**view, "runs": " ".join(map(str, view["runs"]))} for view in details.values()],
            "absent_runs": " ".join(str(i) for i, r in enumerate(results) if r is None),
            "search": "\n".join([behaviour_id, str(latest.get("title") or "")] +
                                 sorted({str(r.get("message") or "") for r in present})).lower(),
        })
    return behaviours


def behaviour_view(result: dict, observations: dict | None = None) -> dict:
    """One result's details. A passing one's observations are not written into the page: they travel in
    the data block (once per distinct observation) and are shown when opened."""
    behaviour_id = str(result.get("id", "(no id)"))
    status = _status(result)
    diffs = [d for d in result.get("diffs") or [] if isinstance(d, dict)]
    passing = status == "pass" and not diffs and observations is not None
    torch_side, impl_side = result.get("torch"), result.get("impl")
    identical = _canonical(torch_side) == _canonical(impl_side)
    view = {
        "id": behaviour_id,
        "status": status,
        "status_class": status_class(status),
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
        "lazy": passing,
        "identical": identical,
    }
    if passing:
        view.update(torch_json="", impl_json="",
                    torch_key=_observation_key(torch_side, observations),
                    impl_key=_observation_key(impl_side, observations),
                    graphs=graph_pairs(torch_side, impl_side if not identical else None, behaviour_id,
                                       single=identical))
    else:
        view.update(torch_json=pretty_json(torch_side), impl_json=pretty_json(impl_side), torch_key="", impl_key="",
                    graphs=graph_pairs(torch_side, impl_side, behaviour_id))
    return view


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
    """Both sides as markup: escaped text with the words only one side has marked (the drift page's
    word_diff: <del> on torch's side, <ins> on the implementation's)."""
    torch_markup, impl_markup = highlighted(diff.get("expected"), diff.get("actual"))
    return {"path": str(diff.get("path", "")), "torch": torch_markup, "impl": impl_markup,
            "note": str(diff.get("note") or ""), "level": str(diff.get("level") or "exact")}


def highlighted(expected, actual) -> tuple:
    from .drift_html import word_diff  # drift_html imports this module: import when used

    if expected == MISSING or actual == MISSING:
        return escape(value_text(expected)), escape(value_text(actual))
    if isinstance(expected, str) and isinstance(actual, str):
        return word_diff(expected[:MAX_VALUE_CHARS], actual[:MAX_VALUE_CHARS])
    quote = "&#34;"
    left, right = word_diff(value_text(expected), value_text(actual))  # JSON texts; drop the quotes it adds
    return Markup(str(left)[len(quote):-len(quote)]), Markup(str(right)[len(quote):-len(quote)])


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


def graph_pairs(torch_side, impl_side, behaviour_id: str, single: bool = False) -> list:
    """Both sides' graphs per output path, drawn side by side with their differences in red; ``single``:
    the sides are identical, draw each graph once."""
    if single:
        return [{"path": path, "differs": False, "single": True, "impl_svg": None,
                 "torch_svg": _graph_markup(graph, None, f"{behaviour_id} {path}: both sides")}
                for path, graph in find_graphs(torch_side)]
    torch_graphs, impl_graphs = dict(find_graphs(torch_side)), dict(find_graphs(impl_side))
    paths = list(torch_graphs) + [path for path in impl_graphs if path not in torch_graphs]
    pairs = []
    for path in paths:
        torch_graph, impl_graph = torch_graphs.get(path), impl_graphs.get(path)
        diff = graph_svg.diff_graphs(torch_graph, impl_graph) if torch_graph and impl_graph else None
        pairs.append({
            "path": path, "single": False,
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
        missing = [label for label, result in zip(labels, results) if result is None]
        rows.append({
            "id": behaviour_id,
            "title": next((str(r.get("title") or "") for r in results if r), ""),
            "cells": [matrix_cell(result) for result in results],
            "drift": bool(reasons),
            "drift_reason": "; ".join(reasons),
            "missing": bool(missing),
            "missing_text": f"missing from {len(missing)} of {len(results)} runs" if missing else "",
            "statuses": " ".join(sorted({_status(r) if r else ABSENT for r in results})),
            "search": "\n".join([behaviour_id] + [f"{r.get('title') or ''}\n{r.get('message') or ''}"
                                                  for r in results if r]).lower(),
        })
    return {"labels": labels, "rows": rows, "drift_count": sum(row["drift"] for row in rows),
            "missing_count": sum(row["missing"] for row in rows)}


def drift_reasons(results: list) -> list:
    """Why a behaviour drifts between the runs that have it (one that a run lacks is missing there, not
    drift: runs of different catalogues)."""
    reasons = []
    if len({_status(r) for r in results if r}) > 1:
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


def _run_counts(summary: dict) -> dict:
    return {"total": summary["total"],
            "categories": {c["name"]: [c["semantic"], c["exact"], c["total"]] for c in summary["categories"]}}


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
def page_data(behaviours: list, matrix, summaries: list, status_counts: list, observations: dict) -> dict:
    """What the script reads: per row id the lower-case text the search box matches, per run the filter
    and table-of-contents counts, and the observations of passing behaviours (shown when opened)."""
    return {
        "search": {
            "behaviours": {b["anchor"]: b["search"] for b in behaviours},
            "matrix": {f"m-{index}": row["search"] for index, row in enumerate(matrix["rows"])} if matrix else {},
        },
        "runs": [{"counts": counts, **_run_counts(summary)} for counts, summary in zip(status_counts, summaries)],
        "observations_gz": compressed(observations),
    }


def compressed(value) -> str:
    """JSON, gzipped (no timestamp: the page stays deterministic) and base64-encoded: the script inflates it
    with the browser's DecompressionStream when a reader first opens a passing behaviour's observations."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False, separators=(",", ":"))
    return base64.b64encode(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")


def decompressed(text: str):
    """The inverse of compressed() (for tests and readers of the page)."""
    return json.loads(gzip.decompress(base64.b64decode(text)).decode("utf-8"))
