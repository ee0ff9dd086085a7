"""PAD folding: an explicit PAD before a VALID CONV_2D / DEPTHWISE_CONV_2D (or MAX_POOL_2D)
becomes the op's SAME padding, when it pads exactly what SAME would (TFLite convolutions know
only SAME and VALID).

Convolutions need zero padding. MAX_POOL_2D's SAME ignores padded cells, so it takes a PADV2
with -inf (or the lowest float), or a zero PAD of a tensor known to be non-negative.
AVERAGE_POOL_2D never takes one: its SAME divides by the count of real cells only.
"""

from __future__ import annotations

import numpy as np

from edgelite.converter.passes._rewrite import act, const, is_float, scalar
from edgelite.interpreter.kernels.common import conv_padding

NON_NEGATIVE_OPS = ("RELU", "RELU6", "RELU_0_TO_1", "LOGISTIC")
NON_NEGATIVE_ACTS = ("RELU", "RELU6")


def _window(op):
    """(kernel h, kernel w, stride h, stride w, dilation h, dilation w) of a conv or pool."""
    o = op.options
    if op.type == "MAX_POOL_2D":
        kh, kw, dh, dw = o.get("filter_height"), o.get("filter_width"), 1, 1
    else:
        w = op.inputs[1]
        kh, kw = w.shape[1], w.shape[2]
        dh, dw = o.get("dilation_h_factor", 1), o.get("dilation_w_factor", 1)
    return kh, kw, o.get("stride_h", 1), o.get("stride_w", 1), dh, dw


def _pad_value(pad) -> str:
    """'zero', 'lowest' or '' for the value PAD/PADV2 fills with."""
    if pad.type == "PAD":
        return "zero"
    v = scalar(pad.inputs[2]) if len(pad.inputs) > 2 else 0.0
    if v == 0.0:
        return "zero"
    if v is not None and v <= float(np.finfo(np.float32).min):
        return "lowest"
    return ""


def _non_negative(t, producers) -> bool:
    p = producers.get(t)
    return p is not None and (p.type in NON_NEGATIVE_OPS or act(p) in NON_NEGATIVE_ACTS)


def _matches_same(x, pads, op) -> bool:
    if len(x.shape) != 4 or min(x.shape[1:3]) < 0:
        return False
    if pads[0] != [0, 0] or pads[3] != [0, 0]:
        return False
    kh, kw, sh, sw, dh, dw = _window(op)
    return conv_padding(x.shape[1], kh, sh, dh, "SAME") == tuple(pads[1]) and conv_padding(
        x.shape[2], kw, sw, dw, "SAME"
    ) == tuple(pads[2])


def _try_fold(op, producers):
    """The PAD folded into ``op``, or None."""
    if op.options.get("padding") != "VALID" or not is_float(op.inputs[0]):
        return None
    pad = producers.get(op.inputs[0])
    if pad is None or pad.type not in ("PAD", "PADV2") or not is_float(pad.inputs[0]):
        return None
    p = const(pad.inputs[1])
    if p is None or p.shape != (4, 2):
        return None
    x = pad.inputs[0]
    value = _pad_value(pad)
    if op.type == "MAX_POOL_2D":
        ok = value == "lowest" or (value == "zero" and _non_negative(x, producers))
    else:
        ok = value == "zero"
    if not ok or not _matches_same(x, p.tolist(), op):
        return None
    op.inputs = [x] + list(op.inputs[1:])
    op.options["padding"] = "SAME"
    return pad


def fold_pad(graph):
    g = graph.copy()
    producers = g.producers()
    folded = []
    for op in g.ops:
        if op.type in ("CONV_2D", "DEPTHWISE_CONV_2D", "MAX_POOL_2D"):
            folded.append(_try_fold(op, producers))
    consumers = g.consumers()
    outputs = {id(t) for t in g.outputs}
    for pad in {id(p): p for p in folded if p is not None}.values():
        y = pad.outputs[0]
        if not consumers.get(y) and id(y) not in outputs:
            g.ops.remove(pad)
    return g
