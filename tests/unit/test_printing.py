"""reference_impl._printing must print exactly like torch's Tensor.__repr__."""
import contextlib
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import reference_impl
from reference_impl import _dtypes, _printing
from reference_impl._printing import get_printoptions, set_printoptions, tensor_repr

torch = pytest.importorskip("torch")

NAN, INF = float("nan"), float("inf")
HYPO = settings(max_examples=120, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# Before torch 2.1 (seen on 1.13.1 and 2.0.1; 2.5.1 prints as now) edgeitems=0 printed no size= suffix
# or failed outright; no catalogue behaviour covers it, so reference_impl prints it the newer way only.
OLD_EDGEITEMS_0 = tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2]) < (2, 1)


def _torch_printoptions() -> dict:
    """torch's print options (get_printoptions is newer than torch 1.13; PRINT_OPTS holds the same)."""
    getter = getattr(torch._tensor_str, "get_printoptions", None)
    if getter is not None:
        return getter()
    opts = torch._tensor_str.PRINT_OPTS
    return {key: getattr(opts, key) for key in ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")}


@pytest.fixture(autouse=True)
def _reset_both():
    """Every test starts and ends with default print options and default dtype on both sides."""
    _restore_defaults()
    yield
    _restore_defaults()


def _restore_defaults():
    torch.set_printoptions(profile="default")
    set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    _dtypes.set_default_dtype(_dtypes.float32)


@pytest.fixture(params=["python", "numpy"])
def formatter_path(request, monkeypatch):
    """Run a test through both the small-input (Python) and the large-input (NumPy) formatter code."""
    monkeypatch.setattr(_printing, "_SMALL", 10**12 if request.param == "python" else 0)
    return request.param


@contextlib.contextmanager
def both_printoptions(**kwargs):
    torch.set_printoptions(**kwargs)
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        _restore_defaults()


def torch_repr(a, requires_grad=False, grad_fn=False):
    t = torch.from_numpy(np.array(a, copy=True))
    if requires_grad or grad_fn:
        t.requires_grad_(True)
    if grad_fn:
        t = t * 1
    return repr(t)


def check(a, requires_grad=False, grad_fn=False):
    a = np.asarray(a)
    dtype = _dtypes.from_numpy(a.dtype)
    expected = torch_repr(a, requires_grad, grad_fn)
    got = tensor_repr(a, dtype, requires_grad=requires_grad,
                      grad_fn_name="MulBackward0" if grad_fn else None)
    assert got == expected, f"\n--- ours ---\n{got}\n--- torch ---\n{expected}"
    return got


f32 = np.float32
rng = np.random.default_rng(0)

HAND_PICKED = {
    "brief_sci": np.array([6.4465e-01, 1.5289e+01, 9.9570e-03], f32),
    "brief_int_floats": np.array([1.0, 2.0], f32),
    "brief_ints": np.array([1, 2]),
    "brief_float64": np.array([1.0, 2.0]),
    "scalar": np.array(14.1525, f32),
    "scalar_int": np.array(-7),
    "scalar_bool": np.array(True),
    "scalar_nan": np.array(NAN, f32),
    "scalar_neg_zero": np.array(-0.0, f32),
    "scalar_tiny": np.array(1e-30, f32),
    "scalar_f64": np.array(1e300),
    "scalar_f16": np.array(3.140625, np.float16),
    "empty_1d": np.zeros((0,), f32),
    "empty_1d_int": np.zeros((0,), np.int64),
    "empty_1d_bool": np.zeros((0,), np.bool_),
    "empty_1d_f64": np.zeros((0,)),
    "empty_2d": np.zeros((0, 3), f32),
    "empty_3d": np.zeros((2, 0, 1), f32),
    "empty_3d_int32": np.zeros((2, 0, 1), np.int32),
    "zeros": np.zeros(4, f32),
    "neg_zero": np.array([-0.0, 0.0, 1.0], f32),
    "neg_zero_frac": np.array([-0.0, 0.5], f32),
    "neg_zero_sci": np.array([-0.0, 1e-6], f32),
    "nan_inf": np.array([NAN, INF, -INF, 1.0], f32),
    "nan_inf_frac": np.array([NAN, INF, -INF, 1.5], f32),
    "nan_inf_sci": np.array([NAN, INF, -INF, 1e10], f32),
    "only_nonfinite": np.array([NAN, INF, -INF], f32),
    "huge": np.array([1e30, 2e30, -3e30], f32),
    "huge_f64": np.array([1e300, -2e-300, 1.0]),
    "tiny": np.array([1e-5, 2e-5, 3e-5], f32),
    "subnormal_f64": np.array([5e-324, 1e308]),
    "ratio_1000": np.array([1.0, 1000.0], f32),
    "ratio_1001": np.array([0.5, 1000.5], f32),
    "just_1e8": np.array([1e8, 1.0], f32),
    "above_1e8": np.array([1.5e8, 1e6], f32),
    "just_1e-4": np.array([1e-4, 0.01], f32),  # float32(1e-4) is just below 1e-4
    "exactly_1e-4_f64": np.array([1e-4, 0.01]),
    "exactly_1e8": np.array([1e8, 1e6], f32),
    "ratio_exactly_1000": np.array([0.25, 250.0], f32),
    "mixed_signs": np.array([-1.5, 2.25, -3.125, 100.0625], f32),
    "rounds_up": np.array([9.99996, 0.5], f32),
    "big_int_floats": np.array([123456.0, -7.0], f32),
    "big_int_floats_sci": np.array([1e9, 3.0], f32),
    "int64": np.array([1, -200, 3000000000000]),
    "int32": np.array([[1, 2], [3, -4]], np.int32),
    "uint8": np.array([0, 255, 7], np.uint8),
    "int8": np.array([-128, 127], np.int8),
    "int16": np.array([-3, 3], np.int16),
    "bool": np.array([True, False, True]),
    "bool_all_true": np.array([[True, True], [True, True]]),
    "float16": np.array([0.1, 65504, -0.000061], np.float16),
    "float16_inf": np.array([np.inf, 1.0], np.float16),
    "float64": np.array([0.1, 0.2, 0.3]),
    "2d": np.arange(6, dtype=f32).reshape(2, 3) / 3,
    "3d": np.arange(24, dtype=f32).reshape(2, 3, 4) - 11.5,
    "4d": np.arange(48).reshape(2, 2, 3, 4) * 37 - 500,
    "4d_float": (rng.standard_normal((2, 3, 2, 2)) * 10).astype(f32),
    "1x1x1": np.ones((1, 1, 1), f32),
    "unit_dims": np.ones((1, 3, 1), np.int64),
    "long_row_wraps": (rng.standard_normal(40) * 100).astype(f32),
    "long_row_wraps_int": np.arange(100) * 12345,
    "long_2d_rows_wrap": (rng.standard_normal((3, 25))).astype(f32),
    "long_3d_rows_wrap": np.arange(2 * 2 * 30).reshape(2, 2, 30),
    "summarised_1d": np.arange(1001, dtype=f32),
    "summarised_1d_int": np.arange(5000),
    "summarised_2d": np.arange(2000, dtype=f32).reshape(20, 100) / 7,
    "summarised_3d": (rng.standard_normal((11, 12, 13)) * 1e3).astype(f32),
    "summarised_4d": np.arange(7 * 7 * 7 * 7).reshape(7, 7, 7, 7) % 13 == 0,
    "summarised_hides_extremes": np.concatenate([np.ones(3, f32), np.full(2000, 1e20, f32), np.ones(3, f32)]),
    "summarised_narrow_rows": np.arange(3000, dtype=f32).reshape(1000, 3),
    "not_summarised_1000": np.linspace(-1, 1, 1000).astype(f32),
    "over_threshold_big_and_nan": np.where(np.arange(1200) % 5 == 0, np.nan, np.arange(1200) * 1.5).astype(f32),
    "float64_digits": np.array([1 / 3, 2 / 3, -1e-3]),
    "noncontiguous": np.arange(12, dtype=f32).reshape(3, 4).T * 0.25,
}


@pytest.mark.parametrize("name", list(HAND_PICKED))
def test_hand_picked(name, formatter_path):
    check(HAND_PICKED[name])


def test_brief_examples_literal():
    assert tensor_repr(np.array([6.4465e-01, 1.5289e+01, 9.9570e-03], f32), _dtypes.float32) == \
        "tensor([6.4465e-01, 1.5289e+01, 9.9570e-03])"
    assert tensor_repr(np.array(14.1525, f32), _dtypes.float32, grad_fn_name="MeanBackward0") == \
        "tensor(14.1525, grad_fn=<MeanBackward0>)"
    assert tensor_repr(np.array([1.0, 2.0], f32), _dtypes.float32, requires_grad=True) == \
        "tensor([1., 2.], requires_grad=True)"
    assert tensor_repr(np.array([1, 2]), _dtypes.int64) == "tensor([1, 2])"
    assert tensor_repr(np.array([1.0, 2.0]), _dtypes.float64) == "tensor([1., 2.], dtype=torch.float64)"
    assert tensor_repr(np.zeros((0, 3), f32), _dtypes.float32) == "tensor([], size=(0, 3))"


@pytest.mark.parametrize("name", ["scalar", "brief_sci", "2d", "3d", "nan_inf", "long_row_wraps",
                                  "summarised_2d", "float16", "float64", "empty_2d", "empty_1d_f64"])
@pytest.mark.parametrize("grad", ["requires_grad", "grad_fn"])
def test_autograd_suffixes(name, grad):
    check(HAND_PICKED[name], requires_grad=grad == "requires_grad", grad_fn=grad == "grad_fn")


def test_grad_fn_name_is_passed_through_and_wins_over_requires_grad():
    t = torch.tensor([1.5, 2.5], requires_grad=True).mean()
    got = tensor_repr(np.array(2.0, f32), _dtypes.float32, requires_grad=True, grad_fn_name="MeanBackward0")
    assert got == repr(t)


@pytest.mark.parametrize("cols", range(8, 15))
def test_suffix_moves_to_new_line_when_too_long(cols):
    # Rows of 1.2345-wide values; some column counts push ", grad_fn=..." past linewidth.
    a = (np.arange(2 * cols, dtype=f32).reshape(2, cols) + 0.5) * 1.25
    check(a, grad_fn=True)
    check(a.astype(np.float64), requires_grad=True)


@pytest.mark.parametrize("data", [np.arange(1200), np.arange(1200, dtype=f32) / 3])
def test_sliced_and_reshaped_inputs(data):
    # Strided views from NumPy slicing, not only fresh contiguous arrays.
    check(data[::-2])
    check(data.reshape(30, 40)[:, ::3])


# ---------------------------------------------------------------- print options

OPTION_CASES = [
    dict(precision=2),
    dict(precision=0),
    dict(precision=10),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(precision=6, sci_mode=True),
    dict(threshold=5),
    dict(threshold=0),
    dict(threshold=5, edgeitems=1),
    dict(threshold=5, edgeitems=0),
    dict(edgeitems=5),
    dict(linewidth=30),
    dict(linewidth=1),
    dict(linewidth=200),
    dict(profile="short"),
    dict(profile="full"),
    dict(profile="default"),
    dict(profile="short", precision=6),
    dict(profile="full", linewidth=50, sci_mode=False),
]


@pytest.mark.parametrize("opts", OPTION_CASES, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("name", ["brief_sci", "scalar", "nan_inf_frac", "huge", "tiny", "neg_zero",
                                  "zeros", "big_int_floats", "2d", "3d", "4d", "bool", "int64",
                                  "long_row_wraps", "summarised_1d", "summarised_2d", "summarised_3d",
                                  "summarised_4d", "empty_3d", "float16", "float64_digits"])
def test_printoptions(opts, name):
    if opts.get("edgeitems") == 0 and OLD_EDGEITEMS_0:
        pytest.skip("torch before 2.1 printed edgeitems=0 differently (not emulated)")
    with both_printoptions(**opts):
        assert get_printoptions() == _torch_printoptions()
        check(HAND_PICKED[name], grad_fn=HAND_PICKED[name].dtype.kind == "f")


def test_printoptions_defaults_and_profiles_match_torch():
    assert get_printoptions() == _torch_printoptions()
    assert get_printoptions() == {"precision": 4, "threshold": 1000, "edgeitems": 3,
                                  "linewidth": 80, "sci_mode": None}
    for call in [dict(profile="full"), dict(precision=7, sci_mode=True), dict(edgeitems=1),
                 dict(profile="short"), dict(threshold=10), dict(profile="nonsense"), dict(profile="default")]:
        torch.set_printoptions(**call)
        set_printoptions(**call)
        assert get_printoptions() == _torch_printoptions(), call


def test_sci_mode_is_reset_by_any_set_printoptions_call():
    set_printoptions(sci_mode=True)
    set_printoptions(precision=3)
    assert get_printoptions()["sci_mode"] is None
    assert tensor_repr(np.array([1.5], f32), _dtypes.float32) == "tensor([1.500])"


def test_get_printoptions_returns_a_copy():
    opts = get_printoptions()
    opts["precision"] = 99
    assert get_printoptions()["precision"] == 4


def test_printoptions_context_manager_restores():
    with _printing.printoptions(precision=1, sci_mode=True):
        assert tensor_repr(np.array([1.25], f32), _dtypes.float32) == "tensor([1.2e+00])"
    assert get_printoptions() == {"precision": 4, "threshold": 1000, "edgeitems": 3,
                                  "linewidth": 80, "sci_mode": None}


def test_full_profile_prints_every_element():
    a = np.arange(1500, dtype=f32) * 0.5
    with both_printoptions(profile="full"):
        got = check(a)
    assert "..." not in got


# ---------------------------------------------------------------- default dtype

@pytest.mark.parametrize("name", ["brief_int_floats", "brief_float64", "float16", "int64", "bool", "int32",
                                  "empty_1d", "empty_1d_f64", "empty_1d_int", "empty_1d_bool", "empty_2d",
                                  "scalar", "scalar_f64", "summarised_2d", "3d"])
def test_default_dtype_float64(name):
    torch.set_default_dtype(torch.float64)
    _dtypes.set_default_dtype(_dtypes.float64)
    check(HAND_PICKED[name], requires_grad=HAND_PICKED[name].dtype.kind == "f")


# ---------------------------------------------------------------- hypothesis

def _float_elements(width):
    wide = st.floats(width=width, allow_nan=True, allow_infinity=True)
    def exact(x):  # values the dtype holds exactly, so hypothesis accepts them (may round to inf)
        with np.errstate(over="ignore"):
            return float(np.array(x).astype({16: np.float16, 32: np.float32, 64: np.float64}[width]))
    integral = st.integers(-10**5, 10**5).map(float).map(exact)
    decimal = st.integers(-10**6, 10**6).map(lambda i: exact(i / 1000))
    special = st.sampled_from([0.0, -0.0, NAN, INF, -INF, 1e-4, 1e8, 1000.0]).map(exact)
    return st.one_of(wide, integral, decimal, special)


ELEMENTS = {
    np.float16: _float_elements(16),
    np.float32: _float_elements(32),
    np.float64: _float_elements(64),
    np.int64: st.one_of(st.integers(-2**63, 2**63 - 1), st.integers(-100, 100)),
    np.int32: st.integers(-2**31, 2**31 - 1),
    np.uint8: st.integers(0, 255),
    np.bool_: st.booleans(),
}


@st.composite
def arrays(draw, max_side=4, max_dims=4):
    np_dtype = draw(st.sampled_from(list(ELEMENTS)))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=max_side))
    return draw(hnp.arrays(np_dtype, shape, elements=ELEMENTS[np_dtype]))


@HYPO
@given(a=arrays(), grad=st.sampled_from([None, "requires_grad", "grad_fn"]))
def test_hypothesis_default_options(a, grad, formatter_path):
    if a.dtype.kind != "f":
        grad = None
    check(a, requires_grad=grad == "requires_grad", grad_fn=grad == "grad_fn")


@HYPO
@given(a=arrays(max_side=6),
       precision=st.integers(0, 8),
       sci_mode=st.sampled_from([None, True, False]),
       threshold=st.sampled_from([None, 0, 3, 10, 50]),
       edgeitems=st.sampled_from([None, 0, 1, 2, 4]),
       linewidth=st.sampled_from([None, 1, 20, 45, 120]),
       profile=st.sampled_from([None, "default", "short", "full"]),
       float64_default=st.booleans())
def test_hypothesis_with_printoptions(a, precision, sci_mode, threshold, edgeitems, linewidth, profile,
                                      float64_default, formatter_path):
    assume(not (edgeitems == 0 and OLD_EDGEITEMS_0))
    if float64_default:
        torch.set_default_dtype(torch.float64)
        _dtypes.set_default_dtype(_dtypes.float64)
    with both_printoptions(precision=precision, sci_mode=sci_mode, threshold=threshold,
                           edgeitems=edgeitems, linewidth=linewidth, profile=profile):
        check(a, grad_fn=a.dtype.kind == "f")


@settings(max_examples=25, derandomize=True, deadline=None)
@given(n=st.integers(1001, 4000), scale=st.sampled_from([1.0, 1e-6, 1e9]), seed=st.integers(0, 2**16))
def test_hypothesis_large_summarised(n, scale, seed):
    r = np.random.default_rng(seed)
    a = (r.standard_normal(n) * scale).astype(f32)
    a[r.integers(0, n, 5)] = [NAN, INF, -INF, 0.0, -0.0]
    check(a)
    check(a[: n // 10 * 10].reshape(10, -1))
    check(np.round(a[: n // 8 * 8]).reshape(2, 4, -1))


# ---------------------------------------------------------------- speed

def test_small_tensor_is_fast():
    a = np.array([1.5, -2.25, 3.0], f32)
    tensor_repr(a, _dtypes.float32)
    best = min(_time(lambda: tensor_repr(a, _dtypes.float32), 200) for _ in range(5))
    assert best < 100e-6, f"{best * 1e6:.1f} us per repr"


def _time(fn, n):
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


@pytest.mark.parametrize("np_dtype", [f32, np.int64, np.bool_])
def test_large_tensor_formats_only_shown_elements(np_dtype, monkeypatch):
    a = (np.random.default_rng(1).standard_normal(10**6) * 1e4).astype(np_dtype)
    expected = torch_repr(a)
    calls = []
    original = _printing._Formatter.format
    monkeypatch.setattr(_printing._Formatter, "format", lambda self, v: calls.append(v) or original(self, v))
    start = time.perf_counter()
    got = tensor_repr(a, _dtypes.from_numpy(a.dtype))
    elapsed = time.perf_counter() - start
    assert got == expected
    assert len(calls) == 6
    assert elapsed < 0.5


def test_full_profile_large_tensor():
    # 20k elements printed in full; one far-away value sets the width of every column.
    a = (np.random.default_rng(2).standard_normal(20000) * 50).astype(f32)
    a[12345] = -987654.25
    with both_printoptions(profile="full"):
        got = check(a.reshape(200, 100))
    assert "..." not in got and got.count("\n") == 200 * 20 - 1  # 5 values of width 11 per line


def test_repr_of_a_no_grad_view_whose_base_changed_in_place_shows_an_invalid_grad_fn():
    torch = pytest.importorskip("torch")

    def shown(t):
        base = t.ones(3, requires_grad=True).clone()
        with t.no_grad():
            view = base[:2]
        base.mul_(2)
        return repr(view)

    assert shown(reference_impl) == shown(torch) == "tensor([2., 2.], grad_fn=<Invalid>)"
