import numpy as np
from graph_check import assert_equivalent, c, count, graph, op, t

from edgelite.converter.passes.constant_folding import fold_constants


def test_folds_constant_subgraph_through_kernels():
    x = t("x", [3, 2])
    a = c("a", np.arange(6).reshape(2, 3))
    at, s, y = t("at", [3, 2]), t("s", [3, 2]), t("y", [3, 2])
    g = graph(
        [
            op("TRANSPOSE", [a, c("p", [1, 0], np.int32)], [at]),
            op("MUL", [at, c("k", 2.0)], [s], fused_activation_function="NONE"),
            op("ADD", [x, s], [y], fused_activation_function="NONE"),
        ],
        [x],
        [y],
    )
    out = fold_constants(g)
    assert (count(g), count(out)) == (3, 1)
    folded = out.ops[0].inputs[1]
    assert folded.is_const and folded.name == "s"
    np.testing.assert_array_equal(folded.data, np.arange(6).reshape(2, 3).T * 2.0)
    assert_equivalent(g, out)


def test_folds_shape_of_static_tensor():
    x = t("x", [2, 6])
    s, y = t("s", [1], np.int32), t("y", [12])
    n = t("n", [1], np.int32)
    g = graph(
        [
            op("SHAPE", [x], [s], out_type="INT32"),
            op("REDUCE_PROD", [s, c("ax", [0], np.int32)], [n], keep_dims=True),
            op("RESHAPE", [x, n], [y]),
        ],
        [x],
        [y],
    )
    out = fold_constants(g)
    assert [o.type for o in out.ops] == ["RESHAPE"]
    assert out.ops[0].inputs[1].data.tolist() == [12]
    assert_equivalent(g, out)


def test_dynamic_shape_and_fp16_weights_stay():
    x = t("x", [-1, 4])
    s = t("s", [2], np.int32)
    w16 = c("w16", np.ones((4, 4)), np.float16)
    w, y = t("w", [4, 4]), t("y", [-1, 4])
    g = graph(
        [
            op("SHAPE", [x], [s], out_type="INT32"),
            op("DEQUANTIZE", [w16], [w]),
            op("BATCH_MATMUL", [x, w], [y]),
        ],
        [x],
        [y, s],
    )
    out = fold_constants(g)
    assert [o.type for o in out.ops] == ["SHAPE", "DEQUANTIZE", "BATCH_MATMUL"]
