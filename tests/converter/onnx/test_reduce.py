"""Reductions, ArgMax/ArgMin, Softmax/LogSoftmax and TopK against onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest
from onnx_harness import check, one_node, op_types

R = np.random.default_rng(4)


def rand(*shape, lo=-2.0, hi=2.0):
    return R.uniform(lo, hi, shape).astype(np.float32)


REDUCE_OPS = [
    "ReduceMean",
    "ReduceSum",
    "ReduceMax",
    "ReduceMin",
    "ReduceProd",
    "ReduceL1",
    "ReduceL2",
    "ReduceSumSquare",
    "ReduceLogSumExp",
]


@pytest.mark.parametrize("op", REDUCE_OPS)
@pytest.mark.parametrize("axes, keepdims", [([1], 1), ([2, 3], 0), ([-1], 0), (None, 1)])
def test_reduce_axes_input(op, axes, keepdims):
    """Opset 18: axes as an input; the 4-D input is held NHWC so axes are remapped."""
    x = rand(2, 3, 4, 5, lo=0.5, hi=1.5)
    inits = {} if axes is None else {"axes": np.asarray(axes, np.int64)}
    check(one_node(op, {"x": x}, initializers=inits, opset=18, keepdims=keepdims), {"x": x})


@pytest.mark.parametrize("op", ["ReduceMean", "ReduceMax", "ReduceSum"])
def test_reduce_axes_attribute(op):
    x = rand(2, 3, 4, 5)
    opset = 11
    check(one_node(op, {"x": x}, opset=opset, axes=[1, 2], keepdims=0), {"x": x})


def test_reduce_sum_axes_input_opset13():
    x = rand(2, 3, 4)
    m = one_node("ReduceSum", {"x": x}, initializers={"a": np.asarray([0, 2])}, opset=13)
    check(m, {"x": x})


def test_reduce_noop_with_empty_axes():
    x = rand(2, 3)
    g = check(one_node("ReduceSum", {"x": x}, opset=13, noop_with_empty_axes=1), {"x": x})
    assert "SUM" not in op_types(g)


@pytest.mark.parametrize("op", ["ArgMax", "ArgMin"])
@pytest.mark.parametrize("axis, keepdims", [(1, 1), (3, 0), (-2, 1)])
def test_arg_max(op, axis, keepdims):
    x = rand(2, 3, 4, 5)
    check(one_node(op, {"x": x}, out_dtype=np.int64, axis=axis, keepdims=keepdims), {"x": x})


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax"])
@pytest.mark.parametrize(
    "opset, axis, shape",
    [
        (13, -1, (2, 3, 5)),
        (13, 1, (2, 4, 3, 3)),
        (13, 0, (3, 4)),
        (11, 1, (2, 3, 4)),
        (11, -1, (2, 3, 4)),
        (11, None, (2, 6)),
    ],
)
def test_softmax(op, opset, axis, shape):
    x = rand(*shape)
    attrs = {} if axis is None else {"axis": axis}
    check(one_node(op, {"x": x}, opset=opset, **attrs), {"x": x})


def test_softmax_over_channels_of_nhwc_needs_no_transpose():
    x = rand(1, 6, 4, 4)
    g = check(one_node("Softmax", {"x": x}, axis=1), {"x": x})
    assert op_types(g) == ["SOFTMAX", "TRANSPOSE"]


def test_top_k_litert():
    """TOPK_V2 has no kernel in our interpreter: checked in LiteRT only."""
    x = rand(2, 3, 10)
    m = one_node(
        "TopK",
        {"x": x},
        initializers={"k": np.asarray([4])},
        n_outputs=2,
        output_shapes=[(2, 3, 4), (2, 3, 4)],
    )
    m.graph.output[1].type.tensor_type.elem_type = 7  # int64 indices
    check(m, {"x": x}, ours=False)
