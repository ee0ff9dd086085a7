"""Pad: constant (PAD / PADV2), reflect (MIRROR_PAD), edge (GATHER with clamped indices);
pads remapped into the IR layout."""

from __future__ import annotations

import numpy as np

from edgelite.converter.importers.onnx.layout import permute
from edgelite.converter.importers.onnx.ops._common import require
from edgelite.converter.importers.onnx.registry import Unsupported, register


@register("Pad", inputs=(1, 4), attrs={"mode": "constant", "pads": None, "value": 0.0})
def pad(cx):
    x = cx.input(0)
    mode = cx.attr("mode")
    if cx.opset < 11:
        pads, value, axes = cx.attr("pads"), float(cx.attr("value")), None
    else:
        pads = cx.const_input(1, "pads")
        value = cx.const_input(2, "constant_value", default=np.zeros((), x.dtype))
        value = np.asarray(value).reshape(-1)[0] if np.size(value) else 0
        axes = cx.const_input(3, "axes")
    pads = [int(p) for p in np.ravel(pads)]
    axes = list(range(x.rank)) if axes is None else [int(a) % x.rank for a in np.ravel(axes)]
    require(len(pads) == 2 * len(axes), f"{len(pads)} pads for {len(axes)} axes")
    require(min(pads) >= 0, "negative pads (cropping) are not supported")
    per_axis = [[0, 0] for _ in range(x.rank)]
    for k, a in enumerate(axes):
        per_axis[a] = [pads[k], pads[k + len(axes)]]
    paddings = cx.const(np.asarray(permute(per_axis, x.perm), np.int32), "paddings")
    if mode == "constant" or not any(pads):  # zero pads: an identity, whatever the mode
        if value == 0 or not any(pads):
            return cx.emit_output("PAD", [cx.t(x), paddings], x.perm)
        fill = cx.const(np.asarray(value, x.dtype), "value")
        return cx.emit_output("PADV2", [cx.t(x), paddings, fill], x.perm)
    if mode == "reflect":
        return cx.emit_output("MIRROR_PAD", [cx.t(x), paddings], x.perm, mode="REFLECT")
    if mode == "edge":
        return _edge(cx, x, permute(per_axis, x.perm))
    raise Unsupported(f"mode='{mode}' is not supported (TFLite pads with constants or mirrors)")


def _edge(cx, x, ir_pads):
    """Edge padding repeats the border: per padded axis, a GATHER whose indices run past both
    ends clamped to the first and last element (TFLite has no edge-padding op)."""
    t = cx.t(x)
    axes = [a for a, (lo, hi) in enumerate(ir_pads) if lo or hi]
    require(all(d > 0 for d in t.shape), "edge padding needs static, non-empty dims")
    shape = list(t.shape)
    for k, a in enumerate(axes):
        lo, hi = ir_pads[a]
        idx = np.clip(np.arange(-lo, shape[a] + hi), 0, shape[a] - 1).astype(np.int32)
        shape[a] += lo + hi
        ins = [t, cx.const(idx, f"edge{a}")]
        if k == len(axes) - 1:
            return cx.emit_output("GATHER", ins, x.perm, axis=a, batch_dims=0)
        t = cx.op("GATHER", ins, tuple(shape), t.dtype, suffix=f"edge{a}", axis=a, batch_dims=0)
