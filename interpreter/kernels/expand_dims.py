"""EXPAND_DIMS: insert a size-1 dim at the ``axis`` input (TFLite ``expand_dims``).

``axis`` lies in [-(rank + 1), rank]; negative values count from the end of the output shape.
"""

from __future__ import annotations

from edgelite.interpreter.kernels._shape_util import (
    copy_run,
    int_scalar,
    norm_axis,
    same_dtype,
    same_quant,
)
from edgelite.interpreter.kernels.registry import kernel


@kernel("EXPAND_DIMS", "any")
def prepare_expand_dims(ctx):
    same_dtype(ctx)
    same_quant(ctx, ctx.inputs[0], ctx.outputs[0], "EXPAND_DIMS")
    in_shape = tuple(ctx.inputs[0].shape)
    axis = int_scalar(ctx, 1, "axis")
    axis = norm_axis(ctx, axis, len(in_shape) + 1)
    shape = in_shape[:axis] + (1,) + in_shape[axis:]
    ctx.set_output(0, shape)
    return copy_run(shape)
