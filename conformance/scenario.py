"""The catalogue's building block: one scenario per observable autograd behaviour.

A scenario is written once against a namespace ``t`` (torch or an
implementation) and a context ``ctx`` that hands out deterministic inputs, so
both sides compute on identical numbers and never use their own RNG::

    @scenario("grad_fn.add_name", "x + 2 records AddBackward0",
              seed("001_3d5dfff09b1f4dbc.txt", "y = x + 2 prints grad_fn=<AddBackward0>"))
    def _(t, ctx):
        x = t.tensor(ctx.randn(3), requires_grad=True)
        return {"y": x + 2}

The returned dict (or any value) is observed on both sides and compared;
exceptions caught with ``ctx.capture`` and every warning are observed too.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .observe import ErrorRecord

_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


@dataclass(frozen=True)
class Source:
    """Where a behaviour comes from: a seed document, a torch doc page or test."""

    document: str
    shows: str
    kind: str = "seed"  # seed | torch-docs | torch-test | engine

    def as_dict(self) -> dict:
        return {"document": self.document, "shows": self.shows, "kind": self.kind}


def seed(file_name: str, shows: str) -> Source:
    return Source(file_name, shows, "seed")


def torch_docs(page: str, shows: str) -> Source:
    return Source(page, shows, "torch-docs")


def torch_test(test: str, shows: str) -> Source:
    return Source(test, shows, "torch-test")


def engine(note: str, shows: str) -> Source:
    return Source(note, shows, "engine")


@dataclass
class Scenario:
    id: str
    title: str
    source: Source
    body: Callable
    isolated: bool = False  # run in a fresh process (process-wide state such as warn-once)
    timeout: float = 30.0
    tags: tuple = field(default_factory=tuple)

    @property
    def category(self) -> str:
        return self.id.split(".", 1)[0]

    def describe(self) -> dict:
        return {"id": self.id, "title": self.title, "category": self.category, "source": self.source.as_dict(),
                "isolated": self.isolated}


REGISTRY: dict[str, Scenario] = {}


def scenario(scenario_id: str, title: str, source: Source, *, isolated: bool = False, timeout: float = 30.0,
             tags: tuple = ()):
    """Register the decorated function as a catalogue scenario."""
    if not _ID.match(scenario_id):
        raise ValueError(f"scenario id {scenario_id!r} must look like 'category.name' (lowercase, dots)")

    def register(body):
        if scenario_id in REGISTRY:
            raise ValueError(f"duplicate scenario id {scenario_id!r}")
        REGISTRY[scenario_id] = Scenario(scenario_id, title, source, body, isolated, timeout, tuple(tags))
        return body

    return register


class Context:
    """What a scenario gets besides ``t``: deterministic inputs and error capture."""

    def __init__(self, scenario_id: str) -> None:
        digest = hashlib.sha256(scenario_id.encode()).digest()
        self._rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))

    def randn(self, *shape) -> list:
        """Standard-normal numbers as nested lists, rounded to float32 so both sides read the same bits."""
        return self._rng.standard_normal(shape).astype(np.float32).tolist()

    def rand(self, *shape, low: float = 0.0, high: float = 1.0) -> list:
        return (low + (high - low) * self._rng.random(shape)).astype(np.float32).tolist()

    def randint(self, low: int, high: int, *shape) -> list:
        return self._rng.integers(low, high, shape).tolist()

    @staticmethod
    def capture(fn: Callable, *args, **kwargs):
        """Call fn; return its result, or the exception it raised as an observable record."""
        try:
            return fn(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - the exception *is* the observation
            return ErrorRecord(error)
