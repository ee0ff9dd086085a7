"""BATCH_TO_SPACE_ND (TFLite ``batch_to_space_nd``), the inverse of SPACE_TO_BATCH_ND.

Batch entry (i * bw + j) * B_out + b fills pixels (y * bh + i, x * bw + j) of output image b;
then ``crops`` [M, 2] (>= 0) trims the spatial dims.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import block_operands
from edgelite.interpreter.kernels.registry import kernel


@kernel("BATCH_TO_SPACE_ND", "any")
def prepare_batch_to_space_nd(ctx):
    shape, m, block, crops = block_operands(ctx, "crops")
    nblock = int(np.prod(block))
    if shape[0] % nblock:
        raise ctx.error(f"batch {shape[0]} is not a multiple of the block size {nblock}")
    batch, spatial, tail = shape[0] // nblock, shape[1 : 1 + m], shape[1 + m :]
    full = [n * b for n, b in zip(spatial, block)]
    out_spatial = [f - a - b for f, (a, b) in zip(full, crops)]
    if any(d < 0 for d in out_spatial):
        raise ctx.error(f"crops {crops} exceed the spatial dims {full}")
    ctx.set_output(0, (batch,) + tuple(out_spatial) + tail)
    # (b1, ..., bM, B, s1, ..., sM, tail) -> (B, s1, b1, ..., sM, bM, tail)
    split = tuple(block) + (batch,) + tuple(spatial) + tail
    perm = [m] + [v for k in range(m) for v in (m + 1 + k, k)]
    perm += list(range(2 * m + 1, 2 * m + 1 + len(tail)))
    merged = (batch,) + tuple(full) + tail
    crop = (slice(None),) + tuple(slice(a, a + d) for (a, _), d in zip(crops, out_spatial))

    def run(ins, outs):
        x = ins[0].reshape(split).transpose(perm).reshape(merged)
        np.copyto(outs[0], x[crop])

    return run
