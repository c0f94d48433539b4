"""--impl (default reference_impl) against every committed recording of real torch, emulating each
recording's torch version: no torch needed. ``--conformance-recordings torch-2.5.1`` picks recordings."""
from conformance.plugin import assert_conforms


def test_behaviour_against_recording(recorded_scenario, run_recorded):
    __tracebackhide__ = True
    path, scenario = recorded_scenario
    assert_conforms(scenario, run_recorded(recorded_scenario), f"against {path}:\n")
