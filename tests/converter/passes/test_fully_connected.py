import numpy as np
import pytest
from graph_check import assert_equivalent, c, count, graph, op, random_inputs, run_litert, t

from edgelite.converter.passes.fully_connected import matmul_to_fully_connected

rng = np.random.default_rng(3)


@pytest.mark.parametrize("lead", [[2], [2, 3], [-1, 3]])
def test_matmul_add_becomes_fully_connected(lead):
    x, m, y = t("x", lead + [5]), t("m", lead + [4]), t("y", lead + [4])
    g = graph(
        [
            op(
                "BATCH_MATMUL",
                [x, c("w", rng.standard_normal((5, 4)))],
                [m],
                adj_x=False,
                adj_y=False,
            ),
            op("ADD", [m, c("b", rng.standard_normal(4))], [y], fused_activation_function="RELU"),
        ],
        [x],
        [y],
    )
    out = matmul_to_fully_connected(g)
    assert [o.type for o in out.ops] == ["FULLY_CONNECTED"]
    fc = out.ops[0]
    assert fc.inputs[1].shape == (4, 5) and fc.options["fused_activation_function"] == "RELU"
    assert fc.options["keep_num_dims"] == (len(lead) > 1)
    assert_equivalent(g, out)
    inputs = random_inputs(g)
    for w, o in zip(run_litert(g, inputs), run_litert(out, inputs)):
        np.testing.assert_allclose(o, w, rtol=1e-5, atol=1e-5)


def test_adj_y_and_bare_matmul():
    x, y = t("x", [3, 5]), t("y", [3, 4])
    g = graph(
        [op("BATCH_MATMUL", [x, c("w", rng.standard_normal((4, 5)))], [y], adj_y=True)], [x], [y]
    )
    out = matmul_to_fully_connected(g)
    assert count(out, "FULLY_CONNECTED") == 1 and out.ops[0].inputs[2] is None
    assert_equivalent(g, out)


def test_variable_right_operand_stays():
    x, w, y = t("x", [3, 5]), t("w", [5, 4]), t("y", [3, 4])
    g = graph([op("BATCH_MATMUL", [x, w], [y])], [x, w], [y])
    assert count(matmul_to_fully_connected(g), "BATCH_MATMUL") == 1
