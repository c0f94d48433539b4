"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode.

State is per thread, as in torch. Each mode works as a context manager and as a
decorator (with or without parentheses for the parameterless ones).
"""
from __future__ import annotations

import functools
import inspect
import threading

from . import _behaviour


class _State(threading.local):
    grad_enabled = True
    inference = False


STATE = _State()


def is_grad_enabled() -> bool:
    return STATE.grad_enabled


def is_inference_mode_enabled() -> bool:
    return STATE.inference


class _DecoratorContextManager:
    """Lets a context manager decorate functions and generators, like torch's."""

    def __call__(self, func):
        if inspect.isclass(func):
            raise RuntimeError(
                "Torch decorator used on a class. If you want to decorate the class's methods, "
                "decorate each method instead."
            )
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
