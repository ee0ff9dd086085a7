"""ABS: elementwise absolute value (TFLite ``elementwise``); int32 abs(INT32_MIN) wraps.

Quantized (int8, int16; ``AbsEval``): |x - input zero point|, rescaled by input scale / output
scale with ``MultiplyByQuantizedMultiplier`` when the two differ, plus the output zero point,
clamped; tabulated over every input value at prepare.
"""

import numpy as np

from edgelite.interpreter.kernels._quantized import (
    all_values,
    gather_table,
    table8,
    unary_params,
)
from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.fixedpoint import (
    multiply_by_quantized_multiplier,
    quantize_multiplier,
)
from edgelite.interpreter.kernels.registry import kernel


@kernel("ABS", "float", "int32")
def prepare_abs(ctx):
    return prepare_unary(ctx, np.abs)


@kernel("ABS", "int8", "int16")
def prepare_abs_quantized(ctx):
    x, s_in, z_in, s_out, z_out = unary_params(ctx, zero_int16=False)
    value = np.abs(all_values(x.dtype) - z_in)
    if s_in != s_out:  # TFLite compares the float32 scales and divides them in float32
        m, shift = quantize_multiplier(float(np.float32(s_in) / np.float32(s_out)))
        value = multiply_by_quantized_multiplier(value, m, shift)
    return gather_table(table8(value + z_out, x.dtype))
