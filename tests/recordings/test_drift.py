"""`python -m conformance drift`: what changed in torch between two recordings, as text and HTML."""
from __future__ import annotations

import copy
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
    assert by_id["a.version"]["diffs"] == [{"path": "outputs.items.g.version", "old": 0, "new": 1, "note": ""}]
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
