"""docs/coverage.md (upstream test_autograd.py tests -> scenario ids) stays true to the catalogue: every id it
names exists, every row has a known status, and its counts table adds up to its rows."""
import re
from pathlib import Path

from conformance import catalogue

DOC = Path(__file__).resolve().parents[1] / "docs" / "coverage.md"
CLASSES = ("TestAutograd", "TestAutogradInferenceMode", "TestMultithreadAutograd")
STATUSES = ("covered", "not applicable", "not yet covered")


def _rows_by_class() -> dict:
    rows, current = {}, None
    for line in DOC.read_text().splitlines():
        heading = re.match(r"^## `(\w+)`", line)
        if heading:
            current = heading.group(1)
            rows[current] = []
        elif line.startswith("## "):
            current = None
        elif current and line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            rows[current].append(cells)
    return rows


def test_every_scenario_id_named_exists():
    known = set(catalogue.load_all())
    named = set(re.findall(r"`([a-z_]+\.[a-z0-9_.]+)`", DOC.read_text()))
    named = {i for i in named if not i.endswith((".py", ".md", ".toml"))}
    assert named, "the page names no scenario"
    assert not named - known, sorted(named - known)


def test_every_row_has_a_status_covered_rows_name_scenarios_inapplicable_ones_a_reason():
    rows = _rows_by_class()
    assert set(rows) == set(CLASSES)
    for name, table in rows.items():
        for test, status, detail in table:
            assert status in STATUSES, (name, test, status)
            if status == "covered":
                assert re.search(r"`[a-z_]+\.[a-z0-9_]+`", detail), (name, test)
            elif status == "not applicable":
                assert detail, (name, test)  # the reason


def test_the_counts_table_matches_the_rows():
    rows = _rows_by_class()
    text = DOC.read_text()
    for name, table in rows.items():
        row = re.search(rf"^\| `{name}` \| (\d+) \| (\d+) \| (\d+)[^|]*\| (\d+) \|$", text, re.M)
        assert row, name
        total, covered, not_applicable, not_yet = map(int, row.groups())
        counted = [sum(1 for r in table if r[1] == s) for s in STATUSES]
        assert (total, covered, not_applicable, not_yet) == (len(table), *counted), name
