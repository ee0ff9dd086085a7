"""edgelite export-c: the C++ compiles against TFLite Micro's API and holds the exact bytes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fixtures_path import oracle_dir
from tflm_cpp import compile_and_run

from edgelite.cli import main
from edgelite.export_c import bytes_from_source, export_c


@pytest.mark.parametrize(
    "name", ["mobilenetv2_035_96__int8", "attention__int8", "concat_pad_reshape__int8_floatio"]
)
def test_generated_cpp_compiles_and_round_trips(tmp_path, name):
    model = oracle_dir() / f"{name}.tflite"
    res = export_c(model, tmp_path / "out", name=name, arena_size=None)
    assert bytes_from_source(res.source) == model.read_bytes()
    compile_and_run(tmp_path, res.header, res.source, name, len(res.ops))
    assert res.arena_size > 0


def test_cli_refuses_to_overwrite_and_reports(tmp_path):
    model = oracle_dir() / "dense_mlp__int8.tflite"
    args = ["export-c", str(model), "-o", str(tmp_path), "--arena-size", "4096", "--json"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    d = json.loads(first.output)
    assert d["arena_size"] == 4096 and d["arena_source"] == "given"
    assert d["ops"] == ["FULLY_CONNECTED", "SOFTMAX"]
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1 and "exists" in again.output
    forced = CliRunner().invoke(main, args + ["--force"])
    assert forced.exit_code == 0
