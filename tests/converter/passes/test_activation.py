import numpy as np
from graph_check import assert_equivalent, c, count, graph, op, t

from edgelite.converter.passes.activation import fuse_activations

rng = np.random.default_rng(1)


def _conv(x, y):
    w = c("w", rng.standard_normal((4, 1, 1, 3)))
    return op(
        "CONV_2D",
        [x, w, c("b", np.zeros(4))],
        [y],
        padding="VALID",
        stride_w=1,
        stride_h=1,
        fused_activation_function="NONE",
    )


def test_relu_fuses_into_add():
    a, b, s, y = t("a", [2, 3]), t("b", [2, 3]), t("s", [2, 3]), t("y", [2, 3])
    g = graph(
        [op("ADD", [a, b], [s], fused_activation_function="NONE"), op("RELU", [s], [y])],
        [a, b],
        [y],
    )
    out = fuse_activations(g)
    assert (count(g), count(out)) == (2, 1)
    assert out.ops[0].options["fused_activation_function"] == "RELU" and out.ops[0].outputs == [y]
    assert_equivalent(g, out)


def test_min_max_clamp_becomes_fused_relu6():
    x = t("x", [1, 4, 4, 3])
    y, m, z = (t(n, [1, 4, 4, 4]) for n in "ymz")
    for first, second in (("MAXIMUM", "MINIMUM"), ("MINIMUM", "MAXIMUM")):
        lo_hi = {"MAXIMUM": 0.0, "MINIMUM": 6.0}
        g = graph(
            [
                _conv(x, y),
                op(first, [y, c("k1", lo_hi[first])], [m]),
                op(second, [c("k2", lo_hi[second]), m], [z]),
            ],
            [x],
            [z],
        )
        out = fuse_activations(g)
        assert count(out) == 1 and out.ops[0].options["fused_activation_function"] == "RELU6"
        assert_equivalent(g, out)


def test_clamp_without_fusable_producer_becomes_relu6_op():
    x, m, z = t("x", [2, 5]), t("m", [2, 5]), t("z", [2, 5])
    g = graph(
        [op("MAXIMUM", [x, c("lo", 0.0)], [m]), op("MINIMUM", [m, c("hi", 6.0)], [z])], [x], [z]
    )
    out = fuse_activations(g)
    assert [o.type for o in out.ops] == ["RELU6"]
    assert_equivalent(g, out)


def test_not_fused_when_producer_output_is_shared_or_producer_cannot():
    a, b, s, y = t("a", [2, 3]), t("b", [2, 3]), t("s", [2, 3]), t("y", [2, 3])
    shared = graph(
        [op("ADD", [a, b], [s], fused_activation_function="NONE"), op("RELU", [s], [y])],
        [a, b],
        [y, s],
    )
    assert count(fuse_activations(shared)) == 2
    x, e = t("x", [2, 3]), t("e", [2, 3])
    g = graph([op("EXP", [x], [e]), op("RELU_N1_TO_1", [e], [y])], [x], [y])
    assert count(fuse_activations(g)) == 2
    already = graph(
        [op("ADD", [a, b], [s], fused_activation_function="RELU6"), op("RELU", [s], [y])],
        [a, b],
        [y],
    )
    assert count(fuse_activations(already)) == 2
