"""FILL: a tensor of shape ``dims`` (input 0) filled with the scalar ``value`` (input 1)
(TFLite ``fill``). The output has the value's dtype and, when quantized, its parameters.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import int_vector, same_dtype, same_quant
from edgelite.interpreter.kernels.registry import kernel


@kernel("FILL", "int32", "int64")  # the family comes from the dims input
def prepare_fill(ctx):
    value_t = ctx.inputs[1]
    same_dtype(ctx, 1, 0)
    same_quant(ctx, value_t, ctx.outputs[0], "FILL")
    if int(np.prod(value_t.shape, dtype=np.int64)) != 1:
        raise ctx.error(f"value must be a scalar, got shape {tuple(value_t.shape)}")
    dims = int_vector(ctx, 0, "dims")
    if any(d < 0 for d in dims):
        raise ctx.error(f"dims {dims} must be >= 0")
    ctx.set_output(0, dims)
    const = None if value_t.data is None else np.asarray(value_t.data).reshape(())

    def run(ins, outs):
        outs[0][...] = const if const is not None else ins[1].reshape(())

    return run
