"""POW: elementwise a ** b with broadcasting (TFLite ``pow``).

float32 follows C ``pow`` (negative base with a fractional exponent is nan). int32 also goes
through double ``pow`` in TFLite, then converts to int32: results beyond int32 become INT32_MIN
(the x86 conversion LiteRT runs on), and negative exponents fail.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._binary import guard_second_input, prepare_binary
from edgelite.interpreter.kernels.registry import kernel

_I32 = np.iinfo(np.int32)


def power_int32(a, b, out):
    r = np.power(a, b, out=np.empty(out.shape, np.float64), dtype=np.float64)
    overflow = (r > _I32.max) | (r < _I32.min)
    np.clip(r, _I32.min, _I32.max, out=r)
    np.copyto(out, r, casting="unsafe")
    np.copyto(out, _I32.min, where=overflow)


def _has_negative(b) -> bool:
    return bool(np.any(b < 0))


@kernel("POW", "float")
def prepare_pow(ctx):
    return prepare_binary(ctx, np.power, fused=False, quiet=True)


@kernel("POW", "int32")
def prepare_pow_int32(ctx):
    run = prepare_binary(ctx, power_int32, fused=False)
    return guard_second_input(ctx, run, _has_negative, "int32 POW has a negative exponent")
