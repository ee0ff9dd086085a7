"""SPACE_TO_BATCH_ND (TFLite ``space_to_batch_nd``; TensorFlow emits it around dilated convs).

Pads the M spatial dims (dims 1..M; TFLite has M = rank - 2, i.e. NHWC or NHC) with the
output's zero point (0 unless quantized), then moves each block_shape tile offset into the
batch: out[(i * bw + j) * B + b, y, x, c] = padded[b, y * bh + i, x * bw + j, c].
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import block_operands, zero_value
from edgelite.interpreter.kernels.registry import kernel


@kernel("SPACE_TO_BATCH_ND", "any")
def prepare_space_to_batch_nd(ctx):
    shape, m, block, pads = block_operands(ctx, "paddings")
    padded = [n + a + b for n, (a, b) in zip(shape[1 : 1 + m], pads)]
    if any(p % b for p, b in zip(padded, block)):
        raise ctx.error(f"padded spatial dims {padded} are not multiples of block {block}")
    batch, tail = shape[0], shape[1 + m :]
    grid = [p // b for p, b in zip(padded, block)]
    ctx.set_output(0, (batch * int(np.prod(block)),) + tuple(grid) + tail)
    # (B, g1, b1, ..., gM, bM, tail) -> (b1, ..., bM, B, g1, ..., gM, tail)
    split = (batch,) + tuple(v for gb in zip(grid, block) for v in gb) + tail
    perm = (
        [2 + 2 * k for k in range(m)]
        + [0]
        + [1 + 2 * k for k in range(m)]
        + list(range(1 + 2 * m, 1 + 2 * m + len(tail)))
    )
    out_view = tuple(block) + (batch,) + tuple(grid) + tail
    buf = None
    if any(a or b for a, b in pads):  # padded copy; its border keeps the pad value
        buf = np.full((batch,) + tuple(padded) + tail, zero_value(ctx), ctx.outputs[0].dtype)
        inner = (slice(None),) + tuple(slice(a, a + n) for n, (a, _) in zip(shape[1 : 1 + m], pads))

    def run(ins, outs):
        x = ins[0]
        if buf is not None:
            buf[inner] = x
            x = buf
        np.copyto(outs[0].reshape(out_view), x.reshape(split).transpose(perm))

    return run
