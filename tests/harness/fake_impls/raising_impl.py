"""An implementation module that fails while being imported (for the one-line preflight error)."""
raise RuntimeError("this engine's import is broken")
