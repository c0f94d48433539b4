"""Command line: ``python -m conformance run | record | recordings | drift | report | list``."""
from __future__ import annotations

import argparse
import os
import sys
import time

from . import catalogue, expectations, repro, results
from .runner import emulates
from .levels import DEFAULT_LEVEL, LEVELS
from .results import ResultsFileError

DEFAULT_JSON = "reports/conformance.json"
DEFAULT_HTML = "reports/conformance.html"


def shorten(text: str, width: int = 400) -> str:
    """One line of at most ``width`` characters (compare.py already cut each value around its first
    difference)."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[:width - 1] + "…"


def _progress(stream):
    """One line per behaviour that does not pass; a running count (in place on a terminal)."""
    started = time.perf_counter()
    live = stream.isatty()

    def report(done, total, result):
        count = f"[{done:>4}/{total}] {time.perf_counter() - started:6.1f}s"
        if result.status != "pass":
            stream.write(f"{chr(13) if live else ''}{count} {result.status.upper():<15} {result.id}: "
                         f"{shorten(result.message)}\n")
        if live:
            stream.write(f"\r{count}" + ("\n" if done == total else ""))
        elif done % 50 == 0 or done == total:
            stream.write(f"{count}\n")
        stream.flush()

    return report


class UsageProblem(Exception):
    """Bad input found before a run starts: one line, exit status 2."""


def cmd_run(args) -> int:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        plan = _plan_run(args)
    except UsageProblem as problem:
        print(f"conformance: {problem}", file=sys.stderr)
        return 2
    collected, properties = [], []
    interrupted = False
    try:
        _execute(args, plan, collected, properties)
    except KeyboardInterrupt:
        interrupted = True
    run = results.new_run(args.impl, [r.as_dict() for r in collected + plan["skipped"]],
                          properties=properties, level=args.level, **plan["run_fields"])
    if interrupted:
        run["run"]["interrupted"] = True
        print(f"\nconformance: interrupted after {len(collected)} of {len(plan['scenarios'])} behaviours; "
              f"writing what ran", file=sys.stderr)
        _write_outputs(run, plan["json"], plan["html"])
        return 130
    return _finish(args, run, plan)


def _plan_run(args) -> dict:
    """Everything a run needs, checked before anything runs: expectations, behaviours, reference, the
    implementation, the output paths."""
    from . import preflight, recording, surface

    try:
        known_gaps = expectations.load(args.expectations) if args.expectations else None
        scenarios = catalogue.select(args.select, args.exclude)
        document = recording.read(args.against) if args.against else None
        if document is None and not _torch_installed():
            document = recording.read(recording.available()[-1][1])
            print(f"conformance: torch is not installed: checking against the newest recording, "
                  f"{recording.name_of(document)}", file=sys.stderr)
        if document is not None and args.properties != "none":
            raise UsageProblem("--properties compares with the installed torch; it cannot be combined with a "
                               "recording (--against, or no torch installed)")
        if document is not None:
            torch_surface, torch_version = recording.surface_of(document), document["torch"]["version"]
        else:
            torch_version = preflight.check_reference("torch").__version__
            torch_surface = surface.installed()
        preflight.check_implementation(args.impl, torch_surface)
    except (expectations.ExpectationsError, catalogue.SelectionError, recording.RecordingFileError,
            preflight.PreflightError) as error:
        raise UsageProblem(f"{'--expectations ' if isinstance(error, expectations.ExpectationsError) else ''}"
                           f"{error}") from None
    json_path, html_path = _output_paths(args)
    scenarios, skipped = _without_skipped(scenarios, known_gaps, torch_version, args.level)
    run_fields = {"recording": document, "reference": f"recording {recording.name_of(document)}",
                  "emulated": torch_version if emulates(args.impl) else None} if document is not None else {}
    return {"scenarios": scenarios, "skipped": skipped, "document": document, "surface": torch_surface,
            "torch_version": torch_version, "known_gaps": known_gaps, "json": json_path, "html": html_path,
            "run_fields": run_fields}


def _torch_installed() -> bool:
    try:
        import torch  # noqa: F401 - a live run imports it anyway
    except ImportError:
        return False
    return True


def _execute(args, plan, collected: list, properties: list) -> None:
    """Run the behaviours (and properties), appending to ``collected``/``properties`` as they finish, so an
    interrupted run still has what ran."""
    from .runner import run_catalogue

    progress = _progress(sys.stderr)

    def keep(done, total, result):
        collected.append(result)
        progress(done, total, result)

    if plan["document"] is not None:
        _run_against(args, plan["scenarios"], plan["document"], keep)
        return
    print(f"conformance: {len(plan['scenarios'])} behaviours, implementation {args.impl}, torch "
          f"{plan['torch_version']} (live), judged at the {args.level} level", file=sys.stderr)
    run_catalogue(plan["scenarios"], args.impl, progress=keep, level=args.level, surface_data=plan["surface"].data)
    if args.properties != "none":
        _run_properties(args, plan, properties)


def _output_paths(args) -> tuple:
    """The results and report paths, checked now (not after the run). A partial run (--select, --exclude)
    with the default paths writes beside them (conformance-partial.*), so it never replaces a full report."""
    partial = bool(args.select or args.exclude)
    chosen = []
    for option, path, default in (("--json", args.json, DEFAULT_JSON), ("--html", args.html, DEFAULT_HTML)):
        if not path:
            chosen.append(None)
            continue
        if partial and path == default:
            path = default.replace("conformance.", "conformance-partial.")
        chosen.append(_writable(option, path))
    return tuple(chosen)


def _writable(option: str, path: str) -> str:
    target = os.path.abspath(path)
    parent = os.path.dirname(target)
    if os.path.isdir(target):
        raise UsageProblem(f"{option} {path}: is a directory; give a file name")
    existing = parent
    while existing and not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if existing and not os.path.isdir(existing):
        raise UsageProblem(f"{option} {path}: {existing} is not a directory")
    if existing and not os.access(existing, os.W_OK):
        raise UsageProblem(f"{option} {path}: cannot write in {existing}")
    if path.startswith("/proc/") or path.startswith("/sys/"):
        raise UsageProblem(f"{option} {path}: not a place for files")
    return path


def _without_skipped(scenarios, known_gaps, torch_version, level) -> tuple:
    """Scenarios to run, and Results for those an expectations entry says to skip."""
    from .runner import failure_result

    if not known_gaps:
        return scenarios, []
    keep, skipped = [], []
    for scenario in scenarios:
        entry = expectations.find(known_gaps, scenario.id, torch_version, level)
        if entry is not None and entry.status == "skip":
            skipped.append(failure_result(scenario, "skip", f"skipped by the expectations file: {entry.reason}"))
        else:
            keep.append(scenario)
    return keep, skipped


def _finish(args, run, plan) -> int:
    """Expectations, outputs, the summary and the exit status of a run."""
    known_gaps, torch_version = plan["known_gaps"], plan["torch_version"]
    against = plan["document"]["path"] if plan["document"] is not None else None
    for result in run["results"]:
        repro.attach(result, args.impl, against, args.level)
    checked = None
    if known_gaps is not None:
        checked = expectations.apply(run["results"], known_gaps, torch_version, args.level)
        run["run"]["expectations"] = {"file": str(args.expectations), **checked}
    _write_outputs(run, plan["json"], plan["html"])
    if args.write_expectations:
        header = (f"Known gaps of {args.impl} against torch {torch_version}, written by "
                  f"`python -m conformance run --write-expectations` on {run['run']['date']}.\n"
                  f"Each entry: a behaviour (and level) that did not pass, and why (its first difference).")
        path = expectations.write_baseline(run["results"], args.write_expectations, header)
        print(f"conformance: expectations baseline written to {path}", file=sys.stderr)
    code = _print_summary(run)
    if checked is None:
        return code
    return _expectations_exit(checked, args.strict_expectations, run)


def _expectations_exit(checked: dict, strict: bool, run: dict) -> int:
    counts = checked["counts"]
    print(f"conformance: expectations {run['run']['expectations']['file']}: {counts['pass']} pass, "
          f"{counts['expected']} as expected, {counts['unexpected']} unexpected, {counts['xpass']} XPASS",
          file=sys.stderr)
    for result in run["results"]:
        verdict = (result.get("expectation") or {}).get("outcome")
        if verdict == "unexpected":
            print(f"  UNEXPECTED {result['status']:<15} {result['id']}: {result['message'][:200]}", file=sys.stderr)
        elif verdict == "xpass":
            print(f"  XPASS {result['id']} (expected {result['expectation']['status']}: "
                  f"{result['expectation']['reason']})", file=sys.stderr)
    for entry in checked["unused"]:
        print(f"conformance: warning: expectations {entry} matches no behaviour of this run", file=sys.stderr)
    failing_properties = any(p["status"] not in ("pass", "not-implemented") for p in run.get("properties") or [])
    return 1 if counts["unexpected"] or failing_properties or (strict and counts["xpass"]) else 0


def _run_properties(args, plan, properties: list) -> None:
    """The property tests (conformance/properties), each in its own process, appended to ``properties`` as
    they finish; the profile and seed go into the run's metadata first."""
    from .properties import profiles, session

    seed = None
    if args.properties not in ("ci", "quick"):  # a random profile: one seed for all, printed to repeat the run
        seed = args.hypothesis_seed if args.hypothesis_seed is not None else profiles.new_seed()
    plan["run_fields"]["hypothesis"] = {"profile": args.properties, "seed": seed}
    print(f"conformance: {len(session.LABELS)} property tests, hypothesis profile {args.properties}"
          f"{f' (--hypothesis-seed {seed})' if seed is not None else ' (derandomized)'}", file=sys.stderr)
    started = time.perf_counter()

    def progress(done, total, entry):
        properties.append(entry)
        print(f"[{done:>4}/{total}] {time.perf_counter() - started:6.1f}s {entry['status'].upper():<8} "
              f"{entry['name']}: {entry['examples']} examples; {shorten(entry['message'])}", file=sys.stderr)

    session.run_properties(args.impl, args.properties, seed, timeout=args.property_timeout,
                           regression_dir=args.regressions, progress=progress)


def _print_summary(run) -> int:
    summary = results.summary(run)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary["counts"].items()))
    level = run["run"].get("level", "exact")
    print(f"conformance: {counts} ({summary['percent_pass']}% pass at the {level} level)", file=sys.stderr)
    rates = ", ".join(f"{name} {entry['pass']}/{summary['total']} ({entry['percent_pass']}%)"
                      for name, entry in summary["levels"].items())
    print(f"conformance: pass by level: {rates}", file=sys.stderr)
    if summary["counts"].get("pass", 0) != summary["total"]:
        print("conformance: pass by category (semantic, exact / total): " + ", ".join(
            f"{name} {c['semantic']},{c['exact']}/{c['total']}" for name, c in summary["categories"].items()),
            file=sys.stderr)
    if summary["blocking"]:
        top = ", ".join(f"{b['name']} ({b['behaviours']})" for b in summary["blocking"][:10])
        print(f"conformance: missing names that block most behaviours: {top}", file=sys.stderr)
    failing = [p["name"] for p in run.get("properties") or [] if p["status"] != "pass"]
    if run.get("properties"):
        print(f"conformance: property tests: {len(run['properties']) - len(failing)} of {len(run['properties'])} "
              f"pass{': not passing ' + ', '.join(failing) if failing else ''}", file=sys.stderr)
    passed = summary["counts"].get("pass", 0) + summary["counts"].get("skip", 0)
    return 0 if passed == summary["total"] and not failing else 1


def _run_against(args, scenarios, document, progress) -> list:
    """The implementation alone, compared with a recording of real torch: no torch needed."""
    from . import recording

    version = document["torch"]["version"]
    lacking = recording.missing_from(scenarios, document)
    print(f"conformance: {len(scenarios) - len(lacking)} behaviours, implementation {args.impl}"
          f"{f' emulating torch {version}' if emulates(args.impl) else ''}, against {document['path']} "
          f"(torch {document['torch'].get('full_version') or version}, recorded "
          f"{(document.get('recorded') or {}).get('date', '?')}), judged at the {args.level} level",
          file=sys.stderr)
    if lacking:
        print(f"conformance: {len(lacking)} behaviours are not in this recording and are left out (re-record it "
              f"to check them): {', '.join(lacking[:10])}{' …' if len(lacking) > 10 else ''}", file=sys.stderr)
    return recording.run_against(scenarios, args.impl, document, progress=progress, level=args.level)


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
        output = _writable("-o", args.output)
        runs = [results.read(path) for path in args.results]
    except (ResultsFileError, UsageProblem) as error:
        print(f"conformance: {error}", file=sys.stderr)
        return 2
    print(f"conformance: report written to {render.write_html(runs, output)}", file=sys.stderr)
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
    run.add_argument("--exclude", nargs="*", help="leave out behaviours whose id starts with one of these")
    run.add_argument("--against", metavar="RECORDING",
                     help="compare with a recording of real torch instead of the installed torch: a name in "
                          "conformance/recordings/ (torch-2.5.1) or a path; needs no torch. An implementation "
                          "with emulate(version), like reference_impl, emulates the recorded version")
    run.add_argument("--level", default=DEFAULT_LEVEL, choices=LEVELS,
                     help="judge statuses on the semantic fields only (values, grads, shapes, dtypes by name, "
                          "errors' types, hook order) or on everything torch shows (exact: also names, messages, "
                          "warnings, repr, _version; default). Results carry both levels either way")
    run.add_argument("--expectations", metavar="FILE", default=None,
                     help="TOML file of known gaps (see conformance/expectations.py): a run whose results all match "
                          "it exits 0, an unexpected failure exits 1")
    run.add_argument("--strict-expectations", action="store_true",
                     help="with --expectations: a behaviour expected to fail that passes (XPASS) also exits 1")
    run.add_argument("--write-expectations", metavar="FILE", default=None,
                     help="write this run's baseline: one entry per behaviour that did not pass, its reason the "
                          "first difference")
    run.add_argument("--properties", default="none", choices=("none", "dev", "quick", "ci", "thorough"),
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

    repro.add_subcommand(sub)

    listing = sub.add_parser("list", help="print the behaviour catalogue")
    listing.add_argument("--select", nargs="*")
    listing.add_argument("-v", "--verbose", action="store_true", help="also print each behaviour's source")
    listing.set_defaults(func=cmd_list)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's own flush at exit
        return code
    except BrokenPipeError:  # `list -v | head`: the reader has gone; nothing left to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the flush at exit is quiet too
        return 0
    except catalogue.SelectionError as error:
        print(f"conformance: {error}", file=sys.stderr)
        return 2
