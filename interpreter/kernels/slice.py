"""SLICE: a box ``begin`` .. ``begin + size`` of the input (TFLite ``slice``).

``begin`` and ``size`` have one entry per input dim; a size of -1 means "to the end". Begins
must be non-negative and boxes must lie inside the input.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import int_vector, same_dtype
from edgelite.interpreter.kernels.registry import kernel


@kernel("SLICE", "any")
def prepare_slice(ctx):
    same_dtype(ctx)
    shape = tuple(ctx.inputs[0].shape)
    begin = int_vector(ctx, 1, "begin", len(shape))
    size = int_vector(ctx, 2, "size", len(shape))
    index, out_shape = [], []
    for d, (n, b, s) in enumerate(zip(shape, begin, size)):
        if s == -1:
            s = n - b
        if b < 0 or s < 0 or b + s > n:
            raise ctx.error(f"slice begin {begin} size {size} does not fit dim {d} of {shape}")
        index.append(slice(b, b + s))
        out_shape.append(s)
    index = tuple(index)
    ctx.set_output(0, out_shape)

    def run(ins, outs):
        np.copyto(outs[0], ins[0][index])

    return run
