"""SPACE_TO_DEPTH, NHWC, TFLite's order (TFLite ``space_to_depth``), the inverse of
DEPTH_TO_SPACE: out[b, h, w, (i * bs + j) * C + c] = in[b, h * bs + i, w * bs + j, c].
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import same_dtype
from edgelite.interpreter.kernels.registry import kernel


@kernel("SPACE_TO_DEPTH", "any")
def prepare_space_to_depth(ctx):
    same_dtype(ctx)
    shape = tuple(ctx.inputs[0].shape)
    bs = ctx.opt("block_size", 0)
    if len(shape) != 4 or bs is None or bs < 1 or shape[1] % bs or shape[2] % bs:
        raise ctx.error(f"block_size {bs} does not divide height and width of 4-D {shape}")
    n, h, w, c = shape
    ho, wo = h // bs, w // bs
    ctx.set_output(0, (n, ho, wo, c * bs * bs))
    src, dst = (n, ho, bs, wo, bs, c), (n, ho, wo, bs, bs, c)

    def run(ins, outs):
        np.copyto(outs[0].reshape(dst), ins[0].reshape(src).transpose(0, 1, 3, 2, 4, 5))

    return run
