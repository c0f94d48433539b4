"""A generated autograd program as plain data: leaves, then steps that refer to earlier values by index.

Values are numbered in creation order: the leaves first (v0, v1, ...), then the
outputs of each step (a step defines ``outputs`` values; backward, hooks and
in-place steps define none). Only JSON types appear anywhere, so a program
round-trips through a regression file unchanged, and hypothesis shrinks it
by shrinking the choices that built it.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class Leaf:
    """A tensor made from literal values: ``t.tensor(values, dtype=..., requires_grad=...)``."""

    shape: tuple
    dtype: str
    values: tuple  # flat, row-major; float32 values are exactly representable in float32
    requires_grad: bool

    def __post_init__(self):
        object.__setattr__(self, "shape", tuple(self.shape))
        object.__setattr__(self, "values", tuple(self.values))
        if self.dtype not in DTYPES:
            raise ValueError(f"leaf dtype {self.dtype!r} is not one of {DTYPES}")
        if math.prod(self.shape) != len(self.values):
            raise ValueError(f"leaf of shape {self.shape} needs {math.prod(self.shape)} values, got {len(self.values)}")

    def as_json(self) -> dict:
        return {"shape": list(self.shape), "dtype": self.dtype, "values": list(self.values),
                "requires_grad": self.requires_grad}

    @classmethod
    def from_json(cls, data: dict) -> Leaf:
        return cls(tuple(data["shape"]), data["dtype"], tuple(float(v) for v in data["values"]),
                   bool(data["requires_grad"]))


@dataclass(frozen=True)
class Step:
    """One statement: ``op`` applied to earlier values ``args`` with constant ``params``."""

    op: str
    args: tuple = ()
    params: dict = field(default_factory=dict)
    outputs: int = 1  # how many values the step defines
    no_grad: bool = False  # run inside ``with t.no_grad():``

    def __post_init__(self):
        object.__setattr__(self, "args", tuple(self.args))

    def as_json(self) -> dict:
        return {"op": self.op, "args": list(self.args), "params": self.params, "outputs": self.outputs,
                "no_grad": self.no_grad}

    @classmethod
    def from_json(cls, data: dict) -> Step:
        return cls(data["op"], tuple(data.get("args", ())), dict(data.get("params", {})), int(data.get("outputs", 1)),
                   bool(data.get("no_grad", False)))


@dataclass(frozen=True)
class Program:
    leaves: tuple = ()
    steps: tuple = ()

    def __post_init__(self):
        object.__setattr__(self, "leaves", tuple(self.leaves))
        object.__setattr__(self, "steps", tuple(self.steps))

    def output_names(self) -> list:
        """The names each step defines, step by step (``[[], ["v3"], ["v4", "v5"], ...]``)."""
        names, next_index = [], len(self.leaves)
        for step in self.steps:
            names.append([f"v{next_index + i}" for i in range(step.outputs)])
            next_index += step.outputs
        return names

    def value_count(self) -> int:
        return len(self.leaves) + sum(step.outputs for step in self.steps)

    def as_json(self) -> dict:
        return {"leaves": [leaf.as_json() for leaf in self.leaves], "steps": [step.as_json() for step in self.steps]}

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.as_json(), **kwargs)

    @classmethod
    def from_json(cls, data) -> Program:
        if isinstance(data, str):
            data = json.loads(data)
        return cls(tuple(Leaf.from_json(leaf) for leaf in data.get("leaves", ())),
                   tuple(Step.from_json(step) for step in data.get("steps", ())))

    def __repr__(self) -> str:  # what hypothesis prints for a falsifying example: short, and pasteable
        return f"Program.from_json({self.to_json()!r})"
