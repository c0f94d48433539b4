"""Writing the harness's output files: whole or not at all."""
from __future__ import annotations

import os
from pathlib import Path


def write_atomically(text: str, path) -> Path:
    """Write ``text`` to ``path`` through a temporary file beside it: a reader never sees half a file,
    and an interrupted write leaves the previous file in place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
