"""Command line: ``python -m conformance run | record | recordings | drift | report | list``."""
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
    if args.against:
        if args.properties != "none":
            print("conformance: --properties compares with the installed torch; it cannot be combined with "
                  "--against", file=sys.stderr)
            return 2
        return _run_against(args, scenarios)
    print(f"conformance: {len(scenarios)} behaviours, implementation {args.impl}", file=sys.stderr)
    outcome = run_catalogue(scenarios, args.impl, progress=_progress(sys.stderr))
    properties, hypothesis = _run_properties(args) if args.properties != "none" else ([], None)
    run = results.new_run(args.impl, [r.as_dict() for r in outcome], properties=properties, hypothesis=hypothesis)
    _write_outputs(run, args.json, args.html)
    return _print_summary(run)


def _run_properties(args) -> tuple:
    """The property tests (conformance/properties), each in its own process: their entries and profile."""
    from .properties import profiles, session

    seed = None
    if args.properties != "ci":  # a random profile: one seed for every property, printed to repeat the run
        seed = args.hypothesis_seed if args.hypothesis_seed is not None else profiles.new_seed()
    print(f"conformance: {len(session.LABELS)} property tests, hypothesis profile {args.properties}"
          f"{f' (--hypothesis-seed {seed})' if seed is not None else ' (derandomized)'}", file=sys.stderr)
    started = time.perf_counter()

    def progress(done, total, entry):
        print(f"[{done:>4}/{total}] {time.perf_counter() - started:6.1f}s {entry['status'].upper():<8} "
              f"{entry['name']}: {entry['examples']} examples; {entry['message'][:160]}", file=sys.stderr)

    entries = session.run_properties(args.impl, args.properties, seed, timeout=args.property_timeout,
                                     regression_dir=args.regressions, progress=progress)
    return entries, {"profile": args.properties, "seed": seed}


def _print_summary(run) -> int:
    summary = results.summary(run)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary["counts"].items()))
    print(f"conformance: {counts} ({summary['percent_pass']}% pass)", file=sys.stderr)
    failing = [p["name"] for p in run.get("properties") or [] if p["status"] != "pass"]
    if run.get("properties"):
        print(f"conformance: property tests: {len(run['properties']) - len(failing)} of {len(run['properties'])} "
              f"pass{': failing ' + ', '.join(failing) if failing else ''}", file=sys.stderr)
    return 0 if summary["counts"].get("pass", 0) == summary["total"] and not failing else 1


def _run_against(args, scenarios) -> int:
    """The implementation alone, compared with a recording of real torch: no torch needed."""
    from . import recording
    from .runner import load_namespace

    try:
        document = recording.read(args.against)
    except recording.RecordingFileError as error:
        print(f"conformance: {error}", file=sys.stderr)
        return 2
    version = document["torch"]["version"]
    emulates = callable(getattr(load_namespace(args.impl), "emulate", None))
    lacking = recording.missing_from(scenarios, document)
    print(f"conformance: {len(scenarios) - len(lacking)} behaviours, implementation {args.impl}"
          f"{f' emulating torch {version}' if emulates else ''}, against {document['path']} "
          f"(torch {document['torch'].get('full_version') or version}, recorded "
          f"{(document.get('recorded') or {}).get('date', '?')})", file=sys.stderr)
    if lacking:
        print(f"conformance: {len(lacking)} behaviours are not in this recording and are left out (re-record it "
              f"to check them): {', '.join(lacking[:10])}{' …' if len(lacking) > 10 else ''}", file=sys.stderr)
    outcome = recording.run_against(scenarios, args.impl, document, progress=_progress(sys.stderr))
    run = results.new_run(args.impl, [r.as_dict() for r in outcome], reference=f"recording {recording.name_of(document)}",
                          recording=document, emulated=version if emulates else None)
    _write_outputs(run, args.json, args.html)
    return _print_summary(run)


def cmd_record(args) -> int:
    from . import recording

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        meta = recording.torch_metadata()
    except ImportError as error:
        print(f"conformance: recording needs torch installed: {error}", file=sys.stderr)
        return 2
    scenarios = catalogue.select(args.select)
    output = args.output or str(recording.RECORDINGS_DIR / recording.file_name(meta["version"]))
    print(f"conformance: recording {len(scenarios)} behaviours on torch {meta['full_version']}", file=sys.stderr)
    started = time.perf_counter()
    live = sys.stderr.isatty()

    def progress(done, total, scenario, status, payload):
        count = f"[{done:>4}/{total}] {time.perf_counter() - started:6.1f}s"
        if status != "ok":
            sys.stderr.write(f"{chr(13) if live else ''}{count} {status.upper():<15} {scenario.id}: {payload}\n")
        if live:
            sys.stderr.write(f"\r{count}" + ("\n" if done == total else ""))
        elif done % 50 == 0 or done == total:
            sys.stderr.write(f"{count}\n")
        sys.stderr.flush()

    document = recording.record(scenarios, progress=progress)
    path = recording.write(document, output)
    statuses: dict = {}
    for entry in document["observations"].values():
        statuses[entry["status"]] = statuses.get(entry["status"], 0) + 1
    counts = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    print(f"conformance: {counts} in {document['recorded']['duration_s']} s; recording written to {path}",
          file=sys.stderr)
    return 0


def cmd_recordings(args) -> int:
    from . import recording

    found = recording.available(args.directory)
    for name, path in found:
        try:
            document = recording.read(path)
        except recording.RecordingFileError as error:
            print(f"{name:<16} unreadable: {error}")
            continue
        torch_meta, env, recorded = document["torch"], document.get("environment") or {}, document.get("recorded") or {}
        lacking, gone = recording.coverage(document, catalogue.load_all())
        gaps = "".join(f"  {len(ids)} {what}" for ids, what in ((lacking, "lacking"), (gone, "no longer in the catalogue"))
                       if ids)
        print(f"{name:<16} torch {torch_meta.get('full_version') or torch_meta['version']:<14} "
              f"{len(document['observations']):>4} behaviours  python {env.get('python', '?'):<8} "
              f"numpy {env.get('numpy', '?'):<8} recorded {recorded.get('date', '?')}"
              f"{'  surface' if document.get('surface') else ''}{gaps}")
    print(f"{len(found)} recordings in {args.directory or recording.RECORDINGS_DIR}", file=sys.stderr)
    return 0


def cmd_drift(args) -> int:
    from . import drift, recording

    if args.timeline:
        return _drift_timeline(args)
    if not args.old or not args.new:
        print("conformance: drift needs two recordings (OLD NEW), or --timeline for all of them", file=sys.stderr)
        return 2
    try:
        old, new = recording.read(args.old), recording.read(args.new)
    except recording.RecordingFileError as error:
        print(f"conformance: {error}", file=sys.stderr)
        return 2
    report = drift.drift_report(old, new)
    known = sorted(set(old["observations"]) | set(new["observations"]))
    if not _categories_known(args.category, {i.split(".", 1)[0] for i in known}):
        return 2
    report = drift.filter_report(report, args.kind, args.category)
    sys.stdout.write(drift.format_text(report, max_value_chars=args.width))
    if args.json:
        print(f"conformance: drift written to {drift.write_json(report, args.json)}", file=sys.stderr)
    if args.html:
        from .report import drift_html

        print(f"conformance: drift report written to {drift_html.write_html(report, args.html)}", file=sys.stderr)
    return 0


def _categories_known(chosen, known) -> bool:
    unknown = [c for c in chosen or () if c not in known]
    if unknown:
        print(f"conformance: no behaviour of category {', '.join(unknown)} in these recordings "
              f"(categories: {', '.join(sorted(known))})", file=sys.stderr)
    return not unknown


def _drift_timeline(args) -> int:
    from . import drift, recording

    if args.old or args.new:
        print("conformance: drift --timeline reads every recording in the folder; give no OLD NEW",
              file=sys.stderr)
        return 2
    try:
        documents = [recording.read(path) for _, path in recording.available(args.directory)]
    except recording.RecordingFileError as error:
        print(f"conformance: {error}", file=sys.stderr)
        return 2
    if len(documents) < 2:
        print(f"conformance: a timeline needs at least two recordings in "
              f"{args.directory or recording.RECORDINGS_DIR}", file=sys.stderr)
        return 2
    known = {i.split(".", 1)[0] for d in documents for i in d["observations"]}
    if not _categories_known(args.category, known):
        return 2
    report = drift.timeline(documents, args.kind, args.category)
    sys.stdout.write(drift.format_timeline(report))
    if args.json:
        print(f"conformance: timeline written to {drift.write_json(report, args.json)}", file=sys.stderr)
    if args.html:
        from .report import drift_html

        print(f"conformance: timeline written to {drift_html.write_timeline_html(report, args.html)}",
              file=sys.stderr)
    return 0


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


def _drift_kinds() -> dict:
    from .drift import KINDS

    return KINDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the catalogue on torch and an implementation, write results and report")
    run.add_argument("--impl", default="reference_impl", help="module under test (default: reference_impl)")
    run.add_argument("--json", default=DEFAULT_JSON, help=f"results file (default: {DEFAULT_JSON})")
    run.add_argument("--html", default=DEFAULT_HTML, help=f"HTML report (default: {DEFAULT_HTML})")
    run.add_argument("--select", nargs="*", help="only behaviours whose id starts with one of these")
    run.add_argument("--against", metavar="RECORDING",
                     help="compare with a recording of real torch instead of the installed torch: a name in "
                          "conformance/recordings/ (torch-2.5.1) or a path; needs no torch. An implementation "
                          "with emulate(version), like reference_impl, emulates the recorded version")
    run.add_argument("--properties", default="none", choices=("none", "dev", "ci", "thorough"),
                     help="also run the property tests (generated programs, the state machine, the finite-difference "
                          "oracle) with this hypothesis profile (default: none)")
    run.add_argument("--property-timeout", type=float, default=1800.0, metavar="S",
                     help="seconds one property test may take before it is reported as a timeout (default 1800)")
    run.add_argument("--hypothesis-seed", type=int, default=None, metavar="N",
                     help="seed of a random profile (dev, thorough), to repeat a run")
    run.add_argument("--regressions", default="tests/properties/regressions", metavar="DIR",
                     help="regression corpus a property failure points to (saved there with "
                          "CONFORMANCE_SAVE_REGRESSIONS=1; default: tests/properties/regressions)")
    run.set_defaults(func=cmd_run)

    rec = sub.add_parser("record", help="run the catalogue on the installed torch alone and record what it shows")
    rec.add_argument("-o", "--output", default=None,
                     help="recording file (default: conformance/recordings/torch-<version>.json)")
    rec.add_argument("--select", nargs="*", help="only behaviours whose id starts with one of these")
    rec.set_defaults(func=cmd_record)

    recs = sub.add_parser("recordings", help="list the recordings of real torch")
    recs.add_argument("--directory", default=None, help="folder to list (default: conformance/recordings/)")
    recs.set_defaults(func=cmd_recordings)

    drift_parser = sub.add_parser(
        "drift", help="what changed in torch's observable behaviour between two recordings (or across all)",
        description="Changes between two recordings, grouped by kind, counts per kind first. Kinds: "
                    + "; ".join(f"{kind}: {text}" for kind, text in _drift_kinds().items()) + ".")
    drift_parser.add_argument("old", nargs="?", help="the older recording: a name (torch-1.13.1) or a path")
    drift_parser.add_argument("new", nargs="?", help="the newer recording: a name (torch-2.14.1) or a path")
    drift_parser.add_argument("--timeline", action="store_true",
                              help="instead: every committed recording in version order, and for each behaviour "
                                   "that ever changed, the releases where it changed (and how)")
    drift_parser.add_argument("--directory", default=None, metavar="DIR",
                              help="with --timeline: the recordings folder (default: conformance/recordings/)")
    drift_parser.add_argument("--kind", action="append", choices=tuple(_drift_kinds()), metavar="KIND",
                              help="only changes of this kind (repeatable): " + ", ".join(_drift_kinds()))
    drift_parser.add_argument("--category", action="append", metavar="CATEGORY",
                              help="only behaviours of this category, the first part of their id (repeatable)")
    drift_parser.add_argument("--html", default=None, metavar="PATH", help="also write the drift as an HTML page")
    drift_parser.add_argument("--json", default=None, metavar="PATH", help="also write the drift as JSON")
    drift_parser.add_argument("--width", type=int, default=1000, metavar="N",
                              help="shorten values longer than N characters in the text output (default 1000)")
    drift_parser.set_defaults(func=cmd_drift)

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
