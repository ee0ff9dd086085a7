"""REVERSE_V2: reverse the input along the dims listed in the ``axis`` input (TFLite
``reverse``). Negative axes count from the end; repeated axes are an error. (TFLite only runs
contiguous axis lists; any list works here.)
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import norm_axis, same_dtype
from edgelite.interpreter.kernels.registry import kernel


def _axes(ctx, values, rank: int) -> tuple:
    axes = tuple(norm_axis(ctx, int(a), rank) for a in np.asarray(values).reshape(-1))
    if len(set(axes)) != len(axes):
        raise ctx.error(f"axis {list(axes)} repeats a dim")
    return axes


@kernel("REVERSE_V2", "any")
def prepare_reverse_v2(ctx):
    same_dtype(ctx)
    shape = tuple(ctx.inputs[0].shape)
    axis_t = ctx.inputs[1]
    if axis_t is None or len(axis_t.shape) != 1:
        raise ctx.error("axis must be a 1-D integer tensor")
    ctx.set_output(0, shape)
    axes = None if axis_t.data is None else _axes(ctx, axis_t.data, len(shape))

    def run(ins, outs):
        a = axes if axes is not None else _axes(ctx, ins[1], len(shape))
        np.copyto(outs[0], np.flip(ins[0], a))

    return run
