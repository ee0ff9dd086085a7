import numpy as np
from graph_check import assert_equivalent, c, count, graph, op, t

from edgelite.converter.passes.identity import remove_identities


def test_removes_each_kind_of_identity():
    x = t("x", [1, 4, 4, 3])
    r = t("r", [1, 4, 4, 3])
    chain = [t(f"h{i}", [1, 4, 4, 3]) for i in range(9)]
    y = t("y", [1, 4, 4, 3])
    ops = [
        op("RELU", [x], [r]),
        op("RESHAPE", [r, c("s", [1, 4, 4, 3], np.int32)], [chain[0]]),
        op("CAST", [chain[0]], [chain[1]], in_data_type="FLOAT32", out_data_type="FLOAT32"),
        op("TRANSPOSE", [chain[1], c("p", [0, 1, 2, 3], np.int32)], [chain[2]]),
        op("PAD", [chain[2], c("pads", np.zeros((4, 2)), np.int32)], [chain[3]]),
        op("ADD", [chain[3], c("zero", 0.0)], [chain[4]]),
        op("MUL", [c("one", [1.0, 1.0, 1.0]), chain[4]], [chain[5]]),
        op("TILE", [chain[5], c("m", [1, 1, 1, 1], np.int32)], [chain[6]]),
        op("SUB", [chain[6], c("z2", 0.0)], [chain[7]]),
        op("DIV", [chain[7], c("o2", 1.0)], [chain[8]]),
        op("EXP", [chain[8]], [y]),
    ]
    g = graph(ops, [x], [y])
    out = remove_identities(g)
    assert (count(g), count(out)) == (11, 2)
    assert [o.type for o in out.ops] == ["RELU", "EXP"]
    assert_equivalent(g, out)


def test_output_name_survives():
    x, r, y = t("x", [2, 3]), t("r", [2, 3]), t("y", [2, 3])
    g = graph([op("RELU", [x], [r]), op("RESHAPE", [r, c("s", [2, 3], np.int32)], [y])], [x], [y])
    out = remove_identities(g)
    assert count(out) == 1 and out.ops[0].outputs[0] is y and out.outputs == [y]
    assert_equivalent(g, out)


def test_keeps_real_work():
    x = t("x", [2, 3])
    a, b, y = t("a", [3, 2]), t("b", [3, 2]), t("y", [2, 3])
    ops = [
        op("RESHAPE", [x, c("s", [3, 2], np.int32)], [a]),  # changes the shape
        op("ADD", [a, c("bias", [0.0, 0.5])], [b]),  # not all zero
        op("TRANSPOSE", [b, c("p", [1, 0], np.int32)], [y]),
    ]
    g = graph(ops, [x], [y])
    assert count(remove_identities(g)) == 3


def test_input_straight_to_output_stays():
    x, y = t("x", [2, 3]), t("y", [2, 3])
    g = graph([op("RESHAPE", [x, c("s", [2, 3], np.int32)], [y])], [x], [y])
    assert count(remove_identities(g)) == 1


def test_broadcasting_add_of_zero_stays():
    x, y = t("x", [1, 3]), t("y", [2, 3])
    g = graph([op("ADD", [x, c("z", np.zeros((2, 3)))], [y])], [x], [y])
    assert count(remove_identities(g)) == 1
