"""FLOOR_MOD: elementwise remainder with the divisor's sign (TFLite ``floor_mod``).

TFLite takes the truncated remainder (C ``%`` / ``fmod``) and adds the divisor when the two signs
differ, so a zero result keeps the dividend's sign (-4.0 mod 2.0 is -0.0). Integers fail on a
zero divisor; float32 gives nan there.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._binary import guard_divisor, prepare_binary
from edgelite.interpreter.kernels.registry import kernel


def floor_mod(a, b, out):
    np.fmod(a, b, out=out)
    fix = (out != 0) & ((out < 0) != (np.asarray(b) < 0))
    np.add(out, b, out=out, where=fix)


@kernel("FLOOR_MOD", "float")
def prepare_floor_mod(ctx):
    return prepare_binary(ctx, floor_mod, fused=False, quiet=True)


@kernel("FLOOR_MOD", "int32", "int64")
def prepare_floor_mod_int(ctx):
    return guard_divisor(ctx, prepare_binary(ctx, floor_mod, fused=False))
