"""Normalizations and pooling against onnxruntime (ours and LiteRT)."""

from __future__ import annotations

import numpy as np
import pytest
from onnx_harness import check, one_node, op_types

R = np.random.default_rng(3)


def rand(*shape, lo=-2.0, hi=2.0):
    return R.uniform(lo, hi, shape).astype(np.float32)


@pytest.mark.parametrize("shape", [(2, 4, 5, 6), (2, 4), (2, 4, 7)])
def test_batch_norm(shape):
    x = rand(*shape)
    c = shape[1]
    inits = {"s": rand(c), "b": rand(c), "m": rand(c), "v": rand(c, lo=0.2, hi=2.0)}
    g = check(one_node("BatchNormalization", {"x": x}, initializers=inits, epsilon=1e-3), {"x": x})
    assert [t for t in op_types(g) if t != "TRANSPOSE"] == ["MUL", "ADD"]


@pytest.mark.parametrize("axis, shape", [(-1, (2, 5, 8)), (1, (2, 3, 4)), (-1, (1, 4, 3, 3))])
def test_layer_norm(axis, shape):
    x = rand(*shape)
    norm = shape[axis % len(shape) :]
    inits = {"s": rand(*norm), "b": rand(*norm)}
    check(one_node("LayerNormalization", {"x": x}, initializers=inits, axis=axis), {"x": x})


def test_layer_norm_without_bias():
    x = rand(2, 5, 8)
    check(one_node("LayerNormalization", {"x": x}, initializers={"s": rand(8)}), {"x": x})


def test_instance_norm():
    x = rand(2, 3, 5, 6)
    inits = {"s": rand(3), "b": rand(3)}
    check(one_node("InstanceNormalization", {"x": x}, initializers=inits), {"x": x})


POOL_CASES = [
    ("MaxPool", {"kernel_shape": [2, 2], "strides": [2, 2]}),
    ("MaxPool", {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}),
    ("MaxPool", {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1}),
    ("MaxPool", {"kernel_shape": [3, 3], "pads": [0, 0, 2, 1]}),
    ("MaxPool", {"kernel_shape": [3, 3], "auto_pad": "SAME_UPPER", "strides": [2, 2]}),
    ("MaxPool", {"kernel_shape": [2, 2], "auto_pad": "SAME_LOWER"}),
    ("AveragePool", {"kernel_shape": [2, 2], "strides": [2, 2]}),
    ("AveragePool", {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}),
    ("AveragePool", {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "count_include_pad": 1}),
    ("AveragePool", {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1}),
    (
        "AveragePool",
        {
            "kernel_shape": [3, 3],
            "strides": [2, 2],
            "pads": [1, 1, 1, 1],
            "ceil_mode": 1,
            "count_include_pad": 1,
        },
    ),
    ("AveragePool", {"kernel_shape": [3, 2], "pads": [0, 1, 2, 0]}),
    ("AveragePool", {"kernel_shape": [3, 3], "auto_pad": "SAME_UPPER", "strides": [2, 2]}),
]


@pytest.mark.parametrize(
    "op, attrs", POOL_CASES, ids=[f"{o}-{i}" for i, (o, _) in enumerate(POOL_CASES)]
)
def test_pool2d(op, attrs):
    x = rand(1, 3, 9, 10)
    check(one_node(op, {"x": x}, **attrs), {"x": x})


@pytest.mark.parametrize("op", ["MaxPool", "AveragePool"])
def test_pool1d(op):
    x = rand(2, 3, 11)
    check(one_node(op, {"x": x}, kernel_shape=[3], strides=[2], pads=[1, 1]), {"x": x})


@pytest.mark.parametrize(
    "op, tfl", [("GlobalAveragePool", "MEAN"), ("GlobalMaxPool", "REDUCE_MAX")]
)
def test_global_pool(op, tfl):
    x = rand(2, 5, 4, 6)
    g = check(one_node(op, {"x": x}), {"x": x})
    assert tfl in op_types(g)


def test_global_pool_1d():
    x = rand(2, 5, 7)
    check(one_node("GlobalAveragePool", {"x": x}), {"x": x})
