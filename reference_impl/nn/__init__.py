"""reference_impl.nn: only what the suite needs (functional activations)."""
from . import functional  # noqa: F401
