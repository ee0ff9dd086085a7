"""SPLIT_V: cut the value into parts of the given ``size_splits`` along ``axis`` (TFLite
``split_v``). Inputs: value, size_splits (one entry may be -1: the remainder), axis.
"""

from __future__ import annotations

from edgelite.interpreter.kernels._shape_util import int_scalar, int_vector, norm_axis, split_run
from edgelite.interpreter.kernels.registry import kernel


@kernel("SPLIT_V", "any")
def prepare_split_v(ctx):
    if len(ctx.inputs) != 3 or any(t is None for t in ctx.inputs):
        raise ctx.error("SPLIT_V takes (value, size_splits, axis) inputs")
    n = len(ctx.outputs)
    if ctx.opt("num_splits", n) not in (n, 0, None):
        raise ctx.error(f"num_splits is {ctx.opt('num_splits')} but the op has {n} outputs")
    shape = tuple(ctx.inputs[0].shape)
    sizes = int_vector(ctx, 1, "size_splits", length=n)
    axis = norm_axis(ctx, int_scalar(ctx, 2, "axis"), len(shape))
    if sizes.count(-1) > 1 or any(s < -1 for s in sizes):
        raise ctx.error(f"size_splits {sizes}: sizes must be >= 0, with at most one -1")
    known = sum(s for s in sizes if s != -1)
    if -1 in sizes:
        sizes[sizes.index(-1)] = shape[axis] - known
    if sum(sizes) != shape[axis] or min(sizes, default=0) < 0:
        raise ctx.error(f"size_splits {sizes} do not add up to dim {axis} of {shape}")
    return split_run(ctx, 0, axis, sizes)
