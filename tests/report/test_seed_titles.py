"""Seed sources are shown by their document's title: conformance/catalogue/seed_titles.json maps a seed file
name to the title (its first heading line, else its first line), generated from the seed documents.

Regenerate with ``python tests/report/test_seed_titles.py [SEEDS_DIR]`` (default ../shared/seeds). Only the
title is copied, never the documents' text.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conformance.report import render

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO.parent / "shared" / "seeds"
TITLES = REPO / "conformance" / "catalogue" / "seed_titles.json"
MAX_TITLE = 200


def title_of(text: str) -> str:
    """The first Markdown heading's text, else the first non-empty line; repaired when it was UTF-8 read as
    Mac Roman (one seed's title was), shortened to MAX_TITLE characters."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    heading = next((line for line in lines if line.startswith("#")), lines[0] if lines else "")
    title = heading.lstrip("#").strip()
    try:
        repaired = title.encode("mac_roman").decode("utf-8")
        if repaired != title:
            title = repaired
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    return title if len(title) <= MAX_TITLE else title[:MAX_TITLE - 1] + "…"


def generate(seeds_dir: Path) -> dict:
    return {path.name: title_of(path.read_text(encoding="utf-8", errors="replace"))
            for path in sorted(seeds_dir.glob("*.txt"))}


def test_every_seed_the_catalogue_cites_has_a_title():
    from conformance import catalogue

    cited = {s.source.document for s in catalogue.load_all().values() if s.source.kind == "seed"}
    titles = json.loads(TITLES.read_text(encoding="utf-8"))
    assert cited and cited <= set(titles), cited - set(titles)
    assert all(titles[name] and not titles[name].startswith("#") for name in cited)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents are not present here")
def test_the_committed_titles_match_the_seed_documents():
    assert json.loads(TITLES.read_text(encoding="utf-8")) == generate(SEEDS)


def test_title_of_takes_the_first_heading_else_the_first_line():
    assert title_of("- Home\n\n# The Title\n## Contents\n") == "The Title"
    assert title_of("\nPlain first line | Site\nmore") == "Plain first line | Site"
    assert title_of("# 中文".encode("utf-8").decode("mac_roman")) == "中文"


def test_the_report_shows_a_seed_by_its_title_with_the_file_as_tooltip():
    titles = json.loads(TITLES.read_text(encoding="utf-8"))
    name, title = sorted(titles.items())[1]
    result = {"id": "a.b", "status": "pass", "source": {"document": name, "shows": "it", "kind": "seed"}}
    page = render.render_html([{"run": {}, "results": [result]}])
    assert f'title="{name}"' in page
    assert str(render.escape(title)) in page


if __name__ == "__main__":
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else SEEDS
    TITLES.write_text(json.dumps(generate(directory), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{TITLES}: {len(generate(directory))} titles")
