import numpy as np
import pytest
from graph_check import assert_equivalent, c, count, graph, op, t

from edgelite.converter.passes.pad_folding import fold_pad

rng = np.random.default_rng(2)


def _pads(top, bottom, left, right):
    return c("pads", [[0, 0], [top, bottom], [left, right], [0, 0]], np.int32)


def _conv_graph(size, pads, stride, kind="CONV_2D"):
    x = t("x", [1, size, size, 3])
    px = t("px", [1, size + pads[0] + pads[1], size + pads[2] + pads[3], 3])
    out = (px.shape[1] - 3) // stride + 1
    y = t("y", [1, out, out, 3 if kind != "CONV_2D" else 4])
    w = rng.standard_normal((4, 3, 3, 3) if kind == "CONV_2D" else (1, 3, 3, 3))
    opts = dict(padding="VALID", stride_w=stride, stride_h=stride, fused_activation_function="NONE")
    if kind == "DEPTHWISE_CONV_2D":
        opts["depth_multiplier"] = 1
    conv = op(
        kind, [px, c("w", w), c("b", np.zeros(w.shape[0] if kind == "CONV_2D" else 3))], [y], **opts
    )
    return graph([op("PAD", [x, _pads(*pads)], [px]), conv], [x], [y])


@pytest.mark.parametrize(
    "size,pads,stride,kind",
    [
        (7, (1, 1, 1, 1), 1, "CONV_2D"),
        (7, (1, 1, 1, 1), 2, "CONV_2D"),
        (8, (0, 1, 0, 1), 2, "CONV_2D"),
        (6, (1, 1, 1, 1), 1, "DEPTHWISE_CONV_2D"),
    ],
)
def test_same_padding_folds(size, pads, stride, kind):
    g = _conv_graph(size, pads, stride, kind)
    out = fold_pad(g)
    assert (count(g), count(out)) == (2, 1)
    assert out.ops[0].options["padding"] == "SAME"
    assert_equivalent(g, out)


def test_padding_other_than_same_stays():
    g = _conv_graph(8, (1, 1, 1, 1), 2)  # SAME would pad (0, 1) here
    assert count(fold_pad(g)) == 2


def _pool_graph(pre_relu, pad_kind, value):
    x = t("x", [1, 6, 6, 2])
    r, px, y = t("r", [1, 6, 6, 2]), t("px", [1, 8, 8, 2]), t("y", [1, 6, 6, 2])
    ops = [op("RELU", [x], [r])] if pre_relu else []
    src = r if pre_relu else x
    ins = [src, _pads(1, 1, 1, 1)] + ([c("v", value)] if pad_kind == "PADV2" else [])
    ops += [
        op(pad_kind, ins, [px]),
        op(
            "MAX_POOL_2D",
            [px],
            [y],
            padding="VALID",
            stride_w=1,
            stride_h=1,
            filter_width=3,
            filter_height=3,
            fused_activation_function="NONE",
        ),
    ]
    return graph(ops, [x], [y])


@pytest.mark.parametrize(
    "pre_relu,pad_kind,value,folds",
    [
        (False, "PADV2", -np.inf, True),
        (False, "PADV2", np.finfo(np.float32).min, True),
        (True, "PAD", 0.0, True),
        (False, "PAD", 0.0, False),  # zeros would win over negative inputs
        (False, "PADV2", -1.0, False),
    ],
)
def test_max_pool(pre_relu, pad_kind, value, folds):
    g = _pool_graph(pre_relu, pad_kind, value)
    out = fold_pad(g)
    assert count(g) - count(out) == (1 if folds else 0)
    assert_equivalent(g, out)


def test_average_pool_never_takes_a_pad():
    x, px, y = t("x", [1, 6, 6, 2]), t("px", [1, 8, 8, 2]), t("y", [1, 6, 6, 2])
    g = graph(
        [
            op("PAD", [x, _pads(1, 1, 1, 1)], [px]),
            op(
                "AVERAGE_POOL_2D",
                [px],
                [y],
                padding="VALID",
                stride_w=1,
                stride_h=1,
                filter_width=3,
                filter_height=3,
                fused_activation_function="NONE",
            ),
        ],
        [x],
        [y],
    )
    assert count(fold_pad(g)) == 2
