"""torch's public surface: captured from the installed torch, carried by recordings, read without torch."""
from __future__ import annotations

import pytest

from conformance import recording, surface


def test_keyword_names_read_signatures_and_torch_docstrings():
    def backward(self, gradient=None, *, retain_graph=None, **kwargs):
        return None

    class CFunction:  # a C builtin has no signature; torch's docstring starts with one line per overload
        __name__ = "sum"
        __doc__ = "\nsum(dim=None, keepdim=False, *, dtype=None) -> Tensor\n\nSee torch.sum\n"

        def __call__(self, *args, **kwargs):
            return None

    assert surface.keyword_names(backward) == ["gradient", "retain_graph"]
    assert surface.keyword_names(CFunction()) == ["dim", "dtype", "keepdim"]


def test_capture_of_the_installed_torch():
    pytest.importorskip("torch")
    captured = surface.Surface(surface.capture())
    assert captured.has("Tensor", "retains_grad") and captured.has("Node", "next_functions")
    assert captured.has("torch.autograd", "grad") and not captured.has("dtype", "split")
    assert captured.accepts("Tensor.backward", "retain_graph")
    assert captured.accepts("torch.tensor", "requires_grad")
    assert captured.has("FunctionCtx", "save_for_backward")
    assert captured.callables_named("backward")[0] == "Tensor.backward"


def test_the_installed_torch_recording_carries_its_surface():
    document = recording.read("torch-2.13.0")
    assert surface.for_recording(document).has("Tensor", "retains_grad")


def test_a_recording_without_a_surface_borrows_the_nearest_recorded_one():
    document = recording.read("torch-2.13.0")
    old = {**document, "surface": None, "torch": {**document["torch"], "version": "2.12.0"}}
    assert recording.surface_of(old).has("Tensor", "retains_grad")
    assert not surface.for_recording(old)
