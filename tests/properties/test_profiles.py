"""How a hypothesis profile is chosen, and what each one means wherever it runs."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conformance.properties import profiles


@pytest.mark.parametrize("option, environ, chosen", [
    ("thorough", {"CONFORMANCE_HYPOTHESIS_PROFILE": "dev", "CI": "true"}, "thorough"),
    (None, {"CONFORMANCE_HYPOTHESIS_PROFILE": "thorough", "CI": "true"}, "thorough"),
    (None, {"CI": "true"}, "ci"),
    (None, {}, "dev"),
])
def test_option_then_environment_then_ci(option, environ, chosen):
    assert profiles.choose(option, environ) == chosen


def test_an_unknown_profile_is_named_in_the_error():
    with pytest.raises(ValueError, match="'fast'.*dev, quick, ci, thorough"):
        profiles.choose("fast", {})


_SHOW = """
import json
from hypothesis import settings
from conformance.properties import profiles
shown = {}
for name, seed in (("dev", 7), ("thorough", 7), ("ci", 7)):
    profiles.activate(name, seed)
    shown[name] = [settings.default.derandomize, profiles.active_seed(), settings.default.max_examples]
print(json.dumps(shown))
"""


@pytest.mark.parametrize("ci", [None, "true"])
def test_random_profiles_stay_random_under_ci_and_ci_is_derandomized(ci):
    # Hypothesis loads its own derandomized "ci" profile when CI is set: dev and thorough must not inherit it.
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    if ci is not None:
        env["CI"] = ci
    printed = subprocess.run([sys.executable, "-c", _SHOW], env=env, capture_output=True, text=True, check=True)
    shown = json.loads(printed.stdout)
    assert shown["dev"] == [False, 7, 150] and shown["thorough"] == [False, 7, 10000]
    assert shown["ci"] == [True, None, 2500]
