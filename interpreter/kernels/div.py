"""DIV: elementwise quotient with broadcasting and a fused activation (TFLite ``div``).

float32 follows IEEE (x / 0 is inf or nan). int32 truncates toward zero like C++ ``/``, fails on
a zero divisor, and saturates the one overflowing case (INT32_MIN / -1) as LiteRT does. int8 and
uint8 divide in fixed point (``_qbinary.prepare_div_quantized``).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._binary import guard_divisor, prepare_binary
from edgelite.interpreter.kernels._qbinary import prepare_div_quantized
from edgelite.interpreter.kernels.registry import kernel

_I32 = np.iinfo(np.int32)


def trunc_divide_int32(a, b, out):
    # int32 / int32 in float64 is exact enough that trunc() gives C's quotient: a non-integer
    # quotient is at least 1/|b| >= 2**-31 away from an integer, far above float64's rounding.
    q = np.true_divide(a, b, out=np.empty(out.shape, np.float64), dtype=np.float64)
    np.trunc(q, out=q)
    np.clip(q, _I32.min, _I32.max, out=q)
    np.copyto(out, q, casting="unsafe")


@kernel("DIV", "float")
def prepare_div(ctx):
    return prepare_binary(ctx, np.divide, quiet=True)


@kernel("DIV", "int32")
def prepare_div_int32(ctx):
    return guard_divisor(ctx, prepare_binary(ctx, trunc_divide_int32))


@kernel("DIV", "int8", "uint8")
def prepare_div_8bit(ctx):
    return prepare_div_quantized(ctx)
