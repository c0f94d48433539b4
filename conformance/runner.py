"""Run scenarios and judge them: one side's outcome (``run_side``), the two sides compared (``judge``, a
status per level), and whole catalogues with each side in its own worker process, replaced when a
scenario hangs or crashes (``observe_sides``, ``run_catalogue``)."""
from __future__ import annotations

import importlib
import multiprocessing
import time
import traceback
import warnings
from dataclasses import dataclass, field

from . import levels, missing, surface
from .compare import Diff, compare
from .levels import DEFAULT_LEVEL, LEVELS
from .observe import ErrorRecord, Observer, clean_message, observe_warning
from .scenario import REGISTRY, Context, Scenario
from .surface import Surface

STATUSES = ("pass", "fail", "error", "not-implemented", "timeout", "crashed", "skip")


def load_namespace(name: str):
    """Import the module under test, with a clear error naming the --impl value."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise SystemExit(f"conformance: cannot import implementation module {name!r} (--impl): {error}") from None


def reset_state(t, printing: bool = True) -> None:
    """Undo what one scenario (or other code in the process) may leave behind: grad mode, default dtype and,
    with ``printing``, print options."""
    for name, args in (("set_grad_enabled", (True,)), ("set_default_dtype", (getattr(t, "float32", None),)),
                       ("set_printoptions", ()))[:3 if printing else 2]:
        fn = getattr(t, name, None)
        if fn is not None and None not in args:
            try:
                fn(*args, **({"profile": "default"} if name == "set_printoptions" else {}))
            except Exception:  # noqa: BLE001 - best effort on foreign implementations
                pass


def run_side(t, scenario: Scenario, torch_surface: Surface | None = None) -> dict:
    """Run one scenario on namespace t and observe everything it shows. ``torch_surface`` tells a name
    torch has and ``t`` lacks (not implemented) from ``t``'s own error (default: the installed torch's)."""
    torch_surface = surface.installed() if torch_surface is None else torch_surface
    reset_state(t, printing=False)
    try:
        return _observed_run(t, scenario, torch_surface)
    finally:  # print options after only: the first scenario of a process prints as a user's program does
        reset_state(t)


def _observed_run(t, scenario: Scenario, torch_surface: Surface) -> dict:
    ctx = Context(scenario.id)
    error = value = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = scenario.body(t, ctx)
        except Exception as exc:  # noqa: BLE001 - an uncaught exception is an observation too
            error = exc
    observer = Observer(t, lambda exc: missing.torch_name(exc, t, torch_surface, captured=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            outputs = observer(value) if error is None else None
        except Exception as exc:  # noqa: BLE001
            outputs = {"kind": "observer-error", "message": clean_message(f"{type(exc).__name__}: {exc}")}
    outcome = {"outputs": outputs, "error": ErrorRecord(error).observe() if error is not None else None,
               "warnings": [observe_warning(w) for w in caught]}
    if error is not None:
        name = missing.torch_name(error, t, torch_surface)
        if name:
            outcome["missing"] = name
        else:
            outcome["raised_at"] = missing.last_frame(error)
    return outcome


@dataclass
class Result:
    id: str
    title: str
    category: str
    source: dict
    status: str  # judged at the run's level (levels.DEFAULT_LEVEL unless --level)
    levels: dict = field(default_factory=dict)  # level -> status
    blocked: list = field(default_factory=list)  # torch names the implementation lacks, that kept fields unseen
    diffs: list = field(default_factory=list)
    tolerance: dict = field(default_factory=dict)
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    duration_s: float = 0.0
    torch: dict | None = None
    impl: dict | None = None
    message: str = ""
    repro: str = ""  # a standalone script reproducing a result that does not pass (conformance/repro.py)
    expectation: dict | None = None  # {outcome, status, reason} when checked with an expectations file

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def judge(scenario: Scenario, expected: dict, actual: dict, duration: float, level: str = DEFAULT_LEVEL) -> Result:
    """Compare both sides' outcomes into a Result with a status per level."""
    base = dict(id=scenario.id, title=scenario.title, category=scenario.category,
                source=scenario.source.as_dict(), duration_s=round(duration, 6), torch=expected, impl=actual)
    torch_lacks_it_too = expected.get("error") is not None and expected.get("error") == actual.get("error")
    if actual.get("missing") and not expected.get("missing") and not torch_lacks_it_too:
        return Result(status="not-implemented", levels=dict.fromkeys(LEVELS, "not-implemented"),
                      blocked=[actual["missing"]], message=f"not implemented: {actual['missing']}", **base)
    if actual.get("error") and not expected.get("error"):
        raised = actual["error"]
        where = f" (at {actual['raised_at']})" if actual.get("raised_at") else ""
        return Result(status="error", levels=dict.fromkeys(LEVELS, "error"),
                      message=f"the implementation raised {raised['type']}: {raised['message']}{where}", **base)
    exact = compare(comparable(expected), comparable(actual))
    semantic = compare(*levels.semantic_pair(expected, actual))
    statuses = {"semantic": _level_status(semantic), "exact": _level_status(exact)}
    diffs = _tagged_diffs(exact, semantic)
    judged = [d for d in diffs if level == "exact" or d["level"] == "semantic"]
    blocked = sorted({b["name"] for b in (exact if level == "exact" else semantic).blocked})
    status = statuses[level]
    message = "; ".join(_diff_text(d) for d in _headline(judged)[:3]) if status == "fail" else \
        f"not implemented: {', '.join(blocked)}" if status == "not-implemented" else ""
    return Result(status=status, levels=statuses, blocked=blocked, diffs=diffs, tolerance=exact.tolerance,
                  max_abs_error=exact.max_abs_error, max_rel_error=exact.max_rel_error, message=message, **base)


def _level_status(comparison) -> str:
    return "fail" if comparison.diffs else "not-implemented" if comparison.blocked else "pass"


def _tagged_diffs(exact, semantic) -> list:
    """Every difference once, tagged with the lowest level it fails: exact's diffs, ``semantic`` where the
    semantic projection differs at the same path, plus semantic-only ones (a dtype's name)."""
    semantic_paths = {d.path for d in semantic.diffs}
    tagged = [dict(d.__dict__, level="semantic" if d.path in semantic_paths else "exact") for d in exact.diffs]
    exact_paths = {d.path for d in exact.diffs}
    tagged += [dict(d.__dict__, level="semantic") for d in semantic.diffs if d.path not in exact_paths]
    return tagged


def _headline(diffs: list) -> list:
    """Differences in the order a reader wants them: a value of another kind (a tensor that is None) first,
    without the fields under it that only follow from it."""
    kinds = [d["path"][:-len(".kind")] for d in diffs if d["path"].endswith(".kind")]
    follows = [d for d in diffs if any(d["path"].startswith(k + ".") and not d["path"].endswith(".kind")
                                       for k in kinds)]
    first = [d for d in diffs if d["path"].endswith(".kind")]
    return first + [d for d in diffs if d not in first and d not in follows]


def _diff_text(diff: dict) -> str:
    return Diff(diff["path"], diff["expected"], diff["actual"], diff.get("note", "")).text()


def comparable(outcome: dict) -> dict:
    """An outcome without the harness's own notes (a missing name, where an error was raised)."""
    return {k: v for k, v in outcome.items() if k not in ("missing", "raised_at")}


def run_pair(scenario: Scenario, torch_ns, impl_ns, level: str = DEFAULT_LEVEL) -> Result:
    """Both sides in this process, torch first (tests of the harness; runs use separate processes)."""
    start = time.perf_counter()
    try:
        expected = run_side(torch_ns, scenario)
        actual = run_side(impl_ns, scenario)
    except Exception as exc:  # noqa: BLE001 - a harness failure is reported, not raised
        return failure_result(scenario, "error", f"harness error: {type(exc).__name__}: {exc}\n"
                                                 f"{traceback.format_exc()}")
    return judge(scenario, expected, actual, time.perf_counter() - start, level)


def failure_result(scenario: Scenario, status: str, message: str, duration: float = 0.0) -> Result:
    return Result(scenario.id, scenario.title, scenario.category, scenario.source.as_dict(), status,
                  levels=dict.fromkeys(LEVELS, status), message=message, duration_s=round(duration, 6))


# ------------------------------------------------------------------ worker processes
def emulates(namespace_name: str) -> bool:
    """Whether the module named can behave like a chosen torch release (has ``emulate(version)``)."""
    try:
        return callable(getattr(importlib.import_module(namespace_name), "emulate", None))
    except Exception:  # noqa: BLE001 - only a label of the run; importing it is the preflight's to judge
        return False


def set_emulation(namespace, version) -> None:
    """Ask an implementation to behave like torch ``version``: one that has ``emulate(version)``, as
    reference_impl does, is told; one without it is run as it is."""
    emulate = getattr(namespace, "emulate", None)
    if version is not None and callable(emulate):
        emulate(version)


def _worker_main(connection, namespace_name: str, emulate=None, surface_data=None) -> None:
    """Serve scenario ids with one side's outcome: each side runs in its own process, so process-wide state
    (warn-once warnings, default dtype, grad mode) of one side never reaches the other."""
    import os
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops this process
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from . import catalogue

    catalogue.load_all()
    namespace = importlib.import_module(namespace_name)
    set_emulation(namespace, emulate)
    torch_surface = Surface(surface_data) if surface_data is not None else surface.installed()
    connection.send("ready")  # scenario timeouts start from here, not from the (slow) imports
    while True:
        scenario_id = connection.recv()
        if scenario_id is None:
            return
        start = time.perf_counter()
        outcome = run_side(namespace, REGISTRY[scenario_id], torch_surface)
        connection.send({"outcome": outcome, "duration_s": round(time.perf_counter() - start, 6)})


class Worker:
    """A child process observing scenarios on one namespace, one at a time; replaced after a hang or crash."""

    def __init__(self, namespace_name: str, emulate: str | None = None, surface_data: dict | None = None) -> None:
        """``emulate``: a torch version for ``set_emulation``; ``surface_data``: torch's surface
        (surface.capture), else the worker reads the installed torch's."""
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, namespace_name, emulate, surface_data),
                                       daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self._started = 0.0

    STARTUP_LIMIT = 300.0  # importing torch on a loaded machine can take a while

    def _wait_ready(self) -> None:
        if not self.ready:
            if not self.connection.poll(self.STARTUP_LIMIT) or self.connection.recv() != "ready":
                raise EOFError("worker did not start")
            self.ready = True

    def observe(self, scenario: Scenario) -> tuple:
        """``("ok", outcome, seconds)``, or ``("timeout" | "crashed", message, seconds)``."""
        failed = self.submit(scenario)
        return failed if failed else self.collect(scenario)

    def wait_ready(self):
        """Wait for the worker's imports; a failure tuple when it does not start, else None."""
        self._started = time.perf_counter()
        try:
            self._wait_ready()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            return self._crashed()
        return None

    def submit(self, scenario: Scenario):
        """Start ``scenario``; a failure tuple when the worker cannot take it, else None."""
        failed = self.wait_ready()
        if failed:
            return failed
        self._started = time.perf_counter()
        try:
            self.connection.send(scenario.id)
        except (BrokenPipeError, ConnectionResetError, OSError):
            return self._crashed()
        return None

    def collect(self, scenario: Scenario) -> tuple:
        try:
            remaining = scenario.timeout - (time.perf_counter() - self._started)
            if not self.connection.poll(max(remaining, 0.0)):
                self.close(kill=True)
                return "timeout", f"no result after {scenario.timeout:g} s", time.perf_counter() - self._started
            payload = self.connection.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            return self._crashed()
        return "ok", payload["outcome"], payload["duration_s"]

    def _crashed(self) -> tuple:
        self.process.join(timeout=5)  # the pipe closes a moment before the exit code is known
        code = self.process.exitcode
        self.close(kill=True)
        return "crashed", f"worker process died (exit code {code})", time.perf_counter() - self._started

    def close(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.connection.send(None)
            except (BrokenPipeError, OSError):
                pass
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()


def observe_sides(scenarios, sides, progress=None) -> list:
    """Every scenario on each side (``(namespace, emulate, surface_data)``), each side in its own worker
    process, all sides at once: per scenario a list of ``(status, outcome or message, seconds)``. A hang or
    crash costs one observation (that side's worker is replaced); isolated scenarios get fresh workers,
    started ahead of time so their imports overlap the scenarios before them."""
    observed = []
    workers = [None] * len(sides)
    isolated_left = sum(scenario.isolated for scenario in scenarios)
    spares = [Worker(*side) if isolated_left else None for side in sides]
    try:
        for index, scenario in enumerate(scenarios):
            if scenario.isolated:
                isolated_left -= 1
                active = [spare or Worker(*side) for spare, side in zip(spares, sides)]
                spares = [Worker(*side) if isolated_left else None for side in sides]
            else:
                active = [workers[n] or Worker(*side) for n, side in enumerate(sides)]
            starting = [worker.wait_ready() for worker in active]  # every side's clock starts together
            pending = [failed or worker.submit(scenario) for worker, failed in zip(active, starting)]
            outcomes = [failed or worker.collect(scenario) for worker, failed in zip(active, pending)]
            for n, (worker, (status, _, _)) in enumerate(zip(active, outcomes)):
                if scenario.isolated:
                    worker.close(kill=status != "ok")
                else:
                    workers[n] = worker if status == "ok" else None
            observed.append(outcomes)
            if progress is not None:
                progress(index + 1, len(scenarios), scenario, outcomes)
    except BaseException:
        for worker in workers + spares:
            if worker is not None:
                worker.close(kill=True)
        workers = spares = []
        raise
    finally:
        for worker in workers + spares:
            if worker is not None:
                worker.close()
    return observed


def judge_observed(scenario: Scenario, reference: tuple, implementation: tuple, level: str = DEFAULT_LEVEL) -> Result:
    """A Result from both sides' ``(status, outcome or message, seconds)``."""
    (torch_status, expected, torch_seconds), (status, actual, seconds) = reference, implementation
    if torch_status != "ok":
        return failure_result(scenario, "error", f"torch itself gave no observation ({torch_status}: {expected})",
                              torch_seconds)
    if status != "ok":
        return failure_result(scenario, status, str(actual), seconds)
    return judge(scenario, expected, actual, torch_seconds + seconds, level)


def run_catalogue(scenarios, impl_name: str, reference_name: str = "torch", progress=None,
                  level: str = DEFAULT_LEVEL, surface_data: dict | None = None) -> list:
    """Every scenario on torch and on the implementation, each in its own worker process, compared."""
    results = []

    def judged(done, total, scenario, outcomes):
        results.append(judge_observed(scenario, outcomes[0], outcomes[1], level))
        if progress is not None:
            progress(done, total, results[-1])

    observe_sides(scenarios, [(reference_name, None, surface_data), (impl_name, None, surface_data)], judged)
    return results
