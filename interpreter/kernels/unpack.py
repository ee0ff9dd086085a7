"""UNPACK: split a tensor along ``axis`` into ``num`` outputs of one rank less (TFLite
``unpack``).

``num`` must equal the size of dim ``axis`` (negative axes count from the end).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import norm_axis, same_dtype, same_quant
from edgelite.interpreter.kernels.registry import kernel


@kernel("UNPACK", "any")
def prepare_unpack(ctx):
    shape = tuple(ctx.inputs[0].shape)
    if not shape:
        raise ctx.error("cannot unpack a scalar")
    axis = norm_axis(ctx, ctx.opt("axis", 0), len(shape))
    num = ctx.opt("num", len(ctx.outputs)) or len(ctx.outputs)
    if num != shape[axis] or num != len(ctx.outputs):
        raise ctx.error(
            f"num is {num} with {len(ctx.outputs)} outputs, but dim {axis} of "
            f"{shape} has size {shape[axis]}"
        )
    out_shape = shape[:axis] + shape[axis + 1 :]
    for i, out in enumerate(ctx.outputs):
        same_dtype(ctx, 0, i)
        same_quant(ctx, ctx.inputs[0], out, "UNPACK")
        ctx.set_output(i, out_shape)
    where = [(slice(None),) * axis + (i,) for i in range(num)]

    def run(ins, outs):
        for w, o in zip(where, outs):
            np.copyto(o, ins[0][w])

    return run
