"""The catalogue as tests, shipped in the package: one test per behaviour, run on ``--impl``.

    pytest --pyargs conformance --impl MODULE

checks MODULE against one reference: the installed torch, live (each side in its own process), else the
newest committed recording of real torch (no torch needed; an implementation with ``emulate(version)`` is
told to behave like the recorded release). The pytest header and the summary's ``conformance:`` lines say
which. ``--conformance-recordings all`` (or ``torch-2.5.1 ...``, a name or a path, repeatable) adds
recordings; ``--conformance-select PREFIX``, ``--conformance-level semantic``, ``--expectations FILE``,
``--conformance-json PATH`` and ``--conformance-html PATH`` work as with ``python -m conformance run``.

A module that imports ``test_behaviour`` may set ``conformance_references`` to "live" (torch live only) or
"recordings" (the chosen recordings only, default the newest): the suite's own tests/ does.
"""
from conformance.plugin import assert_conforms

conformance_references = "default"


def test_behaviour(conformance_case, run_case):
    __tracebackhide__ = True
    assert_conforms(conformance_case.scenario, run_case(conformance_case), conformance_case.context)
