"""Elementwise ops: arithmetic, powers, transcendental functions, comparisons, in-place forms.

Each op: its node (Derivative) with the backward formulas, then its forward.
Formula spellings follow torch's derivatives.yaml so that create_graph builds
the same nodes torch does.
"""
from __future__ import annotations

import numpy as np

from .. import _behaviour, _dtypes
from .._tensor import Tensor
from ._common import (as_array, binary_arrays, broadcast_shapes, check_operand, export, is_number, promote,
                      tensor_method, check_no_partial_overlap, writable)
from ._derivative import Derivative

_make = Tensor._make


# ----------------------------------------------------------------- backward helpers
def negated_times(grad, factor):
    """torch's ``-grad * factor``: C++ evaluates the factor first (GCC evaluates operator arguments right to
    left), so under create_graph its nodes come before the NegBackward0; the caller computes it first."""
    return -grad * factor


def maybe_multiply(F, grad, alpha):
    return grad if alpha == 1 else F.mul_scalar(grad, alpha)


# Powers meet 0 ** negative and log(0): torch computes inf/nan silently, so NumPy's warnings are off there
# (np.errstate costs about as much as the power itself: a non-negative whole exponent goes without it).
_QUIET = {"divide": "ignore", "invalid": "ignore", "over": "ignore"}


def _plain_exponent(exponent) -> bool:
    return isinstance(exponent, (int, float)) and exponent >= 0 and float(exponent).is_integer()


def pow_backward(F, grad, self, exponent):
    if exponent == 0:
        return F.zeros_like(self)
    if _plain_exponent(exponent - 1.0):
        return grad * F.mul_scalar(F.pow(self, exponent - 1.0), exponent)
    with np.errstate(**_QUIET):
        return grad * F.mul_scalar(F.pow(self, exponent - 1.0), exponent)


def pow_backward_self(F, grad, self, exponent):
    # exponent - 1 in C++ is sub.Scalar: SubBackward1
    with np.errstate(**_QUIET):
        return F.where(exponent == 0.0, F.zeros((), F.dtype_of(grad)),
                       grad * (exponent * F.pow(self, F.sub_scalar(exponent, 1))))


def pow_backward_exponent(F, grad, self, exponent, result):
    """d(self**exponent)/d(exponent) = result * log(self); 0 where self == 0 and exponent >= 0 (a number
    base 0 with a negative exponent: inf * log(0) = -inf, as torch)."""
    with np.errstate(**_QUIET):
        if is_number(self):
            if self == 0:
                return grad * F.where(exponent >= 0, F.zeros((), F.dtype_of(result)),
                                      F.mul_scalar(result, float("-inf")))
            return grad * F.mul_scalar(result, float(np.log(self)))
        # torch promotes self first (self.to(result_type(self, exponent)).log()): a float32 base's log in float64
        promoted = F.cast(self, F.dtype_of(result))
        return grad * F.where((self == 0) & (exponent >= 0), F.zeros((), F.dtype_of(result)),
                              result * F.log(promoted))


ADD = Derivative("AddBackward0", self=lambda F, grad: grad,
                 other=lambda F, grad, alpha: maybe_multiply(F, grad, alpha))
SUB = Derivative("SubBackward0", self=lambda F, grad: grad,
                 other=lambda F, grad, alpha: maybe_multiply(F, -grad, alpha))
RSUB_SCALAR = Derivative("RsubBackward1", self=lambda F, grad, alpha: maybe_multiply(F, -grad, alpha))
RSUB = Derivative("RsubBackward0", self=lambda F, grad, alpha: maybe_multiply(F, -grad, alpha),
                  other=lambda F, grad: grad)
ADD_SCALAR = Derivative("AddBackward1", self=lambda F, grad: grad)
SUB_SCALAR = Derivative("SubBackward1", self=lambda F, grad: grad)  # tensor - number in torch's C++ formulas
MUL = Derivative("MulBackward0", self=lambda F, grad, other: grad * other, other=lambda F, grad, self: grad * self)
MUL_SCALAR = Derivative("MulBackward1", self=lambda F, grad, other: F.mul_scalar(grad, other))
DIV = Derivative("DivBackward0", self=lambda F, grad, other: grad / other,
                 other=lambda F, grad, self, other: negated_times(grad, (self / other) / other))
DIV_SCALAR = Derivative("DivBackward1", self=lambda F, grad, other: F.div_scalar(grad, other))
NEG = Derivative("NegBackward0", self=lambda F, grad: -grad)
RECIPROCAL = Derivative("ReciprocalBackward0", self=lambda F, grad, result: negated_times(grad, result * result))
POW = Derivative("PowBackward0", self=lambda F, grad, self, exponent: pow_backward(F, grad, self, exponent))
POW_TENSOR = Derivative(
    "PowBackward1",
    self=lambda F, grad, self, exponent: pow_backward_self(F, grad, self, exponent),
    exponent=lambda F, grad, self, exponent, result: pow_backward_exponent(F, grad, self, exponent, result))
POW_BASE = Derivative(
    "PowBackward2",
    exponent=lambda F, grad, self, exponent, result: pow_backward_exponent(F, grad, self, exponent, result))


def _maximum_backward(F, grad, self, other, loses):
    """where(self == other, grad / 2, grad).masked_fill_(loses, 0): ties split the gradient in half."""
    return F.masked_fill_zero_(F.where(self == other, F.div_scalar(grad, 2), grad), loses)


MAXIMUM = Derivative("MaximumBackward0",
                     self=lambda F, grad, self, other: _maximum_backward(F, grad, self, other, self < other),
                     other=lambda F, grad, self, other: _maximum_backward(F, grad, self, other, self > other))
MINIMUM = Derivative("MinimumBackward0",
                     self=lambda F, grad, self, other: _maximum_backward(F, grad, self, other, self > other),
                     other=lambda F, grad, self, other: _maximum_backward(F, grad, self, other, self < other))


# ----------------------------------------------------------------- binary forwards
def _binary(derivative, op, input, other, int_to_float=False, **extra):
    a, b = binary_arrays(input, other, int_to_float=int_to_float)
    return derivative.record(op(a, b), self=input, other=other, **extra)


@export("add")
def add(input, other, *, alpha=1):
    check_operand(other, "add")
    if alpha == 1:  # the common case, without _binary's extra call
        a, b = binary_arrays(input, other)
        return ADD.record(np.add(a, b), self=input, other=other, alpha=1)
    return _binary(ADD, lambda a, b: a + b * a.dtype.type(alpha), input, other, alpha=alpha)


@export("sub", "subtract")
def sub(input, other, *, alpha=1):
    check_operand(other, "sub")
    _check_not_bool_sub(input, other)
    if alpha == 1:
        return _binary(SUB, np.subtract, input, other, alpha=alpha)
    return _binary(SUB, lambda a, b: a - b * a.dtype.type(alpha), input, other, alpha=alpha)


def _check_not_bool_sub(input, other):
    """torch's sub_check: a Python bool counts as a bool tensor, an int or float as a non-bool one."""
    error = NotImplementedError if _behaviour.value("errors.bool_subtraction_type") == "NotImplementedError" \
        else RuntimeError
    if isinstance(input, Tensor) and input._data.dtype == np.bool_ and (
            isinstance(other, bool) or isinstance(other, Tensor) and other._data.dtype == np.bool_):
        raise error(
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead.")
    if any(isinstance(v, bool) or isinstance(v, Tensor) and v._data.dtype == np.bool_ for v in (input, other)):
        raise error(
            "Subtraction, the `-` operator, with a bool tensor is not supported. "
            "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")


@export("rsub")
def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
    _check_not_bool_sub(input, other)
    if isinstance(other, Tensor):
        a, b = binary_arrays(input, other)
        return RSUB.record(b - a * a.dtype.type(alpha), self=input, other=other, alpha=alpha)
    a, b = binary_arrays(input, other)
    return RSUB_SCALAR.record(b - a * a.dtype.type(alpha), self=input, alpha=alpha)


@export("mul", "multiply")
def mul(input, other):
    check_operand(other, "mul")
    a, b = binary_arrays(input, other)
    return MUL.record(np.multiply(a, b), self=input, other=other)


DIV_ROUNDING = Derivative("DivBackward2", self=lambda F, grad: F.zeros_like(grad),
                          other=lambda F, grad: F.zeros_like(grad))


def _not_implemented(F, grad):
    raise RuntimeError("derivative for aten::floor_divide is not implemented")


FLOOR_DIVIDE = Derivative("NotImplemented", self=_not_implemented, other=_not_implemented)
FLOOR_DIVIDE_SCALAR = Derivative("NotImplemented", self=_not_implemented)
for _node in (FLOOR_DIVIDE, FLOOR_DIVIDE_SCALAR):
    _node.node_class.name = lambda self: "torch::autograd::NotImplemented"


def _rounded_division(a, b, mode):
    """Division rounded toward zero ('trunc') or down ('floor'), in the operands' dtype."""
    if a.dtype.kind in "iub":
        if np.any(np.asarray(b) == 0):
            raise RuntimeError("ZeroDivisionError")
        quotient = np.floor_divide(a, b)
        if mode == "trunc":
            quotient = quotient + ((np.remainder(a, b) != 0) & ((a < 0) != (np.asarray(b) < 0)))
        return quotient
    return np.floor_divide(a, b) if mode == "floor" else np.trunc(np.true_divide(a, b))


@export("div", "divide", "true_divide")
def div(input, other, *, rounding_mode=None):
    check_operand(other, "div")
    if rounding_mode is None:
        return _binary(DIV, np.true_divide, input, other, int_to_float=True)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")
    a, b = binary_arrays(input, other)
    return DIV_ROUNDING.record(_rounded_division(a, b, rounding_mode), self=input, other=other)


@export("floor_divide")
def floor_divide(input, other):
    a, b = binary_arrays(input, other)
    derivative = FLOOR_DIVIDE if isinstance(other, Tensor) else FLOOR_DIVIDE_SCALAR
    return derivative.record(_rounded_division(a, b, "floor"), self=input, other=other)


@export("neg", "negative")
def neg(input):
    if input._data.dtype == np.bool_:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. "
            "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    return NEG.record(np.negative(input._data), self=input)


@export("reciprocal")
def reciprocal(input):
    data = input._data if input._data.dtype.kind == "f" else input._data.astype(_dtypes.get_default_dtype().numpy)
    return RECIPROCAL.record(np.reciprocal(data), self=input)


@export("pow")
def pow(input, exponent):  # noqa: A001 - torch's name
    if isinstance(input, Tensor) and isinstance(exponent, Tensor):
        a, e = binary_arrays(input, exponent)
        with np.errstate(**_QUIET):
            data = np.power(a, e)
        return POW_TENSOR.record(data, self=input, exponent=exponent)
    if isinstance(input, Tensor):
        a, e = binary_arrays(input, exponent)
        if a.dtype.kind in "iu" and is_number(exponent) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if is_number(exponent) and _plain_exponent(exponent):
            return POW.record(np.power(a, e), self=input, exponent=exponent)
        with np.errstate(**_QUIET):
            data = np.power(a, e)
        return POW.record(data, self=input, exponent=exponent)
    base, e = binary_arrays(input, exponent)
    with np.errstate(**_QUIET):
        data = np.power(base, e)
    return POW_BASE.record(data, self=input, exponent=exponent)


@tensor_method("square")
def square(input):
    return pow(input, 2)


@export("maximum")
def maximum(input, other):
    return _binary(MAXIMUM, np.maximum, input, other)


@export("minimum")
def minimum(input, other):
    return _binary(MINIMUM, np.minimum, input, other)


# Python operators. Reflected forms follow torch's Tensor.__r*__ definitions.
tensor_method("__add__", "__radd__")(add)
tensor_method("__sub__")(sub)
tensor_method("__mul__", "__rmul__")(mul)
tensor_method("__truediv__")(div)
tensor_method("__floordiv__")(floor_divide)


@tensor_method("__rfloordiv__")
def _rfloordiv_operator(self, other):
    return floor_divide(_make(np.asarray(other, _dtypes.result_type(self, other).numpy)), self)
tensor_method("__neg__")(neg)
tensor_method("__pow__")(pow)


@tensor_method("__rsub__")
def _rsub_operator(self, other):
    return rsub(self, other)


@tensor_method("__rtruediv__")
def _rtruediv_operator(self, other):
    return mul(reciprocal(self), other)


@tensor_method("__rpow__")
def _rpow_operator(self, other):
    if _behaviour.value("tensor.rpow_wraps_scalar"):  # torch.tensor(other) ** self: PowBackward1
        return pow(_make(np.asarray(other, _dtypes.result_type(other, self).numpy)), self)
    return pow(other, self)


@tensor_method("__pos__")
def _pos_operator(self):
    return self


WHERE = Derivative("WhereBackward0",
                   self=lambda F, grad, condition: F.where_zero(condition, grad),
                   other=lambda F, grad, condition: F.where_zero_else(condition, grad))


@export("where", method=False)
def where(condition, input, other):
    a, b = binary_arrays(input, other)
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype not in (np.bool_, np.uint8):  # uint8 still works, with a deprecation warning
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_dtypes.scalar_type_name(_dtypes.from_numpy(cond.dtype))}")
    return WHERE.record(np.where(cond, a, b), condition=condition, self=input, other=other)


@tensor_method("where")
def _where_method(self, condition, other):
    """Tensor.where(condition, other) is torch.where(condition, self, other)."""
    return where(condition, self, other)


# ----------------------------------------------------------------- comparisons and logic
def _compare(op):
    def compare(input, other):
        if not (isinstance(other, Tensor) or is_number(other)):
            return NotImplemented
        a, b = binary_arrays(input, other)
        return _make(np.asarray(op(a, b)))

    return compare


for _names, _op in ((("eq", "__eq__"), np.equal), (("ne", "not_equal", "__ne__"), np.not_equal),
                    (("lt", "less", "__lt__"), np.less), (("le", "less_equal", "__le__"), np.less_equal),
                    (("gt", "greater", "__gt__"), np.greater), (("ge", "greater_equal", "__ge__"), np.greater_equal)):
    export(*_names)(_compare(_op))


def _logical(op):
    def logical(input, other):
        a, b = binary_arrays(input, other)
        if a.dtype.kind == "f":  # torch's dispatch stub refuses it
            error = NotImplementedError if _behaviour.value("errors.bitwise_float_type") == "NotImplementedError" \
                else RuntimeError
            raise error(f"\"{op.__name__}_cpu\" not implemented for '{_dtypes.scalar_type_name(input.dtype)}'")
        return _make(np.asarray(op(a, b)))

    return logical


tensor_method("__and__", "__rand__", "bitwise_and")(_logical(np.bitwise_and))
tensor_method("__or__", "__ror__", "bitwise_or")(_logical(np.bitwise_or))
tensor_method("__xor__", "__rxor__", "bitwise_xor")(_logical(np.bitwise_xor))


@export("logical_not")
def logical_not(input):
    return _make(np.logical_not(input._data))


@tensor_method("__invert__", "bitwise_not")
def bitwise_not(input):
    if input._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return _make(np.invert(input._data))


@export("isnan")
def isnan(input):
    return _make(np.isnan(input._data))


# ----------------------------------------------------------------- unary functions
def _floating(input):
    """Integer inputs of float-valued functions compute in the default dtype."""
    data = input._data
    return data if data.dtype.kind == "f" else data.astype(_dtypes.get_default_dtype().numpy)


def _unary(node_name, array_fn, formula, names, float_only=True):
    derivative = Derivative(node_name, self=formula)

    def forward(input):
        data = _floating(input) if float_only else input._data
        return derivative.record(array_fn(data), self=input)

    forward.__name__ = names[0]
    export(*names)(forward)
    return derivative, forward


EXP, exp = _unary("ExpBackward0", np.exp, lambda F, grad, result: grad * result, ("exp",))
LOG, log = _unary("LogBackward0", np.log, lambda F, grad, self: grad / self, ("log",))
SQRT, sqrt = _unary("SqrtBackward0", np.sqrt, lambda F, grad, result: grad / F.mul_scalar(result, 2), ("sqrt",))
SIN, sin = _unary("SinBackward0", np.sin, lambda F, grad, self: grad * F.cos(self), ("sin",))
COS, cos = _unary("CosBackward0", np.cos, lambda F, grad, self: grad * -F.sin(self), ("cos",))
ABS, abs = _unary("AbsBackward0", np.abs, lambda F, grad, self: grad * F.sgn(self),  # noqa: A001
                  ("abs", "absolute"), float_only=False)
SIGN, sign = _unary("SignBackward0", np.sign, lambda F, grad: F.zeros_like(grad), ("sign",), float_only=False)
SGN, sgn = _unary("SgnBackward0", np.sign, lambda F, grad, self, result: F.sgn_backward(grad, self, result), ("sgn",),
                  float_only=False)


# ----------------------------------------------------------------- in-place forms
def _inplace_operand(self, other, op_name):
    """The other operand, cast to self's dtype, with torch's check that the result type fits."""
    check_operand(other, op_name)
    result = promote(self, other, int_to_float=op_name == "div_")
    mine = _dtypes.from_numpy(self._data.dtype)
    if _dtypes.promote_types(result, mine) is not mine or (mine is _dtypes.bool and result is not _dtypes.bool):
        raise RuntimeError(
            f"result type {_dtypes.scalar_type_name(result)} can't be cast to the desired output type "
            f"{_dtypes.scalar_type_name(mine)}")
    value = as_array(other, result.numpy)
    if isinstance(other, Tensor):
        shape = broadcast_shapes(self._data.shape, value.shape)
        if shape != self._data.shape:
            raise RuntimeError(
                f"output with shape [{', '.join(map(str, self._data.shape))}] doesn't match the broadcast "
                f"shape [{', '.join(map(str, shape))}]")
    return value


def _writer(self, ufunc, value, other=None):
    """compute() for a binary in-place op; ``other`` is the operand as given (a tensor may overlap self)."""
    def compute():
        out = writable(self._data)
        if isinstance(other, Tensor):
            check_no_partial_overlap(self._data, other._data)
        ufunc(out, value, out=out, casting="unsafe")

    return compute


def _unary_writer(self, ufunc):
    """compute() for an in-place unary ufunc, with torch's error for an expanded (overlapping) target."""
    def compute():
        out = writable(self._data)
        ufunc(out, out=out)

    return compute


@tensor_method("add_", "__iadd__")
def add_(self, other, *, alpha=1):
    value = _inplace_operand(self, other, "add_")
    if alpha != 1:
        value = value * value.dtype.type(alpha)
    return ADD.record_inplace(self, _writer(self, np.add, value, other), self=self, other=other, alpha=alpha)


@tensor_method("sub_", "__isub__")
def sub_(self, other, *, alpha=1):
    _check_not_bool_sub(self, other)
    value = _inplace_operand(self, other, "sub_")
    if alpha != 1:
        value = value * value.dtype.type(alpha)
    return SUB.record_inplace(self, _writer(self, np.subtract, value, other), self=self, other=other, alpha=alpha)


@tensor_method("mul_", "__imul__")
def mul_(self, other):
    value = _inplace_operand(self, other, "mul_")
    return MUL.record_inplace(self, _writer(self, np.multiply, value, other), self=self, other=other)


@tensor_method("div_", "__itruediv__")
def div_(self, other):
    value = _inplace_operand(self, other, "div_")
    return DIV.record_inplace(self, _writer(self, np.true_divide, value, other), self=self, other=other)


@tensor_method("pow_", "__ipow__")
def pow_(self, exponent):
    value = _inplace_operand(self, exponent, "pow_")
    derivative = POW_TENSOR if isinstance(exponent, Tensor) else POW
    return derivative.record_inplace(self, _writer(self, np.power, value, exponent), self=self, exponent=exponent)


@tensor_method("neg_")
def neg_(self):
    return NEG.record_inplace(self, _unary_writer(self, np.negative), self=self)


def _unary_inplace(derivative, array_fn, name):
    def inplace(self):
        if self._data.dtype.kind != "f" and derivative not in (ABS, SIGN):
            raise RuntimeError(f"result type Float can't be cast to the desired output type "
                               f"{_dtypes.scalar_type_name(self.dtype)}")
        return derivative.record_inplace(self, _unary_writer(self, array_fn), self=self)

    inplace.__name__ = name
    tensor_method(name)(inplace)
    return inplace


exp_ = _unary_inplace(EXP, np.exp, "exp_")
log_ = _unary_inplace(LOG, np.log, "log_")
sqrt_ = _unary_inplace(SQRT, np.sqrt, "sqrt_")
sin_ = _unary_inplace(SIN, np.sin, "sin_")
cos_ = _unary_inplace(COS, np.cos, "cos_")
abs_ = _unary_inplace(ABS, np.abs, "abs_")


# ----------------------------------------------------------------- clamp
def clamp_backward(F, grad, self, min, max):  # noqa: A002 - torch's names
    if min is not None and max is not None:
        return F.where_zero(F.logical_and(self >= min, self <= max), grad)
    if min is not None:
        return F.where_zero(self >= min, grad)
    return F.where_zero(self <= max, grad)


def clamp_backward_strict(F, grad, self, min, max):  # noqa: A002 - torch's names
    """torch 2.14: no gradient where the input sits on a (number) bound."""
    if min is not None and max is not None:
        return F.where_zero(F.logical_and(self > min, self < max), grad)
    if min is not None:
        return F.where_zero(self > min, grad)
    return F.where_zero(self < max, grad)


def _clamp_self(F, grad, self, min, max):  # noqa: A002
    if _behaviour.value("ops.clamp.ties"):
        return clamp_backward_strict(F, grad, self, min, max)
    return clamp_backward(F, grad, self, min, max)


def _clamp_tensor_self(F, grad, self, min, max):  # noqa: A002
    """torch 2.14 for tensor bounds: an input tied with a bound shares the gradient with it (half each), as
    maximum/minimum do, built by a masked_fill_ (so at version 1); before, the bounds are inclusive."""
    if not _behaviour.value("ops.clamp.ties"):
        return clamp_backward(F, grad, self, min, max)
    tie = loses = None
    for bound, outside in ((min, lambda: self < min), (max, lambda: self > max)):
        if bound is None:
            continue
        tie = (self == bound) if tie is None else F.logical_or(tie, self == bound)
        loses = outside() if loses is None else F.logical_or(loses, outside())
    return F.masked_fill_zero_(F.where(tie, F.div_scalar(grad, 2), grad), loses)


def _clamp_bound(F, grad, self, bound, beyond):
    """A tensor bound's gradient: where the input is beyond it (and, from 2.14, half where they tie)."""
    if not _behaviour.value("ops.clamp.ties"):
        return F.where_zero(beyond, grad)
    tie = self == bound
    return F.masked_fill_zero_(F.where(tie, F.div_scalar(grad, 2), grad), F.logical_not(F.logical_or(beyond, tie)))


CLAMP = Derivative("ClampBackward1", self=lambda F, grad, self, min, max: _clamp_self(F, grad, self, min, max))
CLAMP_TENSOR = Derivative(
    "ClampBackward0",
    self=lambda F, grad, self, min, max: _clamp_tensor_self(F, grad, self, min, max),
    min=lambda F, grad, self, min: _clamp_bound(F, grad, self, min, self < min),
    max=lambda F, grad, self, max: _clamp_bound(F, grad, self, max, self > max))
CLAMP_MIN = Derivative("ClampMinBackward0", self=lambda F, grad, self, min:
                       F.where_zero(self > min if _behaviour.value("ops.clamp.ties") else self >= min, grad))
CLAMP_MAX = Derivative("ClampMaxBackward0", self=lambda F, grad, self, max:
                       F.where_zero(self < max if _behaviour.value("ops.clamp.ties") else self <= max, grad))


def _clamp_arrays(input, min, max):  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    dtype = _dtypes.result_type(*(v for v in (input, min, max) if v is not None))
    data = as_array(input, dtype.numpy)
    low = None if min is None else as_array(min, dtype.numpy)
    high = None if max is None else as_array(max, dtype.numpy)
    return np.clip(data, low, high) if low is not None or high is not None else data


@export("clamp", "clip")
def clamp(input, min=None, max=None):  # noqa: A002
    out = _clamp_arrays(input, min, max)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return CLAMP_TENSOR.record(out, self=input, min=min, max=max)
    return CLAMP.record(out, self=input, min=min, max=max)


@export("clamp_min")
def clamp_min(input, min):  # noqa: A002
    return CLAMP_MIN.record(_clamp_arrays(input, min, None), self=input, min=min)


@export("clamp_max")
def clamp_max(input, max):  # noqa: A002
    return CLAMP_MAX.record(_clamp_arrays(input, None, max), self=input, max=max)


@tensor_method("clamp_", "clip_")
def clamp_(self, min=None, max=None):  # noqa: A002
    out = _clamp_arrays(self, min, max).astype(self._data.dtype, copy=False)

    def compute():
        self._data[...] = out

    derivative = CLAMP_TENSOR if isinstance(min, Tensor) or isinstance(max, Tensor) else CLAMP
    return derivative.record_inplace(self, compute, self=self, min=min, max=max)
