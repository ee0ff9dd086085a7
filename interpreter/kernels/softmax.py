"""SOFTMAX: exp(beta * x) normalized over the last axis (TFLite ``activations``).

Like TFLite we subtract the row maximum before scaling by beta, which keeps exp in range and
computes the exponent from an exact-ish difference; for a negative beta the row minimum plays
that role. ``beta`` defaults to the schema's 0.0 (a uniform output) when options are missing.

Quantized: int8 -> int8 (scale 1/256, zero point -128) or int16, uint8 -> uint8 or int16, and
int16 -> int16 (scale 2**-15), in TFLite's fixed-point arithmetic (see ``_qsoftmax``). An 8-bit
input scale so small that beta * scale * 2**26 <= 1 makes LiteRT's reference kernel abort; we
then compute what its default (optimized) kernel does, from a float32 exp table.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._qsoftmax import (
    make_softmax8,
    make_softmax8_float,
    make_softmax16,
    softmax16_scaling,
    softmax_scaling,
)
from edgelite.interpreter.kernels._quantized import qparams
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


_SOFTMAX_OUT = {np.dtype(np.int8): (np.int8, np.int16), np.dtype(np.uint8): (np.uint8, np.int16)}


def _check_fixed_output(ctx, y, scale, zp):
    s, z = qparams(ctx, y, "output")
    if z != zp or abs(float(s) - scale) > 0.001 * scale:
        raise ctx.error(f"{y.dtype} output needs scale {scale:g} and zero point {zp}, got {s} {z}")


@kernel("SOFTMAX", "int8", "uint8", "int16")
def prepare_softmax_quantized(ctx):
    (x,) = expect_inputs(ctx, 1)
    if len(x.shape) == 0:
        raise ctx.error("input must have rank >= 1")
    y = ctx.outputs[0]
    allowed = _SOFTMAX_OUT.get(np.dtype(x.dtype), (np.int16,))
    if y.dtype not in allowed:
        raise ctx.error(f"{x.dtype} SOFTMAX cannot output {y.dtype}")
    ctx.set_output(0, x.shape)
    scale, _ = qparams(ctx, x, "input")
    beta = float(ctx.opt("beta", 0.0))
    if x.shape[-1] == 0:
        return lambda ins, outs: None
    if x.dtype == np.int16:
        _check_fixed_output(ctx, y, 1 / 32768, 0)
        if qparams(ctx, x, "input")[1] != 0:
            raise ctx.error("int16 input needs zero point 0")
        fn = make_softmax16(*softmax16_scaling(beta, scale))
    else:
        if x.dtype == np.int8 and y.dtype == np.int8:
            _check_fixed_output(ctx, y, 1 / 256, -128)
        try:
            fn = make_softmax8(*softmax_scaling(beta, scale), y.dtype)
        except ValueError:  # a tiny input scale: LiteRT's optimized float-table kernel
            s_out, z_out = qparams(ctx, y, "output")
            fn = make_softmax8_float(scale, beta, s_out, z_out, y.dtype)

    def run(ins, outs):
        np.copyto(outs[0], fn(ins[0]), casting="unsafe")

    return run
