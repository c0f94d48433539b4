"""Checking one mutant: does the catalogue, run against recordings, notice it?

The catalogue runs the mutated engine as ``conformance run --against`` would: every behaviour of a
recording in one process, isolated behaviours each in a fresh one. Each such process is forked from this
one (which has the catalogue and recordings loaded but never imports the engine), imports the engine with
the one mutated module, and stops at the first behaviour that notices. The newest recording of the
pinned torch (2.13.0) goes first; a mutant it misses is run against every other recording, since the
engine's version-dependent code only shows there.
"""
from __future__ import annotations

import os
import pickle
import select
import signal
import time
from dataclasses import dataclass

from conformance import catalogue, recording

from . import probe, sites

FIRST_RECORDING = "torch-2.13.0"
BATCH_TIMEOUT_S = 60.0  # a batch takes well under a second; far longer means the mutant hangs

KILLED, SURVIVED, NOT_VIABLE = "killed", "survived", "not-viable"


@dataclass
class Verdict:
    mutant: str
    outcome: str          # killed / survived / not-viable
    by: str = ""          # "recording|scenario id" that noticed, or "timeout"
    detail: str = ""      # the status and message of that behaviour, or the import error
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def recording_order(directory=None) -> list:
    """(name, path) of the recordings in ``directory`` (default: the committed ones), the first recording
    first, then newest to oldest."""
    found = recording.available(directory)
    first = [entry for entry in found if entry[0] == FIRST_RECORDING]
    return first + [entry for entry in reversed(found) if entry[0] != FIRST_RECORDING]


def batches(docs: dict, scenario_ids=None) -> list:
    """Lists of (recording, scenario id) that share one process: per recording (in ``docs``' order), its
    ordinary behaviours together and each isolated one alone. A behaviour newer than a recording is left
    out for that recording (``conformance run --against`` leaves it out too)."""
    registry = catalogue.load_all()
    wanted = sorted(registry) if scenario_ids is None else list(scenario_ids)
    plan = []
    for name, document in docs.items():
        ids = [i for i in wanted if i in document["observations"]]
        plan.append([(name, i) for i in ids if not registry[i].isolated])
        plan += [[(name, i)] for i in ids if registry[i].isolated]
    return [batch for batch in plan if batch]


def _catalogue_job(engine, batch, docs) -> tuple:
    found, _ = probe.run(engine, batch, docs)
    return ("noticed", found[0]) if found else ("unnoticed", None)


def _properties_job(engine, labels, profile) -> tuple:
    """The property tests (torch live, the finite-difference oracle) on the engine, stopping at the
    first that fails."""
    import torch

    from conformance.properties import profiles, session, suites

    profiles.activate(profile)
    for label in labels:
        try:
            session.build(label, torch, engine, suites.Tally())()
        except Exception as exc:  # noqa: BLE001 - a failing property is what this stage looks for
            return ("noticed", ((f"property:{profile}", label), "fail", f"{type(exc).__name__}: {exc}"[:300]))
    return ("unnoticed", None)


def _child(write_fd, mutant, source, job, args, before_import) -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if before_import is not None:
        before_import()
    try:
        engine = probe.import_engine(sites.package_dir(), mutant and mutant.module, source)
    except BaseException as exc:  # noqa: BLE001 - a mutant that does not import is not viable
        message = ("not-viable", f"{type(exc).__name__}: {exc}")
    else:
        message = job(engine, *args)
    with os.fdopen(write_fd, "wb") as pipe:
        pickle.dump(message, pipe)


def in_fork(mutant, source, job, args, timeout: float = BATCH_TIMEOUT_S, before_import=None) -> tuple:
    """``job(engine, *args)`` in a forked process that imports the (mutated) engine (after calling
    ``before_import``): ("noticed", (pair, status, message)), ("unnoticed", None), ("not-viable", error),
    ("timeout", None) or ("crashed", exit status)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns into the caller's code
        os.close(read_fd)
        code = 0
        try:
            _child(write_fd, mutant, source, job, args, before_import)
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    data = b""
    deadline = time.monotonic() + timeout
    with os.fdopen(read_fd, "rb") as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([pipe], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return ("timeout", None)
            chunk = os.read(pipe.fileno(), 1 << 16)
            if not chunk:
                break
            data += chunk
    _, status = os.waitpid(pid, 0)
    if not data:
        return ("crashed", status)
    return pickle.loads(data)


def check(mutant: sites.Mutant, plan, docs) -> Verdict:
    """Run the plan's batches on ``mutant`` until one notices it."""
    start = time.perf_counter()
    if not plan:
        return Verdict(mutant.id, SURVIVED, detail="no behaviour runs this code")
    source = sites.apply(mutant, (sites.package_dir() / mutant.module).read_text())
    for batch in plan:
        kind, payload = in_fork(mutant, source, _catalogue_job, (batch, docs))
        where = f"{batch[0][0]}|{batch[0][1]}" + (f" (+{len(batch) - 1})" if len(batch) > 1 else "")
        if kind == "not-viable":
            return Verdict(mutant.id, NOT_VIABLE, detail=payload, seconds=time.perf_counter() - start)
        if kind == "noticed":
            (name, scenario_id), status, message = payload
            return Verdict(mutant.id, KILLED, f"{name}|{scenario_id}", f"{status}: {message}"[:300],
                           time.perf_counter() - start)
        if kind in ("timeout", "crashed"):
            return Verdict(mutant.id, KILLED, kind, f"{kind} in the batch from {where}: {payload}",
                           time.perf_counter() - start)
    return Verdict(mutant.id, SURVIVED, seconds=time.perf_counter() - start)


def check_properties(mutant: sites.Mutant, labels, profile: str, timeout: float) -> Verdict:
    """The slow second stage, for a mutant the catalogue missed: do the property tests notice it?"""
    start = time.perf_counter()
    source = sites.apply(mutant, (sites.package_dir() / mutant.module).read_text())
    kind, payload = in_fork(mutant, source, _properties_job, (labels, profile), timeout)
    seconds = time.perf_counter() - start
    if kind == "noticed":
        (_, label), status, message = payload
        return Verdict(mutant.id, KILLED, f"property|{label}", message, seconds)
    if kind in ("timeout", "crashed"):
        return Verdict(mutant.id, KILLED, kind, f"{kind} in the property tests: {payload}", seconds)
    if kind == "not-viable":
        return Verdict(mutant.id, NOT_VIABLE, detail=payload, seconds=seconds)
    return Verdict(mutant.id, SURVIVED, seconds=seconds)
