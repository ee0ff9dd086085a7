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

from edgelite.interpreter.scratch import Scratch

_EXACT = 1 << 53  # float64 holds every integer below this exactly
CHUNK_ELEMENTS = 1 << 15  # accumulators per pass of the float requantization (measured)
SMALL_CALL = 1 << 12  # calls up to this size get same-shape constants (measured)
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
    """High 32 bits of 2*a*b, rounded; INT32_MIN * INT32_MIN saturates to INT32_MAX.

    gemmlowp adds 2**30 (or 1 - 2**30 to a negative product) and divides truncating toward
    zero; for every int32 product both equal one floor, (a * b + 2**30) >> 31.
    """
    if isinstance(a, int) and isinstance(b, int):  # one value: plain Python ints
        return INT32_MAX if a == b == INT32_MIN else (a * b + (1 << 30)) >> 31
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    q = a * b
    q += 1 << 30
    q >>= 31
    if np.any(b == INT32_MIN) and np.any(a == INT32_MIN):
        q = np.where((a == INT32_MIN) & (b == INT32_MIN), INT32_MAX, q)
    return q


def rounding_divide_by_pot(x, exponent):
    """x / 2**exponent rounded half away from zero (exponent >= 0, may be an array):
    (x + 2**(exponent - 1) - (x < 0)) >> exponent, nothing added for exponent 0."""
    if isinstance(x, int) and isinstance(exponent, int):  # one value: plain Python ints
        return (x + (1 << (exponent - 1)) - (x < 0)) >> exponent if exponent else x
    x = np.asarray(x, np.int64)
    e = np.asarray(exponent, np.int64)
    if e.ndim == 0:
        if e == 0:
            return x
        return (x + ((1 << int(e - 1)) - (x < 0))) >> e
    return (x + (((np.int64(1) << e) >> 1) - ((x < 0) & (e > 0)))) >> e


def multiply_by_quantized_multiplier(x, multiplier, shift):
    """TFLite's MultiplyByQuantizedMultiplier for int32 values (double rounding).

    ``x`` is widened to int64; the left shift is applied first and, as in the reference code,
    wraps to int32 if it overflows.
    """
    x = np.asarray(x, np.int64)
    shift = np.asarray(shift, np.int64)
    if shift.ndim == 0:
        if shift > 0:
            x = _wrap32(x << shift)
        high = saturating_rounding_doubling_high_mul(x, multiplier)
        if shift < 0:  # rounding_divide_by_pot in place on the fresh product
            high += (1 << int(-shift - 1)) - (high < 0)
            high >>= -shift
        return high
    left = np.maximum(shift, 0)
    if np.any(left):
        x = _wrap32(x << left)
    high = saturating_rounding_doubling_high_mul(x, multiplier)
    return rounding_divide_by_pot(high, np.maximum(-shift, 0))


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


def _first_at_least(multiplier, shift, target):
    """Per channel, the smallest int32 a with multiply_by_quantized_multiplier(a) >= target
    (2**31 when none), the function being non-decreasing in a.

    With shift <= 0 and m > 0 the answer lies within a few units of (target * D - C+) / m
    (D = 2**(31 - shift); the sign-dependent constant moves it by at most 2**31 / m <= 2), so
    7 candidates around that estimate are evaluated exactly; the binary search remains for
    the other cases and for any estimate that does not bracket the answer."""
    m = np.asarray(multiplier, np.int64)
    shift = np.broadcast_to(np.asarray(shift, np.int64), m.shape)
    target = np.broadcast_to(np.asarray(target, np.int64), m.shape)
    if m.ndim == 1 and np.all(shift <= 0) and np.all(m >= 1 << 30):
        found = _first_at_least_near(m, shift, target)
        if found is not None:
            return found
    return _first_at_least_search(m, shift, target)


def _first_at_least_near(m, shift, target):
    """``_first_at_least`` from a float64 estimate, or None when 7 candidates around it do
    not bracket the answer for some channel."""
    c_plus = np.ldexp(1.0, 30) + np.where(shift < 0, np.ldexp(1.0, 30 - shift), 0.0)
    estimate = np.ceil((target * np.ldexp(1.0, 31 - shift) - c_plus) / m)
    start = np.clip(estimate, INT32_MIN - 8, INT32_MAX + 8).astype(np.int64) - 2
    cand = start[:, None] + np.arange(7)
    y = multiply_by_quantized_multiplier(np.clip(cand, INT32_MIN, INT32_MAX), m[:, None],
                                         shift[:, None])  # fmt: skip
    ok = (y >= target[:, None]) | (cand > INT32_MAX)  # past the int32 range: "none" (2**31)
    first = np.argmax(ok, axis=1)
    rows = np.arange(len(m))
    bracketed = ok[rows, first] & ((first > 0) | (cand[:, 0] <= INT32_MIN))
    if not np.all(bracketed):
        return None
    return np.clip(cand[rows, first], INT32_MIN, INT32_MAX + 1)


def _first_at_least_search(m, shift, target):
    """``_first_at_least`` by binary search over the int32 range."""
    lo = np.full(m.shape, INT32_MIN, np.int64)
    hi = np.full(m.shape, INT32_MAX + 1, np.int64)
    while np.any(lo < hi):
        mid = (lo + hi) >> 1
        ok = multiply_by_quantized_multiplier(np.minimum(mid, INT32_MAX), m, shift)
        ok = (ok >= target) & (mid <= INT32_MAX)
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid + 1)
    return lo


def _plan_constants(m, shift, bias, zp, qmin, qmax, lo_row, hi_row):
    """Per channel: M = m / D, and the constants ``plus`` / ``minus`` (zp - qmin + (bias * m +
    C) / D for a >= 0 / a < 0) of ``requantize_float_plan``, or None unless every term and
    result of t = a * M + constant stays below 2**53 units of 1/D (a within the rows)."""
    e = -np.asarray(shift, np.int64)
    # t < qmax - qmin + 1 must stay below 2**53 units (checked in float64, where it is exact);
    # then D <= 2**53 and, with |bias| and the rows below 2**31, every product below fits int64
    if np.any(np.ldexp(float(qmax - qmin + 1), 31 + e) > _EXACT):
        return None
    big = max(np.abs(v).max(initial=0) for v in (np.asarray(bias), lo_row, hi_row))
    if big >= 1 << 31:
        return None
    d = np.left_shift(np.int64(1), 31 + e)
    c_pos = _c_plus(e)
    c_neg = c_pos - np.where(e > 0, np.int64(1) << 31, 0)
    reach = np.maximum(np.abs(lo_row), np.abs(hi_row))
    base = (zp - qmin) * d + np.asarray(bias, np.int64) * m
    terms = (reach * m + (1 << 31), np.abs(base + c_pos), np.abs(base + c_neg))
    if max(int(t.max(initial=0)) for t in terms) >= _EXACT:
        return None
    return tuple(np.ldexp(v.astype(np.float64), -(31 + e)) for v in (m, base + c_pos, base + c_neg))


def _unclamped(m, shift, zp: int, qmin: int, qmax: int, limit):
    """Per channel, the interval [a_lo, a_hi] of a = acc + bias (|a| <= limit) whose outputs
    are not clamped, with a_lo raised to 0 when every a below 0 gives the same output as 0
    (a RELU-like clamp); None when some channel has no such a."""
    a_lo = np.maximum(_first_at_least(m, shift, qmin - zp), -limit)
    a_hi = np.minimum(_first_at_least(m, shift, qmax - zp + 1) - 1, limit)
    if np.any(a_lo > a_hi):
        return None
    # below 0 nothing changes when a_lo already gives y(0) = 0: clamp at 0 instead
    a_lo = np.where((a_lo < 0) & (multiply_by_quantized_multiplier(a_lo, m, shift) == 0), 0, a_lo)
    return a_lo, a_hi


def requantize_affine(multiplier, shift, bias, zero_point, qmin, qmax, acc_max):
    """float64 rows (M, P) with, for every accumulator |acc| <= acc_max (per channel),
    clamp(zp + MultiplyByQuantizedMultiplier(acc + bias)) == qmin + floor(clip(acc * M + P,
    0, qmax - qmin)), where acc * M + P may be summed as sum(x_i * (w_i * M)) + P in any order,
    in float64 (a BLAS matmul on weights pre-scaled by M): or None.

    This is ``requantize_float_plan``'s case without signs (no a below 0 reaches an unclamped
    output: RELU-like clamps), where y = floor((a * m + C+) / D) for a >= 0 and every a below
    a_lo gives t < 1. Each product x_i * w_i * m and every partial sum, P included, is an
    integer number of units 1/D below 2**53 (checked: acc_max * m + |P * D| < 2**53), so the
    float64 sums are exact whatever their order; above a_hi, t >= qmax - qmin + 1 exactly.
    """
    m = np.asarray(multiplier, np.int64).reshape(-1)
    channels = m.size
    shift = np.broadcast_to(np.asarray(shift, np.int64), (channels,))
    bias = np.broadcast_to(np.asarray(bias, np.int64), (channels,))
    acc_max = np.broadcast_to(np.asarray(acc_max, np.int64), (channels,))
    if np.any(shift > 0) or np.any(m < 0) or qmax - qmin >= 1 << 16:
        return None
    interval = _unclamped(m, shift, int(zero_point), qmin, qmax, acc_max + np.abs(bias))
    if interval is None or np.any(interval[0] < 0):
        return None
    e, lift = -shift, int(zero_point) - qmin
    # bounded operands keep every product below exact in int64 (a multiplier small enough
    # for (zp - qmin) * D to pass 2**53 fails the check anyway)
    if (lift and np.any(e > 21)) or max(np.abs(bias).max(), acc_max.max()) >= 1 << 31:
        return None
    units = bias * m + _c_plus(e)
    if lift:
        units = units + lift * np.left_shift(np.int64(1), 31 + e)
    if int((acc_max * m + np.abs(units)).max()) >= _EXACT:
        return None
    return np.ldexp(m.astype(np.float64), -(31 + e)), np.ldexp(units.astype(np.float64), -(31 + e))


def _c_plus(e):
    """C of y = floor((a * m + C) / D) for a >= 0 (see ``requantize_float_plan``), per
    channel (int64)."""
    return (np.int64(1) << 30) + np.where(e > 0, np.left_shift(np.int64(1), 30 + e), 0)


def requantize_float_plan(
    multiplier, shift, bias, zero_point, qmin, qmax, acc_max, reps=1, scratch=None
):
    """An exact float fast path for ``requantize(acc + bias, ...)`` with 32-bit accumulators.

    Returns ``run(acc, out)`` (``acc``: a float32/float64 array of exact integers, channels
    last, that run overwrites; ``out``: an int8/uint8/int16 array of the same size), or None
    when exactness cannot be proven for these parameters (callers then use ``requantize``).
    Its temporaries come from ``scratch`` (a subgraph's shared ``Scratch``) when given.

    Why it is exact: with ``shift = -e <= 0`` and D = 2**(31 + e), the double rounding of
    ``multiply_by_quantized_multiplier`` folds into ONE floor (floor(floor(u) / n) ==
    floor(u / n)): y = floor((a * m + C) / D) with C = 2**(30 + e) + 2**30 for a >= 0 and
    2**(30 + e) - 2**30 for a < 0 (for e = 0, C = 2**30 whatever the sign). First a = acc +
    bias is clamped (exactly, in float) to the per-channel integer interval whose results stay
    in [qmin, qmax], so the output clamp is done. Then t = a * (m / D) + C / D + zp - qmin is
    computed in float64: every term is a multiple of 1/D, and the prepare checks that each
    term and the result stay below 2**53 / D in magnitude, so the product and the sums are
    exact; t lies in [0, qmax - qmin + 1), where truncating to an unsigned integer is the
    floor; adding qmin (mod 2**bits) gives the output. The sign-dependent C costs a copysign
    (done on t's sign bit), skipped when the clamp can keep every a >= 0 (fused RELU-like
    clamps, where every a below 0 maps to the same output as 0). That case also folds the
    bias into the constant when the shifted bounds allow: the raw accumulator is then clamped
    to the interval moved by -bias, saving the float32 addition.
    """
    m = np.asarray(multiplier, np.int64).reshape(-1)
    channels = m.size
    shift = np.broadcast_to(np.asarray(shift, np.int64), (channels,))
    bias = np.broadcast_to(np.asarray(bias, np.int64), (channels,))
    limit = np.broadcast_to(np.asarray(acc_max, np.int64), (channels,)) + np.abs(bias)
    if np.any(shift > 0) or np.any(m < 0) or qmax - qmin >= 1 << 16:
        return None
    if int(limit.max(initial=0)) >= 1 << 24:  # acc + bias must stay exact in float32
        return None
    zp = int(zero_point)
    interval = _unclamped(m, shift, zp, qmin, qmax, limit)
    if interval is None:
        return None
    a_lo, a_hi = interval
    signed = bool(np.any(a_lo < 0))
    lo_row, hi_row, fold = a_lo - bias, a_hi - bias, not signed
    if fold:  # clamp the raw accumulator to bounds shifted by -bias, when float32-exact
        shifted = max(int(np.abs(lo_row).max(initial=0)), int(np.abs(hi_row).max(initial=0)))
        fold = shifted < 1 << 24
    consts = _plan_constants(m, shift, bias, zp, qmin, qmax, lo_row, hi_row) if fold else None
    if consts is None:
        fold, lo_row, hi_row = False, a_lo, a_hi
        consts = _plan_constants(m, shift, 0 * bias, zp, qmin, qmax, lo_row, hi_row)
    if consts is None:
        return None
    mf, plus, minus = consts
    # t = a * M + (plus + minus) / 2 + copysign((plus - minus) / 2, a), both exact
    rows = [np.tile(v, reps) for v in (bias.astype(np.float32), lo_row.astype(np.float32),
                                       hi_row.astype(np.float32), mf, (plus + minus) / 2,
                                       ((plus - minus) / 2).view(np.uint64))]  # fmt: skip
    if not signed:
        rows[4] = np.tile(plus, reps)
    return _PlanRun(rows, signed, fold, qmin, channels * reps, scratch or Scratch())


def requantize_wide_plan(
    multiplier, shift, bias, zero_point, qmin, qmax, acc_max, reps=1, scratch=None
):
    """``requantize_float_plan`` for the 64-bit-accumulator variant (int16x8 kernels,
    ``multiply_by_quantized_multiplier_64``): y = floor((a * r + 2**(s - 1)) / 2**s) with the
    16-bit reduced multiplier r and s = 15 - shift, one floor and no sign-dependent term.

    Returns ``run(acc, out)`` or None. Exact because: no |a| <= acc_max + |bias| takes the
    result past int32 (where the reference wraps), so y is non-decreasing, and with r / 2**s
    <= 1 it moves by at most 1 per unit of a, so its clamp is a clamp of a to the per-channel
    interval giving [qmin, qmax] (thresholds from the formula, on Python ints); there
    a * r + 2**(s - 1) + (zp - qmin) * 2**s, the bias folded in when the shifted bounds
    allow, stays below 2**53, so t = a * (r / 2**s) + constant is exact in float64 and lies
    in [0, qmax - qmin + 1), where truncation is the floor.
    """
    m = [int(v) for v in np.asarray(multiplier, np.int64).reshape(-1)]
    n = len(m)
    shifts = [int(v) for v in np.broadcast_to(np.asarray(shift, np.int64), (n,))]
    biases = [int(v) for v in np.broadcast_to(np.asarray(bias, np.int64), (n,))]
    maxes = [int(v) for v in np.broadcast_to(np.asarray(acc_max, np.int64), (n,))]
    if qmax - qmin >= 1 << 16:
        return None
    zp = int(zero_point)
    channels = []  # (bias, r, s, a's low and high bound, offset numerator)
    fold = True
    for mc, sh, b, amax in zip(m, shifts, biases, maxes):
        r = (mc + (1 << 15)) >> 16 if mc < 0x7FFF0000 else 0x7FFF
        s = 15 - sh
        limit = amax + abs(b)
        if s < 1 or r <= 0 or r > 1 << s or limit * r + (1 << (s - 1)) >= 1 << (31 + s):
            return None  # constant, steps over output values, or can wrap: the int path
        lo = max(-((((qmin - zp) << s) - (1 << (s - 1))) // -r), -limit)  # ceil division
        hi = min(-((((qmax - zp + 1) << s) - (1 << (s - 1))) // -r) - 1, limit)
        if lo > hi:
            return None
        base = (1 << (s - 1)) + ((zp - qmin) << s)
        if max(abs(lo), abs(hi)) * r + abs(base) >= _EXACT:
            return None
        fold = fold and max(abs(lo - b), abs(hi - b)) * r + abs(b * r + base) < _EXACT
        channels.append((b, r, s, lo, hi, base))
    rows = []  # per channel: bias, low and high clamp, M, offset
    for b, r, s, lo, hi, base in channels:
        d = b if fold else 0  # folded: the raw accumulator is clamped, the bias is in the offset
        rows.append((b, lo - d, hi - d, math.ldexp(r, -s), math.ldexp(base + d * r, -s)))
    plan_rows = [np.tile(np.asarray(col, np.float64), reps) for col in zip(*rows)]
    plan_rows.append(np.zeros(n * reps, np.uint64))  # no sign term
    return _PlanRun(plan_rows, False, fold, qmin, n * reps, scratch or Scratch())


_UNSIGNED = {1: np.dtype(np.uint8), 2: np.dtype(np.uint16)}  # by the output's item size
_SIGN_BIT = np.uint64(1 << 63)


class _PlanRun:
    """``requantize_float_plan``'s passes over chunks of rows of ``width`` accumulators.

    ``rows``: per-channel bias, low and high clamp (float32; float64 in the wide plan), float64
    M, offset, and the sign term's bits. Outputs are written through an unsigned view of
    their own size (int16 outputs may have a clamp narrower than 256 values).
    """

    def __init__(self, rows, signed: bool, fold: bool, qmin: int, width: int, scratch: Scratch):
        self.rows, self.signed, self.fold, self.qmin, self.width = rows, signed, fold, qmin, width
        self.step = max(1, CHUNK_ELEMENTS // width)  # temporaries stay in cache
        shape = (self.step, width)
        self.t = scratch.array("requantize.t", shape, np.float64)
        self.s = scratch.array("requantize.sign", shape, np.uint64) if signed else None
        self.small = {}

    def offset(self, size: int):
        return _UNSIGNED[size].type(self.qmin % (1 << (8 * size)))

    def same_shape(self, n: int, size: int):
        """The constants repeated over n rows: on a tiny array numpy's broadcasting set-up
        costs more than the arithmetic, so small calls get same-shape operands (made once
        per row count)."""
        key = (n, size)
        if key not in self.small:
            shape = (n, self.width)
            rows = [np.tile(r, (n, 1)) for r in self.rows]
            self.small[key] = rows, np.full(shape, _SIGN_BIT), np.full(shape, self.offset(size))
        return self.small[key]

    def __call__(self, acc, out):
        a = acc.reshape(-1, self.width)
        o = out.reshape(a.shape).view(_UNSIGNED[out.itemsize])
        if a.size <= SMALL_CALL:
            self.chunk(a, o, *self.same_shape(a.shape[0], out.itemsize))
            return
        offset = self.offset(out.itemsize)
        for r in range(0, a.shape[0], self.step):
            self.chunk(a[r : r + self.step], o[r : r + self.step], self.rows, _SIGN_BIT, offset)

    def chunk(self, a, o, rows, sign_bit, offset):
        if a.dtype == np.float32 and rows[1].dtype == np.float64:  # wide plan, float32 sums:
            tt = self.t.get()[: a.shape[0]]  # its float64 bounds and bias need float64 room
            np.copyto(tt, a)
            a = tt
        if not self.fold:
            np.add(a, rows[0], out=a)
        np.maximum(a, rows[1], out=a)  # the output clamp, done on the accumulator
        np.minimum(a, rows[2], out=a)  # (np.clip is several times slower with arrays)
        if a.dtype == np.float64:  # float64 accumulators are worked on in place
            tt = a
        else:  # (mixed float32 x float64 ufuncs are slower than a copy first)
            tt = self.t.get()[: a.shape[0]]
            np.copyto(tt, a)
        np.multiply(tt, rows[3], out=tt)
        if self.signed:  # copysign(h, a) by bits (t has a's sign; np.copysign is slower)
            ss = self.s.get()[: a.shape[0]]
            np.bitwise_and(tt.view(np.uint64), sign_bit, out=ss)
            np.bitwise_or(ss, rows[5], out=ss)
            np.add(tt, ss.view(np.float64), out=tt)
        np.add(tt, rows[4], out=tt)
        np.copyto(o, tt, casting="unsafe")  # truncation == floor on values >= 0
        if self.qmin:
            np.add(o, offset, out=o)
