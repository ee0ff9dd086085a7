"""edgelite demo (the bundled digits CNN end to end) and edgelite compare (two models' outputs)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from fixtures_path import require

import edgelite.demo
from edgelite.cli import main
from edgelite.samples import digits_files, model_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    """The demo's JSON report and the two .tflite files it kept."""
    out = tmp_path_factory.mktemp("demo")
    res = CliRunner().invoke(main, ["demo", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output), out / "digits_float.tflite", out / "digits_int8.tflite"


def test_demo_report_meets_the_targets(digits):
    r, float_path, int8_path = digits
    f, q = r["float"], r["int8"]
    assert r["test_images"] == 300
    assert f["accuracy"] >= 0.95
    assert 100 * (f["accuracy"] - q["accuracy"]) <= 1.0
    assert f["bytes"] / q["bytes"] >= 3.5
    assert q["bytes"] == int8_path.stat().st_size and f["bytes"] == float_path.stat().st_size
    assert 0 < q["arena_bytes"] < f["arena_bytes"]  # int8 activations take a quarter
    assert f["latency_ms"] > 0 and q["latency_ms"] > 0


def test_demo_text_report():
    res = CliRunner().invoke(main, ["demo"])
    assert res.exit_code == 0, res.output
    for word in ("float", "int8", "accuracy", "latency", "arena", "smaller"):
        assert word in res.output
    assert re.search(r"int8 +\d+\.\d KiB +\d+\.\d+%", res.output)


def test_demo_without_onnx_says_how_to_install(monkeypatch):
    monkeypatch.setattr(edgelite.demo, "onnx_available", lambda: False)
    res = CliRunner().invoke(main, ["demo"])
    assert res.exit_code == 1
    assert "pip install 'edgelite[convert]'" in res.output


def test_demo_files_ship_as_package_data():
    text = (ROOT / "pyproject.toml").read_text()
    globs = re.search(r'"edgelite\.samples" = \[([^\]]*)\]', text).group(1)
    patterns = re.findall(r'"([^"]+)"', globs)
    base = ROOT / "samples"
    for path in digits_files().values():
        assert path.is_file()
        assert any(path.relative_to(base).match(p) for p in patterns), path


def _compare(*args):
    res = CliRunner().invoke(main, ["compare", *map(str, args), "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_compare_float_with_int8(digits):
    _, float_path, int8_path = digits
    r = _compare(float_path, int8_path, "-n", "3")
    assert r["samples"] == 3
    (o,) = r["outputs"]
    assert o["name"] == "logits" and o["shape"] == [1, 10]
    assert 20 < o["sqnr_db"] < 80 and o["cosine"] > 0.99
    assert 0 < o["mean_abs_error"] <= o["max_abs_error"] < 0.1 * o["ref_abs_max"]


def test_compare_a_model_with_itself_is_exact(digits):
    _, float_path, _ = digits
    (o,) = _compare(float_path, float_path)["outputs"]
    assert o["max_abs_error"] == 0 and o["sqnr_db"] == "inf"
    assert o["cosine"] == pytest.approx(1.0, abs=1e-12)


def test_compare_onnx_with_its_conversion_on_a_given_input(digits, tmp_path):
    require("onnxruntime")
    _, float_path, int8_path = digits
    with np.load(digits_files()["test"]) as z:
        x = z["images"][:1].transpose(0, 3, 1, 2)  # ONNX's NCHW: transposed for the .tflite
    np.save(tmp_path / "x.npy", x)
    onnx = digits_files()["onnx"]
    (o,) = _compare(onnx, float_path, "-i", tmp_path / "x.npy")["outputs"]
    assert o["max_abs_error"] < 1e-4 and o["cosine"] > 0.999999
    (q,) = _compare(onnx, int8_path, "-i", tmp_path / "x.npy")["outputs"]
    assert q["max_abs_error"] > o["max_abs_error"] and q["sqnr_db"] > 20


def test_compare_text_output_and_mismatched_models(digits):
    _, float_path, int8_path = digits
    res = CliRunner().invoke(main, ["compare", str(float_path), str(int8_path)])
    assert res.exit_code == 0, res.output
    assert "SQNR" in res.output and "logits" in res.output
    bad = CliRunner().invoke(
        main, ["compare", str(float_path), str(model_path("sine_float.tflite"))]
    )
    assert bad.exit_code == 1 and "does not match" in bad.output
