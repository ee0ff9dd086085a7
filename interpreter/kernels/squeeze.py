"""SQUEEZE: drop size-1 dims (TFLite ``squeeze``).

``squeeze_dims`` lists the dims to drop (negative counts from the end); each must have size 1.
When it is empty every size-1 dim goes.
"""

from __future__ import annotations

from edgelite.interpreter.kernels._shape_util import copy_run, norm_axis, option_ints, same_dtype
from edgelite.interpreter.kernels.registry import kernel


@kernel("SQUEEZE", "any")
def prepare_squeeze(ctx):
    same_dtype(ctx)
    in_shape = tuple(ctx.inputs[0].shape)
    rank = len(in_shape)
    dims = option_ints(ctx, "squeeze_dims")
    if dims:
        drop = {norm_axis(ctx, d, rank, "squeeze_dims entry") for d in dims}
        bad = [d for d in sorted(drop) if in_shape[d] != 1]
        if bad:
            raise ctx.error(f"cannot squeeze dims {bad} of shape {in_shape}: size is not 1")
    else:
        drop = {i for i, d in enumerate(in_shape) if d == 1}
    shape = tuple(d for i, d in enumerate(in_shape) if i not in drop)
    ctx.set_output(0, shape)
    return copy_run(shape)
