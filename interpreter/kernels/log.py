"""LOG: elementwise natural log (TFLite ``elementwise``); log(0) is -inf, log(x<0) nan.

Quantized (int8): a LUT of the float32 transform built at prepare, as for EXP; log of values
at or below zero reads the output's minimum, as in LiteRT. (int16 is not supported: LiteRT's
interpolated table near zero is built from NaN entries, which it resolves to values we have not
been able to reproduce.)
"""

import numpy as np

from edgelite.interpreter.kernels._quantized import F32, cmath_f32, prepare_float_lut
from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


@kernel("LOG", "float")
def prepare_log(ctx):
    return prepare_unary(ctx, np.log, quiet=True)


@kernel("LOG", "int8")
def prepare_log_quantized(ctx):
    return prepare_float_lut(ctx, lambda x: cmath_f32("log", np.asarray(x, F32)))
