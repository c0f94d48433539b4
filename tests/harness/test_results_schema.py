"""The published results schema (conformance/results.schema.json): validated when results are written and
read, with errors naming the file, the entry and the value; the suite's version and the catalogue's hash
in every run; runs of different catalogues merged as missing behaviours, not drift."""
from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from conformance import __version__, catalogue, cli, results
from conformance.recording import scenario_hash
from conformance.report import render


def a_result(behaviour_id="grad_fn.add_name", status="pass", **extra):
    entry = {"id": behaviour_id, "title": "t", "category": behaviour_id.split(".")[0],
             "source": {"document": "d", "shows": "s", "kind": "torch-docs"}, "status": status,
             "levels": {"semantic": status, "exact": status}, "blocked": [], "diffs": [], "tolerance": {},
             "max_abs_error": 0.0, "max_rel_error": 0.0, "duration_s": 0.01, "torch": None, "impl": None,
             "message": ""}
    entry.update(extra)
    return entry


def written(tmp_path, entries, name="r.json") -> dict:
    path = tmp_path / name
    results.write(results.new_run("reference_impl", entries, reference="torch"), path)
    return json.loads(path.read_text())


def test_the_schema_is_a_valid_json_schema_shipped_next_to_the_module():
    schema = json.loads(results.SCHEMA_FILE.read_text())
    jsonschema.validators.validator_for(schema).check_schema(schema)
    assert schema["$defs"]["status"]["enum"] == ["pass", "fail", "error", "not-implemented", "timeout", "crashed",
                                                 "skip"]


def test_written_results_carry_the_suite_version_the_catalogue_hash_and_the_code(tmp_path):
    data = written(tmp_path, [a_result()])
    assert data["run"]["suite_version"] == __version__
    registry = catalogue.load_all()
    assert data["run"]["catalogue"]["behaviours"] == len(registry)
    assert data["run"]["catalogue"]["hash"] == results.catalogue_fingerprint(registry)["hash"]
    assert "x + 2" in data["results"][0]["code"] and data["results"][0]["code"].startswith("@scenario(")
    assert results.problems(data) == []


def test_the_catalogue_hash_follows_ids_and_scenario_sources():
    registry = dict(catalogue.load_all())
    whole = results.catalogue_fingerprint(registry)["hash"]
    fewer = dict(list(registry.items())[:24])
    assert results.catalogue_fingerprint(fewer)["hash"] != whole
    some = next(iter(registry.values()))
    assert scenario_hash(some)  # the hash is built from these


def test_reading_a_bad_status_names_the_file_the_behaviour_and_the_value(tmp_path):
    data = written(tmp_path, [a_result()])
    data["results"].append(a_result("grad_fn.mul_name", "weird"))
    path = tmp_path / "weird.json"
    path.write_text(json.dumps(data))
    with pytest.raises(results.ResultsFileError) as error:
        results.read(path)
    text = str(error.value)
    assert str(path) in text and "grad_fn.mul_name" in text and "'weird'" in text and "\n" not in text


def test_report_of_a_bad_status_exits_2_with_one_line(tmp_path, capsys):
    data = written(tmp_path, [a_result(), a_result("grad_fn.mul_name")])
    data["results"][1]["status"] = "weird"
    path = tmp_path / "weird.json"
    path.write_text(json.dumps(data))
    assert cli.main(["report", str(path), "-o", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and "grad_fn.mul_name" in err[0] and "weird" in err[0], err
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("where, value, expected", [
    (("results", 0, "levels", "exact"), "meh", "results[0].levels.exact (behaviour grad_fn.add_name): 'meh'"),
    (("results", 0, "diffs"), [{"expected": 1}], "results[0].diffs[0] (behaviour grad_fn.add_name): 'path'"),
    (("run", "level"), "loose", "run.level: 'loose' is not one of semantic, exact"),
    (("properties",), [{"name": "prop.a", "status": "odd"}], "properties[0].status (property prop.a): 'odd'"),
])
def test_other_schema_errors_name_where_and_what(tmp_path, where, value, expected):
    data = written(tmp_path, [a_result()])
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(results.ResultsFileError, match=None) as error:
        results.read(path)
    assert expected in str(error.value), str(error.value)


def test_writing_a_bad_status_is_refused_before_the_file_exists(tmp_path):
    run = results.new_run("reference_impl", [a_result(status="weird")])
    with pytest.raises(results.ResultsFileError, match="weird"):
        results.write(run, tmp_path / "out.json")
    assert not (tmp_path / "out.json").exists()


def test_files_without_the_new_fields_still_read(tmp_path):
    old = {"schema": "autograd-conformance/results", "schema_version": 1,
           "run": {"torch_version": "2.5.1", "implementation": "reference_impl", "date": "2026-01-01"},
           "results": [{"id": "a.b", "title": "t", "category": "a", "source": {"document": "d", "shows": "s"},
                        "status": "fail", "diffs": [{"path": "x", "expected": 1, "actual": 2, "note": ""}],
                        "tolerance": {}, "max_abs_error": 0.0, "max_rel_error": 0.0, "duration_s": 0.1,
                        "torch": {}, "impl": {}, "message": "m"}]}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    assert results.read(path)["results"][0]["status"] == "fail"


def test_merging_runs_of_different_catalogues_reports_missing_behaviours_not_drift(tmp_path):
    ids = sorted(catalogue.load_all())
    full = results.new_run("reference_impl", [a_result(i) for i in ids])
    small = copy.deepcopy(full)
    small["results"] = small["results"][:24]
    small["run"]["catalogue"] = results.catalogue_fingerprint(dict(list(catalogue.load_all().items())[:24]))
    small["run"]["torch_version"] = "2.5.1"
    page = render.render_html([small, full])
    assert f"{len(ids)} behaviours, 0 with drift" in page
    assert f"{len(ids) - 24} missing from some runs" in page
    assert "2 different catalogues" in page
