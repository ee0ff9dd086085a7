"""The Erf-GELU subgraph becomes one GELU op, whatever order the products come in."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper
from onnx_harness import check, make_model, op_types

F32 = np.float32


def gelu_model(variant):
    n = helper.make_node
    if variant == "div":  # torch: (x * (1 + erf(x / sqrt2))) * 0.5
        nodes = [
            n("Div", ["x", "sqrt2"], ["d"]),
            n("Erf", ["d"], ["e"]),
            n("Add", ["e", "one"], ["a"]),
            n("Mul", ["x", "a"], ["m"]),
            n("Mul", ["m", "half"], ["y"]),
        ]
    elif variant == "mul_half_first":  # (x * 0.5) * (1 + erf(x * 1/sqrt2))
        nodes = [
            n("Mul", ["x", "half"], ["h"]),
            n("Mul", ["x", "rsqrt2"], ["d"]),
            n("Erf", ["d"], ["e"]),
            n("Add", ["one", "e"], ["a"]),
            n("Mul", ["h", "a"], ["y"]),
        ]
    else:  # ((1 + erf) * 0.5) * x
        nodes = [
            n("Div", ["x", "sqrt2"], ["d"]),
            n("Erf", ["d"], ["e"]),
            n("Add", ["e", "one"], ["a"]),
            n("Mul", ["a", "half"], ["m"]),
            n("Mul", ["m", "x"], ["y"]),
        ]
    inits = {"sqrt2": F32(np.sqrt(2)), "rsqrt2": F32(np.sqrt(0.5)), "one": F32(1), "half": F32(0.5)}
    used = {i for node in nodes for i in node.input}
    inits = {k: v for k, v in inits.items() if k in used}
    return make_model(nodes, {"x": ((2, 5, 8), F32)}, {"y": (None, F32)}, inits)


@pytest.mark.parametrize("variant", ["div", "mul_half_first", "half_last"])
def test_gelu_patterns(variant):
    x = np.random.default_rng(7).standard_normal((2, 5, 8)).astype(F32) * 3
    g = check(gelu_model(variant), {"x": x}, tol=1e-5)
    assert op_types(g) == ["GELU"]


def test_gelu_after_a_shape_inference_cannot_follow():
    """ONNX's shape inference gives up after a reshape to a computed shape (Max is outside
    its data propagation); the importer infers the fused GELU's output itself, with the
    schema of the opset GELU exists in (20), though the model is opset 17 (swin_t's MLPs)."""
    n = helper.make_node
    m = gelu_model("div")
    m.graph.node[0].input[0] = "r"
    m.graph.node[3].input[0] = "r"
    m.graph.node.insert(0, n("Shape", ["x"], ["s"]))
    m.graph.node.insert(1, n("Max", ["s", "s"], ["si"]))
    m.graph.node.insert(2, n("Reshape", ["x", "si"], ["r"]))
    x = np.random.default_rng(3).standard_normal((2, 5, 8)).astype(F32)
    g = check(m, {"x": x}, tol=1e-5)
    assert op_types(g) == ["GELU"]


def test_intermediate_used_elsewhere_is_not_fused():
    m = gelu_model("div")
    m.graph.output.append(helper.make_tensor_value_info("a", 1, None))
    from edgelite.converter.importers.onnx import import_onnx
    from edgelite.errors import UnsupportedOpError

    with pytest.raises(UnsupportedOpError, match="Erf"):
        import_onnx(m)


def hard_swish_model(variant):
    n = helper.make_node
    if variant == "clip_mul_div":  # Paddle: x * clip(x + 3, 0, 6) / 6
        nodes = [
            n("Add", ["x", "three"], ["a"]),
            n("Clip", ["a", "zero", "six"], ["c"]),
            n("Mul", ["x", "c"], ["m"]),
            n("Div", ["m", "six"], ["y"]),
        ]
    elif variant == "clip_div_mul":  # x * (clip(x + 3, 0, 6) / 6)
        nodes = [
            n("Add", ["three", "x"], ["a"]),
            n("Clip", ["a", "zero", "six"], ["c"]),
            n("Mul", ["c", "sixth"], ["d"]),
            n("Mul", ["d", "x"], ["y"]),
        ]
    else:  # x * HardSigmoid(x, 1/6, 0.5)
        nodes = [n("HardSigmoid", ["x"], ["h"], alpha=1 / 6, beta=0.5), n("Mul", ["x", "h"], ["y"])]
    inits = {"three": F32(3), "zero": F32(0), "six": F32(6), "sixth": F32(1 / 6)}
    used = {i for node in nodes for i in node.input}
    inits = {k: v for k, v in inits.items() if k in used}
    return make_model(nodes, {"x": ((1, 4, 5, 6), F32)}, {"y": (None, F32)}, inits)


@pytest.mark.parametrize("variant", ["clip_mul_div", "clip_div_mul", "hard_sigmoid"])
def test_hard_swish_patterns(variant):
    x = np.random.default_rng(8).uniform(-5, 5, (1, 4, 5, 6)).astype(F32)
    g = check(hard_swish_model(variant), {"x": x}, tol=1e-5)
    assert op_types(g) == ["HARD_SWISH", "TRANSPOSE"]
