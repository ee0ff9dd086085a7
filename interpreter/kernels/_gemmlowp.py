"""gemmlowp-style fixed-point math on int64 numpy arrays holding int32 values.

A Qm value (m integer bits) is a raw int32 r meaning r / 2**(31 - m). TFLite's quantized
SOFTMAX and LOG_SOFTMAX evaluate exp, 1 / (1 + x) and log with these polynomial and
Newton-Raphson approximations; reproducing each rounding step gives bit-identical results.
Plain additions wrap at 32 bits, products are SaturatingRoundingDoublingHighMul, as in C.

Every function also takes plain Python ints: per-row values (a softmax row's sum of exps)
are few, and a Python int step costs ~0.1 us where a numpy call on a tiny array costs ~2 us
(``per_value`` picks the cheaper one).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._quantized import wrap
from edgelite.interpreter.kernels.fixedpoint import (
    INT32_MAX,
    INT32_MIN,
    rounding_divide_by_pot,
)
from edgelite.interpreter.kernels.fixedpoint import (
    saturating_rounding_doubling_high_mul as mul,
)

SCALAR_VALUES = 16  # up to this many values, Python ints beat numpy's per-call cost


def per_value(fn, x, *args):
    """``fn(x, *args)`` on an int64 array, evaluated value by value on Python ints when the
    array is tiny; tuple results come back as a tuple of arrays."""
    x = np.asarray(x, np.int64)
    if not 0 < x.size <= SCALAR_VALUES:
        return fn(x, *args)
    results = [fn(int(v), *args) for v in x.reshape(-1)]
    if isinstance(results[0], tuple):
        return tuple(np.array(r, np.int64).reshape(x.shape) for r in zip(*results))
    return np.array(results, np.int64).reshape(x.shape)


def _ints(x):
    """Python ints as they are, anything else as an int64 array."""
    return x if isinstance(x, int) else np.asarray(x, np.int64)


def _where(cond, a, b):
    return (a if cond else b) if isinstance(cond, bool) else np.where(cond, a, b)


def _clip32(x):
    if isinstance(x, int):
        return min(max(x, INT32_MIN), INT32_MAX)
    return np.clip(x, INT32_MIN, INT32_MAX)


def _minimum(a, b):
    return min(a, b) if isinstance(a, int) and isinstance(b, int) else np.minimum(a, b)


def _maximum(a, b):
    return max(a, b) if isinstance(a, int) and isinstance(b, int) else np.maximum(a, b)


def add(a, b):
    return wrap(_ints(a) + b, 32)


def sub(a, b):
    return wrap(_ints(a) - b, 32)


def shift_left_saturating(x, exponent: int):
    """x * 2**exponent saturated to int32 (exponent >= 0)."""
    x = _ints(x)
    if exponent == 0:
        return x
    return _clip32(x << exponent)


def multiply_by_pot(x, exponent: int):
    """SaturatingRoundingMultiplyByPOT: saturating left shift or rounding right shift."""
    if exponent >= 0:
        return shift_left_saturating(x, exponent)
    return rounding_divide_by_pot(x, -exponent)


def rescale(x, src_bits: int, dst_bits: int):
    """Change a raw value from Q(src_bits) to Q(dst_bits)."""
    return multiply_by_pot(x, src_bits - dst_bits)


def rounding_half_sum(a, b):
    s = _ints(a) + b
    t = s + _where(s >= 0, 1, -1)
    return _where(t >= 0, t // 2, -((-t) // 2))


def clz32(x):
    """Leading zeros of values viewed as uint32 (32 for 0)."""
    if isinstance(x, int):
        return 32 - (x & 0xFFFFFFFF).bit_length()
    x = np.asarray(x, np.int64) & 0xFFFFFFFF
    return 32 - np.frexp(x.astype(np.float64))[1].astype(np.int64)


def _exp_quarter(a):
    """exp(a) for a in [-1/4, 0), Q0 in and out: Taylor series around -1/8."""
    c = 1895147668  # exp(-1/8)
    x = add(a, 1 << 28)
    x2 = mul(x, x)
    x3 = mul(x2, x)
    x4 = mul(x2, x2)
    poly = rounding_divide_by_pot(
        add(mul(add(rounding_divide_by_pot(x4, 2), x3), 715827883), x2), 1
    )
    return add(c, mul(c, add(x, poly)))


_EXP_STEPS = (
    (-2, 1672461947),  # exp(-1/4)
    (-1, 1302514674),  # exp(-1/2)
    (0, 790015084),  # exp(-1)
    (1, 290630308),  # exp(-2)
    (2, 39332535),  # exp(-4)
    (3, 720401),  # exp(-8)
    (4, 242),  # exp(-16)
)


def exp_on_negative_values(a, int_bits: int):
    """exp(a) for a <= 0 given in Q(int_bits); result in Q0."""
    a = _ints(a)
    frac = 31 - int_bits
    quarter = 1 << (frac - 2)
    a_mod = sub(a & (quarter - 1), quarter)
    result = _exp_quarter(rescale(a_mod, int_bits, 0))
    remainder = sub(a_mod, a)
    for exponent, multiplier in _EXP_STEPS:
        if int_bits > exponent:
            bit = (remainder >> (frac + exponent)) & 1
            result = _where(bit != 0, mul(result, multiplier), result)
    if int_bits > 5:
        result = _where(a < -(1 << (36 - int_bits)), 0, result)
    return _where(a == 0, INT32_MAX, result)


def one_over_one_plus_x(a):
    """1 / (1 + a) for a in [0, 1) in Q0, by three Newton-Raphson steps (result Q0)."""
    half_denominator = rounding_half_sum(a, INT32_MAX)
    x = add(1515870810, mul(half_denominator, -1010580540))  # Q2: 48/17 - 32/17 * d
    for _ in range(3):
        one_minus = sub(1 << 29, mul(half_denominator, x))
        x = add(x, rescale(mul(x, one_minus), 4, 2))
    return rescale(x, 1, 0)  # x / 2, reinterpreted from Q2 as Q1


def reciprocal(x, x_int_bits: int):
    """TFLite's ``GetReciprocal``: (Q0 scale, bits over unit) with x ~ 2**bits / scale."""
    if isinstance(x, int):
        return _reciprocal_int(x, x_int_bits)
    x = _ints(x)
    headroom = clz32(x)
    shifted = wrap(((x << headroom) & 0xFFFFFFFF) - (1 << 31), 32)
    return one_over_one_plus_x(shifted), x_int_bits - headroom


def _reciprocal_int(x: int, x_int_bits: int) -> tuple:
    """``reciprocal`` of one Python int, the generic steps written out (a softmax row's sum of
    exps: the helpers' type dispatch cost ~10 us a value)."""
    headroom = 32 - (x & 0xFFFFFFFF).bit_length()
    a = _wrap32_int(((x << headroom) & 0xFFFFFFFF) - (1 << 31))
    s = a + INT32_MAX  # rounding_half_sum(a, INT32_MAX)
    t = s + (1 if s >= 0 else -1)
    half = t // 2 if t >= 0 else -((-t) // 2)
    r = _wrap32_int(1515870810 + _mul_int(half, -1010580540))
    for _ in range(3):
        one_minus = _wrap32_int((1 << 29) - _mul_int(half, r))
        r = _wrap32_int(r + _shift_left_int(_mul_int(r, one_minus), 2))
    return _shift_left_int(r, 1), x_int_bits - headroom


def _mul_int(a: int, b: int) -> int:
    return INT32_MAX if a == b == INT32_MIN else (a * b + (1 << 30)) >> 31


def _wrap32_int(x: int) -> int:
    return ((x + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def _shift_left_int(x: int, exponent: int) -> int:
    return min(max(x << exponent, INT32_MIN), INT32_MAX)


def _shift_left_param(x, exponent):
    """SaturatingRoundingMultiplyByPOTParam with a per-element exponent >= 0."""
    x, e = _ints(x), _ints(exponent)
    threshold = (1 << (31 - e)) - 1
    shifted = _clip32(x << e)
    out = _where(x > threshold, INT32_MAX, _where(x < -threshold, INT32_MIN, shifted))
    return _where(e == 0, x, out)


def log_x_ge_1(x, in_bits: int, out_bits: int):
    """TFLite's ``log_x_for_x_greater_than_or_equal_to_1``: log of a Q(in_bits) value."""
    acc_bits = out_bits + 1
    log_2, sqrt_sqrt_half, sqrt_half = 1488522236, 1805811301, 1518500250
    alpha_n, alpha_d, alpha_i, alpha_f = 117049297, 127690142, 1057819769, 638450708
    shifted_quarter = rescale(536870912, 0, acc_bits)
    z_a = _ints(x)
    z_a_headroom = clz32(z_a)
    r_a_tmp = _shift_left_param(z_a, z_a_headroom - 1)
    r_a = _shift_left_param(mul(r_a_tmp, sqrt_half), 1)
    z_a_pow = _clip32(_shift_left_param(in_bits - z_a_headroom, 31 - acc_bits) + shifted_quarter)
    z_b = mul(z_a, sqrt_half)
    z_b_headroom = clz32(z_b) - 1
    r_b = _shift_left_param(z_a, z_b_headroom)
    z_b_pow = _clip32(_shift_left_param(in_bits - z_b_headroom, 31 - acc_bits) - shifted_quarter)
    r = _minimum(r_a, r_b)
    z_pow = _maximum(z_a_pow, z_b_pow)
    p = rounding_half_sum(r, sqrt_sqrt_half)
    q = sub(r, sqrt_sqrt_half)
    q = add(q, q)
    common_sq = mul(q, q)
    num = add(mul(q, r), mul(mul(q, common_sq), alpha_n))
    denom_minus_one = add(mul(p, add(add(alpha_i, q), mul(alpha_d, common_sq))), mul(alpha_f, q))
    recip = one_over_one_plus_x(denom_minus_one)
    num_scaled = rescale(num, 0, acc_bits)
    total = add(mul(z_pow, log_2), mul(num_scaled, recip))
    return rescale(total, acc_bits, out_bits)
