import numpy as np
from graph_check import assert_equivalent, c, count, graph, op, t

from edgelite.converter.passes.batchnorm import fold_batch_norm

rng = np.random.default_rng(0)


def _conv(x, y, kind="CONV_2D", w_shape=(4, 3, 3, 3), bias=True, **extra):
    w = c("w", rng.standard_normal(w_shape))
    ins = [x, w] + (
        [c("b", rng.standard_normal(w_shape[0 if kind != "DEPTHWISE_CONV_2D" else 3]))]
        if bias
        else []
    )
    opts = dict(padding="SAME", stride_w=1, stride_h=1, fused_activation_function="NONE")
    if kind == "DEPTHWISE_CONV_2D":
        opts["depth_multiplier"] = w_shape[3] // x.shape[3]
    opts.update(extra)
    return op(kind, ins, [y], **opts)


def test_conv_mul_add_fold_into_weights_with_activation():
    x, y, m, z = (
        t("x", [1, 6, 6, 3]),
        t("y", [1, 6, 6, 4]),
        t("m", [1, 6, 6, 4]),
        t("z", [1, 6, 6, 4]),
    )
    g = graph(
        [
            _conv(x, y),
            op(
                "MUL",
                [y, c("scale", rng.uniform(0.5, 2, 4))],
                [m],
                fused_activation_function="NONE",
            ),
            op(
                "ADD",
                [m, c("shift", rng.standard_normal((1, 1, 1, 4)))],
                [z],
                fused_activation_function="RELU",
            ),
        ],
        [x],
        [z],
    )
    out = fold_batch_norm(g)
    assert (count(g), count(out)) == (3, 1)
    assert out.ops[0].options["fused_activation_function"] == "RELU"
    assert out.ops[0].outputs == [z]
    assert_equivalent(g, out)


def test_depthwise_mul_sub_without_bias():
    x = t("x", [1, 5, 5, 3])
    y, m, z = (t(n, [1, 5, 5, 6]) for n in "ymz")
    g = graph(
        [
            _conv(x, y, "DEPTHWISE_CONV_2D", (1, 3, 3, 6), bias=False),
            op("MUL", [c("s", rng.uniform(0.5, 2, 6)), y], [m], fused_activation_function="NONE"),
            op("SUB", [m, c("mu", rng.standard_normal(6))], [z], fused_activation_function="NONE"),
        ],
        [x],
        [z],
    )
    out = fold_batch_norm(g)
    assert count(out) == 1 and len(out.ops[0].inputs) == 3
    assert_equivalent(g, out)


def test_fully_connected_mul_add():
    x, y, m, z = t("x", [2, 5]), t("y", [2, 4]), t("m", [2, 4]), t("z", [2, 4])
    g = graph(
        [
            op(
                "FULLY_CONNECTED",
                [x, c("w", rng.standard_normal((4, 5)))],
                [y],
                fused_activation_function="NONE",
            ),
            op("MUL", [y, c("s", rng.uniform(0.5, 2, 4))], [m], fused_activation_function="NONE"),
            op("ADD", [m, c("b", rng.standard_normal(4))], [z], fused_activation_function="NONE"),
        ],
        [x],
        [z],
    )
    out = fold_batch_norm(g)
    assert count(out) == 1
    assert_equivalent(g, out)


def test_not_folded_when_conv_output_is_shared_or_not_per_channel():
    x, y, m, z = (
        t("x", [1, 6, 6, 3]),
        t("y", [1, 6, 6, 4]),
        t("m", [1, 6, 6, 4]),
        t("z", [1, 6, 6, 4]),
    )
    shared = graph(
        [
            _conv(x, y),
            op("MUL", [y, c("s", np.ones(4) * 2)], [m], fused_activation_function="NONE"),
        ],
        [x],
        [m, y],
    )
    assert count(fold_batch_norm(shared)) == 2
    spatial = graph(
        [
            _conv(x, y),
            op("MUL", [y, c("s", np.ones((6, 1, 4)))], [z], fused_activation_function="NONE"),
        ],
        [x],
        [z],
    )
    assert count(fold_batch_norm(spatial)) == 2
