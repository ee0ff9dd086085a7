"""EXP: elementwise e**x (TFLite ``exp``); overflow gives inf.

Quantized (int8, int16): TFLite tabulates the float32 transform at prepare (``LUTPopulate``):
256 entries for int8, the 513-entry interpolated table for int16.
"""

import numpy as np

from edgelite.interpreter.kernels._quantized import (
    F32,
    cmath_f32,
    float_lut8,
    float_lut16,
    gather_table,
    lut16_run,
    unary_params,
)
from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


@kernel("EXP", "float")
def prepare_exp(ctx):
    return prepare_unary(ctx, np.exp, quiet=True)


def exp_f32(x):
    return cmath_f32("exp", np.asarray(x, F32))


@kernel("EXP", "int8", "int16")
def prepare_exp_quantized(ctx):
    return quantized_lut(ctx, exp_f32)


def quantized_lut(ctx, fn):
    """The LUT kernel of a float transform ``fn`` on int8 (256 entries) or int16 input."""
    x, s_in, z_in, s_out, z_out = unary_params(ctx, zero_int16=False)
    with np.errstate(all="ignore"):
        if x.dtype == np.int16:
            return lut16_run(float_lut16(fn, s_in, z_in, s_out, z_out))
        return gather_table(float_lut8(fn, s_in, z_in, s_out, z_out, x.dtype))
