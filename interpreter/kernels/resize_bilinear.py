"""RESIZE_BILINEAR, float (TFLite reference ``ResizeBilinear``).

For output row y: in_y = (y + 0.5) * scale - 0.5 with half_pixel_centers, else y * scale; the
two source rows are max(floor(in_y), 0) and min(ceil(in_y), H - 1), weighted 1 - d and d with
d = in_y - y0 (d may be negative near the top edge with half-pixel centers; TFLite keeps it).
Columns alike. The four products are summed in TFLite's order in float32, so results match the
reference kernel bit for bit. align_corners and half_pixel_centers cannot both be set.
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
