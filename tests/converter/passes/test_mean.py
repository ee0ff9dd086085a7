from graph_check import assert_equivalent, count, graph, op, t

from edgelite.converter.passes.mean import pool_to_mean


def _pool(size, window, out):
    x, y = t("x", [1, size, size, 8]), t("y", [1, out, out, 8])
    return graph(
        [
            op(
                "AVERAGE_POOL_2D",
                [x],
                [y],
                padding="VALID",
                stride_w=1,
                stride_h=1,
                filter_width=window,
                filter_height=window,
                fused_activation_function="NONE",
            )
        ],
        [x],
        [y],
    )


def test_global_average_pool_becomes_mean():
    g = _pool(7, 7, 1)
    out = pool_to_mean(g)
    assert [o.type for o in out.ops] == ["MEAN"]
    assert out.ops[0].options["keep_dims"] and out.ops[0].inputs[1].data.tolist() == [1, 2]
    assert_equivalent(g, out)


def test_local_pool_and_mean_stay():
    assert count(pool_to_mean(_pool(7, 3, 5)), "AVERAGE_POOL_2D") == 1
    from graph_check import c

    x, y = t("x", [1, 4, 4, 3]), t("y", [1, 1, 1, 3])
    import numpy as np

    g = graph([op("MEAN", [x, c("ax", [1, 2], np.int32)], [y], keep_dims=True)], [x], [y])
    assert [o.type for o in pool_to_mean(g).ops] == ["MEAN"]
