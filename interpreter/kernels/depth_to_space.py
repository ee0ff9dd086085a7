"""DEPTH_TO_SPACE, NHWC, TFLite's DCR order (TFLite ``depth_to_space``).

out[b, h * bs + i, w * bs + j, c] = in[b, h, w, (i * bs + j) * C_out + c].
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import same_dtype
from edgelite.interpreter.kernels.registry import kernel


@kernel("DEPTH_TO_SPACE", "any")
def prepare_depth_to_space(ctx):
    same_dtype(ctx)
    shape = tuple(ctx.inputs[0].shape)
    bs = ctx.opt("block_size", 0)
    if len(shape) != 4 or bs is None or bs < 1 or shape[3] % (bs * bs):
        raise ctx.error(f"block_size {bs} does not divide the depth of a 4-D input {shape}")
    n, h, w, c = shape
    co = c // (bs * bs)
    ctx.set_output(0, (n, h * bs, w * bs, co))
    src, dst = (n, h, w, bs, bs, co), (n, h, bs, w, bs, co)

    def run(ins, outs):
        np.copyto(outs[0].reshape(dst), ins[0].reshape(src).transpose(0, 1, 3, 2, 4, 5))

    return run
