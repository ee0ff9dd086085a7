"""Quantized SOFTMAX and LOG_SOFTMAX as TFLite's reference kernels compute them.

8-bit SOFTMAX (``reference_ops::Softmax``): x - row max is scaled by beta * input_scale into
Q5.26 (differences below ``diff_min`` count as exp = 0), exponentiated in fixed point, summed in
Q12.19, inverted with ``GetReciprocal`` and the products rounded into the output type (int8 /
uint8 / int16 with offset min(type)). int16 SOFTMAX (``SoftmaxInt16``): exp and 1 / (1 + x) come
from 513-entry interpolated LUTs built in double over [-10, 0] and [0, 1]. 8-bit LOG_SOFTMAX
(``reference_integer_ops::LogSoftmax`` for int8, the legacy ``reference_ops::LogSoftmax`` for
uint8, identical arithmetic): the same Q5.26 differences minus the fixed-point log of the sum
of exps, into scale 16/256 and zero point max(type) (127 int8, 255 uint8).
"""

from __future__ import annotations

import math

import numpy as np

from edgelite.interpreter.kernels import _gemmlowp as gl
from edgelite.interpreter.kernels._quantized import (
    F32,
    cmath_f32,
    cmath_f64,
    float_lut16,
    lookup16,
    qrange,
    round_away,
    wrap,
)
from edgelite.interpreter.kernels.fixedpoint import (
    multiply_by_quantized_multiplier as mbqm,
)
from edgelite.interpreter.kernels.fixedpoint import (
    quantize_multiplier,
    rounding_divide_by_pot,
)

_DIFF_BITS = 5  # Q5.26 scaled differences
_ACC_BITS = 12  # Q12.19 sum of exps


def softmax_scaling(beta: float, input_scale) -> tuple:
    """``PreprocessSoftmaxScaling`` with 5 integer bits: (multiplier, left shift, diff_min).

    Raises ValueError when beta * input_scale * 2**26 <= 1 (TFLite's reference aborts)."""
    real = min(float(beta) * float(input_scale) * (1 << (31 - _DIFF_BITS)), (1 << 31) - 1.0)
    if real <= 1.0:
        raise ValueError(f"beta * input scale {real / (1 << 26)} is too small")
    m, shift = quantize_multiplier(real)
    radius = math.floor(((1 << _DIFF_BITS) - 1) * (1 << (31 - _DIFF_BITS)) / (1 << shift))
    return m, shift, -radius


def _row_diffs(x):
    """max(row) - x per element (>= 0), as an index into the per-difference tables."""
    x = np.asarray(x, np.int64)
    return x.max(axis=-1, keepdims=True) - x


def _exp_table(m: int, shift: int, diff_min: int, span: int):
    """(scaled Q5.26 difference, its exp in Q0 or 0 when below diff_min) for diff = -d."""
    d = -np.arange(span, dtype=np.int64)
    scaled = mbqm(d, m, shift)
    exps = np.where(d >= diff_min, gl.exp_on_negative_values(scaled, _DIFF_BITS), 0)
    return scaled, exps


SHORT_ROW = 64  # a single row up to this long is computed on Python ints (measured)


def make_softmax8(m: int, shift: int, diff_min: int, out_dtype):
    """Row-wise 8-bit softmax over the last axis -> int64 values of ``out_dtype`` (or, for
    one row of up to ``SHORT_ROW`` values, a list of Python ints).

    Every element's exp depends only on its difference to the row maximum (0..255), so the
    fixed-point exp is tabulated once. A classifier's head (one short row) runs on Python
    ints: a dozen numpy calls on ten values cost ~20 us, the same steps in Python ~5 us.
    """
    _, exps_tab = _exp_table(m, shift, diff_min, 256)
    acc_tab = gl.rescale(exps_tab, 0, _ACC_BITS)
    lo, hi = qrange(out_dtype)
    out_bits = 8 * np.dtype(out_dtype).itemsize
    exps_list, acc_list = exps_tab.tolist(), acc_tab.tolist()

    def short_row(x):
        v = x.reshape(-1).tolist()
        top = max(v)
        exps = [exps_list[top - a] for a in v]
        total = sum(acc_list[top - a] for a in v)
        scale, bits_over_unit = gl.reciprocal(wrap(total, 32), _ACC_BITS)
        exponent = bits_over_unit + 31 - out_bits
        half = (1 << exponent) >> 1
        ys = [((((scale * e + (1 << 30)) >> 31) + half) >> exponent) + lo for e in exps]
        return [y if y < hi else hi for y in ys]  # y >= lo: both factors are >= 0

    def fn(x):
        if x.size <= SHORT_ROW and x.size == x.shape[-1]:
            return short_row(x)
        idx = _row_diffs(x)
        exps = exps_tab[idx]
        total = acc_tab[idx].sum(axis=-1, keepdims=True)
        if total.size == 1:  # one row (a classifier's head): its reciprocal on Python ints
            scale, bits_over_unit = gl.reciprocal(wrap(int(total.flat[0]), 32), _ACC_BITS)
        else:
            scale, bits_over_unit = gl.per_value(gl.reciprocal, wrap(total, 32), _ACC_BITS)
        exponent = bits_over_unit + 31 - out_bits
        y = (scale * exps + (1 << 30)) >> 31  # both factors >= 0: the rounding high multiply
        y = (y + ((np.int64(1) << exponent) >> 1)) >> exponent  # y >= 0: rounding shift
        return np.clip(y + lo, lo, hi)  # below diff_min the exp is 0, giving lo

    return fn


def make_softmax8_float(input_scale, beta: float, out_scale, out_zp: int, out_dtype):
    """LiteRT's optimized 8-bit softmax (float32 LUT of exp), used only where the reference
    kernel's scaling is impossible (beta * input_scale * 2**26 <= 1: the reference aborts).

    exp(-beta * s * d) is tabulated for the 256 row differences d, summed in order in float32
    and each entry scaled by 1 / (sum * output scale), then rounded half away from zero.
    """
    scale = -F32(input_scale) * F32(beta)
    table = cmath_f32("exp", scale * np.arange(256, dtype=F32))
    lo, hi = qrange(out_dtype)

    def fn(x):
        e = table[_row_diffs(x)]
        total = np.cumsum(e, axis=-1, dtype=F32)[..., -1:]  # sequential, as the C loop
        p = e * (F32(1) / (total * F32(out_scale)))
        q = np.trunc(p + F32(0.5)) if lo == 0 else round_away(p)  # uint8 adds 0.5, truncates
        return np.clip(q.astype(np.int64) + out_zp, lo, hi)

    return fn


class Softmax16Tables:
    """The exp and 1 / (1 + x) LUTs of int16 SOFTMAX (double precision, as TFLite builds them)."""

    _cache = None

    @classmethod
    def get(cls):
        if cls._cache is None:
            r = 65535.0
            exp_lut = float_lut16(
                lambda v: cmath_f64("exp", v), 10.0 / r, 32767, 2.0 / r, 0, np.float64
            )
            inv_lut = float_lut16(
                lambda v: 1.0 / (1.0 + v), 1.0 / r, -32768, 2.0 / r, 0, np.float64
            )
            cls._cache = (exp_lut, inv_lut)
        return cls._cache


def make_softmax16(m: int, shift: int):
    """Row-wise int16 softmax (output scale 2**-15) -> int64 values; exp tabulated over all
    65536 differences to the row maximum."""
    exp_lut, inv_lut = Softmax16Tables.get()
    d = -np.arange(65536, dtype=np.int64)
    exps_tab = lookup16(np.clip(mbqm(d, m, shift) + 32767, -32768, 32767), exp_lut)

    def fn(x):
        exps = exps_tab[_row_diffs(x)]
        total = np.sum(exps, axis=-1, keepdims=True)
        headroom = gl.clz32(total)
        shifted_sum = ((total << (headroom - 1)) + (1 << 13)) >> 14
        sym_sum = np.clip(shifted_sum - (1 << 15) - (1 << 16), -32768, 32767)
        recip = lookup16(sym_sum, inv_lut)
        right = 31 - headroom
        y = (exps * recip + (np.int64(1) << (right - 1))) >> right
        return np.clip(wrap(y, 32), 0, 32767)

    return fn


def softmax16_scaling(beta: float, input_scale) -> tuple:
    """Multiplier taking int16 differences to the exp LUT's [-65535, 0] <-> [-10, 0] scale."""
    return quantize_multiplier(float(F32(input_scale) * F32(beta)) / (10.0 / 65535.0))


def log_softmax_scaling(input_scale) -> tuple:
    """(multiplier, shift, reverse multiplier, reverse right shift, diff_min), beta = 1."""
    m, shift, diff_min = softmax_scaling(1.0, input_scale)
    rm, rshift = quantize_multiplier((1 << (31 - shift)) / float(m))
    return m, shift, rm, -rshift, diff_min


def make_log_softmax8(m, shift, rm, rshift, diff_min, out_dtype=np.int8):
    """Row-wise 8-bit log-softmax (scale 16/256, zero point max(type)) -> int64 values.

    int8 and uint8 differ only in the output range: zero point 127 or 255, and min(type) for
    the entries at or below the row's cutoff.
    """
    lo, hi = qrange(out_dtype)
    scaled_tab, exps_tab = _exp_table(m, shift, diff_min, 256)
    acc_tab = gl.rescale(exps_tab, 0, _ACC_BITS)

    def fn(x):
        idx = _row_diffs(x)
        total = wrap(acc_tab[idx].sum(axis=-1, keepdims=True), 32)
        log_sum = gl.per_value(gl.log_x_ge_1, total, _ACC_BITS, _DIFF_BITS)
        bound = mbqm(wrap(log_sum - (1 << 31), 32), rm, -rshift)
        adjusted_min = np.maximum(diff_min - 1, bound)
        y = rounding_divide_by_pot(wrap(scaled_tab[idx] - log_sum, 32), 31 - _DIFF_BITS - 4) + hi
        return np.where(-idx > adjusted_min, np.clip(y, lo, hi), lo)

    return fn
