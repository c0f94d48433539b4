"""The mutation-testing tool (mutation/): where it mutates, that a mutant changes one thing, the seeded
sample, which behaviours check a mutant, and a small fixed sample run end to end against recordings."""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mutation import reach, results, sample, sites

REPO = Path(__file__).resolve().parents[2]

SOURCE = '''"""Module docstring: never mutated."""
from __future__ import annotations


def f(x: int | None = 3, *, doc="kept") -> int:
    """Docstring: never mutated."""
    if x > 1 and x != 2:
        print("big")
    return x + 1


TABLE = Feature(since=(("1.13", True),), doc="documentation, not behaviour", shown_by=(("a", "b"),))
'''


def _changes(mutant, source=SOURCE):
    before = ast.unparse(ast.parse(source)).splitlines()
    after = sites.apply(mutant, source).splitlines()
    return [(b, a) for b, a in zip(before, after) if b != a]


def test_every_kind_of_site_is_found_and_documentation_is_not():
    found = {m.change: m for m in sites.mutants_of("m.py", SOURCE)}
    assert {m.kind for m in found.values()} == {"arithmetic", "comparison", "boolean", "number", "message",
                                                "condition", "call"}
    assert {"Gt>GtE", "NotEq>Eq", "And>Or", "Add>Sub", "3>4", "1>2", "'big'>'XX'+...", "if: not(...)",
            "print(...) removed", "'1.13'>'XX'+...", "True>False"} <= set(found)
    texts = " ".join(found)
    for untouched in ("docstring", "Docstring", "documentation", "'a'", "BitOr"):
        assert untouched not in texts, untouched
    assert "'kept'>'XX'+..." in found  # a parameter's default named doc is code, unlike a doc= keyword


def test_a_mutant_changes_exactly_its_site():
    for mutant in sites.mutants_of("m.py", SOURCE):
        changed = _changes(mutant)
        assert len(changed) == 1, (mutant.id, changed)
        compile(sites.apply(mutant, SOURCE), "m.py", "exec")
    negated = next(m for m in sites.mutants_of("m.py", SOURCE) if m.kind == "condition")
    assert _changes(negated) == [("    if x > 1 and x != 2:", "    if not (x > 1 and x != 2):")]
    assert (negated.line, negated.end_line) == (7, 7)


def test_ids_are_unique_stable_and_refuse_another_source():
    first, again = sites.all_mutants(), sites.all_mutants()
    assert [m.id for m in first] == [m.id for m in again]
    assert len({m.id for m in first}) == len(first) > 1000
    assert {m.module for m in first} == {m for m in sites.modules() if m.endswith(".py")} - {"utils/__init__.py",
                                                                                         "nn/__init__.py",
                                                                                         "optim/__init__.py"}
    mutant = sites.mutants_of("m.py", SOURCE)[0]
    with pytest.raises(ValueError, match="does not match this source"):
        sites.apply(mutant, "x = 1\n")


def test_the_sample_is_seeded_and_spread_over_every_module():
    everything = sites.all_mutants()
    one, same, other = (sample.spread(everything, 300, seed) for seed in (7, 7, 8))
    assert [m.id for m in one] == [m.id for m in same] != [m.id for m in other]
    assert {m.module for m in one} == {m.module for m in everything}
    assert 290 <= len(one) <= 330
    assert sample.spread(everything, None, 0) == sorted(everything, key=lambda m: m.id)
    with pytest.raises(ValueError, match="--module"):
        sample.select(everything, ["nothing/*.py"])


def test_reach_picks_the_behaviours_that_run_the_changed_function():
    mutants = {m.id: m for m in sites.mutants_of("m.py", SOURCE)}
    lines = {"m.py": {7: {("r", "a")}, 8: {("r", "b")}, 9: {("r", "a"), ("r", "c")}, 12: {("r", "d")}}}
    scope = reach.Reach(lines)
    scope._trees["m.py"] = [(5, 9, (6, 9), True)]  # f: def on line 5, body from its docstring on line 6
    by_change = {m.change: m for m in mutants.values()}
    # every behaviour that runs f, also those that skip the changed line (it may sit behind a cache)
    assert scope.pairs(by_change["Add>Sub"]) == {("r", "a"), ("r", "b"), ("r", "c")}
    assert scope.pairs(by_change["print(...) removed"]) == {("r", "a"), ("r", "b"), ("r", "c")}
    assert scope.pairs(by_change["3>4"]) == {("r", "a"), ("r", "b"), ("r", "c")}  # a default: the body's
    assert scope.pairs(by_change["True>False"]) is None  # module level: runs at import, every behaviour
    lines["m.py"][9].add(reach.IMPORT)  # a function the engine's import calls (building its tables)
    assert scope.pairs(by_change["Add>Sub"]) is None
    plan = [[("r", "a"), ("r", "b")], [("r", "c")], [("s", "a")]]
    assert reach.restrict(plan, {("r", "b"), ("s", "a")}) == [[("r", "b")], [("s", "a")]]
    assert reach.restrict(plan, None) == plan


def test_equivalent_mutants_name_existing_mutants_with_a_reason():
    known = {m.id for m in sites.all_mutants()}
    listed = results.equivalents()
    assert not set(listed) - known, "equivalent.toml lists mutants that no longer exist"


def test_kill_rates_count_viable_mutants_by_stage():
    verdicts = [{"mutant": "a", "module": "x.py", "outcome": "killed", "by": "torch-2.13.0|s", "stage": "catalogue"},
                {"mutant": "b", "module": "x.py", "outcome": "killed", "by": "property|p", "stage": "properties"},
                {"mutant": "c", "module": "x.py", "outcome": "survived", "by": "", "stage": "properties"},
                {"mutant": "d", "module": "x.py", "outcome": "survived", "by": "", "stage": "properties"},
                {"mutant": "e", "module": "y.py", "outcome": "not-viable", "by": "", "stage": "catalogue"}]
    rows = {row["module"]: row for row in results.rates(verdicts, {"c": "why"})}
    assert rows["x.py"] | {} == {**rows["x.py"], "mutants": 4, "viable": 4, "catalogue": 1, "properties": 1,
                                 "equivalent": 1, "unexplained": 1, "catalogue_rate": 0.25,
                                 "with_properties_rate": 0.5, "score": 2 / 3}
    assert rows["all"]["mutants"] == 5 and rows["all"]["viable"] == 4
    assert [v["mutant"] for v in results.survivors(verdicts, {"c": "why"})] == ["d"]


FIXED_SAMPLE = {
    # a node's name, the gradient accumulation, a default that only torch 1.13's recording shows, and a
    # survivor listed in mutation/equivalent.toml
    "ops/pointwise.py:<module>:'ExpBackward0'>'XX'+...#1": "killed",
    "ops/_math.py:ArrayMath.accumulate_into:1>2#1": "killed",
    "_behaviour.py:<module>:False>True#1": "killed",
    "_behaviour.py:<module>:'RuntimeError'>'XX'+...#2": "survived",
}


@pytest.mark.slow
def test_a_fixed_sample_runs_end_to_end_against_recordings(tmp_path):
    """The fast stage on a few mutants, as docs/mutation.md runs it: the killed ones are killed, the
    equivalent one survives, and the results file and summary say so (about a minute: the coverage pass
    runs every recording once)."""
    known = {m.id for m in sites.all_mutants()}
    assert set(FIXED_SAMPLE) <= known, sorted(set(FIXED_SAMPLE) - known)
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(FIXED_SAMPLE) + "\n")
    output = tmp_path / "results.json"
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    run = subprocess.run([sys.executable, "-m", "mutation", "run", "--ids", str(ids), "--properties", "none",
                          "--jobs", "1", "--output", str(output)], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    document = json.loads(output.read_text())
    assert document["complete"] and document["source_hash"] == sites.source_hash()
    assert {v["mutant"]: v["outcome"] for v in document["verdicts"]} == FIXED_SAMPLE
    by = {v["mutant"]: v["by"] for v in document["verdicts"]}
    assert by["_behaviour.py:<module>:False>True#1"].startswith("torch-1.13.1|")  # the version that differs
    assert all(by[m].startswith("torch-2.13.0|") for m in list(FIXED_SAMPLE)[:2])
    summary = subprocess.run([sys.executable, "-m", "mutation", "summary", str(output)], cwd=tmp_path, env=env,
                             capture_output=True, text=True)
    assert "| **all** | 4 | 4 | 3 | 0 | 1 | 0 | 75.0% | 75.0% | 100.0% |" in summary.stdout


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for args, text in ((["show", "no/such.py:f:Add>Sub#1"], "no mutant"),
                       (["summary", str(tmp_path / "missing.json")], "cannot read results"),
                       (["list", "--module", "nothing.py"], "--module")):
        done = subprocess.run([sys.executable, "-m", "mutation", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 2 and text in done.stderr and len(done.stderr.strip().splitlines()) == 1, done


def test_the_reported_kill_rates_are_those_of_the_committed_results():
    """README and docs/mutation.md show the table of mutation/results-sample-2026.json, for the ids of the
    committed sample, with today's equivalents."""
    root = Path(__file__).resolve().parents[2]
    document = results.read(root / "mutation" / "results-sample-2026.json")
    sample = {line.strip() for line in (root / "mutation" / "sample-2026.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")}
    assert {v["mutant"] for v in document["verdicts"]} == sample
    table = results.markdown(results.rates(document["verdicts"], results.equivalents()))
    assert table in (root / "README.md").read_text()
    assert table in (root / "docs" / "mutation.md").read_text()
