"""RSQRT: elementwise 1 / sqrt(x) (TFLite ``elementwise``); 0 gives inf, negatives nan.

int8: for v = q - zp_in > 0, TFLite's fixed-point inverse square root of v (Newton-Raphson in
Q3, ``GetInvSqrtQuantizedMultiplierExp``) rescaled by 1 / (sqrt(s_in) * s_out); v = 0 gives 127.
int16: the 513-entry interpolated LUT of 1 / sqrtf(x). Inputs below the zero point (negative
values) fail at invoke, as in TFLite.
"""

from __future__ import annotations

import numpy as np

from edgelite.errors import InvokeError
from edgelite.interpreter.kernels import _gemmlowp as gl
from edgelite.interpreter.kernels._quantized import (
    F32,
    all_values,
    float_lut16,
    gather_table,
    lut16_run,
    table8,
    unary_params,
)
from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.fixedpoint import (
    INT32_MAX,
    multiply_by_quantized_multiplier,
    quantize_multiplier,
    rounding_divide_by_pot,
)
from edgelite.interpreter.kernels.registry import kernel


def rsqrt(x, out):
    np.sqrt(x, out=out)
    np.reciprocal(out, out=out)


@kernel("RSQRT", "float")
def prepare_rsqrt(ctx):
    return prepare_unary(ctx, rsqrt, quiet=True)


def inv_sqrt_multiplier(v: int) -> tuple:
    """TFLite's ``GetInvSqrtQuantizedMultiplierExp`` (reverse shift -1) for one int v >= 0:
    (Q31 multiplier, shift) with 1 / sqrt(v) ~= multiplier * 2**(shift - 31)."""
    if v <= 1:
        return INT32_MAX, 0
    shift = 11
    while v >= 1 << 29:
        v //= 4
        shift += 1
    pairs = (int(gl.clz32(v)) - 1) // 2 - 1
    shift -= pairs
    v <<= 2 * pairs
    half_input = int(rounding_divide_by_pot(v >> 1, 1))  # Q3 input / 2
    half_three = (1 << 28) + (1 << 27)  # 1.5 in Q3
    x = 1 << 28  # 1.0 in Q3
    for _ in range(5):
        x3 = gl.rescale(gl.mul(gl.mul(x, x), x), 9, 3)
        x = gl.rescale(gl.sub(gl.mul(half_three, x), gl.mul(half_input, x3)), 6, 3)
    x = int(gl.mul(x, 1518500250))  # times sqrt(2) / 2
    if shift < 0:
        x <<= -shift
        shift = 0
    return x, -shift


def _check_nonnegative(ctx, run, zp: int):
    def checked(ins, outs):
        if ins[0].size and int(ins[0].min()) < zp:
            raise InvokeError(f"{ctx.location}: RSQRT is only defined for positive values")
        run(ins, outs)

    return checked


@kernel("RSQRT", "int8", "int16")
def prepare_rsqrt_quantized(ctx):
    x, s_in, z_in, s_out, z_out = unary_params(ctx)
    if x.dtype == np.int16:
        big = F32(32767) * s_out

        def f(v):
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(v <= 0, big, F32(1) / np.sqrt(v))

        return _check_nonnegative(ctx, lut16_run(float_lut16(f, s_in, z_in, s_out, z_out)), z_in)
    m, shift = quantize_multiplier(1.0 / float(F32(np.sqrt(s_in)) * s_out))
    values = []
    for q in all_values(x.dtype):
        v = int(q) - z_in
        if v <= 0:
            values.append(127 if v == 0 else 0)  # negatives never reach the table
            continue
        inv, inv_shift = inv_sqrt_multiplier(v)
        data = multiply_by_quantized_multiplier(1, inv, inv_shift + 20)
        values.append(int(multiply_by_quantized_multiplier(data, m, shift - 20)) + z_out)
    return _check_nonnegative(ctx, gather_table(table8(np.array(values), x.dtype)), z_in)
