"""MUL: elementwise product with broadcasting and a fused activation (TFLite ``mul``).

Integer inputs wrap on overflow as the C++ kernel does; the activation clamps the result.
Quantized int8/uint8/int16 inputs: zp_out + M * (a - zp_a) * (b - zp_b) (see ``_qbinary``).
"""

import numpy as np

from edgelite.interpreter.kernels._binary import prepare_binary
from edgelite.interpreter.kernels._qbinary import prepare_mul_quantized
from edgelite.interpreter.kernels.registry import kernel


@kernel("MUL", "float", "int32", "int64")
def prepare_mul(ctx):
    return prepare_binary(ctx, np.multiply)


@kernel("MUL", "int8", "uint8", "int16")
def prepare_mul_int(ctx):
    return prepare_mul_quantized(ctx)
