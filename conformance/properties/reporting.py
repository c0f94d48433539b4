"""A property run as plain data for the results file (its "properties" list) and the HTML report.

``run_property`` runs a property test, and whatever happens adds one entry to
the pytest item's ``user_properties`` (a JSON string: only plain types travel
from xdist workers), which conformance/plugin.py collects on the controller.
A shrunk counterexample is saved to the regression corpus when
CONFORMANCE_SAVE_REGRESSIONS=1; otherwise its failure message says where to.
"""
from __future__ import annotations

import json
import time

from . import corpus, profiles
from .execution import Divergence
from .suites import Tally, check_of

PROPERTY_KEY = "conformance_property"
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


def run_property(node, name: str, test, tally: Tally, regression_dir=None) -> None:
    """Run ``test`` (a hypothesis test), record its outcome on ``node``, re-raise its failure."""
    start = time.perf_counter()
    status, message, repro, program, regression = "pass", None, "", None, None
    try:
        test()
    except Divergence as failure:
        save_regression(failure, regression_dir)
        status, message, repro = "fail", "\n".join(failure.summary()), failure.script()
        program, regression = failure.program.as_json(), failure.regression_path
        raise
    except Exception as error:
        status, message = "error", f"{type(error).__name__}: {error}"
        raise
    finally:
        message = tally.summary() if message is None else message  # a pass reports its counts
        record = entry(name, status, tally, time.perf_counter() - start, message, repro, program, regression)
        node.user_properties.append((PROPERTY_KEY, json.dumps(record)))


def collected(report) -> list:
    """The property entries a test report carries."""
    return [json.loads(value) for key, value in report.user_properties if key == PROPERTY_KEY]
