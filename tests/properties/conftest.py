"""Fixtures shared by the property tests (the plugin provides impl_module, torch_module, property_run)."""
from pathlib import Path

import pytest

REGRESSIONS = Path(__file__).parent / "regressions"


@pytest.fixture(scope="session")
def regression_dir():
    """Where shrunk counterexamples are kept (and replayed by test_regressions.py)."""
    return REGRESSIONS
