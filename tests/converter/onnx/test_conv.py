"""Conv and ConvTranspose variants against onnxruntime (ours and LiteRT)."""

from __future__ import annotations

import numpy as np
import pytest
from onnx_harness import check, one_node, op_types

R = np.random.default_rng(1)


def rand(*shape):
    return R.standard_normal(shape).astype(np.float32)


CONV_CASES = [
    # (name, C_in, C_out, group, kernel, attrs, expected TFLite ops)
    ("plain", 3, 8, 1, (3, 3), {}, ["CONV_2D"]),
    ("same_pads", 3, 8, 1, (3, 3), {"pads": [1, 1, 1, 1]}, ["CONV_2D"]),
    ("strided_same", 4, 8, 1, (3, 3), {"pads": [1, 1, 1, 1], "strides": [2, 2]}, None),
    ("pointwise", 8, 16, 1, (1, 1), {}, ["CONV_2D"]),
    ("asymmetric", 3, 4, 1, (3, 3), {"pads": [0, 1, 2, 1]}, ["PAD", "CONV_2D"]),
    ("dilated", 3, 4, 1, (3, 3), {"dilations": [2, 2], "pads": [2, 2, 2, 2]}, ["CONV_2D"]),
    ("rect_stride", 3, 4, 1, (3, 5), {"strides": [1, 2], "pads": [1, 2, 1, 2]}, None),
    ("same_upper", 3, 4, 1, (4, 4), {"auto_pad": "SAME_UPPER", "strides": [2, 2]}, ["CONV_2D"]),
    ("same_lower", 3, 4, 1, (4, 4), {"auto_pad": "SAME_LOWER"}, ["PAD", "CONV_2D"]),
    ("valid", 3, 4, 1, (3, 3), {"auto_pad": "VALID", "strides": [2, 2]}, ["CONV_2D"]),
    ("depthwise", 6, 6, 6, (3, 3), {"pads": [1, 1, 1, 1]}, ["DEPTHWISE_CONV_2D"]),
    ("depthwise_mult", 4, 8, 4, (3, 3), {"strides": [2, 2]}, ["DEPTHWISE_CONV_2D"]),
    ("depthwise_s2", 8, 8, 8, (3, 3), {"pads": [1, 1, 1, 1], "strides": [2, 2]}, None),
    ("grouped", 8, 12, 2, (3, 3), {"pads": [1, 1, 1, 1]}, ["CONV_2D"]),
]


@pytest.mark.parametrize("case", CONV_CASES, ids=[c[0] for c in CONV_CASES])
def test_conv2d(case):
    _, cin, cout, group, kernel, attrs, expected = case
    x = rand(1, cin, 9, 10)
    w = rand(cout, cin // group, *kernel)
    b = rand(cout)
    m = one_node("Conv", {"x": x}, initializers={"w": w, "b": b}, group=group, **attrs)
    g = check(m, {"x": x})
    if expected:
        assert [t for t in op_types(g) if t != "TRANSPOSE"] == expected
    assert op_types(g).count("TRANSPOSE") == 1  # back to NCHW at the output only


def test_conv_without_bias_and_kernel_shape():
    x, w = rand(2, 3, 7, 7), rand(5, 3, 2, 2)
    check(one_node("Conv", {"x": x}, initializers={"w": w}, kernel_shape=[2, 2]), {"x": x})


def test_conv_nchw_input_kept():
    """nhwc_inputs=False: the model input stays NCHW and one TRANSPOSE follows it."""
    x, w = rand(1, 3, 8, 8), rand(4, 3, 3, 3)
    g = check(one_node("Conv", {"x": x}, initializers={"w": w}), {"x": x}, nhwc_inputs=False)
    assert list(g.inputs[0].shape) == [1, 3, 8, 8]
    assert op_types(g) == ["TRANSPOSE", "CONV_2D", "TRANSPOSE"]


@pytest.mark.parametrize(
    "attrs, group, cin, cout",
    [
        ({}, 1, 4, 6),
        ({"pads": [1, 1], "strides": [2]}, 1, 4, 6),
        ({"pads": [2, 2], "dilations": [2]}, 1, 3, 5),
        ({"pads": [1, 1]}, 4, 4, 4),
        ({"pads": [0, 2]}, 1, 2, 3),
    ],
)
def test_conv1d(attrs, group, cin, cout):
    x = rand(2, cin, 20)
    w, b = rand(cout, cin // group, 3), rand(cout)
    m = one_node("Conv", {"x": x}, initializers={"w": w, "b": b}, group=group, **attrs)
    check(m, {"x": x})


DECONV_CASES = [
    ("k4s2p1", (4, 4), {"strides": [2, 2], "pads": [1, 1, 1, 1]}, "SAME"),
    ("k2s2", (2, 2), {"strides": [2, 2]}, "SAME"),
    ("k3s1", (3, 3), {}, "VALID"),
    (
        "k3s2p1op1",
        (3, 3),
        {"strides": [2, 2], "pads": [1, 1, 1, 1], "output_padding": [1, 1]},
        None,
    ),
    ("k3s2p1", (3, 3), {"strides": [2, 2], "pads": [1, 1, 1, 1]}, None),
    ("asym", (3, 3), {"strides": [2, 1], "pads": [0, 1, 1, 0]}, None),
]


@pytest.mark.parametrize("case", DECONV_CASES, ids=[c[0] for c in DECONV_CASES])
def test_conv_transpose(case):
    _, kernel, attrs, padding = case
    x = rand(1, 4, 5, 6)
    w, b = rand(4, 3, *kernel), rand(3)
    g = check(
        one_node("ConvTranspose", {"x": x}, initializers={"w": w, "b": b}, **attrs),
        {"x": x},
        tol=1e-5,
    )
    if padding:
        (op,) = [o for o in g.ops if o.type == "TRANSPOSE_CONV"]
        assert op.options["padding"] == padding


def test_conv_transpose_1d():
    x = rand(1, 4, 9)
    w, b = rand(4, 2, 4), rand(2)
    check(
        one_node(
            "ConvTranspose", {"x": x}, initializers={"w": w, "b": b}, strides=[2], pads=[1, 1]
        ),
        {"x": x},
        tol=1e-5,
    )


def test_conv_transpose_dynamic_batch():
    """The output_shape input follows the batch at run time (SHAPE + SLICE + CONCATENATION)."""
    from onnx import helper
    from onnx_harness import make_model

    node = helper.make_node(
        "ConvTranspose", ["x", "w", "b"], ["y"], strides=[2, 2], pads=[1, 1, 1, 1]
    )
    inits = {"w": rand(4, 3, 4, 4), "b": rand(3)}
    m = make_model([node], {"x": (("N", 4, 5, 6), np.float32)}, {"y": (None, np.float32)}, inits)
    x = rand(3, 4, 5, 6)
    g = check(m, {"x": x})
    assert g.inputs[0].shape == (-1, 5, 6, 4)
