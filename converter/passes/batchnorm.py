"""Batch-norm folding: per-channel MUL/DIV and ADD/SUB by constants after CONV_2D,
DEPTHWISE_CONV_2D or FULLY_CONNECTED go into the op's weights and bias.

conv(x, W, b) * s + t == conv(x, W * s, b * s + t), channel by channel, as long as nothing
else reads the conv's output and it has no fused activation yet (the last folded op's
activation moves onto the conv).
"""

from __future__ import annotations

import numpy as np

from edgelite.converter.passes._rewrite import act, const, is_float, new_const, sole_reader

# op -> the weight axis holding output channels
CHANNEL_AXIS = {"CONV_2D": 0, "DEPTHWISE_CONV_2D": 3, "FULLY_CONNECTED": 0}


def _per_channel(c, channels: int, rank: int):
    """``c`` as a length-``channels`` vector when it broadcasts along the last axis only."""
    if c is None or c.dtype != np.float32 or c.ndim > rank:
        return None
    if any(d != 1 for d in c.shape[:-1]) or (c.ndim and c.shape[-1] not in (1, channels)):
        return None
    return np.broadcast_to(c.reshape(-1), (channels,)).astype(np.float32)


def _affine(e, y, channels: int):
    """(scale, shift) of elementwise op ``e`` applied to ``y`` with a constant, or None."""
    if e.type not in ("MUL", "DIV", "ADD", "SUB") or not all(is_float(t) for t in e.inputs):
        return None
    if e.outputs[0].shape != y.shape:
        return None  # the constant broadcasts y to a bigger shape
    other = e.inputs[1] if e.inputs[0] is y else e.inputs[0]
    if e.type in ("SUB", "DIV") and e.inputs[0] is not y:
        return None
    c = _per_channel(const(other), channels, len(y.shape))
    if c is None or (e.type == "DIV" and not np.all(c)):
        return None
    ones, zeros = np.ones(channels, np.float32), np.zeros(channels, np.float32)
    return {
        "MUL": (c, zeros),
        "DIV": (np.float32(1) / c, zeros),
        "ADD": (ones, c),
        "SUB": (ones, -c),
    }[e.type]


def _fold_one(g, op, consumers) -> bool:
    w = const(op.inputs[1])
    if w is None or not is_float(op.inputs[0]) or not is_float(op.inputs[1]) or act(op) != "NONE":
        return False
    y = op.outputs[0]
    e = sole_reader(g, y, consumers)
    if e is None:
        return False
    axis = CHANNEL_AXIS[op.type]
    channels = w.shape[axis]
    scale_shift = _affine(e, y, channels)
    if scale_shift is None:
        return False
    scale, shift = scale_shift
    bias_t = op.inputs[2] if len(op.inputs) > 2 else None
    bias = const(bias_t) if bias_t is not None else np.zeros(channels, np.float32)
    if bias is None or bias.size != channels:
        return False
    shape = [1] * w.ndim
    shape[axis] = channels
    new_w = new_const(op.inputs[1].name + "/folded", w * scale.reshape(shape), np.float32)
    new_b = new_const(f"{op.name or y.name}/folded_bias", bias * scale + shift, np.float32)
    op.inputs = [op.inputs[0], new_w, new_b] + list(op.inputs[3:])
    op.outputs = [e.outputs[0]]
    op.options["fused_activation_function"] = act(e)
    g.ops.remove(e)
    return True


def fold_batch_norm(graph):
    g = graph.copy()
    changed = True
    while changed:
        changed = False
        consumers = g.consumers()
        for op in g.ops:
            if op.type in CHANNEL_AXIS and len(op.inputs) >= 2 and _fold_one(g, op, consumers):
                changed = True
                break
    return g
