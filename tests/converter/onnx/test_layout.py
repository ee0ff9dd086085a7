"""Whole-graph behaviour: NHWC layout without interior transposes, inputs/outputs, names,
dynamic batch, input_shapes."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper
from onnx_harness import check, convert, make_model, op_types, run_ort, run_tflite

from edgelite.converter.importers.onnx import import_onnx
from edgelite.errors import ConversionError
from edgelite.interpreter import Interpreter

R = np.random.default_rng(6)
F32 = np.float32


def rand(*shape, scale=1.0):
    return (R.standard_normal(shape) * scale).astype(F32)


def small_cnn(batch=1, height=16):
    """conv/bn/relu/pool, a depthwise residual block, concat, global pool, flatten, gemm."""
    n = helper.make_node
    nodes = [
        n("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1], strides=[2, 2]),
        n("BatchNormalization", ["c1", "s", "bb", "m", "v"], ["bn"]),
        n("Relu", ["bn"], ["r1"]),
        n("MaxPool", ["r1"], ["p1"], kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1]),
        n("Conv", ["p1", "wd", "bd"], ["dw"], group=8, pads=[1, 1, 1, 1]),
        n("Clip", ["dw", "lo", "hi"], ["r6"]),
        n("Add", ["r6", "p1"], ["res"]),
        n("Mul", ["res", "chan"], ["scaled"]),
        n("Concat", ["scaled", "p1"], ["cat"], axis=1),
        n("AveragePool", ["cat"], ["ap"], kernel_shape=[2, 2], strides=[2, 2]),
        n("GlobalAveragePool", ["ap"], ["gap"]),
        n("Flatten", ["gap"], ["flat"]),
        n("Gemm", ["flat", "fw", "fb"], ["logits"], transB=1),
        n("Softmax", ["logits"], ["probs"], axis=1),
    ]
    inits = {
        "w1": rand(8, 3, 3, 3, scale=0.3),
        "b1": rand(8),
        "s": rand(8),
        "bb": rand(8),
        "m": rand(8),
        "v": np.abs(rand(8)) + 0.5,
        "wd": rand(8, 1, 3, 3, scale=0.3),
        "bd": rand(8),
        "lo": np.float32(0),
        "hi": np.float32(6),
        "chan": rand(1, 8, 1, 1),
        "fw": rand(10, 16, scale=0.3),
        "fb": rand(10),
    }
    inputs = {"x": ((batch, 3, height, height), F32)}
    return make_model(nodes, inputs, {"probs": (None, F32)}, inits)


def test_cnn_has_no_transpose():
    x = rand(1, 3, 16, 16)
    g = check(small_cnn(), {"x": x}, tol=1e-5)
    assert "TRANSPOSE" not in op_types(g)
    assert list(g.inputs[0].shape) == [1, 16, 16, 3]


def test_cnn_nchw_input_has_one_transpose_after_the_input():
    x = rand(1, 3, 16, 16)
    g = check(small_cnn(), {"x": x}, nhwc_inputs=False)
    assert op_types(g).count("TRANSPOSE") == 1
    assert g.ops[0].type == "TRANSPOSE" and g.ops[0].inputs[0] is g.inputs[0]


def test_names_are_kept():
    g = import_onnx(small_cnn())
    assert [t.name for t in g.inputs] == ["x"] and [t.name for t in g.outputs] == ["probs"]
    names = {t.name for t in g.tensors()}
    assert {"c1", "r1", "p1", "cat", "flat", "logits"} <= names
    assert len(names) == len(g.tensors())  # unique


def test_model_from_path_and_bytes(tmp_path):
    m = small_cnn()
    path = tmp_path / "cnn.onnx"
    path.write_bytes(m.SerializeToString())
    a, b = import_onnx(str(path)), import_onnx(m.SerializeToString())
    assert op_types(a) == op_types(b) == op_types(import_onnx(m))


def test_dynamic_batch():
    """A symbolic batch stays dynamic (-1), and batch 3 runs in both interpreters."""
    m = small_cnn(batch="N")
    graph, data = convert(m)
    assert graph.inputs[0].shape == (-1, 16, 16, 3)
    assert graph.outputs[0].shape == (-1, 10)
    x = rand(3, 3, 16, 16)
    want = run_ort(m, {"x": x})["probs"]
    from fixtures_path import require

    lite = require("ai_edge_litert.interpreter")
    for interp in (Interpreter(model_content=data), lite.Interpreter(model_content=data)):
        got = run_tflite(interp, {"x": x})["probs"]
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_dynamic_batch_through_shape_arithmetic():
    """Reshape(x, Concat(Shape(x)[0], -1)): the new shape keeps -1 for the batch."""
    n = helper.make_node
    nodes = [
        n("Shape", ["x"], ["s"]),
        n("Gather", ["s", "zero"], ["b"], axis=0),
        n("Unsqueeze", ["b", "zero1"], ["b1"]),
        n("Concat", ["b1", "minus1"], ["shape"], axis=0),
        n("Reshape", ["x", "shape"], ["flat"]),
        n("MatMul", ["flat", "w"], ["y"]),
    ]
    inits = {
        "zero": np.asarray(0),
        "zero1": np.asarray([0]),
        "minus1": np.asarray([-1]),
        "w": rand(24, 5),
    }
    m = make_model(nodes, {"x": (("N", 2, 3, 4), F32)}, {"y": (None, F32)}, inits)
    graph, data = convert(m)
    x = rand(4, 2, 3, 4)
    got = run_tflite(Interpreter(model_content=data), {"x": x})["y"]
    np.testing.assert_allclose(got, run_ort(m, {"x": x})["y"], rtol=1e-5, atol=1e-5)


def test_input_shapes_fix_dynamic_dims():
    m = small_cnn(batch=1, height="H")
    with pytest.raises(ConversionError, match="input_shapes"):
        import_onnx(m)
    g = import_onnx(m, input_shapes={"x": [1, 3, 16, 16]})
    assert g.inputs[0].shape == (1, 16, 16, 3)


def test_output_of_4d_tensor_is_nchw_and_rank3_input_kept():
    n = helper.make_node
    nodes = [n("Relu", ["x"], ["y"]), n("Sigmoid", ["a"], ["z"])]
    m = make_model(
        nodes,
        {"x": ((1, 3, 4, 5), F32), "a": ((2, 3, 4), F32)},
        {"y": (None, F32), "z": (None, F32)},
    )
    g = check(m, {"x": rand(1, 3, 4, 5), "a": rand(2, 3, 4)})
    assert [t.shape for t in g.outputs] == [(1, 3, 4, 5), (2, 3, 4)]
    assert op_types(g).count("TRANSPOSE") == 1


def test_output_that_is_an_input_or_repeated():
    n = helper.make_node
    nodes = [n("Identity", ["x"], ["y"]), n("Relu", ["x"], ["r"]), n("Identity", ["r"], ["z"])]
    m = make_model(
        nodes, {"x": ((2, 3), F32)}, {"y": (None, F32), "r": (None, F32), "z": (None, F32)}
    )
    g = check(m, {"x": rand(2, 3)})
    assert [t.name for t in g.outputs] == ["y", "r", "z"]


def test_vit_patch_embedding_has_no_transpose():
    """Conv -> Reshape [N,C,HW] -> Transpose -> LayerNorm -> MatMul: the NHWC conv output is
    already [N,HW,C] in memory, so neither the reshape nor the transpose moves data."""
    n = helper.make_node
    nodes = [
        n("Conv", ["x", "w"], ["patches"], strides=[4, 4], kernel_shape=[4, 4]),
        n("Reshape", ["patches", "shape"], ["flat"]),
        n("Transpose", ["flat"], ["tokens"], perm=[0, 2, 1]),
        n("LayerNormalization", ["tokens", "ln_s", "ln_b"], ["normed"], axis=-1),
        n("MatMul", ["normed", "proj"], ["y"]),
    ]
    inits = {
        "w": rand(8, 3, 4, 4),
        "shape": np.asarray([1, 8, 16]),
        "ln_s": rand(8),
        "ln_b": rand(8),
        "proj": rand(8, 6),
    }
    m = make_model(nodes, {"x": ((1, 3, 16, 16), F32)}, {"y": (None, F32)}, inits)
    g = check(m, {"x": rand(1, 3, 16, 16)})
    assert "TRANSPOSE" not in op_types(g)


def test_tokens_back_to_image_has_no_transpose():
    """[N,HW,C] -> Transpose -> Reshape [N,C,H,W] -> Conv: lands in NHWC for free."""
    n = helper.make_node
    nodes = [
        n("Transpose", ["t"], ["tt"], perm=[0, 2, 1]),
        n("Reshape", ["tt", "shape"], ["img"]),
        n("Conv", ["img", "w"], ["c"], pads=[1, 1, 1, 1]),
        n("GlobalAveragePool", ["c"], ["g"]),
        n("Flatten", ["g"], ["y"]),
    ]
    inits = {"shape": np.asarray([2, 8, 4, 4]), "w": rand(5, 8, 3, 3)}
    m = make_model(nodes, {"t": ((2, 16, 8), F32)}, {"y": (None, F32)}, inits)
    g = check(m, {"t": rand(2, 16, 8)})
    assert "TRANSPOSE" not in op_types(g)


def test_channel_shuffle_needs_one_transpose():
    n = helper.make_node
    nodes = [
        n("Reshape", ["x", "s5"], ["r"]),
        n("Transpose", ["r"], ["t"], perm=[0, 2, 1, 3, 4]),
        n("Reshape", ["t", "s4"], ["shuffled"]),
        n("Conv", ["shuffled", "w"], ["y"]),
    ]
    inits = {
        "s5": np.asarray([1, 2, 4, 5, 5]),
        "s4": np.asarray([1, 8, 5, 5]),
        "w": rand(4, 8, 1, 1),
    }
    m = make_model(nodes, {"x": ((1, 8, 5, 5), F32)}, {"y": (None, F32)}, inits)
    g = check(m, {"x": rand(1, 8, 5, 5)})
    assert op_types(g).count("TRANSPOSE") == 2  # the shuffle itself and the NCHW output


def test_input_shapes_override_shapes_stored_in_the_file():
    """value_info inferred at export size must not leak into a conversion at another size."""
    import copy

    from onnx import shape_inference

    m24 = small_cnn(height=24)
    m16 = copy.deepcopy(m24)
    for d in m16.graph.input[0].type.tensor_type.shape.dim[2:]:
        d.dim_value = 16
    m16 = shape_inference.infer_shapes(m16)
    assert len(m16.graph.value_info) > 0
    x = rand(1, 3, 24, 24)
    graph, data = convert(m16, input_shapes={"x": [1, 3, 24, 24]})
    assert graph.inputs[0].shape == (1, 24, 24, 3)
    got = run_tflite(Interpreter(model_content=data), {"x": x})["probs"]
    np.testing.assert_allclose(got, run_ort(m24, {"x": x})["probs"], rtol=1e-5, atol=1e-6)
