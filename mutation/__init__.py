"""Mutation testing of reference_impl: does the catalogue notice a planted bug? (docs/mutation.md)

sites.py    where the engine can be mutated, and a mutant's source
sample.py   which mutants to run: all, or a seeded sample spread over every module
probe.py    running behaviours on an engine against recordings, and importing a mutated engine
reach.py    which behaviours run which lines (coverage.py), so each mutant runs only those
execute.py  one mutant checked in forked processes: the catalogue, then the property tests
results.py  the results file, the equivalent mutants (equivalent.toml), kill rates by module
"""
