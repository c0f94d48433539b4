"""Output files are written whole or not at all."""
from __future__ import annotations

import pytest

from conformance import files


def test_writes_the_text_and_leaves_no_temporary_file(tmp_path):
    path = files.write_atomically("new text", tmp_path / "deeper" / "report.html")
    assert path.read_text(encoding="utf-8") == "new text"
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]


def test_an_interrupted_write_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    path.write_text("previous")

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomically("half", path)
    assert path.read_text() == "previous" and [p.name for p in tmp_path.iterdir()] == ["results.json"]
