"""TILE: repeat the input ``multiples[d]`` times along each dim d (TFLite ``tile``)."""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import int_vector, same_dtype
from edgelite.interpreter.kernels.registry import kernel


@kernel("TILE", "any")
def prepare_tile(ctx):
    same_dtype(ctx)
    shape = tuple(ctx.inputs[0].shape)
    reps = int_vector(ctx, 1, "multiples", len(shape))
    if any(m < 0 for m in reps):
        raise ctx.error(f"multiples {reps} must be >= 0")
    ctx.set_output(0, tuple(n * m for n, m in zip(shape, reps)))
    # Output viewed as (m0, n0, m1, n1, ...) is the input, viewed as (1, n0, 1, n1, ...),
    # broadcast: one copy, no temporary.
    out_view = tuple(v for pair in zip(reps, shape) for v in pair)
    in_view = tuple(v for n in shape for v in (1, n))

    def run(ins, outs):
        np.copyto(outs[0].reshape(out_view), ins[0].reshape(in_view))

    return run
