"""pytest plugin: run the catalogue as tests against ``--impl`` and collect the results.

Registered through the ``pytest11`` entry point. The catalogue as tests ships in the package
(``conformance/test_conformance.py``): ``pytest --pyargs conformance --impl MODULE`` runs one test per
behaviour against one reference, the installed torch live, else the newest committed recording;
``--conformance-recordings all|NAME...`` adds recordings (``tests/`` re-uses that test). Under
pytest-xdist the results travel to the controller in each report's ``user_properties`` and are written
once, at the end, to ``--conformance-json`` / ``--conformance-html`` (one run per reference).

Hygiene: in a session that gives no conformance option and collects no conformance test the plugin
changes nothing (no hypothesis profile, no header line, no environment variable). A session becomes a
conformance session (``activate``) when a conformance option is given, ``--pyargs conformance`` is
asked for, conformance tests are collected, or a conftest asks for it (``tests/properties/conftest.py``,
so that the profile is loaded before its test modules are imported).
"""
from __future__ import annotations

import importlib.util
import json
import os
import random
import time
import warnings
from pathlib import Path
from typing import NamedTuple

import pytest

from .levels import DEFAULT_LEVEL, LEVELS

# Everything else of the package (catalogue, numpy, hypothesis profiles) is imported only when used, so
# that merely having the package installed costs other projects' pytest sessions nothing.

_RESULT_KEY = "conformance_result"
_PROPERTY_KEY = "conformance_property"  # conformance/properties/reporting.py PROPERTY_KEY
DEFAULT_IMPL = "reference_impl"
# The options of the group: any of them given makes the session a conformance session (their defaults are
# None, so "given" is "not None").
_OPTIONS = ("impl", "conformance_json", "conformance_html", "conformance_select", "hypothesis_profile_name",
            "conformance_level", "conformance_expectations", "conformance_recordings")
# Fixtures of this plugin: a collected test using one is a conformance test.
_FIXTURES = frozenset({"conformance_case", "conformance_scenario", "recorded_scenario", "run_case", "run_scenario",
                       "run_recorded", "impl_module", "torch_module", "property_run", "reference_side"})


def pytest_addoption(parser):
    group = parser.getgroup("conformance", "autograd conformance suite")
    group.addoption("--impl", default=None, metavar="MODULE",
                    help=f"module under test; any importable module with torch's names (default: {DEFAULT_IMPL})")
    group.addoption("--conformance-json", default=None, metavar="PATH",
                    help="write the results JSON here (with several references, one file per reference: "
                         "PATH for the first, PATH-<recording>.json beside it for the others)")
    group.addoption("--conformance-html", default=None, metavar="PATH",
                    help="write the HTML report here (every reference's run in one report)")
    group.addoption("--conformance-select", action="append", default=None, metavar="PREFIX",
                    help="only scenarios whose id starts with PREFIX (repeatable)")
    group.addoption("--hypothesis-profile-name", default=None, metavar="NAME",
                    help="hypothesis profile for property tests: dev (default), quick, ci or thorough")
    group.addoption("--conformance-level", default=None, choices=LEVELS,
                    help="judge behaviours on the semantic fields only, or on everything torch shows "
                         f"(default: {DEFAULT_LEVEL})")
    group.addoption("--conformance-expectations", "--expectations", dest="conformance_expectations", default=None,
                    metavar="FILE", help="TOML file of the implementation's known gaps: expected failures are xfail "
                                         "with their reason, an unexpected pass is XPASS(strict)")
    group.addoption("--conformance-recordings", action="append", default=None, metavar="NAME",
                    help="references besides the default one (the installed torch live, else the newest committed "
                         "recording): 'all' (every committed recording), a recording's name (torch-2.5.1) or "
                         "path (repeatable); 'none' for no recording (live only); needs no torch")


def impl_name(config) -> str:
    return config.getoption("--impl") or DEFAULT_IMPL


def level_of(config) -> str:
    return config.getoption("--conformance-level") or DEFAULT_LEVEL


# ------------------------------------------------------------------ when the plugin does anything
def pytest_configure(config):
    if requested(config):
        activate(config)
        _preflight_on_the_xdist_controller(config)


def session_seed(config) -> int:
    """The seed a random hypothesis profile uses, the same in every xdist worker: --hypothesis-seed, else the
    controller's (handed to workers even when only they become conformance sessions, at collection), else a
    new one. Choosing it changes nothing."""
    if getattr(config, "_conformance_seed", None) is None:
        worker_seed = getattr(config, "workerinput", {}).get("conformance_hypothesis_seed")
        given_seed = config.getoption("hypothesis_seed", None)  # hypothesis' own --hypothesis-seed
        config._conformance_seed = int(given_seed) if given_seed is not None and str(given_seed).isdigit() else \
            worker_seed if worker_seed is not None else random.SystemRandom().randrange(2**32)
    return config._conformance_seed


def requested(config) -> bool:
    """A conformance option is given, or ``--pyargs conformance[...]`` names the shipped tests."""
    if any(config.getoption(dest, None) is not None for dest in _OPTIONS):
        return True
    return bool(getattr(config.option, "pyargs", False)) and any(
        str(arg).split("::")[0].split(".")[0] == "conformance" for arg in config.args)


def activate(config) -> None:
    """Make this a conformance session (idempotent): OMP_NUM_THREADS=1 unless set, and the hypothesis
    profile for property tests. Conftests of property tests call it from their ``pytest_configure``."""
    if getattr(config, "_conformance_hypothesis", None) is not None:
        return
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    _configure_hypothesis(config)


def is_active(config) -> bool:
    return getattr(config, "_conformance_hypothesis", None) is not None


# ------------------------------------------------------------------ property tests (conformance/properties)
def _configure_hypothesis(config) -> None:
    """Load the chosen hypothesis profile; a random profile gets one seed for the whole session (chosen
    on the controller, handed to xdist workers) so the results can name it and a run can be repeated."""
    from .properties import profiles

    try:
        name = profiles.choose(config.getoption("--hypothesis-profile-name"))
    except ValueError as error:
        raise pytest.UsageError(f"--hypothesis-profile-name / {profiles.ENV_VAR}: {error}") from None
    profiles.activate(name, session_seed(config))
    config._conformance_hypothesis = {"profile": name, "seed": profiles.active_seed()}


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist: every worker uses the controller's seed."""
    node.workerinput["conformance_hypothesis_seed"] = session_seed(node.config)


def pytest_report_header(config):
    chosen = getattr(config, "_conformance_hypothesis", None)
    if not chosen:
        return None
    seed = "derandomized" if chosen["seed"] is None else f"seed {chosen['seed']}"
    return (f"conformance: implementation {impl_name(config)} against {describe_references(config)}; "
            f"hypothesis profile {chosen['profile']} ({seed})")


# ------------------------------------------------------------------ references: torch live and recordings
class Case(NamedTuple):
    """One catalogue test: a scenario and its reference (None: the installed torch, live; else a recording's
    path)."""
    reference: str | None
    scenario: object

    @property
    def context(self) -> str:
        return "" if self.reference is None else f"against {self.reference}:\n"


def _torch_installed() -> bool:
    return importlib.util.find_spec("torch") is not None


def _installed_torch_version() -> str:
    try:
        from importlib import metadata

        return metadata.version("torch")
    except Exception:  # noqa: BLE001 - only a label
        return "installed"


def chosen_recordings(config, default_newest: bool) -> list:
    """Paths of the recordings --conformance-recordings names ('all': every committed one, 'none': none);
    without the option, the newest committed one if ``default_newest`` else none."""
    from . import recording

    chosen = config.getoption("--conformance-recordings")
    if not chosen:
        newest = recording.available()[-1:] if default_newest else []
        return [str(path) for _, path in newest]
    if any(name.lower() == "none" for name in chosen):
        return []
    paths = []
    for name in chosen:
        try:
            found = [path for _, path in recording.available()] if name.lower() == "all" else [recording.resolve(name)]
        except recording.RecordingFileError as error:
            raise pytest.UsageError(f"--conformance-recordings: {error}") from None
        paths += [str(path) for path in found if str(path) not in paths]
    return paths


def references(config, which: str = "default") -> list:
    """The references catalogue tests of a module check against, in order (None: torch live).

    ``default`` (the shipped tests): the installed torch live, else the newest committed recording, plus
    --conformance-recordings. ``live``: torch live only (none without torch). ``recordings``: the recordings of
    --conformance-recordings, default the newest committed one."""
    live = _torch_installed() and which in ("default", "live")
    if which == "live":
        return [None] if live else []
    return ([None] if live else []) + chosen_recordings(config, default_newest=which == "recordings" or not live)


def describe_references(config) -> str:
    """'the installed torch 2.13.0 (live)', 'recording torch-2.14.1 (the newest committed; torch is not
    installed)', or both with a count of recordings."""
    from . import recording

    found = references(config)
    parts = [f"the installed torch {_installed_torch_version()} (live)"] if None in found else []
    names = [recording.name_of(load_recording(path)) for path in found if path is not None]
    if len(names) == 1 and not parts and not config.getoption("--conformance-recordings"):
        parts.append(f"recording {names[0]} (the newest committed; torch is not installed)")
    elif len(names) == 1:
        parts.append(f"recording {names[0]}")
    elif names:
        parts.append(f"{len(names)} recordings ({names[0]} ... {names[-1]})")
    return " and ".join(parts) or "nothing (--conformance-recordings none and torch is not installed)"


@pytest.fixture
def property_run(request):
    """``property_run(name, test, tally)``: run a property test and record its outcome for the results."""
    from .properties import reporting

    activate(request.config)  # (normally done at collection already)

    def run(name, test, tally, regression_dir=None):
        reporting.run_property(request.node, name, test, tally, regression_dir)

    return run


@pytest.fixture(scope="session")
def impl_module(request):
    from . import runner

    return runner.load_namespace(impl_name(request.config))


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
        if isinstance(params.get("conformance_case"), Case):
            case = params["conformance_case"]
            found.append((item, case.scenario, case.reference))
        elif "conformance_scenario" in params:
            found.append((item, params["conformance_scenario"], None))
        elif isinstance(params.get("recorded_scenario"), tuple):  # (no recording chosen: an empty parameter)
            path, scenario = params["recorded_scenario"]
            found.append((item, scenario, path))
    return found


def _preflight(config, catalogue_items) -> None:
    """Once, before any catalogue test: a bad --impl, a reference that is not PyTorch or an implementation
    that cannot do a backward is one usage error, not hundreds of failures."""
    live = any(path is None for _, _, path in catalogue_items)
    recorded = next((path for _, _, path in catalogue_items if path is not None), None)
    _check(config, live, recorded)


def _check(config, live: bool, recorded: str | None) -> None:
    from . import preflight, recording, surface

    try:
        if live and _torch_installed():
            preflight.check_reference("torch")
        torch_surface = surface.installed() if live else recording.surface_of(load_recording(recorded))
        preflight.check_implementation(impl_name(config), torch_surface)
    except preflight.PreflightError as error:
        raise pytest.UsageError(f"conformance: {error}") from None


def _preflight_on_the_xdist_controller(config) -> None:
    """Under xdist the controller collects nothing and a usage error raised in the workers' collection ends
    in an INTERNALERROR: check a given --impl here, before the workers start."""
    if config.getoption("--impl") is None or hasattr(config, "workerinput") \
            or not getattr(config.option, "numprocesses", None):
        return
    found = references(config)
    if found:
        _check(config, None in found, next((ref for ref in found if ref is not None), None))


def _load_expectations(config) -> list:
    """Read --expectations once; skip entries become skip marks, the rest are judged in each test."""
    from . import catalogue, expectations

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
    from . import expectations

    level = level_of(config)
    live_version = _live_torch_version()
    for item, scenario, recording_path in catalogue_items:
        version = load_recording(recording_path)["torch"]["version"] if recording_path else live_version
        entry = expectations.find(known_gaps, scenario.id, version, level)
        if entry is not None and entry.status == "skip":
            item.add_marker(pytest.mark.skip(reason=entry.reason))


def _expect(config, result, torch_version) -> None:
    """Mark a Result with the expectations file's verdict, as the CLI does (see assert_conforms)."""
    from . import expectations

    known_gaps = getattr(config, "_conformance_expectations", None)
    if known_gaps:
        marked = [{"id": result.id, "status": result.status, "levels": result.levels}]
        expectations.apply(marked, known_gaps, torch_version, level_of(config))
        result.expectation = marked[0].get("expectation")


def _live_torch_version():
    try:
        import torch
    except ImportError:
        return None
    return getattr(torch, "__version__", None)


def pytest_collection_modifyitems(config, items):
    """A session that collected conformance tests becomes a conformance session. Then preflight and
    expectations for the catalogue tests; each scenario's own timeout, enforced by pytest-timeout's thread
    method (it can stop a hang inside C++; under xdist the worker is then replaced and the run goes on)."""
    catalogue_items = _catalogue_items(items)
    if catalogue_items or any(_uses_this_plugin(item) for item in items):
        activate(config)
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


def _uses_this_plugin(item) -> bool:
    """The item uses a fixture of this plugin (not one of the same name a project defines itself)."""
    info = getattr(item, "_fixtureinfo", None)
    for name in _FIXTURES.intersection(getattr(info, "names_closure", ())):
        definitions = info.name2fixturedefs.get(name) or ()
        if definitions and getattr(getattr(definitions[-1], "func", None), "__module__", None) == __name__:
            return True
    return False


def _selected_scenarios(config) -> list:
    from . import catalogue

    try:
        return catalogue.select(config.getoption("--conformance-select"))
    except (ValueError, SystemExit) as error:  # a pattern that matches nothing
        raise pytest.UsageError(f"--conformance-select: {error}") from None


def pytest_generate_tests(metafunc):
    config = metafunc.config
    if "conformance_case" in metafunc.fixturenames:
        # A module says which references its catalogue tests use: ``conformance_references = "default" |
        # "live" | "recordings"`` (see references()); tests/ splits the shipped test that way.
        which = getattr(metafunc.module, "conformance_references", "default")
        cases = [Case(reference, scenario) for reference in references(config, which)
                 for scenario in _scenarios_of(config, reference)]
        metafunc.parametrize("conformance_case", cases, ids=[case_id(case) for case in cases])
    if "recorded_scenario" in metafunc.fixturenames:
        pairs = recorded_pairs(config)
        metafunc.parametrize("recorded_scenario", pairs, ids=[recorded_id(pair) for pair in pairs])
    if "conformance_scenario" in metafunc.fixturenames:
        scenarios = _selected_scenarios(config)
        metafunc.parametrize("conformance_scenario", scenarios, ids=[s.id for s in scenarios])


def _scenarios_of(config, reference) -> list:
    """The selected scenarios a reference can check (a recording: those it holds)."""
    from . import recording

    scenarios = _selected_scenarios(config)
    if reference is None:
        return scenarios
    try:
        document = load_recording(reference)
    except recording.RecordingFileError as error:
        raise pytest.UsageError(f"conformance: {error}") from None
    return [s for s in scenarios if s.id in document["observations"]]


def case_id(case: Case) -> str:
    from . import recording

    where = "live" if case.reference is None else recording.name_of(load_recording(case.reference))
    return f"{where}/{case.scenario.id}"


class _ReferenceSide:
    """torch's side of live catalogue tests, observed in its own worker process, so that process-wide state
    (warn-once warnings, default dtype, grad mode) never leaks between torch and the implementation, even
    when the implementation is torch itself."""

    def __init__(self) -> None:
        self.worker = None

    def observe(self, scenario) -> tuple:
        from . import runner, surface

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


def _record(request, reference, result) -> None:
    """Hand a result to the controller (it writes --conformance-json/--conformance-html, one run per
    reference)."""
    request.node.user_properties.append((_RESULT_KEY, json.dumps({"reference": reference,
                                                                  "result": result.as_dict()})))


@pytest.fixture
def run_case(request, conformance_case):
    """``run_case(case)``: check a Case against its reference (torch live: run_scenario, a recording:
    run_recorded) and record the result for the report."""
    if conformance_case.reference is None:
        live = request.getfixturevalue("run_scenario")
        return lambda case: live(case.scenario)
    recorded = request.getfixturevalue("run_recorded")
    return lambda case: recorded((case.reference, case.scenario))


@pytest.fixture
def run_scenario(request, impl_module, torch_module, reference_side):
    """Run a scenario on torch (its own process) and the implementation (this process, or a fresh one for an
    isolated scenario); record the result for the report."""
    from . import repro, runner, surface

    level = level_of(request.config)

    def run(scenario):
        reference = reference_side.observe(scenario)
        if scenario.isolated:
            worker = runner.Worker(impl_name(request.config), None, surface.installed().data)
            try:
                implementation = worker.observe(scenario)
            finally:
                worker.close(kill=True)
        else:
            start = time.perf_counter()
            outcome = runner.run_side(impl_module, scenario, surface.installed())
            implementation = ("ok", outcome, time.perf_counter() - start)
        result = runner.judge_observed(scenario, reference, implementation, level)
        repro.attach(result, impl_name(request.config), None, level)
        _expect(request.config, result, _live_torch_version())
        _record(request, None, result)
        return result

    return run


# ------------------------------------------------------------------ against recordings of real torch
_recordings: dict = {}  # path -> recording document, loaded once per process


def load_recording(path: str) -> dict:
    from . import recording

    if path not in _recordings:
        _recordings[path] = recording.read(path)
    return _recordings[path]


def recorded_pairs(config) -> list:
    """(recording path, scenario) for every recording chosen (default: the newest committed one) and every
    selected scenario it holds."""
    return [(path, s) for path in chosen_recordings(config, default_newest=True) for s in _scenarios_of(config, path)]


def recorded_id(pair) -> str:
    from . import recording

    path, scenario = pair
    return f"{recording.name_of(load_recording(path))}/{scenario.id}"


@pytest.fixture
def run_recorded(request, impl_module):
    """Check a scenario on the implementation alone against a recording (emulating its torch version)."""
    from . import recording, repro, runner

    level = level_of(request.config)

    def run(param):
        path, scenario = param
        document = load_recording(path)
        if scenario.isolated:
            worker = runner.Worker(impl_name(request.config), document["torch"]["version"],
                                   recording.surface_data_of(document))
            try:
                status, payload, seconds = worker.observe(scenario)
            finally:
                worker.close(kill=True)
            result = recording.judge_against(scenario, document["observations"].get(scenario.id), status, payload,
                                             seconds, level)
        else:
            result = recording.run_side_against(scenario, impl_module, document, level)
        repro.attach(result, impl_name(request.config), path, level)
        _expect(request.config, result, document["torch"]["version"])
        _record(request, path, result)
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


# ------------------------------------------------------------------ results on the controller
_collected: dict = {}  # reference (None: live, else a recording's path) -> result dicts, on the controller


_collected_properties: list = []  # property outcomes (conformance/properties/reporting.py), likewise


def pytest_runtest_logreport(report):
    if report.when != "call" or not report.user_properties:
        return
    for key, value in report.user_properties:
        if key == _RESULT_KEY:
            entry = json.loads(value)
            _collected.setdefault(entry["reference"], []).append(entry["result"])
    if any(key == _PROPERTY_KEY for key, _ in report.user_properties):
        from .properties import reporting

        _collected_properties.extend(reporting.collected(report))


def _runs(config) -> list:
    """(label, run) per reference that gave results, live first; the property outcomes go with the live run
    (else the first)."""
    from . import recording, results as results_module

    emulates = None
    runs = []
    for reference in sorted(_collected, key=lambda ref: (ref is not None, _recording_order(ref))):
        if reference is None:
            run = results_module.new_run(impl_name=impl_name(config), results=_collected[reference],
                                         hypothesis=getattr(config, "_conformance_hypothesis", None),
                                         level=level_of(config))
            runs.append(("live", run))
            continue
        document = load_recording(reference)
        if emulates is None:
            from . import runner

            emulates = runner.emulates(impl_name(config))
        run = results_module.new_run(impl_name=impl_name(config), results=_collected[reference],
                                     reference=f"recording {recording.name_of(document)}", recording=document,
                                     emulated=document["torch"]["version"] if emulates else None,
                                     hypothesis=getattr(config, "_conformance_hypothesis", None),
                                     level=level_of(config))
        runs.append((recording.name_of(document), run))
    if _collected_properties:
        properties = sorted(_collected_properties, key=lambda p: p["name"])
        if runs:
            runs[0][1]["properties"] = properties
        else:
            runs.append(("properties", results_module.new_run(
                impl_name=impl_name(config), results=[], properties=properties,
                hypothesis=getattr(config, "_conformance_hypothesis", None), level=level_of(config))))
    return runs


def _recording_order(reference) -> tuple:
    from . import recording

    if reference is None:
        return ()
    return recording.version_key(load_recording(reference)["torch"]["version"])


def _json_paths(path: str, labels: list) -> list:
    """Where each run's results go: PATH for the main one (torch live, else the newest recording: the last
    label), PATH-<recording>.json beside it for the others."""
    base = Path(path)
    main = 0 if labels and labels[0] in ("live", "properties") else len(labels) - 1
    return [base if index == main else base.with_name(f"{base.stem}-{label}{base.suffix or '.json'}")
            for index, label in enumerate(labels)]


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput"):  # an xdist worker: the controller writes the files
        return
    json_path = config.getoption("--conformance-json")
    html_path = config.getoption("--conformance-html")
    if not (json_path or html_path) or not (_collected or _collected_properties):
        return
    runs = _runs(config)
    written = []
    if json_path:
        from . import results as results_module

        paths = _json_paths(json_path, [label for label, _ in runs])
        for path, (label, run) in zip(paths, runs):
            results_module.write(run, path)
        main = paths.index(Path(json_path)) if Path(json_path) in paths else 0
        others = len(runs) - 1
        written.append(f"results {paths[main]} ({runs[main][0]})" + (
            f" and {others} more beside it ({paths[main].stem}-<recording>{paths[main].suffix})" if others else ""))
    if html_path:
        from .report import render

        render.write_html([run for _, run in runs], html_path)
        written.append(f"report {html_path}" + (f" ({len(runs)} runs)" if len(runs) > 1 else ""))
    config._conformance_written = written


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """One line per reference (many recordings: one line for them all, and one per recording where not every
    behaviour passes): what was checked against what, with the counts; then the files written."""
    if not _collected:
        return
    from . import recording

    order = sorted(_collected, key=lambda ref: (ref is not None, _recording_order(ref)))
    recorded = [ref for ref in order if ref is not None]
    lines = []
    if None in _collected:
        lines.append((f"the installed torch {_installed_torch_version()} (live)", _collected[None], "behaviour"))
    if len(recorded) > 3:
        names = [recording.name_of(load_recording(ref)) for ref in recorded]
        lines.append((f"{len(recorded)} recordings ({names[0]} ... {names[-1]})",
                      [result for ref in recorded for result in _collected[ref]], "result"))
        recorded = [ref for ref in recorded if any(result["status"] != "pass" for result in _collected[ref])]
    newest = recording.available()[-1:]
    for ref in recorded:
        note = " (the newest committed; torch is not installed)" if not _torch_installed() and newest \
            and str(newest[0][1]) == ref and not config.getoption("--conformance-recordings") else ""
        lines.append((f"recording {recording.name_of(load_recording(ref))}{note}", _collected[ref], "behaviour"))
    for against, results, unit in lines:
        counts: dict = {}
        for result in results:
            counts[result["status"]] = counts.get(result["status"], 0) + 1
        shown = ", ".join(f"{n} {status}" for status, n in sorted(counts.items(), key=lambda item: -item[1]))
        terminalreporter.write_line(f"conformance: {impl_name(config)} against {against}: {len(results)} "
                                    f"{unit}{'s' if len(results) != 1 else ''}, {shown}")
    written = getattr(config, "_conformance_written", ())
    if written:
        terminalreporter.write_line(f"conformance: wrote {'; '.join(written)}")
