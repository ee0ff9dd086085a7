"""Data-movement ops, Pad, Resize, Cast and constant folding against onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper
from onnx_harness import check, make_model, one_node, op_types

R = np.random.default_rng(5)


def rand(*shape):
    return R.standard_normal(shape).astype(np.float32)


I64 = np.int64


@pytest.mark.parametrize(
    "x_shape, shape",
    [
        ((2, 3, 4, 5), (2, -1)),
        ((2, 3, 4, 5), (0, 3, 20)),
        ((2, 12), (2, 3, 2, 2)),
        ((1, 8, 1, 1), (1, 8)),
        ((2, 3, 4), (4, 6)),
    ],
)
def test_reshape(x_shape, shape):
    x = rand(*x_shape)
    check(one_node("Reshape", {"x": x}, initializers={"s": np.asarray(shape, I64)}), {"x": x})


def test_reshape_of_1x1_feature_map_needs_no_transpose():
    x = rand(2, 8, 1, 1)
    g = check(one_node("Reshape", {"x": x}, initializers={"s": np.asarray([2, 8], I64)}), {"x": x})
    assert op_types(g) == ["RESHAPE"]


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_flatten(axis):
    x = rand(2, 3, 4, 5)
    check(one_node("Flatten", {"x": x}, axis=axis), {"x": x})


@pytest.mark.parametrize("perm", [(0, 2, 3, 1), (0, 3, 1, 2), (3, 2, 1, 0), (0, 1, 2, 3)])
def test_transpose(perm):
    x = rand(2, 3, 4, 5)
    check(one_node("Transpose", {"x": x}, perm=list(perm)), {"x": x})


def test_transpose_to_nhwc_is_free():
    """NCHW input held as NHWC, transposed to NHWC by the model: nothing to do."""
    x = rand(1, 3, 4, 5)
    g = check(one_node("Transpose", {"x": x}, perm=[0, 2, 3, 1]), {"x": x})
    assert "TRANSPOSE" not in op_types(g)


@pytest.mark.parametrize("opset", [11, 13])
def test_squeeze_unsqueeze(opset):
    x = rand(2, 1, 3, 1)
    if opset < 13:
        m = one_node("Squeeze", {"x": x}, opset=opset, axes=[1, 3])
    else:
        m = one_node("Squeeze", {"x": x}, opset=opset, initializers={"a": np.asarray([1, -1])})
    check(m, {"x": x})
    z = rand(2, 3, 4)
    if opset < 13:
        m = one_node("Unsqueeze", {"z": z}, opset=opset, axes=[0, 3])
    else:
        m = one_node("Unsqueeze", {"z": z}, opset=opset, initializers={"a": np.asarray([0, -1])})
    check(m, {"z": z})


def test_unsqueeze_of_permuted_tensor():
    x = rand(1, 3, 4, 5)
    check(one_node("Unsqueeze", {"x": x}, initializers={"a": np.asarray([2])}), {"x": x})


def test_squeeze_all_unit_dims():
    x = rand(1, 3, 1, 1)
    check(one_node("Squeeze", {"x": x}), {"x": x})


@pytest.mark.parametrize("axis", [1, 3, -1, 0])
def test_concat(axis):
    a, b = rand(1, 3, 4, 5), rand(1, 3, 4, 5)
    c = rand(1, 3, 4, 5)
    check(one_node("Concat", {"a": a, "b": b}, initializers={"c": c}, axis=axis), {"a": a, "b": b})


@pytest.mark.parametrize(
    "opset, split, n, axis",
    [
        (13, None, 2, 1),
        (13, [1, 3], 2, 1),
        (11, [2, 4], 2, 3),
        (18, None, 3, 2),
        (13, [3, 1, 2], 3, -1),
    ],
)
def test_split(opset, split, n, axis):
    x = rand(1, 4, 6, 6) if axis != -1 else rand(2, 6)
    attrs = {"axis": axis}
    inits = {}
    if split is not None and opset >= 13:
        inits["s"] = np.asarray(split, I64)
    elif split is not None:
        attrs["split"] = split
    if opset >= 18 and split is None:
        attrs["num_outputs"] = n
    check(
        one_node("Split", {"x": x}, initializers=inits, opset=opset, n_outputs=n, **attrs), {"x": x}
    )


@pytest.mark.parametrize(
    "starts, ends, axes, steps",
    [
        ([1], [3], [1], None),
        ([0, 1], [-1, 100], [2, 3], None),
        ([-1], [-1000], [3], [-1]),
        ([4, 0], [0, 5], [2, 1], [-2, 2]),
        ([1, 1, 1, 1], [2, 3, 4, 5], None, None),
    ],
)
def test_slice(starts, ends, axes, steps):
    x = rand(2, 3, 5, 6)
    inits = {"s": np.asarray(starts, I64), "e": np.asarray(ends, I64)}
    if axes is not None:
        inits["a"] = np.asarray(axes, I64)
    if steps is not None:
        inits["st"] = np.asarray(steps, I64)
    check(one_node("Slice", {"x": x}, initializers=inits), {"x": x})


def test_slice_opset9_attributes():
    x = rand(2, 3, 5, 6)
    check(one_node("Slice", {"x": x}, opset=9, starts=[1], ends=[4], axes=[2]), {"x": x})


@pytest.mark.parametrize(
    "indices, axis",
    [(np.asarray([2, 0, -1]), 1), (np.asarray(1), 3), (np.asarray([[0, 1], [2, 2]]), 0)],
)
def test_gather_constant_indices(indices, axis):
    x = rand(3, 4, 5, 6)
    check(
        one_node("Gather", {"x": x}, initializers={"i": indices.astype(I64)}, axis=axis), {"x": x}
    )


def test_gather_embedding_lookup():
    ids = np.asarray([[1, 4, 0], [2, 2, 3]], I64)
    table = rand(5, 8)
    m = one_node("Gather", {"ids": ids}, initializers={"t": table}, out_dtype=np.float32)
    m.graph.node[0].input[:] = ["t", "ids"]
    check(m, {"ids": ids})


def test_tile_and_expand():
    x = rand(1, 3, 1, 4)
    check(one_node("Tile", {"x": x}, initializers={"r": np.asarray([2, 1, 3, 1], I64)}), {"x": x})
    check(one_node("Expand", {"x": x}, initializers={"s": np.asarray([2, 3, 5, 4], I64)}), {"x": x})
    z = rand(3, 1)
    check(one_node("Expand", {"z": z}, initializers={"s": np.asarray([2, 3, 4], I64)}), {"z": z})


@pytest.mark.parametrize("mode", ["DCR", "CRD"])
def test_depth_to_space(mode):
    x = rand(1, 8, 3, 4)
    check(one_node("DepthToSpace", {"x": x}, blocksize=2, mode=mode), {"x": x})


def test_space_to_depth():
    x = rand(1, 3, 4, 6)
    check(one_node("SpaceToDepth", {"x": x}, blocksize=2), {"x": x})


@pytest.mark.parametrize(
    "mode, value, pads",
    [
        ("constant", None, [0, 0, 1, 2, 0, 0, 2, 1]),
        ("constant", 1.5, [0, 1, 1, 1, 0, 1, 1, 1]),
        ("reflect", None, [0, 0, 2, 1, 0, 0, 1, 2]),
        ("edge", None, [0, 0, 3, 1, 0, 0, 1, 4]),
        ("edge", None, [0, 2, 0, 0, 0, 1, 0, 0]),
    ],
)
def test_pad(mode, value, pads):
    x = rand(1, 3, 5, 6)
    inits = {"p": np.asarray(pads, I64)}
    if value is not None:
        inits["v"] = np.float32(value)
    check(one_node("Pad", {"x": x}, initializers=inits, mode=mode), {"x": x})


def test_pad_opset2_attributes():
    x = rand(1, 3, 5, 6)
    check(one_node("Pad", {"x": x}, opset=10, pads=[0, 0, 1, 1, 0, 0, 1, 1], value=0.0), {"x": x})


RESIZE_CASES = [
    ("nearest", "asymmetric", "floor", [1, 1, 2, 2]),
    ("nearest", "half_pixel", "round_prefer_floor", [1, 1, 2, 2]),
    ("nearest", "align_corners", "round_prefer_ceil", [1, 1, 2, 3]),
    ("nearest", "asymmetric", "round_prefer_ceil", [1, 1, 1.5, 2]),
    ("nearest", "pytorch_half_pixel", "round_prefer_floor", [1, 1, 0.5, 0.5]),
    ("linear", "align_corners", None, [1, 1, 2, 2]),
    ("linear", "half_pixel", None, [1, 1, 2, 2]),
    ("linear", "pytorch_half_pixel", None, [1, 1, 2, 3]),
    ("linear", "asymmetric", None, [1, 1, 2, 2]),
    ("linear", "half_pixel", None, [1, 1, 0.5, 0.5]),
]


@pytest.mark.parametrize("mode, ctm, nearest, scales", RESIZE_CASES)
def test_resize_scales(mode, ctm, nearest, scales):
    x = rand(1, 3, 4, 6)
    attrs = {"mode": mode, "coordinate_transformation_mode": ctm}
    if nearest:
        attrs["nearest_mode"] = nearest
    inits = {"roi": np.zeros(0, np.float32), "sc": np.asarray(scales, np.float32)}
    check(one_node("Resize", {"x": x}, initializers=inits, **attrs), {"x": x})


def test_resize_sizes():
    x = rand(1, 3, 4, 6)
    m = one_node(
        "Resize",
        {"x": x},
        initializers={"sizes": np.asarray([1, 3, 7, 9], I64)},
        mode="linear",
        coordinate_transformation_mode="align_corners",
    )
    m.graph.node[0].input[:] = ["x", "", "", "sizes"]
    check(m, {"x": x})


def test_upsample_opset9():
    x = rand(1, 2, 3, 4)
    check(
        one_node(
            "Upsample", {"x": x}, initializers={"s": np.asarray([1, 1, 2, 2], np.float32)}, opset=9
        ),
        {"x": x},
    )


def test_cast():
    x = rand(2, 3) * 10
    check(one_node("Cast", {"x": x}, out_dtype=np.int32, to=6), {"x": x})


def test_shape_arithmetic_is_folded():
    """x.view(x.size(0), -1) as torch exports it: Shape/Gather/Unsqueeze/Concat -> Reshape."""
    x = rand(2, 3, 4, 5)
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
        helper.make_node("Unsqueeze", ["n", "zero1"], ["n1"]),
        helper.make_node("Concat", ["n1", "minus1"], ["shape"], axis=0),
        helper.make_node("Reshape", ["x", "shape"], ["y"]),
    ]
    inits = {
        "zero": np.asarray(0, I64),
        "zero1": np.asarray([0], I64),
        "minus1": np.asarray([-1], I64),
    }
    m = make_model(nodes, {"x": ((2, 3, 4, 5), np.float32)}, {"y": (None, np.float32)}, inits)
    g = check(m, {"x": x})
    assert op_types(g) == ["TRANSPOSE", "RESHAPE"]
