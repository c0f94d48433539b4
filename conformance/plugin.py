"""pytest plugin: run the catalogue as tests against ``--impl`` and collect the results.

Registered through the ``pytest11`` entry point. Each scenario becomes one test
(``tests/test_catalogue.py``) with its id as the test id. Under pytest-xdist the
results travel to the controller in each report's ``user_properties`` and are
written once, at the end, to ``--conformance-json`` / ``--conformance-html``.
"""
from __future__ import annotations

import importlib.util
import inspect
import json
import os
import textwrap
import time
import warnings

import pytest

from . import catalogue, expectations, preflight, results as results_module, runner
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
    """A behaviour that does not pass; one subclass per status, so an expectation's xfail(raises=...)
    catches exactly the status it expects."""


STATUS_FAILURES = {status: type(f"Conformance_{status.replace('-', '_')}", (ConformanceFailure,), {})
                   for status in runner.STATUSES if status != "pass"}


def assert_conforms(scenario, result, context: str = "") -> None:
    """Raise the status's ConformanceFailure (with the differences and a repro) unless ``result`` passes."""
    __tracebackhide__ = True
    if result.status in ("pass", "skip"):
        return
    raise STATUS_FAILURES.get(result.status, ConformanceFailure)(context + failure_report(scenario, result))


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


def _expectation_markers(config, catalogue_items) -> None:
    path = config.getoption("conformance_expectations")
    if not path:
        return
    try:
        known_gaps = expectations.load(path)
    except expectations.ExpectationsError as error:
        raise pytest.UsageError(f"--expectations {error}") from None
    level = config.getoption("--conformance-level")
    live_version = _live_torch_version()
    for item, scenario, recording_path in catalogue_items:
        version = load_recording(recording_path)["torch"]["version"] if recording_path else live_version
        entry = expectations.find(known_gaps, scenario.id, version, level)
        if entry is None:
            continue
        if entry.status == "skip":
            item.add_marker(pytest.mark.skip(reason=entry.reason))
        else:
            raises = tuple(STATUS_FAILURES[s] for s in expectations.covered(entry.status))
            item.add_marker(pytest.mark.xfail(reason=entry.reason, strict=True, raises=raises))
    for entry in expectations.unmatched(known_gaps, catalogue.load_all()):
        warnings.warn(f"conformance: expectations {path}: {entry} matches no behaviour of the catalogue",
                      pytest.PytestWarning)


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
    _expectation_markers(config, catalogue_items)
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
            return recording.judge_against(scenario, document["observations"].get(scenario.id), status, payload,
                                           seconds, level)
        return recording.run_side_against(scenario, impl_module, document, level)

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
