"""The drift pages: what changed in torch between two recordings, and the timeline over all of them,
each one self-contained HTML file.

Pure functions of ``conformance.drift.drift_report(...)`` / ``drift.timeline(...)``.
Like the results report: Jinja2 with autoescape, inline CSS, nothing fetched, no
script at all (the Content-Security-Policy forbids every script), deterministic
output. Changes are grouped by kind (counts per kind first); the filter buttons
(by kind and by category) are radio buttons styled with CSS ``:checked`` rules,
so they work without a script. Changed text is shown word by word, removed
words struck through, added ones underlined, so a rewritten message reads at a
glance.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

from markupsafe import Markup, escape

from ..drift import KIND_HELP, KINDS, by_kind, value_text
from ..files import write_atomically
from .render import _environment

MAX_VALUE_CHARS = 2000
MARKS = {"text": "T", "graph": "G", "values": "V", "version": "#", "names": "N", "status": "S"}  # timeline cells
_WORDS = re.compile(r"\s+|[^\s]+")


def render_html(report: dict) -> str:
    env = _environment()
    return env.get_template("drift.html.j2").render(**drift_context(report))


def write_html(report: dict, path) -> Path:
    """Render and write atomically; creates parent folders."""
    return write_atomically(render_html(report), path)


def render_timeline_html(report: dict) -> str:
    env = _environment()
    return env.get_template("timeline.html.j2").render(**timeline_context(report))


def write_timeline_html(report: dict, path) -> Path:
    return write_atomically(render_timeline_html(report), path)


def _kinds_view(counts: dict) -> list:
    return [{"name": kind, "text": text, "help": KIND_HELP[kind],
             "behaviours": (counts.get(kind) or {}).get("behaviours", 0),
             "fields": (counts.get(kind) or {}).get("fields", 0)} for kind, text in KINDS.items()]


def drift_context(report: dict) -> dict:
    """Groups by kind, and inside each by category; categories are numbered so that the CSS rules of the
    category filter hold only numbers, never text from a recording."""
    names = sorted({c.get("category") or "?" for c in report.get("changes") or []})
    number = {name: index for index, name in enumerate(names)}
    groups = []
    for kind, changes in by_kind({"changes": report.get("changes") or []}):
        categories: dict = {}
        for change in changes:
            categories.setdefault(change.get("category") or "?", []).append(change_view(change))
        groups.append({"kind": kind, "text": KINDS[kind], "count": len(changes),
                       "categories": [{"name": name, "index": number[name], "changes": categories[name]}
                                      for name in sorted(categories)]})
    per_category = {name: sum(1 for c in report.get("changes") or [] if (c.get("category") or "?") == name)
                    for name in names}
    return {"old": report["old"], "new": report["new"], "compared": report.get("compared", 0),
            "unchanged": report.get("unchanged", 0), "counts": report.get("counts") or {},
            "kinds": _kinds_view(report.get("kinds") or {}), "groups": groups, "filter": report.get("filter"),
            "category_filter": [{"name": name, "index": number[name], "count": per_category[name]}
                                for name in names],
            "total": len(report.get("changes") or [])}


def timeline_context(report: dict) -> dict:
    steps = report.get("steps") or []
    rows = []
    for entry in report.get("behaviours") or []:
        at = {c["new"]: c for c in entry["changes"]}
        rows.append({"id": entry["id"], "title": entry.get("title") or "", "category": entry.get("category") or "",
                     "kinds": sorted({k for c in entry["changes"] for k in c["kinds"]}, key=list(KINDS).index),
                     "cells": [at.get(step["new"]) for step in steps]})
    totals = {kind: sum(1 for row in rows if kind in row["kinds"]) for kind in KINDS}
    return {"releases": report.get("releases") or [], "steps": steps, "rows": rows, "filter": report.get("filter"),
            "kinds": [{"name": kind, "text": text, "help": KIND_HELP[kind], "behaviours": totals[kind],
                       "mark": MARKS[kind]} for kind, text in KINDS.items()], "marks": MARKS}


def change_view(change: dict) -> dict:
    return {"id": str(change.get("id", "")), "title": str(change.get("title") or ""),
            "change": str(change.get("change") or ""), "category": str(change.get("category") or ""),
            "diffs": [diff_view(d) for d in change.get("diffs") or []]}


def diff_view(diff: dict) -> dict:
    old, new = diff.get("old"), diff.get("new")
    if isinstance(old, str) and isinstance(new, str) and old != "<missing>" and new != "<missing>":
        old_markup, new_markup = word_diff(old, new)
    else:
        old_markup = escape(value_text(old, MAX_VALUE_CHARS))
        new_markup = escape(value_text(new, MAX_VALUE_CHARS))
    return {"path": str(diff.get("path", "")), "old": old_markup, "new": new_markup, "note": str(diff.get("note") or ""),
            "kind": str(diff.get("kind") or "")}


def word_diff(old: str, new: str) -> tuple:
    """Both texts escaped, with the words only one side has marked (<del> in the old, <ins> in the new)."""
    a, b = _WORDS.findall(old[:MAX_VALUE_CHARS]), _WORDS.findall(new[:MAX_VALUE_CHARS])
    old_parts, new_parts = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        left, right = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if tag == "equal":
            old_parts.append(left)
            new_parts.append(right)
            continue
        if left:
            old_parts.append(Markup("<del>") + left + Markup("</del>"))
        if right:
            new_parts.append(Markup("<ins>") + right + Markup("</ins>"))
    quote = Markup("&#34;")
    return quote + Markup("").join(old_parts) + quote, quote + Markup("").join(new_parts) + quote
