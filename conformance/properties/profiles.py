"""Hypothesis profiles for the property tests, and how one is chosen.

``dev`` (default): a quick, random run. ``ci``: derandomized (the same
examples on every machine and torch version, so runs compare) and sized for a
CI budget. ``quick``: derandomized like ``ci`` with a twelfth of its examples,
for a first report in about a minute. ``thorough``: many more examples, for a
nightly or a hunt.

Chosen by ``--hypothesis-profile-name``, else the CONFORMANCE_HYPOTHESIS_PROFILE
environment variable, else ``ci`` when the CI variable is set, else ``dev``.
Hypothesis loads its own ``ci`` profile by itself when CI is set; ours is
registered under the same name and loaded afterwards, so it wins.

Each property asks for a share of the profile's ``max_examples`` (``examples``),
since an example of the state machine costs far more than a program.
"""
from __future__ import annotations

import os
import random
from contextlib import contextmanager

from hypothesis import HealthCheck, Phase, settings

ENV_VAR = "CONFORMANCE_HYPOTHESIS_PROFILE"
NAMES = ("dev", "quick", "ci", "thorough")

_COMMON = dict(deadline=None, report_multiple_bugs=False,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                      HealthCheck.large_base_example])
_PROFILES = {
    "dev": dict(max_examples=150, stateful_step_count=20),
    "quick": dict(max_examples=200, derandomize=True, database=None, print_blob=True, stateful_step_count=20),
    "ci": dict(max_examples=2500, derandomize=True, database=None, print_blob=True, stateful_step_count=20),
    "thorough": dict(max_examples=10000, stateful_step_count=40),
}


def register() -> None:
    # From hypothesis' "default" profile, not the loaded one: under CI that is hypothesis' own "ci", whose
    # derandomize would otherwise leak into dev and thorough.
    base = settings.get_profile("default")
    for name, values in _PROFILES.items():
        settings.register_profile(name, parent=base, **_COMMON, **values)


def choose(option: str | None = None, environ=os.environ) -> str:
    name = option or environ.get(ENV_VAR) or ("ci" if environ.get("CI") else "dev")
    if name not in NAMES:
        raise ValueError(f"unknown hypothesis profile {name!r}: choose one of {', '.join(NAMES)}")
    return name


_active = {"name": None, "seed": None}


def activate(name: str, seed: int | None = None) -> None:
    """Load profile ``name``; ``seed`` fixes the random examples of a non-derandomized profile (every
    property, state machines included, starts from it, as with hypothesis' own --hypothesis-seed)."""
    from hypothesis import core

    register()
    settings.load_profile(name)
    _active["name"] = name
    _active["seed"] = None if settings.default.derandomize else seed
    if _active["seed"] is not None:
        core.global_force_seed = _active["seed"]


def active_name() -> str:
    return _active["name"] or settings._current_profile or "default"


def active_seed() -> int | None:
    """The seed every property runs with (None when derandomized: the examples depend on the test only)."""
    return _active["seed"]


def new_seed() -> int:
    return random.SystemRandom().randrange(2**32)


@contextmanager
def without_local_constants():
    """Hypothesis mixes in "local constants" mined from every loaded module of the project, so even a
    derandomized run draws other examples when other tests (a catalogue, under xdist) loaded other
    modules first. Properties run with that pool empty: the same examples in every process."""
    try:
        from hypothesis.internal.conjecture import providers

        original, empty = providers._get_local_constants, providers.Constants()
        cache = providers.CONSTANTS_CACHE.cache
    except (ImportError, AttributeError):  # another hypothesis version: nothing to pin
        yield
        return
    providers._get_local_constants = lambda: empty
    cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.clear()


def examples(share: float = 1.0) -> int:
    """``share`` of the active profile's max_examples (at least 1)."""
    return max(1, int(settings.default.max_examples * share))


def for_property(share: float = 1.0, **overrides) -> settings:
    """The settings a property runs with: the active profile, its share of examples, and overrides."""
    return settings(settings.default, max_examples=examples(share), **overrides)


def ci_examples(share: float = 1.0) -> int:
    """``share`` of the ci profile's max_examples, whatever profile is active."""
    return max(1, int(_PROFILES["ci"]["max_examples"] * share))


def quick(max_examples: int) -> settings:
    """For meta-tests: derandomized (the same examples under every profile), no shrinking (a failure is
    all they need)."""
    return settings(settings.default, max_examples=max_examples, database=None, derandomize=True,
                    stateful_step_count=_PROFILES["ci"]["stateful_step_count"],
                    phases=[Phase.explicit, Phase.reuse, Phase.generate])
