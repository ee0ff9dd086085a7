"""GATHER_ND: pick slices by N-d index tuples (TFLite ``gather_nd``).

``indices[..., :nd]`` addresses the first ``nd`` dims of ``params``; the output shape is
indices.shape[:-1] + params.shape[nd:]. Negative or out-of-range indices are errors, as in
TFLite.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import same_dtype
from edgelite.interpreter.kernels.registry import kernel


@kernel("GATHER_ND", "any")
def prepare_gather_nd(ctx):
    same_dtype(ctx)
    p, i = ctx.inputs[0], ctx.inputs[1]
    shape, ishape = tuple(p.shape), tuple(i.shape)
    if not np.issubdtype(np.dtype(i.dtype), np.integer):
        raise ctx.error(f"indices must be integers, got {np.dtype(i.dtype).name}")
    if not shape or not ishape:
        raise ctx.error(f"params {shape} and indices {ishape} must both be at least 1-D")
    nd = ishape[-1]
    if nd > len(shape):
        raise ctx.error(f"index depth {nd} exceeds the rank of params {shape}")
    ctx.set_output(0, ishape[:-1] + shape[nd:])
    lead = np.array(shape[:nd], np.int64)
    # row-major strides of the addressed dims, to turn index tuples into row numbers
    strides = np.array(
        [int(np.prod(shape[k + 1 : nd], dtype=np.int64)) for k in range(nd)], np.int64
    )
    rows = int(np.prod(shape[:nd], dtype=np.int64))
    n_slices = int(np.prod(ishape[:-1], dtype=np.int64))
    width = int(np.prod(shape[nd:], dtype=np.int64))

    def row_numbers(idx):
        idx = np.asarray(idx, np.int64).reshape(n_slices, nd)
        bad = (idx < 0) | (idx >= lead)
        if bad.any():
            raise ctx.error(f"index {idx[bad.any(axis=1)][0].tolist()} is outside {shape}")
        return idx @ strides if nd else np.zeros(n_slices, np.int64)

    const = None if i.data is None else row_numbers(i.data)

    def run(ins, outs):
        r = const if const is not None else row_numbers(ins[1])
        np.take(
            ins[0].reshape(rows, width),
            r,
            axis=0,
            out=outs[0].reshape(n_slices, width),
            mode="clip",
        )

    return run
