"""MaxPool / AveragePool (1-D and 2-D) and the global pools.

TFLite pools know SAME and VALID only, and its SAME average excludes padding. Pads that SAME
does not reproduce (asymmetric, ceil_mode, count_include_pad=1) become an explicit PAD (or
PADV2 with the lowest float for max) and a VALID pool; for an average, a constant per-position
factor then turns "sum / kernel size" into ONNX's divisor where the two differ.
"""

from __future__ import annotations

import numpy as np

from edgelite.converter.importers.onnx.ops._common import FLOAT, ir_axes, require
from edgelite.converter.importers.onnx.ops._window import (
    WINDOW_ATTRS,
    finish_nhwc,
    pad_nhwc,
    resolve_pads,
    same_output,
    tflite_same_pads,
    to_nhwc_4d,
    window_2d,
)
from edgelite.converter.importers.onnx.registry import register

POOL_ATTRS = {**WINDOW_ATTRS, "ceil_mode": 0, "storage_order": 0, "count_include_pad": 0}


@register("MaxPool", outputs=(1, 2), attrs=POOL_ATTRS)
def max_pool(cx):
    require(len(cx.node.output) < 2 or not cx.node.output[1], "the Indices output")
    require(cx.attr("storage_order") == 0, "storage_order=1 is not supported")
    _pool(cx, "MAX_POOL_2D")


@register("AveragePool", attrs=POOL_ATTRS)
def average_pool(cx):
    _pool(cx, "AVERAGE_POOL_2D")


def _pool(cx, tfl_op):
    x = cx.input(0)
    require(x.rank in (3, 4), f"{x.rank - 2}-D pooling is not supported")
    win = window_2d(cx, x.rank - 2, cx.attr("kernel_shape"))
    require(win.dilations == (1, 1), "dilated pooling is not supported")
    t = to_nhwc_4d(cx, x)
    n, h, w, c = (abs(d) for d in t.shape)
    out = cx.out_shape()
    out_hw = (1, out[2]) if win.one_d else tuple(out[2:])
    pads = resolve_pads(win, (h, w))
    include = bool(cx.attr("count_include_pad")) and tfl_op == "AVERAGE_POOL_2D"
    opts = {
        "stride_h": win.strides[0],
        "stride_w": win.strides[1],
        "filter_height": win.kernel[0],
        "filter_width": win.kernel[1],
        "fused_activation_function": "NONE",
    }
    valid_hw = tuple((s - k) // st + 1 for s, k, st in zip((h, w), win.kernel, win.strides))
    if not any(pads) and out_hw == valid_hw:
        y = cx.op(tfl_op, [t], (n, *out_hw, c), suffix="pool", padding="VALID", **opts)
    elif (
        pads == tflite_same_pads(win, (h, w)) and out_hw == same_output(win, (h, w)) and not include
    ):
        y = cx.op(tfl_op, [t], (n, *out_hw, c), suffix="pool", padding="SAME", **opts)
    else:
        y = _explicit(cx, t, tfl_op, win, (h, w), out_hw, pads, include, opts)
    finish_nhwc(cx, y, win.one_d)


def _explicit(cx, t, tfl_op, win, in_hw, out_hw, pads, include, opts):
    n, _, _, c = (abs(d) for d in t.shape)
    begin = pads[:2]
    needed = [(o - 1) * s + k for o, s, k in zip(out_hw, win.strides, win.kernel)]
    end = [max(nd - i - b, 0) for nd, i, b in zip(needed, in_hw, begin)]
    fill = float(np.finfo(FLOAT).min) if tfl_op == "MAX_POOL_2D" else 0.0
    t = pad_nhwc(cx, t, (*begin, *end), fill)
    y = cx.op(tfl_op, [t], (n, *out_hw, c), suffix="pool", padding="VALID", **opts)
    if tfl_op != "AVERAGE_POOL_2D":
        return y
    factors = [
        _divisor_factor(o, s, k, b, size, e, include)
        for o, s, k, b, size, e in zip(out_hw, win.strides, win.kernel, begin, in_hw, pads[2:])
    ]
    factor = np.outer(*factors).astype(FLOAT)
    if np.allclose(factor, 1.0):
        return y
    f = cx.const(factor[:, :, None], "divisor_fix")
    return cx.op("MUL", [y, f], (n, *out_hw, c), suffix="avg", fused_activation_function="NONE")


def _divisor_factor(out, stride, k, pad_begin, size, pad_end, include):
    """Per output position along one axis: kernel size / the ONNX divisor."""
    lo, hi = (-pad_begin, size + pad_end) if include else (0, size)
    starts = np.arange(out) * stride - pad_begin
    count = np.minimum(starts + k, hi) - np.maximum(starts, lo)
    return k / np.maximum(count, 1)


@register("GlobalAveragePool", "GlobalMaxPool")
def global_pool(cx):
    """MEAN / REDUCE_MAX over the spatial axes, keeping dims (NHWC in, NHWC out)."""
    x = cx.input(0)
    require(x.rank >= 3, "global pooling needs a rank >= 3 input")
    axes = ir_axes(x, range(2, x.rank))
    tfl_op = "MEAN" if cx.node.op_type == "GlobalAveragePool" else "REDUCE_MAX"
    cx.emit_output(
        tfl_op, [cx.t(x), cx.const(np.asarray(axes, np.int32), "axes")], x.perm, keep_dims=True
    )
