"""Details of tensors users see without autograd: print options (threshold, edgeitems, linewidth, profiles,
the scientific-notation switch) on reprs, integer dtype promotion, legacy type names, __index__, strides,
devices, a tensor's own __dict__ and tensors made under inference_mode. Print options changed by a scenario
are restored by that scenario (set_printoptions(profile="default"))."""
from __future__ import annotations

import operator

from ..scenario import scenario, torch_docs, torch_test

REPR = "Tensor printing: torch.set_printoptions"
ATTRS = "Tensor Attributes"


def _reprs(t, options: dict, tensors: dict) -> dict:
    """The reprs of ``tensors`` under the print ``options``; the options are restored afterwards."""
    try:
        t.set_printoptions(**options)
        return {name: repr(x) for name, x in tensors.items()}
    finally:
        t.set_printoptions(profile="default")


# --------------------------------------------------------------------------------------------- printing
@scenario("printing.threshold_summarises_each_axis",
          "Above threshold each axis longer than 2*edgeitems keeps its edges; the width ignores hidden values",
          torch_docs(REPR, "threshold and edgeitems: summarised tensors show edgeitems values at each end"))
def _(t, ctx):
    wide_middle = t.tensor([1.0, 2.0, 3.0, 1000.0, 1000.0, 6.0, 7.0, 8.0])
    rows = t.tensor([[1.5, 2.0], [3.0, 4.0], [5.0, 6.0], [123456.0, 7.0], [8.0, 9.0], [1.0, 2.0], [3.0, 4.5]])
    ints = t.tensor([1, 2, 3, -100000, 5, 6, 7])
    cube = t.arange(28.0).reshape(7, 2, 2)
    return {"threshold_5": _reprs(t, {"threshold": 5}, {"vector": wide_middle, "rows": rows, "ints": ints,
                                                         "cube": cube, "short": t.tensor([1.0, 2.0, 3.0, 4.0])}),
            "edgeitems_2": _reprs(t, {"threshold": 5, "edgeitems": 2},
                                  {"vector": wide_middle, "matrix": t.arange(36).reshape(6, 6)}),
            "after": repr(wide_middle)}


@scenario("printing.edgeitems_zero", "With edgeitems=0 a summarised vector prints [...] followed by its size",
          torch_docs(REPR, "edgeitems: number of array items in summary at beginning and end of each dimension"))
def _(t, ctx):
    # 1-D only: how older torch summarised 2-D tensors with edgeitems=0 is not pinned down here.
    tensors = {"vector": t.arange(10.0), "ints": t.arange(10), "int32": t.arange(5, dtype=t.int32),
               "grad": t.arange(10.0).requires_grad_()}
    return _reprs(t, {"edgeitems": 0, "threshold": 3}, tensors)


@scenario("printing.linewidth_wraps_rows_and_suffixes",
          "linewidth wraps elements and moves dtype=/requires_grad= suffixes to a new line when they would not fit",
          torch_docs(REPR, "linewidth: the number of characters per line for the purpose of inserting line breaks"))
def _(t, ctx):
    x = t.tensor([1.5, 2.5, 3.5], dtype=t.float64, requires_grad=True)
    out = {"wrapped": _reprs(t, {"linewidth": 30}, {"vector": t.arange(12.0), "matrix": t.arange(24.0).reshape(2, 12)})}
    for width in (53, 54, 55, 73, 74, 75):
        out[f"suffixes_{width}"] = _reprs(t, {"linewidth": width}, {"x": x})["x"]
    out["after"] = repr(t.arange(30.0))
    return out


@scenario("printing.profiles", "profile='full'/'short'/'default' reset all four options; other arguments override",
          torch_docs(REPR, "profile: sane defaults for pretty printing, can override with any of the above options"))
def _(t, ctx):
    long = t.arange(1200.0) * 0.5 + 0.25
    vector = t.tensor([1.23456, 2.5, 3.75, 4.125, 5.0625, 6.03125])
    try:
        t.set_printoptions(linewidth=30, precision=2, edgeitems=1)
        t.set_printoptions(profile="full")
        full = repr(t.arange(40.0) + 0.5)
        t.set_printoptions(profile="full", threshold=10)
        full_threshold = repr(t.cat([vector, vector, vector]))
        t.set_printoptions(profile="short")
        short = {"long": repr(long), "vector": repr(vector)}
        t.set_printoptions(linewidth=30)
        t.set_printoptions(profile="default")
        default = repr(long)
    finally:
        t.set_printoptions(profile="default")
    return {"full": full, "full_threshold_10": full_threshold, "short": short, "default": default}


@scenario("printing.sci_mode_1e8_boundary", "Scientific notation starts strictly above 1e8 (1e8 itself is fixed)",
          torch_docs(REPR, "sci_mode: None means the default heuristic (large values switch to e-notation)"))
def _(t, ctx):
    return {"exactly_1e8": repr(t.tensor([1e8, 2.0e7])),
            "just_above_f64": repr(t.tensor([100000001.0, 5.0e7], dtype=t.float64)),
            "above_f32": repr(t.tensor([100000008.0, 5.0e7])),
            "ratio_exactly_1000": repr(t.tensor([1000.0, 1.0])), "ratio_above_1000": repr(t.tensor([1000.5, 1.0]))}


@scenario("printing.large_tensors_with_zeros_and_nonfinite",
          "In tensors of many elements zeros, nan and inf take no part in choosing the format",
          torch_docs(REPR, "the formatter looks at the nonzero finite values only"))
def _(t, ctx):
    zeros = t.zeros(80)
    zeros[5] = 2.5
    nonfinite = t.arange(1.0, 81.0)
    nonfinite[3] = float("inf")
    nonfinite[7] = float("nan")
    nonfinite[9] = 0.0
    return {"arange_100": repr(t.arange(100.0)), "mostly_zero": repr(zeros), "nonfinite": repr(nonfinite),
            "all_zero": repr(t.zeros(70)), "tiny_and_zero": repr(t.cat([t.zeros(70), t.tensor([1e-5, 0.5])]))}


# --------------------------------------------------------------------------------------------- dtypes
@scenario("dtypes.integer_promotion_table", "uint8 with int8 promotes to int16; with wider signed ints to those",
          torch_docs("Tensor Attributes: Type promotion", "torch.promote_types of the integer dtypes"))
def _(t, ctx):
    names = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")
    dtypes = [getattr(t, n) for n in names]
    table = {f"{a}+{b}": repr(t.promote_types(da, db)) for a, da in zip(names, dtypes) for b, db in zip(names, dtypes)}
    u = t.tensor([200, 3], dtype=t.uint8)
    return {"promote_types": table, "uint8_plus_int8": u + t.tensor([-1, 5], dtype=t.int8),
            "uint8_times_int32": u * t.tensor([2, 3], dtype=t.int32),
            "result_type": repr(t.result_type(u, t.tensor([1], dtype=t.int8)))}


@scenario("dtypes.legacy_type_names", "Tensor.type() names each dtype's legacy class: torch.ByteTensor, ...",
          torch_docs("torch.Tensor.type", "returns the type if dtype is not provided"))
def _(t, ctx):
    names = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")
    x = t.tensor([1, 0])
    return {"type": {n: x.to(getattr(t, n)).type() for n in names}, "typename": t.typename(x.to(t.uint8)),
            "is_floating_point": {n: getattr(t, n).is_floating_point for n in names}}


@scenario("errors.grad_assignment_small_int_dtypes", "Assigning an int16 or uint8 .grad names 'short int' / 'unsigned char'",
          torch_test("test/test_autograd.py::TestAutograd::test_leaf_assignment", "the grad setter checks the dtype"))
def _(t, ctx):
    x = t.tensor([0.5, 1.5], requires_grad=True)
    return {"int16": ctx.capture(setattr, x, "grad", t.ones(2, dtype=t.int16)),
            "uint8": ctx.capture(setattr, x, "grad", t.ones(2, dtype=t.uint8)),
            "int8": ctx.capture(setattr, x, "grad", t.ones(2, dtype=t.int8)), "grad": x.grad}


# --------------------------------------------------------------------------------------------- tensor
@scenario("tensor.index_conversion", "One-element integer tensors work as list indices; others raise TypeError",
          torch_docs("torch.Tensor.__index__", "only integer tensors of a single element can be converted to an index"))
def _(t, ctx):
    items = [10, 20, 30, 40]
    return {"zero_dim": items[t.tensor(1)], "one_element": items[t.tensor([2])],
            "nested": operator.index(t.tensor([[3]], dtype=t.uint8)),
            "two_elements": ctx.capture(operator.index, t.tensor([0, 1])),
            "float": ctx.capture(operator.index, t.tensor(1.0)),
            "empty": ctx.capture(operator.index, t.tensor([], dtype=t.int64)),
            "range": list(range(t.tensor(3)))}


@scenario("tensor.strides", "stride() gives element (not byte) strides as ints; transposes and slices change them",
          torch_docs("torch.Tensor.stride", "returns the stride of self tensor"))
def _(t, ctx):
    x = t.ones(2, 3)
    d = t.ones(4, 6, dtype=t.float64)
    return {"contiguous": repr(x.stride()), "dim0": repr(x.stride(0)), "last": repr(x.stride(-1)),
            "transposed": repr(x.t().stride()), "sliced": repr(d[::2, 1::3].stride()),
            "int16": repr(t.ones(3, 5, dtype=t.int16).stride()), "scalar": repr(t.tensor(1.0).stride())}


@scenario("tensor.cpu_device", "x.device is device(type='cpu'): equal to torch.device('cpu'), not to the string",
          torch_docs(ATTRS + ": torch.device", "a torch.device is constructed from a string"))
def _(t, ctx):
    d = t.ones(2).device
    cpu = t.device("cpu")
    return {"repr": repr(d), "str": str(d), "type": d.type, "index": d.index, "made": repr(cpu),
            "equal": d == cpu, "not_equal": d != cpu, "equal_str": d == "cpu", "not_equal_str": d != "cpu",
            "same_hash": hash(d) == hash(cpu), "as_key": {cpu: "found"}[d], "in_set": len({d, cpu})}


@scenario("tensor.instance_dict", "A fresh tensor's __dict__ is empty; attributes set by the user land in it",
          torch_docs("torch.Tensor", "tensors are Python objects that accept attributes"))
def _(t, ctx):
    x = t.ones(2)
    fresh = sorted(vars(x))
    x.tag = "weights"
    y = t.tensor([1.0], requires_grad=True) * 2
    return {"fresh": fresh, "tagged": sorted(vars(x)), "tag": x.tag, "op_result": sorted(vars(y))}


@scenario("tensor.inference_mode_factories", "Factories called under inference_mode make inference tensors",
          torch_docs("torch.inference_mode", "tensors created in inference mode are inference tensors"))
def _(t, ctx):
    with t.inference_mode():
        made = {"zeros": t.zeros(3), "ones": t.ones(2), "arange": t.arange(3), "tensor": t.tensor([1.5]),
                "full": t.full((2,), 0.5), "empty_like": t.zeros_like(t.ones(2))}
    outside = t.zeros(2)
    flags = {name: x.is_inference() for name, x in made.items()}
    return {"inference": flags, "outside": outside.is_inference(),
            "requires_grad_error": ctx.capture(made["zeros"].requires_grad_)}


@scenario("tensor.device_from_a_device", "torch.device(torch.device('cpu')) is a copy: equal, same str and type",
          torch_docs("torch.device", "a torch.device can be constructed from another device"))
def _(t, ctx):
    copy = t.device(t.device("cpu"))
    return {"str": str(copy), "type": copy.type, "index": copy.index, "equal": copy == t.device("cpu"),
            "tensor": t.zeros(1, device=copy).device}
