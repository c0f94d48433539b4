"""autograd-conformance: check that an autograd engine behaves exactly like PyTorch's."""
__version__ = "0.1.0"
