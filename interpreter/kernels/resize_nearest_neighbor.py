"""RESIZE_NEAREST_NEIGHBOR (TFLite reference ``ResizeNearestNeighbor``), any dtype.

Source row of output row y: p = (y + offset) * scale in float32, offset 0.5 with
half_pixel_centers else 0; the index is round(p) (half away from zero) with align_corners, else
floor(p); then min(index, H - 1), and max(index, 0) with half_pixel_centers. Columns alike.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._resize import F32, axis_scale, prepare_resize
from edgelite.interpreter.kernels.registry import kernel


def nearest_axis(in_size: int, out_size: int, align: bool, half: bool) -> np.ndarray:
    scale = axis_scale(in_size, out_size, align)
    p = (np.arange(out_size, dtype=F32) + F32(0.5 if half else 0.0)) * scale
    # p >= 0, so rounding half away from zero is floor(p + 0.5), done in float64 to stay exact
    idx = np.floor(p.astype(np.float64) + 0.5) if align else np.floor(p)
    idx = np.minimum(idx.astype(np.int64), in_size - 1)
    return np.maximum(idx, 0) if half else idx


@kernel("RESIZE_NEAREST_NEIGHBOR", "any")
def prepare_resize_nearest_neighbor(ctx):
    (h, w), (oh, ow), align, half = prepare_resize(ctx, min_size=0)
    rows = nearest_axis(h, oh, align, half)[:, None]
    cols = nearest_axis(w, ow, align, half)

    def run(ins, outs):
        np.copyto(outs[0], ins[0][:, rows, cols])

    return run
