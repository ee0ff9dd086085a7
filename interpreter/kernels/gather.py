"""GATHER: pick slices along ``axis`` by index (TFLite ``gather``), with ``batch_dims``.

Output shape: input[:axis] + indices[batch_dims:] + input[axis + 1:]. The first ``batch_dims``
dims of input and indices pair up. TFLite rejects negative indices (no Python-style wrapping)
and indices >= the axis size; both are errors here too.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import check_indices, norm_axis, same_dtype
from edgelite.interpreter.kernels.registry import kernel


def _prepare_axes(ctx):
    x, idx = ctx.inputs[0], ctx.inputs[1]
    if not np.issubdtype(np.dtype(idx.dtype), np.integer):
        raise ctx.error(f"indices must be integers, got {np.dtype(idx.dtype).name}")
    shape, ishape = tuple(x.shape), tuple(idx.shape)
    axis = norm_axis(ctx, ctx.opt("axis", 0), len(shape))
    bd = ctx.opt("batch_dims", 0) or 0
    if bd < 0:
        bd += len(ishape)
    if not (0 <= bd <= axis and bd < len(shape) and bd <= len(ishape)):
        raise ctx.error(
            f"batch_dims {ctx.opt('batch_dims')} is invalid for axis {axis}, "
            f"input {shape} and indices {ishape}"
        )
    if shape[:bd] != ishape[:bd]:
        raise ctx.error(f"batch dims of input {shape} and indices {ishape} differ")
    return shape, ishape, axis, bd


@kernel("GATHER", "any")
def prepare_gather(ctx):
    same_dtype(ctx)
    shape, ishape, axis, bd = _prepare_axes(ctx)
    out_shape = shape[:axis] + ishape[bd:] + shape[axis + 1 :]
    ctx.set_output(0, out_shape)
    limit = shape[axis]
    const = ctx.inputs[1].data
    if const is not None:
        check_indices(ctx, np.asarray(const), limit)
    if bd == 0:

        def run(ins, outs):
            if const is None:
                check_indices(ctx, ins[1], limit)
            np.take(ins[0], ins[1], axis=axis, out=outs[0], mode="clip")

        return run

    # batch b gathers from input[b] with indices[b]: (B, outer, A, inner) -> (B, outer, C, inner)
    def size(dims):
        return int(np.prod(dims, dtype=np.int64))

    batch, outer, inner = size(shape[:bd]), size(shape[bd:axis]), size(shape[axis + 1 :])
    x4, i2 = (batch, outer, limit, inner), (batch, size(ishape[bd:]))
    o4 = (batch, outer, i2[1], inner)

    def run_batched(ins, outs):
        if const is None:
            check_indices(ctx, ins[1], limit)
        x, idx, out = ins[0].reshape(x4), ins[1].reshape(i2), outs[0].reshape(o4)
        for b in range(batch):
            np.take(x[b], idx[b], axis=1, out=out[b], mode="clip")

    return run_batched
