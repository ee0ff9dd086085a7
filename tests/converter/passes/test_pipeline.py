import copy

import numpy as np
import pytest
from graph_check import assert_equivalent, c, graph, op, random_inputs, run_litert, run_ours, t

from edgelite.converter.passes import DEFAULT_PIPELINE, PASSES, pipeline, run_passes
from edgelite.converter.passes.activation import fuse_activations
from edgelite.errors import ConversionError, UsageError

rng = np.random.default_rng(4)
NONE = {"fused_activation_function": "NONE"}


def _onnx_like():
    """What an NCHW importer leaves: transposes around a conv + batch norm + relu + matmul."""
    x = t("x", [1, 6, 6, 3])
    names = ["pad", "conv", "mul", "add", "relu", "to_nchw", "to_nhwc", "pool", "flat", "mm"]
    shapes = [
        [1, 8, 8, 3], [1, 6, 6, 4], [1, 6, 6, 4], [1, 6, 6, 4], [1, 6, 6, 4],
        [1, 4, 6, 6], [1, 6, 6, 4], [1, 1, 1, 4], [1, 4], [1, 5],
    ]  # fmt: skip
    v = {n: t(n, s) for n, s in zip(names, shapes)}
    y = t("y", [1, 5])
    pads = c("pads", [[0, 0], [1, 1], [1, 1], [0, 0]], np.int32)
    ops = [
        op("PAD", [x, pads], [v["pad"]]),
        op("CONV_2D", [v["pad"], c("w", rng.standard_normal((4, 3, 3, 3))), c("b", np.zeros(4))],
           [v["conv"]], padding="VALID", stride_w=1, stride_h=1, **NONE),
        op("MUL", [v["conv"], c("s", rng.uniform(0.5, 2, 4))], [v["mul"]], **NONE),
        op("ADD", [v["mul"], c("h", rng.standard_normal(4))], [v["add"]], **NONE),
        op("RELU", [v["add"]], [v["relu"]]),
        op("TRANSPOSE", [v["relu"], c("p1", [0, 3, 1, 2], np.int32)], [v["to_nchw"]]),
        op("TRANSPOSE", [v["to_nchw"], c("p2", [0, 2, 3, 1], np.int32)], [v["to_nhwc"]]),
        op("AVERAGE_POOL_2D", [v["to_nhwc"]], [v["pool"]], padding="VALID", stride_w=1,
           stride_h=1, filter_width=6, filter_height=6, **NONE),
        op("RESHAPE", [v["pool"], c("sh", [1, 4], np.int32)], [v["flat"]]),
        op("BATCH_MATMUL", [v["flat"], c("m", rng.standard_normal((4, 5)))], [v["mm"]]),
        op("ADD", [v["mm"], c("mb", rng.standard_normal(5))], [y], **NONE),
    ]  # fmt: skip
    return graph(ops, [x], [y])


def test_default_pipeline_shrinks_and_keeps_outputs():
    g = _onnx_like()
    out, report = run_passes(g)
    assert [s.name for s in report.stats] == list(DEFAULT_PIPELINE)
    assert report.stats[0].ops_before == 11
    assert [o.type for o in out.ops] == ["CONV_2D", "MEAN", "RESHAPE", "FULLY_CONNECTED"]
    assert out.ops[0].options["padding"] == "SAME"
    assert out.ops[0].options["fused_activation_function"] == "RELU"
    assert {s.name for s in report.changed()} >= {"fold_batch_norm", "fold_pad", "pool_to_mean"}
    assert_equivalent(g, out)
    inputs = random_inputs(g)
    np.testing.assert_allclose(
        run_litert(out, inputs)[0], run_ours(g, inputs)[0], rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("name", sorted(PASSES))
def test_passes_are_pure(name):
    g = _onnx_like()
    before = [(o.type, list(o.inputs), list(o.outputs), copy.deepcopy(o.options)) for o in g.ops]
    PASSES[name](g)
    after = [(o.type, list(o.inputs), list(o.outputs), o.options) for o in g.ops]
    assert len(before) == len(after)
    for (t1, i1, o1, p1), (t2, i2, o2, p2) in zip(before, after):
        assert t1 == t2 and p1 == p2
        assert all(a is b for a, b in zip(i1, i2)) and all(a is b for a, b in zip(o1, o2))


def test_pipeline_names():
    assert pipeline(None) == [] and pipeline("none") == []
    assert pipeline(["dead_code"]) == ["dead_code"]
    with pytest.raises(UsageError, match="no_such_pass"):
        pipeline(["no_such_pass"])


@pytest.mark.parametrize("producer", ["SUB", "MUL", "DIV", "MAX_POOL_2D", "AVERAGE_POOL_2D"])
@pytest.mark.parametrize("act", ["RELU", "RELU6", "RELU_N1_TO_1"])
def test_fused_activation_agrees_with_litert(producer, act):
    a, b, s, y = (
        t("a", [1, 4, 4, 2]),
        t("b", [1, 4, 4, 2]),
        t("s", [1, 4, 4, 2]),
        t("y", [1, 4, 4, 2]),
    )
    if producer.endswith("POOL_2D"):
        p = op(producer, [a], [s], padding="SAME", stride_w=1, stride_h=1, filter_width=2,
               filter_height=2, **NONE)  # fmt: skip
        inputs = [a]
    else:
        p = op(producer, [a, b], [s], **NONE)
        inputs = [a, b]
    g = graph([p, op(act, [s], [y])], inputs, [y])
    out = fuse_activations(g)
    assert len(out.ops) == 1
    assert_equivalent(g, out)
    feeds = random_inputs(g)
    np.testing.assert_allclose(
        run_litert(out, feeds)[0], run_ours(g, feeds)[0], rtol=1e-5, atol=1e-6
    )


def test_a_pass_failing_on_a_malformed_graph_is_a_conversion_error(monkeypatch):
    """Passes trust shapes and constants; where a corrupt graph still breaks one, the error
    names the pass instead of escaping as an IndexError."""

    def indexes_a_missing_op(graph):
        return graph.ops[len(graph.ops)]

    monkeypatch.setitem(PASSES, "indexes_a_missing_op", indexes_a_missing_op)
    x, y = t("x", (1, 4)), t("y", (1, 4))
    g = graph([op("RELU", [x], [y])], [x], [y])
    with pytest.raises(ConversionError, match="pass 'indexes_a_missing_op' failed: IndexError"):
        run_passes(g, ["indexes_a_missing_op"])
