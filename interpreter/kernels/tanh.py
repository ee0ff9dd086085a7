"""TANH: elementwise hyperbolic tangent (TFLite ``activations``).

int8/uint8: TFLite's 256-entry LUT of quantize(tanhf(dequantize(q))) in float32. int16
(symmetric, output scale 2**-15): the fixed-point sigmoid-table interpolation of ``_sigmoid16``.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._quantized import cmath_f32, float_lut8, gather_table, qparams
from edgelite.interpreter.kernels._sigmoid16 import tanh16
from edgelite.interpreter.kernels._unary import expect_inputs, prepare_unary
from edgelite.interpreter.kernels.logistic import prepare_int16_sigmoid_like
from edgelite.interpreter.kernels.registry import kernel


@kernel("TANH", "float")
def prepare_tanh(ctx):
    return prepare_unary(ctx, np.tanh)


@kernel("TANH", "int8", "uint8")
def prepare_tanh_8bit(ctx):
    (x,) = expect_inputs(ctx, 1)
    ctx.set_output(0, x.shape, x.dtype)
    s_in, z_in = qparams(ctx, x, "input")
    s_out, z_out = qparams(ctx, ctx.outputs[0], "output")
    return gather_table(
        float_lut8(lambda v: cmath_f32("tanh", v), s_in, z_in, s_out, z_out, x.dtype)
    )


@kernel("TANH", "int16")
def prepare_tanh_int16(ctx):
    return prepare_int16_sigmoid_like(ctx, (0, 1), tanh16)
