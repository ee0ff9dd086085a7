"""SCATTER_ND: zeros of ``shape`` (input 2) with ``updates`` added at ``indices`` (TFLite
``scatter_nd``). Repeated indices accumulate in index order; out-of-range indices are errors.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import int_vector, same_dtype
from edgelite.interpreter.kernels.registry import kernel


def _check_shapes(ctx, ishape, ushape, shape) -> None:
    outer = len(ishape) - 1
    nd = ishape[-1] if ishape else 0
    ok = (
        outer >= 0
        and len(ushape) >= 1
        and ishape[:outer] == ushape[:outer]
        and nd <= len(shape)
        and tuple(ushape[outer:]) == tuple(shape[nd:])
    )
    if not ok:
        raise ctx.error(f"indices {ishape} and updates {ushape} do not match output {shape}")


@kernel("SCATTER_ND", "int32")  # the family comes from the int32 indices
def prepare_scatter_nd(ctx):
    idx_t, upd_t = ctx.inputs[0], ctx.inputs[1]
    same_dtype(ctx, 1, 0)
    if np.dtype(ctx.inputs[2].dtype) != np.dtype(idx_t.dtype):
        raise ctx.error("indices and shape must have the same dtype")
    shape = tuple(int_vector(ctx, 2, "shape"))
    if any(d < 0 for d in shape):
        raise ctx.error(f"shape {shape} has negative dims")
    ishape, ushape = tuple(idx_t.shape), tuple(upd_t.shape)
    _check_shapes(ctx, ishape, ushape, shape)
    ctx.set_output(0, shape)
    nd = ishape[-1]
    lead = np.array(shape[:nd], np.int64)
    strides = np.array(
        [int(np.prod(shape[k + 1 : nd], dtype=np.int64)) for k in range(nd)], np.int64
    )
    rows = int(np.prod(shape[:nd], dtype=np.int64))
    width = int(np.prod(shape[nd:], dtype=np.int64))
    n = int(np.prod(ishape[:-1], dtype=np.int64))

    def run(ins, outs):
        idx = np.asarray(ins[0], np.int64).reshape(n, nd)
        bad = (idx < 0) | (idx >= lead)
        if bad.any():
            raise ctx.error(f"index {idx[bad.any(axis=1)][0].tolist()} is outside {shape}")
        out = outs[0].reshape(rows, width)
        out.fill(0)
        np.add.at(out, idx @ strides, ins[1].reshape(n, width))

    return run
