"""CUMSUM: running sum along one axis (TFLite ``cumsum``; CumsumOptions exclusive, reverse).

``exclusive`` starts each running sum at 0 (element i sums the ones before it); ``reverse`` runs
from the end. The axis is a one-element int tensor; the output shape never depends on it, so a
non-constant axis is simply read at run time.
"""

from __future__ import annotations

import numpy as np

from edgelite.errors import InvokeError
from edgelite.interpreter.kernels._reduce import axis_tensor, axis_values
from edgelite.interpreter.kernels._unary import expect_inputs
from edgelite.interpreter.kernels.registry import kernel


def running_sum(x, out) -> None:
    """out[i] = x[0] + ... + x[i] along axis 0, added in order as TFLite does."""
    if x.ndim > 1 and 0 < len(x) <= x[0].size:
        # numpy accumulates an outer axis with a strided inner loop, ~20x slower than adding
        # whole slices one after the other.
        out[0] = x[0]
        for i in range(1, len(x)):
            np.add(out[i - 1], x[i], out=out[i])
    else:
        np.cumsum(x, axis=0, dtype=out.dtype, out=out)


def cumsum(x, ax: int, exclusive: bool, reverse: bool, out) -> None:
    x, out = np.moveaxis(x, ax, 0), np.moveaxis(out, ax, 0)  # views: work along axis 0
    if reverse:
        x, out = x[::-1], out[::-1]
    if exclusive and len(x):
        out[0] = 0
        x, out = x[:-1], out[1:]
    running_sum(x, out)


@kernel("CUMSUM", "float", "int32", "int64")
def prepare_cumsum(ctx):
    x, _ = expect_inputs(ctx, 2)
    axis = axis_tensor(ctx)
    rank = len(x.shape)
    if rank == 0:
        raise ctx.error("input must have rank >= 1")
    if int(np.prod(axis.shape)) != 1:
        raise ctx.error(f"axis must hold exactly one value, got shape {axis.shape}")
    exclusive = bool(ctx.opt("exclusive", False))
    reverse = bool(ctx.opt("reverse", False))
    ctx.set_output(0, x.shape, x.dtype)
    fixed = axis_values(ctx, rank)[0] if axis.data is not None else None

    def run(ins, outs):
        ax = fixed
        if ax is None:
            ax = int(ins[1].reshape(-1)[0])
            if not -rank <= ax < rank:
                raise InvokeError(f"{ctx.location}: axis {ax} is out of range for rank {rank}")
        cumsum(ins[0], ax, exclusive, reverse, outs[0])

    return run
