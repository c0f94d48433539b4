"""Every catalogue scenario, run on the installed torch (live) and on --impl (default reference_impl): the
shipped test (conformance/test_conformance.py), torch live only. tests/recordings/test_against_recordings.py
is its recordings half."""
from conformance.test_conformance import test_behaviour  # noqa: F401 - collected here

conformance_references = "live"
