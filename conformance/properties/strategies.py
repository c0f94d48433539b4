"""Hypothesis strategies for leaves and programs.

A program is built step by step by *builders*: small functions that look at
what exists so far (a ``Var`` per value: shape, dtype, which leaves its
gradient reaches, a bound on its magnitude, whether it is a view) and append
one or a few steps. The tracking is an estimate: a program it gets wrong is
still valid (the error is observed on both sides), just less useful.

Numbers are kept where both sides compute the same thing to the last bits or
close: leaf values on a 1/8 grid (exact in float32, with ties and zeros, which
max/min/relu/abs conventions need) or plain float32s; log/sqrt/div/pow inputs
are guarded with ``abs(x) + 0.5`` steps; an op whose result could exceed
``LIMIT`` in magnitude is not drawn (no overflow, no amplified rounding).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from hypothesis import strategies as st

from .programs import DTYPES, Leaf, Program, Step

LIMIT = 1e3
GRID = tuple(sorted({k / 8 for k in range(-24, 25)}, key=lambda v: (abs(v - 1.0), v)))  # 1.0 first: shrinks there
SCALARS = (2.0, 0.5, -1.5, 3.0, -1.0, 0.25)
EXPONENTS = (2.0, 3.0, 0.5, -1.0, 1.5, -0.5)
SIDES = (2, 1, 3)
MAX_NDIM = 4


def rarely(draw, one_in: int = 8) -> bool:
    """A boolean that is True about once in ``one_in`` draws (and shrinks to False)."""
    return draw(st.integers(0, one_in - 1)) == one_in - 1


# ------------------------------------------------------------------ shapes and leaves
@st.composite
def base_shapes(draw, max_ndim: int = MAX_NDIM, empty: bool = True):
    """0-d to 4-d, sides 1-3, now and then a size-0 dim (if ``empty``)."""
    ndim = draw(st.integers(0, max_ndim))
    shape = [draw(st.sampled_from(SIDES)) for _ in range(ndim)]
    if empty and ndim and rarely(draw, 10):
        shape[draw(st.integers(0, ndim - 1))] = 0
    return tuple(shape)


@st.composite
def broadcast_variant(draw, base: tuple):
    """A shape that broadcasts with ``base``: a suffix of it, some dims replaced by 1."""
    drop = draw(st.integers(0, len(base)))
    return tuple(1 if rarely(draw, 3) else side for side in base[drop:])


@st.composite
def leaf_values(draw, count: int, grid_only: bool = False, avoid_grid: bool = False):
    if avoid_grid:  # the numerical oracle: away from ties and kinks at 0
        value = st.floats(0.0625, 2.0, width=32).flatmap(lambda v: st.sampled_from((v, -v)))
    elif grid_only:
        value = st.sampled_from(GRID)
    else:
        value = st.one_of(st.sampled_from(GRID), st.floats(-3.0, 3.0, width=32))
    return tuple(draw(st.lists(value, min_size=count, max_size=count)))


@st.composite
def leaves(draw, shape: tuple, dtype: str, requires_grad: bool, avoid_grid: bool = False):
    return Leaf(shape, dtype, draw(leaf_values(math.prod(shape), avoid_grid=avoid_grid)), requires_grad)


# ------------------------------------------------------------------ generation state
@dataclass
class Var:
    """What generation assumes about a value."""

    shape: tuple
    dtype: str  # float32 | float64 | int64 | other (optimizer, possibly-None gradient: unusable)
    grads_to: frozenset = frozenset()  # leaves a backward from this value reaches: empty = no grad
    leaf: bool = True
    bound: float = 3.0  # |value| <= bound
    contiguous: bool = True
    base: int | None = None  # root of the tensor this is a view of
    multi_view: bool = False  # an output of unbind/split/chunk
    no_grad_view: bool = False  # a view made under no_grad of a tensor that requires grad
    # abs in its history: a double backward through abs gives torch's _efficientzerotensor (a ZeroTensor:
    # unallocated, tolist() raises), which reference_impl does not model; generation avoids create_graph then
    through_abs: bool = False
    # returned by autograd.grad without create_graph: torch may return a view made by backward (under
    # no_grad, e.g. an expand), so an in-place op with an operand that requires grad is its "view created
    # in no_grad mode" error; reference_impl's gradients carry no view metadata: not generated (README)
    from_backward: bool = False

    @property
    def is_float(self) -> bool:
        return self.dtype in DTYPES

    @property
    def requires_grad(self) -> bool:
        return bool(self.grads_to)

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


@dataclass
class Gen:
    """A program under construction: its leaves, steps and a Var per value."""

    focus: str
    leaves: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    vars: list = field(default_factory=list)
    hook_ids: int = 0
    no_grad_allowed: bool = False

    def program(self) -> Program:
        return Program(tuple(self.leaves), tuple(self.steps))

    def add_leaf(self, leaf: Leaf) -> int:
        index = len(self.vars)
        self.leaves.append(leaf)
        self.vars.append(_leaf_var(leaf, index))
        return index

    def emit(self, step: Step, *outs: Var) -> list:
        """Append a step and the Vars of the values it defines; returns their indices."""
        if step.no_grad:
            outs = tuple(replace(v, grads_to=frozenset(), leaf=True) for v in outs)
        start = len(self.vars)
        self.steps.append(replace(step, outputs=len(outs)))
        self.vars.extend(outs)
        return list(range(start, start + len(outs)))

    def pick(self, draw, accept=lambda v: True):
        """An existing value satisfying ``accept`` (the latest first, so shrinking favours chains)."""
        candidates = [i for i in reversed(range(len(self.vars))) if accept(self.vars[i])]
        return draw(st.sampled_from(candidates)) if candidates else None

    def new_tensor(self, draw, shape: tuple, dtype: str, requires_grad: bool | None = None) -> int:
        if requires_grad is None:
            requires_grad = draw(st.booleans())
        leaf = draw(leaves(tuple(shape), dtype, requires_grad, avoid_grid=self.focus == "smooth"))
        index = len(self.vars)
        self.emit(Step("tensor", (), leaf.as_json()), _leaf_var(leaf, index))
        return index

    def no_grad(self, draw) -> bool:
        return self.no_grad_allowed and rarely(draw, 6)

    def next_hook_id(self) -> int:
        self.hook_ids += 1
        return self.hook_ids


def _leaf_var(leaf: Leaf, index: int) -> Var:
    bound = max((abs(v) for v in leaf.values), default=0.0)
    return Var(leaf.shape, leaf.dtype, frozenset({index}) if leaf.requires_grad else frozenset(), True, bound)


def _derived(inputs, shape, dtype=None, bound=None, **extra) -> Var:
    """A value computed from ``inputs`` (Vars): gradient reaches what theirs reached."""
    grads = frozenset().union(*(v.grads_to for v in inputs))
    dtype = dtype or ("float64" if any(v.dtype == "float64" for v in inputs) else "float32")
    extra.setdefault("through_abs", any(v.through_abs for v in inputs))
    return Var(tuple(shape), dtype, grads, not grads, max(v.bound for v in inputs) if bound is None else bound,
               **extra)


def _floats(v: Var) -> bool:
    return v.is_float


def _broadcast(*shapes):
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None


def guard_positive(gen: Gen, index: int) -> int:
    """abs(x) + 0.5 (or x * x + 0.5 where second derivatives are drawn, see Var.through_abs): away from
    the singular points of log, sqrt, division and fractional powers."""
    v = gen.vars[index]
    if gen.focus in HIGHER_ORDER:
        (positive,) = gen.emit(Step("mul", (index, index)), _derived([v], v.shape, bound=v.bound * v.bound))
    else:
        (positive,) = gen.emit(Step("abs", (index,)), _derived([v], v.shape, through_abs=True))
    (shifted,) = gen.emit(Step("scalar", (positive,), {"operator": "+", "value": 0.5, "reflected": False}),
                          _derived([gen.vars[positive]], v.shape, bound=gen.vars[positive].bound + 0.5))
    return shifted


def _partner(draw, gen: Gen, a: int, same_shape: bool = False):
    """A second operand for ``a``: an existing value it broadcasts with (often ``a`` itself), or a new tensor."""
    shape = gen.vars[a].shape

    def fits(v):
        return v.is_float and (v.shape == shape if same_shape else _broadcast(v.shape, shape) is not None)

    if rarely(draw, 3):
        new_shape = shape if same_shape else draw(broadcast_variant(shape))
        dtype = gen.vars[a].dtype if not rarely(draw, 5) else draw(st.sampled_from(DTYPES))
        return gen.new_tensor(draw, new_shape, dtype)
    return gen.pick(draw, fits)


# ------------------------------------------------------------------ builders: pointwise
UNARY_BOUNDS = {"exp": lambda b: math.exp(b), "sin": lambda b: 1.0, "cos": lambda b: 1.0, "tanh": lambda b: 1.0,
                "sigmoid": lambda b: 1.0, "relu": lambda b: b, "abs": lambda b: b, "neg": lambda b: b,
                "log": lambda b: max(1.0, math.log(b + 0.5)), "sqrt": lambda b: math.sqrt(b + 0.5)}


def unary(draw, gen: Gen):
    a = gen.pick(draw, _floats)
    if a is None:
        return
    op = draw(st.sampled_from(tuple(UNARY_BOUNDS)))
    if op == "exp" and gen.vars[a].bound > 5:
        op = "tanh"
    if op in ("sin", "cos") and gen.vars[a].bound > 8:
        op = "tanh"  # sin/cos of a large float32 argument: its last bits decide the result's leading ones
    if op in ("log", "sqrt"):
        a = guard_positive(gen, a)
    v = gen.vars[a]
    gen.emit(Step(op, (a,), no_grad=gen.no_grad(draw)), _derived([v], v.shape, bound=UNARY_BOUNDS[op](v.bound),
                                                                 through_abs=v.through_abs or op == "abs"))


def clamp(draw, gen: Gen):
    a = gen.pick(draw, _floats)
    if a is None:
        return
    low, high = sorted(draw(st.lists(st.sampled_from(GRID), min_size=2, max_size=2)))
    which = draw(st.sampled_from(("both", "min", "max")))
    params = {"min": low if which != "max" else None, "max": high if which != "min" else None}
    v = gen.vars[a]
    gen.emit(Step("clamp", (a,), params, no_grad=gen.no_grad(draw)), _derived([v], v.shape))


def binary(draw, gen: Gen):
    a = gen.pick(draw, _floats)
    if a is None:
        return
    op = draw(st.sampled_from(("add", "mul", "sub", "div", "pow")))
    b = _partner(draw, gen, a)
    if b is None:
        return
    if op == "div":
        b = guard_positive(gen, b)
    if op == "pow":
        if gen.vars[b].bound > 3:
            return
        a = guard_positive(gen, a)
    va, vb = gen.vars[a], gen.vars[b]
    bound = _binary_bound(op, va.bound, vb.bound)
    if bound > LIMIT:
        return
    gen.emit(Step(op, (a, b), no_grad=gen.no_grad(draw)), _derived([va, vb], _broadcast(va.shape, vb.shape),
                                                                   bound=bound))


def _binary_bound(op, a, b) -> float:
    if op in ("add", "sub"):
        return a + b
    if op == "mul":
        return a * b
    if op == "div":
        return a / 0.5
    try:  # pow: a guarded base (>= 0.5) to an exponent in [-b, b]
        return max(a ** b, 0.5 ** -b)
    except OverflowError:
        return math.inf


def scalar(draw, gen: Gen):
    """x op c or c op x with a Python number (AddBackward1, RsubBackward1, PowBackward0/2, ...)."""
    a = gen.pick(draw, _floats)
    if a is None:
        return
    operator = draw(st.sampled_from(("*", "+", "-", "/", "**")))
    reflected = draw(st.booleans())
    value = draw(st.sampled_from(SCALARS))
    if operator == "**":
        if reflected:
            value = abs(value)  # c ** x for c > 0
        else:
            value = draw(st.sampled_from(EXPONENTS))
            if value not in (2.0, 3.0):
                a = guard_positive(gen, a)
    elif operator == "/" and reflected:
        a = guard_positive(gen, a)
    v = gen.vars[a]
    if operator in ("+", "-"):
        bound = v.bound + abs(value)
    elif operator == "*":
        bound = v.bound * abs(value)
    elif operator == "/":
        bound = abs(value) / 0.5 if reflected else v.bound / abs(value)
    elif reflected:
        bound = max(value, 1 / value) ** min(v.bound, 100.0)
    else:
        bound = max((v.bound + 0.5) ** value, 0.5 ** value)
    if bound > LIMIT:
        return
    gen.emit(Step("scalar", (a,), {"operator": operator, "value": value, "reflected": reflected},
                  no_grad=gen.no_grad(draw)), _derived([v], v.shape, bound=bound))


# ------------------------------------------------------------------ builders: reductions and linear algebra
def reduce(draw, gen: Gen):
    a = gen.pick(draw, _floats)
    if a is None:
        return
    v = gen.vars[a]
    op = draw(st.sampled_from(("sum", "mean", "max", "min")))
    ndim = len(v.shape)
    dims = list(range(-max(ndim, 1), max(ndim, 1)))
    choice = draw(st.sampled_from(("all", "dim", "dims") if op in ("sum", "mean") and ndim >= 2 else ("all", "dim")))
    keepdim = draw(st.booleans())
    if choice == "all":
        if op in ("max", "min") and v.numel == 0:
            return
        reduced, params = v.numel, {"dim": None}
        shape = ()
    else:
        if choice == "dim":
            dim = draw(st.sampled_from(dims))
            axes = (dim % ndim,) if ndim else ()
            params = {"dim": dim, "keepdim": keepdim}
        else:
            picked = sorted(set(draw(st.lists(st.sampled_from(range(ndim)), min_size=1, max_size=ndim))))
            axes, params = tuple(picked), {"dim": picked, "keepdim": keepdim}
        if op in ("max", "min") and (v.numel == 0 or any(v.shape[d] == 0 for d in axes)):
            return
        reduced = math.prod(v.shape[d] for d in axes)
        shape = tuple(1 if i in axes else s for i, s in enumerate(v.shape)) if keepdim else \
            tuple(s for i, s in enumerate(v.shape) if i not in axes)
    bound = v.bound * max(reduced, 1) if op == "sum" else v.bound
    if bound > LIMIT:
        return
    step = Step(op, (a,), params, no_grad=gen.no_grad(draw))
    if op in ("max", "min") and params["dim"] is not None:
        gen.emit(step, _derived([v], shape, bound=bound), Var(shape, "int64"))
    else:
        gen.emit(step, _derived([v], shape, bound=bound))


def matmul(draw, gen: Gen):
    """a @ b for 1-d to 4-d a, partner shapes that work (vector, matrix, broadcast batch); or mm."""
    a = gen.pick(draw, lambda v: v.is_float and 1 <= len(v.shape) <= 4)
    if a is None:
        return
    va = gen.vars[a]
    k = va.shape[-1]
    n = draw(st.sampled_from(SIDES))
    if len(va.shape) == 2 and rarely(draw, 3):
        op, shape = "mm", (k, n)
    else:
        op = "matmul"
        kind = draw(st.sampled_from(("matrix", "vector", "batch")))
        if kind == "vector":
            shape = (k,)
        elif kind == "matrix":
            shape = (k, n)
        else:
            batch = va.shape[:-2] if len(va.shape) > 2 else (draw(st.sampled_from(SIDES)),)
            shape = tuple(1 if rarely(draw, 3) else s for s in batch) + (k, n)
    b = gen.pick(draw, lambda v: v.is_float and v.shape == shape) if not rarely(draw, 2) else None
    if b is None:
        b = gen.new_tensor(draw, shape, va.dtype if not rarely(draw, 5) else draw(st.sampled_from(DTYPES)))
    vb = gen.vars[b]
    if va.dtype != vb.dtype and (va.numel == 0 or vb.numel == 0):
        return  # torch multiplies empty operands of mixed dtypes without its dtype check: not modelled
    if op == "mm" and va.dtype != vb.dtype:
        return  # mm does not promote: an error both sides show, but not worth a program
    bound = va.bound * vb.bound * max(k, 1)
    if bound > LIMIT:
        return
    out_shape = np.matmul(np.zeros(va.shape), np.zeros(vb.shape)).shape
    gen.emit(Step(op, (a, b), no_grad=gen.no_grad(draw)), _derived([va, vb], out_shape, bound=bound))


# ------------------------------------------------------------------ builders: views and joins
def reshape_targets(shape: tuple) -> list:
    """Shapes with the same number of elements: flat, with a 1 inserted, dims merged or reversed, -1 used."""
    numel = math.prod(shape)
    targets = [(numel,), shape + (1,), (1,) + shape, tuple(reversed(shape)), (-1,)]
    if len(shape) >= 2:
        targets.append(shape[:-2] + (shape[-2] * shape[-1],))
        targets.append((shape[0], -1))
    if numel == 1:
        targets.append(())
    for side in (2, 3):
        if numel and numel % side == 0 and numel // side > 1:
            targets.append((side, numel // side))
    return [t for t in dict.fromkeys(targets) if len(t) <= MAX_NDIM + 1]


def _view_var(gen: Gen, a: int, shape, no_grad: bool, contiguous: bool = False, multi: bool = False) -> Var:
    v = gen.vars[a]
    root = v.base if v.base is not None else a
    return replace(v, shape=tuple(shape), leaf=not v.grads_to, base=root, contiguous=contiguous and v.contiguous,
                   multi_view=multi, no_grad_view=v.no_grad_view or (no_grad and v.requires_grad))


def view(draw, gen: Gen):
    a = gen.pick(draw, _floats)
    if a is None:
        return
    v = gen.vars[a]
    ndim = len(v.shape)
    options = ["reshape", "unsqueeze", "expand", "index", "squeeze"]
    if v.contiguous:
        options.append("view")
    if ndim <= 2:
        options.append("t")
    if ndim >= 1:
        options.append("transpose")
    op = draw(st.sampled_from(options))
    no_grad = gen.no_grad(draw)
    params, contiguous = {}, False
    if op in ("view", "reshape"):
        target = draw(st.sampled_from(reshape_targets(v.shape)))
        if -1 in target and v.numel == 0:
            return
        params = {"shape": list(target)}
        shape = np.empty(v.shape).reshape(target).shape
        contiguous = True
    elif op == "t":
        shape = tuple(reversed(v.shape))
    elif op == "transpose":
        d0, d1 = draw(st.sampled_from(range(-ndim, ndim))), draw(st.sampled_from(range(-ndim, ndim)))
        params = {"dim0": d0, "dim1": d1}
        shape = np.swapaxes(np.empty(v.shape), d0, d1).shape
    elif op == "squeeze":
        dim = draw(st.sampled_from((None,) + tuple(range(-ndim, ndim)))) if ndim else None
        params = {"dim": dim}
        shape = np.empty(v.shape).squeeze(None if dim is None else (dim if v.shape[dim] == 1 else ())).shape
        contiguous = True
    elif op == "unsqueeze":
        if ndim >= MAX_NDIM + 1:
            return
        dim = draw(st.sampled_from(range(-ndim - 1, ndim + 1)))
        params = {"dim": dim}
        shape = np.expand_dims(np.empty(v.shape), dim).shape
        contiguous = True
    elif op == "expand":
        lead = (draw(st.sampled_from(SIDES)),) if ndim < MAX_NDIM and rarely(draw, 3) else ()
        target = lead + tuple(draw(st.sampled_from((1, 2, 3))) if s == 1 else (-1 if rarely(draw, 3) else s)
                              for s in v.shape)
        params = {"shape": list(target)}
        shape = lead + tuple(s if t == -1 else t for s, t in zip(v.shape, target[len(lead):]))
    else:
        key = draw(index_keys(v.shape))
        params = {"key": key}
        shape = np.empty(v.shape)[_numpy_key(key)].shape
        if any(isinstance(item, dict) and "index" in item for item in key):  # advanced: a copy, not a view
            gen.emit(Step("index", (a,), params, no_grad=no_grad), _derived([v], shape))
            return
    gen.emit(Step(op, (a,), params, no_grad=no_grad), _view_var(gen, a, shape, no_grad, contiguous))


@st.composite
def index_keys(draw, shape: tuple):
    """Ints, slices, None and one ``...``; or one list (advanced) index with slices, never with ints
    (numpy and torch place the result dims differently when ints and lists mix)."""
    ndim = len(shape)
    count = draw(st.integers(0, min(ndim, 2)))
    ellipsis_at = draw(st.sampled_from((None,) + tuple(range(count + 1))))
    if ellipsis_at is None:
        dims = list(range(count))
    else:
        dims = list(range(ellipsis_at)) + list(range(ndim - (count - ellipsis_at), ndim))
    use_list = rarely(draw, 4)
    items = []
    for position, dim in enumerate(dims):
        if position == ellipsis_at:
            items.append("...")
        size = shape[dim]
        kind = draw(st.sampled_from(("slice", "int") if not use_list else ("slice", "list")))
        if kind == "int" and size:
            items.append(draw(st.integers(-size, size - 1)))
        elif kind == "list" and size and not any(isinstance(i, dict) and "index" in i for i in items):
            items.append({"index": draw(st.lists(st.integers(-size, size - 1), min_size=1, max_size=3))})
        else:
            items.append({"slice": [draw(st.sampled_from((None, 0, 1, -1))), draw(st.sampled_from((None, 2, -1))),
                                    draw(st.sampled_from((1, 2)))]})
    if ellipsis_at == len(dims):
        items.append("...")
    if rarely(draw, 3):
        items.insert(draw(st.integers(0, len(items))), None)
    return items or ["..."]


def _numpy_key(items) -> tuple:
    key = []
    for item in items:
        if item == "...":
            key.append(Ellipsis)
        elif isinstance(item, dict) and "slice" in item:
            key.append(slice(*item["slice"]))
        elif isinstance(item, dict):
            key.append(np.asarray(item["index"]))
        else:
            key.append(item)
    return tuple(key)


def split(draw, gen: Gen):
    """unbind / split / chunk: several outputs sharing one node, each a view."""
    a = gen.pick(draw, lambda v: v.is_float and v.shape and any(0 < s <= 3 for s in v.shape))
    if a is None:
        return
    v = gen.vars[a]
    dim = draw(st.sampled_from([d for d, s in enumerate(v.shape) if 0 < s <= 3]))
    size = v.shape[dim]
    op = draw(st.sampled_from(("unbind", "split", "chunk")))
    if op == "unbind":
        params, sizes = {"dim": dim}, [None] * size
    elif op == "split":
        part = draw(st.sampled_from((1, 2)))
        params, sizes = {"size": part, "dim": dim}, [min(part, size - s) for s in range(0, size, part)]
    else:
        chunks = draw(st.sampled_from((2, 1, 3)))
        part = -(-size // chunks)
        params, sizes = {"chunks": chunks, "dim": dim}, [min(part, size - s) for s in range(0, size, part)]
    no_grad = gen.no_grad(draw)
    outs = []
    for piece in sizes:
        shape = v.shape[:dim] + v.shape[dim + 1:] if piece is None else v.shape[:dim] + (piece,) + v.shape[dim + 1:]
        outs.append(_view_var(gen, a, shape, no_grad, multi=True))
    gen.emit(Step(op, (a,), params, no_grad=no_grad), *outs)


def join(draw, gen: Gen):
    """cat / stack of values with equal shapes (the same value may appear twice)."""
    a = gen.pick(draw, _floats)
    if a is None:
        return
    v = gen.vars[a]
    op = "stack" if not v.shape or draw(st.booleans()) else "cat"
    others = [_partner(draw, gen, a, same_shape=True) for _ in range(draw(st.integers(1, 2)))]
    parts = [a] + [o for o in others if o is not None]
    ndim = len(v.shape)
    dim = draw(st.sampled_from(range(-ndim - 1, ndim + 1) if op == "stack" else range(-ndim, ndim)))
    vs = [gen.vars[p] for p in parts]
    if op == "stack":
        shape = np.stack([np.empty(v.shape)] * len(parts), axis=dim).shape
    else:
        shape = np.concatenate([np.empty(v.shape)] * len(parts), axis=dim).shape
    gen.emit(Step(op, tuple(parts), {"dim": dim}, no_grad=gen.no_grad(draw)), _derived(vs, shape))


def detach(draw, gen: Gen):
    a = gen.pick(draw, _floats)
    if a is None:
        return
    op = draw(st.sampled_from(("detach", "clone")))
    v = gen.vars[a]
    if op == "detach":  # shares data and version counter with a: in-place through it is seen by a's graph
        gen.emit(Step("detach", (a,)), replace(v, grads_to=frozenset(), leaf=True, base=None, multi_view=False,
                                               no_grad_view=False))
    else:
        gen.emit(Step("clone", (a,), no_grad=gen.no_grad(draw)), _derived([v], v.shape))


# ------------------------------------------------------------------ builders: in-place
INPLACE_UNARY = ("relu_", "sigmoid_", "tanh_", "neg_", "zero_", "exp_")
INPLACE_BINARY = ("mul_", "add_", "sub_", "div_")


def inplace(draw, gen: Gen):
    """An in-place op, mostly on a non-leaf; some are errors (leaf, multi-output view, expanded)."""
    leaf_too = rarely(draw, 6)  # an in-place on a leaf that requires grad: an error, now and then
    target = gen.pick(draw, lambda v: v.is_float and (leaf_too or not (v.leaf and v.requires_grad)))
    if target is None:
        return
    v = gen.vars[target]
    method = draw(st.sampled_from(INPLACE_BINARY + INPLACE_UNARY))
    no_grad = gen.no_grad(draw)
    args, params, operand = (target,), {"method": method}, None
    if method in INPLACE_BINARY:
        if draw(st.booleans()):
            params["value"] = draw(st.sampled_from(SCALARS))
        else:
            other = gen.pick(draw, lambda o: o.is_float and _broadcast(o.shape, v.shape) == v.shape
                             and (o.dtype == v.dtype or v.dtype == "float64")
                             and not (v.from_backward and o.requires_grad))
            if other is None:
                return
            if method == "div_":
                other = guard_positive(gen, other)
            args, operand = (target, other), gen.vars[other]
    bound = _inplace_bound(method, v.bound, params.get("value"), operand)
    if bound > LIMIT:
        return
    gen.emit(Step("inplace", args, params, no_grad=no_grad))
    _after_inplace(gen, target, operand, bound, no_grad)


def _inplace_bound(method, bound, value, operand):
    other = operand.bound if operand is not None else abs(value) if value is not None else 0.0
    if method == "mul_":
        return bound * other
    if method in ("add_", "sub_"):
        return bound + other
    if method == "div_":
        return bound / (0.5 if operand is not None else abs(value))
    if method == "exp_":
        return math.exp(bound) if bound <= 5 else math.inf
    return bound if method in ("relu_", "neg_") else max(bound, 1.0) if method != "zero_" else 0.0


def _after_inplace(gen: Gen, target: int, operand, bound, no_grad) -> None:
    """The target (and its base and sibling views) now carry the operand's history and a new bound."""
    v = gen.vars[target]
    root = v.base if v.base is not None else target
    extra = operand.grads_to if operand is not None and not no_grad else frozenset()
    for index, other in enumerate(gen.vars):
        if index == target or index == root or (other.base == root and other.base is not None):
            grads = other.grads_to | extra
            gen.vars[index] = replace(other, grads_to=grads, leaf=other.leaf and not extra,
                                      bound=max(other.bound, bound))


def clobber_saved(draw, gen: Gen):
    """y = x * w (mul saves x), an in-place op on x, then backward through y: torch's version check
    fails (also when the write ran under no_grad: the version counter counts every write)."""
    x = gen.pick(draw, lambda v: v.is_float and not (v.leaf and v.requires_grad))
    if x is None:
        return
    v = gen.vars[x]
    w = gen.new_tensor(draw, draw(broadcast_variant(v.shape)), v.dtype, requires_grad=True)
    (y,) = gen.emit(Step("mul", (x, w)), _derived([v, gen.vars[w]], _broadcast(v.shape, gen.vars[w].shape)))
    method = draw(st.sampled_from(("mul_", "add_", "zero_")))
    params = {"method": method} if method == "zero_" else {"method": method, "value": draw(st.sampled_from(SCALARS))}
    gen.emit(Step("inplace", (x,), params, no_grad=gen.no_grad(draw)))
    backward(draw, gen, root_index=y)


def setitem(draw, gen: Gen):
    """x[key] = c: an in-place copy into a view of x (CopySlices)."""
    target = gen.pick(draw, lambda v: v.is_float and v.shape and v.shape[0] > 0 and not (v.leaf and v.requires_grad))
    if target is None:
        return
    v = gen.vars[target]
    key = [draw(st.integers(-v.shape[0], v.shape[0] - 1))] if draw(st.booleans()) else [{"slice": [0, 1, 1]}]
    value = draw(st.sampled_from(SCALARS))
    gen.emit(Step("setitem", (target,), {"key": key, "value": value}, no_grad=gen.no_grad(draw)))
    _after_inplace(gen, target, None, max(v.bound, abs(value)), False)


# ------------------------------------------------------------------ builders: backward, grad, hooks
def scalar_root(draw, gen: Gen, index: int) -> int:
    """A scalar to differentiate: the value itself if 0-d, else its sum or a weighted sum."""
    v = gen.vars[index]
    if v.shape == () and not rarely(draw, 4):
        return index
    if draw(st.booleans()):
        weights = gen.new_tensor(draw, v.shape, v.dtype, requires_grad=False)
        (index,) = gen.emit(Step("mul", (index, weights)), _derived([v, gen.vars[weights]], v.shape))
        v = gen.vars[index]
    (root,) = gen.emit(Step("sum", (index,), {"dim": None}), _derived([v], (), bound=v.bound * max(v.numel, 1)))
    return root


def backward(draw, gen: Gen, root_index: int | None = None):
    """backward on a scalar, maybe twice (retain_graph or not), maybe with inputs=[...] or create_graph."""
    a = root_index if root_index is not None else gen.pick(draw, lambda v: v.is_float and v.requires_grad)
    if a is None:
        return
    root = scalar_root(draw, gen, a)
    reached = sorted(gen.vars[root].grads_to)
    for _ in range(draw(st.integers(1, 2))):
        params = {"retain_graph": draw(st.sampled_from((None, True, False)))}
        if gen.focus in HIGHER_ORDER and not gen.vars[root].through_abs and rarely(draw, 5):
            params["create_graph"] = True
        inputs = ()
        if reached and rarely(draw, 4):
            inputs = tuple(sorted(set(draw(st.lists(st.sampled_from(reached), min_size=1, max_size=2)))))
        gen.emit(Step("backward", (root,) + inputs, params))


def grad(draw, gen: Gen):
    """autograd.grad on a subset of the leaves, with allow_unused / create_graph / retain_graph."""
    a = gen.pick(draw, lambda v: v.is_float and v.requires_grad)
    if a is None:
        return
    root = scalar_root(draw, gen, a)
    candidates = [i for i, v in enumerate(gen.vars) if v.is_float and v.leaf and v.requires_grad]
    if not candidates:
        return
    inputs = sorted(set(draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=3))))
    reached = gen.vars[root].grads_to
    params = {"allow_unused": draw(st.sampled_from((None, True, False))),
              "create_graph": draw(st.sampled_from((None, True, False))) if not gen.vars[root].through_abs else None,
              "retain_graph": draw(st.sampled_from((None, True)))}
    create = bool(params["create_graph"])
    unused = [i for i in inputs if i not in reached]
    outs = []
    for i in inputs:
        usable = not unused or params["allow_unused"]
        if i in unused or not usable:
            outs.append(Var(gen.vars[i].shape, "other"))
        else:
            outs.append(Var(gen.vars[i].shape, gen.vars[i].dtype, reached if create else frozenset(),
                            leaf=not create, bound=100.0, through_abs=gen.vars[root].through_abs,
                            from_backward=not create))
    made = gen.emit(Step("grad", (root, *inputs), params), *outs)
    if create and rarely(draw, 2):  # second derivative: differentiate the gradient itself
        usable = [m for m in made if gen.vars[m].is_float and gen.vars[m].requires_grad]
        if usable:
            second = scalar_root(draw, gen, draw(st.sampled_from(usable)))
            gen.emit(Step("backward", (second,), {"retain_graph": None}))


def hook(draw, gen: Gen):
    kind = draw(st.sampled_from(("tensor_hook", "tensor_hook", "retain_grad", "post_accumulate_hook",
                                 "node_prehook", "node_hook")))
    if kind in ("tensor_hook",):
        a = gen.pick(draw, lambda v: v.is_float and v.requires_grad)
    elif kind == "post_accumulate_hook":
        a = gen.pick(draw, lambda v: v.is_float and v.requires_grad and v.leaf)
    else:
        a = gen.pick(draw, lambda v: v.is_float and v.requires_grad and not v.leaf)
    if a is None:
        return
    for _ in range(draw(st.integers(1, 2)) if kind == "tensor_hook" else 1):  # two: their order matters
        params = {} if kind == "retain_grad" else {"id": gen.next_hook_id()}
        if kind == "tensor_hook" and rarely(draw, 3):
            params["scale"] = draw(st.sampled_from((2.0, -1.0, 0.5)))
        gen.emit(Step(kind, (a,), params))


def zero_grad(draw, gen: Gen):
    a = gen.pick(draw, lambda v: v.is_float and v.requires_grad and v.leaf)
    if a is None:
        return
    if draw(st.booleans()):
        gen.emit(Step("zero_grad", (a,)))
    else:  # a plain SGD update under no_grad: in place on a leaf that requires grad
        gen.emit(Step("sgd_update", (a,), {"lr": 0.125}, no_grad=True))


def new_tensor(draw, gen: Gen):
    a = gen.pick(draw, _floats)
    shape = draw(broadcast_variant(gen.vars[a].shape)) if a is not None else \
        draw(base_shapes(empty=gen.focus in EMPTY_FOCUS))
    gen.new_tensor(draw, shape, draw(st.sampled_from(DTYPES)))


# ------------------------------------------------------------------ programs
BUILDERS = {"unary": unary, "clamp": clamp, "binary": binary, "scalar": scalar, "reduce": reduce,
            "matmul": matmul, "view": view, "split": split, "join": join, "detach": detach, "inplace": inplace,
            "setitem": setitem, "clobber_saved": clobber_saved, "backward": backward, "grad": grad, "hook": hook,
            "zero_grad": zero_grad, "tensor": new_tensor}

# Each focus: builders with weights (a builder listed n times is drawn n times as often).
FOCUS = {
    "arithmetic": dict(unary=3, binary=4, scalar=3, clamp=1, reduce=3, matmul=2, tensor=1, view=1, backward=2),
    "views": dict(view=5, split=2, join=2, inplace=3, setitem=1, clobber_saved=1, detach=1, binary=2, unary=1,
                  reduce=1, backward=2),
    "backward": dict(binary=3, unary=2, scalar=2, reduce=1, view=1, backward=4, grad=4, zero_grad=2, hook=1,
                     inplace=1, clobber_saved=1),
    "hooks": dict(hook=5, binary=3, unary=2, view=1, split=1, reduce=1, backward=3, grad=2, zero_grad=1),
    "mixed": {name: 1 for name in BUILDERS},
    "smooth": dict(unary=3, binary=4, scalar=3, clamp=1, reduce=2, matmul=2, view=2, split=1, join=1),
}
NO_GRAD_FOCUS = ("views", "mixed")
# Foci with size-0 dims (the _version of an empty tensor's .grad is not compared: see execution.py)
EMPTY_FOCUS = ("arithmetic", "views", "backward", "hooks", "mixed")
HIGHER_ORDER = ("backward", "mixed")  # foci that draw create_graph
FINAL_BACKWARD = ("arithmetic", "views", "hooks", "mixed")


@st.composite
def programs(draw, focus: str = "mixed", max_builders: int = 8):
    """A program emphasising ``focus`` (see FOCUS); most end with a backward."""
    weights = FOCUS[focus]
    menu = tuple(name for name, weight in weights.items() for _ in range(weight))
    gen = Gen(focus, no_grad_allowed=focus in NO_GRAD_FOCUS)
    initial_leaves(draw, gen)
    for _ in range(draw(st.integers(1, max_builders))):
        BUILDERS[draw(st.sampled_from(menu))](draw, gen)
    if focus in FINAL_BACKWARD and not rarely(draw, 5):
        backward(draw, gen)
    return gen.program()


def initial_leaves(draw, gen: Gen, avoid_grid: bool = False) -> None:
    base = draw(base_shapes(empty=gen.focus in EMPTY_FOCUS))
    dtype = draw(st.sampled_from(DTYPES))
    for index in range(draw(st.integers(1, 3))):
        shape = base if index == 0 else draw(broadcast_variant(base))
        leaf_dtype = dtype if not rarely(draw, 5) else draw(st.sampled_from(DTYPES))
        requires_grad = index == 0 or draw(st.sampled_from((True, True, False)))
        gen.add_leaf(draw(leaves(shape, leaf_dtype, requires_grad, avoid_grid=avoid_grid)))


@st.composite
def smooth_programs(draw, max_builders: int = 6):
    """Differentiable programs for the numerical oracle: the last value is a scalar loss
    (a weighted sum of one output), no detach / no_grad / hooks / backward inside."""
    weights = FOCUS["smooth"]
    menu = tuple(name for name, weight in weights.items() for _ in range(weight))
    gen = Gen("smooth")
    initial_leaves(draw, gen, avoid_grid=True)
    for _ in range(draw(st.integers(1, max_builders))):
        BUILDERS[draw(st.sampled_from(menu))](draw, gen)
    out = gen.pick(draw, lambda v: v.is_float and v.requires_grad)
    if out is None:
        return gen.program()
    v = gen.vars[out]
    weights_index = gen.new_tensor(draw, v.shape, v.dtype, requires_grad=False)
    (weighted,) = gen.emit(Step("mul", (out, weights_index)), _derived([v, gen.vars[weights_index]], v.shape))
    gen.emit(Step("sum", (weighted,), {"dim": None}), _derived([gen.vars[weighted]], ()))
    return gen.program()
