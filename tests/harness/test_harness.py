"""The harness catches what differs, reports what hangs or crashes, and keeps results."""
from __future__ import annotations

import json
import sys

import pytest

import reference_impl
from conformance import catalogue, cli, results
from conformance.observe import Observer
from conformance.runner import Worker, run_catalogue, run_pair
from conformance.scenario import REGISTRY

torch = pytest.importorskip("torch")


def _scenario(scenario_id):
    catalogue.load_all()
    return REGISTRY[scenario_id]


def _paths(result):
    return [d["path"] for d in result.diffs]


# ------------------------------------------------------------------ deliberate differences are caught
def test_passes_for_the_reference_engine():
    assert run_pair(_scenario("backward.scalar_mean_chain"), torch, reference_impl).status == "pass"


def test_catches_a_wrong_value(monkeypatch):
    from reference_impl.ops import pointwise

    real_mean = reference_impl.mean
    monkeypatch.setattr(reference_impl.Tensor, "mean", lambda self, *a, **k: real_mean(self, *a, **k) * 1.01)
    result = run_pair(_scenario("backward.scalar_mean_chain"), torch, reference_impl)
    assert result.status == "fail"
    assert "outputs.items.z.values" in _paths(result)
    assert pointwise  # the patched method lives on Tensor; the module is untouched


def test_catches_a_wrong_grad_fn_name():
    from reference_impl.ops.pointwise import ADD

    ADD.node_class.__name__ = "AddBackward1"  # (monkeypatch cannot restore a class's __name__)
    try:
        result = run_pair(_scenario("grad_fn.add_name"), torch, reference_impl)
    finally:
        ADD.node_class.__name__ = "AddBackward0"
    assert result.status == "fail"
    assert "outputs.items.grad_fn.value" in _paths(result)
    assert any(d["expected"] == "AddBackward0" and d["actual"] == "AddBackward1" for d in result.diffs)


def test_catches_a_wrong_error_message(monkeypatch):
    from reference_impl import _messages

    monkeypatch.setattr(_messages, "IMPLICIT_GRAD_NOT_SCALAR", "grad can only be created for scalar outputs")
    result = run_pair(_scenario("errors.implicit_grad_non_scalar"), torch, reference_impl)
    assert result.status == "fail"
    assert "outputs.items.error.message" in _paths(result)


def test_catches_a_missing_warning(monkeypatch):
    from reference_impl import _tensor

    monkeypatch.setattr(_tensor.warnings, "warn", lambda *args, **kwargs: None)
    result = run_pair(_scenario("graph.nonleaf_grad_is_none_with_warning"), torch, reference_impl)
    assert result.status == "fail"
    assert any(path.startswith("warnings") for path in _paths(result))


def test_catches_a_wrong_graph_edge(monkeypatch):
    from reference_impl.autograd.graph import Node

    monkeypatch.setattr(Node, "next_functions", property(lambda self: tuple(zip(self._fns, self._nrs))[::-1]))
    result = run_pair(_scenario("graph.chain_two_muls"), torch, reference_impl)
    assert result.status == "fail"
    assert any(".graph.edges" in path for path in _paths(result))
    assert "outputs.items.inner_is_c.value" in _paths(result)


def test_a_missing_name_fails_only_the_scenarios_that_use_it():
    import lacking_impl

    uses_it = run_pair(_scenario("ops.sin_cos_tanh_sigmoid"), torch, lacking_impl)
    assert uses_it.status == "not-implemented"
    assert "tanh" in uses_it.message
    assert run_pair(_scenario("grad_fn.add_name"), torch, lacking_impl).status == "pass"


# ------------------------------------------------------------------ hangs, crashes, results files
def test_a_hanging_scenario_times_out_and_the_rest_still_run(monkeypatch):
    first = _scenario("basics.requires_grad_default_false")
    second = _scenario("grad_fn.add_name")  # uses tensor() too: it hangs as well, on a fresh worker
    for scenario in (first, second):
        monkeypatch.setattr(scenario, "timeout", 2.0)
    outcome = run_catalogue([first, second], "hanging_impl")
    assert [r.status for r in outcome] == ["timeout", "timeout"]
    assert "no result after 2 s" in outcome[0].message


def test_a_crashing_scenario_is_reported_and_the_rest_still_run():
    crash = _scenario("grad_fn.add_name")
    ok = _scenario("tracking.no_grad_block")
    outcome = run_catalogue([crash, ok], "crashing_impl")
    assert outcome[0].status == "crashed"
    assert "died" in outcome[0].message
    assert outcome[1].status == "crashed"  # every scenario calls tensor(); each gets its own fresh worker


def test_worker_reports_outcomes_as_plain_data():
    worker = Worker("reference_impl")
    try:
        status, outcome, seconds = worker.observe(_scenario("grad_fn.mul_name"))
    finally:
        worker.close()
    assert status == "ok" and seconds > 0
    assert json.loads(json.dumps(outcome))["outputs"]["items"]["z"]["grad_fn"] == "MulBackward0"


@pytest.mark.parametrize("content, message", [
    (None, "no such results file"),
    ('{"schema": "autograd-conformance/results", "schema_version": 1, "run"', "not valid JSON"),
    ('{"schema": "something else"}', "not an autograd-conformance results file"),
    ('{"schema": "autograd-conformance/results", "schema_version": 99, "run": {}, "results": []}',
     "schema version 99"),
])
def test_bad_results_files_get_a_clear_error_naming_the_file(tmp_path, content, message):
    path = tmp_path / "results.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(results.ResultsFileError, match=message) as error:
        results.read(path)
    assert str(path) in str(error.value)


def test_cli_report_exits_2_on_a_bad_results_file(tmp_path, capsys):
    assert cli.main(["report", str(tmp_path / "missing.json"), "-o", str(tmp_path / "r.html")]) == 2
    assert "missing.json" in capsys.readouterr().err


def test_cli_run_writes_json_and_html_and_exits_zero_when_all_pass(tmp_path):
    json_path, html_path = tmp_path / "r.json", tmp_path / "r.html"
    code = cli.main(["run", "--select", "grad_fn.add_name", "basics.", "--json", str(json_path),
                     "--html", str(html_path)])
    assert code == 0
    run = results.read(json_path)
    assert {r["status"] for r in run["results"]} == {"pass"}
    assert run["run"]["torch_version"] == torch.__version__
    assert html_path.read_text().startswith("<!DOCTYPE html>")


def test_cli_run_exits_non_zero_when_a_behaviour_diverges(tmp_path):
    code = cli.main(["run", "--impl", "lacking_impl", "--select", "ops.sin_cos_tanh_sigmoid",
                     "--json", str(tmp_path / "r.json"), "--html", ""])
    assert code == 1


def test_cli_names_an_unimportable_implementation(capsys):
    assert cli.main(["run", "--impl", "no_such_engine"]) == 2
    assert "no_such_engine" in capsys.readouterr().err


def test_observer_walks_graphs_deeper_than_the_recursion_limit():
    x = reference_impl.ones(1, requires_grad=True)
    y = x
    for _ in range(sys.getrecursionlimit() + 100):
        y = y * 1.0
    graph = Observer(reference_impl).graph(y.grad_fn)
    assert len(graph["nodes"]) == sys.getrecursionlimit() + 101


# ------------------------------------------------------------------ property tests from the command line
@pytest.fixture
def one_property(monkeypatch):
    """`run --properties` runs one quick property instead of all seven."""
    from conformance.properties import session

    monkeypatch.setattr(session, "LABELS", ("programs.arithmetic",))


def test_cli_run_with_properties_writes_them_to_the_results_and_report(tmp_path, one_property):
    json_path, html_path = tmp_path / "r.json", tmp_path / "r.html"
    code = cli.main(["run", "--select", "basics.", "--properties", "dev", "--hypothesis-seed", "7",
                     "--json", str(json_path), "--html", str(html_path)])
    assert code == 0
    run = results.read(json_path)
    [entry] = run["properties"]
    assert (entry["name"], entry["status"], entry["profile"], entry["seed"]) == ("programs.arithmetic", "pass", "dev", 7)
    assert entry["examples"] > 0
    assert (run["run"]["hypothesis_profile"], run["run"]["hypothesis_seed"]) == ("dev", 7)
    assert 'id="properties"' in html_path.read_text() and "programs.arithmetic" in html_path.read_text()


def test_cli_run_fails_when_a_property_meets_a_missing_name(tmp_path, one_property, capsys):
    json_path = tmp_path / "r.json"
    code = cli.main(["run", "--impl", "lacking_impl", "--select", "basics.", "--properties", "dev",
                     "--hypothesis-seed", "7", "--json", str(json_path), "--html", ""])
    assert code == 1
    [entry] = results.read(json_path)["properties"]
    assert entry["status"] == "not-implemented" and "not implemented: torch.tanh" in entry["message"]
    assert "not passing programs.arithmetic" in capsys.readouterr().err


def test_a_hanging_or_crashing_property_is_reported_and_the_rest_still_run():
    from conformance.properties import session

    labels = ("programs.arithmetic", "programs.views")
    hung = session.run_properties("hanging_impl", "dev", seed=1, labels=labels, timeout=10.0)
    assert [e["status"] for e in hung] == ["timeout", "timeout"] and "no result after 10 s" in hung[0]["message"]
    crashed = session.run_properties("crashing_impl", "dev", seed=1, labels=labels)
    assert [e["status"] for e in crashed] == ["crashed", "crashed"] and "died" in crashed[0]["message"]


def test_cli_properties_need_the_installed_torch_not_a_recording(capsys):
    assert cli.main(["run", "--against", "torch-2.13.0", "--properties", "ci"]) == 2
    assert "--against" in capsys.readouterr().err


def test_a_property_that_cannot_start_is_an_error_naming_why():
    from conformance.properties import session

    [entry] = session.run_properties("no_such_engine", "dev", seed=1, labels=("programs.views",))
    assert entry["status"] == "error" and "No module named 'no_such_engine'" in entry["message"]


_PROPERTY_TESTS = '''
from hypothesis import given, settings, strategies as st
from conformance.properties import suites


def _property(check):
    @settings(max_examples=5, database=None)
    @given(st.integers())
    def test(n):
        check(n)
    return test


def test_passing(property_run):
    property_run("demo.passing", _property(lambda n: None), suites.Tally(examples=5))


def test_failing(property_run):
    def check(n):
        raise ValueError("no good")
    property_run("demo.failing", _property(check), suites.Tally())
'''


def test_pytest_writes_property_outcomes_into_the_results_file(tmp_path):
    # Under xdist too: the outcomes travel from the workers to the controller, which writes the file once.
    (tmp_path / "test_demo.py").write_text(_PROPERTY_TESTS)
    json_path = tmp_path / "r.json"
    import subprocess

    subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider", str(tmp_path),
                    "--conformance-json", str(json_path), "--hypothesis-profile-name", "dev"],
                   cwd=tmp_path, capture_output=True, text=True, timeout=300)
    run = results.read(json_path)
    outcomes = {entry["name"]: entry for entry in run["properties"]}
    assert outcomes["demo.passing"]["status"] == "pass" and outcomes["demo.passing"]["examples"] == 5
    assert outcomes["demo.failing"]["status"] == "error" and "ValueError: no good" in outcomes["demo.failing"]["message"]
    assert run["run"]["hypothesis_profile"] == "dev" and isinstance(run["run"]["hypothesis_seed"], int)
