"""How long a whole catalogue run takes: ``python -m conformance run`` against a recording (no torch needed)
and, when torch is installed, live; for reference_impl and any other engine given.

    python benchmarks/catalogue_run.py [--impl MODULE ...] [--against torch-2.13.0] [--live] [--repeat N]

Prints the wall time of each command (best of --repeat), as the user waits for it: process start, imports,
worker processes, every behaviour, the results file and the report. Times are from this run on this machine.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def newest_recording() -> str:
    sys.path.insert(0, str(ROOT))
    from conformance import recording

    return recording.available()[-1][0]


def time_run(arguments: list, repeat: int) -> tuple:
    """(best seconds, exit status) of ``python -m conformance run ARGUMENTS``."""
    best, status = None, None
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            command = [sys.executable, "-m", "conformance", "run", *arguments,
                       "--json", str(Path(folder) / "r.json"), "--html", str(Path(folder) / "r.html")]
            started = time.perf_counter()
            status = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL).returncode
            seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    return best, status


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", nargs="*", default=["reference_impl"])
    parser.add_argument("--against", default=None, help="recording (default: the newest committed one)")
    parser.add_argument("--live", action="store_true", help="also time the live run on the installed torch")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    against = args.against or newest_recording()
    print(f"{'run':<58} {'seconds':>8}  exit")
    for impl in args.impl:
        for label, arguments in ((f"{impl} against {against}", ["--impl", impl, "--against", against]),
                                 *(((f"{impl} live on the installed torch", ["--impl", impl]),) if args.live else ())):
            seconds, status = time_run(arguments, args.repeat)
            print(f"{label:<58} {seconds:8.1f}  {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
