"""Run scenarios: one side at a time, as a torch/implementation pair, or a whole catalogue
in a worker process that is replaced when a scenario hangs or crashes."""
from __future__ import annotations

import importlib
import multiprocessing
import time
import traceback
import warnings
from dataclasses import dataclass, field

from .compare import compare
from .observe import ErrorRecord, Observer, clean_message, observe_warning
from .scenario import REGISTRY, Context, Scenario

STATUSES = ("pass", "fail", "error", "not-implemented", "timeout", "crashed")


def load_namespace(name: str):
    """Import the module under test, with a clear error naming the --impl value."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise SystemExit(f"conformance: cannot import implementation module {name!r} (--impl): {error}") from None


def reset_state(t) -> None:
    """Undo what one scenario may leave behind (grad mode, default dtype, print options)."""
    for name, args in (("set_grad_enabled", (True,)), ("set_default_dtype", (getattr(t, "float32", None),)),
                       ("set_printoptions", ())):
        fn = getattr(t, name, None)
        if fn is not None and None not in args:
            try:
                fn(*args, **({"profile": "default"} if name == "set_printoptions" else {}))
            except Exception:  # noqa: BLE001 - best effort on foreign implementations
                pass


def run_side(t, scenario: Scenario) -> dict:
    """Run one scenario on namespace t and observe everything it shows."""
    reset_state(t)
    ctx = Context(scenario.id)
    error = value = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = scenario.body(t, ctx)
        except Exception as exc:  # noqa: BLE001 - an uncaught exception is an observation too
            error = exc
    observer = Observer(t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            outputs = observer(value) if error is None else None
        except Exception as exc:  # noqa: BLE001
            outputs = {"kind": "observer-error", "message": clean_message(f"{type(exc).__name__}: {exc}")}
    outcome = {"outputs": outputs, "error": ErrorRecord(error).observe() if error is not None else None,
               "warnings": [observe_warning(w) for w in caught]}
    missing = _missing_name(error)
    if missing:
        outcome["missing"] = missing
    return outcome


def _missing_name(error) -> str | None:
    """The torch name an implementation lacks, if that is why it failed."""
    if isinstance(error, NotImplementedError):
        return clean_message(str(error)) or "NotImplementedError"
    if isinstance(error, AttributeError) and getattr(error, "name", None):
        owner = getattr(error, "obj", None)
        if owner is None or isinstance(owner, (bool, int, float, str, bytes, list, tuple, dict, set)):
            return None  # e.g. None.variable: the scenario saw something else, not a missing torch name
        owner_name = getattr(owner, "__name__", type(owner).__name__)
        return f"{owner_name}.{error.name}"
    return None


@dataclass
class Result:
    id: str
    title: str
    category: str
    source: dict
    status: str
    diffs: list = field(default_factory=list)
    tolerance: dict = field(default_factory=dict)
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    duration_s: float = 0.0
    torch: dict | None = None
    impl: dict | None = None
    message: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def judge(scenario: Scenario, expected: dict, actual: dict, duration: float) -> Result:
    """Compare both sides' outcomes into a Result."""
    base = dict(id=scenario.id, title=scenario.title, category=scenario.category,
                source=scenario.source.as_dict(), duration_s=round(duration, 6), torch=expected, impl=actual)
    if actual.get("missing") and not expected.get("missing"):
        return Result(status="not-implemented", message=f"not implemented: {actual['missing']}", **base)
    comparison = compare(comparable(expected), comparable(actual))
    status = "pass" if comparison.equal else "fail"
    message = "" if comparison.equal else "; ".join(d.text() for d in comparison.diffs[:3])
    return Result(status=status, diffs=[d.__dict__ for d in comparison.diffs], tolerance=comparison.tolerance,
                  max_abs_error=comparison.max_abs_error, max_rel_error=comparison.max_rel_error,
                  message=message, **base)


def comparable(outcome: dict) -> dict:
    """An outcome without the harness's own note of a missing name."""
    return {k: v for k, v in outcome.items() if k != "missing"}


def run_pair(scenario: Scenario, torch_ns, impl_ns) -> Result:
    start = time.perf_counter()
    try:
        expected = run_side(torch_ns, scenario)
        actual = run_side(impl_ns, scenario)
    except Exception as exc:  # noqa: BLE001 - a harness failure is reported, not raised
        return Result(scenario.id, scenario.title, scenario.category, scenario.source.as_dict(), "error",
                      message=f"harness error: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
    return judge(scenario, expected, actual, time.perf_counter() - start)


def failure_result(scenario: Scenario, status: str, message: str, duration: float = 0.0) -> Result:
    return Result(scenario.id, scenario.title, scenario.category, scenario.source.as_dict(), status,
                  message=message, duration_s=round(duration, 6))


# ------------------------------------------------------------------ worker processes
def set_emulation(namespace, version) -> None:
    """Ask an implementation to behave like torch ``version``: one that has ``emulate(version)``, as
    reference_impl does, is told; one without it is run as it is."""
    emulate = getattr(namespace, "emulate", None)
    if version is not None and callable(emulate):
        emulate(version)


def _worker_main(connection, impl_name: str, reference_name, emulate=None) -> None:
    """Serve scenario ids: both sides compared (a Result), or, without a reference, one side's outcome."""
    import os

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from . import catalogue

    catalogue.load_all()
    impl_ns = importlib.import_module(impl_name)
    set_emulation(impl_ns, emulate)
    reference_ns = importlib.import_module(reference_name) if reference_name else None
    connection.send("ready")  # scenario timeouts start from here, not from the (slow) imports
    while True:
        scenario_id = connection.recv()
        if scenario_id is None:
            return
        if reference_ns is None:
            start = time.perf_counter()
            outcome = run_side(impl_ns, REGISTRY[scenario_id])
            connection.send({"outcome": outcome, "duration_s": round(time.perf_counter() - start, 6)})
            continue
        result = run_pair(REGISTRY[scenario_id], reference_ns, impl_ns)
        connection.send(result.as_dict())


class Worker:
    """A child process running scenarios one at a time; replaced after a hang or crash."""

    def __init__(self, impl_name: str, reference_name: str | None = "torch", emulate: str | None = None) -> None:
        """``reference_name=None``: run only ``impl_name`` (see ``observe``); ``emulate``: a torch version
        for ``set_emulation``."""
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, impl_name, reference_name, emulate),
                                       daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    STARTUP_LIMIT = 300.0  # importing torch on a loaded machine can take a while

    def _wait_ready(self) -> None:
        if not self.ready:
            if not self.connection.poll(self.STARTUP_LIMIT) or self.connection.recv() != "ready":
                raise EOFError("worker did not start")
            self.ready = True

    def run(self, scenario: Scenario, startup_grace: float = 60.0) -> Result:
        status, payload, duration = self._request(scenario, startup_grace)
        if status != "ok":
            return failure_result(scenario, status, payload, duration)
        return Result(**payload)

    def observe(self, scenario: Scenario, startup_grace: float = 60.0) -> tuple:
        """One side only (a worker started with ``reference_name=None``): ``("ok", outcome, seconds)``, or
        ``("timeout" | "crashed", message, seconds)``."""
        status, payload, duration = self._request(scenario, startup_grace)
        if status != "ok":
            return status, payload, duration
        return status, payload["outcome"], payload["duration_s"]

    def _request(self, scenario: Scenario, startup_grace: float) -> tuple:
        start = time.perf_counter()
        try:
            self._wait_ready()
            start = time.perf_counter()
            self.connection.send(scenario.id)
            if not self.connection.poll(scenario.timeout):
                self.close(kill=True)
                return "timeout", f"no result after {scenario.timeout:g} s", time.perf_counter() - start
            return "ok", self.connection.recv(), time.perf_counter() - start
        except (EOFError, BrokenPipeError, ConnectionResetError):
            self.process.join(timeout=5)  # the pipe closes a moment before the exit code is known
            code = self.process.exitcode
            self.close(kill=True)
            return "crashed", f"worker process died (exit code {code})", time.perf_counter() - start

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


def run_catalogue(scenarios, impl_name: str, reference_name: str = "torch", progress=None) -> list:
    """Every scenario on both sides in worker processes: a hang or crash costs one result, not the run."""
    results = []
    worker = None
    try:
        for index, scenario in enumerate(scenarios):
            if scenario.isolated:
                isolated = Worker(impl_name, reference_name)
                result = isolated.run(scenario)
                isolated.close(kill=result.status in ("timeout", "crashed"))
            else:
                if worker is None:
                    worker = Worker(impl_name, reference_name)
                result = worker.run(scenario)
                if result.status in ("timeout", "crashed"):
                    worker = None
            results.append(result)
            if progress is not None:
                progress(index + 1, len(scenarios), result)
    finally:
        if worker is not None:
            worker.close()
    return results
