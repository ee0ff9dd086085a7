"""TOPK_V2: the k largest values along the last axis and their indices (TFLite ``topk_v2``).

Values come out in descending order; equal values keep their original order (lower index
first), as TFLite's top-k container orders them. ``k`` is the second input (int32 scalar).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels.context import NeedsData
from edgelite.interpreter.kernels.registry import kernel


@kernel("TOPK_V2", "float", "int8", "uint8", "int16", "int32", "int64")
def prepare_topk(ctx):
    x, k_info = ctx.inputs[0], ctx.inputs[1]
    if k_info.data is None:
        raise NeedsData()
    k = int(np.asarray(k_info.data).reshape(-1)[0])
    if not x.shape:
        raise ctx.error("TOPK_V2 needs an input of rank 1 or more")
    if not 0 <= k <= x.shape[-1]:
        raise ctx.error(f"k = {k} is outside [0, {x.shape[-1]}] for input shape {x.shape}")
    shape = tuple(x.shape[:-1]) + (k,)
    ctx.set_output(0, shape, x.dtype)
    ctx.set_output(1, shape, ctx.outputs[1].dtype)

    def run(ins, outs):
        data = ins[0]
        # a stable sort of the negated values keeps equal values in index order
        key = -data.astype(np.float64) if data.dtype.kind in "iu" else -data
        order = np.argsort(key, axis=-1, kind="stable")[..., :k]
        outs[0][...] = np.take_along_axis(data, order, axis=-1)
        outs[1][...] = order

    return run
