"""pytest plugin: run the catalogue as tests against ``--impl`` and collect the results.

Registered through the ``pytest11`` entry point. Each scenario becomes one test
(``tests/test_catalogue.py``) with its id as the test id. Under pytest-xdist the
results travel to the controller in each report's ``user_properties`` and are
written once, at the end, to ``--conformance-json`` / ``--conformance-html``.
"""
from __future__ import annotations

import importlib.util
import json
import os
import time
import warnings

import pytest

from . import catalogue, expectations, preflight, repro, results as results_module, runner
from .levels import DEFAULT_LEVEL, LEVELS

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
    group.addoption("--conformance-level", default=DEFAULT_LEVEL, choices=LEVELS,
                    help="judge behaviours on the semantic fields only, or on everything torch shows (exact; default)")
    group.addoption("--conformance-expectations", "--expectations", dest="conformance_expectations", default=None,
                    metavar="FILE", help="TOML file of the implementation's known gaps: expected failures are xfail "
                                         "with their reason, an unexpected pass is XPASS(strict)")
    group.addoption("--conformance-recordings", action="append", default=None, metavar="NAME",
                    help="check --impl against these recordings of real torch (torch-2.5.1 or a path; repeatable; "
                         "default: every committed one; 'none' for none); needs no torch")


def pytest_configure(config):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    _configure_hypothesis(config)


# ------------------------------------------------------------------ property tests (conformance/properties)
def _configure_hypothesis(config) -> None:
    """Load the chosen hypothesis profile; a random profile gets one seed for the whole session (chosen
    on the controller, handed to xdist workers) so the results can name it and a run can be repeated."""
    from .properties import profiles

    try:
        name = profiles.choose(config.getoption("--hypothesis-profile-name"))
    except ValueError as error:
        raise pytest.UsageError(f"--hypothesis-profile-name / {profiles.ENV_VAR}: {error}") from None
    worker_seed = getattr(config, "workerinput", {}).get("conformance_hypothesis_seed")
    given_seed = config.getoption("hypothesis_seed", None)  # hypothesis' own --hypothesis-seed
    seed = int(given_seed) if given_seed is not None and str(given_seed).isdigit() else \
        worker_seed if worker_seed is not None else profiles.new_seed()
    profiles.activate(name, seed)
    config._conformance_hypothesis = {"profile": name, "seed": profiles.active_seed()}


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist: every worker uses the controller's seed."""
    node.workerinput["conformance_hypothesis_seed"] = node.config._conformance_hypothesis["seed"]


def pytest_report_header(config):
    chosen = getattr(config, "_conformance_hypothesis", None)
    if chosen:
        seed = "derandomized" if chosen["seed"] is None else f"seed {chosen['seed']}"
        impl = config.getoption("--impl")
        return f"conformance: hypothesis profile {chosen['profile']} ({seed}), implementation {impl}"
    return None


@pytest.fixture
def property_run(request):
    """``property_run(name, test, tally)``: run a property test and record its outcome for the results."""
    from .properties import reporting

    def run(name, test, tally, regression_dir=None):
        reporting.run_property(request.node, name, test, tally, regression_dir)

    return run


@pytest.fixture(scope="session")
def impl_module(request):
    return runner.load_namespace(request.config.getoption("--impl"))


@pytest.fixture(scope="session")
def torch_module():
    return pytest.importorskip("torch")


class ConformanceFailure(AssertionError):
    """A behaviour that does not pass (and is not an expected gap)."""


def assert_conforms(scenario, result, context: str = "") -> None:
    """Raise the status's ConformanceFailure (with the differences and a repro) unless ``result`` passes or
    does what the session's expectations file says (then xfail with its reason; XPASS(strict) when it passes
    where the file expected otherwise)."""
    __tracebackhide__ = True
    expectation = result.expectation or {}
    if expectation.get("outcome") == "expected":
        pytest.xfail(f"expected {expectation['status']}: {expectation['reason']}")
    if expectation.get("outcome") == "xpass":
        pytest.fail(f"XPASS(strict) {scenario.id}: expected {expectation['status']} ({expectation['reason']}) but "
                    f"it passes; update the expectations file", pytrace=False)
    if result.status in ("pass", "skip"):
        return
    raise ConformanceFailure(context + failure_report(scenario, result))


def _catalogue_items(items) -> list:
    """(item, scenario, recording path or None) for every catalogue test collected."""
    found = []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "conformance_scenario" in params:
            found.append((item, params["conformance_scenario"], None))
        elif isinstance(params.get("recorded_scenario"), tuple):  # (no recording chosen: an empty parameter)
            path, scenario = params["recorded_scenario"]
            found.append((item, scenario, path))
    return found


def _preflight(config, catalogue_items) -> None:
    """Once, before any catalogue test: a bad --impl, a reference that is not PyTorch or an implementation
    that cannot do a backward is one usage error, not hundreds of failures."""
    from . import recording, surface

    live = any(path is None for _, _, path in catalogue_items)
    try:
        if live and importlib.util.find_spec("torch") is not None:
            preflight.check_reference("torch")
        torch_surface = surface.installed() if live else recording.surface_of(load_recording(catalogue_items[0][2]))
        preflight.check_implementation(config.getoption("--impl"), torch_surface)
    except preflight.PreflightError as error:
        raise pytest.UsageError(f"conformance: {error}") from None


def _load_expectations(config) -> None:
    """Read --expectations once; skip entries become skip marks, the rest are judged in each test."""
    path = config.getoption("conformance_expectations")
    config._conformance_expectations = None
    if not path:
        return []
    try:
        known_gaps = expectations.load(path)
    except expectations.ExpectationsError as error:
        raise pytest.UsageError(f"--expectations {error}") from None
    config._conformance_expectations = known_gaps
    for entry in expectations.unmatched(known_gaps, catalogue.load_all()):
        warnings.warn(f"conformance: expectations {path}: {entry} matches no behaviour of the catalogue",
                      pytest.PytestWarning)
    return known_gaps


def _skip_marks(config, catalogue_items, known_gaps) -> None:
    level = config.getoption("--conformance-level")
    live_version = _live_torch_version()
    for item, scenario, recording_path in catalogue_items:
        version = load_recording(recording_path)["torch"]["version"] if recording_path else live_version
        entry = expectations.find(known_gaps, scenario.id, version, level)
        if entry is not None and entry.status == "skip":
            item.add_marker(pytest.mark.skip(reason=entry.reason))


def _expect(config, result, torch_version) -> None:
    """Mark a Result with the expectations file's verdict, as the CLI does (see assert_conforms)."""
    known_gaps = getattr(config, "_conformance_expectations", None)
    if known_gaps:
        marked = [{"id": result.id, "status": result.status, "levels": result.levels}]
        expectations.apply(marked, known_gaps, torch_version, config.getoption("--conformance-level"))
        result.expectation = marked[0].get("expectation")


def _live_torch_version():
    try:
        import torch
    except ImportError:
        return None
    return getattr(torch, "__version__", None)


def pytest_collection_modifyitems(config, items):
    """Preflight and expectations for the catalogue tests; each scenario's own timeout, enforced by
    pytest-timeout's thread method (it can stop a hang inside C++; under xdist the worker is then replaced
    and the run goes on)."""
    catalogue_items = _catalogue_items(items)
    if not catalogue_items:
        return
    _preflight(config, catalogue_items)
    known_gaps = _load_expectations(config)
    if known_gaps:
        _skip_marks(config, catalogue_items, known_gaps)
    if not config.pluginmanager.hasplugin("timeout"):
        return
    for item, scenario, _ in catalogue_items:
        if not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(scenario.timeout, method="thread"))


def pytest_generate_tests(metafunc):
    if "recorded_scenario" in metafunc.fixturenames:
        pairs = recorded_pairs(metafunc.config)
        metafunc.parametrize("recorded_scenario", pairs, ids=[recorded_id(pair) for pair in pairs])
    if "conformance_scenario" in metafunc.fixturenames:
        scenarios = catalogue.select(metafunc.config.getoption("--conformance-select"))
        metafunc.parametrize("conformance_scenario", scenarios, ids=[s.id for s in scenarios])


class _ReferenceSide:
    """torch's side of live catalogue tests, observed in its own worker process, so that process-wide state
    (warn-once warnings, default dtype, grad mode) never leaks between torch and the implementation, even
    when the implementation is torch itself."""

    def __init__(self) -> None:
        self.worker = None

    def observe(self, scenario) -> tuple:
        from . import surface

        if scenario.isolated or self.worker is None:
            worker = runner.Worker("torch", None, surface.installed().data)
        else:
            worker = self.worker
        observed = worker.observe(scenario)
        if scenario.isolated:
            worker.close(kill=observed[0] != "ok")
        else:
            self.worker = worker if observed[0] == "ok" else None
        return observed

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()


@pytest.fixture(scope="session")
def reference_side():
    side = _ReferenceSide()
    yield side
    side.close()


@pytest.fixture
def run_scenario(request, impl_module, torch_module, reference_side):
    """Run a scenario on torch (its own process) and the implementation (this process, or a fresh one for an
    isolated scenario); record the result for the report."""
    from . import surface

    level = request.config.getoption("--conformance-level")

    def run(scenario):
        reference = reference_side.observe(scenario)
        if scenario.isolated:
            worker = runner.Worker(request.config.getoption("--impl"), None, surface.installed().data)
            try:
                implementation = worker.observe(scenario)
            finally:
                worker.close(kill=True)
        else:
            start = time.perf_counter()
            outcome = runner.run_side(impl_module, scenario, surface.installed())
            implementation = ("ok", outcome, time.perf_counter() - start)
        result = runner.judge_observed(scenario, reference, implementation, level)
        repro.attach(result, request.config.getoption("--impl"), None, level)
        _expect(request.config, result, _live_torch_version())
        request.node.user_properties.append((_RESULT_KEY, json.dumps(result.as_dict())))
        return result

    return run


# ------------------------------------------------------------------ against recordings of real torch
_recordings: dict = {}  # path -> recording document, loaded once per process


def _recording_paths(config) -> list:
    from . import recording

    chosen = config.getoption("--conformance-recordings")
    if chosen and any(name.lower() == "none" for name in chosen):
        return []
    if not chosen:
        return [str(path) for _, path in recording.available()]
    try:
        return [str(recording.resolve(name)) for name in chosen]
    except recording.RecordingFileError as error:
        raise pytest.UsageError(f"--conformance-recordings: {error}") from None


def load_recording(path: str) -> dict:
    from . import recording

    if path not in _recordings:
        _recordings[path] = recording.read(path)
    return _recordings[path]


def recorded_pairs(config) -> list:
    """(recording name, scenario) for every recording chosen and every selected scenario it holds."""
    from . import recording

    scenarios = catalogue.select(config.getoption("--conformance-select"))
    pairs = []
    for path in _recording_paths(config):
        try:
            document = load_recording(path)
        except recording.RecordingFileError as error:
            raise pytest.UsageError(f"conformance: {error}") from None
        pairs += [(path, s) for s in scenarios if s.id in document["observations"]]
    return pairs


def recorded_id(pair) -> str:
    from . import recording

    path, scenario = pair
    return f"{recording.name_of(load_recording(path))}/{scenario.id}"


@pytest.fixture
def run_recorded(request, impl_module):
    """Check a scenario on the implementation alone against a recording (emulating its torch version)."""
    from . import recording

    level = request.config.getoption("--conformance-level")

    def run(param):
        path, scenario = param
        document = load_recording(path)
        if scenario.isolated:
            worker = runner.Worker(request.config.getoption("--impl"), document["torch"]["version"],
                                   recording.surface_data_of(document))
            try:
                status, payload, seconds = worker.observe(scenario)
            finally:
                worker.close(kill=True)
            result = recording.judge_against(scenario, document["observations"].get(scenario.id), status, payload,
                                             seconds, level)
        else:
            result = recording.run_side_against(scenario, impl_module, document, level)
        repro.attach(result, request.config.getoption("--impl"), path, level)
        _expect(request.config, result, document["torch"]["version"])
        return result

    return run


def failure_report(scenario, result) -> str:
    """What a failing test prints: the differences and a runnable repro (conformance/repro.py)."""
    lines = [f"{result.status.upper()}: {scenario.id} — {scenario.title}",
             f"source: {scenario.source.document} — {scenario.source.shows}",
             f"levels: {', '.join(f'{level} {status}' for level, status in result.levels.items())}"]
    lines += [f"  [{d.get('level', 'exact')}] {d['path']}: torch {d['expected']!r} != implementation {d['actual']!r}"
              + (f" ({d['note']})" if d.get("note") else "") for d in result.diffs[:12]]
    if len(result.diffs) > 12:
        lines.append(f"  … {len(result.diffs) - 12} more differences")
    if result.blocked:
        lines.append(f"  not implemented: {', '.join(result.blocked)}")
    if result.message and not result.diffs:
        lines.append(f"  {result.message}")
    if result.repro:
        lines += ["", "Repro (save as a file and run it: it runs both sides, prints what each shows, and exits 1 "
                      "while they differ):", "", result.repro]
    return "\n".join(lines)


_collected: list = []  # result dicts gathered on the controller (or the only process)


_collected_properties: list = []  # property outcomes (conformance/properties/reporting.py), likewise


def pytest_runtest_logreport(report):
    if report.when == "call":
        _collected.extend(json.loads(value) for key, value in report.user_properties if key == _RESULT_KEY)
        if report.user_properties:
            from .properties import reporting

            _collected_properties.extend(reporting.collected(report))


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput"):  # an xdist worker: the controller writes the files
        return
    json_path = config.getoption("--conformance-json")
    html_path = config.getoption("--conformance-html")
    if not (json_path or html_path) or not (_collected or _collected_properties):
        return
    run = results_module.new_run(impl_name=config.getoption("--impl"), results=_collected,
                                 properties=sorted(_collected_properties, key=lambda p: p["name"]),
                                 hypothesis=getattr(config, "_conformance_hypothesis", None))
    if json_path:
        results_module.write(run, json_path)
    if html_path:
        from .report import render

        render.write_html([run], html_path)
