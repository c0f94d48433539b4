"""torch's public names on top of tinygrad 0.14.0, for ``python -m conformance run --impl tinygrad_adapter``.

A name shim, not an engine: tensors are plain ``tinygrad.Tensor`` and gradients come from tinygrad's own
``Tensor.backward``/``Tensor.gradient``, so the suite measures tinygrad itself. It maps: ``Tensor``;
``tensor``/``ones``/``zeros``/``ones_like``/``arange`` (torch's ``requires_grad=`` is accepted and dropped:
tinygrad 0.14 has no such flag, ``backward`` fills ``.grad`` of every float tensor in the graph); dtype names
(``float32`` -> ``dtypes.float32`` ...); ``get/set_default_dtype`` (``dtypes.default_float``, set through
tinygrad's ``DEFAULT_FLOAT``); ``promote_types`` (``least_upper_dtype``); free functions that are ``Tensor`` methods of the same name (``exp``, ``matmul`` ...);
``stack``/``cat`` (a list instead of varargs); ``autograd.grad(out, inputs, grad_outputs)`` ->
``out.gradient(*inputs, gradient=grad_outputs)``; ``autograd.backward``; ``nn.functional.relu``; ``optim``
(``tinygrad.nn.optim``). What tinygrad has no counterpart for is left missing (keywords of ``autograd.grad`` and
``autograd.backward`` other than the above: Python's TypeError names them; several roots raise
NotImplementedError naming torch's form): ``no_grad``, ``enable_grad``, ``is_grad_enabled``,
``set_grad_enabled``, ``inference_mode``, ``autograd.Function``, ``mm``, and on Tensor ``requires_grad``,
``grad_fn``, ``is_leaf``, ``retain_grad``, ``register_hook``, ``_version``, in-place ops.

Configuration, not behaviour: without clang tinygrad's CPU device cannot compile, so ``DEV`` defaults to
``PYTHON`` (tinygrad's interpreted device); ``TRAINING`` defaults to 1, as tinygrad's optimizers refuse to step
otherwise and torch has no such switch. Both can be overridden from the environment.
"""
import os
import types

os.environ.setdefault("DEV", "PYTHON")
os.environ.setdefault("TRAINING", "1")

import tinygrad.nn.optim as optim  # noqa: E402,F401
from tinygrad import Tensor, dtypes  # noqa: E402
from tinygrad.dtype import least_upper_dtype as promote_types  # noqa: E402,F401
from tinygrad.helpers import DEFAULT_FLOAT  # noqa: E402

float16, float32, float64, double = dtypes.float16, dtypes.float32, dtypes.float64, dtypes.float64
int32, int64, uint8, bool = dtypes.int32, dtypes.int64, dtypes.uint8, dtypes.bool  # noqa: A001
for _name in ("add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sin", "cos", "tanh", "sigmoid", "relu",
              "sqrt", "abs", "sum", "mean", "max", "min", "maximum", "minimum", "clamp", "matmul", "dot",
              "split", "chunk", "reshape", "transpose", "where"):
    globals()[_name] = getattr(Tensor, _name)
ones, zeros, ones_like, arange = ((lambda *a, requires_grad=False, _f=f, **k: _f(*a, **k))
                                  for f in (Tensor.ones, Tensor.zeros, Tensor.ones_like, Tensor.arange))


def tensor(data, dtype=None, requires_grad=False):
    return Tensor(data, dtype=dtype)


def stack(tensors, dim=0):
    return tensors[0].stack(*tensors[1:], dim=dim)


def cat(tensors, dim=0):
    return tensors[0].cat(*tensors[1:], dim=dim)


def get_default_dtype():
    return dtypes.default_float


def set_default_dtype(d):
    DEFAULT_FLOAT.value = d.name  # tinygrad's own setting behind dtypes.default_float


def _one_root(root, what):
    if not isinstance(root, Tensor):
        raise NotImplementedError(f"torch.autograd.{what}(several tensors)")


# Named ``grad``/``backward`` so that a keyword of torch's they lack (retain_graph=, create_graph=, ...) raises
# Python's own TypeError, which the suite reports as not-implemented: torch.autograd.grad(create_graph=).
def grad(outputs, inputs, grad_outputs=None):
    _one_root(outputs, "grad")
    return tuple(outputs.gradient(*([inputs] if isinstance(inputs, Tensor) else inputs), gradient=grad_outputs))


def backward(tensors, grad_tensors=None):
    _one_root(tensors, "backward")
    tensors.backward(grad_tensors)


autograd = types.SimpleNamespace(__name__="autograd", grad=grad, backward=backward)
del grad, backward  # torch has no top-level grad/backward
nn = types.SimpleNamespace(__name__="nn", functional=types.SimpleNamespace(__name__="nn.functional", relu=Tensor.relu))
