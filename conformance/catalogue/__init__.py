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


def select(patterns=None) -> list:
    """Scenarios whose id starts with one of ``patterns`` (all if none), in id order."""
    load_all()
    chosen = [s for sid, s in sorted(REGISTRY.items())
              if not patterns or any(sid == p or sid.startswith(p.rstrip(".") + ".") or sid.startswith(p)
                                     for p in patterns)]
    if patterns and not chosen:
        raise SystemExit(f"conformance: no scenario matches {', '.join(patterns)} (see `python -m conformance list`)")
    return chosen
