"""A hypothesis state machine drives torch and --impl through the same training-loop-like steps
(create leaves, apply ops, backward, zero grads, SGD steps, in-place ops, detach, hooks) and checks
after every step that both show the same state: values, .grad, grad_fn, graphs, versions, errors."""
from conformance.properties import suites


def test_state_machine_keeps_torch_and_the_implementation_equal(torch_module, impl_module, property_run,
                                                                regression_dir):
    tally = suites.Tally()
    test = suites.stateful_property(torch_module, impl_module, tally, regression_dir=regression_dir)
    property_run("stateful.training_loop", test, tally, regression_dir)
