"""LOGISTIC: elementwise sigmoid 1 / (1 + exp(-x)) (TFLite ``activations``).

LiteRT's optimized float kernel is accurate to a few ulp over the whole range, so we compute
the exact formula in float32 (its reference kernel's exp(x) shortcut below -9 is off by up to
1e-4 relative and is not mirrored). Below about -88 exp(-x) overflows and the result is 0.

int8/uint8 (output scale 1/256): TFLite's 256-entry LUT of quantize(1 / (1 + expf(-x))) on the
dequantized inputs, in float32. int16 (symmetric, output scale 2**-15): the fixed-point table
interpolation of ``_sigmoid16``.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._quantized import (
    F32,
    cmath_f32,
    finish_unary,
    float_lut8,
    gather_table,
    qparams,
)
from edgelite.interpreter.kernels._sigmoid16 import input_rescale, logistic16
from edgelite.interpreter.kernels._unary import expect_inputs, prepare_unary
from edgelite.interpreter.kernels.registry import kernel


def logistic(x, out):
    np.negative(x, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)


@kernel("LOGISTIC", "float")
def prepare_logistic(ctx):
    return prepare_unary(ctx, logistic, quiet=True)


def sigmoid_f32(x):
    """1.0f / (1.0f + expf(-x)), the float transform of TFLite's LUT."""
    return F32(1) / (F32(1) + cmath_f32("exp", -np.asarray(x, F32)))


def prepare_int16_sigmoid_like(ctx, pot_shifts, fn):
    """Shared int16 LOGISTIC/TANH prepare: symmetric input, output scale 2**-15."""
    (x,) = expect_inputs(ctx, 1)
    y = ctx.outputs[0]
    ctx.set_output(0, x.shape, x.dtype)
    s_in, z_in = qparams(ctx, x, "input")
    s_out, z_out = qparams(ctx, y, "output")
    if z_in or z_out:
        raise ctx.error("int16 input and output need zero points of 0")
    if abs(np.log2(float(s_out)) + 15) >= 1e-3:
        raise ctx.error(f"int16 output scale must be 2**-15, got {s_out}")
    multiplier, shift = input_rescale(s_in, pot_shifts)
    if multiplier > 2**31 - 1:  # TFLite narrows it to int32: undefined past that
        raise ctx.error(f"int16 input scale {s_in} is too large: its multiplier passes int32")
    return finish_unary(np.int16, lambda q: fn(q, multiplier, shift))


@kernel("LOGISTIC", "int8", "uint8")
def prepare_logistic_8bit(ctx):
    (x,) = expect_inputs(ctx, 1)
    y = ctx.outputs[0]
    ctx.set_output(0, x.shape, x.dtype)
    s_in, z_in = qparams(ctx, x, "input")
    s_out, z_out = qparams(ctx, y, "output")
    if float(s_out) != 1.0 / 256:
        raise ctx.error(f"8-bit LOGISTIC needs output scale 1/256, got {s_out}")
    return gather_table(float_lut8(sigmoid_f32, s_in, z_in, s_out, z_out, x.dtype))


@kernel("LOGISTIC", "int16")
def prepare_logistic_int16(ctx):
    return prepare_int16_sigmoid_like(ctx, (0,), logistic16)
