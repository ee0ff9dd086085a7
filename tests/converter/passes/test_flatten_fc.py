import numpy as np
from graph_check import assert_equivalent, c, count, graph, op, t

from edgelite.converter.passes.flatten_fc import fold_flatten_transpose


def _head(x_shape, perm, units=5, share=False):
    """TRANSPOSE(perm) -> RESHAPE to 2-D -> FULLY_CONNECTED, as CNN classifier heads look."""
    rng = np.random.default_rng(0)
    x = t("x", x_shape)
    tshape = [x_shape[p] for p in perm]
    tr, flat, y = (
        t("tr", tshape),
        t("flat", [x_shape[0], int(np.prod(x_shape[1:]))]),
        t("y", [x_shape[0], units]),
    )
    w = c("w", rng.standard_normal((units, int(np.prod(x_shape[1:])))))
    b = c("b", rng.standard_normal(units))
    ops = [
        op("TRANSPOSE", [x, c("perm", perm, np.int32)], [tr]),
        op("RESHAPE", [tr, c("shape", [x_shape[0], -1], np.int32)], [flat]),
        op("FULLY_CONNECTED", [flat, w, b], [y], fused_activation_function="NONE"),
    ]
    outputs = [y]
    if share:  # another reader of the transposed tensor keeps the TRANSPOSE
        z = t("z", tshape)
        ops.append(op("RELU", [tr], [z]))
        outputs.append(z)
    return graph(ops, [x], outputs)


def test_nhwc_flatten_transpose_goes_into_the_weights():
    g = _head([2, 3, 4, 5], [0, 3, 1, 2])
    out = fold_flatten_transpose(g)
    assert (count(g), count(out)) == (3, 2)
    assert [o.type for o in out.ops] == ["RESHAPE", "FULLY_CONNECTED"]
    assert_equivalent(g, out)


def test_other_permutations_and_rank_3():
    for shape, perm in (([1, 4, 6, 3], [0, 2, 1, 3]), ([2, 7, 3], [0, 2, 1])):
        g = _head(shape, perm)
        out = fold_flatten_transpose(g)
        assert count(out) == 2
        assert_equivalent(g, out)


def test_left_alone_when_the_transpose_has_other_readers_or_moves_the_batch():
    g = _head([2, 3, 4, 5], [0, 3, 1, 2], share=True)
    assert count(fold_flatten_transpose(g)) == count(g)
    g = _head([2, 3, 4, 5], [1, 0, 2, 3])
    assert count(fold_flatten_transpose(g)) == count(g)


def test_graph_given_is_unchanged():
    g = _head([2, 3, 4, 5], [0, 3, 1, 2])
    before = [(o.type, list(o.inputs), list(o.outputs)) for o in g.ops]
    fold_flatten_transpose(g)
    assert [(o.type, list(o.inputs), list(o.outputs)) for o in g.ops] == before
