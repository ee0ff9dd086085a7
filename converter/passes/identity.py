"""Identity removal: ops that return their input unchanged (RESHAPE to the same shape, CAST to
the same type, identity TRANSPOSE, zero PAD, TILE by ones, x + 0, x * 1, ...)."""

from __future__ import annotations

import numpy as np

from edgelite.converter.passes._rewrite import act, bypass, const, int_list, is_float, same_quant


def _same_shape(a, b) -> bool:
    return tuple(a.shape) == tuple(b.shape) and sum(d < 0 for d in a.shape) <= 1


def _all(t, value) -> bool:
    v = const(t)
    return v is not None and v.size > 0 and bool(np.all(v == value))


def _arith(op, neutral, commutative):
    """x + 0, x - 0, x * 1, x / 1 that neither broadcast x nor activate: index of x."""
    if act(op) != "NONE" or not all(is_float(t) for t in op.inputs + op.outputs):
        return None
    positions = (0, 1) if commutative else (0,)
    for i in positions:
        x, c = op.inputs[i], op.inputs[1 - i]
        if not x.is_const and _all(c, neutral) and _same_shape(x, op.outputs[0]):
            return i
    return None


def _strided_identity(op):
    o = op.options
    masks = ("ellipsis_mask", "new_axis_mask", "shrink_axis_mask")
    if any(o.get(m, 0) for m in masks) or o.get("offset"):
        return None
    begin, strides = int_list(op.inputs[1]), int_list(op.inputs[3])
    if begin is None or strides is None or any(begin) or any(s != 1 for s in strides):
        return None
    x = op.inputs[0]
    return 0 if _same_shape(x, op.outputs[0]) and min(x.shape, default=0) >= 0 else None


def _shape_kept(op, i=0):
    return i if _same_shape(op.inputs[i], op.outputs[0]) else None


RULES = {
    "RESHAPE": _shape_kept,
    "SQUEEZE": _shape_kept,
    "BROADCAST_TO": lambda op: 0 if op.inputs[0].shape == op.outputs[0].shape else None,
    "CAST": lambda op: 0 if op.inputs[0].dtype == op.outputs[0].dtype else None,
    "TRANSPOSE": lambda op: (
        0 if int_list(op.inputs[1]) == list(range(len(op.inputs[0].shape))) else None
    ),
    "PAD": lambda op: 0 if _all(op.inputs[1], 0) else None,
    "PADV2": lambda op: 0 if _all(op.inputs[1], 0) else None,
    "MIRROR_PAD": lambda op: 0 if _all(op.inputs[1], 0) else None,
    "TILE": lambda op: 0 if _all(op.inputs[1], 1) else None,
    "CONCATENATION": lambda op: 0 if len(op.inputs) == 1 and act(op) == "NONE" else None,
    "SLICE": lambda op: (
        0
        if _all(op.inputs[1], 0)
        and _same_shape(op.inputs[0], op.outputs[0])
        and min(op.inputs[0].shape, default=0) >= 0
        else None
    ),
    "STRIDED_SLICE": _strided_identity,
    "SPLIT": lambda op: _shape_kept(op, 1) if len(op.outputs) == 1 else None,
    "SPLIT_V": lambda op: _shape_kept(op, 0) if len(op.outputs) == 1 else None,
    "ADD": lambda op: _arith(op, 0.0, True),
    "SUB": lambda op: _arith(op, 0.0, False),
    "MUL": lambda op: _arith(op, 1.0, True),
    "DIV": lambda op: _arith(op, 1.0, False),
}


def identity_input(op):
    """The input ``op`` passes through unchanged, or None."""
    rule = RULES.get(op.type)
    if rule is None or len(op.outputs) != 1:
        return None
    i = rule(op)
    if i is None:
        return None
    x, y = op.inputs[i], op.outputs[0]
    if x is None or x.dtype != y.dtype or not same_quant(x, y):
        return None
    return x


def remove_identities(graph):
    g = graph.copy()
    for op in list(g.ops):
        x = identity_input(op)
        if x is not None:
            bypass(g, op, x)
    return g
