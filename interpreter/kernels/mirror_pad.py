"""MIRROR_PAD: pad by mirroring the input at its edges (TFLite ``mirror_pad``).

REFLECT mirrors around the edge element (x[1], x[0] | x[0], x[1], ...: the edge is not
repeated); SYMMETRIC repeats it (x[1], x[0] | x[0], ...). Each padding may be at most
size - 1 (REFLECT) or size (SYMMETRIC), as TFLite requires, so one reflection suffices.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import pad_matrix, same_dtype
from edgelite.interpreter.kernels.registry import kernel


def mirror_indices(n: int, before: int, after: int, offset: int) -> np.ndarray:
    """Source index of every output position along one dim (offset 1: REFLECT, 0: SYMMETRIC)."""
    p = np.arange(-before, n + after)
    p = np.where(p < 0, -p - 1 + offset, p)
    return np.where(p >= n, 2 * n - 1 - p - offset, p)


@kernel("MIRROR_PAD", "any")
def prepare_mirror_pad(ctx):
    same_dtype(ctx)
    mode = ctx.opt("mode", "REFLECT")
    if mode not in ("REFLECT", "SYMMETRIC"):
        raise ctx.error(f"unknown mirror padding mode {mode!r}")
    offset = 1 if mode == "REFLECT" else 0
    shape = tuple(ctx.inputs[0].shape)
    pads = pad_matrix(ctx, 1, len(shape))
    takes = []
    for d, (n, (a, b)) in enumerate(zip(shape, pads)):
        if a < 0 or b < 0 or max(a, b) > n - offset:
            raise ctx.error(
                f"{mode} paddings {pads[d]} do not fit dim {d} of size {n} "
                f"(each must be in [0, {n - offset}])"
            )
        if a or b:
            takes.append((d, mirror_indices(n, a, b, offset)))
    ctx.set_output(0, tuple(n + a + b for n, (a, b) in zip(shape, pads)))

    def run(ins, outs):
        y = ins[0]
        for d, idx in takes:
            y = np.take(y, idx, axis=d)
        np.copyto(outs[0], y)

    return run
