"""Elementwise ops and activations, one node each, against onnxruntime (ours and LiteRT)."""

from __future__ import annotations

import numpy as np
import pytest
from onnx_harness import check, one_node, op_types

R = np.random.default_rng(0)


def rand(*shape, lo=-3.0, hi=3.0):
    return R.uniform(lo, hi, shape).astype(np.float32)


@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div", "Max", "Min"])
def test_binary_nchw_with_channel_constant(op):
    """A per-channel [C,1,1] constant broadcast against an NCHW input held as NHWC."""
    x = rand(2, 4, 5, 6)
    c = rand(4, 1, 1, lo=0.5, hi=2.0)
    g = check(one_node(op, {"x": x}, initializers={"c": c}), {"x": x})
    assert op_types(g).count("TRANSPOSE") == 1  # only at the output


@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div"])
def test_binary_two_runtime_inputs_broadcast(op):
    a, b = rand(2, 3, 4), rand(3, 1) + 4.0
    check(one_node(op, {"a": a, "b": b}), {"a": a, "b": b})


def test_binary_lower_rank_runtime_with_permuted_input():
    a, b = rand(1, 3, 4, 4), rand(4)
    check(one_node("Add", {"a": a, "b": b}), {"a": a, "b": b})


def test_scalar_constant_operand_first():
    x = rand(2, 5)
    check(one_node("Sub", {"x": x}, initializers={"c": np.float32(2.0)}), {"x": x})


@pytest.mark.parametrize("exponent", [2.0, 0.5, 3.0])
def test_pow(exponent):
    x = rand(2, 6, lo=0.1, hi=3.0)
    check(one_node("Pow", {"x": x}, initializers={"e": np.float32(exponent)}), {"x": x})


@pytest.mark.parametrize(
    "op, lo, hi",
    [
        ("Relu", -3, 3),
        ("Sigmoid", -5, 5),
        ("Tanh", -3, 3),
        ("Sqrt", 0.1, 4),
        ("Exp", -3, 3),
        ("Log", 0.1, 5),
        ("Abs", -3, 3),
        ("Neg", -3, 3),
        ("Floor", -3, 3),
        ("Ceil", -3, 3),
        ("Reciprocal", 0.5, 3),
        ("Sin", -3, 3),
        ("Cos", -3, 3),
        ("Sign", -3, 3),
        ("HardSwish", -5, 5),
        ("Elu", -3, 3),
        ("Selu", -3, 3),
        ("HardSigmoid", -5, 5),
        ("Softplus", -5, 5),
        ("Softsign", -5, 5),
        ("Identity", -3, 3),
    ],
)
def test_unary(op, lo, hi):
    x = rand(1, 3, 4, 5, lo=lo, hi=hi)
    check(one_node(op, {"x": x}), {"x": x})


def test_round_half_to_even():
    x = np.asarray([[-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.3, -0.7]], np.float32)
    check(one_node("Round", {"x": x}), {"x": x})


@pytest.mark.parametrize(
    "op, attrs",
    [
        ("LeakyRelu", {"alpha": 0.2}),
        ("Elu", {"alpha": 0.5}),
        ("HardSigmoid", {"alpha": 0.25, "beta": 0.4}),
        ("Gelu", {}),
        ("Gelu", {"approximate": "tanh"}),
    ],
)
def test_activation_attributes(op, attrs):
    x = rand(2, 3, 4, 4)
    opset = 20 if op == "Gelu" else 17
    check(one_node(op, {"x": x}, opset=opset, **attrs), {"x": x})


@pytest.mark.parametrize("slope_shape", [(3, 1, 1), (1,)])
def test_prelu(slope_shape):
    x = rand(1, 3, 5, 5)
    s = rand(*slope_shape, lo=0.05, hi=0.5)
    check(one_node("PRelu", {"x": x}, initializers={"s": s}), {"x": x})


@pytest.mark.parametrize(
    "lo, hi, tfl",
    [
        (0.0, 6.0, "RELU6"),
        (-1.0, 1.0, "RELU_N1_TO_1"),
        (0.0, 1.0, "RELU_0_TO_1"),
        (-0.5, 2.0, "MINIMUM"),
        (0.0, None, "RELU"),
        (None, 1.5, "MINIMUM"),
    ],
)
def test_clip(lo, hi, tfl):
    x = rand(1, 2, 4, 4, lo=-8, hi=8)
    inits = {}
    if lo is not None:
        inits["min"] = np.float32(lo)
    m = one_node("Clip", {"x": x}, initializers=inits)
    if hi is not None:
        m.graph.node[0].input.append("max")
        from onnx import numpy_helper

        m.graph.initializer.append(numpy_helper.from_array(np.float32(hi), "max"))
        if lo is None:
            m.graph.node[0].input[1:] = ["", "max"]
    assert tfl in op_types(check(m, {"x": x}))


def test_clip_opset10_attributes():
    x = rand(1, 2, 4, 4, lo=-8, hi=8)
    g = check(one_node("Clip", {"x": x}, opset=10, min=0.0, max=6.0), {"x": x})
    assert "RELU6" in op_types(g)


@pytest.mark.parametrize("op", ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"])
def test_compare(op):
    a = R.integers(0, 3, (2, 3, 4)).astype(np.float32)
    b = R.integers(0, 3, (3, 4)).astype(np.float32)
    check(one_node(op, {"a": a, "b": b}, out_dtype=np.bool_), {"a": a, "b": b})


@pytest.mark.parametrize("op", ["And", "Or", "Xor"])
def test_logical(op):
    a, b = R.random((3, 4)) > 0.5, R.random((3, 4)) > 0.5
    check(one_node(op, {"a": a, "b": b}), {"a": a, "b": b})


def test_not():
    a = R.random((3, 4)) > 0.5
    check(one_node("Not", {"a": a}), {"a": a})


def test_where():
    c = R.random((1, 3, 4, 4)) > 0.5
    a, b = rand(1, 3, 4, 4), rand(3, 1, 1)
    check(
        one_node("Where", {"c": c, "a": a}, initializers={"b": b}, out_dtype=np.float32),
        {"c": c, "a": a},
    )


@pytest.mark.parametrize("op", ["Sum", "Mean", "Max", "Min"])
def test_variadic(op):
    a, b, c = rand(2, 3, 4), rand(3, 4), rand(2, 3, 4)
    check(one_node(op, {"a": a, "b": b, "c": c}), {"a": a, "b": b, "c": c})
