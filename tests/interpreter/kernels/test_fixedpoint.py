"""Fixed-point requantization against scalar transcriptions of TFLite's integer rules: the
primitives, the exact float64 requantization plan, the gemmlowp math on Python ints."""

from __future__ import annotations

import math

import numpy as np
import pytest
from fixedpoint_ref import mbqm64_ref, mbqm_ref, rdbpot_ref, srdhm_ref
from hypothesis import given, settings
from hypothesis import strategies as st

from edgelite.interpreter.kernels import _qconv
from edgelite.interpreter.kernels import fixedpoint as fp
from edgelite.interpreter.kernels._qconv import round_clamped

I32 = st.integers(fp.INT32_MIN, fp.INT32_MAX)


@settings(max_examples=500, deadline=None)
@given(I32, I32)
def test_srdhm_matches_scalar_definition(a, b):
    assert int(fp.saturating_rounding_doubling_high_mul(a, b)) == srdhm_ref(a, b)


def test_srdhm_saturates_and_rounds_ties():
    assert int(fp.saturating_rounding_doubling_high_mul(fp.INT32_MIN, fp.INT32_MIN)) == fp.INT32_MAX
    # exact halves: positive rounds up, negative goes toward zero
    assert int(fp.saturating_rounding_doubling_high_mul(1 << 29, 1)) == 0
    assert int(fp.saturating_rounding_doubling_high_mul(1 << 30, 1)) == 1
    assert int(fp.saturating_rounding_doubling_high_mul(-(1 << 30), 1)) == 0
    assert srdhm_ref(-(1 << 30), 1) == 0


@settings(max_examples=500, deadline=None)
@given(I32, st.integers(0, 31))
def test_rounding_divide_by_pot(x, e):
    assert int(fp.rounding_divide_by_pot(x, e)) == rdbpot_ref(x, e)
    # half away from zero, the rule the reference states
    if e > 0:
        exact = x / (1 << e)
        want = math.floor(abs(exact) + 0.5) * (1 if x >= 0 else -1)
        assert rdbpot_ref(x, e) == want


@settings(max_examples=500, deadline=None)
@given(st.integers(-(1 << 24), 1 << 24), st.floats(1e-6, 4.0), st.sampled_from([1, -1]))
def test_multiply_by_quantized_multiplier(x, real, sign):
    m, s = fp.quantize_multiplier(real)
    assert int(fp.multiply_by_quantized_multiplier(x * sign, m, s)) == mbqm_ref(x * sign, m, s)


def test_vectorized_per_channel_broadcast():
    rng = np.random.default_rng(0)
    x = rng.integers(-(1 << 20), 1 << 20, size=(5, 7))
    reals = rng.uniform(1e-4, 2.0, size=7)
    m, s = fp.quantize_multipliers(reals)
    got = fp.multiply_by_quantized_multiplier(x, m, s)
    want = np.array(
        [[mbqm_ref(int(v), int(m[c]), int(s[c])) for c, v in enumerate(row)] for row in x]
    )
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("seed", range(3))
def test_array_arguments_match_the_scalar_rules(seed):
    """Per-element exponents (0 included), any int32 multiplier (negative, INT32_MIN) and
    shifts of both signs, against the scalar transcriptions element by element."""
    rng = np.random.default_rng(seed)
    n = 4000
    x = rng.integers(fp.INT32_MIN, fp.INT32_MAX, n, endpoint=True)
    x[:50] = fp.INT32_MIN
    e = rng.integers(0, 32, n)
    m = rng.integers(fp.INT32_MIN, fp.INT32_MAX, n, endpoint=True)
    m[::97] = fp.INT32_MIN
    shift = rng.integers(-31, 31, n)
    got_div = fp.rounding_divide_by_pot(x, e)
    got_high = fp.saturating_rounding_doubling_high_mul(x, m)
    got = fp.multiply_by_quantized_multiplier(x, m, shift)
    for i in range(n):
        xi, ei, mi, si = int(x[i]), int(e[i]), int(m[i]), int(shift[i])
        assert got_div[i] == rdbpot_ref(xi, ei), (xi, ei)
        assert got_high[i] == srdhm_ref(xi, mi), (xi, mi)
        assert got[i] == mbqm_ref(xi, mi, si), (xi, mi, si)
        assert fp.multiply_by_quantized_multiplier(xi, mi, si) == got[i]


@settings(max_examples=300, deadline=None)
@given(st.floats(1e-12, 1e9, allow_nan=False))
def test_quantize_multiplier_represents_the_real(real):
    m, s = fp.quantize_multiplier(real)
    if m == 0:
        assert real < 2.0**-31
        return
    assert (1 << 30) <= m <= fp.INT32_MAX
    if s < 30:
        assert abs(m * 2.0 ** (s - 31) - real) <= real * 2.0**-30


def test_quantize_multiplier_edge_cases():
    assert fp.quantize_multiplier(0.0) == (0, 0)
    assert fp.quantize_multiplier(1.0) == (1 << 30, 1)
    assert fp.quantize_multiplier(0.5) == (1 << 30, 0)
    # a mantissa that rounds up to 2**31 moves to the next exponent
    assert fp.quantize_multiplier(1.0 - 2.0**-40) == (1 << 30, 1)
    assert fp.quantize_multiplier(2.0**-40) == (0, 0)
    assert fp.quantize_multiplier(2.0**40) == (fp.INT32_MAX, 30)


@settings(max_examples=300, deadline=None)
@given(st.integers(-(1 << 40), 1 << 40), st.floats(1e-6, 4.0))
def test_multiply_by_quantized_multiplier_64(x, real):
    m, s = fp.quantize_multiplier(real)
    assert int(fp.multiply_by_quantized_multiplier_64(x, m, s)) == mbqm64_ref(x, m, s)


def test_requantize_clamps_and_writes_out():
    m, s = fp.quantize_multiplier(0.5)
    out = np.zeros(4, np.int8)
    fp.requantize(np.array([1000, -1000, 3, -3]), m, s, 5, -128, 127, out=out)
    # 1.5 rounds up to 2; -1.5 is a negative exact half, which goes toward zero: -1
    np.testing.assert_array_equal(out, [127, -128, 7, 4])


def c_round_f64(v):
    """C's round() of float32 values, computed exactly in float64."""
    w = v.astype(np.float64)
    return np.trunc(w + np.copysign(0.5, w))


@pytest.mark.parametrize("lo, hi", [(-128, 127), (-127, 127), (-256, 255)])
def test_float32_round_clamped_equals_c_round(lo, hi):
    """The hybrid kernels' float32 rounding, on random float32 bit patterns of the whole
    clamped range and on the values that break naive float32 rounding (0.49999997, ties)."""
    rng = np.random.default_rng(0)
    top = np.float32(260).view(np.uint32)
    v = rng.integers(0, top, 2_000_000, dtype=np.uint32).view(np.float32)
    ties = np.arange(-260, 261, dtype=np.float32) + np.float32(0.5)
    near = np.concatenate([np.nextafter(ties, np.float32(-1e9)), np.nextafter(ties, 1e9)])
    edge = np.array([0.49999997, 0.5, 1.5, 2.5, 127.25, 127.5, 128.25, 255.5, 1e9, 0], np.float32)
    v = np.concatenate([v, ties, near, edge, np.float32(1e-30) * rng.standard_normal(9)])
    v = np.concatenate([v, -v]).astype(np.float32)
    want = np.clip(c_round_f64(v), lo, hi)
    got = round_clamped(v.copy(), lo, hi)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, want)


def asymmetric_ref(row):
    """AsymmetricQuantizeFloats for one row, written out value by value (double where the
    reference computes in double; half away from zero)."""
    rmin, rmax = min(float(np.float32(row.min())), 0.0), max(float(np.float32(row.max())), 0.0)
    if rmin == rmax:
        return np.zeros(row.size), 1.0, 0
    scale = float(np.float32(rmax) - np.float32(rmin)) / 255.0
    low, high = rmin / scale, rmax / scale
    zp_real = -128 - low if 128 + abs(low) < 127 + abs(high) else 127 - high
    zp = int(min(max(math.copysign(math.floor(abs(zp_real) + 0.5), zp_real), -128), 127))
    inv = np.float32(1.0 / float(np.float32(scale)))
    q = [min(max(zp + c_round_f64(np.float32(v) * inv), -128), 127) - zp for v in row]
    return np.array(q), float(np.float32(scale)), zp


@pytest.mark.parametrize("shape", [(4, 150), (7, 20)])
def test_asymmetric_quantize_rows_and_chunks(monkeypatch, shape):
    """Several rows (one all zero, one on a coarse grid full of rounding ties, one all
    positive), each longer than a chunk or several to a chunk, against the value-by-value
    rule."""
    monkeypatch.setattr(_qconv, "QUANTIZE_CHUNK", 64)
    rng = np.random.default_rng(1)
    x = rng.uniform(-1.5, 4, shape).astype(np.float32)
    x[1] = 0
    x[2] = np.round(x[2] * 8) / 8
    x[3] = np.abs(x[3])  # all above 0: the range starts at 0
    q, scale, zp = _qconv.asymmetric_quantize(x)
    for r in range(x.shape[0]):
        want_q, want_scale, want_zp = asymmetric_ref(x[r])
        np.testing.assert_array_equal(q[r], want_q)
        assert (float(scale[r]), int(zp[r])) == (want_scale, want_zp)


def double_round_ref(a, eff, zp, lo, hi):
    """FULLY_CONNECTED's reference requantization of one accumulator, in Python floats."""
    v = a * eff
    r = math.copysign(math.floor(abs(v) + 0.5), v)  # C round()
    r = r if abs(r) < 2**31 else -(2**31)  # the x86 conversion of an out-of-range double
    return min(max(int(r) + zp, lo), hi)


@pytest.mark.parametrize("bounded", [True, False])
def test_double_round_requant_matches_value_by_value(bounded):
    """Random accumulators, exact halves (eff = 1/2 on odd sums, 1/8 on multiples of 4) and,
    unbounded, products past the int32 range."""
    rng = np.random.default_rng(2)
    acc = rng.integers(-(1 << 20), 1 << 20, (3, 40)).astype(np.float32)
    bias = rng.integers(-5000, 5000, 40)
    eff = rng.uniform(1e-4, 1e-2, 40)
    eff[:8] = 0.5
    eff[8:16] = 0.125
    acc[:, 8:16] = np.round(acc[:, 8:16] / 4) * 4 + 4 * (np.arange(8) % 2)
    if not bounded:
        eff[-4:] = 1e4  # |acc + bias| * eff up to ~1e10
    zp, lo, hi = 5, -128, 127
    rq = _qconv.DoubleRoundRequant(bias, eff, zp, lo, hi, acc.shape, (1 << 20) if bounded else None)
    assert rq.in_range == bounded
    out = np.empty(acc.shape, np.int8)
    rq(acc, out)
    want = [[double_round_ref(float(acc[r, c]) + int(bias[c]), float(eff[c]), zp, lo, hi)
             for c in range(acc.shape[1])] for r in range(acc.shape[0])]  # fmt: skip
    np.testing.assert_array_equal(out, np.array(want))


def test_float32_round_clamped_refuses_wide_ranges():
    with pytest.raises(ValueError, match="256"):
        round_clamped(np.zeros(3, np.float32), -32768, 32767)


@pytest.mark.parametrize("seed", range(3))
def test_gemmlowp_math_on_python_ints_equals_the_array_path(seed):
    """Softmax's per-row steps run on Python ints for a few rows: every function gives the
    array path's values (which the softmax tests check against LiteRT)."""
    from edgelite.interpreter.kernels import _gemmlowp as gl

    rng = np.random.default_rng(seed)
    n = 300
    sums = rng.integers(1, fp.INT32_MAX, n, endpoint=True)
    sums[:3] = 1, fp.INT32_MAX, 1 << 19  # smallest, largest, exactly one in Q12.19
    fractions = rng.integers(0, fp.INT32_MAX, n, endpoint=True)
    negatives = -rng.integers(0, fp.INT32_MAX, n, endpoint=True)
    cases = [
        (gl.reciprocal, sums, (12,)),
        (gl.log_x_ge_1, sums, (12, 5)),
        (gl.one_over_one_plus_x, fractions, ()),
        (gl.exp_on_negative_values, negatives, (5,)),
        (gl.clz32, sums, ()),
    ]
    for fn, values, args in cases:
        want = fn(values, *args)
        want = want if isinstance(want, tuple) else (want,)
        for i, v in enumerate(values):
            got = fn(int(v), *args)
            got = got if isinstance(got, tuple) else (got,)
            assert all(type(g) is int for g in got), fn.__name__
            assert tuple(got) == tuple(int(w[i]) for w in want), (fn.__name__, int(v))
        # per_value switches to Python ints for tiny arrays and keeps shapes
        tiny = values[:4].reshape(4, 1)
        got = gl.per_value(fn, tiny, *args)
        got = got if isinstance(got, tuple) else (got,)
        for g, w in zip(got, want):
            assert g.shape == (4, 1) and np.array_equal(g.reshape(-1), w[:4])


@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_float_requantization_equals_scalar_transcription(seed):
    rng = np.random.default_rng(seed)
    c = int(rng.integers(1, 6))
    reals = np.exp(rng.uniform(np.log(1e-6), np.log(0.99), c))
    if rng.random() < 0.3:  # exact powers of two put results on rounding ties
        reals = 2.0 ** -rng.integers(1, 20, c).astype(float)
    m, s = fp.quantize_multipliers(reals)
    bias = rng.integers(-(1 << 20), 1 << 20, c)
    dtype = [np.int8, np.uint8, np.int16][int(rng.integers(3))]
    lo, hi = int(np.iinfo(dtype).min), int(np.iinfo(dtype).max)
    zp = 0 if dtype == np.int16 else int(rng.integers(lo, hi + 1))
    if rng.random() < 0.4:  # a RELU-like clamp: the plan's path without signs
        lo = max(lo, zp)
    if rng.random() < 0.3:  # a narrow clamp (RELU6 on a coarse scale), also on int16 outputs
        hi = min(hi, max(lo, zp) + int(rng.integers(0, 200)))
    acc_max = int(rng.choice([100, 5000, 1 << 20, (1 << 24) - 1]))
    plan = fp.requantize_float_plan(m, s, bias, zp, lo, hi, acc_max, reps=2)
    if plan is None:
        return
    # random accumulators plus the ones sitting on or next to every rounding boundary
    k = rng.integers(lo - zp - 2, hi - zp + 3, (40, 2 * c))
    near = np.round((k + 0.5) / np.tile(reals, 2)) - np.tile(bias, 2)
    near += rng.integers(-1, 2, near.shape)
    acc = np.concatenate([rng.integers(-acc_max, acc_max + 1, (40, 2 * c)), near])
    acc = np.clip(acc, -acc_max, acc_max).astype(np.int64)
    out = np.empty(acc.shape, dtype)
    plan(acc.astype(np.float64), out)
    for (i, j), got in np.ndenumerate(out):
        ch = j % c
        want = min(max(mbqm_ref(int(acc[i, j] + bias[ch]), int(m[ch]), int(s[ch])) + zp, lo), hi)
        assert got == want, (acc[i, j], bias[ch], m[ch], s[ch])


@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=80, deadline=None)
def test_wide_float_requantization_equals_scalar_transcription(seed):
    """The 64-bit-accumulator variant (int16x8): random multipliers (powers of two put
    results on rounding ties), int64 biases, int16 outputs with wide or narrow clamps,
    accumulators up to 2**40, and those on or next to every rounding boundary."""
    rng = np.random.default_rng(seed)
    c = int(rng.integers(1, 6))
    reals = np.exp(rng.uniform(np.log(1e-9), np.log(0.99), c))
    if rng.random() < 0.3:
        reals = 2.0 ** -rng.integers(1, 30, c).astype(float)
    if rng.random() < 0.2:  # multipliers above 1 (refused: outputs step over values)
        reals[0] = rng.uniform(1.0, 4.0)
    m, s = fp.quantize_multipliers(reals)
    bias = rng.integers(-(1 << 34), 1 << 34, c)
    lo, hi = -32768, 32767
    if rng.random() < 0.4:
        lo = 0
    if rng.random() < 0.3:
        hi = lo + int(rng.integers(0, 300))
    acc_max = int(rng.choice([1000, 1 << 24, 1 << 32, 1 << 40]))
    plan = fp.requantize_wide_plan(m, s, bias, 0, lo, hi, acc_max, reps=2)
    if plan is None:
        return
    k = rng.integers(lo - 2, hi + 3, (40, 2 * c))
    near = np.round((k + 0.5) / np.tile(reals, 2)) - np.tile(bias, 2)
    near += rng.integers(-1, 2, near.shape)
    acc = np.concatenate([rng.integers(-acc_max, acc_max + 1, (40, 2 * c)), near])
    acc = np.clip(acc, -acc_max, acc_max).astype(np.int64)
    out = np.empty(acc.shape, np.int16)
    # float32 sums where they are exact (kernels pick float32 when they can)
    plan(acc.astype(np.float32 if acc_max < 1 << 24 else np.float64), out)
    for (i, j), got in np.ndenumerate(out):
        ch = j % c
        want = min(max(mbqm64_ref(int(acc[i, j] + bias[ch]), int(m[ch]), int(s[ch])), lo), hi)
        assert got == want, (acc[i, j], bias[ch], m[ch], s[ch])


def test_wide_float_requantization_refuses_what_it_cannot_prove():
    """No plan where the reference's int32 narrowing can be reached (the result would wrap),
    the multiplier reduces to 0 (a constant output) or exceeds 1 (consecutive accumulators
    may skip an output value, so clamping the accumulator is not clamping the output)."""
    big_m, big_s = fp.quantize_multipliers(np.array([1.5]))
    assert fp.requantize_wide_plan(big_m, big_s, [0], 0, 0, 32767, 1 << 20) is None
    m, s = fp.quantize_multipliers(np.array([0.9]))
    assert fp.requantize_wide_plan(m, s, [0], 0, -32768, 32767, 1 << 32) is None  # 2**32 * 0.9
    assert fp.requantize_wide_plan(m, s, [0], 0, -32768, 32767, 1 << 20) is not None
    tiny_m, tiny_s = np.array([1 << 14]), np.array([0])  # reduces to (2**14 + 2**15) >> 16 = 0
    assert fp.requantize_wide_plan(tiny_m, tiny_s, [0], 0, -32768, 32767, 100) is None
    huge_m, huge_s = fp.quantize_multipliers(np.array([2.0**17]))  # shift 18: 15 - 18 < 0
    assert fp.requantize_wide_plan(huge_m, huge_s, [0], 0, -32768, 32767, 100) is None


def test_float_requantization_at_its_precision_limits():
    """Both plan paths (RELU-like clamp: no signs; full range: signed), down to multipliers
    whose results need all 53 bits of a float64, against the integer transcription."""
    for real in [2.0**-15 * 1.37, 2.0**-15 * 1.99, 2.0**-13, 0.37, 2.0**-5]:
        m, s = fp.quantize_multipliers([real, real * 0.77])
        for zp, lo in [(-128, -128), (-3, -3), (-3, -128), (7, -128)]:
            bias = np.array([-40000, 12345])
            acc_max = min(int(300 / real), (1 << 24) - 1 - 40000)
            plan = fp.requantize_float_plan(m, s, bias, zp, lo, 127, acc_max)
            assert plan is not None, (real, zp, lo)
            acc = np.concatenate([np.arange(-3000, 3000), np.linspace(-acc_max, acc_max, 4000)])
            acc = np.round(acc).astype(np.int64).repeat(2).reshape(-1, 2)
            out = np.empty(acc.shape, np.int8)
            plan(acc.astype(np.float32), out)
            y = fp.multiply_by_quantized_multiplier(acc + bias, m, s) + zp
            assert np.array_equal(out, np.clip(y, lo, 127)), (real, zp, lo)


def test_float_requantization_refuses_unprovable_cases():
    m, s = fp.quantize_multipliers([1e-9, 0.5])
    assert fp.requantize_float_plan(m, s, [0, 0], 0, -128, 127, 1 << 23) is None
    m, s = fp.quantize_multipliers([3.0])  # a left shift: the integer path handles it
    assert fp.requantize_float_plan(m, s, [0], 0, -128, 127, 100) is None


@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_affine_requantization_in_a_float64_matmul(seed):
    """RELU-like clamps: x @ (w * M) + P summed in float64 by BLAS, clipped and truncated,
    equals the integer transcription for raw int8 inputs (multipliers down to 2**-20, powers
    of two for ties, accumulators at their bound)."""
    rng = np.random.default_rng(seed)
    c, depth = int(rng.integers(1, 6)), int(rng.integers(1, 64))
    reals = np.exp(rng.uniform(np.log(1e-6), np.log(0.5), c))
    if rng.random() < 0.3:
        reals = 2.0 ** -rng.integers(1, 20, c).astype(float)
    m, s = fp.quantize_multipliers(reals)
    w = rng.integers(-127, 128, (depth, c))
    bias = rng.integers(-(1 << 16), 1 << 16, c)
    zp = int(rng.integers(-128, 100))
    lo, hi = zp, int(rng.integers(zp, 128))  # a RELU / RELU6-like clamp
    acc_max = np.abs(w).sum(axis=0) * 128
    affine = fp.requantize_affine(m, s, bias, zp, lo, hi, acc_max)
    if affine is None:
        return
    scale, offset = affine
    x = rng.integers(-128, 128, (200, depth))
    x[0], x[1] = -128 * np.sign(w[:, 0]), 127 * np.sign(w[:, 0])  # extreme accumulators
    t = np.hstack([x, np.ones((200, 1))]) @ np.vstack([w * scale, offset])
    got = lo + np.floor(np.clip(t, 0, hi - lo)).astype(np.int64)
    acc = x @ w
    for (i, j), g in np.ndenumerate(got):
        want = min(max(mbqm_ref(int(acc[i, j] + bias[j]), int(m[j]), int(s[j])) + zp, lo), hi)
        assert g == want, (acc[i, j], bias[j], m[j], s[j], zp, lo, hi)


def test_affine_requantization_needs_a_relu_like_clamp():
    m, s = fp.quantize_multipliers([0.01])
    assert fp.requantize_affine(m, s, [0], 0, -128, 127, 10000) is None  # signed outputs
    assert fp.requantize_affine(m, s, [0], -128, -128, 127, 10000) is not None


@pytest.mark.parametrize("e", [10, 15, 18, 21, 24])
def test_float_requantization_of_wide_outputs_with_tiny_multipliers(e):
    """int16 outputs span 65536 values: with D = 2**(31 + e) the float64 range check must see
    (qmax - qmin + 1) * D past 2**53 (an int64 product there would wrap) and refuse, or be
    exact."""
    m, s = fp.quantize_multipliers([1.37 * 2.0**-e, 1.9 * 2.0**-e])
    for lo, zp in [(-32768, 0), (0, 0), (-1, -1)]:
        plan = fp.requantize_float_plan(m, s, [0, 7], zp, lo, 32767, 1 << 20)
        affine = fp.requantize_affine(m, s, [0, 7], zp, lo, 32767, 1 << 20)
        acc = np.linspace(-(1 << 20), 1 << 20, 5001).round().astype(np.int64)
        acc = acc.repeat(2).reshape(-1, 2)
        want = np.clip(fp.multiply_by_quantized_multiplier(acc + [0, 7], m, s) + zp, lo, 32767)
        if plan is not None:
            out = np.empty(acc.shape, np.int16)
            plan(acc.astype(np.float64), out)
            assert np.array_equal(out, want), (e, lo, zp)
        if affine is not None:
            t = acc * affine[0] + affine[1]
            assert np.array_equal(lo + np.floor(np.clip(t, 0, 32767 - lo)), want), (e, lo, zp)


@pytest.mark.parametrize("seed", range(4))
def test_thresholds_from_the_estimate_equal_the_binary_search(seed):
    """The smallest accumulator reaching each output value, from the float64 estimate and 7
    exact candidates, equals the binary search over the int32 range (ties, tiny and large
    multipliers, targets beyond the int32 range)."""
    rng = np.random.default_rng(seed)
    for _ in range(200):
        n = int(rng.integers(1, 20))
        reals = np.exp(rng.uniform(np.log(1e-10), np.log(0.999), n))
        if rng.random() < 0.3:
            reals = 2.0 ** -rng.integers(0, 35, n).astype(float)
        m, s = fp.quantize_multipliers(reals)
        m, s = m[m > 0], s[m > 0]
        target = rng.integers(-70000, 70000, m.size)
        want = fp._first_at_least_search(m, s, target)
        assert np.array_equal(fp._first_at_least(m, s, target), want)
        if np.all(s <= 0):  # the estimate's domain (a left shift wraps)
            near = fp._first_at_least_near(m, s, target)
            assert near is None or np.array_equal(near, want)
