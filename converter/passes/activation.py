"""Activation fusion: RELU, RELU6 and RELU_N1_TO_1 (and MINIMUM/MAXIMUM pairs clamping to
[0, 6] or [-1, 1], or MAXIMUM with 0) move into the producer's ``fused_activation_function``
when the producer supports one, has none yet, and nothing else reads its output."""

from __future__ import annotations

from edgelite.converter.ir import Op
from edgelite.converter.op_options import FUSABLE_ACTIVATION_OPS
from edgelite.converter.passes._rewrite import act, is_float, scalar, sole_reader

FUSABLE = ("RELU", "RELU6", "RELU_N1_TO_1")
CLAMPS = {(0.0, 6.0): "RELU6", (-1.0, 1.0): "RELU_N1_TO_1"}


def _bound(op):
    """(x, value) for MAXIMUM/MINIMUM of a float tensor and a scalar constant."""
    if op.type not in ("MAXIMUM", "MINIMUM") or not all(is_float(t) for t in op.inputs):
        return None
    for x, c in (op.inputs, op.inputs[::-1]):
        v = scalar(c)
        if v is not None and not x.is_const and x.shape == op.outputs[0].shape:
            return x, v
    return None


def _clamp_to_relu(g, op, consumers) -> bool:
    """MIN(MAX(x, lo), hi) either way -> RELU6 / RELU_N1_TO_1; MAXIMUM(x, 0) -> RELU."""
    first = _bound(op)
    if first is None:
        return False
    x, v1 = first
    nxt = sole_reader(g, op.outputs[0], consumers)
    second = _bound(nxt) if nxt is not None and nxt.type != op.type else None
    if second is not None:
        lo, hi = (v1, second[1]) if op.type == "MAXIMUM" else (second[1], v1)
        kind = CLAMPS.get((lo, hi))
        if kind is not None:
            i = g.ops.index(op)
            g.ops[i] = Op(kind, [x], list(nxt.outputs), {}, nxt.name or op.name)
            g.ops.remove(nxt)
            return True
    if op.type == "MAXIMUM" and v1 == 0.0:
        g.ops[g.ops.index(op)] = Op("RELU", [x], list(op.outputs), {}, op.name)
        return True
    return False


def _fuse(g, a, producers, consumers) -> bool:
    x = a.inputs[0]
    p = producers.get(x)
    if (
        p is None
        or p.type not in FUSABLE_ACTIVATION_OPS
        or act(p) != "NONE"
        or sole_reader(g, x, consumers) is not a
        or not (is_float(x) and is_float(a.outputs[0]))
    ):
        return False
    p.options["fused_activation_function"] = a.type
    p.outputs = [a.outputs[0] if t is x else t for t in p.outputs]
    g.ops.remove(a)
    return True


def fuse_activations(graph):
    g = graph.copy()
    changed = True
    while changed:
        changed = False
        consumers, producers = g.consumers(), g.producers()
        for op in list(g.ops):
            if _clamp_to_relu(g, op, consumers) or (
                op.type in FUSABLE and _fuse(g, op, producers, consumers)
            ):
                changed = True
                break
    return g
