"""Tensor: an ndarray plus autograd state (grad_fn, grad, version counter, view base).

The class holds state and the rules on it (leaf, requires_grad, .grad, hooks,
conversions). Ops are attached as methods by ``reference_impl.ops``.
"""
from __future__ import annotations

import warnings
import weakref

import numpy as np

from . import _behaviour, _dtypes, _messages, _printing
from ._grad_mode import STATE as _GRAD_MODE
from .autograd.graph import NO_EDGE, AccumulateGrad
from .utils.hooks import HookDict

_new = object.__new__
_ndarray = np.ndarray


class Size(tuple):
    """torch.Size: a tuple that prints as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self):
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        result = tuple.__getitem__(self, item)
        return Size(result) if isinstance(item, slice) else result

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))


class device:
    """Only the CPU exists here; kept so ``x.device`` reads like torch's."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):  # noqa: A002 - torch's name
        type = getattr(type, "type", type)
        if type != "cpu":
            raise RuntimeError(f"Expected one of cpu device type at start of device string: {type}")
        self.type, self.index = "cpu", index

    def __repr__(self):
        return "device(type='cpu')"

    def __str__(self):
        return "cpu"

    def __eq__(self, other):
        # Like torch: a device equals any (CPU) device and nothing else, not even the string "cpu".
        return True if isinstance(other, device) else NotImplemented

    def __hash__(self):
        return hash("cpu")


CPU = device()


class VersionCounter:
    """Shared by a tensor, its views and its detach()es; bumped by every in-place op."""

    __slots__ = ("value",)

    def __init__(self, value: int = 0) -> None:
        self.value = value


class CreationMeta:
    """How a view was made; decides which in-place ops on it are allowed (torch's CreationMeta)."""

    DEFAULT = "default"
    NO_GRAD_MODE = "no_grad_mode"
    MULTI_OUTPUT_NODE = "multi_output_node"
    INFERENCE_MODE = "inference_mode"
    IN_CUSTOM_FUNCTION = "in_custom_function"  # a view a custom Function returned


def _dim_error(dim: int, ndim: int) -> IndexError:
    low, high = (-ndim, ndim - 1) if ndim else (-1, 0)
    return IndexError(_messages.DIM_OUT_OF_RANGE.format(low=low, high=high, dim=dim))


def wrap_dim(dim: int, ndim: int) -> int:
    """Normalise a possibly negative dim, with torch's error."""
    limit = ndim if ndim else 1
    if not -limit <= dim < limit:
        raise _dim_error(dim, ndim)
    return dim % limit


class Tensor:
    """A tensor whose autograd behaviour follows torch's (see the package docstring)."""

    __slots__ = ("_data", "_grad_fn", "_output_nr", "_requires_grad", "_grad", "_version_counter", "_base",
                 "__dict__", "__weakref__")
    # Rarely set state lives in __dict__ and reads these class defaults until set.
    _backward_hooks = None
    _post_accumulate_grad_hooks = None
    _retains_grad = False
    _grad_accumulator = None
    _view_chain = ()
    _attr_version = 0
    _creation_meta = None
    _is_inference_tensor = False
    __array_priority__ = 1000  # numpy defers binary operators to us

    # ------------------------------------------------------------------ creation
    def __new__(cls, *args, **kwargs):
        """Legacy ``torch.Tensor(data)`` / ``torch.Tensor(*sizes)`` constructor."""
        from .ops import creation

        return creation.legacy_tensor(cls, *args, **kwargs)

    @staticmethod
    def _make(data: np.ndarray):
        """A fresh tensor that owns ``data`` and needs no grad (a plain function: this is the hot path)."""
        t = _new(Tensor)
        t._data = data
        t._grad_fn = None
        t._output_nr = 0
        t._requires_grad = False
        t._grad = None
        t._version_counter = None
        t._base = None
        if _GRAD_MODE.inference:
            t._is_inference_tensor = True
        return t

    @classmethod
    def _from_saved_output(cls, data, counter, grad_fn, output_nr):
        t = Tensor._make(data)
        t._version_counter = counter
        t._grad_fn, t._output_nr, t._requires_grad = grad_fn, output_nr, True
        return t

    def _counter(self) -> VersionCounter:
        counter = self._version_counter
        if counter is None:
            counter = self._version_counter = VersionCounter()
        return counter

    # ------------------------------------------------------------ autograd state
    @property
    def grad_fn(self):
        if self._base is not None:
            self._sync_view()
        return self._grad_fn

    @grad_fn.setter
    def grad_fn(self, value):
        raise AttributeError("attribute 'grad_fn' of 'torch._C.TensorBase' objects is not writable")

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        if self._requires_grad:
            return True
        base = self._base
        return base is not None and (base._requires_grad or self.grad_fn is not None)

    @requires_grad.setter
    def requires_grad(self, value):
        if not isinstance(value, bool):
            raise RuntimeError("requires_grad must be a bool")
        self._set_requires_grad(value, _messages.SET_REQUIRES_GRAD_DTYPE)

    def requires_grad_(self, requires_grad: bool = True):
        if not isinstance(requires_grad, bool):
            raise TypeError("requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                            f"{_type_name(requires_grad)}")
        if not self.is_leaf and requires_grad:
            return self
        self._set_requires_grad(requires_grad, _messages.REQUIRES_GRAD_METHOD_DTYPE)
        return self

    def _set_requires_grad(self, value: bool, dtype_message: str) -> None:
        if value and self._is_inference_tensor and not _GRAD_MODE.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.")
        if not self.is_leaf:
            raise RuntimeError(_messages.NONLEAF_REQUIRES_GRAD_FALSE if not value else _messages.NONLEAF_REQUIRES_GRAD)
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError(dtype_message)
        self._requires_grad = value

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def _version(self) -> int:
        if self._is_inference_tensor:
            raise RuntimeError("Inference tensors do not track version counter.")
        counter = self._version_counter
        return counter.value if counter is not None else 0

    def _bump_version(self) -> None:
        if not self._is_inference_tensor:
            self._counter().value += 1

    def _gradient_edge(self):
        """Where a gradient for this tensor goes: its grad_fn, its accumulator, or nowhere."""
        if self._base is not None:
            self._sync_view()
        fn = self._grad_fn
        if fn is not None:
            return (fn, self._output_nr)
        if self._requires_grad:
            return (self._grad_accumulator_node(), 0)
        return NO_EDGE

    def _grad_accumulator_node(self) -> AccumulateGrad:
        ref = self._grad_accumulator
        node = ref() if ref is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._grad_accumulator = weakref.ref(node)
        return node

    def _sync_view(self) -> None:
        """Regenerate a view's grad_fn after its base or a sibling changed in place (torch does this lazily)."""
        counter = self._version_counter
        if self._attr_version == counter.value:
            return
        if self._grad_fn is None and not self._base.requires_grad:
            return
        from .autograd import _view_inplace

        _view_inplace.regenerate_view_grad_fn(self)

    def _is_view(self) -> bool:
        return self._base is not None

    def is_inference(self) -> bool:
        return self._is_inference_tensor

    # ---------------------------------------------------------------------- grad
    @property
    def grad(self):
        grad = self._grad
        if grad is None and not self._retains_grad and self._grad_fn is not None:
            warnings.warn(_behaviour.value("tensor.nonleaf_grad_warning"), UserWarning, stacklevel=2)
        return grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(_behaviour.value("tensor.grad_assign_type_error").format(type_name=_type_name(value)))
            if value is self:
                raise RuntimeError("can't assign Variable as its own grad")
            # torch checks the dtype before the size
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(_behaviour.value("tensor.grad_assign_dtype_error").format(
                    grad_dtype=_c10_dtype_name(value._data.dtype), dtype=_c10_dtype_name(self._data.dtype),
                    scalar_type=_dtypes.scalar_type_name(self.dtype)))
            if value._data.shape != self._data.shape:
                raise RuntimeError(_behaviour.value("tensor.grad_assign_size_error").format(
                    grad_size=_list_text(value._data.shape), size=_list_text(self._data.shape)))
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    def retain_grad(self) -> None:
        if not self.requires_grad:
            raise RuntimeError(_messages.RETAIN_GRAD_NO_GRAD)
        if self.is_leaf or self._retains_grad:
            return
        from .autograd import engine

        engine.install_retain_grad(self)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook):
        """hook(grad) runs when the gradient for this tensor is computed; a result replaces it."""
        if not self.requires_grad:
            raise RuntimeError(_messages.HOOK_NO_GRAD)
        if self._backward_hooks is None:
            self._backward_hooks = HookDict()
            fn = self.grad_fn
            if fn is not None:
                fn._add_tensor_pre_hooks(self._backward_hooks, self._output_nr)
        return self._backward_hooks.add(hook)

    @_behaviour.method_since("tensor.register_post_accumulate_grad_hook")
    def register_post_accumulate_grad_hook(self, hook):
        if not self.is_leaf:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._post_accumulate_grad_hooks is None:
            self._post_accumulate_grad_hooks = HookDict()
        return self._post_accumulate_grad_hooks.add(hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from . import autograd

        autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        t = Tensor._make(self._data)
        if self._is_inference_tensor:
            t._is_inference_tensor = True
        else:
            if t._is_inference_tensor:  # made in inference mode: a detach of a normal tensor stays normal
                t._is_inference_tensor = False
            t._version_counter = self._counter()
        return t

    def detach_(self):
        if self._base is not None:
            raise RuntimeError(_messages.DETACH_VIEW_INPLACE)
        self._grad_fn, self._output_nr, self._requires_grad = None, 0, False
        return self

    # ----------------------------------------------------------------- metadata
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim=None):
        shape = self._data.shape
        if dim is None:
            return Size(shape)
        return shape[wrap_dim(dim, len(shape))]

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    @property
    def dtype(self):
        return _dtypes.from_numpy(self._data.dtype)

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def stride(self, dim=None):
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[wrap_dim(dim, len(strides))]

    def is_contiguous(self) -> bool:
        return self._data.flags.c_contiguous

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def data(self):
        """Same storage, no autograd history and its own version counter (torch's variable_data)."""
        t = Tensor._make(self._data)
        if t._is_inference_tensor and not self._is_inference_tensor:  # (in inference mode: stays normal)
            t._is_inference_tensor = False
        return t

    @data.setter
    def data(self, value):
        """torch's set_data: a tensor only; one that requires grad keeps a differentiable dtype."""
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {_type_name(value)}")
        if value._data.dtype.kind not in "fc" and self.requires_grad:
            raise RuntimeError("data set to a tensor that requires gradients must be floating point or complex "
                               "dtype")
        if self._grad_accumulator is not None and value._data.dtype != self._data.dtype:
            self._grad_accumulator = None  # torch resets the accumulator when the type changes (a new one follows)
        self._data = value._data

    def __delattr__(self, name):
        """The attributes torch refuses to delete (THPVariable's property setters called with NULL)."""
        if name in _UNDELETABLE:
            raise RuntimeError(_UNDELETABLE[name])
        object.__delattr__(self, name)

    # --------------------------------------------------------------- conversion
    def numpy(self, *, force: bool = False) -> np.ndarray:
        if not force and _GRAD_MODE.grad_enabled and self.requires_grad:  # allowed under no_grad
            raise RuntimeError(_messages.NUMPY_REQUIRES_GRAD)
        return self._data

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype, copy=False)

    def item(self):
        if self._data.size != 1:
            kind, text = _behaviour.value("tensor.item_error")
            raise (ValueError if kind == "ValueError" else RuntimeError)(text.format(numel=self._data.size))
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def _scalar(self, convert):
        if self._data.size != 1:
            raise ValueError(_messages.SCALAR_CONVERSION)
        if self.requires_grad:
            _warn_scalar_conversion_once()
        return convert(self._data.reshape(()).item())

    def __float__(self):
        return self._scalar(float)

    def __int__(self):
        return self._scalar(int)

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()).item())

    def __bool__(self):
        if self._data.size != 1:
            many = "more than one value" if self._data.size else "no values"
            raise RuntimeError(f"Boolean value of Tensor with {many} is ambiguous")
        return bool(self._data.reshape(()).item())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __contains__(self, element):
        return bool((self == element).any())

    __hash__ = object.__hash__

    def __repr__(self, *, tensor_contents=None):
        try:
            fn = self.grad_fn
        except RuntimeError:  # a no_grad view whose base was modified in place: torch prints <Invalid>
            if not _behaviour.value("printing.invalid_grad_fn"):
                raise  # up to 2.1 repr raises the grad_fn error
            return _printing.tensor_repr(self._data, self.dtype, grad_fn_name="Invalid")
        return _printing.tensor_repr(
            self._data, self.dtype, requires_grad=self.requires_grad, grad_fn_name=type(fn).__name__ if fn else None
        )

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0 and spec:
            return self._data.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        raise TypeError("reference_impl tensors are not picklable")


_UNDELETABLE = {
    "data": "Deleting tensor data is not allowed. Delete tensor instead!",
    "requires_grad": "requires_grad must be a bool",
    "_grad_fn": "Deletion of _grad_fn not allowed. Detach tensor instead!",
    "_backward_hooks": "Deletion of _backwards_hooks not allowed!",
}


def _type_name(value) -> str:
    """How torch's argument errors name a Python type (tp_name: 'int', 'numpy.ndarray')."""
    cls = type(value)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def _list_text(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


_C10_NAMES = {np.dtype(np.float64): "double", np.dtype(np.float32): "float", np.dtype(np.float16): "c10::Half",
              np.dtype(np.int64): "long int", np.dtype(np.int32): "int", np.dtype(np.int16): "short int",
              np.dtype(np.int8): "signed char", np.dtype(np.uint8): "unsigned char", np.dtype(np.bool_): "bool"}


def _c10_dtype_name(np_dtype) -> str:
    return _C10_NAMES[np_dtype]


_scalar_warning_done = [False]


def _warn_scalar_conversion_once() -> None:
    """torch warns once per process (TORCH_WARN_ONCE) when a tensor needing grad becomes a Python number."""
    text = _behaviour.value("tensor.scalar_conversion_warning")
    if text is None or _scalar_warning_done[0]:
        return
    _scalar_warning_done[0] = True
    warnings.warn(text, UserWarning, stacklevel=3)
