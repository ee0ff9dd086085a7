"""TFLite's fixed-point requantization, vectorized over numpy int64 arrays.

Integer kernels rescale their int32 accumulators with a real multiplier M expressed as a Q31
integer ``multiplier`` and a power-of-two ``shift`` (``quantize_multiplier``). Applying it
(``multiply_by_quantized_multiplier``) follows the reference kernels' double rounding: a
saturating rounding doubling high multiply (round half up, except that a negative exact half
goes toward zero), then a rounding divide by a power of two (round half away from zero). The
results equal TFLite's bit for bit; the functions accept scalars or arrays, and per-channel
multipliers/shifts broadcast against the values.
"""

from __future__ import annotations

import math

import numpy as np

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1


def quantize_multiplier(real: float) -> tuple:
    """(Q31 multiplier, shift) with real = multiplier * 2**(shift - 31), as TFLite computes it.

    ``frexp`` gives a mantissa in [0.5, 1); it is rounded half away from zero to 31 bits. A
    mantissa that rounds up to 2**31 is halved with the exponent raised; shifts below -31
    underflow to zero, and shifts above 30 saturate.
    """
    if real == 0.0:
        return 0, 0
    mantissa, shift = math.frexp(real)
    q = int(math.floor(abs(mantissa) * (1 << 31) + 0.5)) * (1 if mantissa >= 0 else -1)
    if q == (1 << 31):
        q //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    if shift > 30:
        return INT32_MAX, 30
    return q, shift


def quantize_multipliers(reals) -> tuple:
    """Per-channel ``quantize_multiplier``: arrays (int64 multipliers, int64 shifts)."""
    pairs = [quantize_multiplier(float(r)) for r in np.asarray(reals, np.float64).reshape(-1)]
    return (np.array([p[0] for p in pairs], np.int64), np.array([p[1] for p in pairs], np.int64))


def saturating_rounding_doubling_high_mul(a, b):
    """High 32 bits of 2*a*b, rounded; INT32_MIN * INT32_MIN saturates to INT32_MAX."""
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    ab = a * b
    nudge = np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    total = ab + nudge
    # C++ integer division truncates toward zero; >> floors, so correct negative values
    q = np.where(total >= 0, total >> 31, -((-total) >> 31))
    overflow = (a == INT32_MIN) & (b == INT32_MIN)
    return np.where(overflow, INT32_MAX, q)


def rounding_divide_by_pot(x, exponent):
    """x / 2**exponent rounded half away from zero (exponent >= 0, may be an array)."""
    x = np.asarray(x, np.int64)
    e = np.asarray(exponent, np.int64)
    mask = (np.int64(1) << e) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> e) + (remainder > threshold)


def multiply_by_quantized_multiplier(x, multiplier, shift):
    """TFLite's MultiplyByQuantizedMultiplier for int32 values (double rounding).

    ``x`` is widened to int64; the left shift is applied first and, as in the reference code,
    wraps to int32 if it overflows.
    """
    x = np.asarray(x, np.int64)
    shift = np.asarray(shift, np.int64)
    left = np.maximum(shift, 0)
    right = np.maximum(-shift, 0)
    shifted = _wrap32(x << left)
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, multiplier), right)


def multiply_by_quantized_multiplier_64(x, multiplier, shift):
    """TFLite's 64-bit-input variant (int16x8 kernels): a 16-bit reduced multiplier, one
    rounding shift."""
    x = np.asarray(x, np.int64)
    m = np.asarray(multiplier, np.int64)
    reduced = np.where(m < 0x7FFF0000, (m + (1 << 15)) >> 16, 0x7FFF)
    total = 15 - np.asarray(shift, np.int64)
    return _wrap32((x * reduced + (np.int64(1) << (total - 1))) >> total)


def _wrap32(x):
    """Two's-complement wrap of int64 values into the int32 range (kept as int64)."""
    return ((x + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def requantize(acc, multiplier, shift, zero_point, qmin, qmax, out=None):
    """zero_point + M * acc, clamped to [qmin, qmax]: the tail of every integer kernel."""
    y = multiply_by_quantized_multiplier(acc, multiplier, shift) + zero_point
    np.clip(y, qmin, qmax, out=y)
    if out is None:
        return y
    np.copyto(out, y, casting="unsafe")
    return out
