"""SQUARED_DIFFERENCE: elementwise (a - b)**2 with broadcasting (TFLite ``squared_difference``).

int32 wraps on overflow as the C++ kernel does; int8 is quantized (see ``_qbinary``).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._binary import prepare_binary
from edgelite.interpreter.kernels._qbinary import prepare_squared_difference_quantized
from edgelite.interpreter.kernels.registry import kernel


def squared_difference(a, b, out):
    np.subtract(a, b, out=out)
    np.square(out, out=out)


@kernel("SQUARED_DIFFERENCE", "float", "int32")
def prepare_squared_difference(ctx):
    return prepare_binary(ctx, squared_difference, fused=False)


@kernel("SQUARED_DIFFERENCE", "int8")
def prepare_squared_difference_int8(ctx):
    return prepare_squared_difference_quantized(ctx)
