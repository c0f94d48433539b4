"""Results of `run --against` (one per recording) and of live runs merge into one behaviour x torch-version
matrix, columns in version order and labelled by torch version."""
from __future__ import annotations

import re

from conformance import cli, results
from conformance.report import render


def test_against_and_live_runs_merge_into_a_version_matrix(tmp_path):
    paths = []
    for name in ("torch-2.14.1", "torch-1.13.1", "torch-2.5.1"):
        path = tmp_path / f"{name}.json"
        assert cli.main(["run", "--against", name, "--select", "optim.zero_grad_sets_none", "backward.accumulates_over_calls",
                         "--json", str(path), "--html", ""]) == 0
        paths.append(path)
    runs = [results.read(p) for p in paths]
    live = results.read(paths[1])
    live["run"].update(torch_version="2.13.0+cpu", torch_source="live", reference="torch")
    del live["run"]["recording"]
    page = render.render_html(runs + [live])
    header = re.search(r'<table class="matrix">\s*<thead><tr>(.*?)</tr></thead>', page, re.S).group(1)
    labels = re.findall(r'<th scope="col">([^<]*)</th>', header)
    assert labels == ["behaviour", "torch 1.13.1 (recorded) / reference_impl", "torch 2.5.1 (recorded) / reference_impl",
                      "torch 2.13.0+cpu / reference_impl", "torch 2.14.1 (recorded) / reference_impl"]
    rows = {behaviour: classes for classes, behaviour in
            re.findall(r'<tr class="(matrix-row[^"]*)"[^>]*>\s*<th scope="row">.*?<code>([^<]*)</code>', page, re.S)}
    assert rows["optim.zero_grad_sets_none"] == "matrix-row drift"  # torch's own behaviour changed in 2.0
    assert rows["backward.accumulates_over_calls"] == "matrix-row"
    assert "recording torch-1.13.1.json" in page  # the summary names what each column was compared with
