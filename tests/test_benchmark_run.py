"""``python benchmarks/run.py`` stays runnable: one small model pair, a few interleaved runs."""

from __future__ import annotations

import importlib.util
import re

from fixtures_path import ROOT, require


def test_benchmark_prints_litert_and_float_ratios(capsys):
    require("ai_edge_litert")
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.main(["mobilenetv2_035_96__float", "mobilenetv2_035_96__int8", "--runs", "3"])
    lines = capsys.readouterr().out.splitlines()
    ratio = re.compile(r"\d+\.\d+x")
    for name in ("mobilenetv2_035_96__float", "mobilenetv2_035_96__int8"):
        (row,) = [ln for ln in lines if ln.startswith(name) and (" ms " in ln or " us " in ln)]
        assert len(ratio.findall(row)) == 2, row  # ours / LiteRT: median and fastest runs
    (against,) = [ln for ln in lines if "our float run" in ln]
    assert against.startswith("mobilenetv2_035_96__int8") and len(ratio.findall(against)) == 2


def test_revision_comparison_runs_both_packages_side_by_side(capsys):
    """``benchmarks/against.py HEAD`` installs the committed package under another name and
    times it beside this tree: the same code, so the outputs agree."""
    path = ROOT / "benchmarks" / "against.py"
    spec = importlib.util.spec_from_file_location("bench_against", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.main(["HEAD", "sine_float", "--runs", "1"])
    lines = capsys.readouterr().out.splitlines()
    (row,) = [ln for ln in lines if ln.startswith("sine_float")]
    assert "DIFFER" not in row and re.search(r" \d+\.\d{3}$", row), row
