"""reference_impl whose Tensor lacks retain_grad (for the not-implemented property tests).

Importing it removes ``Tensor.retain_grad`` from reference_impl for the whole process: import it only in
a process of its own (the property session's child processes do), never in the test process.
"""
from reference_impl import *  # noqa: F401,F403
from reference_impl import Tensor

del Tensor.retain_grad
