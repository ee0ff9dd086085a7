"""Shared parts of RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR (TFLite reference kernels).

Coordinates are computed in float32 exactly as the reference kernels do, so the chosen source
pixels (and bilinear weights) are bit-identical to TFLite's.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import int_vector, same_dtype

F32 = np.float32


def prepare_resize(ctx, min_size: int):
    """Check an NHWC input and a [2] size input; set the output; return (in_hw, out_hw, flags)."""
    same_dtype(ctx)
    shape = tuple(ctx.inputs[0].shape)
    if len(shape) != 4:
        raise ctx.error(f"input must be 4-D NHWC, got shape {shape}")
    size_t = ctx.inputs[1]
    if size_t is None or np.dtype(size_t.dtype) != np.int32:
        raise ctx.error("size must be an int32 tensor [new_height, new_width]")
    oh, ow = int_vector(ctx, 1, "size", 2)
    if oh < min_size or ow < min_size:
        raise ctx.error(f"output size {(oh, ow)} must be >= {min_size}")
    if (shape[1] == 0 and oh) or (shape[2] == 0 and ow):
        raise ctx.error(f"cannot resize an empty image {shape} to {(oh, ow)}")
    align = bool(ctx.opt("align_corners", False))
    half = bool(ctx.opt("half_pixel_centers", False))
    ctx.set_output(0, (shape[0], oh, ow, shape[3]))
    return (shape[1], shape[2]), (oh, ow), align, half


def axis_scale(in_size: int, out_size: int, align: bool) -> F32:
    """Input pixels per output pixel (align_corners maps the corner pixels onto each other)."""
    if align and out_size > 1:
        return F32(in_size - 1) / F32(out_size - 1)
    return F32(in_size) / F32(max(out_size, 1))
