"""Every shrunk counterexample in tests/properties/regressions/ replays on every run and every torch
version: the implementation must now behave like torch on it (or, for the oracle's, not be wrong).

Files are written by the property tests when CONFORMANCE_SAVE_REGRESSIONS=1 (see conformance/properties/corpus.py).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.properties import corpus, execution, oracle

REGRESSIONS = Path(__file__).parent / "regressions"

FILES = corpus.files(REGRESSIONS)


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_counterexample_stays_fixed(path, torch_module, impl_module):
    check, program, data = corpus.load(path)
    if check == "oracle":
        verdict = oracle.check(program, torch_module, impl_module, int(data.get("seed", 0)))
        assert verdict.attribution != "implementation wrong", oracle.describe(verdict)
        return
    execution.check_program(program, torch_module, impl_module, data.get("property", path.stem),
                            step_by_step=check == "step_by_step")


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_corpus_file_is_named_by_its_program(path):
    _, program, data = corpus.load(path)
    assert path == corpus.path_for(data["property"], program, REGRESSIONS), "rename it: the name is its program's hash"
    assert json.loads(path.read_text()) == data
