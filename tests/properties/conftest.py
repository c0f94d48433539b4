"""Fixtures shared by the property tests (the plugin provides impl_module, torch_module, property_run)."""
from pathlib import Path

import pytest

from conformance import plugin

REGRESSIONS = Path(__file__).parent / "regressions"


def pytest_configure(config):
    """The property tests run under the suite's hypothesis profile: loaded when this conftest is, before
    its test modules are imported (the plugin itself leaves hypothesis alone in other projects' sessions)."""
    plugin.activate(config)


@pytest.fixture(scope="session")
def regression_dir():
    """Where shrunk counterexamples are kept (and replayed by test_regressions.py)."""
    return REGRESSIONS
