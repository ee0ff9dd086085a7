"""Unsupported ops and attribute values are reported all at once, by node name."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper
from onnx_harness import make_model

from edgelite.converter.importers.onnx import import_onnx
from edgelite.errors import ConversionError, InvalidModelError, UnsupportedOpError

F32 = np.float32


def test_all_problems_in_one_error():
    n = helper.make_node
    nodes = [
        n("Relu", ["x"], ["a"], name="ok_relu"),
        n("Erf", ["a"], ["b"], name="lonely_erf"),
        n("Pad", ["b", "pads"], ["c"], name="wrap_pad", mode="wrap"),
        n("NonMaxSuppression", ["c", "c"], ["d"], name="nms"),
        n("Relu", ["d"], ["e"], name="after_nms"),
        n("ArgMax", ["e"], ["f"], name="last_argmax", select_last_index=1),
    ]
    m = make_model(
        nodes, {"x": ((1, 2, 3, 4), F32)}, {"f": (None, np.int64)}, {"pads": np.ones(8, np.int64)}
    )
    with pytest.raises(UnsupportedOpError) as err:
        import_onnx(m)
    msg = str(err.value)
    assert "4 node(s)" in msg
    for name, op in [
        ("lonely_erf", "Erf"),
        ("wrap_pad", "Pad"),
        ("nms", "NonMaxSuppression"),
        ("last_argmax", "ArgMax"),
    ]:
        assert f"'{name}' ({op})" in msg
    assert "wrap" in msg and "select_last_index" in msg and "after_nms" not in msg


def test_unknown_attribute_and_domain():
    n = helper.make_node
    nodes = [
        n("Relu", ["x"], ["a"], name="odd_relu", flavour=3),
        n("FusedConv", ["a"], ["b"], name="ms_op", domain="com.microsoft"),
    ]
    m = make_model(nodes, {"x": ((1, 4), F32)}, {"b": (None, F32)})
    m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    with pytest.raises(UnsupportedOpError, match="flavour") as err:
        import_onnx(m)
    assert "com.microsoft" in str(err.value)


def test_non_constant_weights_reported():
    m = make_model(
        [helper.make_node("Conv", ["x", "w"], ["y"], name="dyn_conv")],
        {"x": ((1, 2, 5, 5), F32), "w": ((3, 2, 3, 3), F32)},
        {"y": (None, F32)},
    )
    with pytest.raises(UnsupportedOpError, match="dyn_conv.*must be a constant"):
        import_onnx(m)


def test_garbage_bytes():
    with pytest.raises(InvalidModelError):
        import_onnx(b"not an onnx model")
    with pytest.raises(InvalidModelError, match="no such file"):
        import_onnx("/nonexistent/model.onnx")


def _one(op, attrs, inputs=("x",), inits=None, shape=(1, 4, 6, 6), opset=17):
    node = helper.make_node(op, list(inputs), ["y"], name="the_node", **attrs)
    return make_model([node], {"x": (shape, F32)}, {"y": (None, F32)}, inits or {}, opset=opset)


W = np.ones((4, 2, 3, 3), F32)


@pytest.mark.parametrize(
    "model, reason",
    [
        (
            _one("Resize", {"mode": "cubic"}, ("x", "", "s"), {"s": np.asarray([1, 1, 2, 2], F32)}),
            "mode='cubic'",
        ),
        (
            _one(
                "Resize",
                {"mode": "linear", "coordinate_transformation_mode": "tf_crop_and_resize"},
                ("x", "", "s"),
                {"s": np.asarray([1, 1, 2, 2], F32)},
            ),
            "tf_crop_and_resize",
        ),
        (_one("ConvTranspose", {"group": 2}, ("x", "w"), {"w": W}), "grouped ConvTranspose"),
        (_one("MaxPool", {"kernel_shape": [2, 2], "dilations": [2, 2]}), "dilated pooling"),
        (
            _one(
                "Conv", {}, ("x", "w"), {"w": np.ones((2, 4, 3, 3, 3), F32)}, shape=(1, 4, 5, 5, 5)
            ),
            "3-D convolution",
        ),
        (
            _one("Pad", {"mode": "wrap"}, ("x", "p"), {"p": np.ones(8, np.int64)}, opset=19),
            "mode='wrap'",
        ),
        (_one("TopK", {"largest": 0}, ("x", "k"), {"k": np.asarray([2])}), "largest=0"),
        (_one("Einsum", {"equation": "ii->i"}, shape=(3, 3)), "repeated Einsum letters"),
    ],
)
def test_unsupported_attribute_values(model, reason):
    if model.graph.node[0].op_type == "TopK":
        model.graph.output.append(helper.make_tensor_value_info("i", 7, None))
        model.graph.node[0].output.append("i")
    with pytest.raises(UnsupportedOpError, match="the_node") as err:
        import_onnx(model)
    assert reason in str(err.value)


def test_initializer_not_matching_its_data():
    m = make_model(
        [helper.make_node("Add", ["x", "b"], ["y"], name="add_b")],
        {"x": ((1, 4), F32)}, {"y": (None, F32)}, {"b": np.ones(4, F32)},
    )  # fmt: skip
    m.graph.initializer[0].dims[0] = 1000
    with pytest.raises(InvalidModelError, match="initializer 'b' \\(dims \\[1000\\].*its data"):
        import_onnx(m)


def test_builder_crash_is_reported_for_its_node():
    """A node whose inputs make no sense to its builder (here a reduction over a scalar's
    axis 0) is a ConversionError naming the node, never a bare ZeroDivisionError."""
    m = make_model(
        [helper.make_node("ReduceMean", ["s"], ["m"], name="mean_of_scalar", axes=[0]),
         helper.make_node("Add", ["x", "m"], ["y"], name="add_m")],
        {"x": ((1, 4), F32)}, {"y": (None, F32)}, {"s": np.array(2.0, F32)},
    )  # fmt: skip
    with pytest.raises(ConversionError, match="'mean_of_scalar' \\(ReduceMean\\)"):
        import_onnx(m)


@pytest.mark.parametrize("data", [b"", b"\x08\x07", b"garbage that parses as nothing\n"])
def test_file_without_a_graph_is_not_an_onnx_model(tmp_path, data):
    path = tmp_path / "m.onnx"
    path.write_bytes(data)
    with pytest.raises(InvalidModelError, match="not an ONNX model"):
        import_onnx(path)
    with pytest.raises(InvalidModelError, match="not an ONNX model"):
        import_onnx(data)


def test_recurrent_ops_are_reported_as_not_converted():
    n = helper.make_node
    w, r = np.zeros((1, 16, 3), F32), np.zeros((1, 16, 4), F32)
    m = make_model(
        [n("LSTM", ["x", "w", "r"], ["y"], name="lstm", hidden_size=4)],
        {"x": ((5, 1, 3), F32)}, {"y": (None, F32)}, {"w": w, "r": r},
    )  # fmt: skip
    with pytest.raises(UnsupportedOpError, match="'lstm' \\(LSTM\\): recurrent ops"):
        import_onnx(m)
