"""Elementwise ops with numpy broadcasting: arithmetic, comparisons, logic, Where, variadic."""

from __future__ import annotations

import numpy as np

from edgelite.converter.importers.onnx.ops._common import broadcast_inputs
from edgelite.converter.importers.onnx.registry import register
from edgelite.converter.importers.onnx.values import const_value

BINARY = {
    "Add": "ADD",
    "Sub": "SUB",
    "Mul": "MUL",
    "Div": "DIV",
    "Equal": "EQUAL",
    "Less": "LESS",
    "Greater": "GREATER",
    "LessOrEqual": "LESS_EQUAL",
    "GreaterOrEqual": "GREATER_EQUAL",
    "And": "LOGICAL_AND",
    "Or": "LOGICAL_OR",
}
VARIADIC = {"Max": "MAXIMUM", "Min": "MINIMUM", "Sum": "ADD", "Mean": "ADD"}
_FUSABLE = {"ADD", "SUB", "MUL", "DIV"}


def _binary(tfl_op):
    def build(cx):
        a, b = cx.input(0), cx.input(1)
        dtype = a.dtype if not a.is_const else b.dtype
        tensors, perm = broadcast_inputs(cx, [a, b], dtype)
        opts = {"fused_activation_function": "NONE"} if tfl_op in _FUSABLE else {}
        cx.emit_output(tfl_op, tensors, perm, **opts)

    return build


for _onnx, _tfl in BINARY.items():
    register(_onnx, inputs=(2, 2))(_binary(_tfl))


@register("Pow", inputs=(2, 2))
def pow_(cx):
    """x**2 as MUL(x, x) and x**0.5 as SQRT; other exponents stay POW."""
    x, e = cx.input(0), cx.input(1)
    if e.is_const and e.const.size == 1 and not x.is_const:
        p = float(e.const.reshape(-1)[0])
        if p in (1.0, 2.0, 0.5) and e.rank <= x.rank:
            t = cx.t(x)
            if p == 2.0:
                return cx.emit_output("MUL", [t, t], x.perm, fused_activation_function="NONE")
            if p == 0.5:
                return cx.emit_output("SQRT", [t], x.perm)
            return cx.set_value(0, x)
    tensors, perm = broadcast_inputs(cx, [x, e], x.dtype)
    cx.emit_output("POW", tensors, perm)


@register("Xor", inputs=(2, 2))
def xor(cx):
    tensors, perm = broadcast_inputs(cx, [cx.input(0), cx.input(1)])
    cx.emit_output("NOT_EQUAL", tensors, perm)


@register("Not")
def not_(cx):
    x = cx.input(0)
    cx.emit_output("LOGICAL_NOT", [cx.t(x)], x.perm)


@register("Where", inputs=(3, 3))
def where(cx):
    tensors, perm = broadcast_inputs(cx, cx.inputs)
    cx.emit_output("SELECT_V2", tensors, perm)


@register(*VARIADIC, inputs=(1, None))
def variadic(cx):
    """Max/Min/Sum/Mean of n inputs as a chain of binary ops (Mean then scales by 1/n)."""
    op_type = cx.node.op_type
    values = list(cx.inputs)
    if op_type == "Mean" and len(values) > 1:
        values.append(const_value(f"{cx.name}/inv_n", np.asarray(1.0 / len(values), np.float32)))
    if len(values) == 1:
        return cx.set_value(0, values[0])
    tensors, perm = broadcast_inputs(cx, values, values[0].dtype)
    ops = [VARIADIC[op_type]] * (len(values) - 1)
    if op_type == "Mean":
        ops[-1] = "MUL"
    acc = tensors[0]
    for k, (op, t) in enumerate(zip(ops, tensors[1:])):
        opts = {"fused_activation_function": "NONE"} if op in _FUSABLE else {}
        if k == len(ops) - 1:
            return cx.emit_output(op, [acc, t], perm, **opts)
        shape = np.broadcast_shapes(*(tuple(abs(d) for d in x.shape) for x in (acc, t)))
        acc = cx.op(op, [acc, t], shape, cx.out_dtype(), suffix=f"{op.lower()}{k}", **opts)
