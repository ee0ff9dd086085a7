"""Quantized broadcasting binary ops (ADD, SUB, MUL, SQUARED_DIFFERENCE) as TFLite computes them.

Each op is an exact integer formula ``f(a, b)`` on int64 arrays (values of the int32 C code);
for 8-bit inputs it is tabulated over all 65536 input pairs at prepare, so ``run`` is a gather,
and for int16 it is evaluated on the inputs.

ADD/SUB (``AddElementwise``/``SubElementwise``): each input, offset by its zero point, is shifted
left by 20 bits (15 for int16), scaled by scale_i / (2 * max scale), combined, and the result
rescaled by 2 * max scale / (2**shift * output scale): three MultiplyByQuantizedMultiplier
steps. int16 ADD/SUB with ``pot_scale_int16`` and power-of-two scales instead shift one input by
the scale ratio with a rounding right shift and add/subtract saturating (``Sub16``/POT Add).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels import _gemmlowp as gl
from edgelite.interpreter.kernels._binary import broadcast_inputs, fused_clamp, guard_second_input
from edgelite.interpreter.kernels._quantized import (
    F32,
    activation_range,
    all_values,
    binary_table,
    lookup8_binary,
    qparams,
    round_away,
    wrap,
)
from edgelite.interpreter.kernels._unary import expect_inputs
from edgelite.interpreter.kernels.fixedpoint import (
    multiply_by_quantized_multiplier as mbqm,
)
from edgelite.interpreter.kernels.fixedpoint import (
    quantize_multiplier,
    rounding_divide_by_pot,
    saturating_rounding_doubling_high_mul,
)

QUANTIZED = (np.int8, np.uint8, np.int16)


class BinaryQuant:
    """Checked inputs and quantization parameters of a quantized binary op."""

    def __init__(self, ctx):
        a, b = expect_inputs(ctx, 2)
        if a.dtype != b.dtype:
            raise ctx.error(f"inputs have different dtypes {a.dtype} and {b.dtype}")
        self.dtype = np.dtype(a.dtype)
        if np.dtype(ctx.outputs[0].dtype) != self.dtype:
            raise ctx.error(f"{a.dtype} inputs with a {ctx.outputs[0].dtype} output")
        ctx.set_output(0, broadcast_inputs(ctx, (a, b)))
        y = ctx.outputs[0]
        self.s1, self.z1 = qparams(ctx, a, "input")
        self.s2, self.z2 = qparams(ctx, b, "input")
        self.so, self.zo = qparams(ctx, y, "output")
        if self.dtype == np.int16 and (self.z1 or self.z2 or self.zo):
            raise ctx.error("int16 inputs and output need zero points of 0")


def finish(ctx, dtype, fn):
    """``run`` for exact ``fn(a, b) -> int64 already clamped``: a table for 8-bit types."""
    if np.dtype(dtype).itemsize == 1:
        return lookup8_binary(binary_table(fn, dtype))

    def run(ins, outs):
        np.copyto(outs[0], fn(ins[0].astype(np.int64), ins[1].astype(np.int64)), casting="unsafe")

    return run


def _checked_log2(x) -> tuple:
    """TFLite's ``CheckedLog2``: (is a power of two within 1e-3 in log2, rounded log2)."""
    lg = F32(np.log(F32(x))) * F32(1.0 / np.log(F32(2.0)))
    r = round_away(lg)
    return bool(abs(lg - r) < F32(1e-3)), int(r)


def pot_shifts(ctx, q: BinaryQuant):
    """Input shifts of the int16 power-of-two path, or None when a scale is not a power of 2."""
    logs = [_checked_log2(s) for s in (q.s1, q.s2, q.so)]
    if not all(ok for ok, _ in logs):
        return None
    sh1, sh2 = logs[0][1] - logs[2][1], logs[1][1] - logs[2][1]
    if not (sh1 == 0 or sh2 == 0) or sh1 > 0 or sh2 > 0:
        raise ctx.error("int16 power-of-two ADD/SUB needs one input scaled like the output")
    return sh1, sh2


def add_sub_parts(ctx, q: BinaryQuant, sign: int):
    """The general quantized ADD (sign=1) / SUB (sign=-1): (scale input 1, scale input 2,
    combine) as exact integer functions; the result is combine(scale1(a), scale2(b))."""
    act = fused_clamp(ctx)
    lo, hi = activation_range(ctx, act, q.so, q.zo, q.dtype)
    left = 15 if q.dtype == np.int16 else 20
    twice_max = np.float64(F32(2) * max(q.s1, q.s2))
    m1, e1 = quantize_multiplier(float(q.s1) / twice_max)
    m2, e2 = quantize_multiplier(float(q.s2) / twice_max)
    mo, eo = quantize_multiplier(twice_max / float(F32(1 << left) * q.so))

    def scale1(a):
        return mbqm((a - q.z1) << left, m1, e1)

    def scale2(b):
        return sign * mbqm((b - q.z2) << left, m2, e2)

    def combine(x, y):
        return np.clip(mbqm(wrap(x + y, 32), mo, eo) + q.zo, lo, hi)

    return scale1, scale2, combine


def _finish_add_sub(dtype, parts):
    scale1, scale2, combine = parts
    if np.dtype(dtype).itemsize == 1:
        return finish(None, dtype, lambda a, b: combine(scale1(a), scale2(b)))
    v = all_values(dtype)  # int16: each input's scaled value from a 65536-entry table
    t1, t2 = scale1(v), scale2(v)

    def run(ins, outs):
        x = np.take(t1, ins[0].view(np.uint16))
        y = np.take(t2, ins[1].view(np.uint16))
        np.copyto(outs[0], combine(x, y), casting="unsafe")

    return run


def add_sub_pot_fn(ctx, q: BinaryQuant, sign: int, shifts):
    """int16 ADD/SUB on power-of-two scales: one input rounding-shifted right, then combined."""
    lo, hi = activation_range(ctx, fused_clamp(ctx), q.so, q.zo, q.dtype)
    r1, r2 = -shifts[0], -shifts[1]

    def fn(a, b):
        x = rounding_divide_by_pot(a, r1) if r1 else a
        y = rounding_divide_by_pot(b, r2) if r2 else b
        return np.clip(x + sign * y, lo, hi)

    return fn


def prepare_add_sub(ctx, sign: int):
    q = BinaryQuant(ctx)
    fn = None
    if q.dtype == np.int16 and ctx.opt("pot_scale_int16", False):
        shifts = pot_shifts(ctx, q)
        if shifts is not None:
            fn = add_sub_pot_fn(ctx, q, sign, shifts)
    if fn is not None:
        return finish(ctx, q.dtype, fn)
    return _finish_add_sub(q.dtype, add_sub_parts(ctx, q, sign))


def prepare_mul_quantized(ctx):
    """``MulElementwise``: zp_out + M * (a - zp_a) * (b - zp_b), M = s_a * s_b / s_out (float32)."""
    q = BinaryQuant(ctx)
    lo, hi = activation_range(ctx, fused_clamp(ctx), q.so, q.zo, q.dtype)
    m, e = quantize_multiplier(float(q.s1 * q.s2 / q.so))

    def fn(a, b):
        return np.clip(mbqm(wrap((a - q.z1) * (b - q.z2), 32), m, e) + q.zo, lo, hi)

    return finish(ctx, q.dtype, fn)


def prepare_squared_difference_quantized(ctx):
    """int8 SQUARED_DIFFERENCE: inputs aligned like ADD with a 7-bit shift, difference squared,
    rescaled by (2 * max scale)**2 / (2**14 * output scale); no activation."""
    q = BinaryQuant(ctx)
    if q.dtype != np.int8:
        raise ctx.error(f"quantized SQUARED_DIFFERENCE supports int8, not {q.dtype}")
    twice_max = np.float64(F32(2) * max(q.s1, q.s2))
    m1, e1 = quantize_multiplier(float(q.s1) / twice_max)
    m2, e2 = quantize_multiplier(float(q.s2) / twice_max)
    mo, eo = quantize_multiplier(twice_max * twice_max / float(F32(1 << 14) * q.so))

    def fn(a, b):
        d = mbqm((a - q.z1) << 7, m1, e1) - mbqm((b - q.z2) << 7, m2, e2)
        return np.clip(mbqm(wrap(d * d, 32), mo, eo) + q.zo, -128, 127)

    return finish(ctx, q.dtype, fn)


def _count_leading_sign_bits(x):
    """TFLite's ``CountLeadingSignBits`` of int32 values (31 for 0)."""
    x = np.asarray(x, np.int64)
    neg = np.where(x == -(1 << 31), 0, gl.clz32(2 * np.abs(x) - 1))
    return np.where(x >= 0, gl.clz32(x) - 1, neg)


def _rounding_divide_by_pot_wide(x, exponent):
    """gemmlowp's ``RoundingDivideByPOT`` on int32 as LiteRT (x86) runs it, exponents past 31
    included (tiny quotients reach them): the mask is built in 64 bits and narrowed to int32
    (all ones), the shift takes its count modulo 32. The results there are meaningless, but
    they are LiteRT's."""
    x = np.asarray(x, np.int64)
    e = np.asarray(exponent, np.int64)
    mask = ((np.int64(1) << np.minimum(e, 63)) - 1 + (1 << 31)) % (1 << 32) - (1 << 31)
    threshold = (mask >> 1) + (x < 0)
    return (x >> (e & 31)) + ((x & mask) > threshold)


def prepare_div_quantized(ctx):
    """8-bit DIV (``reference_ops::Div``): the divisor (minus its zero point, made positive with
    the dividend's sign flipped) inverted with ``GetReciprocal``, the dividend shifted up by its
    headroom, multiplied, then rescaled by s1 / (s2 * s_out) (in float32) with
    ``MultiplyByQuantizedMultiplierSmallerThanOneExp``. A divisor at its zero point fails the
    invoke, as in LiteRT."""
    q = BinaryQuant(ctx)
    if q.dtype not in (np.int8, np.uint8):
        raise ctx.error(f"quantized DIV supports int8 and uint8, not {q.dtype}")
    lo, hi = activation_range(ctx, fused_clamp(ctx), q.so, q.zo, q.dtype)
    m, e = quantize_multiplier(float(q.s1 / (q.s2 * q.so)))

    def fn(a, b):
        num, den = a - q.z1, b - q.z2
        num = np.where(den < 0, -num, num)
        den = np.abs(den)
        safe = np.where(den == 0, 1, den)  # the zero divisor's entries are never read
        inv, recip_shift = gl.reciprocal(safe, 31)
        headroom = _count_leading_sign_bits(num)
        quotient = saturating_rounding_doubling_high_mul(num << headroom, inv)
        total = e - recip_shift - headroom
        high = saturating_rounding_doubling_high_mul(quotient, m)
        y = _rounding_divide_by_pot_wide(high, np.maximum(-total, 0))
        return np.clip(y + q.zo, lo, hi)

    run = finish(ctx, q.dtype, fn)
    return guard_second_input(ctx, run, lambda b: np.any(b == q.z2), "division by zero")
