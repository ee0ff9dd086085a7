"""PRELU: x for x >= 0, alpha * x otherwise, alpha a tensor broadcast against x (TFLite ``prelu``).

The output has the broadcast shape of input and alpha.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._binary import broadcast_inputs
from edgelite.interpreter.kernels._unary import expect_inputs
from edgelite.interpreter.kernels.registry import kernel


def negative_part_scaled(x, alpha, out):
    """out = x if x >= 0 else alpha * x, as max(x, 0) + alpha * min(x, 0).

    Exact (each sum has a zero term), and branch-free: masked numpy ops are ~5x slower on the
    sign patterns activations have.
    """
    neg = np.multiply(np.minimum(x, 0.0), alpha)  # alpha may widen the shape
    np.maximum(x, 0.0, out=out)
    out += neg


@kernel("PRELU", "float")
def prepare_prelu(ctx):
    x, alpha = expect_inputs(ctx, 2)
    if alpha.dtype != x.dtype:
        raise ctx.error(f"alpha is {alpha.dtype}, input is {x.dtype}")
    ctx.set_output(0, broadcast_inputs(ctx, (x, alpha)), x.dtype)

    def run(ins, outs):
        negative_part_scaled(ins[0], ins[1], outs[0])

    return run
