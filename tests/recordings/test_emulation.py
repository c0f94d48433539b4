"""reference_impl emulates one torch version at a time; every version-dependent value is a feature in
reference_impl/_behaviour.py whose boundaries are traced to the committed recordings."""
from __future__ import annotations

import pytest

import reference_impl
from conformance import recording
from reference_impl import _behaviour


@pytest.fixture(autouse=True)
def default_emulation(monkeypatch):
    monkeypatch.delenv(_behaviour.ENV_VAR, raising=False)
    reference_impl.emulate(None)
    yield
    reference_impl.emulate(None)


def test_the_default_is_the_installed_torch_else_the_newest_recorded(monkeypatch):
    monkeypatch.setattr(_behaviour, "installed_torch_version", lambda: "2.5.1")
    assert reference_impl.emulated_version() == "2.5.1"
    monkeypatch.setattr(_behaviour, "installed_torch_version", lambda: None)
    assert reference_impl.emulated_version() == _behaviour.NEWEST_RECORDED == "2.15.0"


def test_the_environment_variable_then_emulate_take_precedence(monkeypatch):
    monkeypatch.setattr(_behaviour, "installed_torch_version", lambda: "2.13.0")
    monkeypatch.setenv(_behaviour.ENV_VAR, "2.0.1")
    assert reference_impl.emulated_version() == "2.0.1"
    reference_impl.emulate("torch-1.13.1")
    assert reference_impl.emulated_version() == "1.13.1"
    reference_impl.emulate(None)
    assert reference_impl.emulated_version() == "2.0.1"


@pytest.mark.parametrize("bad", ["banana", "2", "v2.5"])
def test_emulate_refuses_what_is_not_a_version(bad):
    with pytest.raises(ValueError, match="not a torch version"):
        reference_impl.emulate(bad)


def test_emulate_refuses_versions_older_than_anything_recorded():
    with pytest.raises(ValueError, match="1.13 and later"):
        reference_impl.emulate("1.12.1")


def test_a_bad_environment_variable_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(_behaviour.ENV_VAR, "latest")
    _behaviour._cache.clear()
    with pytest.raises(ValueError, match="REFERENCE_IMPL_TORCH_VERSION"):
        _behaviour.value("optim.zero_grad.set_to_none_default")


def test_emulation_changes_what_the_engine_does():
    def zero_grad_result():
        p = reference_impl.tensor([1.0, 2.0], requires_grad=True)
        (p * 2).sum().backward()
        optimizer = reference_impl.optim.SGD([p], lr=0.1)
        optimizer.zero_grad()
        return p.grad

    def unused_message():
        x = reference_impl.tensor([1.0], requires_grad=True)
        y = reference_impl.tensor([1.0], requires_grad=True)
        try:
            reference_impl.autograd.grad((x * 2).sum(), [x, y])
        except RuntimeError as error:
            return str(error)

    reference_impl.emulate("1.13.1")
    assert zero_grad_result().tolist() == [0.0, 0.0]
    assert unused_message().startswith("One of the differentiated Tensors")
    assert (2.0 ** reference_impl.tensor([1.0], requires_grad=True)).grad_fn.name() == "PowBackward1"
    reference_impl.emulate("2.14.1")
    assert zero_grad_result() is None
    assert unused_message().startswith("The differentiated Tensor at index 1")
    assert (2.0 ** reference_impl.tensor([1.0], requires_grad=True)).grad_fn.name() == "PowBackward2"


def test_from_2_15_assigning_a_number_fills_and_mm_errors_name_the_op():
    def graph(index, value, rows=False):
        x = reference_impl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]] if rows else [1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y[index(y)] = value
        y.sum().backward()
        return (y.grad_fn.name(), [fn.name() if fn is not None else None for fn, _ in y.grad_fn.next_functions],
                x.grad.tolist(), y.tolist())

    def mm_error(a, b):
        try:
            reference_impl.mm(reference_impl.ones(*a), reference_impl.ones(*b))
        except RuntimeError as error:
            return str(error)

    reference_impl.emulate("2.14.1")
    assert graph(lambda y: 0, 5.0)[:2] == ("torch::autograd::CopySlices", ["MulBackward0", None])
    assert graph(lambda y: slice(None), 5.0)[:2] == ("FillBackward3", ["MulBackward0", None])
    assert graph(lambda y: [0, 2], 0.0)[:2] == ("IndexPutBackward0", ["MulBackward0", None])
    assert graph(lambda y: y > 3, 0.0)[:2] == ("IndexPutBackward0", ["MulBackward0", None])
    assert mm_error((2, 3), (4, 3)) == "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x3)"
    assert mm_error((3,), (3, 2)) == "self must be a matrix"
    reference_impl.emulate("2.15.0")
    assert graph(lambda y: 0, 5.0) == ("torch::autograd::CopySlices", ["MulBackward0"], [0.0, 2.0, 2.0],
                                       [5.0, 4.0, 6.0])
    assert graph(lambda y: slice(None), 5.0)[:2] == ("FillBackward2", ["MulBackward0"])
    assert graph(lambda y: [0, 2], 0.0) == ("IndexFillBackward0", ["MulBackward0"], [0.0, 2.0, 0.0], [0.0, 4.0, 0.0])
    assert graph(lambda y: y > 3, 1.5) == ("MaskedFillBackward0", ["MulBackward0"], [2.0, 0.0, 0.0], [2.0, 1.5, 1.5])
    # as torch 2.15.0 shows them (checked on the install): a column index, a row mask, two index lists
    assert graph(lambda y: (slice(None), [0, 2]), 0.0, rows=True)[0] == "IndexFillBackward0"
    assert graph(lambda y: reference_impl.tensor([True, False]), 0.0, rows=True)[2] == [[0.0] * 3, [2.0] * 3]
    assert graph(lambda y: ([0, 1], [1, 2]), 0.0, rows=True)[:2] == ("IndexPutBackward0", ["MulBackward0", None])
    assert graph(lambda y: [0], reference_impl.tensor(0.0))[:2] == ("IndexPutBackward0", ["MulBackward0", None])
    assert mm_error((2, 3), (4, 3)) == "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x3)"
    assert mm_error((3,), (3, 2)) == "mm: self must be a matrix, got 1-D tensor"
    assert mm_error((2, 3), (3,)) == "mm: mat2 must be a matrix, got 1-D tensor"


def test_a_method_added_later_is_missing_before():
    reference_impl.emulate("2.0.1")
    t = reference_impl.tensor([1.0], requires_grad=True)
    with pytest.raises(AttributeError, match="'Tensor' object has no attribute 'register_post_accumulate_grad_hook'"):
        t.register_post_accumulate_grad_hook(lambda p: None)
    assert not hasattr(t.mul(2).grad_fn, "_sequence_nr")
    reference_impl.emulate("2.1.2")
    assert callable(t.register_post_accumulate_grad_hook)
    assert isinstance(t.mul(2).grad_fn._sequence_nr(), int)


# ------------------------------------------------------------------ traced to the recordings
def test_recorded_versions_are_the_committed_recordings():
    committed = [name[len("torch-"):] for name, _ in recording.available()]
    assert list(_behaviour.RECORDED) == committed


@pytest.mark.parametrize("name", sorted(_behaviour.FEATURES))
def test_each_feature_boundary_is_shown_by_adjacent_recordings_that_differ(name):
    feature = _behaviour.FEATURES[name]
    boundaries = [first for first, _ in feature.since[1:]]
    assert feature.since[0][0] == _behaviour.OLDEST_SUPPORTED
    assert len(feature.shown_by) == len(boundaries), f"{name}: one (old, new) recording pair per change"
    versions = [recording.version_key(v) for v in _behaviour.RECORDED]
    for boundary, (old, new) in zip(boundaries, feature.shown_by):
        old_key = recording.version_key(old[len("torch-"):])
        new_key = recording.version_key(new[len("torch-"):])
        assert old_key < recording.version_key(boundary) <= new_key, f"{name}: {boundary} not in ({old}, {new}]"
        assert not any(old_key < v < new_key for v in versions), f"{name}: a recording lies between {old} and {new}"
        assert new_key[:2] == recording.version_key(boundary)[:2], f"{name}: put the boundary at {new}'s minor"
        changes = recording.behaviour_changes(recording.read(old), recording.read(new))
        assert changes, f"{name}: {old} and {new} show no change at all"
