"""All ops, by family. Importing this package attaches their Tensor methods."""
from __future__ import annotations

from .._tensor import Tensor
from . import activation, creation, indexing, linalg, pointwise, reduction, shape  # noqa: F401 - registers the ops
from ._common import FUNCTIONS, METHODS

for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

__all__ = ["FUNCTIONS"]
