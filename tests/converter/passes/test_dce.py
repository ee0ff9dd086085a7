from graph_check import assert_equivalent, count, graph, op, t

from edgelite.converter.passes.dce import eliminate_dead_code


def test_drops_unread_chains_and_keeps_inputs():
    x, unused = t("x", [2, 3]), t("unused", [4])
    y, d1, d2 = t("y", [2, 3]), t("d1", [2, 3]), t("d2", [2, 3])
    g = graph([op("RELU", [x], [y]), op("EXP", [x], [d1]), op("NEG", [d1], [d2])], [x, unused], [y])
    out = eliminate_dead_code(g)
    assert (count(g), count(out)) == (3, 1)
    assert out.inputs == [x, unused]
    assert count(g) == 3  # pure: the given graph is unchanged
    assert_equivalent(g, out)


def test_keeps_ops_feeding_any_output():
    x, a, b = t("x", [3]), t("a", [3]), t("b", [3])
    g = graph([op("RELU", [x], [a]), op("EXP", [a], [b])], [x], [a, b])
    assert count(eliminate_dead_code(g)) == 2
