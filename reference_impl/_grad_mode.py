"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode.

State is per thread, as in torch. Each mode works as a context manager and as a
decorator (with or without parentheses for the parameterless ones).
"""
from __future__ import annotations

import functools
import inspect
import threading
import warnings

from . import _behaviour


class _State(threading.local):
    grad_enabled = True
    inference = False
    multithreading = True  # torch's per-thread flag for multithreaded backward (set_multithreading_enabled)


STATE = _State()


def is_grad_enabled() -> bool:
    return STATE.grad_enabled


def is_inference_mode_enabled() -> bool:
    return STATE.inference


def is_multithreading_enabled() -> bool:
    return STATE.multithreading


def is_inference(*args, **kwargs) -> bool:
    """torch.is_inference(input): whether ``input`` is an inference tensor (made in inference mode)."""
    from ._tensor import Tensor, _type_name

    if "input" in kwargs:
        if args:
            raise TypeError("is_inference() got multiple values for argument 'input'")
        args = (kwargs.pop("input"),)
    if not args:
        raise TypeError('is_inference() missing 1 required positional arguments: "input"')
    if kwargs:
        raise TypeError(f"is_inference() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if len(args) > 1:
        raise TypeError(f"is_inference() takes 1 positional argument but {len(args)} were given")
    value = args[0]
    if not isinstance(value, Tensor):
        raise TypeError(f"is_inference(): argument 'input' (position 1) must be Tensor, not {_type_name(value)}")
    return value._is_inference_tensor


_CLASS_DECORATION = (
    "Decorating classes is deprecated and will be disabled in future versions. You should only decorate functions "
    "or methods. To preserve the current behavior of class decoration, you can directly decorate the `__init__` "
    "method and nothing else."
)


class _DecoratorContextManager:
    """Lets a context manager decorate functions and generators, like torch's."""

    def __call__(self, func):
        if inspect.isclass(func):
            # torch: the class is called inside the mode (only __init__ runs in it; methods called later do
            # not); from 2.0 with a warning (UserWarning, FutureWarning from 2.4) and through a lambda, so the result is named '<lambda>'
            if _behaviour.value("grad_mode.class_decoration_warns"):
                warnings.warn(_CLASS_DECORATION, _behaviour.value("grad_mode.class_decoration_warning_category"),
                              stacklevel=2)
                cls = func
                func = lambda *args, **kwargs: cls(*args, **kwargs)  # noqa: E731 - torch's own spelling
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def decorate_context(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return decorate_context

    def _wrap_generator(self, func):
        @functools.wraps(func)
        def generator_context(*args, **kwargs):
            gen = func(*args, **kwargs)
            try:
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException as error:
                        with self.clone():
                            response = gen.throw(error)
                    else:
                        with self.clone():
                            response = gen.send(request)
            except StopIteration as stop:  # the wrapped generator finished: so does this one
                return stop.value

        return generator_context

    def clone(self):
        return self.__class__()


class _NoParamDecoratorContextManager(_DecoratorContextManager):
    """Allows ``@no_grad`` as well as ``@no_grad()``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        if not _behaviour.value("grad_mode.bare_decorator"):  # before torch 2.1: a plain class
            raise TypeError(f"{cls.__name__}.__init__() takes 1 positional argument but 2 were given"
                            if cls is no_grad else f"{cls.__name__}() takes no arguments")
        return cls()(orig_func)


class no_grad(_NoParamDecoratorContextManager):
    def __enter__(self):
        self.prev = STATE.grad_enabled
        STATE.grad_enabled = False

    def __exit__(self, *exc):
        STATE.grad_enabled = self.prev


class enable_grad(_NoParamDecoratorContextManager):
    def __enter__(self):
        self.prev = STATE.grad_enabled
        STATE.grad_enabled = True

    def __exit__(self, *exc):
        STATE.grad_enabled = self.prev


class set_grad_enabled(_DecoratorContextManager):
    """Takes effect when called, so it also works as a plain function call."""

    def __init__(self, mode: bool) -> None:
        self.prev = STATE.grad_enabled
        self.mode = mode
        STATE.grad_enabled = mode

    def __call__(self, func):
        if _behaviour.value("grad_mode.set_grad_enabled_decorator_restores"):
            STATE.grad_enabled = self.prev
        return super().__call__(func)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        STATE.grad_enabled = self.prev

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    def __new__(cls, mode=True):
        if isinstance(mode, bool) or not _behaviour.value("grad_mode.bare_decorator"):
            return super().__new__(cls)  # (before torch 2.1 a bare @inference_mode made the function the mode)
        return cls()(mode)

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode

    def __enter__(self):
        self.prev = (STATE.grad_enabled, STATE.inference)
        # as torch's InferenceMode guard: grad mode is the opposite of the inference flag
        STATE.grad_enabled, STATE.inference = not self.mode, bool(self.mode)

    def __exit__(self, *exc):
        STATE.grad_enabled, STATE.inference = self.prev

    def clone(self):
        return self.__class__(self.mode)


class set_multithreading_enabled(_DecoratorContextManager):
    """torch.autograd.set_multithreading_enabled: a per-thread flag, set when called (so it also works as a
    plain function call) and restored on exit. The engine always runs backward on the calling thread, so the
    flag changes nothing else. As torch's, decorating a function leaves the flag set to ``mode``."""

    def __init__(self, mode: bool) -> None:
        self.prev = STATE.multithreading
        STATE.multithreading = mode
        self.mode = mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        STATE.multithreading = self.prev

    def clone(self):
        return self.__class__(self.mode)
