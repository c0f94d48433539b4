"""Choosing which mutants to run: every one, or a seeded sample spread over every module."""
from __future__ import annotations

import fnmatch
import random


def select(mutants, modules=None) -> list:
    """Mutants of the modules matching any of the glob ``modules`` (all when none)."""
    if not modules:
        return list(mutants)
    chosen = [m for m in mutants if any(fnmatch.fnmatch(m.module, pattern) for pattern in modules)]
    if not chosen:
        raise ValueError(f"mutation: no module matches {', '.join(modules)} (--module)")
    return chosen


def spread(mutants, size: int | None, seed: int) -> list:
    """``size`` mutants drawn with ``seed``, each module getting its share of the sample by its count of
    mutants (at least one each), in id order; all of them when ``size`` is None or not smaller."""
    if size is None or size >= len(mutants):
        return sorted(mutants, key=lambda m: m.id)
    by_module: dict = {}
    for mutant in mutants:
        by_module.setdefault(mutant.module, []).append(mutant)
    rng = random.Random(seed)
    chosen = []
    for module in sorted(by_module):
        group = sorted(by_module[module], key=lambda m: m.id)
        share = max(1, round(size * len(group) / len(mutants)))
        chosen += rng.sample(group, min(share, len(group)))
    return sorted(chosen, key=lambda m: m.id)
