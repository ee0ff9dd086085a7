"""PACK: stack ``values_count`` same-shaped inputs along a new ``axis`` (TFLite ``pack``).

``axis`` lies in [-(rank + 1), rank]. Inputs and output share dtype and quantization.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import norm_axis, same_quant
from edgelite.interpreter.kernels.registry import kernel


@kernel("PACK", "any")
def prepare_pack(ctx):
    ins = ctx.inputs
    count = ctx.opt("values_count", len(ins)) or len(ins)
    if count != len(ins) or any(t is None for t in ins):
        raise ctx.error(f"values_count is {count} but the op has {len(ins)} inputs")
    shape, dtype = tuple(ins[0].shape), np.dtype(ins[0].dtype)
    for t in ins:
        if tuple(t.shape) != shape or np.dtype(t.dtype) != dtype:
            raise ctx.error(
                f"input {t.name!r} is {np.dtype(t.dtype).name}{tuple(t.shape)}; "
                f"all inputs must be {dtype.name}{shape}"
            )
        same_quant(ctx, t, ctx.outputs[0], "PACK")
    if np.dtype(ctx.outputs[0].dtype) != dtype:
        raise ctx.error(f"output is {np.dtype(ctx.outputs[0].dtype).name}, inputs are {dtype}")
    axis = norm_axis(ctx, ctx.opt("axis", 0), len(shape) + 1)
    ctx.set_output(0, shape[:axis] + (count,) + shape[axis:])
    # outs[0][..., i, ...] along the new axis receives input i
    where = [(slice(None),) * axis + (i,) for i in range(count)]

    def run(ins, outs):
        for w, x in zip(where, ins):
            outs[0][w] = x

    return run
