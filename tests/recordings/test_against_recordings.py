"""--impl (default reference_impl) against every committed recording of real torch, emulating each
recording's torch version: no torch needed. ``--conformance-recordings torch-2.5.1`` picks recordings."""
import pytest

from conformance.plugin import failure_report


def test_behaviour_against_recording(recorded_scenario, run_recorded):
    result = run_recorded(recorded_scenario)
    if result.status != "pass":
        path, scenario = recorded_scenario
        pytest.fail(f"against {path}:\n" + failure_report(scenario, result), pytrace=False)
