"""Calibration against TensorFlow's: same samples, same min/max, same int8 parameters."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures_path import oracle_dir

from edgelite.errors import QuantizationError
from edgelite.interpreter import Interpreter
from edgelite.quant import params
from edgelite.quant.calibrate import calibrate
from edgelite.quant.data import load_samples
from edgelite.schemas.model import load_model, op_name


def _fixed_range_outputs(path) -> set:
    """Names of tensors whose int8 params the spec fixes (SOFTMAX, LOGISTIC, ...)."""
    m = load_model(path)
    sg = m.subgraphs[0]
    fixed = {"SOFTMAX", "LOGISTIC", "TANH", "LOG_SOFTMAX"}
    return {
        sg.tensors[op.outputs[0]].name
        for op in sg.operators
        if op_name(m.operator_codes[op.opcode_index]) in fixed
    }


def _samples(name):
    it = Interpreter(model_path=str(oracle_dir() / f"{name}__float.tflite"))
    return load_samples(oracle_dir() / f"{name}.inputs.npz", it.get_input_details())


@pytest.mark.parametrize(
    "name", ["conv_relu", "dense_mlp", "depthwise", "add_sub_mul", "sigmoid_tanh"]
)
def test_minmax_params_equal_tensorflows(name):
    ranges = calibrate(oracle_dir() / f"{name}__float.tflite", _samples(name))
    tf = {
        t.name: t.quantization
        for t in load_model(oracle_dir() / f"{name}__int8.tflite").subgraphs[0].tensors
    }
    shared = [n for n in ranges if n in tf and tf[n] is not None and tf[n].scale is not None]
    assert shared, "the int8 file should share input/output names with the float one"
    for n in set(shared) - _fixed_range_outputs(oracle_dir() / f"{name}__float.tflite"):
        q = params.asymmetric(*ranges[n])
        np.testing.assert_allclose(q.scale, tf[n].scale, rtol=1e-6, err_msg=n)
        assert int(q.zero_point[0]) == int(tf[n].zero_point[0]), n


def test_histogram_methods_narrow_or_keep_the_range():
    samples = _samples("conv_relu")
    path = oracle_dir() / "conv_relu__float.tflite"
    minmax = calibrate(path, samples)
    done = []
    for method in ("percentile", "mse", "entropy"):
        r = calibrate(path, samples, method, progress=lambda k, n: done.append((k, n)))
        for name, (lo, hi) in r.items():
            assert minmax[name][0] <= lo <= 0 <= hi <= minmax[name][1]
    assert done[-1] == (2 * len(samples), 2 * len(samples))


def test_load_samples_forms(tmp_path):
    it = Interpreter(model_path=str(oracle_dir() / "conv_relu__float.tflite"))
    details = it.get_input_details()
    x = np.random.default_rng(0).standard_normal((5, 1, 16, 16, 3)).astype(np.float32)
    np.save(tmp_path / "x.npy", x[:, 0])
    assert len(load_samples(tmp_path / "x.npy", details)) == 5
    gen = ([s] for s in x)
    assert len(load_samples(gen, details, limit=3)) == 3
    assert len(load_samples(lambda: iter([{details[0]["name"]: s} for s in x]), details)) == 5
    with pytest.raises(QuantizationError, match="shape"):
        load_samples([[np.zeros((2, 2), np.float32)]], details)
    with pytest.raises(QuantizationError, match="no samples"):
        load_samples([], details)
    with pytest.raises(QuantizationError, match="method"):
        calibrate(oracle_dir() / "conv_relu__float.tflite", [[x[0]]], "median")


def test_nchw_samples_are_accepted_for_nhwc_inputs():
    it = Interpreter(model_path=str(oracle_dir() / "conv_relu__float.tflite"))
    details = it.get_input_details()  # [1, 16, 16, 3]
    x = np.random.default_rng(0).standard_normal((4, 1, 3, 16, 16)).astype(np.float32)
    samples = load_samples({details[0]["name"]: x}, details)
    assert len(samples) == 4
    np.testing.assert_array_equal(samples[1][0], x[1].transpose(0, 2, 3, 1))


def test_image_folder_calibration(tmp_path):
    Image = pytest.importorskip("PIL.Image")  # in the test extras; optional for users
    rng = np.random.default_rng(0)
    pixels = [rng.integers(0, 256, (20, 24, 3), dtype=np.uint8) for _ in range(3)]
    for i, p in enumerate(pixels):
        Image.fromarray(p).save(tmp_path / f"img{i}.png")
    (tmp_path / "notes.txt").write_text("not an image")
    it = Interpreter(model_path=str(oracle_dir() / "conv_relu__float.tflite"))
    samples = load_samples(tmp_path, it.get_input_details(), mean=127.5, std=127.5)
    assert len(samples) == 3 and samples[0][0].shape == (1, 16, 16, 3)
    want = (np.asarray(Image.fromarray(pixels[0]).resize((16, 16)), np.float32) - 127.5) / 127.5
    np.testing.assert_allclose(samples[0][0][0], want, rtol=1e-6)
    assert calibrate(oracle_dir() / "conv_relu__float.tflite", samples)


def test_non_finite_ranges_are_refused_where_quantized():
    """A tensor that takes inf/NaN has no range (calibrate marks it unbounded); quantizing
    it is refused, naming it, whether the samples hold NaN or overflow float32 inside."""
    from edgelite.quant.observers import UNBOUNDED
    from edgelite.quantization import quantize

    path = oracle_dir() / "attention__float.tflite"
    shape = Interpreter(model_path=str(path)).get_input_details()[0]["shape"]
    bad = np.zeros(shape, np.float32)
    bad.flat[3] = np.nan
    ranges = calibrate(path.read_bytes(), [[np.zeros(shape, np.float32)], [bad]])
    assert ranges["serving_default_keras_tensor_61:0"] == UNBOUNDED
    with pytest.raises(QuantizationError, match="'serving_default_keras_tensor_61:0' took inf"):
        quantize(path, [[bad]])
    huge = np.full(shape, 1e30, np.float32)  # finite, but products overflow float32
    ranges = calibrate(path.read_bytes(), [[huge]], "mse")
    unbounded = [n for n, r in ranges.items() if r == UNBOUNDED]
    assert unbounded and "serving_default_keras_tensor_61:0" not in unbounded
    with pytest.raises(QuantizationError, match="took inf or NaN values"):
        quantize(path, [[huge]])
