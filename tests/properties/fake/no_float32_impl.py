"""reference_impl without torch.float32 (for the not-implemented property tests)."""
from reference_impl import *  # noqa: F401,F403
from reference_impl import Tensor  # noqa: F401

del float32  # noqa: F821
