"""BATCH_MATMUL: ``adj?(x) @ adj?(y)`` with broadcast batch dims (TFLite ``batch_matmul``).

``adj_x`` / ``adj_y`` transpose the last two axes of x / y first; the leading (batch) axes
broadcast as in numpy. Float32 in, float32 out.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._conv_util import constant_f32
from edgelite.interpreter.kernels.common import broadcast_shape
from edgelite.interpreter.kernels.registry import kernel


def operand_shape(ctx, shape, adjoint: bool, name: str) -> tuple:
    """(rows, cols) of an operand as used in the product."""
    if len(shape) < 2:
        raise ctx.error(f"{name} must have rank >= 2, got shape {tuple(shape)}")
    r, c = int(shape[-2]), int(shape[-1])
    return (c, r) if adjoint else (r, c)


@kernel("BATCH_MATMUL", "float")
def prepare_batch_matmul(ctx):
    x, y = ctx.inputs[0], ctx.inputs[1]
    adj_x, adj_y = bool(ctx.opt("adj_x", False)), bool(ctx.opt("adj_y", False))
    m, k = operand_shape(ctx, x.shape, adj_x, "x")
    k2, n = operand_shape(ctx, y.shape, adj_y, "y")
    if k != k2:
        raise ctx.error(
            f"inner dimensions differ: x {tuple(x.shape)} (adj_x={adj_x}) gives {k}, "
            f"y {tuple(y.shape)} (adj_y={adj_y}) gives {k2}"
        )
    try:
        batch = broadcast_shape(x.shape[:-2], y.shape[:-2])
    except ValueError:
        raise ctx.error(
            f"batch dims of {tuple(x.shape)} and {tuple(y.shape)} do not broadcast"
        ) from None
    ctx.set_output(0, (*batch, m, n))
    y_const = constant_f32(y)
    if y_const is not None and adj_y:
        y_const = np.swapaxes(y_const, -1, -2)

    def run(ins, outs):
        a = np.swapaxes(ins[0], -1, -2) if adj_x else ins[0]
        if y_const is not None:
            b = y_const
        else:
            b = np.swapaxes(ins[1], -1, -2) if adj_y else ins[1]
        np.matmul(a, b, out=outs[0])

    return run
