"""`python -m conformance drift`: what changed in torch between two recordings, as text and HTML."""
from __future__ import annotations

import copy
import json
import re

import pytest

from conformance import cli, drift, recording
from conformance.report import drift_html

XSS = "<script>alert(1)</script>"


def tensor(values, grad_fn=None, version=0):
    return {"kind": "tensor", "shape": [len(values)], "dtype": "torch.float32", "values": values,
            "requires_grad": grad_fn is not None, "is_leaf": grad_fn is None, "grad_fn": grad_fn,
            "retains_grad": False, "version": version, "repr": f"tensor({values})"}


def outcome(**items):
    return {"outputs": {"kind": "dict", "items": items}, "error": None, "warnings": []}


def document(version, **observations):
    return {"schema": recording.SCHEMA, "schema_version": 1,
            "torch": {"version": version, "full_version": version, "git": "g" + version},
            "environment": {"python": "3.11", "numpy": "2.0"}, "recorded": {"date": "2026-01-01"},
            "observations": {k: {"status": "recorded", "outcome": v, "message": ""} if isinstance(v, dict)
                             and "outputs" in v else v for k, v in observations.items()}}


def pair():
    old = document("1.0.0",
                   **{"a.same": outcome(x=tensor([1.0, 2.0])),
                      "a.noise": outcome(x=tensor([1.0, 2.0])),
                      "a.message": outcome(e={"kind": "error", "type": "RuntimeError",
                                              "message": "One of the differentiated Tensors appears unused"}),
                      "a.kind": outcome(g=tensor([0.0, 0.0])),
                      "a.version": outcome(g=tensor([1.0], version=0)),
                      "a.gone": outcome(x={"kind": "int", "value": 1}),
                      "a.hangs": outcome(x={"kind": "int", "value": 1})})
    new = copy.deepcopy(document("2.0.0", **{k: v["outcome"] for k, v in old["observations"].items()}))
    obs = new["observations"]
    obs["a.noise"]["outcome"]["outputs"]["items"]["x"]["values"] = [1.0000001, 2.0]  # within float32 tolerance
    obs["a.message"]["outcome"]["outputs"]["items"]["e"]["message"] = f"The differentiated Tensor at index 1 {XSS}"
    obs["a.kind"]["outcome"]["outputs"]["items"]["g"] = {"kind": "NoneType", "value": None}
    obs["a.version"]["outcome"]["outputs"]["items"]["g"]["version"] = 1
    del obs["a.gone"]
    obs["a.new"] = {"status": "recorded", "outcome": outcome(), "message": ""}
    obs["a.hangs"] = {"status": "timeout", "outcome": None, "message": "no result after 30 s"}
    return old, new


def test_changes_are_found_field_by_field_with_compare_semantics():
    report = drift.drift_report(*pair())
    by_id = {c["id"]: c for c in report["changes"]}
    assert set(by_id) == {"a.message", "a.kind", "a.version", "a.gone", "a.new", "a.hangs"}  # not a.noise
    assert by_id["a.version"]["diffs"] == [{"path": "outputs.items.g.version", "old": 0, "new": 1, "note": "",
                                            "kind": "version"}]
    assert by_id["a.message"]["diffs"][0]["path"] == "outputs.items.e.message"
    assert by_id["a.gone"]["change"] == "removed" and by_id["a.new"]["change"] == "added"
    assert by_id["a.hangs"]["change"] == "status" and "timeout" in by_id["a.hangs"]["diffs"][0]["new"]
    assert report["counts"] == {"changed": 3, "status": 1, "added": 1, "removed": 1}
    assert report["compared"] == 6 and report["unchanged"] == 2


def test_a_value_that_changed_kind_shows_whole_once():
    (change,) = [c for c in drift.drift_report(*pair())["changes"] if c["id"] == "a.kind"]
    (diff,) = change["diffs"]
    assert diff["path"] == "outputs.items.g" and diff["new"] == {"kind": "NoneType", "value": None}
    assert diff["old"]["kind"] == "tensor" and diff["note"] == "a different kind of value"


def kinds_pair():
    """One behaviour per kind of change (and one with two kinds)."""
    node = {"nodes": [{"id": 0, "name": "MulBackward0", "type": "MulBackward0"}], "edges": [], "creation_order": []}
    old = document("1.0.0", **{
        "k.text": outcome(e={"kind": "error", "type": "RuntimeError", "message": "shapes cannot be multiplied"}),
        "k.warn": {"outputs": None, "error": None, "warnings": [{"category": "UserWarning", "message": "old"}]},
        "k.graph": outcome(y=dict(tensor([2.0], grad_fn="MulBackward0"), graph=node)),
        "k.nodename": outcome(name={"kind": "str", "value": "ReshapeAliasBackward0"}),
        "k.values": outcome(y=tensor([1.0, 2.0])),
        "k.version": outcome(y=tensor([1.0], version=0)),
        "k.both": outcome(y=tensor([1.0], version=0), e={"kind": "error", "type": "ValueError", "message": "a"}),
        "k.name": {"outputs": None, "warnings": [], "error": {
            "kind": "error", "type": "AttributeError", "message": "'Tensor' object has no attribute 'f'"}},
        "k.keyword": outcome(r={"kind": "error", "type": "TypeError",
                                "message": "grad() got an unexpected keyword argument 'm'"}),
        "k.gone": outcome(),
        "ops.hang": outcome()})
    new = copy.deepcopy(old)
    new["torch"] = {"version": "2.0.0", "full_version": "2.0.0", "git": "g2"}
    obs = {k: v["outcome"] for k, v in new["observations"].items()}
    obs["k.text"]["outputs"]["items"]["e"]["message"] = "mm: shapes cannot be multiplied"
    obs["k.warn"]["warnings"][0]["message"] = "new"
    obs["k.graph"]["outputs"]["items"]["y"]["graph"]["nodes"][0]["name"] = "MulBackward1"
    obs["k.graph"]["outputs"]["items"]["y"]["grad_fn"] = "MulBackward1"
    obs["k.nodename"]["outputs"]["items"]["name"]["value"] = "ViewBackward0"
    obs["k.values"]["outputs"]["items"]["y"]["values"] = [1.0, 3.0]
    obs["k.version"]["outputs"]["items"]["y"]["version"] = 1
    obs["k.both"]["outputs"]["items"]["y"]["version"] = 2
    obs["k.both"]["outputs"]["items"]["e"]["message"] = "b"
    new["observations"]["k.name"]["outcome"] = outcome(z={"kind": "int", "value": 1})
    obs["k.keyword"]["outputs"]["items"]["r"] = {"kind": "float", "value": 1.5}
    del new["observations"]["k.gone"]
    new["observations"]["ops.hang"] = {"status": "timeout", "outcome": None, "message": "no result after 30 s"}
    return old, new


def test_every_change_has_a_kind_and_counts_per_kind_come_first():
    report = drift.drift_report(*kinds_pair())
    kinds = {c["id"]: c["kinds"] for c in report["changes"]}
    assert kinds == {"k.text": ["text"], "k.warn": ["text"], "k.graph": ["graph"], "k.nodename": ["graph"],
                     "k.values": ["values"], "k.version": ["version"], "k.both": ["text", "version"],
                     "k.name": ["names"], "k.keyword": ["names"], "k.gone": ["names"], "ops.hang": ["status"]}
    assert all(d["kind"] in drift.KINDS for c in report["changes"] for d in c["diffs"])
    counts = {kind: n["behaviours"] for kind, n in report["kinds"].items()}
    assert counts == {"text": 3, "graph": 2, "values": 1, "version": 2, "names": 3, "status": 1}
    assert report["kinds"]["graph"]["fields"] == 3  # grad_fn, the node's name, a node name returned as text
    text = drift.format_text(report)
    summary, first_change = text.index("By kind"), text.index("k.")
    assert summary < first_change  # counts first
    assert re.search(r"text\s+error and warning text\s+3 behaviours", text)
    sections = [line for line in text.splitlines() if line.startswith("== ")]
    assert [line.split(":")[0] for line in sections] == ["== text", "== graph", "== values", "== version",
                                                           "== names", "== status"]
    # a behaviour with two kinds is listed under each, with only that kind's fields
    text_section = text[text.index("== text"):text.index("== graph")]
    version_section = text[text.index("== version"):text.index("== names")]
    assert "k.both\n  outputs.items.e.message" in text_section and "outputs.items.y.version" not in text_section
    assert "k.both\n  outputs.items.y.version" in version_section


def test_a_name_that_disappears_also_takes_the_outputs_it_replaced():
    report = drift.drift_report(*kinds_pair())
    (change,) = [c for c in report["changes"] if c["id"] == "k.name"]
    assert {d["path"]: d["kind"] for d in change["diffs"]} == {"error": "names", "outputs": "names"}


@pytest.mark.parametrize("path, old, new, kind", [
    ("outputs.items.-1.0.items.a.graph.creation_order", [], [0], "graph"),  # a dict key with a dot
    ("outputs.items.x.repr", "tensor([1.], grad_fn=<A>)", "tensor([1.], grad_fn=<B>)", "graph"),
    ("outputs.items.x.repr", "tensor([1.])", "tensor([2.])", "values"),
    ("outputs.items.x.grad.version", 0, 1, "version"),
    ("outputs.items.x.grad", None, tensor([1.0]), "values"),
    ("outputs.items.d.items.version", {"kind": "int", "value": 0}, {"kind": "int", "value": 1}, "values"),
    ("warnings", [], [{"category": "UserWarning", "message": "w"}], "text"),
    ("error", None, {"kind": "error", "type": "ModuleNotFoundError", "message": "no torch.x"}, "names"),
    ("outputs.items.e", {"kind": "NoneType", "value": None}, {"kind": "error", "type": "RuntimeError",
                                                               "message": "twice"}, "text"),
    ("outputs.items.x.graph.creation_order", {"not-implemented": "Node._sequence_nr"}, [0], "names"),
    ("outputs.items.x.graph.creation_order", [0], {"not-implemented": "Node._sequence_nr"}, "names"),
])
def test_diff_kinds(path, old, new, kind):
    before = {"outputs": {"kind": "dict", "items": {
        "-1.0": {"kind": "dict", "items": {"a": dict(tensor([1.0], grad_fn="A"), graph={"creation_order": []})}},
        "x": dict(tensor([1.0]), grad=tensor([1.0])), "d": {"kind": "dict", "items": {"version": {"kind": "int"}}},
        "e": {"kind": "NoneType", "value": None}}}, "error": None, "warnings": []}
    assert drift.diff_kind(path, old, new, before, before) == kind


def test_a_field_the_newer_torch_cannot_show_for_lack_of_a_name_is_a_names_change():
    graph = {"nodes": [], "edges": [], "creation_order": [0]}
    old = document("2.1.0", **{"m.order": outcome(y=dict(tensor([1.0], grad_fn="MulBackward0"), graph=graph))})
    new = copy.deepcopy(old)
    new["torch"] = {"version": "2.2.0", "full_version": "2.2.0", "git": "g"}
    new["observations"]["m.order"]["outcome"]["outputs"]["items"]["y"]["graph"]["creation_order"] = \
        {"not-implemented": "Node._sequence_nr"}
    (change,) = drift.drift_report(old, new)["changes"]
    assert change["kinds"] == ["names"]
    assert change["diffs"] == [{"path": "outputs.items.y.graph.creation_order", "old": [0],
                                "new": {"not-implemented": "Node._sequence_nr"},
                                "note": "torch 2.2.0 has no Node._sequence_nr", "kind": "names"}]
    (back,) = drift.drift_report(new, old)["changes"]  # and the name appearing
    assert back["kinds"] == ["names"] and back["diffs"][0]["new"] == [0]


def test_filters_keep_chosen_kinds_and_categories():
    report = drift.drift_report(*kinds_pair())
    only = drift.filter_report(report, kinds=["version"])
    assert [c["id"] for c in only["changes"]] == ["k.both", "k.version"]
    (both,) = [c for c in only["changes"] if c["id"] == "k.both"]
    assert [d["path"] for d in both["diffs"]] == ["outputs.items.y.version"] and both["kinds"] == ["version"]
    assert only["kinds"]["version"]["behaviours"] == 2 and only["kinds"]["text"]["behaviours"] == 0
    assert only["filter"] == {"kinds": ["version"], "categories": None, "shown": 2, "of": 11}
    assert only["compared"] == report["compared"]  # the pair's own counts stay
    ops = drift.filter_report(report, categories=["ops"])
    assert [c["id"] for c in ops["changes"]] == ["ops.hang"]
    assert drift.filter_report(report, kinds=["text"], categories=["ops"])["changes"] == []
    assert "No change of these kinds or categories." in drift.format_text(
        drift.filter_report(report, kinds=["text"], categories=["ops"]))
    assert "only kinds version: 2 of 11 changed behaviours shown" in drift.format_text(only)
    with pytest.raises(ValueError, match="unknown drift kind"):
        drift.filter_report(report, kinds=["colour"])


def test_cli_drift_filters_by_kind_and_category(tmp_path, capsys):
    old, new = kinds_pair()
    recording.write(old, tmp_path / "old.json")
    recording.write(new, tmp_path / "new.json")
    args = ["drift", str(tmp_path / "old.json"), str(tmp_path / "new.json")]
    assert cli.main(args + ["--kind", "version", "--kind", "names", "--json", str(tmp_path / "d.json")]) == 0
    out = capsys.readouterr().out
    assert "k.version" in out and "k.name" in out and "k.text" not in out and "== text" not in out
    written = json.loads((tmp_path / "d.json").read_text())
    assert written["filter"]["kinds"] == ["version", "names"]
    assert {c["id"] for c in written["changes"]} == {"k.version", "k.both", "k.name", "k.keyword", "k.gone"}
    assert cli.main(args + ["--category", "ops"]) == 0
    out = capsys.readouterr().out
    assert "ops.hang" in out and "k.text" not in out
    assert cli.main(args + ["--category", "nosuch"]) == 2
    assert "no behaviour of category nosuch" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(args + ["--kind", "colour"])
    assert "invalid choice" in capsys.readouterr().err
    assert cli.main(["drift", str(tmp_path / "old.json")]) == 2  # one recording and no --timeline


# ------------------------------------------------------------------ the timeline
def test_timeline_lists_for_each_behaviour_the_releases_where_it_changed():
    first, second = kinds_pair()
    third = copy.deepcopy(second)
    third["torch"] = {"version": "2.1.0", "full_version": "2.1.0", "git": "g3"}
    third["observations"]["k.values"]["outcome"]["outputs"]["items"]["y"]["values"] = [1.0, 4.0]
    report = drift.timeline([third, first, second])  # any order: sorted by version
    assert [r["name"] for r in report["releases"]] == ["torch-1.0.0", "torch-2.0.0", "torch-2.1.0"]
    assert [s["new"] for s in report["steps"]] == ["torch-2.0.0", "torch-2.1.0"]
    assert report["steps"][1]["changed"] == 1 and report["steps"][1]["kinds"]["values"] == 1
    by_id = {b["id"]: b for b in report["behaviours"]}
    assert [(c["version"], c["kinds"]) for c in by_id["k.values"]["changes"]] == [("2.0.0", ["values"]),
                                                                                  ("2.1.0", ["values"])]
    assert [c["version"] for c in by_id["k.both"]["changes"]] == ["2.0.0"]
    assert list(by_id) == sorted(by_id) and len(by_id) == 11
    text = drift.format_timeline(report)
    assert "3 recordings, torch-1.0.0 to torch-2.1.0" in text
    assert "k.values: 2.0.0 (values); 2.1.0 (values)" in text and "k.both: 2.0.0 (text, version)" in text
    only = drift.timeline([first, second, third], kinds=["values"], categories=["k"])
    assert [b["id"] for b in only["behaviours"]] == ["k.values"]


def test_cli_timeline_over_a_folder_writes_text_html_and_json(tmp_path, capsys):
    first, second = kinds_pair()
    folder = tmp_path / "recs"
    recording.write(first, folder / "torch-1.0.0.json")
    recording.write(second, folder / "torch-2.0.0.json")
    assert cli.main(["drift", "--timeline", "--directory", str(folder), "--html", str(tmp_path / "t.html"),
                     "--json", str(tmp_path / "t.json")]) == 0
    out = capsys.readouterr().out
    assert "k.version: 2.0.0 (version)" in out
    assert json.loads((tmp_path / "t.json").read_text())["steps"][0]["new"] == "torch-2.0.0"
    page = (tmp_path / "t.html").read_text()
    assert "<script" not in page.lower() and "k.version" in page
    assert cli.main(["drift", "--timeline", "torch-1.13.1"]) == 2


def test_timeline_of_the_committed_recordings_covers_every_release_in_order():
    documents = [recording.read(path) for _, path in recording.available()]
    report = drift.timeline(documents)
    names = [r["name"] for r in report["releases"]]
    assert names[0] == "torch-1.13.1" and names[-1] == "torch-2.15.0" and len(names) == len(documents)
    by_id = {b["id"]: b for b in report["behaviours"]}
    assert [c["version"] for c in by_id["optim.zero_grad_sets_none"]["changes"]] == ["2.0.1"]
    assert [(c["version"], c["kinds"]) for c in by_id["views.setitem_index_list_and_mask"]["changes"]][-1] \
        == ("2.15.0", ["graph"])
    assert ("2.15.0", ["text"]) in [(c["version"], c["kinds"]) for c in by_id["errors.shape_matrix_ops"]["changes"]]


def test_lookup_follows_compare_paths():
    tree = {"outputs": {"items": {"z": {"graph": {"nodes": [{"name": "A"}, {"name": "B"}]}}}}}
    assert drift.lookup(tree, "outputs.items.z.graph.nodes[1].name") == "B"
    with pytest.raises(KeyError):
        drift.lookup(tree, "outputs.items.q")


def test_text_lists_behaviour_field_old_and_new():
    text = drift.format_text(drift.drift_report(*pair()))
    assert "torch-1.0.0 -> torch-2.0.0" in text
    assert "a.version\n  outputs.items.g.version\n    old: 0\n    new: 1" in text
    assert "a.gone: only in the old recording" in text and "a.new: only in the new recording" in text
    assert "6 behaviours in both: 4 changed, 2 unchanged; 1 only in the new, 1 only in the old." in text
    same = drift.format_text(drift.drift_report(pair()[0], pair()[0]))
    assert "No observable change." in same


def test_html_is_self_contained_escaped_and_marks_changed_words():
    page = drift_html.render_html(drift.drift_report(*pair()))
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()  # no script at all
    assert "script-src 'none'" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page) and "@import" not in page
    assert "<del>One</del>" in page or "<del>One of the</del>" in page.replace(" <del>", "<del>")
    assert "<ins>" in page and "torch 1.0.0" in page and "torch 2.0.0" in page
    assert page == drift_html.render_html(drift.drift_report(*pair()))  # deterministic


def test_html_groups_by_kind_with_filter_buttons_that_need_no_script():
    page = drift_html.render_html(drift.drift_report(*kinds_pair()))
    assert "<script" not in page.lower() and "script-src 'none'" in page
    groups = re.findall(r'<section class="kind-group" data-kind="([a-z]+)"', page)
    assert groups == ["text", "graph", "values", "version", "names", "status"]
    # counts per kind come before the changes
    assert page.index('aria-label="changes by kind"') < page.index('id="changes"')
    assert re.search(r'kind-text">text</span></th><td>error and warning text.*?<td class="number">3</td>', page, re.S)
    # one radio button per kind and per category; CSS :checked rules hide the other groups
    for kind in drift.KINDS:
        assert f'id="kind-{kind}"' in page and f'label for="kind-{kind}"' in page
        assert f'#kind-{kind}:checked ~ #changes .kind-group:not([data-kind="{kind}"]) {{ display: none; }}' in page
    categories = re.findall(r'<label for="cat-(\d+)">([^ <]+) <span class="n">(\d+)</span>', page)
    assert [(name, count) for _, name, count in categories] == [("k", "10"), ("ops", "1")]
    assert '#cat-1:checked ~ #changes section.category:not([data-category-index="1"]) { display: none; }' in page
    # a behaviour with two kinds is under both groups
    assert page.count('data-id="k.both"') == 2
    filtered = drift_html.render_html(drift.filter_report(drift.drift_report(*kinds_pair()), kinds=["names"]))
    assert re.findall(r'<section class="kind-group" data-kind="([a-z]+)"', filtered) == ["names"] and "Shown: kinds names" in filtered


def test_timeline_html_is_a_static_behaviour_by_release_table():
    first, second = kinds_pair()
    page = drift_html.render_timeline_html(drift.timeline([first, second]))
    assert "<script" not in page.lower() and "script-src 'none'" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert re.findall(r'<th scope="col" class="release"[^>]*>([^<]+)</th>', page) == ["2.0.0"]
    row = re.search(r'<tr class="has-text has-version ">.*?</tr>', page, re.S).group(0)
    assert "k.both" in row and 'aria-label="text">T</span>' in row and 'aria-label="version">#</span>' in row
    assert '#kind-names:checked ~ #timeline tbody tr:not(.has-names) { display: none; }' in page
    assert page == drift_html.render_timeline_html(drift.timeline([second, first]))  # deterministic


def test_cli_drift_writes_text_html_and_json(tmp_path, capsys):
    old, new = pair()
    recording.write(old, tmp_path / "old.json")
    recording.write(new, tmp_path / "new.json")
    assert cli.main(["drift", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--html",
                     str(tmp_path / "d.html"), "--json", str(tmp_path / "d.json")]) == 0
    out = capsys.readouterr().out
    assert "a.version" in out and (tmp_path / "d.html").exists() and (tmp_path / "d.json").exists()
    assert cli.main(["drift", str(tmp_path / "old.json"), str(tmp_path / "missing.json")]) == 2
    assert "missing.json" in capsys.readouterr().err


# ------------------------------------------------------------------ real recordings
def test_drift_from_oldest_to_newest_recording_shows_the_known_changes():
    names = [name for name, _ in recording.available()]
    report = drift.drift_report(recording.read(names[0]), recording.read(names[-1]))
    fields = {(c["id"], d["path"]) for c in report["changes"] for d in c["diffs"]}
    expected = {
        ("optim.zero_grad_sets_none", "outputs.items.p_grad"),  # zero_grad default: zeros -> None
        ("autograd_grad.allow_unused", "outputs.items.error.message"),  # unused-input text
        ("errors.saved_mul_input_modified", "outputs.items.error.message"),  # node naming and hint
        ("warnings.nonleaf_grad_access", "warnings[0].message"),  # 'informations'
        ("warnings.scalar_conversion_requires_grad", "warnings"),  # new warning
        ("ops.rpow_scalar_tensor", "outputs.items.y.grad_fn"),  # PowBackward1 -> PowBackward2
        ("ops.view_reshape", "outputs.items.reshape.grad_fn"),  # ReshapeAliasBackward0 -> ViewBackward0
        ("errors.empty_inputs", "outputs.items.grad.message"),
    }
    assert expected <= fields
    assert not any(c["change"] in ("added", "removed", "status") for c in report["changes"])
    text = drift.format_text(report)
    assert "more informations." in text and "more information.\"" in text
    assert "output 0 of MulBackward0" in text and "output 0 of Mul," in text


def test_the_same_torch_twice_has_no_drift():
    document = recording.read("torch-2.13.0")
    assert recording.behaviour_changes(document, copy.deepcopy(document)) == []


def test_drift_from_2_14_1_to_2_15_0_by_kind():
    report = drift.drift_report(recording.read("torch-2.14.1"), recording.read("torch-2.15.0"))
    assert {c["id"]: c["kinds"] for c in report["changes"]} == {
        "errors.shape_matrix_ops": ["text"],  # "mm: mat1 and mat2 shapes cannot be multiplied"
        "errors.matmul_family_error_texts": ["text"],  # "mm: self must be a matrix, got 1-D tensor"
        "views.setitem_basic_index_nonleaf": ["graph"],  # y[0] = 5.0: no edge for the number
        "views.setitem_basic_then_advanced": ["graph"],  # y[0, [0, 2]] = 5.0 on the view: index_fill_
        "views.setitem_index_list_and_mask": ["graph"],  # IndexFillBackward0, MaskedFillBackward0
        "views.setitem_into_expanded": ["text"],  # the number's write warns as index_fill_ / masked_fill_
        "views.setitem_leading_slice": ["graph"],  # y[:] = 5.0: FillBackward2, no edge for the number
        "views.setitem_number_mask_leading_dims": ["graph"]}
    counts = {kind: n["behaviours"] for kind, n in report["kinds"].items()}
    assert counts == {"text": 3, "graph": 5, "values": 0, "version": 0, "names": 0, "status": 0}
