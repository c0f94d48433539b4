"""pytest plugin: run the catalogue as tests against ``--impl`` and collect the results.

Registered through the ``pytest11`` entry point. Each scenario becomes one test
(``tests/test_catalogue.py``) with its id as the test id. Under pytest-xdist the
results travel to the controller in each report's ``user_properties`` and are
written once, at the end, to ``--conformance-json`` / ``--conformance-html``.
"""
from __future__ import annotations

import inspect
import json
import os
import textwrap

import pytest

from . import catalogue, results as results_module, runner

_RESULT_KEY = "conformance_result"


def pytest_addoption(parser):
    group = parser.getgroup("conformance", "autograd conformance suite")
    group.addoption("--impl", default="reference_impl", metavar="MODULE",
                    help="module under test; any importable module with torch's names (default: reference_impl)")
    group.addoption("--conformance-json", default=None, metavar="PATH", help="write the results JSON here")
    group.addoption("--conformance-html", default=None, metavar="PATH", help="write the HTML report here")
    group.addoption("--conformance-select", action="append", default=None, metavar="PREFIX",
                    help="only scenarios whose id starts with PREFIX (repeatable)")
    group.addoption("--hypothesis-profile-name", default=None, metavar="NAME",
                    help="hypothesis profile for property tests: dev, ci or thorough")


def pytest_configure(config):
    os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def impl_module(request):
    return runner.load_namespace(request.config.getoption("--impl"))


@pytest.fixture(scope="session")
def torch_module():
    return pytest.importorskip("torch")


def pytest_generate_tests(metafunc):
    if "conformance_scenario" in metafunc.fixturenames:
        scenarios = catalogue.select(metafunc.config.getoption("--conformance-select"))
        metafunc.parametrize("conformance_scenario", scenarios, ids=[s.id for s in scenarios])


@pytest.fixture
def run_scenario(request, impl_module, torch_module):
    """Run a scenario on torch and the implementation; record the result for the report."""

    def run(scenario):
        if scenario.isolated:
            worker = runner.Worker(request.config.getoption("--impl"))
            try:
                result = worker.run(scenario)
            finally:
                worker.close(kill=True)
        else:
            result = runner.run_pair(scenario, torch_module, impl_module)
        request.node.user_properties.append((_RESULT_KEY, json.dumps(result.as_dict())))
        return result

    return run


def failure_report(scenario, result) -> str:
    """What a failing test prints: the differences and a runnable repro."""
    source = textwrap.dedent(inspect.getsource(scenario.body)).splitlines()
    start = next(i for i, line in enumerate(source) if line.startswith("def "))
    body = "\n".join(source[start:])
    lines = [f"{result.status.upper()}: {scenario.id} — {scenario.title}",
             f"source: {scenario.source.document} — {scenario.source.shows}"]
    lines += [f"  {d['path']}: torch {d['expected']!r} != implementation {d['actual']!r}"
              + (f" ({d['note']})" if d.get("note") else "") for d in result.diffs[:12]]
    if len(result.diffs) > 12:
        lines.append(f"  … {len(result.diffs) - 12} more differences")
    if result.message and not result.diffs:
        lines.append(f"  {result.message}")
    lines += ["", "Repro (runs the scenario on both sides and prints what each shows):", "",
              "import torch, reference_impl", "from conformance.scenario import Context",
              "def body(t, ctx):" + body.split(":", 1)[1] if body.startswith("def _(") else body,
              "for t in (torch, reference_impl):",
              f"    print(t.__name__, body(t, Context({scenario.id!r})))"]
    return "\n".join(lines)


_collected: list = []  # result dicts gathered on the controller (or the only process)


def pytest_runtest_logreport(report):
    if report.when == "call":
        _collected.extend(json.loads(value) for key, value in report.user_properties if key == _RESULT_KEY)


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput"):  # an xdist worker: the controller writes the files
        return
    json_path = config.getoption("--conformance-json")
    html_path = config.getoption("--conformance-html")
    if not (json_path or html_path) or not _collected:
        return
    run = results_module.new_run(impl_name=config.getoption("--impl"), results=_collected)
    if json_path:
        results_module.write(run, json_path)
    if html_path:
        from .report import render

        render.write_html([run], html_path)
