"""RESIZE_BILINEAR, float (TFLite reference ``ResizeBilinear``).

For output row y: in_y = (y + 0.5) * scale - 0.5 with half_pixel_centers, else y * scale; the
two source rows are max(floor(in_y), 0) and min(ceil(in_y), H - 1), weighted 1 - d and d with
d = in_y - y0 (d may be negative near the top edge with half-pixel centers; TFLite keeps it).
Columns alike. The four products are summed in TFLite's order in float32, so results match the
reference kernel bit for bit. align_corners and half_pixel_centers cannot both be set.

int8/int16 (``ResizeBilinearInteger``): no floating point. Positions are in 1/1024 pixel units,
scale_10 = round(1024 * in / out) (with align_corners (in - 1) / (out - 1)); the four products
of values and 10-bit weights are summed in int64 and divided by 2**20 rounding half away from
zero. uint8 uses the float computation plus 0.5, truncated (TFLite's generic kernel).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._resize import F32, axis_scale, prepare_resize
from edgelite.interpreter.kernels.registry import kernel


def bilinear_axis(in_size: int, out_size: int, align: bool, half: bool):
    """(lower index, upper index, weight of upper) per output position, in float32."""
    scale = axis_scale(in_size, out_size, align)
    v = np.arange(out_size, dtype=F32)
    pos = (v + F32(0.5)) * scale - F32(0.5) if half else v * scale
    lo = np.clip(np.floor(pos).astype(np.int64), 0, in_size - 1)
    hi = np.minimum(np.ceil(pos).astype(np.int64), in_size - 1)
    return lo, hi, (pos - lo.astype(F32)).astype(F32)


@kernel("RESIZE_BILINEAR", "float")
def prepare_resize_bilinear(ctx):
    (h, w), (oh, ow), align, half = prepare_resize(ctx, min_size=1)
    if align and half:
        raise ctx.error("align_corners and half_pixel_centers cannot both be true")
    y0, y1, dy = bilinear_axis(h, oh, align, half)
    x0, x1, dx = bilinear_axis(w, ow, align, half)
    wy0, wy1 = (F32(1) - dy)[:, None, None], dy[:, None, None]
    wx0, wx1 = (F32(1) - dx)[:, None], dx[:, None]
    n, c = ctx.inputs[0].shape[0], ctx.inputs[0].shape[3]
    top, bottom = np.empty((2, n, oh, w, c), F32)  # rows scaled by their weights
    term = np.empty((n, oh, ow, c), F32)

    def run(ins, outs):
        x, out = ins[0], outs[0]
        np.multiply(np.take(x, y0, axis=1, mode="clip"), wy0, out=top)  # v * (1 - dy) first,
        np.multiply(np.take(x, y1, axis=1, mode="clip"), wy1, out=bottom)  # as TFLite does
        np.take(top, x0, axis=2, out=out, mode="clip")
        np.multiply(out, wx0, out=out)
        for rows, cols, wx in ((bottom, x0, wx0), (top, x1, wx1), (bottom, x1, wx1)):
            np.take(rows, cols, axis=2, out=term, mode="clip")
            np.multiply(term, wx, out=term)
            np.add(out, term, out=out)  # summed in TFLite's order: (y0,x0) (y1,x0) (y0,x1) (y1,x1)

    return run


def _scale_10(in_size: int, out_size: int, align: bool) -> int:
    if align and out_size > 1:
        return ((1 << 10) * (in_size - 1) + (out_size - 1) // 2) // (out_size - 1)
    return ((1 << 10) * in_size + out_size // 2) // out_size


def bilinear_axis_integer(in_size: int, out_size: int, align: bool, half: bool):
    """(lower, upper, weight of lower, weight of upper) per output position, weights / 1024."""
    scale = _scale_10(in_size, out_size, align)
    pos = np.arange(out_size, dtype=np.int64) * scale
    if half:
        pos += scale // 2 - (1 << 9)
    lo = np.maximum(np.fix(pos / 1024).astype(np.int64), 0)  # C division truncates
    hi = np.minimum(np.fix((pos + 1023) / 1024).astype(np.int64), in_size - 1)
    w_hi = pos - 1024 * lo
    return lo, hi, 1024 - w_hi, w_hi


@kernel("RESIZE_BILINEAR", "int8", "int16")
def prepare_resize_bilinear_integer(ctx):
    (h, w), (oh, ow), align, half = prepare_resize(ctx, min_size=1)
    if align and half:
        raise ctx.error("align_corners and half_pixel_centers cannot both be true")
    y0, y1, wy0, wy1 = bilinear_axis_integer(h, oh, align, half)
    x0, x1, wx0, wx1 = bilinear_axis_integer(w, ow, align, half)
    wy0, wy1 = wy0[:, None, None], wy1[:, None, None]
    wx0, wx1 = wx0[:, None], wx1[:, None]

    def run(ins, outs):
        x = ins[0].astype(np.int64)
        rows0 = np.take(x, y0, axis=1) * wy0
        rows1 = np.take(x, y1, axis=1) * wy1
        total = np.take(rows0, x0, axis=2) * wx0 + np.take(rows1, x0, axis=2) * wx0
        total += np.take(rows0, x1, axis=2) * wx1 + np.take(rows1, x1, axis=2) * wx1
        rounded = total + np.where(total > 0, 1 << 19, -(1 << 19))
        q = np.where(rounded >= 0, rounded >> 20, -((-rounded) >> 20))
        np.copyto(outs[0], q, casting="unsafe")

    return run


@kernel("RESIZE_BILINEAR", "uint8")
def prepare_resize_bilinear_uint8(ctx):
    float_run = prepare_resize_bilinear(ctx)
    tmp = np.empty(ctx.outputs[0].shape, F32)

    def run(ins, outs):
        float_run([ins[0].astype(F32), ins[1]], [tmp])
        np.add(tmp, F32(0.5), out=tmp)
        np.copyto(outs[0], tmp, casting="unsafe")  # truncation toward zero, as C's cast

    return run
