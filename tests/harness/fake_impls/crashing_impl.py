"""reference_impl, except that creating a tensor from data kills the process (for the crash test)."""
import os

from reference_impl import *  # noqa: F401,F403
from reference_impl import Tensor  # noqa: F401


def tensor(*args, **kwargs):  # noqa: F811
    os.abort()
