"""Command line: ``python -m conformance run | report | list``."""
from __future__ import annotations

import argparse
import os
import sys
import time

from . import catalogue, results
from .results import ResultsFileError

DEFAULT_JSON = "reports/conformance.json"
DEFAULT_HTML = "reports/conformance.html"


def _progress(stream):
    """One line per behaviour that does not pass; a running count (in place on a terminal)."""
    started = time.perf_counter()
    live = stream.isatty()

    def report(done, total, result):
        count = f"[{done:>4}/{total}] {time.perf_counter() - started:6.1f}s"
        if result.status != "pass":
            stream.write(f"{chr(13) if live else ''}{count} {result.status.upper():<15} {result.id}: "
                         f"{result.message[:160]}\n")
        if live:
            stream.write(f"\r{count}" + ("\n" if done == total else ""))
        elif done % 50 == 0 or done == total:
            stream.write(f"{count}\n")
        stream.flush()

    return report


def cmd_run(args) -> int:
    from .runner import load_namespace, run_catalogue

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    load_namespace(args.impl)  # fail fast, with the module name, before starting workers
    scenarios = catalogue.select(args.select)
    print(f"conformance: {len(scenarios)} behaviours, implementation {args.impl}", file=sys.stderr)
    outcome = run_catalogue(scenarios, args.impl, progress=_progress(sys.stderr))
    run = results.new_run(args.impl, [r.as_dict() for r in outcome])
    _write_outputs(run, args.json, args.html)
    summary = results.summary(run)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary["counts"].items()))
    print(f"conformance: {counts} ({summary['percent_pass']}% pass)", file=sys.stderr)
    return 0 if summary["counts"].get("pass", 0) == summary["total"] else 1


def _write_outputs(run, json_path, html_path) -> None:
    if json_path:
        print(f"conformance: results written to {results.write(run, json_path)}", file=sys.stderr)
    if html_path:
        from .report import render

        print(f"conformance: report written to {render.write_html([run], html_path)}", file=sys.stderr)


def cmd_report(args) -> int:
    from .report import render

    try:
        runs = [results.read(path) for path in args.results]
    except ResultsFileError as error:
        print(f"conformance: {error}", file=sys.stderr)
        return 2
    print(f"conformance: report written to {render.write_html(runs, args.output)}", file=sys.stderr)
    return 0


def cmd_list(args) -> int:
    scenarios = catalogue.select(args.select)
    for s in scenarios:
        print(f"{s.id:<48} {s.title}")
        if args.verbose:
            print(f"{'':<48} source: {s.source.document} — {s.source.shows}")
    print(f"{len(scenarios)} behaviours in {len({s.category for s in scenarios})} categories", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the catalogue on torch and an implementation, write results and report")
    run.add_argument("--impl", default="reference_impl", help="module under test (default: reference_impl)")
    run.add_argument("--json", default=DEFAULT_JSON, help=f"results file (default: {DEFAULT_JSON})")
    run.add_argument("--html", default=DEFAULT_HTML, help=f"HTML report (default: {DEFAULT_HTML})")
    run.add_argument("--select", nargs="*", help="only behaviours whose id starts with one of these")
    run.set_defaults(func=cmd_run)

    report = sub.add_parser("report", help="render (and merge) results files into one HTML report")
    report.add_argument("results", nargs="+", help="results JSON files, e.g. one per torch version")
    report.add_argument("-o", "--output", default=DEFAULT_HTML, help=f"HTML file (default: {DEFAULT_HTML})")
    report.set_defaults(func=cmd_report)

    listing = sub.add_parser("list", help="print the behaviour catalogue")
    listing.add_argument("--select", nargs="*")
    listing.add_argument("-v", "--verbose", action="store_true", help="also print each behaviour's source")
    listing.set_defaults(func=cmd_list)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
