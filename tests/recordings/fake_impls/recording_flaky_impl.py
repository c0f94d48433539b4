"""reference_impl, except that torch.sin never returns and torch.exp kills the process: for checking that
a recording keeps going past a hanging or crashing behaviour."""
import os
import time

from reference_impl import *  # noqa: F401,F403
from reference_impl import Tensor, autograd  # noqa: F401

__version__ = "9.8.7+flaky"


def sin(*args, **kwargs):  # noqa: F811
    time.sleep(3600)


def exp(*args, **kwargs):  # noqa: F811
    os._exit(3)
