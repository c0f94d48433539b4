"""reference_impl: a pure-Python + NumPy autograd engine that behaves like PyTorch.

The public names mirror ``torch``, so a snippet runs unchanged with
``t = torch`` or ``t = reference_impl``. The version of torch being imitated
is chosen in ``reference_impl._behaviour`` (see ``emulate``).
"""
from __future__ import annotations

from . import _dtypes
from ._behaviour import emulate, emulated_version  # noqa: F401
from ._dtypes import (  # noqa: F401
    bool, double, dtype, float, float16, float32, float64, get_default_dtype, half, int, int8, int16, int32, int64,
    long, promote_types, set_default_dtype, short, uint8,
)
from ._grad_mode import (  # noqa: F401
    enable_grad, inference_mode, is_grad_enabled, is_inference, is_inference_mode_enabled, no_grad, set_grad_enabled,
)
from ._printing import get_printoptions, set_printoptions  # noqa: F401
from ._tensor import Size, Tensor, device  # noqa: F401
from . import ops as _ops
from . import autograd, nn, optim, return_types, utils  # noqa: F401
from .ops.creation import Generator, default_generator  # noqa: F401

__version__ = "0.1.0"

globals().update(_ops.FUNCTIONS)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input) -> bool:
    return input.is_floating_point()


def numel(input) -> int:
    return input.numel()


def result_type(tensor1, tensor2):
    return _dtypes.result_type(tensor1, tensor2)


def typename(obj) -> str:
    if isinstance(obj, Tensor):
        return obj.type()
    return f"{type(obj).__module__}.{type(obj).__qualname__}"
