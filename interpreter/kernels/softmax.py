"""SOFTMAX: exp(beta * x) normalized over the last axis (TFLite ``activations``).

Like TFLite we subtract the row maximum before scaling by beta, which keeps exp in range and
computes the exponent from an exact-ish difference; for a negative beta the row minimum plays
that role. ``beta`` defaults to the schema's 0.0 (a uniform output) when options are missing.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._unary import expect_inputs
from edgelite.interpreter.kernels.registry import kernel


def prepare_last_axis(ctx):
    """Checks shared by the softmax family: one float input of rank >= 1; output alike."""
    (x,) = expect_inputs(ctx, 1)
    if len(x.shape) == 0:
        raise ctx.error("input must have rank >= 1")
    ctx.set_output(0, x.shape, x.dtype)
    return x


def shifted(x, out, beta=1.0):
    """out = (x - extreme) * beta, where extreme is the row value making the exponent <= 0."""
    extreme = np.max if beta >= 0 else np.min
    np.subtract(x, extreme(x, axis=-1, keepdims=True), out=out)
    if beta != 1.0:
        out *= np.float32(beta)


@kernel("SOFTMAX", "float")
def prepare_softmax(ctx):
    x = prepare_last_axis(ctx)
    beta = float(ctx.opt("beta", 0.0))
    if x.shape[-1] == 0:
        return lambda ins, outs: None

    def run(ins, outs):
        out = outs[0]
        shifted(ins[0], out, beta)
        np.exp(out, out=out)
        out /= np.sum(out, axis=-1, keepdims=True)

    return run
