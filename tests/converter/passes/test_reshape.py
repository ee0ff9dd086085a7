import numpy as np
from graph_check import assert_equivalent, c, count, graph, op, t

from edgelite.converter.passes.reshape import collapse_reshapes


def _shape(v):
    return c("shape", v, np.int32)


def test_reshape_chain_collapses_to_one():
    x, a, b, y = t("x", [2, 3, 4]), t("a", [6, 4]), t("b", [24]), t("y", [4, 6])
    g = graph(
        [
            op("RESHAPE", [x, _shape([6, 4])], [a]),
            op("RESHAPE", [a, _shape([24])], [b]),
            op("RESHAPE", [b, _shape([4, 6])], [y]),
        ],
        [x],
        [y],
    )
    out = collapse_reshapes(g)
    assert (count(g), count(out)) == (3, 1)
    assert out.ops[0].inputs[0] is x and out.ops[0].outputs == [y]
    assert_equivalent(g, out)


def test_squeeze_then_reshape_and_shared_inner():
    x, a, y, z = t("x", [1, 6, 1]), t("a", [6]), t("y", [2, 3]), t("z", [6])
    g = graph(
        [
            op("SQUEEZE", [x], [a], squeeze_dims=[0, 2]),
            op("RESHAPE", [a, _shape([2, 3])], [y]),
            op("EXP", [a], [z]),
        ],
        [x],
        [y, z],
    )
    out = collapse_reshapes(g)
    assert count(out) == 3 and out.ops[1].inputs[0] is x  # SQUEEZE still feeds EXP
    assert_equivalent(g, out)


def test_dynamic_batch_keeps_minus_one():
    x, a, y = t("x", [-1, 2, 3]), t("a", [-1, 6]), t("y", [-1, 3, 2])
    g = graph(
        [op("RESHAPE", [x, _shape([-1, 6])], [a]), op("RESHAPE", [a, _shape([-1, 3, 2])], [y])],
        [x],
        [y],
    )
    out = collapse_reshapes(g)
    assert count(out) == 1
    assert_equivalent(g, out)
