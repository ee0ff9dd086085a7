"""edgelite inspect's analysis: exact MACs of the matrix ops, parameters, totals, JSON."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fixtures_path import find

from edgelite.analysis import analyze
from edgelite.cli import main

# (model, op, MACs worked out by hand from the shapes)
CASES = [
    ("conv_relu__int8", "CONV_2D", 16 * 16 * 8 * (3 * 3 * 3)),  # out HxWxC x kernel volume
    ("depthwise__int8", "DEPTHWISE_CONV_2D", 16 * 16 * 8 * (3 * 3)),
    ("conv_transpose__int8", "TRANSPOSE_CONV", 8 * 8 * 4 * (3 * 3 * 6)),  # per input element
    ("dense_mlp__int8", "FULLY_CONNECTED", 20 * 32 + 32 * 10),
    ("attention__int8", "BATCH_MATMUL", 2 * 6 * 6 * 8 + 2 * 6 * 8 * 6),
]


@pytest.mark.parametrize("name,op,macs", CASES)
def test_matrix_op_macs_are_exact(name, op, macs):
    rows = [r for r in analyze(find(f"{name}.tflite"))[0]["ops"] if r["op"] == op]
    assert sum(r["macs"] for r in rows) == macs
    assert all(r["exact"] for r in rows)


def test_params_and_totals():
    sg = analyze(find("conv_relu__float.tflite"))[0]
    (conv,) = [r for r in sg["ops"] if r["op"] == "CONV_2D"]
    assert conv["params"] == 8 * 3 * 3 * 3 + 8  # weights and bias
    assert conv["param_bytes"] == 4 * conv["params"]
    assert conv["flops"] == 2 * conv["macs"] + 16 * 16 * 8
    assert conv["output_shape"] == [1, 16, 16, 8] and conv["output_dtype"] == "float32"
    assert sg["totals"]["macs"] == sum(r["macs"] for r in sg["ops"])


def test_inspect_prints_and_exports_the_analysis():
    model = str(find("dense_mlp__int8.tflite"))
    res = CliRunner().invoke(main, ["inspect", model, "--tensors"])
    assert res.exit_code == 0, res.output
    assert "compute: 960 MACs" in res.output
    assert "TFLite Micro arena (estimate):" in res.output
    assert "op details" in res.output
    d = json.loads(CliRunner().invoke(main, ["inspect", model, "--json"]).output)
    sg = d["subgraphs"][0]
    assert sg["totals"]["macs"] == 960
    assert len(sg["op_details"]) == sg["op_count"]
    assert d["memory"]["tflm"]["arena_bytes"] > d["memory"]["tflm"]["head"] > 0
