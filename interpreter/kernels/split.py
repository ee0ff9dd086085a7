"""SPLIT: cut the value (input 1) into ``num_splits`` equal parts along the axis given by
input 0 (TFLite ``split``; note the axis comes FIRST).
"""

from __future__ import annotations

from edgelite.interpreter.kernels._shape_util import int_scalar, norm_axis, split_run
from edgelite.interpreter.kernels.registry import kernel


@kernel("SPLIT", "any")
def prepare_split(ctx):
    if len(ctx.inputs) != 2 or ctx.inputs[1] is None:
        raise ctx.error("SPLIT takes (axis, value) inputs")
    n = ctx.opt("num_splits", len(ctx.outputs)) or len(ctx.outputs)
    if n != len(ctx.outputs):
        raise ctx.error(f"num_splits is {n} but the op has {len(ctx.outputs)} outputs")
    shape = tuple(ctx.inputs[1].shape)
    axis = norm_axis(ctx, int_scalar(ctx, 0, "axis"), len(shape))
    if shape[axis] % n:
        raise ctx.error(f"dim {axis} of {shape} does not split evenly into {n} parts")
    return split_run(ctx, 1, axis, [shape[axis] // n] * n)
