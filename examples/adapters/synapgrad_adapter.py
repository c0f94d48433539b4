"""torch's public names on top of synapgrad 1.0.2, for ``python -m conformance run --impl synapgrad_adapter``.

synapgrad already mirrors torch's top-level API (``tensor``, ``Tensor``, ``no_grad``, ``ones``, ``zeros``,
``arange``, ``exp``, ``matmul``, ``stack``, ``relu``, ``nn``, ``optim.SGD`` ...), so this is mostly a
re-export; every tensor is a ``synapgrad.Tensor`` and every gradient comes from synapgrad's own
``backward``, so the suite measures synapgrad itself.

What it adds: dtype names (synapgrad uses NumPy dtypes: ``float32`` -> ``numpy.float32`` ...);
``cat`` (synapgrad's ``concat``, with torch's default ``dim=0``); ``get_default_dtype``/
``set_default_dtype`` and ``is_grad_enabled`` (synapgrad's module globals ``default_type__``,
``gradient__``); ``autograd.backward`` -> ``Tensor.backward``.

Left missing on purpose (synapgrad has no such name): ``enable_grad``, ``set_grad_enabled``,
``inference_mode``, ``autograd.grad``, ``autograd.Function``, ``sin``, ``div``, ``mm``, ... and on Tensor
``tolist``, ``retains_grad``, ``_version``, ``register_hook``, in-place ops, ``next_functions`` on
``grad_fn``. Note that synapgrad's ``Tensor.grad`` prints a warning to stdout (not a Python warning) when read
on a non-leaf tensor.
"""
import sys
import types

import numpy as np
from synapgrad import *  # noqa: F401,F403 - synapgrad's public names are torch's names
from synapgrad import Tensor, concat, nn, optim  # noqa: F401

_state = sys.modules["synapgrad.tensor"]  # the module: the package's attribute ``tensor`` is the function

float16, float32, float64, double = np.float16, np.float32, np.float64, np.float64
int32, int64, uint8, bool = np.int32, np.int64, np.uint8, np.bool_  # noqa: A001


def cat(tensors, dim=0):
    return concat(tensors, dim)


def get_default_dtype():
    return _state.default_type__


def set_default_dtype(d):
    _state.default_type__ = d


def is_grad_enabled():
    return _state.gradient__


def backward(tensors, grad_tensors=None):  # named as torch's: a keyword it lacks is a TypeError naming it
    if not isinstance(tensors, Tensor):
        raise NotImplementedError("torch.autograd.backward(several tensors)")
    tensors.backward(grad_tensors)


autograd = types.SimpleNamespace(__name__="autograd", backward=backward)
del backward  # torch has no top-level backward
