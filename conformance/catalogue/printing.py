"""What users see when they print: tensor reprs (requires_grad / grad_fn suffixes, number formatting, dtype
suffixes, layouts, empty / non-finite / large tensors, print options) and reprs of nodes, sizes, dtypes and
return types. Every returned tensor's repr is observed; other reprs are returned as strings."""
from __future__ import annotations

import re

from ..scenario import scenario, seed, torch_docs
from .seeds_basics import S1

REPR = "Tensor printing: torch.set_printoptions"


def _no_address(text: str) -> str:
    """A repr without its object address (which differs between runs)."""
    return re.sub(r"0x[0-9a-fA-F]+", "0x…", text)


@scenario("printing.vector_requires_grad", "A vector leaf prints its values aligned and requires_grad=True",
          seed(S1, "printing a randn(3) leaf: values padded for the minus sign, then requires_grad=True"))
def _(t, ctx):
    x = t.tensor([1.3505, 0.9042, -0.7476], requires_grad=True)
    return {"x": x, "repr": repr(x), "str": str(x), "detached": repr(x.detach())}


@scenario("printing.scalar_and_grad_fn", "0-d tensors print as tensor(v, ...) with requires_grad or grad_fn",
          seed(S1, "the 0-d result of mean() prints its value followed by grad_fn=<MeanBackward0>"))
def _(t, ctx):
    x = t.tensor(1.5, requires_grad=True)
    v = t.tensor([1.5, 2.5, 3.5], requires_grad=True)
    return {"leaf": repr(x), "mul": repr(x * 2), "mean": repr(v.mean()), "add": repr(v + 2),
            "plain": repr(t.tensor(1.5)), "int_item": repr(t.tensor(7))}


@scenario("printing.scientific_notation", "Values spanning a ratio > 1000 print in scientific notation",
          seed(S1, "the gradient of backward(v) with v = [0.1, 1.0, 0.001] prints in e-notation"))
def _(t, ctx):
    g = t.tensor([6.4465e-01, 1.5289e+01, 9.9570e-03])
    return {"g": g, "repr": repr(g)}


@scenario("printing.sci_mode_thresholds", "Scientific notation for large or tiny magnitudes, fixed point otherwise",
          torch_docs(REPR, "sci_mode: None means the default heuristic"))
def _(t, ctx):
    cases = {"huge": [1e10, 1.0], "1e5": [100000.0, 1.0], "tiny": [1e-5, 1.0], "milli": [0.001, 1.0],
             "ratio_lt_1000": [12.5, 0.25], "big_only": [12345.0, 2.5], "all_small": [1e-5, 2e-5]}
    return {k: repr(t.tensor(v)) for k, v in cases.items()}


@scenario("printing.integer_valued_floats", "Integer-valued floats print as '3.'; mixed values get 4 decimals",
          seed(S1, "the accumulated weights.grad of threes prints without decimals"))
def _(t, ctx):
    return {"threes": repr(t.ones(4) * 3), "mixed": repr(t.tensor([1.0, 2.5])), "wide": repr(t.tensor([1.0, 100.0])),
            "negative": repr(t.tensor([-1.0, 2.0])), "grad_fn": repr(t.tensor([1.0, 2.0], requires_grad=True) * 3)}


@scenario("printing.integer_tensors", "int64 prints without dtype, other int dtypes with it; columns right-aligned",
          torch_docs("Tensor Attributes: torch.dtype", "int64 is the default integer dtype"))
def _(t, ctx):
    return {"int64": repr(t.tensor([1, 2, 3])), "int32": repr(t.tensor([1, 2, 3], dtype=t.int32)),
            "wide": repr(t.tensor([100000, -5])), "zero_dim": repr(t.tensor(7)),
            "matrix": repr(t.tensor([[1, -20], [300, 4]])), "uint8": repr(t.tensor([1, 255], dtype=t.uint8))}


@scenario("printing.float64_suffix", "float64 tensors end with dtype=torch.float64 before requires_grad/grad_fn",
          torch_docs("Tensor Attributes: torch.dtype", "float32 is the default floating dtype"))
def _(t, ctx):
    x = t.tensor([1.5, 2.0], dtype=t.float64, requires_grad=True)
    m = t.tensor([[1.5, 2.0], [3.0, 4.0]], dtype=t.float64)
    return {"leaf": repr(x), "op": repr(x * 2), "matrix": repr(m), "scalar": repr(t.tensor(0.5, dtype=t.float64)),
            "half": repr(t.tensor([1.0, 2.0], dtype=t.float16))}


@scenario("printing.bool_tensors", "bool tensors print True/False right-aligned, no dtype suffix",
          torch_docs("Tensor Attributes: torch.dtype", "torch.bool"))
def _(t, ctx):
    x = t.tensor([0.5, -1.0, 2.0])
    return {"vector": repr(x > 0), "matrix": repr(t.tensor([[True, False], [False, True]])),
            "scalar": repr(t.tensor(True))}


@scenario("printing.two_d_three_d_layout", "2-D rows indent under 'tensor([' and 3-D blocks are blank-line separated",
          torch_docs(REPR, "multi-dimensional tensors print as nested brackets"))
def _(t, ctx):
    m = t.tensor([[1.5, -2.0, 3.25], [0.5, 10.0, -0.75]], requires_grad=True)
    cube = t.tensor([[[float(i * 4 + j) for j in range(4)] for i in range(3)],
                     [[float(12 + i * 4 + j) for j in range(4)] for i in range(3)]])
    return {"matrix": repr(m), "matrix_op": repr(m * 2), "cube": repr(cube), "column": repr(t.tensor([[1.0], [2.0]]))}


@scenario("printing.empty_tensors", "Empty tensors print tensor([]) and size=(...) when not 1-D",
          torch_docs(REPR, "tensors with no elements print their size"))
def _(t, ctx):
    return {"empty": repr(t.tensor([])), "requires_grad": repr(t.tensor([], requires_grad=True)),
            "rows": repr(t.zeros(0, 3)), "cols_int": repr(t.zeros(2, 0, dtype=t.int64)),
            "three_d": repr(t.zeros(3, 0, 2)), "float64": repr(t.zeros(0, dtype=t.float64))}


@scenario("printing.nan_inf", "nan and inf print as nan, inf, -inf, aligned with the other values",
          torch_docs(REPR, "non-finite values are printed as nan/inf"))
def _(t, ctx):
    inf = float("inf")
    return {"mixed": repr(t.tensor([float("nan"), inf, -inf, 1.5])), "ints": repr(t.tensor([float("nan"), 1.0, 2.0])),
            "only_inf": repr(t.tensor([inf, -inf]))}


@scenario("printing.large_summarised", "More than 1000 elements print summarised with ... (edgeitems 3)",
          torch_docs(REPR, "threshold: total number of elements which trigger summarization (default 1000)"))
def _(t, ctx):
    return {"fixed": repr(t.arange(1200.0) * 0.5 + 1), "sci": repr(t.arange(1500.0)),
            "ones_1000": repr(t.ones(1000)).count("..."), "ones_1001": repr(t.ones(1001)),
            "matrix": repr(t.arange(2000).reshape(40, 50))}


@scenario("printing.negative_zero", "-0. prints with its sign",
          torch_docs(REPR, "values are formatted with Python's float formatting"))
def _(t, ctx):
    return {"vector": repr(t.tensor([-0.0, 1.0, 0.0])), "scalar": repr(t.tensor(-0.0)),
            "mixed": repr(t.tensor([-0.0, 1.5]))}


@scenario("printing.set_printoptions_precision", "set_printoptions(precision=2) and sci_mode=False change reprs",
          torch_docs(REPR, "precision: number of digits of precision for floating point output"))
def _(t, ctx):
    before = repr(t.tensor([1.2345, 2.5]))
    try:
        t.set_printoptions(precision=2)
        two = {"vector": repr(t.tensor([1.2345, 2.5, 100.125])), "scalar": repr(t.tensor(3.14159)),
               "sci": repr(t.tensor([6.4465e-01, 1.5289e+01, 9.9570e-03]))}
        t.set_printoptions(sci_mode=False)
        fixed = repr(t.tensor([100000.0, 1.0]))
    finally:
        t.set_printoptions(profile="default")
    return {"before": before, "precision_2": two, "sci_off": fixed, "after": repr(t.tensor([1.2345, 2.5])),
            "after_sci": repr(t.tensor([100000.0, 1.0]))}


@scenario("printing.grad_fn_and_accumulate_grad_repr", "repr of a node is <MulBackward0 object at 0x…>",
          torch_docs("Autograd mechanics", "grad_fn objects and AccumulateGrad nodes"))
def _(t, ctx):
    x = t.tensor([1.5, 2.5], requires_grad=True)
    y = x * 2
    acc = y.grad_fn.next_functions[0][0]
    return {"grad_fn": _no_address(repr(y.grad_fn)), "str": _no_address(str(y.grad_fn)),
            "accumulate": _no_address(repr(acc)), "next_functions": _no_address(repr(y.grad_fn.next_functions)),
            "type": type(acc).__name__, "name": acc.name()}


@scenario("printing.size_and_dtype_repr", "torch.Size and dtype reprs: torch.Size([2, 3]), torch.float32",
          torch_docs("Tensor Attributes: torch.dtype", "dtype objects print as torch.<name>"))
def _(t, ctx):
    x = t.zeros(2, 3)
    return {"shape": repr(x.shape), "size": repr(x.size()), "scalar_shape": repr(t.tensor(1.0).shape),
            "str_shape": str(x.shape), "dim": repr(x.size(1)), "is_tuple": isinstance(x.shape, tuple),
            "dtype": repr(x.dtype), "str_dtype": str(t.int64), "bool": repr(t.bool), "double": repr(t.double)}


@scenario("printing.return_types_repr", "max(dim) prints as torch.return_types.max(values=..., indices=...)",
          torch_docs("torch.max", "returns a namedtuple (values, indices)"))
def _(t, ctx):
    x = t.tensor([[1.5, 2.0], [3.0, 4.0]], requires_grad=True)
    return {"max": repr(x.max(1)), "min_keepdim": repr(t.min(x, 0, keepdim=True)), "str": str(x.max(dim=0))}


@scenario("printing.grad_after_backward", "x.grad prints as a plain tensor, x keeps requires_grad=True",
          seed(S1, "after z.backward(), print(x) and print(x.grad)"))
def _(t, ctx):
    x = t.tensor([1.5, 2.5], requires_grad=True)
    (x * x).sum().backward()
    d = t.tensor([0.5], dtype=t.float64, requires_grad=True)
    (d * 3).sum().backward()
    return {"x": repr(x), "grad": repr(x.grad), "float64_grad": repr(d.grad), "none": repr(t.tensor([1.0]).grad)}
