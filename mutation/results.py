"""A mutation run's results file, the equivalent-mutant list, and kill rates by module."""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

from conformance.files import write_atomically

from .execute import KILLED, NOT_VIABLE, SURVIVED

HERE = Path(__file__).parent
EQUIVALENT_FILE = HERE / "equivalent.toml"
DEFAULT_OUTPUT = Path(".mutation") / "results.json"


class ResultsFileError(ValueError):
    pass


def equivalents(path: Path = EQUIVALENT_FILE) -> dict:
    """Mutant id -> why no user could observe it (mutation/equivalent.toml)."""
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ResultsFileError(f"mutation: cannot read {path}: {error}") from None
    table = data.get("equivalent", {})
    empty = [key for key, reason in table.items() if not str(reason).strip()]
    if empty:
        raise ResultsFileError(f"mutation: {path}: {empty[0]} has no reason")
    return dict(table)


def write(document: dict, path) -> Path:
    return write_atomically(json.dumps(document, indent=1) + "\n", path)


def read(path) -> dict:
    try:
        document = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise ResultsFileError(f"mutation: cannot read results {path}: {error}") from None
    if not isinstance(document, dict) or "verdicts" not in document:
        raise ResultsFileError(f"mutation: {path} is not a mutation results file (no 'verdicts')")
    return document


def _stage(verdict: dict) -> str:
    """"catalogue", "properties", "survived" or "not-viable"."""
    if verdict["outcome"] == NOT_VIABLE:
        return "not-viable"
    if verdict["outcome"] == SURVIVED:
        return "survived"
    return "properties" if verdict["by"].startswith("property|") or verdict.get("stage") == "properties" \
        else "catalogue"


def rates(verdicts, equivalent: dict) -> list:
    """Rows per module, then a total row: mutants, viable, noticed by the catalogue, with the properties,
    survivors listed as equivalent, survivors not yet explained, the two kill rates (of viable) and the
    mutation score (noticed with the properties, of the viable mutants that are not equivalent)."""
    rows: dict = {}
    for verdict in verdicts:
        row = rows.setdefault(verdict["module"], dict.fromkeys(
            ("mutants", "viable", "catalogue", "properties", "equivalent", "unexplained"), 0))
        stage = _stage(verdict)
        row["mutants"] += 1
        if stage == "not-viable":
            continue
        row["viable"] += 1
        if stage == "survived":
            row["equivalent" if verdict["mutant"] in equivalent else "unexplained"] += 1
        else:
            row[stage] += 1
    total = {key: sum(row[key] for row in rows.values()) for key in
             ("mutants", "viable", "catalogue", "properties", "equivalent", "unexplained")}
    table = [{"module": module, **row} for module, row in sorted(rows.items())] + [{"module": "all", **total}]
    for row in table:
        viable = row["viable"] or 1
        row["catalogue_rate"] = row["catalogue"] / viable
        row["with_properties_rate"] = (row["catalogue"] + row["properties"]) / viable
        observable = row["viable"] - row["equivalent"]
        row["score"] = (row["catalogue"] + row["properties"]) / observable if observable else 1.0
    return table


def markdown(table) -> str:
    lines = ["| module | mutants | viable | catalogue | + properties | equivalent | unexplained "
             "| catalogue kill rate | with properties | score (of non-equivalent) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in table:
        name = f"**{row['module']}**" if row["module"] == "all" else f"`{row['module']}`"
        lines.append(f"| {name} | {row['mutants']} | {row['viable']} | {row['catalogue']} | {row['properties']} "
                     f"| {row['equivalent']} | {row['unexplained']} | {row['catalogue_rate']:.1%} "
                     f"| {row['with_properties_rate']:.1%} | {row['score']:.1%} |")
    return "\n".join(lines)


def survivors(verdicts, equivalent: dict) -> list:
    """Viable mutants nothing noticed and that are not listed as equivalent."""
    return [v for v in verdicts if v["outcome"] == SURVIVED and v["mutant"] not in equivalent]


def merge(old: list, new: list) -> list:
    """Verdicts of ``new`` replace those of ``old`` for the same mutant (re-checking survivors)."""
    by_id = {v["mutant"]: v for v in old}
    by_id.update({v["mutant"]: v for v in new})
    return sorted(by_id.values(), key=lambda v: v["mutant"])


__all__ = ["KILLED", "equivalents", "markdown", "merge", "rates", "read", "survivors", "write"]
