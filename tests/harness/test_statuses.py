"""Honest statuses: per-field markers, missing torch names vs an engine's own errors, the two levels."""
from __future__ import annotations

import types

import pytest

import reference_impl
from conformance import catalogue, levels, missing, recording
from conformance.observe import Observer, marker
from conformance.runner import judge, run_pair
from conformance.scenario import REGISTRY

torch = pytest.importorskip("torch")
SURFACE = recording.surface_of(recording.read("torch-2.13.0"))


def _scenario(scenario_id):
    catalogue.load_all()
    return REGISTRY[scenario_id]


def _tensor(values, dtype="torch.float32", **fields):
    return {"kind": "tensor", "shape": [len(values)], "dtype": dtype, "values": values, "requires_grad": False,
            "is_leaf": True, "grad_fn": None, "retains_grad": False, "version": 0,
            "repr": "tensor([...])", **fields}


def _outcome(**items):
    return {"outputs": {"kind": "dict", "items": items}, "error": None, "warnings": []}


# ------------------------------------------------------------------ observation per field
class _NoRetainsGrad:
    """A tensor-like object from an engine that lacks retains_grad and _version."""

    shape = (2,)
    dtype = "float32"
    requires_grad = True
    is_leaf = True
    grad_fn = None
    grad = None

    def detach(self):
        return self

    def tolist(self):
        return [1.0, 2.0]


def test_a_missing_tensor_attribute_is_a_marker_and_the_other_fields_are_still_observed():
    engine = types.SimpleNamespace(Tensor=_NoRetainsGrad)
    observed = Observer(engine)(_NoRetainsGrad())
    assert observed["retains_grad"] == marker("Tensor.retains_grad")
    assert observed["version"] == marker("Tensor._version")
    assert observed["values"] == [1.0, 2.0] and observed["requires_grad"] is True


def test_an_error_inside_an_existing_property_is_the_engines_own_error():
    class Broken(_NoRetainsGrad):
        @property
        def is_leaf(self):
            return self.no_such_field

    observed = Observer(types.SimpleNamespace(Tensor=Broken))(Broken())
    assert observed["is_leaf"] == {"error": "AttributeError: 'Broken' object has no attribute 'no_such_field'"}


def test_blocked_fields_make_not_implemented_only_when_nothing_observed_differs():
    expected = _outcome(x=_tensor([1.0, 2.0]))
    blocked = _outcome(x=_tensor([1.0, 2.0], retains_grad=marker("Tensor.retains_grad")))
    result = judge(_scenario("basics.requires_grad_default_false"), expected, blocked, 0.0)
    assert result.status == "not-implemented" and result.blocked == ["Tensor.retains_grad"]
    wrong = _outcome(x=_tensor([1.0, 2.5], retains_grad=marker("Tensor.retains_grad")))
    result = judge(_scenario("basics.requires_grad_default_false"), expected, wrong, 0.0)
    assert result.status == "fail" and any(d["path"] == "outputs.items.x.values[1]" for d in result.diffs)


# ------------------------------------------------------------------ levels
def test_printing_and_version_differences_fail_only_the_exact_level():
    expected = _outcome(x=_tensor([1.0, 2.0]))
    actual = _outcome(x=_tensor([1.0, 2.0], version=3, repr="Tensor([1., 2.])", grad_fn="Add"))
    result = judge(_scenario("basics.requires_grad_default_false"), expected, actual, 0.0)
    assert result.levels == {"semantic": "pass", "exact": "fail"} and result.status == "fail"
    assert {d["level"] for d in result.diffs} == {"exact"}
    semantic = judge(_scenario("basics.requires_grad_default_false"), expected, actual, 0.0, level="semantic")
    assert semantic.status == "pass" and semantic.message == ""


def test_dtypes_compare_by_name_so_the_float_tolerance_still_applies():
    expected = _outcome(x=_tensor([0.1, 2.0]))
    actual = _outcome(x=_tensor([0.1 + 3e-8, 2.0], dtype="dtypes.float"))
    result = judge(_scenario("basics.requires_grad_default_false"), expected, actual, 0.0)
    assert result.levels == {"semantic": "pass", "exact": "fail"}
    assert [d["path"] for d in result.diffs] == ["outputs.items.x.dtype"]
    assert result.tolerance == {"float32": [1.3e-6, 1e-5]}


@pytest.mark.parametrize("text, name", [("torch.float32", "float32"), ("dtypes.float", "float32"),
                                        ("dtype('float64')", "float64"), ("<class 'numpy.int64'>", "int64"),
                                        ("torch.long", "int64"), ("float16", "float16")])
def test_dtype_names(text, name):
    assert levels.dtype_name(text) == name


def test_a_value_difference_fails_both_levels():
    expected = _outcome(x=_tensor([1.0, 2.0]))
    actual = _outcome(x=_tensor([1.0, 3.0]))
    result = judge(_scenario("basics.requires_grad_default_false"), expected, actual, 0.0)
    assert result.levels == {"semantic": "fail", "exact": "fail"}
    assert [d["level"] for d in result.diffs] == ["semantic"]


def test_node_names_returned_as_strings_are_exact_only(monkeypatch):
    from reference_impl.ops.pointwise import ADD

    ADD.node_class.__name__ = "AddBackward1"
    try:
        result = run_pair(_scenario("grad_fn.add_name"), torch, reference_impl)
    finally:
        ADD.node_class.__name__ = "AddBackward0"
    assert result.levels == {"semantic": "pass", "exact": "fail"}


def test_a_repr_only_difference_passes_the_semantic_level(monkeypatch):
    monkeypatch.setattr(reference_impl.Tensor, "__repr__", lambda self: "MyTensor(...)")
    result = run_pair(_scenario("printing.vector_requires_grad"), torch, reference_impl)
    assert result.levels == {"semantic": "pass", "exact": "fail"}


# ------------------------------------------------------------------ a name torch has, or the engine's own error
class DType:  # an engine's dtype class (tinygrad's is called DType)
    pass


def test_attribute_errors_on_names_torch_has_are_not_implemented():
    engine = types.SimpleNamespace(Tensor=_NoRetainsGrad, autograd=types.SimpleNamespace())
    try:
        _NoRetainsGrad().retain_grad()
    except AttributeError as error:
        assert missing.torch_name(error, engine, SURFACE) == "Tensor.retain_grad"
    try:
        engine.autograd.grad
    except AttributeError as error:
        assert missing.torch_name(error, engine, SURFACE) == "torch.autograd.grad"


def test_an_attribute_error_on_a_name_torch_lacks_is_the_engines_own_error():
    try:
        DType().split
    except AttributeError as error:
        assert missing.torch_name(error, types.SimpleNamespace(), SURFACE) is None


@pytest.mark.parametrize("message, name", [
    ("backward() got an unexpected keyword argument 'retain_graph'", "Tensor.backward(retain_graph=)"),
    ("Tensor.backward() got an unexpected keyword argument 'inputs'", "Tensor.backward(inputs=)"),
    ("SGD.__init__() got an unexpected keyword argument 'dampening'", "torch.optim.SGD(dampening=)"),
    ("'>' not supported between instances of 'Tensor' and 'int'", "Tensor.__gt__"),
    ("'Tensor' object does not support item assignment", "Tensor.__setitem__"),
    ("backward() got an unexpected keyword argument 'no_such_option'", None),
    ("unsupported operand type(s) for //: 'int' and 'Tensor'", "Tensor.__rfloordiv__"),
])
def test_type_errors_for_keywords_and_operators_torch_accepts(message, name):
    assert missing.torch_name(TypeError(message), None, SURFACE) == name


def test_an_engine_error_is_an_error_status_with_where_it_was_raised():
    expected = _outcome()
    actual = {"outputs": None, "error": {"kind": "error", "type": "AttributeError",
                                         "message": "'DType' object has no attribute 'split'"},
              "warnings": [], "raised_at": "engine/dtype.py:12 in to"}
    result = judge(_scenario("basics.requires_grad_default_false"), expected, actual, 0.0)
    assert result.status == "error" and result.levels == {"semantic": "error", "exact": "error"}
    assert "DType" in result.message and "engine/dtype.py:12 in to" in result.message


# ------------------------------------------------------------------ torch conforms to itself
def test_torch_conforms_to_itself_live_each_side_in_its_own_process(tmp_path, capsys):
    """Warn-once warnings, default dtype and grad mode cannot leak from one side to the other."""
    from conformance import cli

    code = cli.main(["run", "--impl", "torch", "--select", "warnings", "higher_order",
                     "--json", str(tmp_path / "r.json"), "--html", ""])
    assert code == 0, capsys.readouterr().err


def test_torch_conforms_to_its_own_recording(tmp_path, capsys):
    from conformance import cli

    version = torch.__version__.split("+")[0]
    code = cli.main(["run", "--impl", "torch", "--against", f"torch-{version}",
                     "--json", str(tmp_path / "r.json"), "--html", ""])
    assert code == 0, capsys.readouterr().err


def test_a_name_the_recorded_torch_lacks_too_is_compared_not_blocked():
    """torch 1.13 had no materialize_grads: the implementation emulating it raises the same TypeError."""
    error = {"kind": "error", "type": "TypeError",
             "message": "grad() got an unexpected keyword argument 'materialize_grads'"}
    expected = {"outputs": None, "error": error, "warnings": []}
    actual = {**expected, "missing": "torch.autograd.grad(materialize_grads=)"}
    assert judge(_scenario("basics.requires_grad_default_false"), expected, actual, 0.0).status == "pass"
    caught_torch = _outcome(e=error)
    caught_impl = _outcome(e=marker("torch.autograd.grad(materialize_grads=)", error))
    assert judge(_scenario("basics.requires_grad_default_false"), caught_torch, caught_impl, 0.0).status == "pass"
    other = _outcome(e={"kind": "error", "type": "RuntimeError", "message": "x"})
    result = judge(_scenario("basics.requires_grad_default_false"), other, caught_impl, 0.0)
    assert result.status == "not-implemented" and result.blocked == ["torch.autograd.grad(materialize_grads=)"]
