import pytest
from graph_check import assert_equivalent, c, count, graph, op, t

from edgelite.converter.passes.hard_swish import fuse_hard_swish

SHAPE = [1, 4, 4, 3]
NONE = {"fused_activation_function": "NONE"}


def _wrap(build):
    """x = relu(in) -> [pattern] -> exp: the pattern sits between two ordinary ops."""
    inp, x, y, out = t("in", SHAPE), t("x", SHAPE), t("y", SHAPE), t("out", SHAPE)
    mid = build(x, y)
    return graph([op("RELU_N1_TO_1", [inp], [x])] + mid + [op("EXP", [y], [out])], [inp], [out])


def _div6(x, y):
    a, r, m = t("a", SHAPE), t("r", SHAPE), t("m", SHAPE)
    return [
        op("ADD", [x, c("three", 3.0)], [a], **NONE),
        op("RELU6", [a], [r]),
        op("MUL", [x, r], [m], **NONE),
        op("DIV", [m, c("six", 6.0)], [y], **NONE),
    ]


def _mul_sixth_first(x, y):
    a, r, s = t("a", SHAPE), t("r", SHAPE), t("s", SHAPE)
    return [
        op("ADD", [c("three", [3.0]), x], [a], **NONE),
        op("RELU6", [a], [r]),
        op("MUL", [r, c("sixth", 1 / 6)], [s], **NONE),
        op("MUL", [s, x], [y], **NONE),
    ]


def _clamp(x, y):
    a, lo, hi, m = t("a", SHAPE), t("lo", SHAPE), t("hi", SHAPE), t("m", SHAPE)
    return [
        op("ADD", [x, c("three", 3.0)], [a], **NONE),
        op("MAXIMUM", [a, c("z", 0.0)], [lo]),
        op("MINIMUM", [lo, c("six", 6.0)], [hi]),
        op("MUL", [hi, x], [m], **NONE),
        op("MUL", [m, c("sixth", 0.16666667)], [y], **NONE),
    ]


def _hard_sigmoid(x, y):
    a, b, lo, hi = t("a", SHAPE), t("b", SHAPE), t("lo", SHAPE), t("hi", SHAPE)
    return [
        op("MUL", [x, c("alpha", 1 / 6)], [a], **NONE),
        op("ADD", [a, c("beta", 0.5)], [b], **NONE),
        op("MINIMUM", [b, c("one", 1.0)], [lo]),
        op("MAXIMUM", [lo, c("zero", 0.0)], [hi]),
        op("MUL", [x, hi], [y], **NONE),
    ]


@pytest.mark.parametrize("build", [_div6, _mul_sixth_first, _clamp, _hard_sigmoid])
def test_spellings_fuse(build):
    g = _wrap(build)
    out = fuse_hard_swish(g)
    assert [o.type for o in out.ops] == ["RELU_N1_TO_1", "HARD_SWISH", "EXP"]
    assert_equivalent(g, out, rtol=1e-5, atol=1e-6)


def test_other_functions_and_shared_intermediates_stay():
    def div5(x, y):
        ops = _div6(x, y)
        ops[-1] = op("DIV", [ops[-1].inputs[0], c("five", 5.0)], [y], **NONE)
        return ops

    g = _wrap(div5)
    assert count(fuse_hard_swish(g)) == count(g)
    shared = _wrap(_div6)
    shared.outputs.append(shared.ops[2].outputs[0])  # relu6(x + 3) read outside
    assert count(fuse_hard_swish(shared)) == count(shared)
