"""Fixed-point requantization against scalar transcriptions of TFLite's integer rules."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgelite.interpreter.kernels import fixedpoint as fp
from edgelite.interpreter.kernels._qconv import round_clamped

I32 = st.integers(fp.INT32_MIN, fp.INT32_MAX)


def c_div(a: int, b: int) -> int:
    """C++ integer division: truncates toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def srdhm_ref(a: int, b: int) -> int:
    if a == b == fp.INT32_MIN:
        return fp.INT32_MAX
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    return c_div(ab + nudge, 1 << 31)


def rdbpot_ref(x: int, e: int) -> int:
    mask = (1 << e) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> e) + (1 if remainder > threshold else 0)


def wrap32(v: int) -> int:
    return ((v + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def mbqm_ref(x: int, m: int, shift: int) -> int:
    left, right = max(shift, 0), max(-shift, 0)
    return rdbpot_ref(srdhm_ref(wrap32(x * (1 << left)), m), right)


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


def mbqm64_ref(x: int, m: int, shift: int) -> int:
    reduced = (m + (1 << 15)) >> 16 if m < 0x7FFF0000 else 0x7FFF
    total = 15 - shift
    return wrap32((x * reduced + (1 << (total - 1))) >> total)


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
