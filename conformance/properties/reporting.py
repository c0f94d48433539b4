"""A property run as plain data for the results file (its "properties" list) and the HTML report.

``measure`` runs a property test and makes its entry. Under pytest,
``run_property`` adds that entry, whatever happens, to
the pytest item's ``user_properties`` (a JSON string: only plain types travel
from xdist workers), which conformance/plugin.py collects on the controller.
A shrunk counterexample is saved to the regression corpus when
CONFORMANCE_SAVE_REGRESSIONS=1; otherwise its failure message says where to.

An entry's status is one of STATUSES: ``pass``; ``fail`` (a counterexample: message, repro,
program, regression); ``not-implemented`` (the implementation lacks a torch name, named in the
message, "not implemented: torch.float32"; found at the first example that uses it, not shrunk);
``error`` (the property itself raised); ``timeout`` and ``crashed`` (session.py only).
"""
from __future__ import annotations

import json
import time

from . import corpus, profiles
from .execution import Divergence
from .runtime import NotImplementedInEngine
from .suites import Tally, check_of

PROPERTY_KEY = "conformance_property"
STATUSES = ("pass", "fail", "error", "not-implemented", "timeout", "crashed")  # as runner.STATUSES
MAX_MESSAGE = 4000


def entry(name: str, status: str, tally: Tally, duration: float, message: str = "", repro: str = "",
          program=None, regression: str | None = None) -> dict:
    return {"name": name, "status": status, "examples": int(tally.examples), "duration_s": round(duration, 3),
            "profile": profiles.active_name(), "seed": profiles.active_seed(),
            "counts": {str(k): int(v) for k, v in tally.counts.items()}, "findings": tally.findings,
            "message": message[:MAX_MESSAGE], "repro": repro, "program": program, "regression": regression}


def save_regression(failure: Divergence, regression_dir) -> None:
    """Point the failure at its corpus file; write the file when CONFORMANCE_SAVE_REGRESSIONS=1."""
    if regression_dir is None:
        return
    path = corpus.path_for(failure.label, failure.program, regression_dir)
    failure.regression_path = str(path)
    if corpus.should_save():
        data = corpus.entry(failure.label, failure.program, check_of(failure.label), failure.summary(),
                            note=str(failure.extra.get("check", "")))
        if "seed" in failure.extra:
            data["seed"] = int(failure.extra["seed"])
        corpus.save(path, data)
        failure.saved = True


def measure(name: str, test, tally: Tally, regression_dir=None) -> tuple:
    """Run ``test`` (a hypothesis test): its entry for the results, and the exception it failed with (or None)."""
    start = time.perf_counter()
    status, message, repro, program, regression, failure = "pass", None, "", None, None, None
    try:
        test()
    except Divergence as error:
        save_regression(error, regression_dir)
        status, message, repro = "fail", "\n".join(error.summary()), error.script()
        program, regression, failure = error.program.as_json(), error.regression_path, error
    except NotImplementedInEngine as error:
        status, message, failure = "not-implemented", str(error), error
    except Exception as error:  # noqa: BLE001 - reported, then re-raised by the caller
        status, message, failure = "error", f"{type(error).__name__}: {error}", error
    message = tally.summary() if message is None else message  # a pass reports its counts
    return entry(name, status, tally, time.perf_counter() - start, message, repro, program, regression), failure


def run_property(node, name: str, test, tally: Tally, regression_dir=None) -> None:
    """Run ``test``, record its outcome on ``node`` (a pytest item), re-raise its failure."""
    record, failure = measure(name, test, tally, regression_dir)
    node.user_properties.append((PROPERTY_KEY, json.dumps(record)))
    if failure is not None:
        raise failure


def collected(report) -> list:
    """The property entries a test report carries."""
    return [json.loads(value) for key, value in report.user_properties if key == PROPERTY_KEY]
