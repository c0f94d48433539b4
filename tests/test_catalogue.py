"""Every catalogue scenario, run on torch and on --impl (default reference_impl)."""
import pytest

from conformance.plugin import failure_report


def test_behaviour(conformance_scenario, run_scenario):
    result = run_scenario(conformance_scenario)
    if result.status != "pass":
        pytest.fail(failure_report(conformance_scenario, result), pytrace=False)
