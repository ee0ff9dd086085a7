"""SUB: elementwise difference with broadcasting and a fused activation (TFLite ``sub``).

Integer inputs wrap on overflow as the C++ kernel does; the activation clamps the result.
Quantized int8/uint8/int16 inputs follow TFLite's rescaling arithmetic (see ``_qbinary``).
"""

import numpy as np

from edgelite.interpreter.kernels._binary import prepare_binary
from edgelite.interpreter.kernels._qbinary import prepare_add_sub
from edgelite.interpreter.kernels.registry import kernel


@kernel("SUB", "float", "int32", "int64")
def prepare_sub(ctx):
    return prepare_binary(ctx, np.subtract)


@kernel("SUB", "int8", "uint8", "int16")
def prepare_sub_quantized(ctx):
    return prepare_add_sub(ctx, -1)
