"""PRELU: x for x >= 0, alpha * x otherwise, alpha a tensor broadcast against x (TFLite ``prelu``).

The output has the broadcast shape of input and alpha.

Quantized int8/uint8 (alpha of the same type) and int16 (int8 alpha), as TFLite's ``Prelu``:
q - zp_in >= 0 is rescaled by s_in / s_out, else (q - zp_in) * (alpha - zp_alpha) by
s_in * s_alpha / s_out; plus zp_out, clamped. 8-bit ops use a 256 x 256 table.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._binary import broadcast_inputs
from edgelite.interpreter.kernels._quantized import (
    all_values,
    lookup8_binary,
    qparams,
    qrange,
    table8,
)
from edgelite.interpreter.kernels._unary import expect_inputs
from edgelite.interpreter.kernels.fixedpoint import (
    multiply_by_quantized_multiplier as mbqm,
)
from edgelite.interpreter.kernels.fixedpoint import quantize_multiplier
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


_ALPHA_DTYPE = {
    np.dtype(np.int8): np.int8,
    np.dtype(np.uint8): np.uint8,
    np.dtype(np.int16): np.int8,
}


@kernel("PRELU", "int8", "uint8", "int16")
def prepare_prelu_quantized(ctx):
    x, alpha = expect_inputs(ctx, 2)
    if alpha.dtype != _ALPHA_DTYPE[np.dtype(x.dtype)]:
        raise ctx.error(f"alpha is {alpha.dtype}, input is {x.dtype}")
    ctx.set_output(0, broadcast_inputs(ctx, (x, alpha)), x.dtype)
    if ctx.outputs[0].shape != tuple(x.shape):
        raise ctx.error(f"alpha {alpha.shape} must broadcast to the input shape {x.shape}")
    s_in, z_in = qparams(ctx, x, "input")
    s_a, z_a = qparams(ctx, alpha, "alpha")
    s_out, z_out = qparams(ctx, ctx.outputs[0], "output")
    m1, e1 = quantize_multiplier(float(s_in / s_out))  # float32 division, as TFLite
    m2, e2 = quantize_multiplier(float(s_in * s_a / s_out))
    lo, hi = qrange(x.dtype)

    def fn(q, a):
        v = q - z_in
        y = np.where(v >= 0, mbqm(v, m1, e1), mbqm(v * (a - z_a), m2, e2))
        return np.clip(y + z_out, lo, hi)

    if np.dtype(x.dtype).itemsize == 1:
        v = all_values(x.dtype)
        return lookup8_binary(table8(fn(v[:, None], v[None, :]), x.dtype).reshape(-1))

    def run(ins, outs):
        np.copyto(outs[0], fn(ins[0].astype(np.int64), ins[1].astype(np.int64)), casting="unsafe")

    return run
