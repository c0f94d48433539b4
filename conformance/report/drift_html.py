"""The drift page: what changed in torch between two recordings, as one self-contained HTML file.

A pure function of ``conformance.drift.drift_report(...)``. Like the results
report: Jinja2 with autoescape, inline CSS, nothing fetched, no script at all
(the Content-Security-Policy forbids every script), deterministic output.
Changed text is shown word by word, removed words struck through, added ones
underlined, so a rewritten message reads at a glance.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

from markupsafe import Markup, escape

from ..drift import value_text
from ..files import write_atomically
from .render import _environment

MAX_VALUE_CHARS = 2000
_WORDS = re.compile(r"\s+|[^\s]+")


def render_html(report: dict) -> str:
    env = _environment()
    return env.get_template("drift.html.j2").render(**drift_context(report))


def write_html(report: dict, path) -> Path:
    """Render and write atomically; creates parent folders."""
    return write_atomically(render_html(report), path)


def drift_context(report: dict) -> dict:
    categories: dict = {}
    for change in report.get("changes") or []:
        categories.setdefault(change.get("category") or "?", []).append(change_view(change))
    return {"old": report["old"], "new": report["new"], "compared": report.get("compared", 0),
            "unchanged": report.get("unchanged", 0), "counts": report.get("counts") or {},
            "categories": [{"name": name, "changes": categories[name]} for name in sorted(categories)]}


def change_view(change: dict) -> dict:
    return {"id": str(change.get("id", "")), "title": str(change.get("title") or ""),
            "change": str(change.get("change") or ""),
            "diffs": [diff_view(d) for d in change.get("diffs") or []]}


def diff_view(diff: dict) -> dict:
    old, new = diff.get("old"), diff.get("new")
    if isinstance(old, str) and isinstance(new, str) and old != "<missing>" and new != "<missing>":
        old_markup, new_markup = word_diff(old, new)
    else:
        old_markup = escape(value_text(old, MAX_VALUE_CHARS))
        new_markup = escape(value_text(new, MAX_VALUE_CHARS))
    return {"path": str(diff.get("path", "")), "old": old_markup, "new": new_markup, "note": str(diff.get("note") or "")}


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
