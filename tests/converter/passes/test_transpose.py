import numpy as np
from graph_check import assert_equivalent, c, count, graph, op, t

from edgelite.converter.passes.transpose import cancel_transposes

TO_NCHW, TO_NHWC = [0, 3, 1, 2], [0, 2, 3, 1]


def _perm(p):
    return c("perm", p, np.int32)


def test_transpose_pair_cancels():
    x, r, a, b, y = (
        t("x", [1, 4, 5, 6]),
        t("r", [1, 4, 5, 6]),
        t("a", [1, 6, 4, 5]),
        t("b", [1, 4, 5, 6]),
        t("y", [1, 4, 5, 6]),
    )
    g = graph(
        [
            op("RELU", [x], [r]),
            op("TRANSPOSE", [r, _perm(TO_NCHW)], [a]),
            op("TRANSPOSE", [a, _perm(TO_NHWC)], [b]),
            op("EXP", [b], [y]),
        ],
        [x],
        [y],
    )
    out = cancel_transposes(g)
    assert [o.type for o in out.ops] == ["RELU", "EXP"]
    assert_equivalent(g, out)


def test_transpose_pair_composes_into_one():
    x, a, y = t("x", [2, 3, 4]), t("a", [3, 2, 4]), t("y", [3, 4, 2])
    g = graph(
        [op("TRANSPOSE", [x, _perm([1, 0, 2])], [a]), op("TRANSPOSE", [a, _perm([0, 2, 1])], [y])],
        [x],
        [y],
    )
    out = cancel_transposes(g)
    assert count(out) == 1 and out.ops[0].inputs[1].data.tolist() == [1, 2, 0]
    assert_equivalent(g, out)


def test_sinks_through_elementwise_ops_with_constants():
    x = t("x", [1, 4, 5, 6])
    a, r, s, m = (t(n, [1, 6, 4, 5]) for n in "arsm")
    y = t("y", [1, 4, 5, 6])
    bias = c("bias", np.arange(6).reshape(1, 6, 1, 1))  # per channel in NCHW
    g = graph(
        [
            op("TRANSPOSE", [x, _perm(TO_NCHW)], [a]),
            op("RELU", [a], [r]),
            op("ADD", [r, bias], [s], fused_activation_function="NONE"),
            op("MUL", [c("k", 0.5), s], [m], fused_activation_function="NONE"),
            op("TRANSPOSE", [m, _perm(TO_NHWC)], [y]),
        ],
        [x],
        [y],
    )
    out = cancel_transposes(g)
    assert [o.type for o in out.ops] == ["RELU", "ADD", "MUL"]
    assert out.ops[-1].outputs == [y] and out.ops[1].inputs[1].shape == (1, 1, 1, 6)
    assert_equivalent(g, out)


def test_no_sinking_when_intermediate_is_shared_or_perms_do_not_cancel():
    x = t("x", [1, 4, 5, 6])
    a, r = t("a", [1, 6, 4, 5]), t("r", [1, 6, 4, 5])
    y = t("y", [1, 4, 5, 6])
    shared = graph(
        [
            op("TRANSPOSE", [x, _perm(TO_NCHW)], [a]),
            op("RELU", [a], [r]),
            op("TRANSPOSE", [r, _perm(TO_NHWC)], [y]),
        ],
        [x],
        [y, r],
    )
    assert count(cancel_transposes(shared)) == 3
    z = t("z", [1, 5, 4, 6])
    other = graph(
        [
            op("TRANSPOSE", [x, _perm(TO_NCHW)], [a]),
            op("RELU", [a], [r]),
            op("TRANSPOSE", [r, _perm([0, 3, 2, 1])], [z]),
        ],
        [x],
        [z],
    )
    assert count(cancel_transposes(other)) == 3


def test_transpose_moving_only_unit_dims_becomes_reshape():
    x, a, y = t("x", [-1, 1, 1, 8]), t("a", [-1, 8, 1, 1]), t("y", [-1, 8])
    g = graph(
        [
            op("TRANSPOSE", [x, _perm(TO_NCHW)], [a]),
            op("RESHAPE", [a, c("s", [-1, 8], np.int32)], [y]),
        ],
        [x],
        [y],
    )
    out = cancel_transposes(g)
    assert [o.type for o in out.ops] == ["RESHAPE", "RESHAPE"]
    assert out.ops[0].inputs[1].data.tolist() == [-1, 8, 1, 1]
    assert_equivalent(g, out)
    x2, a2 = t("x", [1, 2, 1, 3]), t("a", [1, 3, 2, 1])
    real = graph([op("TRANSPOSE", [x2, _perm(TO_NCHW)], [a2])], [x2], [a2])
    assert [o.type for o in cancel_transposes(real).ops] == ["TRANSPOSE"]
