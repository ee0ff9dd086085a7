"""FLOOR_DIV: elementwise floor(a / b) with broadcasting (TFLite ``floor_div``).

TFLite divides in double and floors, so float32 1 // 0.1 is 9 (float32 division would round the
quotient up to 10 first). Both float32 and int32 fail on a zero divisor, as LiteRT does.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._binary import guard_divisor, prepare_binary
from edgelite.interpreter.kernels.registry import kernel


def floor_of_double_quotient(a, b, out):
    q = np.true_divide(a, b, out=np.empty(out.shape, np.float64), dtype=np.float64)
    np.floor(q, out=q)
    np.copyto(out, q, casting="same_kind")


@kernel("FLOOR_DIV", "float")
def prepare_floor_div(ctx):
    run = prepare_binary(ctx, floor_of_double_quotient, fused=False, quiet=True)
    return guard_divisor(ctx, run)


@kernel("FLOOR_DIV", "int32")
def prepare_floor_div_int32(ctx):
    return guard_divisor(ctx, prepare_binary(ctx, np.floor_divide, fused=False))
