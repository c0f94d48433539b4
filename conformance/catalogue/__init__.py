"""The behaviour catalogue: one module per category of scenarios."""
from __future__ import annotations

import importlib
import pkgutil

from ..scenario import REGISTRY


def load_all() -> dict:
    """Import every catalogue module (each registers its scenarios) and return the registry."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return REGISTRY


class SelectionError(ValueError):
    """A --select or --exclude pattern that matches no behaviour (the message names it)."""


def _matches(scenario_id: str, pattern: str) -> bool:
    return scenario_id == pattern or scenario_id.startswith(pattern.rstrip(".") + ".") or scenario_id.startswith(pattern)


def select(patterns=None, exclude=None) -> list:
    """Scenarios whose id starts with one of ``patterns`` (all if none) and with none of ``exclude``, in id
    order. SelectionError names a pattern that matches nothing."""
    load_all()
    for option, given in (("--select", patterns), ("--exclude", exclude)):
        for pattern in given or ():
            if not any(_matches(sid, pattern) for sid in REGISTRY):
                raise SelectionError(f"{option} {pattern!r} matches no behaviour (see `python -m conformance list`)")
    return [s for sid, s in sorted(REGISTRY.items())
            if (not patterns or any(_matches(sid, p) for p in patterns))
            and not any(_matches(sid, p) for p in exclude or ())]
