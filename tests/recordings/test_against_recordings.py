"""--impl (default reference_impl) against recordings of real torch, emulating each recording's torch
version: no torch needed. The shipped test (conformance/test_conformance.py), recordings only: the newest
committed one by default, ``--conformance-recordings all`` every one (as `tox -e test` does),
``--conformance-recordings torch-2.5.1`` chosen ones."""
from conformance.test_conformance import test_behaviour as test_behaviour_against_recording  # noqa: F401

conformance_references = "recordings"
