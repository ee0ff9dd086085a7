"""Resize / Upsample of the H and W dims of a 4-D tensor.

Nearest: the source index of every output row/column is computed with ONNX's formula and with
TFLite's for each flag combination; the first combination giving the same indices is used, and
when none does, two GATHERs with the ONNX indices reproduce it exactly. Linear maps onto
RESIZE_BILINEAR's align_corners / half_pixel_centers flags; other modes are reported.
"""

from __future__ import annotations

import numpy as np

from edgelite.converter.importers.onnx.layout import channels_last
from edgelite.converter.importers.onnx.ops._common import require
from edgelite.converter.importers.onnx.registry import Unsupported, register

RESIZE_ATTRS = {
    "mode": "nearest",
    "coordinate_transformation_mode": "half_pixel",
    "nearest_mode": "round_prefer_floor",
    "cubic_coeff_a": -0.75,
    "exclude_outside": 0,
    "extrapolation_value": 0.0,
    "antialias": 0,
    "axes": None,
    "keep_aspect_ratio_policy": "stretch",
}
_FLAGS = ((False, False), (True, False), (False, True))  # (align_corners, half_pixel_centers)


@register("Resize", inputs=(1, 4), attrs=RESIZE_ATTRS)
def resize(cx):
    x = cx.input(0)
    scales = None
    if cx.opset < 11:
        ctm, nearest = "asymmetric", "floor"
        scales = cx.const_input(1, "scales")
    else:
        ctm, nearest = cx.attr("coordinate_transformation_mode"), cx.attr("nearest_mode")
        if cx.input(2) is not None and np.size(cx.const_input(2, "scales")):
            scales = cx.const_input(2, "scales")
    require(cx.attr("antialias") == 0, "antialias=1 is not supported")
    policy = cx.attr("keep_aspect_ratio_policy")
    require(policy == "stretch", f"keep_aspect_ratio_policy='{policy}' is not supported")
    axes = cx.attr("axes")
    if scales is not None and axes is not None:  # opset 18: scales for the listed axes only
        full = np.ones(x.rank, np.float32)
        full[[int(a) % x.rank for a in axes]] = np.ravel(scales)
        scales = full
    _resize(cx, x, cx.attr("mode"), ctm, nearest, scales)


@register("Upsample", inputs=(1, 2), attrs={"mode": "nearest", "scales": None})
def upsample(cx):
    scales = cx.attr("scales")
    if scales is None:
        scales = cx.const_input(1, "scales")
    _resize(cx, cx.input(0), cx.attr("mode"), "asymmetric", "floor", scales)


def _resize(cx, x, mode, ctm, nearest, scales):
    require(x.rank == 4, "only 4-D (NCHW) resizing is supported")
    out = cx.out_shape()
    require(tuple(out[:2]) == x.shape[:2], "resizing the batch or channel dims")
    in_hw, out_hw = x.shape[2:], tuple(out[2:])
    if scales is not None and np.size(scales) == 4:
        hw_scales = [float(s) for s in np.ravel(scales)[2:]]
    else:
        hw_scales = [o / i for o, i in zip(out_hw, in_hw)]
    t = cx.t(x, channels_last(4))
    size = cx.const(np.asarray(out_hw, np.int32), "size")
    if mode == "nearest":
        want = [_onnx_nearest(i, o, s, ctm, nearest) for i, o, s in zip(in_hw, out_hw, hw_scales)]
        for align, half in _FLAGS:
            got = [_tflite_nearest(i, o, align, half) for i, o in zip(in_hw, out_hw)]
            if all(np.array_equal(a, b) for a, b in zip(want, got)):
                return cx.emit_output(
                    "RESIZE_NEAREST_NEIGHBOR",
                    [t, size],
                    channels_last(4),
                    align_corners=align,
                    half_pixel_centers=half,
                )
        return _gather_resize(cx, t, want)
    if mode == "linear":
        flags = _bilinear_flags(ctm, out_hw, hw_scales, in_hw)
        return cx.emit_output(
            "RESIZE_BILINEAR",
            [t, size],
            channels_last(4),
            align_corners=flags[0],
            half_pixel_centers=flags[1],
        )
    raise Unsupported(f"mode='{mode}' is not supported (nearest and linear are)")


def _bilinear_flags(ctm, out_hw, scales, in_hw):
    exact = all(np.isclose(s, o / i) for s, o, i in zip(scales, out_hw, in_hw))
    if ctm == "align_corners":
        return True, False
    if ctm == "half_pixel" and exact:
        return False, True
    if ctm == "pytorch_half_pixel" and exact and min(out_hw) > 1:
        return False, True
    if ctm == "asymmetric" and exact:
        return False, False
    raise Unsupported(
        f"linear resize with coordinate_transformation_mode='{ctm}' and scales "
        f"{scales} is not supported"
    )


def _onnx_nearest(size, out, scale, ctm, mode):
    x = np.arange(out, dtype=np.float64)
    if ctm == "half_pixel":
        src = (x + 0.5) / scale - 0.5
    elif ctm == "pytorch_half_pixel":
        src = (x + 0.5) / scale - 0.5 if out > 1 else np.zeros_like(x)
    elif ctm == "align_corners":
        src = x * (size - 1) / (out - 1) if out > 1 else np.zeros_like(x)
    elif ctm == "asymmetric":
        src = x / scale
    elif ctm == "tf_half_pixel_for_nn":
        src = (x + 0.5) / scale
    else:
        raise Unsupported(f"coordinate_transformation_mode='{ctm}' is not supported")
    frac = src - np.floor(src)
    if mode == "round_prefer_floor":
        idx = np.where(frac == 0.5, np.floor(src), np.round(src))
    elif mode == "round_prefer_ceil":
        idx = np.where(frac == 0.5, np.ceil(src), np.round(src))
    elif mode == "floor":
        idx = np.floor(src)
    elif mode == "ceil":
        idx = np.ceil(src)
    else:
        raise Unsupported(f"nearest_mode='{mode}' is not supported")
    return np.clip(idx, 0, size - 1).astype(np.int64)


def _tflite_nearest(size, out, align, half):
    """TFLite's reference ResizeNearestNeighbor source index (float32 arithmetic)."""
    scale = np.float32((size - 1) / (out - 1) if align and out > 1 else size / out)
    x = np.arange(out, dtype=np.float32) + np.float32(0.5 if half else 0.0)
    v = x * scale
    idx = np.floor(v + np.float32(0.5)) if align else np.floor(v)  # TfLiteRound: half away
    idx = np.minimum(idx, size - 1)
    return np.maximum(idx, 0).astype(np.int64) if half else idx.astype(np.int64)


def _gather_resize(cx, t, indices):
    """Nearest resize with arbitrary source indices: GATHER rows, then columns."""
    n, _, w, c = (abs(d) for d in t.shape)
    rows, cols = indices
    t = cx.op(
        "GATHER",
        [t, cx.const(rows.astype(np.int32), "rows")],
        (n, len(rows), w, c),
        t.dtype,
        suffix="gather_rows",
        axis=1,
        batch_dims=0,
    )
    cx.emit_output(
        "GATHER",
        [t, cx.const(cols.astype(np.int32), "cols")],
        channels_last(4),
        axis=2,
        batch_dims=0,
    )
