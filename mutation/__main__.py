"""``python -m mutation``: mutation testing of reference_impl against the catalogue (docs/mutation.md).

  run      check mutants (all, or ``--sample N --seed S`` spread over every module) and write the results
  summary  kill rates by module from a results file (``--markdown`` for docs/mutation.md and the README)
  list     the mutants, one id per line
  show ID  the mutant's change as a diff
"""
from __future__ import annotations

import argparse
import ast
import difflib
import multiprocessing
import os
import sys
import time
from datetime import datetime, timezone

from . import execute, reach, results, sample, sites

DEFAULT_PROFILE = "quick"


def _mutants(args) -> list:
    chosen = sample.select(sites.all_mutants(), args.module)
    if getattr(args, "ids", None):
        wanted = set(_read_ids(args.ids))
        unknown = wanted - {m.id for m in chosen}
        if unknown:
            raise ValueError(f"mutation: {args.ids}: no such mutant {sorted(unknown)[0]!r}")
        chosen = [m for m in chosen if m.id in wanted]
    return sample.spread(chosen, args.sample, args.seed)


def _read_ids(path) -> list:
    try:
        with open(path, encoding="utf-8") as handle:
            return [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    except OSError as error:
        raise ValueError(f"mutation: cannot read --ids {path}: {error}") from None


# The pool's processes inherit these by fork: the catalogue, the recordings and the plan are loaded once.
_SHARED: dict = {}


def _check(mutant: sites.Mutant) -> dict:
    plan = reach.restrict(_SHARED["plan"], _SHARED["reach"].pairs(mutant))
    verdict = execute.check(mutant, plan, _SHARED["docs"])
    stage = "catalogue"
    if verdict.outcome == execute.SURVIVED and _SHARED["properties"]:
        spent = verdict.seconds
        verdict = execute.check_properties(mutant, _SHARED["labels"], _SHARED["properties"], _SHARED["timeout"])
        verdict.seconds += spent
        stage = "properties"
    return {**mutant.as_dict(), **verdict.as_dict(), "stage": stage}


def _run(args) -> int:
    from conformance import catalogue
    from conformance.properties import session

    mutants = _mutants(args)
    recordings = execute.recording_order(args.recordings)
    if not recordings:
        raise ValueError(f"mutation: no recordings (torch-*.json) in {args.recordings} (--recordings)")
    _SHARED.update(docs=execute.probe.documents(recordings), properties=None if args.properties == "none"
                   else args.properties, labels=session.LABELS, timeout=args.property_timeout)
    catalogue.load_all()
    if _SHARED["properties"]:
        import torch  # noqa: F401 - imported once here rather than in every forked check
    _SHARED["plan"] = execute.batches(_SHARED["docs"])
    started = time.perf_counter()
    lines, failing = reach.collect(_SHARED["plan"], _SHARED["docs"])
    if failing:
        (name, scenario_id), status, message = failing[0]
        print(f"mutation: the unmutated engine already fails {scenario_id} against {name} ({status}: {message}); "
              f"fix that first", file=sys.stderr)
        return 2
    _SHARED["reach"] = reach.Reach(lines)
    print(f"mutation: which behaviours run which lines, in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    document = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "seed": args.seed,
                "sample": args.sample, "modules": args.module or ["*"], "source_hash": sites.source_hash(),
                "recordings": [name for name, _ in recordings], "properties": _SHARED["properties"], "complete": False, "verdicts": []}
    if args.merge and os.path.exists(args.output):
        document["verdicts"] = results.read(args.output)["verdicts"]
    new: list = []
    start = time.perf_counter()
    print(f"mutation: {len(mutants)} mutants, {len(_SHARED['plan'])} batches each at most "
          f"({len(recordings)} recordings), {args.jobs} at a time", file=sys.stderr)
    pool = multiprocessing.get_context("fork").Pool(args.jobs)
    try:
        for done, verdict in enumerate(pool.imap_unordered(_check, mutants), 1):
            new.append(verdict)
            if verdict["outcome"] == execute.SURVIVED:
                print(f"  survived: {verdict['mutant']} (line {verdict['line']})", file=sys.stderr)
            if done % 25 == 0 or done == len(mutants):
                print(f"  {done}/{len(mutants)} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
                _save(document, new, args.output)
        document["complete"] = True
    except KeyboardInterrupt:
        pool.terminate()
        print("mutation: interrupted; the results so far are written, marked incomplete", file=sys.stderr)
        return _finish(document, new, args.output, 130)
    finally:
        pool.terminate()
    return _finish(document, new, args.output, 0)


def _save(document, new, output) -> None:
    document["verdicts_new"] = len(new)
    results.write({**document, "verdicts": results.merge(document["verdicts"], new)}, output)


def _finish(document, new, output, code) -> int:
    document["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    _save(document, new, output)
    print(results.markdown(results.rates(new, results.equivalents())))
    print(f"results: {output}", file=sys.stderr)
    return code


def _summary(args) -> int:
    document = results.read(args.results)
    equivalent = results.equivalents()
    table = results.rates(document["verdicts"], equivalent)
    print(results.markdown(table))
    left = results.survivors(document["verdicts"], equivalent)
    if args.survivors:
        for verdict in left:
            print(f"{verdict['mutant']}\tline {verdict['line']}")
    total = table[-1]
    print(f"\nseed {document['seed']}, sample {document['sample']}, {'complete' if document['complete'] else 'INCOMPLETE'};"
          f" {total['unexplained']} survivors not listed as equivalent", file=sys.stderr)
    return 0


def _show(args) -> int:
    by_id = {m.id: m for m in sites.all_mutants()}
    mutant = by_id.get(args.id)
    if mutant is None:
        raise ValueError(f"mutation: no mutant {args.id!r} (python -m mutation list shows them)")
    original = (sites.package_dir() / mutant.module).read_text()
    before = ast.unparse(ast.parse(original)).splitlines()
    after = sites.apply(mutant, original).splitlines()
    path = f"{sites.PACKAGE}/{mutant.module}"
    print(f"# {mutant.id}: {mutant.kind}, source line {mutant.line}")
    sys.stdout.writelines(line + "\n" for line in difflib.unified_diff(before, after, path, path + " (mutant)", lineterm=""))
    return 0


def _list(args) -> int:
    for mutant in _mutants(args):
        print(f"{mutant.id}\tline {mutant.line}")
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m mutation", description=__doc__.splitlines()[0])
    commands = main.add_subparsers(dest="command", required=True)
    for name, handler in (("run", _run), ("list", _list)):
        command = commands.add_parser(name)
        command.set_defaults(handler=handler)
        command.add_argument("--sample", type=int, help="this many mutants, spread over the modules (default: all)")
        command.add_argument("--seed", type=int, default=0, help="the sample's seed (default 0)")
        command.add_argument("--module", action="append", help="only modules matching this glob (repeatable)")
        command.add_argument("--ids", help="only the mutants listed in this file, one id per line")
    run = commands.choices["run"]
    run.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    run.add_argument("--properties", default=DEFAULT_PROFILE, help="hypothesis profile of the second stage "
                     f"(default {DEFAULT_PROFILE}), or 'none' for the catalogue alone")
    run.add_argument("--property-timeout", type=float, default=300.0)
    run.add_argument("--output", default=str(results.DEFAULT_OUTPUT))
    run.add_argument("--recordings", help="a folder of recordings to run against (default: the committed ones)")
    run.add_argument("--merge", action="store_true", help="keep the output's other verdicts (re-check some mutants)")
    summary = commands.add_parser("summary")
    summary.set_defaults(handler=_summary)
    summary.add_argument("results", nargs="?", default=str(results.DEFAULT_OUTPUT))
    summary.add_argument("--survivors", action="store_true", help="also list the unexplained survivors")
    show = commands.add_parser("show")
    show.set_defaults(handler=_show)
    show.add_argument("id")
    return main


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except (ValueError, results.ResultsFileError) as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
