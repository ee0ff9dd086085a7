"""The edgelite command line: run and inspect on every oracle and sample model."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from fixtures_path import oracle_dir, shared_models_dir

from edgelite.cli import main

ALL = sorted(oracle_dir().glob("*.tflite")) + sorted(shared_models_dir().glob("*.tflite"))


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_inspect_every_model(path):
    res = cli("inspect", path, "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    sg = d["subgraphs"][0]
    assert sg["op_count"] == sum(o["count"] for o in sg["ops"]) > 0
    assert sg["inputs"] and sg["outputs"]
    text = cli("inspect", path, "--tensors")
    assert text.exit_code == 0 and "ops:" in text.output


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_run_every_model(path):
    res = cli("run", path, "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["outputs"] and d["invoke_ms"]["runs"] == 1


def test_run_default_sample_and_given_input(tmp_path):
    res = cli("run")
    assert res.exit_code == 0, res.output
    assert "face_detection_short_range" in res.output and "invoke median" in res.output
    x = np.full((1, 1), 0.5, np.float32)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "out.npz"
    model = shared_models_dir() / "sine_float.tflite"
    res = cli("run", model, "-i", tmp_path / "x.npy", "-n", 3, "--save", out)
    assert res.exit_code == 0, res.output
    from edgelite.interpreter import Interpreter

    it = Interpreter(model_path=str(model))
    it.allocate_tensors()
    it.set_tensor(0, x)
    it.invoke()
    want = it.get_tensor(it.get_output_details()[0]["index"])
    np.testing.assert_array_equal(np.load(out)["output_0"], want)
    res = cli("run", model, "-i", tmp_path / "x.npy", "--save", out)  # kept without --force
    assert res.exit_code == 2 and "exists" in res.output
    np.testing.assert_array_equal(np.load(out)["output_0"], want)
    assert cli("run", model, "--save", out, "--force").exit_code == 0


def test_bad_model_is_one_clear_line(tmp_path):
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"\x10\0\0\0TFL3" + b"\xff" * 40)
    res = CliRunner().invoke(main, ["run", str(bad)])
    assert res.exit_code == 1
    assert res.output.startswith("error: ") and str(bad) in res.output
    assert "Traceback" not in res.output


def test_missing_input_data_is_a_user_error(tmp_path):
    res = CliRunner().invoke(
        main,
        ["run", str(shared_models_dir() / "sine_float.tflite"), "-i", str(tmp_path / "nope.npy")],
    )
    assert res.exit_code == 1 and "does not exist" in res.output


def test_input_data_of_another_rank_or_missing_is_a_user_error(tmp_path):
    model = str(shared_models_dir() / "sine_float.tflite")
    np.save(tmp_path / "flat.npy", np.zeros(3, np.float32))
    res = CliRunner().invoke(main, ["run", model, "-i", str(tmp_path / "flat.npy")])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "expects shape [1, 1]; the data given has shape [3]" in res.output
    np.savez(tmp_path / "other.npz", unrelated=np.zeros((1, 1), np.float32))
    res = CliRunner().invoke(main, ["run", model, "-i", str(tmp_path / "other.npz")])
    assert res.exit_code == 1 and "no data given for input 0" in res.output
    assert "(expects [1, 1] float32)" in res.output  # plain ints, not numpy reprs


def test_bench_reports_percentiles_and_profile():
    res = cli("bench", shared_models_dir() / "sine_float.tflite", "-n", 20, "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    lat = d["latency_ms"]
    assert lat["min"] <= lat["p50"] <= lat["p90"] <= lat["max"]
    assert [o["op"] for o in d["op_types"]] == ["FULLY_CONNECTED"]
    assert d["op_types"][0]["count"] == 3
    assert abs(sum(o["share"] for o in d["ops"]) - 1.0) < 1e-6
