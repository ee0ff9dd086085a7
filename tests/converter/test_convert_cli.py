import json

import numpy as np
import pytest
from click.testing import CliRunner
from fixtures_path import find, require
from graph_check import run_litert, run_ours

import edgelite
from edgelite.cli import main


@pytest.fixture
def mobilenet():
    return find("mobilenetv2_035_96__float.tflite")


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_converts_tflite_and_prints_pass_counts(tmp_path, mobilenet):
    out = tmp_path / "m.tflite"
    res = _cli("convert", mobilenet, "-o", out)
    assert res.exit_code == 0, res.output
    assert "fold_constants" in res.output and "65 ops" in res.output
    assert f"wrote {out}" in res.output
    x = np.random.default_rng(0).uniform(-1, 1, (1, 96, 96, 3)).astype(np.float32)
    want = run_litert(mobilenet.read_bytes(), [x])[0]
    np.testing.assert_allclose(run_ours(out.read_bytes(), [x])[0], want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(run_litert(out.read_bytes(), [x])[0], want, rtol=1e-5, atol=1e-6)


def test_check_reports_errors_per_output(tmp_path, mobilenet):
    require("ai_edge_litert")
    res = _cli("convert", mobilenet, "-o", tmp_path / "m.tflite", "--check")
    assert res.exit_code == 0, res.output
    line = next(ln for ln in res.output.splitlines() if ln.startswith("check "))
    assert "max abs error" in line and "[ok]" in line


def test_json_output(tmp_path):
    src = find("attention__float.tflite")
    res = _cli("convert", src, "-o", tmp_path / "a.tflite", "--json", "--check")
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["source_format"] == "tflite" and d["ok"] and d["output"].endswith("a.tflite")
    ident = next(p for p in d["passes"] if p["pass"] == "remove_identities")
    assert ident["ops_before"] == 18 and ident["ops_after"] == 16  # two no-op RESHAPEs
    assert d["ops_after"]["RESHAPE"] == 4 and d["check"][0]["max_rel_error"] < 1e-4


def test_no_optimize_runs_no_pass(tmp_path, mobilenet):
    res = _cli("convert", mobilenet, "-o", tmp_path / "m.tflite", "--no-optimize", "--json")
    assert res.exit_code == 0 and json.loads(res.output)["passes"] == []


def test_never_overwrites_without_force(tmp_path, mobilenet):
    out = tmp_path / "m.tflite"
    out.write_bytes(b"keep me")
    res = _cli("convert", mobilenet, "-o", out)
    assert res.exit_code == 1 and "exists" in res.output
    assert out.read_bytes() == b"keep me"
    res = _cli("convert", mobilenet, "-o", out, "--force")
    assert res.exit_code == 0 and out.read_bytes()[4:8] == b"TFL3"


def test_failed_conversion_leaves_no_file(tmp_path):
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"\x10\x00\x00\x00TFL3" + b"\xff" * 40)
    out = tmp_path / "out.tflite"
    res = _cli("convert", bad, "-o", out)
    assert res.exit_code == 1 and res.output.startswith("error:")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.tflite"]


def test_failed_check_exits_1_and_writes_nothing(tmp_path, mobilenet, monkeypatch):
    require("ai_edge_litert")
    from edgelite.converter import check

    strict = check.compare
    monkeypatch.setattr(check, "compare", lambda n, w, g: strict(n, w, g, tolerance=-1.0))
    out = tmp_path / "m.tflite"
    res = _cli("convert", mobilenet, "-o", out, "--check")
    assert res.exit_code == 1 and "FAIL" in res.output and not out.exists()


def test_check_with_input_file(tmp_path, mobilenet):
    require("ai_edge_litert")
    x = tmp_path / "x.npy"
    np.save(x, np.full((1, 96, 96, 3), 0.25, np.float32))
    res = _cli("convert", mobilenet, "-o", tmp_path / "m.tflite", "-i", x, "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["check"][0]["ok"]


def test_input_shape_usage_errors(tmp_path, mobilenet):
    res = CliRunner().invoke(
        main, ["convert", str(mobilenet), "-o", str(tmp_path / "m"), "--input-shape", "x1,2"]
    )
    assert res.exit_code == 2 and "NAME:D0,D1" in res.output
    res = _cli("convert", mobilenet, "-o", tmp_path / "m.tflite", "--input-shape", "x:1,2")
    assert res.exit_code == 1 and "ONNX" in res.output


def test_library_convert_from_bytes(mobilenet, tmp_path):
    res = edgelite.convert(mobilenet.read_bytes(), passes=["dead_code", "fold_constants"])
    assert res.output is None and res.source == "<bytes>" and len(res.passes) == 2
    assert res.ops_after == res.ops_before and res.model[4:8] == b"TFL3"
    with pytest.raises(FileExistsError):
        edgelite.convert(mobilenet, mobilenet)


def _small_onnx(path):
    onnx = require("onnx")
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)

    def init(name, value):
        return numpy_helper.from_array(np.asarray(value, np.float32), name)

    inits = [
        init("W", rng.standard_normal((4, 3, 3, 3))),
        init("B", rng.standard_normal(4)),
        init("sc", rng.uniform(0.5, 2, 4)),
        init("bi", rng.standard_normal(4)),
        init("mu", rng.standard_normal(4)),
        init("va", rng.uniform(0.5, 2, 4)),
        init("M", rng.standard_normal((4, 10))),
        init("Mb", rng.standard_normal(10)),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "W", "B"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "sc", "bi", "mu", "va"], ["bn"]),
        helper.make_node("Relu", ["bn"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["p"]),
        helper.make_node("Flatten", ["p"], ["f"]),
        helper.make_node("MatMul", ["f", "M"], ["m"]),
        helper.make_node("Add", ["m", "Mb"], ["y"]),
    ]
    g = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])],
        inits,
    )
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), str(path))


def test_converts_onnx_with_check(tmp_path):
    require("onnxruntime")
    src = tmp_path / "small.onnx"
    _small_onnx(src)
    try:
        from edgelite.conversion import _onnx_importer

        _onnx_importer()
    except edgelite.ConversionError as e:
        pytest.skip(f"ONNX importer not available: {e}")
    out = tmp_path / "small.tflite"
    res = _cli("convert", src, "-o", out, "--input-shape", "x:2,3,8,8", "--check", "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["source_format"] == "onnx" and d["check"][0]["ok"]
    assert "MUL" not in d["ops_after"] and "RELU" not in d["ops_after"]  # folded and fused
    assert out.is_file()


def test_convert_and_quantize_in_one_step(tmp_path):
    from pathlib import Path

    import numpy as np
    from click.testing import CliRunner

    from edgelite.cli import main
    from edgelite.interpreter import Interpreter

    sample = Path(__file__).resolve().parents[2] / "samples" / "image_classifier"
    out = tmp_path / "q.tflite"
    args = [
        "convert",
        str(sample / "digits_cnn.onnx"),
        "-o",
        str(out),
        "--quantize",
        "int8",
        "-c",
        str(sample / "digits_calibration.npz"),
    ]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    it = Interpreter(model_path=str(out))
    it.allocate_tensors()
    assert it.get_input_details()[0]["dtype"] == np.int8
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1 and "exists" in again.output
    misuse = CliRunner().invoke(
        main,
        [
            "convert",
            str(sample / "digits_cnn.onnx"),
            "-o",
            str(tmp_path / "x.tflite"),
            "-c",
            "data.npz",
        ],
    )
    assert misuse.exit_code == 2
