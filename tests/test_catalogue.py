"""Every catalogue scenario, run on torch and on --impl (default reference_impl)."""
from conformance.plugin import assert_conforms


def test_behaviour(conformance_scenario, run_scenario):
    __tracebackhide__ = True
    assert_conforms(conformance_scenario, run_scenario(conformance_scenario))
