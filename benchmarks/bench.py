"""reference_impl against torch and other autograd engines, side by side in one process.

    python benchmarks/bench.py [--quick] [--repeat N] [--only WORKLOAD ...]

Workloads (forward + backward each time):
  chain-1k / chain-100k   y = y * 1.0001 + 0.5 repeated N times on a 4-element tensor, then sum().backward()
  fan-out-in              2000 branches x * w_i off one leaf, stacked, summed, backward (wide graph)
  mlp-train               2-layer MLP (8-32-1, batch 16), MSE loss, 100 SGD steps with zero_grad
  large-1e6               100 iterations of relu(x * w + b) on 1e6-element tensors, sum().backward()

Prints each engine's best time over --repeat runs and its ratio to torch (lower is
better; torch = 1.00). Engines that are not installed, or cannot express a workload,
are skipped. Times are from this run only: compare ratios, not absolute numbers.
"""
from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402


# ------------------------------------------------------------------ torch-like engines (torch, reference_impl)
def torch_like(t):
    def chain(n):
        def run():
            x = t.ones(4, requires_grad=True)
            y = x
            for _ in range(n):
                y = y * 1.0001 + 0.5
            y.sum().backward()
            return x.grad
        return run

    def fan_out_in(width=2000):
        ws = [t.tensor(np.full(16, 1.0 + i / width, np.float32)) for i in range(width)]

        def run():
            x = t.ones(16, requires_grad=True)
            t.stack([x * w for w in ws]).sum().backward()
            return x.grad
        return run

    def mlp(steps=100):
        rng = np.random.default_rng(0)
        data = t.tensor(rng.standard_normal((16, 8)).astype(np.float32))
        target = t.tensor(rng.standard_normal((16, 1)).astype(np.float32))
        init = [rng.standard_normal(shape).astype(np.float32) * 0.3 for shape in ((8, 32), (32,), (32, 1), (1,))]

        def run():
            params = [t.tensor(p, requires_grad=True) for p in init]
            w1, b1, w2, b2 = params
            opt = t.optim.SGD(params, lr=0.01)
            for _ in range(steps):
                opt.zero_grad()
                hidden = t.relu(data @ w1 + b1)
                loss = ((hidden @ w2 + b2 - target) ** 2).mean()
                loss.backward()
                opt.step()
            return loss
        return run

    def large(iterations=100, size=1_000_000):
        rng = np.random.default_rng(0)
        w = t.tensor(rng.standard_normal(size).astype(np.float32))
        b = t.tensor(rng.standard_normal(size).astype(np.float32))

        def run():
            x = t.tensor(np.ones(size, np.float32), requires_grad=True)
            for _ in range(iterations):
                t.relu(x * w + b).sum().backward()
            return x.grad
        return run

    return {"chain-1k": chain(1000), "chain-100k": chain(100_000), "fan-out-in": fan_out_in(), "mlp-train": mlp(),
            "large-1e6": large()}


# ------------------------------------------------------------------ other engines (only what they can express)
def mygrad_workloads(mg):
    def chain(n):
        def run():
            x = mg.tensor(np.ones(4, np.float32))
            y = x
            for _ in range(n):
                y = y * 1.0001 + 0.5
            y.sum().backward()
            return x.grad
        return run

    def large(iterations=100, size=1_000_000):
        rng = np.random.default_rng(0)
        w = rng.standard_normal(size).astype(np.float32)
        b = rng.standard_normal(size).astype(np.float32)

        def run():
            x = mg.tensor(np.ones(size, np.float32))
            for _ in range(iterations):
                mg.maximum(x * w + b, 0).sum().backward()
            return x.grad
        return run

    return {"chain-1k": chain(1000), "chain-100k": chain(100_000), "large-1e6": large()}


def micrograd_workloads(engine):
    def chain(n):
        def run():
            xs = [engine.Value(1.0) for _ in range(4)]
            ys = list(xs)
            for _ in range(n):
                ys = [y * 1.0001 + 0.5 for y in ys]
            total = ys[0] + ys[1] + ys[2] + ys[3]
            total.backward()  # recursive topological sort: fails on deep graphs
            return xs[0].grad
        return run

    return {"chain-1k": chain(1000), "chain-100k": chain(100_000)}


def hips_workloads(autograd):
    anp = importlib.import_module("autograd.numpy")

    def chain(n):
        def f(x):
            y = x
            for _ in range(n):
                y = y * 1.0001 + 0.5
            return anp.sum(y)
        gradient = autograd.grad(f)
        return lambda: gradient(np.ones(4, np.float32))

    return {"chain-1k": chain(1000), "chain-100k": chain(100_000)}


ENGINES = [
    ("torch", "torch", torch_like),
    ("reference_impl", "reference_impl", torch_like),
    ("mygrad", "mygrad", mygrad_workloads),
    ("micrograd", "micrograd.engine", micrograd_workloads),
    ("hips-autograd", "autograd", hips_workloads),
]


def best_time(run, repeat: int) -> float:
    run()  # warm up
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def measure(repeat: int, only=None, quick: bool = False) -> dict:
    """{workload: {engine: seconds or an error string}}"""
    table: dict = {}
    for label, module_name, build in ENGINES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        workloads = build(module)
        for workload, run in workloads.items():
            if only and workload not in only:
                continue
            if quick and workload in ("chain-100k", "large-1e6"):
                continue
            try:
                table.setdefault(workload, {})[label] = best_time(run, repeat)
            except RecursionError:
                table.setdefault(workload, {})[label] = "RecursionError"
            except Exception as error:  # noqa: BLE001 - a benchmark row, not a crash
                table.setdefault(workload, {})[label] = f"{type(error).__name__}"
    return table


def ratios(table: dict) -> dict:
    """Each engine's time divided by torch's, per workload."""
    out = {}
    for workload, times in table.items():
        base = times.get("torch")
        out[workload] = {engine: (value / base if isinstance(value, float) and isinstance(base, float) else None)
                         for engine, value in times.items()}
    return out


def print_table(table: dict) -> None:
    engines = [label for label, _, _ in ENGINES if any(label in row for row in table.values())]
    print(f"{'workload':<12}" + "".join(f"{e:>22}" for e in engines))
    relative = ratios(table)
    for workload, times in table.items():
        cells = []
        for engine in engines:
            value = times.get(engine)
            if value is None:
                cells.append(f"{'-':>22}")
            elif isinstance(value, str):
                cells.append(f"{value:>22}")
            else:
                cells.append(f"{value * 1e3:>11.1f} ms x{relative[workload][engine]:>6.2f}")
        print(f"{workload:<12}" + "".join(cells))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip the two longest workloads")
    parser.add_argument("--only", nargs="*", help="workloads to run")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}")
    print_table(measure(args.repeat, args.only, args.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
