"""EXP: elementwise e**x (TFLite ``exp``); overflow gives inf.

Quantized (int8, int16): TFLite tabulates the float32 transform at prepare (``LUTPopulate``):
256 entries for int8, the 513-entry interpolated table for int16.
"""

import numpy as np

from edgelite.interpreter.kernels._quantized import F32, cmath_f32, prepare_float_lut
from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


@kernel("EXP", "float")
def prepare_exp(ctx):
    return prepare_unary(ctx, np.exp, quiet=True)


def exp_f32(x):
    return cmath_f32("exp", np.asarray(x, F32))


@kernel("EXP", "int8", "int16")
def prepare_exp_quantized(ctx):
    return prepare_float_lut(ctx, exp_f32)
