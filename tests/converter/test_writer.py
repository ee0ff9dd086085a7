import json

import numpy as np
import pytest
from graph_check import c, graph, op, random_inputs, run_litert, run_ours, t

from edgelite.converter.ir import QuantParams
from edgelite.converter.op_options import OPTIONS_TABLE
from edgelite.converter.writer import build_options, graph_to_bytes, graph_to_model, write_tflite
from edgelite.errors import ConversionError
from edgelite.schemas.fbs import load_schema
from edgelite.schemas.model import load_model, op_name

rng = np.random.default_rng(0)


def _small_cnn(batch=1):
    x = t("image", [batch, 8, 8, 3])
    conv, pooled, flat, y = (
        t("conv", [batch, 8, 8, 4]),
        t("pool", [batch, 4, 4, 4]),
        t("flat", [batch, 64]),
        t("logits", [batch, 5]),
    )
    w = c("w", rng.standard_normal((4, 3, 3, 3)))
    ops = [
        op(
            "CONV_2D",
            [x, w, c("b", rng.standard_normal(4))],
            [conv],
            padding="SAME",
            stride_w=1,
            stride_h=1,
            fused_activation_function="RELU6",
            dilation_w_factor=1,
            dilation_h_factor=1,
        ),
        op(
            "MAX_POOL_2D",
            [conv],
            [pooled],
            padding="VALID",
            stride_w=2,
            stride_h=2,
            filter_width=2,
            filter_height=2,
            fused_activation_function="NONE",
        ),
        op("RESHAPE", [pooled, c("shape", [-1, 64], np.int32)], [flat]),
        op(
            "FULLY_CONNECTED",
            [flat, c("fc_w", rng.standard_normal((5, 64))), c("fc_b", rng.standard_normal(5))],
            [y],
            fused_activation_function="NONE",
        ),
    ]
    return graph(ops, [x], [y])


@pytest.mark.parametrize("batch", [1, -1])
def test_litert_and_ours_agree_on_written_graph(batch):
    g = _small_cnn(batch)
    inputs = random_inputs(g)
    want, got = run_litert(g, inputs), run_ours(g, inputs)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-5)
    # and against a numpy reference of the conv+relu6 branch's shape
    assert got[0].shape == (1, 5)


def test_model_layout():
    g = _small_cnn(-1)
    m = graph_to_model(g, source="model.onnx")
    sg = m.subgraphs[0]
    assert m.version == 3 and m.buffers[0].data is None
    tensors = {x.name: x for x in sg.tensors}
    assert tensors["image"].shape.tolist() == [1, 8, 8, 3]
    assert tensors["image"].shape_signature.tolist() == [-1, 8, 8, 3]
    assert tensors["w"].shape_signature is None and tensors["image"].buffer == 0
    assert tensors["w"].buffer != 0
    assert [op_name(oc) for oc in m.operator_codes] == [
        "CONV_2D",
        "MAX_POOL_2D",
        "RESHAPE",
        "FULLY_CONNECTED",
    ]
    conv_opts = sg.operators[0].builtin_options
    assert type(conv_opts).__name__ == "Conv2DOptions"
    assert conv_opts.fused_activation_function == "RELU6" and conv_opts.padding == "SAME"
    assert sg.operators[2].builtin_options is None  # RESHAPE takes its shape from the input
    sig = m.signature_defs[0]
    assert sig.signature_key == "serving_default"
    assert [x.name for x in sig.inputs] == ["image"] and [x.name for x in sig.outputs] == ["logits"]
    meta = {md.name: bytes(m.buffers[md.buffer].data) for md in m.metadata}
    assert meta["min_runtime_version"] == b"1.5.0".ljust(16, b"\0")
    info = json.loads(meta["edgelite_source"])
    assert info == {"converter": "edgelite 0.1.0", "source": "model.onnx"}
    assert m.description == "edgelite converter"
    assert load_model(graph_to_bytes(g)).subgraphs[0].name == "main"


def test_min_runtime_version_follows_op_versions():
    x, y = t("x", [2, 3]), t("y", [2, 3])
    g = graph([op("GELU", [x], [y], approximate=False)], [x], [y])
    meta = {md.name: md.buffer for md in graph_to_model(g).metadata}
    buf = graph_to_model(g).buffers[meta["min_runtime_version"]].data
    assert bytes(buf).rstrip(b"\0") == b"2.9.0"


def test_identical_constants_share_one_buffer():
    x, a, y = t("x", [3]), t("a", [3]), t("y", [3])
    k1, k2 = c("k1", [1.0, 2.0, 3.0]), c("k2", [1.0, 2.0, 3.0])
    g = graph(
        [
            op("ADD", [x, k1], [a], fused_activation_function="NONE"),
            op("MUL", [a, k2], [y], fused_activation_function="NONE"),
        ],
        [x],
        [y],
    )
    sg_tensors = graph_to_model(g).subgraphs[0].tensors
    by_name = {x.name: x for x in sg_tensors}
    assert by_name["k1"].buffer == by_name["k2"].buffer != 0
    inputs = random_inputs(g)
    np.testing.assert_allclose(
        run_litert(g, inputs)[0], (inputs[0] + [1, 2, 3]) * [1, 2, 3], rtol=1e-6
    )


def test_quantization_per_tensor_and_per_axis():
    x = t("x", [1, 4, 4, 2], np.int8)
    x.quant = QuantParams([0.05], [3])
    w = c("w", rng.integers(-127, 128, (3, 1, 1, 2)), np.int8)
    w.quant = QuantParams([0.01, 0.02, 0.03], [0, 0, 0], axis=0)
    b = c("b", [10, -5, 0], np.int32)
    b.quant = QuantParams([0.0005, 0.001, 0.0015], [0, 0, 0])
    y = t("y", [1, 4, 4, 3], np.int8)
    y.quant = QuantParams([0.1], [-2])
    g = graph(
        [
            op(
                "CONV_2D",
                [x, w, b],
                [y],
                padding="VALID",
                stride_w=1,
                stride_h=1,
                fused_activation_function="NONE",
            )
        ],
        [x],
        [y],
    )
    g.ops[0].version = 3
    m = graph_to_model(g)
    tensors = {x.name: x for x in m.subgraphs[0].tensors}
    assert tensors["w"].quantization.scale.tolist() == pytest.approx([0.01, 0.02, 0.03])
    assert tensors["y"].quantization.zero_point.tolist() == [-2]
    assert m.operator_codes[0].version == 3
    inputs = [rng.integers(-128, 128, (1, 4, 4, 2)).astype(np.int8)]
    out = run_litert(g, inputs)[0]
    acc = (inputs[0].astype(np.int32) - 3).reshape(16, 2) @ w.data.reshape(3, 2).T.astype(
        np.int32
    ) + b.data
    real = acc * 0.05 * np.array([0.01, 0.02, 0.03])
    want = np.clip(np.round(real / 0.1) - 2, -128, 127).reshape(1, 4, 4, 3)
    assert np.abs(out.astype(int) - want).max() <= 1


def test_every_supported_op_has_a_valid_options_table():
    from edgelite.interpreter.kernels import supported_ops

    schema = load_schema()
    members = set(schema.unions["BuiltinOptions"].members)
    assert set(OPTIONS_TABLE.values()) <= members
    enum = schema.enums["BuiltinOperator"].values
    assert all(kind in enum for kind in OPTIONS_TABLE)
    with_fields = [k for k in supported_ops() if k in OPTIONS_TABLE]
    assert {"CONV_2D", "ADD", "MEAN", "GELU", "BATCH_MATMUL"} <= set(with_fields)


def test_bad_options_and_order_are_reported():
    x, y = t("x", [2]), t("y", [2])
    bad = op("ADD", [x, c("k", [1.0, 1.0])], [y], no_such_field=1)
    with pytest.raises(ConversionError, match="no_such_field"):
        build_options(bad)
    a = t("a", [2])
    g = graph([op("RELU", [a], [y]), op("RELU", [x], [a])], [x], [y])
    with pytest.raises(ConversionError, match="before any op writes it"):
        graph_to_bytes(g)


def test_write_is_atomic_and_respects_overwrite(tmp_path):
    g = _small_cnn()
    path = tmp_path / "m.tflite"
    write_tflite(g, path)
    first = path.read_bytes()
    with pytest.raises(FileExistsError):
        write_tflite(g, path, overwrite=False)
    assert path.read_bytes() == first and [p.name for p in tmp_path.iterdir()] == ["m.tflite"]
