"""Tensor printing that reproduces ``repr(torch.Tensor)`` byte for byte.

The algorithm follows torch's ``torch/_tensor_str.py``: one formatter is chosen
for the whole tensor (from the summarised data when the tensor is large), every
element is padded to that formatter's width, rows wrap at ``linewidth`` and
nested dimensions are indented under the opening ``tensor(``.
"""
from __future__ import annotations

import contextlib
import math

import numpy as np

from . import _behaviour, _dtypes

_DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80}
_PROFILES = {
    "default": _DEFAULTS,
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}

# Key order matches torch.get_printoptions() (a dataclass turned into a dict).
_OPTS = {**_DEFAULTS, "sci_mode": None}

# Up to this many values the formatter works on Python floats (cheaper than a
# string of NumPy calls); above it, NumPy reductions keep large tensors fast.
_SMALL = 64


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """Set options for printing, with torch's semantics.

    ``profile`` ("default", "short" or "full") is applied first and the other
    arguments override it; like torch, ``sci_mode`` is always overwritten (so
    any call without it returns to automatic scientific notation).
    """
    if profile is not None and profile in _PROFILES:  # torch ignores unknown profiles
        _OPTS.update(_PROFILES[profile])
    for key, value in (("precision", precision), ("threshold", threshold),
                       ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            _OPTS[key] = value
    _OPTS["sci_mode"] = sci_mode


def get_printoptions() -> dict:
    """The current options, as keyword arguments for :func:`set_printoptions`."""
    return dict(_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (same arguments as set_printoptions)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# --------------------------------------------------------------------------
# Element formatter
# --------------------------------------------------------------------------

class _Formatter:
    """Formats single elements to a common width (torch's ``_Formatter``)."""

    __slots__ = ("floating", "int_mode", "sci_mode", "width", "precision")

    def __init__(self, floating, int_mode=True, sci_mode=False, width=1, precision=4):
        self.floating = floating
        self.int_mode = int_mode
        self.sci_mode = sci_mode
        self.width = width
        self.precision = precision

    def format(self, value) -> str:
        if not self.floating:
            ret = str(value)
        elif self.sci_mode:
            ret = f"{value:{self.width}.{self.precision}e}"
        elif self.int_mode:
            ret = f"{value:.0f}"
            if math.isfinite(value):  # the trailing dot marks a float dtype
                ret += "."
        else:
            ret = f"{value:.{self.precision}f}"
        return ret.rjust(self.width)


def _integer_formatter(flat: np.ndarray) -> _Formatter:
    """Width of the longest ``str(value)``; ints/bools print as Python does."""
    if flat.size == 0:
        return _Formatter(False)
    if flat.size <= _SMALL:
        candidates = flat.tolist()
    else:
        # str() length is largest at one of the extremes (True/False for bool).
        candidates = (flat.min().item(), flat.max().item())
    return _Formatter(False, width=max(1, *(len(str(v)) for v in candidates)))


def _float_formatter(flat: np.ndarray) -> _Formatter:
    """Choose int/fixed/scientific mode and the width from nonzero finite values.

    Zeros, nan and inf never take part, exactly as in torch (they may then be
    wider than ``width`` and are simply not padded).  torch does the checks on
    doubles; converting float16/float32 to Python floats is exact, so the same
    decisions and digits come out.
    """
    precision = _OPTS["precision"]
    forced_sci = _OPTS["sci_mode"]
    if flat.size <= _SMALL:
        vals = [v for v in flat.tolist() if v != 0.0 and math.isfinite(v)]
        if not vals:
            return _Formatter(True, precision=precision)
        abs_vals = [abs(v) for v in vals]
        lo, hi = min(abs_vals), max(abs_vals)
        int_mode = all(v.is_integer() for v in vals)
        candidates = vals
    else:
        arr = flat[np.isfinite(flat) & (flat != 0)]
        if arr.size == 0:
            return _Formatter(True, precision=precision)
        abs_arr = np.abs(arr)
        lo, hi = float(abs_arr.min()), float(abs_arr.max())
        int_mode = bool(np.all(arr == np.ceil(arr)))
        # Fixed-point width grows with |x|; scientific width is largest at the
        # smallest or the largest |x| (3-digit exponents).  So per sign only the
        # extremes can be the widest, and we never format every element.
        candidates = []
        for part in (arr[arr > 0], arr[arr < 0]):
            if part.size:
                candidates += [float(part.min()), float(part.max())]

    automatic = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
    sci_mode = automatic if forced_sci is None else forced_sci
    # Up to torch 2.8 the width follows the automatic choice even when sci_mode is forced.
    width_sci = automatic if _behaviour.value("printing.width_ignores_forced_sci_mode") else sci_mode

    if width_sci:
        width = max(len(f"{v:.{precision}e}") for v in candidates)
    elif int_mode:
        width = max(len(f"{v:.0f}") for v in candidates) + 1  # room for the "."
    else:
        width = max(len(f"{v:.{precision}f}") for v in candidates)
    return _Formatter(True, int_mode, sci_mode, max(1, width), precision)


def _summarized(a: np.ndarray, edgeitems: int) -> np.ndarray:
    """The elements a summarised print shows (torch's ``get_summarized_data``)."""
    if a.ndim == 0:
        return a
    if a.ndim >= 2 and not edgeitems:
        return a[(slice(0, 0),) * a.ndim]
    for axis in range(a.ndim):
        if a.shape[axis] > 2 * edgeitems:
            # Same slices as torch; note a[-0:] is the whole axis (matters only for 1-D).
            head = a[(slice(None),) * axis + (slice(None, edgeitems),)]
            tail = a[(slice(None),) * axis + (slice(-edgeitems, None),)]
            a = np.concatenate((head, tail), axis=axis)
    return a


# --------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------

def _vector_str(a, indent, summarize, fmt, opts) -> str:
    edgeitems = opts["edgeitems"]
    # Each element takes its width plus ", ".
    per_line = max(1, math.floor((opts["linewidth"] - indent) / (fmt.width + 2)))
    if summarize and not edgeitems and _behaviour.value("printing.edgeitems_zero_size_suffix"):
        data = ["..."]
    elif summarize and a.shape[0] > 2 * edgeitems:
        data = ([fmt.format(v) for v in a[:edgeitems].tolist()] + [" ..."]
                + [fmt.format(v) for v in a[-edgeitems:].tolist()])
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _array_str(a, indent, summarize, fmt, opts) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt, opts)
    edgeitems = opts["edgeitems"]
    n = a.shape[0]
    if summarize and n > 2 * edgeitems:
        rows = ([_array_str(a[i], indent + 1, summarize, fmt, opts) for i in range(edgeitems)]
                + ["..."]
                + [_array_str(a[i], indent + 1, summarize, fmt, opts) for i in range(n - edgeitems, n)])
    else:
        rows = [_array_str(a[i], indent + 1, summarize, fmt, opts) for i in range(n)]
    # Blank lines between blocks grow with the depth of the block.
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _add_suffixes(text, suffixes, indent, linewidth) -> str:
    parts = [text]
    # torch's own measure of the last line (two more than its real length).
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(data: np.ndarray, dtype, *, requires_grad: bool = False, grad_fn_name: str | None = None) -> str:
    """Exactly what ``repr(t)`` shows for a torch CPU tensor with these values."""
    a = np.asarray(data)
    if a.dtype != dtype.numpy:
        a = a.astype(dtype.numpy)
    opts = _OPTS
    prefix = "tensor("
    indent = len(prefix)
    default_dtype = _dtypes.get_default_dtype()
    suffixes = []

    if a.size == 0:
        # Nothing shows the shape or the dtype, so both are spelled out
        # (the shape only when it is not the plain (0,)).
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype is not default_dtype:
            suffixes.append(f"dtype={dtype!r}")
        body = "[]"
    else:
        if not opts["edgeitems"] and _behaviour.value("printing.edgeitems_zero_size_suffix"):
            suffixes.append(f"size={tuple(a.shape)}")
        # float default, int64 and bool are recognisable from the digits alone.
        if dtype is not default_dtype and dtype is not _dtypes.int64 and dtype is not _dtypes.bool:
            suffixes.append(f"dtype={dtype!r}")
        summarize = a.size > opts["threshold"]
        shown = _summarized(a, opts["edgeitems"]) if summarize else a
        flat = shown.reshape(-1)
        fmt = _float_formatter(flat) if dtype.is_floating_point else _integer_formatter(flat)
        body = _array_str(a, indent, summarize, fmt, opts)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent, opts["linewidth"])
