"""samples/image_classifier: the committed digits CNN meets the issue's numbers after int8."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from fixtures_path import require
from sample_scripts import load_script

from edgelite.interpreter import Interpreter
from edgelite.samples import digits_files


def test_fast_run_meets_accuracy_and_size_targets(tmp_path, capsys):
    run = load_script("image_classifier/run.py")
    r = run.main(["--fast", "--out", str(tmp_path)])
    assert r["test_images"] == 300
    assert r["float"]["runtime"] == "edgelite"
    assert r["float"]["accuracy"] >= 0.95
    assert r["accuracy_drop_points"] <= 1.0  # int8 within 1 point of float
    assert r["size_ratio"] >= 3.5  # int8 file at least 3.5x smaller
    assert (tmp_path / "digits_int8.tflite").stat().st_size == r["int8"]["bytes"]
    out = capsys.readouterr().out
    assert "accuracy" in out and "smaller" in out


def test_float_tflite_agrees_with_onnxruntime_on_the_test_set(tmp_path):
    ort = require("onnxruntime")
    files = digits_files()
    with np.load(files["test"]) as z:
        images, labels = z["images"], z["labels"]
    session = ort.InferenceSession(str(files["onnx"]), providers=["CPUExecutionProvider"])
    nchw = images.transpose(0, 3, 1, 2)
    ref = np.concatenate([session.run(None, {"image": x[None]})[0] for x in nchw])
    assert (ref.argmax(1) == labels).mean() >= 0.95  # the committed model as trained

    run = load_script("image_classifier/run.py")
    run.edgelite.convert(str(files["onnx"]), str(tmp_path / "f.tflite"))
    interp = Interpreter(model_path=str(tmp_path / "f.tflite"))
    interp.allocate_tensors()
    ours = []
    for x in images:
        interp.set_tensor(interp.get_input_details()[0]["index"], x[None])
        interp.invoke()
        ours.append(interp.get_tensor(interp.get_output_details()[0]["index"])[0].copy())
    np.testing.assert_allclose(np.stack(ours), ref, rtol=1e-4, atol=1e-4)


def test_committed_data_files_have_the_documented_shapes():
    files = digits_files()
    with np.load(files["calibration"]) as z:
        assert z["image"].shape == (100, 8, 8, 1) and z["image"].dtype == np.float32
    with np.load(files["test"]) as z:
        assert z["images"].shape == (300, 8, 8, 1) and z["labels"].shape == (300,)
        assert 0.0 <= z["images"].min() and z["images"].max() <= 1.0


def test_int8_falls_back_to_litert_when_our_kernels_are_missing(tmp_path, capsys, monkeypatch):
    require("ai_edge_litert")
    from edgelite.errors import UnsupportedOpError

    run = load_script("image_classifier/run.py")

    def no_int8(model_path):
        if "int8" in Path(model_path).name:
            raise UnsupportedOpError(f"{model_path}: no int8 kernel for CONV_2D")
        return Interpreter(model_path=model_path)

    monkeypatch.setattr(run, "Interpreter", no_int8)
    r = run.main(["--fast", "--out", str(tmp_path)])
    assert r["float"]["runtime"] == "edgelite" and r["int8"]["runtime"] == "litert"
    assert r["accuracy_drop_points"] <= 1.0
    assert "running it in LiteRT instead" in capsys.readouterr().out
