"""Activations: relu, sigmoid, tanh, and the ops their backward formulas call."""
from __future__ import annotations

import numpy as np

from ._common import export, writable
from ._derivative import Derivative
from ._math import where_zero
from .pointwise import _floating

# The double-backward ops: torch's formulas for relu/sigmoid/tanh call these, so
# under create_graph the gradient's grad_fn is e.g. TanhBackwardBackward0.
TANH_BACKWARD = Derivative(
    "TanhBackwardBackward0",
    grad_output=lambda F, grad, output: F.tanh_backward(grad, output),
    output=lambda F, grad, grad_output, output: grad * (F.mul_scalar(output, -2.0) * grad_output))
SIGMOID_BACKWARD = Derivative(
    "SigmoidBackwardBackward0",
    grad_output=lambda F, grad, output: F.sigmoid_backward(grad, output),
    output=lambda F, grad, grad_output, output: grad * grad_output * F.add_scalar(F.mul_scalar(output, -2.0), 1))
THRESHOLD_BACKWARD = Derivative(
    "ThresholdBackwardBackward0",
    grad_output=lambda F, grad, self, threshold: F.threshold_backward(grad, self, threshold),
    self=lambda F, grad: F.zeros_like(grad))


def tanh_backward(grad_output, output):
    data = grad_output._data * (1 - output._data * output._data)
    return TANH_BACKWARD.record(data, grad_output=grad_output, output=output)


def sigmoid_backward(grad_output, output):
    data = grad_output._data * (1 - output._data) * output._data
    return SIGMOID_BACKWARD.record(data, grad_output=grad_output, output=output)


def threshold_backward(grad_output, self, threshold):
    data = where_zero(self._data > threshold, grad_output._data)
    return THRESHOLD_BACKWARD.record(data, grad_output=grad_output, self=self, threshold=threshold)


RELU = Derivative("ReluBackward0", self=lambda F, grad, result: F.threshold_backward(grad, result, 0))
SIGMOID = Derivative("SigmoidBackward0", self=lambda F, grad, result: F.sigmoid_backward(grad, result))
TANH = Derivative("TanhBackward0", self=lambda F, grad, result: F.tanh_backward(grad, result))


def _relu_array(data):
    """torch's clamp_min(x, 0): -0.0 and NaN pass through unchanged. With zero as the *first* operand
    np.maximum keeps -0.0 (maximum(x, 0) would give +0.0); np.where is much slower."""
    return np.maximum(data.dtype.type(0), data) if data.dtype.kind != "b" else data


def _sigmoid_array(data):
    return 1 / (1 + np.exp(-data))


@export("relu")
def relu(input):
    if input._data.dtype == np.bool_:
        raise RuntimeError("\"clamp_min_scalar_cpu\" not implemented for 'Bool'")
    return RELU.record(_relu_array(input._data), self=input)


@export("sigmoid")
def sigmoid(input):
    return SIGMOID.record(_sigmoid_array(_floating(input)), self=input)


@export("tanh")
def tanh(input):
    return TANH.record(np.tanh(_floating(input)), self=input)


def _inplace(derivative, array_fn, name):
    def inplace(self):
        def compute():
            writable(self._data)[...] = array_fn(self._data)

        return derivative.record_inplace(self, compute, self=self)

    inplace.__name__ = name
    export(name)(inplace)
    return inplace


relu_ = _inplace(RELU, _relu_array, "relu_")
sigmoid_ = _inplace(SIGMOID, _sigmoid_array, "sigmoid_")
tanh_ = _inplace(TANH, np.tanh, "tanh_")
