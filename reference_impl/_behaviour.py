"""What changed between torch releases, one entry per feature.

reference_impl behaves like one torch version at a time (the *emulated*
version). Every text or flag that differs between releases is an entry here:
a list of (first torch version, value), the newest value that applies wins.
The engine asks ``value(name)``; nothing else in the package knows about versions.

The emulated version is, in order: ``emulate(...)`` if called, the
``REFERENCE_IMPL_TORCH_VERSION`` environment variable, the installed torch's
version, else the newest version known here.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import metadata

ENV_VAR = "REFERENCE_IMPL_TORCH_VERSION"
NEWEST_KNOWN = "2.14.1"

_HINT = "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "


@dataclass(frozen=True)
class Feature:
    """A version-dependent value: ``since`` pairs (first version, value), oldest first."""

    since: tuple
    doc: str


FEATURES = {
    "optim.zero_grad.set_to_none_default": Feature(
        since=(("1.13", False), ("2.0", True)),
        doc="Optimizer.zero_grad() sets grads to None by default from 2.0; 1.13 zeroes them in place.",
    ),
    "saved_tensor.node_naming": Feature(
        since=(("1.13", "backward_node"), ("2.13", "forward_op")),
        doc="In-place version error names the node (MulBackward0) up to 2.12, the forward op (Mul) from 2.13.",
    ),
    "saved_tensor.anomaly_hint": Feature(
        since=(
            ("1.13", _HINT + "torch.autograd.set_detect_anomaly(True)."),
            ("2.10", _HINT + "torch.autograd.set_detect_anomaly(True, check_nan=False)."),
        ),
        doc="Hint ending the in-place version error.",
    ),
    "autograd.unused_input_message": Feature(
        since=(
            ("1.13", "One of the differentiated Tensors appears to not have been used in the graph. "
                     "Set allow_unused=True if this is the desired behavior."),
            ("2.13", "The differentiated Tensor at index {index} appears to not have been used in the graph. "
                     "Set allow_unused=True if this is the desired behavior."),
        ),
        doc="autograd.grad on an input the outputs do not depend on, without allow_unused.",
    ),
    "tensor.nonleaf_grad_warning": Feature(
        since=(
            ("1.13", "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                     "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
                     "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
                     "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
                     "github.com/pytorch/pytorch/pull/30531 for more informations."),
            ("2.9", "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
                    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
                    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
                    "github.com/pytorch/pytorch/pull/30531 for more information."),
        ),
        doc="Warning when reading .grad of a non-leaf that does not retain grad.",
    ),
    "tensor.scalar_conversion_warning": Feature(
        since=(
            ("1.13", None),
            ("2.8", "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                    "Consider using tensor.detach() first."),
        ),
        doc="Warning (once per process) on float()/int() of a tensor that requires grad.",
    ),
}

_emulated: list[str | None] = [None]


def _parse(version: str) -> tuple:
    core = version.split("+")[0]
    return tuple(int(part) for part in core.split(".")[:3] if part.isdigit())


def installed_torch_version() -> str | None:
    try:
        return metadata.version("torch").split("+")[0]
    except metadata.PackageNotFoundError:
        return None


def emulated_version() -> str:
    return _emulated[0] or os.environ.get(ENV_VAR) or installed_torch_version() or NEWEST_KNOWN


def emulate(version: str | None) -> None:
    """Behave like torch ``version`` (e.g. "2.5.1"); None goes back to the default choice."""
    if version is not None:
        _parse(version)  # fail early on nonsense
    _emulated[0] = version
    _cache.clear()


_cache: dict = {}


def value(name: str):
    """The value of feature ``name`` for the emulated torch version."""
    try:
        return _cache[name]
    except KeyError:
        pass
    current = _parse(emulated_version())
    chosen = None
    for first, val in FEATURES[name].since:
        if _parse(first) <= current:
            chosen = val
    _cache[name] = chosen
    return chosen
