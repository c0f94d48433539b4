"""Every property outside pytest, for ``python -m conformance run --properties PROFILE``.

Each property runs in its own process, a few at a time, under a time limit: a
property that hangs or kills its process is one reported entry, and the others
still run. Entries are the ones pytest writes (reporting.entry), so the results
file and the report show them the same way.
"""
from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import time

from . import profiles, reporting, suites

LABELS = tuple(f"programs.{focus}" for focus in suites.FOCI) + ("stateful.training_loop", "oracle.finite_differences")
POLL_S = 0.2


def build(label: str, torch_ns, impl_ns, tally: suites.Tally, regression_dir=None):
    """The hypothesis test of property ``label``."""
    if label.startswith("programs."):
        return suites.programs_property(label.split(".", 1)[1], torch_ns, impl_ns, tally,
                                        regression_dir=regression_dir)
    if label == "stateful.training_loop":
        return suites.stateful_property(torch_ns, impl_ns, tally, regression_dir=regression_dir)
    if label == "oracle.finite_differences":
        return suites.oracle_property(torch_ns, impl_ns, tally, regression_dir=regression_dir)
    raise ValueError(f"unknown property {label!r}: choose from {', '.join(LABELS)}")


def _child(connection, label: str, impl_name: str, profile: str, seed, regression_dir) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops this process
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    tally, started = suites.Tally(), time.perf_counter()
    try:
        profiles.activate(profile, seed)
        torch_ns, impl_ns = importlib.import_module("torch"), importlib.import_module(impl_name)
        test = build(label, torch_ns, impl_ns, tally, regression_dir)
    except Exception as error:  # noqa: BLE001 - e.g. an implementation that fails to import: one error entry
        connection.send(reporting.entry(label, "error", tally, time.perf_counter() - started,
                                        f"could not start: {type(error).__name__}: {error}"))
        return
    record, _ = reporting.measure(label, test, tally, regression_dir)
    connection.send(record)


class _Running:
    def __init__(self, context, label: str, args: tuple) -> None:
        self.label = label
        self.connection, child = context.Pipe(duplex=False)
        self.process = context.Process(target=_child, args=(child, label, *args), daemon=True)
        self.process.start()
        child.close()
        self.started = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def finished(self, limit: float):
        """The property's entry once it has one (a timeout or crash makes one), else None."""
        try:
            if self.connection.poll():
                return self.connection.recv()
        except (EOFError, OSError):
            self.process.join(timeout=5)  # the pipe closes a moment before the exit code is known
            return self._failed("crashed", f"property process died (exit code {self.process.exitcode})")
        if not self.process.is_alive() and not self.connection.poll():
            return self._failed("crashed", f"property process died (exit code {self.process.exitcode})")
        if self.elapsed() > limit:
            return self._failed("timeout", f"no result after {limit:g} s")
        return None

    def _failed(self, status: str, message: str) -> dict:
        self.close()
        return reporting.entry(self.label, status, suites.Tally(), self.elapsed(), message)

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)
        self.connection.close()


def run_properties(impl_name: str, profile: str, seed: int | None = None, labels=None, timeout: float = 1800.0,
                   parallel: int | None = None, regression_dir=None, progress=None) -> list:
    """Run ``labels`` (default: every property) against ``impl_name`` with torch as the oracle; their entries, in ``labels`` order.
    ``progress(done, total, entry)`` is told of each as it ends."""
    labels = LABELS if labels is None else tuple(labels)
    context = multiprocessing.get_context("spawn")
    parallel = parallel or min(len(labels), os.cpu_count() or 1)
    args = (impl_name, profile, seed, None if regression_dir is None else str(regression_dir))
    pending, running, entries = list(labels), [], {}
    try:
        while pending or running:
            while pending and len(running) < parallel:
                running.append(_Running(context, pending.pop(0), args))
            for job in list(running):
                record = job.finished(timeout)
                if record is not None:
                    running.remove(job)
                    job.close()
                    entries[job.label] = record
                    if progress is not None:
                        progress(len(entries), len(labels), record)
            time.sleep(POLL_S)
    finally:
        for job in running:
            job.close()
    return [entries[label] for label in labels]
