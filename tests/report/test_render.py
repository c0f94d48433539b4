"""The HTML report as a pure function of results dicts (conformance/report/render.py)."""
from __future__ import annotations

import copy
import json
import re

import pytest
from markupsafe import escape

from conformance.report import render

XSS = "<script>alert(1)</script>"


def tensor_with_graph(name="MulBackward0", input_nr=1):
    return {"kind": "tensor", "shape": [], "dtype": "torch.float32", "values": 6.0, "requires_grad": True,
            "is_leaf": False, "grad_fn": name, "repr": f"tensor(6., grad_fn=<{name}>)",
            "graph": {"nodes": [{"id": 0, "name": name, "type": name},
                                {"id": 1, "name": "torch::autograd::AccumulateGrad", "type": "AccumulateGrad",
                                 "variable": {"shape": [3], "dtype": "torch.float32"}}],
                      "edges": [{"from": 0, "to": 1, "input_nr": 0}, {"from": 0, "to": 1, "input_nr": input_nr}],
                      "creation_order": [0]}}


def outcome(**items):
    return {"outputs": {"kind": "dict", "items": items}, "error": None, "warnings": []}


def result(behaviour_id, status="pass", message="", **extra):
    base = {"id": behaviour_id, "title": f"title of {behaviour_id}", "category": behaviour_id.split(".")[0],
            "source": {"document": "001_doc.txt", "shows": f"what {behaviour_id} shows", "kind": "seed"},
            "status": status, "diffs": [], "tolerance": {"torch.float32": [1.3e-6, 1e-5]}, "max_abs_error": 0.0,
            "max_rel_error": 0.0, "duration_s": 0.0125, "torch": outcome(x={"kind": "int", "value": 1}),
            "impl": outcome(x={"kind": "int", "value": 1}), "message": message}
    base.update(extra)
    return base


def run(results, torch_version="2.13.0", implementation="reference_impl", properties=None):
    meta = {"torch_version": torch_version, "torch_git": "abc123", "numpy": "2.4.6", "python": "3.11.7",
            "platform": "Linux-test", "implementation": implementation, "implementation_version": "0.1.0",
            "emulated_torch": "2.13.0", "reference": "torch", "hypothesis_profile": "ci", "hypothesis_seed": 7,
            "date": "2026-01-02T03:04:05+00:00"}
    return {"schema": "autograd-conformance/results", "schema_version": 1, "run": meta, "results": results,
            "properties": properties or []}


def mixed_run():
    return run([
        result("basics.one"), result("basics.two"),
        result("graph.fails", "fail", f"outputs.items.x: torch 1 != implementation 2 {XSS} </textarea>",
               diffs=[{"path": "outputs.items.x.value", "expected": 1, "actual": XSS, "note": "<b>note</b>"}],
               impl=outcome(x={"kind": "int", "value": 2})),
        result("graph.errors", "error", "harness error: KeyError", torch=None, impl=None),
        result("tracking.missing", "not-implemented", "not implemented: torch.foo"),
        result("tracking.slow", "timeout", "no result after 30 s", torch=None, impl=None),
        result("version.dies", "crashed", "worker process died (exit code -11)", torch=None, impl=None),
    ])


def json_block(page: str) -> str:
    blocks = re.findall(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    return blocks[0]


def row_classes(page: str) -> dict:
    """matrix behaviour id -> the row's class attribute."""
    rows = re.findall(r'<tr class="(matrix-row[^"]*)"[^>]*>\s*<th scope="row">.*?<code>([^<]*)</code>', page, re.S)
    return {behaviour_id: classes for classes, behaviour_id in rows}


# ------------------------------------------------------------------ summary
def test_summary_counts_each_status_and_the_pass_rate():
    summary = render.summarize_run(mixed_run())
    assert summary["total"] == 7
    assert summary["counts"] == {"pass": 2, "fail": 1, "error": 1, "not-implemented": 1, "timeout": 1, "crashed": 1}
    assert summary["percent_pass"] == pytest.approx(28.6)


def test_summary_shows_the_run_metadata():
    page = render.render_html([mixed_run()])
    for text in ("28.6%", "reference_impl 0.1.0", "2.13.0 (git abc123)", "2.4.6", "3.11.7", "Linux-test",
                 "2026-01-02T03:04:05+00:00", "ci (seed 7)", "emulated torch"):
        assert text in page, text
    counts = dict(re.findall(r'<td class="number count" data-status="([^"]+)">(\d+)</td>', page))
    assert counts == {"pass": "2", "fail": "1", "error": "1", "not-implemented": "1", "timeout": "1", "crashed": "1"}


def test_filter_buttons_and_search_box_are_present():
    page = render.render_html([mixed_run()])
    buttons = re.findall(r'<button type="button" data-filter="([^"]+)"', page)
    assert buttons == ["all", "pass", "fail", "error", "not-implemented", "timeout", "crashed"]
    assert '<input type="search" id="search"' in page


def test_behaviours_are_grouped_by_category_in_a_stable_order():
    page = render.render_html([mixed_run()])
    assert re.findall(r'<section class="category" data-category="([^"]+)"', page) == \
        ["basics", "graph", "tracking", "version"]
    shuffled = mixed_run()
    shuffled["results"].reverse()
    assert render.render_html([shuffled]) == page


def test_details_show_source_diffs_tolerance_and_both_observations():
    page = render.render_html([mixed_run()])
    assert "what graph.fails shows" in page
    assert "outputs.items.x.value" in page
    assert "torch.float32: rtol 1.3e-06, atol 1e-05" in page
    assert str(escape(json.dumps(outcome(x={"kind": "int", "value": 2}), indent=1))) in page
    assert "(no observation)" in page


# ------------------------------------------------------------------ escaping
def test_messages_show_as_text_never_as_markup():
    page = render.render_html([mixed_run()])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "</textarea>" not in page and "&lt;/textarea&gt;" in page
    assert "<b>note</b>" not in page


def test_data_cannot_close_the_json_block():
    page = render.render_html([mixed_run()])
    block = json_block(page)
    assert "<" not in block and ">" not in block
    data = json.loads(block)
    assert any(XSS.lower() in text for text in data["search"]["behaviours"].values())


def test_json_for_script_escapes_every_closing_sequence():
    text = render.json_for_script({"a": "</script><!-- & \u2028"})
    assert not re.search(r"[<>&\u2028]", text)
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_property_messages_and_repros_are_escaped_too():
    properties = [{"name": "prop.z", "status": "fail", "examples": 12, "message": XSS, "repro": "x = 1\n<img src=x>"},
                  {"name": "prop.a", "status": "pass", "examples": 100}]
    page = render.render_html([run([result("a.b")], properties=properties)])
    assert "<img src=x>" not in page and "&lt;img src=x&gt;" in page
    names = re.findall(r'<tr class="property [^"]*"><td><code>([^<]*)</code>', page)
    assert names == ["prop.a", "prop.z"]


def test_the_summary_counts_property_tests_and_names_the_failing_ones():
    properties = [{"name": "prop.z", "status": "fail", "examples": 12, "duration_s": 1.5},
                  {"name": "prop.a", "status": "pass", "examples": 100}, {"name": "prop.b", "status": "timeout"}]
    page = render.render_html([run([result("a.b")], properties=properties), run([result("a.b")])])
    tallies = re.findall(r'<th scope="row">property tests</th><td>([^<]*)</td>', page)
    assert tallies == ["1 of 3 pass; not passing: prop.b, prop.z", "—"]
    assert '<td class="number">1.500 s</td>' in page


# ------------------------------------------------------------------ self-contained
def test_nothing_is_fetched_from_outside():
    page = render.render_html([mixed_run()])
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "http://" not in page and "https://" not in page
    assert "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page


def test_the_content_security_policy_allows_exactly_the_inline_script():
    page = render.render_html([mixed_run()])
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 1
    assert f"script-src {render.script_hash(scripts[0])};" in page


def test_the_script_builds_nothing_from_data_as_markup():
    page = render.render_html([mixed_run()])
    script = re.findall(r"<script>(.*?)</script>", page, re.S)[0]
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "document.write" not in script


# ------------------------------------------------------------------ graphs
def test_graphs_of_both_sides_are_drawn_with_their_differences():
    torch_side = outcome(z=tensor_with_graph(), w={"kind": "list", "items": [tensor_with_graph("AddBackward0")]})
    impl_side = outcome(z=tensor_with_graph(input_nr=2),
                        w={"kind": "list", "items": [tensor_with_graph("AddBackward0")]})
    page = render.render_html([run([result("graph.z", "fail", torch=torch_side, impl=impl_side)])])
    captions = re.findall(r'<figure class="graph-pair( differs)?">\s*<figcaption><code>([^<]*)</code>', page)
    assert captions == [(" differs", "outputs.items.z"), ("", "outputs.items.w.items[0]")]
    assert page.count("<svg ") == 4
    assert page.count('class="edge diff"') == 2  # input_nr 1 on torch's side, 2 on the implementation's
    assert "AccumulateGrad (3,)" in page


def test_find_graphs_walks_deep_observations_without_recursion():
    deep = tensor_with_graph()
    for _ in range(5000):
        deep = {"kind": "list", "items": [deep]}
    found = render.find_graphs({"outputs": deep})
    assert len(found) == 1 and found[0][0].startswith("outputs.items[0].items[0]")


def test_node_names_in_graphs_are_escaped():
    hostile = tensor_with_graph(name=XSS)
    page = render.render_html([run([result("graph.x", torch=outcome(z=hostile), impl=outcome(z=hostile))])])
    assert "<script>alert" not in page


# ------------------------------------------------------------------ several runs
def two_runs():
    old = run([result("a.same"), result("a.status_changes"), result("a.torch_changes"), result("a.only_old")],
              torch_version="2.12.0")
    new = run([result("a.same"), result("a.status_changes", "fail", "now different"),
               result("a.torch_changes", torch=outcome(x={"kind": "int", "value": 99}))], torch_version="2.13.0")
    return [old, new]


def test_matrix_has_one_column_per_run_and_one_row_per_behaviour():
    page = render.render_html(two_runs())
    assert ('<th scope="col">torch 2.12.0 / reference_impl</th>'
            '<th scope="col">torch 2.13.0 / reference_impl</th>') in page
    assert sorted(row_classes(page)) == ["a.only_old", "a.same", "a.status_changes", "a.torch_changes"]
    assert 'title="fail: now different"' in page


def test_rows_whose_status_or_torch_side_differs_are_marked_as_drift():
    page = render.render_html(two_runs())
    classes = row_classes(page)
    assert classes["a.same"] == "matrix-row"
    assert classes["a.status_changes"] == "matrix-row drift"
    assert classes["a.torch_changes"] == "matrix-row drift"
    assert classes["a.only_old"] == "matrix-row missing"  # a run without it: missing there, not drift
    assert "torch-side observation differs" in page and "status differs" in page
    assert "2 with drift" in page and "1 missing from some runs" in page


def test_a_single_run_has_no_matrix():
    assert 'id="matrix"' not in render.render_html([mixed_run()])


def test_identical_labels_are_numbered():
    first = mixed_run()
    assert render.run_labels([first, copy.deepcopy(first)]) == \
        ["torch 2.13.0 / reference_impl (#1)", "torch 2.13.0 / reference_impl (#2)"]


# ------------------------------------------------------------------ robustness
def test_missing_optional_fields_are_tolerated():
    bare = {"run": {}, "results": [{"id": "a.b", "status": "pass"}, {"status": "weird"}, {"id": "c.d"}]}
    page = render.render_html([bare, {"results": []}])
    assert "a.b" in page and "weird" in page and "torch ? / ?" in page
    assert 'id="properties"' not in page


def test_no_runs_at_all():
    assert "No runs were given." in render.render_html([])


def test_properties_absent_or_empty_leave_no_section():
    without = mixed_run()
    del without["properties"]
    assert 'id="properties"' not in render.render_html([without])


def test_rendering_is_deterministic():
    assert render.render_html(two_runs()) == render.render_html(two_runs())


def test_write_html_creates_folders_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "deep" / "er" / "report.html"
    assert render.write_html([mixed_run()], target) == target
    assert target.read_text(encoding="utf-8") == render.render_html([mixed_run()])
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]


# ------------------------------------------------------------------ navigating
def test_anchors_are_behaviour_ids_and_odd_ids_are_escaped():
    page = render.render_html([mixed_run()])
    assert 'id="graph.fails"' in page and 'href="#graph.fails"' in page
    assert 'id="b-0"' not in page
    odd = render.anchor_for('a.b"><x y')
    assert re.fullmatch(r"b-[A-Za-z0-9_.-]+", odd) and odd != render.anchor_for('a.b"><x z')
    data = json.loads(json_block(page))
    assert "graph.fails" in data["search"]["behaviours"]


def test_a_table_of_contents_with_pass_counts_at_both_levels():
    mixed = mixed_run()
    mixed["results"][2]["levels"] = {"semantic": "pass", "exact": "fail"}  # graph.fails: semantic passes
    page = render.render_html([mixed])
    toc = re.findall(r'<li data-category="([^"]+)"><a href="#(category-[^"]+)">[^<]*</a> <span class="toc-counts"'
                     r'[^>]*><span class="toc-semantic">(\d+)</span> · <span class="toc-exact">(\d+)</span> / '
                     r'<span class="toc-total">(\d+)</span>', page)
    assert toc == [("basics", "category-basics", "2", "2", "2"), ("graph", "category-graph", "1", "0", "2"),
                   ("tracking", "category-tracking", "0", "0", "2"), ("version", "category-version", "0", "0", "1")]
    assert 'id="category-graph"' in page


def test_the_summary_has_a_row_per_run():
    runs = [run([result("a.b")], torch_version=f"2.{minor}.0") for minor in range(16)]
    page = render.render_html(runs)
    assert page.count('<tr class="run-row"') == 16
    assert re.search(r'<thead>\s*<tr><th scope="col">run</th>', page)


def test_diffs_mark_the_words_that_differ():
    diffs = [{"path": "error.message", "expected": "mat1 and mat2 shapes cannot be multiplied",
              "actual": "shapes cannot be multiplied here", "note": "", "level": "exact"},
             {"path": "outputs.items.x.values", "expected": [1.0, 2.0, 3.0], "actual": [1.0, 2.5, 3.0], "note": ""}]
    page = render.render_html([run([result("a.b", "fail", "differs", diffs=diffs)])])
    assert "<del>mat1 and mat2 </del>" in page and "<ins> here</ins>" in page
    assert "<del>2.0,</del>" in page and "<ins>2.5,</ins>" in page
    assert '<col class="diff-side"><col class="diff-side">' in page


def test_hostile_diff_values_stay_escaped_when_highlighted():
    diffs = [{"path": "p", "expected": "<b>x</b> same", "actual": XSS + " same", "note": ""}]
    page = render.render_html([run([result("a.b", "fail", "m", diffs=diffs)])])
    assert "<b>x</b>" not in page and "<script>alert" not in page and "&lt;script&gt;" in page


def test_the_code_and_the_repro_are_one_click_away():
    code = "def _(t, ctx):\n    return <tag>\n"
    page = render.render_html([run([result("a.b", code=code),
                                    result("a.c", "fail", "m", repro="import torch\nprint(1)\n")])])
    key = re.search(r'<details class="code lazy" data-code="([0-9a-f]+)"><summary>code: the scenario</summary>'
                    r'<pre class="code"></pre></details>', page).group(1)
    assert render.decompressed(json.loads(json_block(page))["observations_gz"])[key] == code  # written as text
    assert "<tag>" not in page
    assert '<details class="repro"><summary>repro:' in page and "import torch\nprint(1)" in page


def test_passing_observations_travel_compressed_and_are_not_in_the_page():
    passing_side = outcome(x={"kind": "str", "value": "only-in-passing-observation"})
    page = render.render_html([run([result("a.b", torch=passing_side, impl=copy.deepcopy(passing_side)),
                                    result("a.c", "fail", "m", diffs=[{"path": "p", "expected": 1, "actual": 2}])])])
    assert "only-in-passing-observation" not in page
    data = json.loads(json_block(page))
    store = render.decompressed(data["observations_gz"])
    key = re.search(r'<details class="observations lazy" data-torch="([0-9a-f]+)" data-impl="\1">', page).group(1)
    assert store[key] == passing_side
    assert "identical on both sides" in page
    assert render.render_html([run([result("a.b", torch=passing_side, impl=passing_side)])]) == \
        render.render_html([run([result("a.b", torch=passing_side, impl=passing_side)])])


def test_merged_runs_have_details_and_filter_counts_for_every_run():
    first = run([result("a.same"), result("a.changes", "fail", "fails in 2.12")], torch_version="2.12.0")
    second = run([result("a.same"), result("a.changes", "error", "errors in 2.13")], torch_version="2.13.0")
    third = run([result("a.same"), result("a.changes", "error", "errors in 2.13")], torch_version="2.14.0")
    page = render.render_html([third, first, second])
    assert "fails in 2.12" in page and page.count("errors in 2.13</pre>") == 1  # one block for two runs
    assert re.search(r'<div class="run-detail" data-runs="1 2" hidden>', page)
    assert 'data-run-statuses="fail error error"' in page
    data = json.loads(json_block(page))
    assert [r["counts"]["fail"] for r in data["runs"]] == [1, 0, 0]
    assert [r["counts"]["error"] for r in data["runs"]] == [0, 1, 1]
    assert '<select id="run">' in page
