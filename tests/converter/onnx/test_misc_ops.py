"""Less common ops and opset variants, one node each, against onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper
from onnx_harness import check, make_model, one_node, op_types

R = np.random.default_rng(9)
F32, I64 = np.float32, np.int64


def rand(*shape, lo=-2.0, hi=2.0):
    return R.uniform(lo, hi, shape).astype(F32)


def test_mish_and_log_sum():
    x = rand(2, 3, 4)
    check(one_node("Mish", {"x": x}, opset=18), {"x": x})
    x = rand(2, 3, 4, lo=0.5, hi=2)
    check(one_node("ReduceLogSum", {"x": x}, opset=13, axes=[1]), {"x": x})


def test_cast_like_and_int_arithmetic():
    x = rand(2, 3) * 5
    m = one_node(
        "CastLike", {"x": x}, initializers={"t": np.zeros(1, np.int32)}, out_dtype=np.int32
    )
    check(m, {"x": x})
    a = R.integers(-5, 5, (2, 3)).astype(np.int32)
    check(one_node("Mul", {"a": a}, initializers={"b": np.asarray([2, 3, 4], np.int32)}), {"a": a})


def test_resize_opset10_and_upsample_linear():
    x = rand(1, 2, 3, 4)
    check(
        one_node("Resize", {"x": x}, initializers={"s": np.asarray([1, 1, 2, 2], F32)}, opset=10),
        {"x": x},
    )
    check(
        one_node(
            "Upsample",
            {"x": x},
            initializers={"s": np.asarray([1, 1, 2, 2], F32)},
            opset=9,
            mode="linear",
        ),
        {"x": x},
        tol=1e-5,
    )


def test_resize_nearest_fallback_to_gather():
    """A nearest mode TFLite has no flag for (ceil) becomes two GATHERs, still exact."""
    x = rand(1, 2, 4, 5)
    m = one_node(
        "Resize",
        {"x": x},
        initializers={"roi": np.zeros(0, F32), "s": np.asarray([1, 1, 1.5, 1.7], F32)},
        mode="nearest",
        nearest_mode="ceil",
        coordinate_transformation_mode="half_pixel",
    )
    g = check(m, {"x": x})
    assert op_types(g).count("GATHER") == 2


def test_constant_nodes_and_folding():
    """Constant / ConstantOfShape / Range / Size chains fold to one constant operand."""
    n = helper.make_node
    nodes = [
        n("Constant", [], ["c"], value=helper.make_tensor("v", 7, [1], [4])),
        n("ConstantOfShape", ["c"], ["ones"], value=helper.make_tensor("o", 1, [1], [1.0])),
        n("Size", ["x"], ["sz"]),
        n("Cast", ["sz"], ["szf"], to=1),
        n("Mul", ["ones", "szf"], ["scale"]),
        n("Range", ["zero", "four", "one"], ["r"]),
        n("Cast", ["r"], ["rf"], to=1),
        n("Add", ["scale", "rf"], ["offset"]),
        n("Add", ["x", "offset"], ["y"]),
    ]
    inits = {"zero": np.asarray(0, I64), "four": np.asarray(4, I64), "one": np.asarray(1, I64)}
    m = make_model(nodes, {"x": ((3, 4), F32)}, {"y": (None, F32)}, inits)
    g = check(m, {"x": rand(3, 4)})
    assert op_types(g) == ["ADD"]


def test_where_with_computed_mask_and_not():
    n = helper.make_node
    nodes = [
        n("Greater", ["x", "zero"], ["pos"]),
        n("Not", ["pos"], ["neg"]),
        n("Where", ["neg", "x", "half"], ["y"]),
    ]
    m = make_model(
        nodes, {"x": ((2, 3, 4, 5), F32)}, {"y": (None, F32)}, {"zero": F32(0), "half": F32(0.5)}
    )
    g = check(m, {"x": rand(2, 3, 4, 5)})
    assert op_types(g).count("TRANSPOSE") == 1


@pytest.mark.parametrize("opset", [11, 13, 18])
def test_split_squeeze_concat_chain_opsets(opset):
    """Axes as attributes (old opsets) or inputs (new), on an NHWC-held tensor."""
    n = helper.make_node
    if opset < 13:
        nodes = [
            n("Split", ["x"], ["a", "b"], axis=1, split=[1, 2]),
            n("Squeeze", ["a"], ["sa"], axes=[1]),
            n("Unsqueeze", ["sa"], ["ua"], axes=[1]),
        ]
        inits = {}
    else:
        nodes = [
            n("Split", ["x", "sp"], ["a", "b"], axis=1),
            n("Squeeze", ["a", "ax1"], ["sa"]),
            n("Unsqueeze", ["sa", "ax1"], ["ua"]),
        ]
        inits = {
            "sp": np.asarray([1, 2], I64),
            "ax1": np.asarray([1], I64),
            "ax3": np.asarray([3], I64),
        }
    nodes.append(
        n(
            "ReduceMax",
            ["b"] + (["ax1"] if opset >= 18 else []),
            ["mb"],
            **({} if opset >= 18 else {"axes": [1]}),
        )
    )
    nodes.append(n("Concat", ["ua", "mb"], ["y"], axis=1))
    m = make_model(nodes, {"x": ((2, 3, 4, 5), F32)}, {"y": (None, F32)}, inits, opset=opset)
    check(m, {"x": rand(2, 3, 4, 5)})


@pytest.mark.parametrize("opset, shape", [(21, (2, 6, 4, 5)), (21, (1, 6, 7)), (18, (2, 6, 3, 3))])
def test_group_norm(opset, shape):
    x = rand(*shape)
    n = shape[1] if opset >= 21 else 3
    inits = {"s": rand(n), "b": rand(n)}
    m = one_node("GroupNormalization", {"x": x}, initializers=inits, opset=opset, num_groups=3)
    check(m, {"x": x})


def test_opset18_resize_axes_and_pad_axes():
    x = rand(1, 2, 3, 4)
    m = one_node(
        "Resize",
        {"x": x},
        initializers={"roi": np.zeros(0, F32), "s": np.asarray([2, 3], F32)},
        opset=18,
        axes=[2, 3],
        mode="nearest",
        coordinate_transformation_mode="asymmetric",
        nearest_mode="floor",
    )
    check(m, {"x": x})
    m = one_node(
        "Pad",
        {"x": x},
        initializers={
            "p": np.asarray([1, 2, 0, 1], I64),
            "v": F32(0.5),
            "a": np.asarray([1, 3], I64),
        },
        opset=18,
    )
    check(m, {"x": x})
