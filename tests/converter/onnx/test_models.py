"""Whole models: the PyTorch-exported fixtures and a real PaddleOCR classifier convert, run in
our interpreter and LiteRT, and match onnxruntime; CNNs have no interior TRANSPOSE."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures_path import FIXTURES, find
from onnx_harness import check, op_types

onnx = pytest.importorskip("onnx")

# name -> (input shape to run, CNN (no TRANSPOSE allowed), batch to try when dynamic)
MODELS = {
    "mobilenet_v2_tiny": ((1, 3, 96, 96), True, 2),
    "resnet18_tiny": ((1, 3, 64, 64), True, None),
    "transformer_tiny": ((1, 16, 32), False, None),
    "audio_conv1d": ((1, 40, 101), False, None),
    "mlp": ((1, 64), False, 3),
    "unet_tiny": ((1, 3, 32, 32), False, None),
}


def load(name):
    path = FIXTURES / "onnx" / f"{name}.onnx"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run scripts/export_torch_fixtures.py")
    return onnx.load(str(path))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_fixture_model(name):
    shape, cnn, batch = MODELS[name]
    model = load(name)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    graph = check(model, {"input": x}, tol=1e-4)
    if cnn:
        assert "TRANSPOSE" not in op_types(graph)
    if batch:
        xb = np.random.default_rng(1).standard_normal((batch, *shape[1:])).astype(np.float32)
        check(model, {"input": xb}, tol=1e-4)


def test_fixture_sizes():
    for name in MODELS:
        assert (FIXTURES / "onnx" / f"{name}.onnx").stat().st_size < 2 << 20


def test_audio_model_keeps_channels_last():
    """1-D convs run as 2-D ones on N,1,W,C; only the rank-3 input is transposed once."""
    graph = check(load("audio_conv1d"), {"input": np.ones((1, 40, 101), np.float32)}, tol=1e-4)
    assert op_types(graph).count("TRANSPOSE") == 1


def test_unet_transposes_only_its_output():
    """The ConvNeXt permutes cost nothing: the only TRANSPOSE turns the NHWC mask into NCHW."""
    x = np.random.default_rng(4).standard_normal((1, 3, 32, 32)).astype(np.float32)
    graph = check(load("unet_tiny"), {"input": x}, tol=1e-4)
    assert op_types(graph).count("TRANSPOSE") == 1
    assert graph.ops[-1].type == "TRANSPOSE" and graph.ops[-1].outputs[0] is graph.outputs[0]


def test_transformer_uses_gelu_and_fully_connected():
    x = np.random.default_rng(2).standard_normal((1, 16, 32)).astype(np.float32)
    graph = check(load("transformer_tiny"), {"input": x}, tol=1e-4)
    counts = graph.op_counts()
    assert counts["GELU"] == 2 and counts["FULLY_CONNECTED"] == 9
    assert counts["BATCH_MATMUL"] == 4


def test_paddle_ocr_classifier():
    path = find("ch_ppocr_mobile_v2.0_cls_infer.onnx", "models")
    model = onnx.load(str(path))
    x = np.random.default_rng(3).uniform(-1, 1, (1, 3, 48, 192)).astype(np.float32)
    graph = check(model, {"x": x}, tol=1e-4, input_shapes={"x": [1, 3, 48, 192]})
    assert "TRANSPOSE" not in op_types(graph)
    assert graph.inputs[0].shape == (1, 48, 192, 3)


def test_shape_inference_sets_weights_aside_and_restores_them():
    """Large initializers reach ONNX's shape inference as dims only (load.WEIGHT_ELEMENTS);
    their bytes are back afterwards, and the model converts as before."""
    import onnx

    from edgelite.converter.importers.onnx.load import WEIGHT_ELEMENTS, shape_table

    proto = onnx.load(str(find("resnet18_tiny.onnx", "onnx")))
    big = [t for t in proto.graph.initializer if np.prod(t.dims) > WEIGHT_ELEMENTS]
    assert big and all(t.raw_data for t in big)
    before = proto.SerializeToString()
    table = shape_table(proto, None, "resnet18_tiny.onnx")
    assert proto.SerializeToString() == before
    out = proto.graph.output[0].name
    assert table[out][0] is not None and all(d > 0 for d in table[out][0])
