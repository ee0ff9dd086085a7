"""gemmlowp-style fixed-point math on int64 numpy arrays holding int32 values.

A Qm value (m integer bits) is a raw int32 r meaning r / 2**(31 - m). TFLite's quantized
SOFTMAX and LOG_SOFTMAX evaluate exp, 1 / (1 + x) and log with these polynomial and
Newton-Raphson approximations; reproducing each rounding step gives bit-identical results.
Plain additions wrap at 32 bits, products are SaturatingRoundingDoublingHighMul, as in C.
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


def add(a, b):
    return wrap(np.asarray(a, np.int64) + b, 32)


def sub(a, b):
    return wrap(np.asarray(a, np.int64) - b, 32)


def shift_left_saturating(x, exponent: int):
    """x * 2**exponent saturated to int32 (exponent >= 0)."""
    x = np.asarray(x, np.int64)
    if exponent == 0:
        return x
    return np.clip(x << exponent, INT32_MIN, INT32_MAX)


def multiply_by_pot(x, exponent: int):
    """SaturatingRoundingMultiplyByPOT: saturating left shift or rounding right shift."""
    if exponent >= 0:
        return shift_left_saturating(x, exponent)
    return rounding_divide_by_pot(x, -exponent)


def rescale(x, src_bits: int, dst_bits: int):
    """Change a raw value from Q(src_bits) to Q(dst_bits)."""
    return multiply_by_pot(x, src_bits - dst_bits)


def rounding_half_sum(a, b):
    s = np.asarray(a, np.int64) + b
    t = s + np.where(s >= 0, 1, -1)
    return np.where(t >= 0, t // 2, -((-t) // 2))


def clz32(x):
    """Leading zeros of values viewed as uint32 (32 for 0)."""
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
    a = np.asarray(a, np.int64)
    frac = 31 - int_bits
    quarter = 1 << (frac - 2)
    a_mod = sub(a & (quarter - 1), quarter)
    result = _exp_quarter(rescale(a_mod, int_bits, 0))
    remainder = sub(a_mod, a)
    for exponent, multiplier in _EXP_STEPS:
        if int_bits > exponent:
            bit = (remainder >> (frac + exponent)) & 1
            result = np.where(bit != 0, mul(result, multiplier), result)
    if int_bits > 5:
        result = np.where(a < -(1 << (36 - int_bits)), 0, result)
    return np.where(a == 0, INT32_MAX, result)


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
    x = np.asarray(x, np.int64)
    headroom = clz32(x)
    shifted = wrap(((x << headroom) & 0xFFFFFFFF) - (1 << 31), 32)
    return one_over_one_plus_x(shifted), x_int_bits - headroom


def _shift_left_param(x, exponent):
    """SaturatingRoundingMultiplyByPOTParam with a per-element exponent >= 0."""
    x = np.asarray(x, np.int64)
    e = np.asarray(exponent, np.int64)
    threshold = (np.int64(1) << (31 - e)) - 1
    shifted = np.clip(x << e, INT32_MIN, INT32_MAX)
    out = np.where(x > threshold, INT32_MAX, np.where(x < -threshold, INT32_MIN, shifted))
    return np.where(e == 0, x, out)


def log_x_ge_1(x, in_bits: int, out_bits: int):
    """TFLite's ``log_x_for_x_greater_than_or_equal_to_1``: log of a Q(in_bits) value."""
    acc_bits = out_bits + 1
    log_2, sqrt_sqrt_half, sqrt_half = 1488522236, 1805811301, 1518500250
    alpha_n, alpha_d, alpha_i, alpha_f = 117049297, 127690142, 1057819769, 638450708
    shifted_quarter = rescale(536870912, 0, acc_bits)
    z_a = np.asarray(x, np.int64)
    z_a_headroom = clz32(z_a)
    r_a_tmp = _shift_left_param(z_a, z_a_headroom - 1)
    r_a = _shift_left_param(mul(r_a_tmp, sqrt_half), 1)
    z_a_pow = np.clip(
        _shift_left_param(in_bits - z_a_headroom, 31 - acc_bits) + shifted_quarter,
        INT32_MIN,
        INT32_MAX,
    )
    z_b = mul(z_a, sqrt_half)
    z_b_headroom = clz32(z_b) - 1
    r_b = _shift_left_param(z_a, z_b_headroom)
    z_b_pow = np.clip(
        _shift_left_param(in_bits - z_b_headroom, 31 - acc_bits) - shifted_quarter,
        INT32_MIN,
        INT32_MAX,
    )
    r = np.minimum(r_a, r_b)
    z_pow = np.maximum(z_a_pow, z_b_pow)
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
