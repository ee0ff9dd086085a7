"""Unary math and activations: one TFLite op where one exists, short op chains otherwise."""

from __future__ import annotations

import numpy as np

from edgelite.converter.importers.onnx.layout import ir_axis, permute
from edgelite.converter.importers.onnx.ops._common import (
    broadcast_inputs,
    require,
    reshape,
    scalar,
    transpose,
)
from edgelite.converter.importers.onnx.registry import register

UNARY = {
    "Relu": "RELU",
    "Sigmoid": "LOGISTIC",
    "Tanh": "TANH",
    "Sqrt": "SQRT",
    "Exp": "EXP",
    "Log": "LOG",
    "Abs": "ABS",
    "Neg": "NEG",
    "Floor": "FLOOR",
    "Ceil": "CEIL",
    "Round": "ROUND",
    "Sin": "SIN",
    "Cos": "COS",
    "Sign": "SIGN",
    "HardSwish": "HARD_SWISH",
}
NONE = {"fused_activation_function": "NONE"}


def _unary(tfl_op):
    def build(cx):
        x = cx.input(0)
        cx.emit_output(tfl_op, [cx.t(x)], x.perm)

    return build


for _onnx, _tfl in UNARY.items():
    register(_onnx)(_unary(_tfl))


class Chain:
    """Emit a sequence of same-shape elementwise ops on one input, the last writing output 0."""

    def __init__(self, cx):
        self.cx = cx
        self.x = cx.input(0)
        self.shape = self.x.ir_shape
        self.dtype = self.x.dtype

    def op(self, op_type, inputs, **opts):
        return self.cx.op(op_type, inputs, self.shape, self.dtype, **opts)

    def const(self, value, suffix):
        return scalar(self.cx, value, suffix, self.dtype)

    def done(self, op_type, inputs, **opts):
        return self.cx.emit_output(op_type, inputs, self.x.perm, **opts)


@register("Identity")
def identity_(cx):
    cx.set_value(0, cx.input(0))


@register("Dropout", inputs=(1, 3), outputs=(1, 2), attrs={"ratio": 0.5, "seed": None})
def dropout(cx):
    """Inference: the identity. The mask output is not produced."""
    require(len(cx.node.output) < 2 or not cx.node.output[1], "the mask output is not supported")
    cx.set_value(0, cx.input(0))


@register("Reciprocal")
def reciprocal(cx):
    c = Chain(cx)
    c.done("DIV", [c.const(1.0, "one"), cx.t(c.x)], **NONE)


@register("Gelu", attrs={"approximate": "none"})
def gelu(cx):
    mode = cx.attr("approximate")
    require(mode in ("none", "tanh"), f"approximate='{mode}' is not supported")
    x = cx.input(0)
    cx.emit_output("GELU", [cx.t(x)], x.perm, approximate=mode == "tanh")


@register("LeakyRelu", attrs={"alpha": 0.01})
def leaky_relu(cx):
    x = cx.input(0)
    cx.emit_output("LEAKY_RELU", [cx.t(x)], x.perm, alpha=float(cx.attr("alpha")))


@register("PRelu", inputs=(2, 2))
def prelu(cx):
    tensors, perm = broadcast_inputs(cx, cx.inputs, cx.input(0).dtype)
    cx.emit_output("PRELU", tensors, perm)


def _exp_minus_one_of_negative_part(c):
    """exp(min(x, 0)) - 1: the negative branch shared by ELU and SELU."""
    neg = c.op("MINIMUM", [c.cx.t(c.x), c.const(0.0, "zero")])
    e = c.op("EXP", [neg])
    return c.op("SUB", [e, c.const(1.0, "one")], **NONE)


@register("Elu", attrs={"alpha": 1.0})
def elu(cx):
    alpha = float(cx.attr("alpha"))
    c = Chain(cx)
    if alpha == 1.0:
        return c.done("ELU", [cx.t(c.x)])
    neg = c.op("MUL", [_exp_minus_one_of_negative_part(c), c.const(alpha, "alpha")], **NONE)
    c.done("ADD", [c.op("RELU", [cx.t(c.x)]), neg], **NONE)


@register("Selu", attrs={"alpha": 1.6732632423543772, "gamma": 1.0507009873554805})
def selu(cx):
    alpha, gamma = float(cx.attr("alpha")), float(cx.attr("gamma"))
    c = Chain(cx)
    neg = c.op("MUL", [_exp_minus_one_of_negative_part(c), c.const(alpha, "alpha")], **NONE)
    s = c.op("ADD", [c.op("RELU", [cx.t(c.x)]), neg], **NONE)
    c.done("MUL", [s, c.const(gamma, "gamma")], **NONE)


@register("HardSigmoid", attrs={"alpha": 0.2, "beta": 0.5})
def hard_sigmoid(cx):
    c = Chain(cx)
    ax = c.op("MUL", [cx.t(c.x), c.const(cx.attr("alpha"), "alpha")], **NONE)
    axb = c.op("ADD", [ax, c.const(cx.attr("beta"), "beta")], **NONE)
    c.done("RELU_0_TO_1", [axb])


@register("Softplus")
def softplus(cx):
    c = Chain(cx)
    e = c.op("EXP", [cx.t(c.x)])
    c.done("LOG", [c.op("ADD", [e, c.const(1.0, "one")], **NONE)])


@register("Softsign")
def softsign(cx):
    c = Chain(cx)
    a = c.op("ADD", [c.op("ABS", [cx.t(c.x)]), c.const(1.0, "one")], **NONE)
    c.done("DIV", [cx.t(c.x), a], **NONE)


@register("Mish")
def mish(cx):
    c = Chain(cx)
    e = c.op("EXP", [cx.t(c.x)])
    sp = c.op("LOG", [c.op("ADD", [e, c.const(1.0, "one")], **NONE)])
    c.done("MUL", [cx.t(c.x), c.op("TANH", [sp])], **NONE)


_CLIP_OPS = {(0.0, 6.0): "RELU6", (-1.0, 1.0): "RELU_N1_TO_1", (0.0, 1.0): "RELU_0_TO_1"}


@register("Clip", inputs=(1, 3), attrs={"min": None, "max": None})
def clip(cx):
    """Clip as RELU/RELU6/RELU_N1_TO_1/RELU_0_TO_1 when the bounds match, else MAXIMUM/MINIMUM."""
    lo = cx.attr("min") if cx.opset < 11 else cx.const_input(1, "min")
    hi = cx.attr("max") if cx.opset < 11 else cx.const_input(2, "max")
    lo = None if lo is None else float(np.asarray(lo).reshape(-1)[0])
    hi = None if hi is None else float(np.asarray(hi).reshape(-1)[0])
    c = Chain(cx)
    x = cx.t(c.x)
    if c.dtype.kind == "f":
        if (lo, hi) in _CLIP_OPS:
            return c.done(_CLIP_OPS[(lo, hi)], [x])
        if lo == 0.0 and hi is None:
            return c.done("RELU", [x])
    if lo is None and hi is None:
        return cx.set_value(0, c.x)
    if lo is not None and hi is not None:
        x = c.op("MAXIMUM", [x, c.const(lo, "min")])
        return c.done("MINIMUM", [x, c.const(hi, "max")])
    if lo is not None:
        return c.done("MAXIMUM", [x, c.const(lo, "min")])
    c.done("MINIMUM", [x, c.const(hi, "max")])


@register("Softmax", "LogSoftmax", attrs={"axis": None})
def softmax(cx):
    """Over one axis (opset >= 13) or over all dims from ``axis`` on (opset < 13).

    TFLite normalizes the last IR dim: a permuted input whose axis is last needs nothing; else
    the axis is moved last with one TRANSPOSE and the result is kept in that layout."""
    x = cx.input(0)
    legacy = cx.opset < 13
    axis = cx.attr("axis")
    axis = (1 if legacy else -1) if axis is None else axis
    axis %= x.rank
    tfl_op = "SOFTMAX" if cx.node.op_type == "Softmax" else "LOG_SOFTMAX"
    opts = {"beta": 1.0} if tfl_op == "SOFTMAX" else {}
    if legacy and axis != x.rank - 1:
        return _softmax_2d(cx, x, axis, tfl_op, opts)
    pos = ir_axis(x.perm, axis)
    if pos == x.rank - 1:
        return cx.emit_output(tfl_op, [cx.t(x)], x.perm, **opts)
    order = [i for i in range(x.rank) if i != pos] + [pos]
    moved = transpose(cx, cx.t(x), order, "to_last")
    cx.emit_output(tfl_op, [moved], permute(x.perm, order), **opts)


def _softmax_2d(cx, x, axis, tfl_op, opts):
    """Opset < 13: softmax of x reshaped to [prod(dims before axis), prod(dims from axis)]."""
    rows = int(np.prod(x.shape[:axis]))
    cols = int(np.prod(x.shape[axis:]))
    flat = reshape(cx, cx.t(x, tuple(range(x.rank))), (rows, cols))
    out = cx.op(tfl_op, [flat], (rows, cols), x.dtype, **opts)
    cx.set_output(0, reshape(cx, out, x.shape, "unflatten"))
