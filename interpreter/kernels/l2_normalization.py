"""L2_NORMALIZATION: x / max(||x||, 1e-6) over the last axis (TFLite ``l2norm``).

TFLite clamps the norm itself (not its square) at epsilon 1e-6, so an all-zero row stays zero
and tiny rows are scaled by 1e6. The float kernel accepts no fused activation.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._unary import expect_inputs
from edgelite.interpreter.kernels.registry import kernel

_EPSILON = np.float32(1e-6)


@kernel("L2_NORMALIZATION", "float")
def prepare_l2_normalization(ctx):
    (x,) = expect_inputs(ctx, 1)
    if len(x.shape) == 0:
        raise ctx.error("input must have rank >= 1")
    act = ctx.opt("fused_activation_function", "NONE") or "NONE"
    if act != "NONE":
        raise ctx.error(f"fused activation {act} is not supported (TFLite allows only NONE)")
    ctx.set_output(0, x.shape, x.dtype)

    def run(ins, outs):
        x, out = ins[0], outs[0]
        np.multiply(x, x, out=out)
        norm = np.sqrt(np.sum(out, axis=-1, keepdims=True))
        np.maximum(norm, _EPSILON, out=norm)
        np.divide(x, norm, out=out)

    return run
