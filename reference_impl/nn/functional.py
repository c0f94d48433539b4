"""reference_impl.nn.functional."""
from __future__ import annotations

from ..ops.activation import relu as _relu, relu_, sigmoid, tanh  # noqa: F401


def relu(input, inplace: bool = False):
    return relu_(input) if inplace else _relu(input)
