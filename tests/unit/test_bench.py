"""The benchmark script runs and reports ratios to torch (timings themselves are not asserted)."""
import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("torch")


def _bench_module():
    path = Path(__file__).parents[2] / "benchmarks" / "bench.py"
    spec = importlib.util.spec_from_file_location("bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_measures_and_reports_ratios(capsys):
    bench = _bench_module()
    table = bench.measure(repeat=1, only=["chain-1k"])
    assert {"torch", "reference_impl"} <= set(table["chain-1k"])
    ratios = bench.ratios(table)
    assert ratios["chain-1k"]["torch"] == 1.0
    assert ratios["chain-1k"]["reference_impl"] > 0
    bench.print_table(table)
    assert "chain-1k" in capsys.readouterr().out


def test_all_engines_compute_the_same_chain_gradient():
    bench = _bench_module()
    import numpy as np
    import reference_impl
    import torch

    expected = np.asarray(bench.torch_like(torch)["chain-1k"]().detach())
    got = np.asarray(bench.torch_like(reference_impl)["chain-1k"]().detach())
    np.testing.assert_allclose(got, expected, rtol=1e-5)
