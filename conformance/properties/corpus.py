"""The regression corpus: shrunk counterexamples kept as JSON files and replayed by every run.

One file per counterexample, named ``<property>-<hash of the program>.json``,
so saving the same program twice writes the same file. A file holds the
program, which check replays it (``differential``: compare torch and the
implementation at the end; ``step_by_step``: after every step, as the state
machine does; ``oracle``: the finite-difference check) and, for people, what
was seen when it was found.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from .programs import Program

SAVE_ENV = "CONFORMANCE_SAVE_REGRESSIONS"
CHECKS = ("differential", "step_by_step", "oracle")


def should_save() -> bool:
    return os.environ.get(SAVE_ENV, "").strip().lower() in ("1", "true", "yes")


def program_hash(program: Program) -> str:
    return hashlib.sha256(program.to_json(sort_keys=True).encode()).hexdigest()[:10]


def path_for(label: str, program: Program, directory) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
    return Path(directory) / f"{slug}-{program_hash(program)}.json"


def entry(label: str, program: Program, check: str, found: list, note: str = "") -> dict:
    if check not in CHECKS:
        raise ValueError(f"check {check!r} is not one of {CHECKS}")
    return {"property": label, "check": check, "note": note, "found": [str(line) for line in found[:12]],
            "program": program.as_json()}


def save(path, data: dict) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    return path


def load(path) -> tuple:
    """(check, program, data) from a corpus file; errors name the file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
        check = data.get("check", "differential")
        if check not in CHECKS:
            raise ValueError(f"unknown check {check!r}")
        return check, Program.from_json(data["program"]), data
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path}: not a usable regression file: {error}") from None


def files(directory) -> list:
    return sorted(Path(directory).glob("*.json"))
