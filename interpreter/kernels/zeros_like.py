"""ZEROS_LIKE: zeros of the input's shape and dtype (TFLite ``zeros_like``: float32, int32,
int64). TFLite has no ONES_LIKE builtin (TensorFlow lowers ones_like to FILL).
"""

from __future__ import annotations

from edgelite.interpreter.kernels._shape_util import same_dtype
from edgelite.interpreter.kernels.registry import kernel


@kernel("ZEROS_LIKE", "float", "int32", "int64")
def prepare_zeros_like(ctx):
    same_dtype(ctx)
    ctx.set_output(0, ctx.inputs[0].shape)

    def run(ins, outs):
        outs[0].fill(0)

    return run
