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
