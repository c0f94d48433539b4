"""Property-based differential testing: generated autograd programs, run on torch and on an implementation.

programs.py   a program as plain data (leaves + steps), JSON round trip
codegen.py    program -> Python source (the harness runs exactly what a repro script shows)
runtime.py    what generated code calls besides ``t``: per-step error capture, hook recording
execution.py  run a program on one side, observe it, compare both sides, explain a divergence
strategies.py hypothesis strategies: shapes, leaves, programs (by focus)
oracle.py     finite differences in float64: who is right when the sides disagree
suites.py     the properties themselves, shared by the tests and the meta-tests
profiles.py   hypothesis profiles dev / ci / thorough and the example budgets
corpus.py     the regression corpus of shrunk counterexamples (tests/properties/regressions)
reporting.py  property outcomes as plain data for the results file
session.py    every property in its own process, for ``python -m conformance run --properties``
"""
