"""The per-layer error report and the ``edgelite quantize`` command."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fixtures_path import find, require

from edgelite.cli import main
from edgelite.quant import report
from edgelite.quantization import quantize


def test_report_ranks_layers_worst_first_and_suggests_exclusions(tmp_path):
    require("ai_edge_litert")
    float_path = find("mobilenetv2_035_96__float.tflite")
    data = find("mobilenetv2_035_96.inputs.npz")
    res = quantize(float_path, data)
    rep = report(float_path, res, data)
    sqnrs = [r.sqnr_db for r in rep.ranked()]
    assert sqnrs == sorted(sqnrs) and len(sqnrs) >= 60  # every quantized op matched by name
    assert 30 < rep.model["sqnr_db"] < 60 and rep.model["cosine"] > 0.999
    assert 1 <= len(rep.suggest) <= 3
    names = {r.tensor for r in rep.layers}
    assert set(rep.suggest) <= names
    d = json.loads(rep.to_json(tmp_path / "r.json"))
    assert d["layers"][0]["sqnr_db"] == min(sqnrs)
    assert "model: SQNR" in rep.table()
    pytest.importorskip("matplotlib")  # in the test extras; optional for users
    assert rep.plot(tmp_path / "r.png") is True
    assert (tmp_path / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # excluding the suggested ops keeps them float and does not make the model worse
    better = quantize(float_path, data, exclude=rep.suggest)
    assert len(better.plan["float_ops"]) == len(rep.suggest)
    assert report(float_path, better, data).model["sqnr_db"] >= rep.model["sqnr_db"] - 0.2


def _cli(*args):
    """The real ``edgelite`` group: click caches a command's help option the first time it
    is built, so a standalone group here would change docs/CLI.md's rendering later."""
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_quantize_writes_model_json_and_report(tmp_path):
    require("ai_edge_litert")
    model, data = find("dense_mlp__float.tflite"), find("dense_mlp.inputs.npz")
    out, rep = tmp_path / "q.tflite", tmp_path / "r.json"
    res = _cli("quantize", model, "-o", out, "-c", data, "--report", rep, "--json")
    assert res.exit_code == 0, res.output
    info = json.loads(res.output)
    assert info["mode"] == "int8" and info["size"] == out.stat().st_size
    assert json.loads(rep.read_text())["model"]["sqnr_db"] > 30
    res = _cli("quantize", model, "-o", out, "-c", data)
    assert res.exit_code == 2 and "--force" in res.output
    res = _cli(
        "quantize",
        model,
        "-o",
        out,
        "--force",
        "--method",
        "mse",
        "--input-type",
        "float32",
        "--exclude",
        "StatefulPartitionedCall_1:0",
        "-c",
        data,
    )
    assert res.exit_code == 0 and "kept float: op 2 SOFTMAX" in res.output


@pytest.mark.parametrize("mode", ["dynamic", "float16"])
def test_cli_weight_only_modes_need_no_data(tmp_path, mode):
    res = _cli(
        "quantize", find("conv_relu__float.tflite"), "-o", tmp_path / "q.tflite", "--mode", mode
    )
    assert res.exit_code == 0, res.output


def test_cli_int8_without_calibration_is_one_clear_line(tmp_path):
    res = _cli("quantize", find("conv_relu__float.tflite"), "-o", tmp_path / "q.tflite")
    assert res.exit_code == 1
    assert res.output.startswith("error: mode 'int8' needs calibration data")


def test_cli_report_never_lands_on_the_model_or_an_existing_file(tmp_path):
    model = tmp_path / "m.tflite"
    model.write_bytes(find("dense_mlp__float.tflite").read_bytes())
    data, out = find("dense_mlp.inputs.npz"), tmp_path / "q.tflite"
    res = _cli("quantize", model, "-o", out, "-c", data, "--report", model)
    assert res.exit_code == 2 and "which is the model or OUTPUT" in res.output
    assert model.read_bytes() == find("dense_mlp__float.tflite").read_bytes()
    old = tmp_path / "r.json"
    old.write_text("earlier report")
    res = _cli("quantize", model, "-o", out, "-c", data, "--report", old)
    assert res.exit_code == 2 and "exists" in res.output and old.read_text() == "earlier report"
    assert not out.exists()  # refused before any work
