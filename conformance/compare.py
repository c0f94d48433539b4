"""Compare two observations (torch's and an implementation's) into readable diffs.

Names, structure, messages and reprs must match exactly. Floating values match
within torch.testing.assert_close's default tolerances for their dtype (read by
name, so ``dtypes.float`` gets float32's), the dtype text itself is a field of
its own; each comparison records the tolerance it used and the largest error it
saw. A field the implementation could not show (an ``observe.marker``) is not a
difference: it is listed in ``blocked`` with the torch name it lacks.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from .levels import dtype_name
from .observe import is_marker

# torch.testing.assert_close defaults (torch/testing/_comparison.py, default_tolerances).
TOLERANCES = {
    "torch.float16": (1e-3, 1e-5),
    "torch.bfloat16": (1.6e-2, 1e-5),
    "torch.float32": (1.3e-6, 1e-5),
    "torch.float64": (1e-7, 1e-7),
    "float16": (1e-3, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "python float": (1.3e-6, 1e-5),  # Python numbers here come from float32 tensors (item(), tolist())
}


@dataclass
class Diff:
    path: str
    expected: object
    actual: object
    note: str = ""
    level: str = "exact"  # the lowest level whose judgement this difference changes (see levels.py)

    def text(self) -> str:
        note = f" ({self.note})" if self.note else ""
        expected, actual = _around_first_difference(repr(self.expected), repr(self.actual))
        return f"{self.path}: torch {expected} != implementation {actual}{note}"


@dataclass
class Comparison:
    diffs: list = field(default_factory=list)
    blocked: list = field(default_factory=list)  # [{path, name}]: fields the implementation lacks a name for
    tolerance: dict = field(default_factory=dict)  # dtype -> [rtol, atol] used
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0

    @property
    def equal(self) -> bool:
        return not self.diffs

    def as_dict(self) -> dict:
        return {"diffs": [asdict(d) for d in self.diffs], "blocked": self.blocked, "tolerance": self.tolerance,
                "max_abs_error": self.max_abs_error, "max_rel_error": self.max_rel_error}


def _around_first_difference(expected: str, actual: str, limit: int = 160) -> tuple:
    """Both texts cut to about ``limit`` characters around where they first differ, so a long message
    shows the part that differs on each side."""
    if len(expected) <= limit and len(actual) <= limit:
        return expected, actual
    first = next((i for i, (e, a) in enumerate(zip(expected, actual)) if e != a), min(len(expected), len(actual)))
    start = max(first - limit // 4, 0)

    def cut(text):
        window = text[start:start + limit]
        return ("…" if start else "") + window + ("…" if start + limit < len(text) else "")

    return cut(expected), cut(actual)


def compare(expected, actual, tolerances: dict | None = None) -> Comparison:
    """Compare observation trees; ``expected`` is torch's. ``tolerances``: dtype -> (rtol, atol), default TOLERANCES."""
    result = Comparison()
    chosen = TOLERANCES if tolerances is None else tolerances
    by_name = {key if key == "python float" else dtype_name(key): value for key, value in chosen.items()}
    _compare(expected, actual, "", result, by_name)
    return result


def _compare(expected, actual, path, result, tolerances):
    if is_marker(actual) and not is_marker(expected):
        if "instead" in actual and actual["instead"] == expected:
            return  # torch raised the same error: it lacks the name as well
        result.blocked.append({"path": path, "name": actual["not-implemented"]})
        return
    if isinstance(expected, dict) and isinstance(actual, dict):
        kind = expected.get("kind")
        numeric = kind in ("tensor", "ndarray", "float") and actual.get("kind") == kind \
            and dtype_name(expected.get("dtype")) == dtype_name(actual.get("dtype")) \
            and expected.get("shape") == actual.get("shape")
        for key in expected:
            if key not in actual:
                result.diffs.append(Diff(_join(path, key), expected[key], "<missing>"))
            elif is_marker(actual[key]):
                _compare(expected[key], actual[key], _join(path, key), result, tolerances)
            elif numeric and key in ("values", "value"):
                dtype = "python float" if kind == "float" else dtype_name(expected.get("dtype"))
                _compare_values(expected[key], actual[key], _join(path, key), result, dtype, tolerances)
            else:
                _compare(expected[key], actual[key], _join(path, key), result, tolerances)
        for key in actual:
            if key not in expected:
                result.diffs.append(Diff(_join(path, key), "<missing>", actual[key]))
        return
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            result.diffs.append(Diff(path, expected, actual, f"length {len(expected)} != {len(actual)}"))
            return
        for index, (e, a) in enumerate(zip(expected, actual)):
            _compare(e, a, f"{path}[{index}]", result, tolerances)
        return
    if type(expected) is not type(actual) or expected != actual:
        result.diffs.append(Diff(path, expected, actual))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _compare_values(expected, actual, path, result, dtype, tolerances):
    """Nested value lists: floats within tolerance for their dtype, everything else exact."""
    tolerance = tolerances.get(dtype)
    stack = [(expected, actual, path)]
    while stack:
        e, a, where = stack.pop()
        if isinstance(e, list) and isinstance(a, list) and len(e) == len(a):
            stack.extend((x, y, f"{where}[{i}]") for i, (x, y) in enumerate(zip(e, a)))
        elif tolerance is not None and _is_float(e) and _is_float(a):
            _compare_float(e, a, where, result, dtype, tolerance)
        elif type(e) is not type(a) or e != a:
            result.diffs.append(Diff(where, e, a))


def _is_float(value) -> bool:
    return isinstance(value, float) or value in ("nan", "inf", "-inf")


def _compare_float(expected, actual, path, result, dtype, tolerance):
    rtol, atol = tolerance
    result.tolerance[dtype] = [rtol, atol]
    e, a = float(expected), float(actual)
    if math.isnan(e) or math.isnan(a):
        if not (math.isnan(e) and math.isnan(a)):
            result.diffs.append(Diff(path, expected, actual, "nan mismatch"))
        return
    if math.isinf(e) or math.isinf(a):
        if e != a:
            result.diffs.append(Diff(path, expected, actual))
        return
    error = abs(e - a)
    result.max_abs_error = max(result.max_abs_error, error)
    if e:
        result.max_rel_error = max(result.max_rel_error, error / abs(e))
    if error > atol + rtol * abs(e):
        result.diffs.append(Diff(path, expected, actual, f"|diff| {error:.3g} > atol {atol:g} + rtol {rtol:g}·|torch|"))
