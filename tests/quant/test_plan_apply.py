"""The plan (per-op decisions, tied and fixed params) and apply (the rewritten Graph)."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures_path import find

from edgelite.converter.importers.tflite import import_tflite
from edgelite.converter.ir import Graph, Op, Tensor, constant
from edgelite.errors import QuantizationError
from edgelite.quant import apply, plan_dynamic, plan_float16, plan_integer, rules
from edgelite.quant import params as qp
from edgelite.quantization import unique_names


def _t(name, shape=(1, 4, 4, 3)):
    return Tensor(name, shape, np.float32)


def _ranges(graph, lo=-1.0, hi=1.0, **over):
    r = {t.name: (lo, hi) for t in graph.tensors() if not t.is_const}
    r.update(over)
    return r


def _conv_graph():
    rng = np.random.default_rng(0)
    x, y, z = _t("x"), _t("y", (1, 4, 4, 8)), _t("z", (1, 2, 2, 8))
    w = constant("w", rng.standard_normal((8, 3, 3, 3)).astype(np.float32))
    b = constant("b", rng.standard_normal(8).astype(np.float32))
    conv = Op("CONV_2D", [x, w, b], [y], {"padding": "SAME", "stride_w": 1, "stride_h": 1}, "conv")
    pool = Op(
        "MAX_POOL_2D",
        [y],
        [z],
        {"padding": "VALID", "stride_w": 2, "stride_h": 2, "filter_width": 2, "filter_height": 2},
        "pool",
    )
    return Graph([conv, pool], [x], [z])


def test_weighted_op_gets_per_channel_weights_and_bias_at_input_times_weight_scale():
    g = _conv_graph()
    plan = plan_integer(g, _ranges(g, y=(0.0, 6.0), z=(0.0, 5.0)))
    q = apply(g, plan)
    conv = q.ops[0]
    assert (conv.type, conv.version) == ("CONV_2D", 3)
    x, w, b = conv.inputs
    assert w.dtype == np.int8 and w.quant.scale.size == 8 and w.quant.axis == 0
    assert np.all(np.abs(w.data) <= 127) and np.abs(w.data).max() == 127  # narrow range
    assert b.dtype == np.int32
    np.testing.assert_allclose(b.quant.scale, x.quant.scale[0] * w.quant.scale, rtol=1e-6)
    # the pool's output shares the conv output's params (the tie covers both ranges)
    assert q.ops[1].outputs[0].quant == conv.outputs[0].quant
    assert conv.outputs[0].quant.zero_point[0] == -128  # range [0, 6]


def test_per_tensor_weights_and_depthwise_axis():
    rng = np.random.default_rng(1)
    x, y = _t("x", (1, 4, 4, 4)), _t("y", (1, 4, 4, 4))
    w = constant("w", rng.standard_normal((1, 3, 3, 4)).astype(np.float32))
    op = Op("DEPTHWISE_CONV_2D", [x, w, None], [y], {"padding": "SAME", "depth_multiplier": 1})
    g = Graph([op], [x], [y])
    q = apply(g, plan_integer(g, _ranges(g)))
    assert q.ops[0].inputs[1].quant.axis == 3 and q.ops[0].inputs[1].quant.scale.size == 4
    q = apply(g, plan_integer(g, _ranges(g), per_channel=False))
    assert q.ops[0].inputs[1].quant.scale.size == 1


def test_fixed_output_params():
    for op_type, dtype, expected in [
        ("SOFTMAX", "int8", (1 / 256, -128)),
        ("LOGISTIC", "int8", (1 / 256, -128)),
        ("TANH", "int8", (1 / 128, 0)),
        ("LOG_SOFTMAX", "int8", (16 / 256, 127)),
        ("SOFTMAX", "int16", (1 / 32768, 0)),
    ]:
        x, y = _t("x", (1, 10)), _t("y", (1, 10))
        g = Graph([Op(op_type, [x], [y], {"beta": 1.0} if "SOFTMAX" == op_type else {})], [x], [y])
        mode = "int8" if dtype == "int8" else "int16x8"
        q = apply(g, plan_integer(g, _ranges(g, -5, 5), mode))
        out = q.ops[-1].outputs[0] if dtype == "int8" else q.ops[-2].outputs[0]
        assert (float(out.quant.scale[0]), int(out.quant.zero_point[0])) == pytest.approx(expected)


def test_concat_ties_inputs_and_requantizes_a_fixed_input():
    a, b, s, c = _t("a", (1, 4)), _t("b", (1, 4)), _t("s", (1, 4)), _t("c", (1, 8))
    d = _t("d", (1, 12))
    ops = [
        Op("SOFTMAX", [b], [s], {"beta": 1.0}),
        Op("CONCATENATION", [a, s], [c], {"axis": 1}),
        Op("CONCATENATION", [a, a, b], [d], {"axis": 1}),
    ]
    g = Graph(ops, [a, b], [c, d])
    plan = plan_integer(g, _ranges(g, a=(-2.0, 3.0), c=(-2.0, 3.0), b=(-1.0, 1.0)))
    assert plan.params["a"] == plan.params["c"]  # tied
    assert plan.params["s"] != plan.params["c"]  # SOFTMAX's params stay fixed...
    assert (1, 1) in plan.requantize  # ...so its concat input is requantized
    q = apply(g, plan)
    assert q.op_counts() == {"CONCATENATION": 2, "QUANTIZE": 1, "SOFTMAX": 1}
    # the second concat ties a and b (graph inputs) into one group covering both ranges
    assert plan.params["b"] == plan.params["d"] == plan.params["a"]
    lo, hi = qp.dequantize(np.array([-128, 127], np.int8), plan.params["a"])
    assert lo <= -2.0 + 1e-6 and hi >= 3.0 - 1e-2


def test_ops_without_int8_kernels_and_excluded_ops_stay_float_between_dq_and_q():
    x, n, y, z = _t("x"), _t("n"), _t("y"), _t("z")
    ops = [
        Op("NEG", [x], [n], name="neg"),
        Op("RELU", [n], [y], name="relu"),
        Op("TANH", [y], [z], name="tanh"),
    ]
    g = Graph(ops, [x], [z])
    plan = plan_integer(g, _ranges(g), input_type="int8", output_type="int8")
    assert [p.action for p in plan.ops] == ["float", "quantize", "quantize"]
    q = apply(g, plan)
    assert [o.type for o in q.ops] == ["DEQUANTIZE", "NEG", "QUANTIZE", "RELU", "TANH"]
    plan = plan_integer(g, _ranges(g), exclude=["relu"])
    assert [p.action for p in plan.ops] == ["float", "float", "quantize"]
    assert plan.ops[1].reason == "excluded"
    plan = plan_integer(g, _ranges(g), exclude=["t.n.*"])  # a regex over output names too
    assert [p.action for p in plan.ops] == ["float", "quantize", "float"]
    with pytest.raises(QuantizationError, match="matches no op"):
        plan_integer(g, _ranges(g), exclude=["nothing"])


def test_float_and_uint8_io():
    g = _conv_graph()
    r = _ranges(g, y=(0.0, 6.0), z=(0.0, 5.0))
    q = apply(g, plan_integer(g, r, input_type="float32", output_type="float32"))
    assert q.ops[0].type == "QUANTIZE" and q.ops[-1].type == "DEQUANTIZE"
    assert q.inputs[0].dtype == np.float32 and q.outputs[0].dtype == np.float32
    assert (q.inputs[0].name, q.outputs[0].name) == ("x", "z")  # names kept at the boundary
    q = apply(g, plan_integer(g, r, input_type="uint8", output_type="uint8"))
    assert q.inputs[0].dtype == np.uint8 and q.outputs[0].dtype == np.uint8
    inner = q.ops[0].outputs[0]
    assert q.inputs[0].quant.zero_point[0] == inner.quant.zero_point[0] + 128
    with pytest.raises(QuantizationError):
        plan_integer(g, r, input_type="int4")


def test_apply_leaves_the_given_graph_unchanged():
    g = _conv_graph()
    before = [(t.name, t.dtype, t.quant) for t in g.tensors()]
    apply(g, plan_integer(g, _ranges(g)))
    assert [(t.name, t.dtype, t.quant) for t in g.tensors()] == before


def test_int16x8_activations_symmetric_and_int64_bias():
    g = _conv_graph()
    q = apply(g, plan_integer(g, _ranges(g, -3.0, 2.0), "int16x8"))
    conv = next(o for o in q.ops if o.type == "CONV_2D")
    assert conv.inputs[0].dtype == np.int16 and conv.inputs[0].quant.zero_point[0] == 0
    assert conv.inputs[0].quant.scale[0] == pytest.approx(3.0 / 32767)
    assert conv.inputs[1].dtype == np.int8 and conv.inputs[2].dtype == np.int64


def test_rule_families_cover_what_tflite_ties():
    for op in (
        "RESHAPE",
        "TRANSPOSE",
        "MAX_POOL_2D",
        "AVERAGE_POOL_2D",
        "PAD",
        "CONCATENATION",
        "STRIDED_SLICE",
        "SQUEEZE",
        "GATHER",
        "RESIZE_BILINEAR",
        "SPLIT",
    ):
        assert rules.rule_for(op).output == "tie", op
    assert rules.rule_for("CONV_2D").weight == (1, 0)
    assert rules.rule_for("DEPTHWISE_CONV_2D").weight == (1, 3)
    assert not rules.supports("NEG", "int8")


def test_dynamic_and_float16_plans_on_mobilenet():
    g = unique_names(import_tflite(str(find("mobilenetv2_035_96__float.tflite"))))
    tf_dyn = import_tflite(str(find("mobilenetv2_035_96__dynamic.tflite")))
    q = apply(g, plan_dynamic(g))
    ours = sorted(
        (o.type, o.version)
        for o in q.ops
        if len(o.inputs) > 1 and o.inputs[1] is not None and o.inputs[1].dtype == np.int8
    )
    theirs = sorted(
        (o.type, o.version)
        for o in tf_dyn.ops
        if len(o.inputs) > 1 and o.inputs[1] is not None and o.inputs[1].dtype == np.int8
    )
    assert ours == theirs and len(ours) == 38  # weights of >= 1024 values, hybrid versions
    tf16 = import_tflite(str(find("mobilenetv2_035_96__fp16.tflite")))
    q = apply(g, plan_float16(g))
    assert q.op_counts() == tf16.op_counts()
    assert all(o.inputs[0].dtype == np.float16 for o in q.ops if o.type == "DEQUANTIZE")


def test_bias_correction_removes_the_mean_error_of_rounded_weights():
    g = _conv_graph()
    x = np.random.default_rng(2).uniform(0.0, 2.0, (64, 3))  # a non-zero mean per channel
    means = {"x": x.mean(axis=0)}
    r = _ranges(g, y=(-9.0, 9.0), z=(-9.0, 9.0))
    plain = apply(g, plan_integer(g, r)).ops[0]
    fixed = apply(g, plan_integer(g, r, means=means)).ops[0]
    w, b = g.ops[0].inputs[1].data.astype(np.float64), g.ops[0].inputs[2].data

    def mean_error(conv):
        wq, bq = conv.inputs[1], conv.inputs[2]
        err_w = qp.dequantize(wq.data, wq.quant).astype(np.float64) - w
        shift = np.einsum("ohwi,i->o", err_w, means["x"])  # interior pixels: all 9 taps
        return shift + qp.dequantize(bq.data, bq.quant) - b

    bias_step = float(fixed.inputs[2].quant.scale.max())
    assert np.abs(mean_error(fixed)).max() <= bias_step
    assert np.abs(mean_error(plain)).max() > 10 * bias_step


def test_dynamic_batch_matmul_with_constant_weights_is_hybrid():
    litert = pytest.importorskip("ai_edge_litert.interpreter")
    from edgelite.converter.writer import graph_to_bytes

    w = np.random.default_rng(3).standard_normal((64, 48)).astype(np.float32)
    x, y = _t("x", (1, 8, 64)), _t("y", (1, 8, 48))
    g = Graph([Op("BATCH_MATMUL", [x, constant("w", w)], [y], {"adj_x": False})], [x], [y])
    q = apply(g, plan_dynamic(g))
    bmm = q.ops[0]
    assert bmm.inputs[1].dtype == np.int8 and bmm.inputs[1].quant.scale.size == 1
    assert bmm.options["asymmetric_quantize_inputs"] is True
    it = litert.Interpreter(model_content=graph_to_bytes(q))
    it.allocate_tensors()
    xv = np.random.default_rng(4).standard_normal((1, 8, 64)).astype(np.float32)
    it.set_tensor(it.get_input_details()[0]["index"], xv)
    it.invoke()
    out = it.get_tensor(it.get_output_details()[0]["index"])
    assert np.abs(out - xv @ w).max() < 0.05 * np.abs(xv @ w).max()
