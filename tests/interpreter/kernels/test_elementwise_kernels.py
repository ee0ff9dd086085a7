"""Elementwise kernels: broadcasting binary math, unary math, comparisons, logic, SELECT, CAST.

References are written out here element by element (Python scalars and the math module), with
numpy broadcasting replaced by explicit index mapping, and TFLite's integer rules (truncating
DIV, wrapping overflow, saturating float->int CAST) spelled out in Python integers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes
from kernel_harness import run_kernel

from edgelite.errors import InvalidModelError, InvokeError

I32 = np.int32
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def wrap(v: int, bits: int = 32, signed: bool = True) -> int:
    """Python int -> two's complement value of a ``bits``-wide integer."""
    v %= 2**bits
    return v - 2**bits if signed and v >= 2 ** (bits - 1) else v


def broadcast_ref(fn, arrays, dtype):
    """Apply scalar ``fn`` at every output index, mapping size-1 / missing dims by hand."""
    rank = max(a.ndim for a in arrays)
    shapes = [(1,) * (rank - a.ndim) + a.shape for a in arrays]
    out_shape = tuple(max(s[i] for s in shapes) for i in range(rank))
    out = np.empty(out_shape, dtype)
    for idx in np.ndindex(*out_shape):
        args = []
        for a, s in zip(arrays, shapes):
            src = tuple(0 if d == 1 else i for i, d in zip(idx, s))
            args.append(a.reshape(s)[src].item())
        out[idx] = fn(*args)
    return out


def trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


FLOAT_BINARY = {
    "ADD": lambda a, b: a + b,
    "SUB": lambda a, b: a - b,
    "MUL": lambda a, b: a * b,
    "DIV": lambda a, b: a / b,
    "SQUARED_DIFFERENCE": lambda a, b: (a - b) ** 2,
    "MAXIMUM": max,
    "MINIMUM": min,
    "ATAN2": math.atan2,
    "POW": lambda a, b: abs(a) ** b,  # inputs made positive below
}

INT_BINARY = {
    "ADD": lambda a, b: wrap(a + b),
    "SUB": lambda a, b: wrap(a - b),
    "MUL": lambda a, b: wrap(a * b),
    "DIV": trunc_div,
    "FLOOR_DIV": lambda a, b: a // b,
    "FLOOR_MOD": lambda a, b: a % b,
    "SQUARED_DIFFERENCE": lambda a, b: wrap((a - b) ** 2),
    "MAXIMUM": max,
    "MINIMUM": min,
}

shape_pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4)


@settings(max_examples=40, deadline=None)
@given(shapes=shape_pairs, op=st.sampled_from(sorted(FLOAT_BINARY)), seed=st.integers(0, 2**16))
def test_float_binary_broadcasting(shapes, op, seed):
    rng = np.random.default_rng(seed)
    a, b = (rng.uniform(-4, 4, s).astype(np.float32) for s in shapes.input_shapes)
    if op == "POW":
        a = np.abs(a) + np.float32(0.5)
    if op == "DIV":
        b = np.where(np.abs(b) < 0.1, np.float32(1.5), b)
    (got,) = run_kernel(op, [a, b])
    want = broadcast_ref(FLOAT_BINARY[op], [a.astype(np.float64), b.astype(np.float64)], np.float64)
    assert got.shape == shapes.result_shape and got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(shapes=shape_pairs, op=st.sampled_from(sorted(INT_BINARY)), seed=st.integers(0, 2**16))
def test_int32_binary_broadcasting(shapes, op, seed):
    rng = np.random.default_rng(seed)
    a, b = (rng.integers(-1000, 1000, s).astype(I32) for s in shapes.input_shapes)
    if op in ("DIV", "FLOOR_DIV", "FLOOR_MOD"):
        b[b == 0] = 7
    (got,) = run_kernel(op, [a, b], out_dtypes=(I32,))
    want = broadcast_ref(INT_BINARY[op], [a.astype(np.int64), b.astype(np.int64)], np.int64)
    assert got.shape == shapes.result_shape and got.dtype == I32
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("op", ["ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM", "FLOOR_MOD"])
def test_int64_binary(op):
    a = np.array([[2**40, -(2**50), 7], [-9, 3, 2**62]], np.int64)
    b = np.array([3, -(2**33), 2**62], np.int64)
    ref = {
        "ADD": lambda x, y: wrap(x + y, 64),
        "SUB": lambda x, y: wrap(x - y, 64),
        "MUL": lambda x, y: wrap(x * y, 64),
        "MAXIMUM": max,
        "MINIMUM": min,
        "FLOOR_MOD": lambda x, y: x % y,
    }[op]
    (got,) = run_kernel(op, [a, b], out_dtypes=(np.int64,))
    want = broadcast_ref(ref, [a, b], object).astype(np.int64)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, want)


def test_int32_wraps_on_overflow():
    a = np.array([INT32_MAX, INT32_MIN, 70000], I32)
    b = np.array([1, -1, 70000], I32)
    added = run_kernel("ADD", [a, b], out_dtypes=(I32,))[0].tolist()
    assert added == [INT32_MIN, INT32_MAX, 140000]
    multiplied = run_kernel("MUL", [a, b], out_dtypes=(I32,))[0].tolist()
    assert multiplied == [INT32_MAX, INT32_MIN, wrap(70000 * 70000)]


@pytest.mark.parametrize(
    "act,lo,hi",
    [
        ("NONE", -50, 50),
        ("RELU", 0, 50),
        ("RELU6", 0, 6),
        ("RELU_N1_TO_1", -1, 1),
        ("TANH", -50, 50),
        ("SIGN_BIT", -50, 50),
    ],
)
@pytest.mark.parametrize(
    "op,dtype",
    [
        (op, dt)
        for op in ("ADD", "SUB", "MUL", "DIV")
        for dt in (np.float32, I32, np.int64)
        if (op, dt) != ("DIV", np.int64)
    ],
)
def test_fused_activation_is_a_clamp(op, act, lo, hi, dtype):
    """TFLite clamps RELU/RELU6/RELU_N1_TO_1 and leaves TANH/SIGN_BIT results untouched."""
    a = np.array([[-9, -3, -1, 0], [1, 2, 7, 9]], dtype)
    b = np.array([1, 2, -1, 3], dtype)
    fn = {
        "ADD": lambda x, y: x + y,
        "SUB": lambda x, y: x - y,
        "MUL": lambda x, y: x * y,
        "DIV": (lambda x, y: x / y) if dtype == np.float32 else trunc_div,
    }[op]
    (got,) = run_kernel(op, [a, b], {"fused_activation_function": act}, out_dtypes=(dtype,))
    want = broadcast_ref(lambda x, y: min(max(fn(x, y), lo), hi), [a, b], np.float64)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_unknown_fused_activation_is_a_model_error():
    x = np.ones(3, np.float32)
    with pytest.raises(InvalidModelError, match="fused activation"):
        run_kernel("ADD", [x, x], {"fused_activation_function": "GELU"})


def test_int32_div_truncates_and_saturates():
    a = np.array([7, -7, 7, -7, INT32_MIN, 0], I32)
    b = np.array([2, 2, -2, -2, -1, 5], I32)
    (got,) = run_kernel("DIV", [a, b], out_dtypes=(I32,))
    assert got.tolist() == [3, -3, -3, 3, INT32_MAX, 0]  # LiteRT saturates INT32_MIN / -1


def test_floor_div_and_mod_signs():
    a = np.array([7, -7, 7, -7], I32)
    b = np.array([2, 2, -2, -2], I32)
    assert run_kernel("FLOOR_DIV", [a, b], out_dtypes=(I32,))[0].tolist() == [3, -4, -4, 3]
    assert run_kernel("FLOOR_MOD", [a, b], out_dtypes=(I32,))[0].tolist() == [1, 1, -1, -1]


def test_float_floor_div_divides_in_double():
    # float32(1) / float32(0.1) rounds to 10.0 in float32, but is 9.99999985 in double.
    a, b = np.float32([1, -1, 5.5, -5.5]), np.float32([0.1, 0.1, 2, 2])
    (got,) = run_kernel("FLOOR_DIV", [a, b])
    want = [math.floor(float(x) / float(y)) for x, y in zip(a, b)]
    assert got.tolist() == want == [9, -10, 2, -3]


@pytest.mark.filterwarnings("error")
def test_float_floor_mod_follows_fmod_then_divisor_sign():
    a = np.float32([5.5, -5.5, 5.5, -5.5, 4, -4, 1])
    b = np.float32([2, 2, -2, -2, 2, 2, 0])
    (got,) = run_kernel("FLOOR_MOD", [a, b])
    np.testing.assert_array_equal(got[:6], [1.5, 0.5, -0.5, -1.5, 0.0, 0.0])
    assert np.signbit(got[5]) and not np.signbit(got[4])  # fmod's zero keeps the dividend sign
    assert np.isnan(got[6])


@pytest.mark.parametrize(
    "op,dtype",
    [
        ("DIV", I32),
        ("FLOOR_DIV", I32),
        ("FLOOR_MOD", I32),
        ("FLOOR_MOD", np.int64),
        ("FLOOR_DIV", np.float32),
    ],
)
def test_zero_divisor_fails_like_litert(op, dtype):
    a, b = np.array([4, 5], dtype), np.array([2, 0], dtype)
    with pytest.raises(InvokeError, match="division by zero"):
        run_kernel(op, [a, b], out_dtypes=(dtype,))
    with pytest.raises(InvalidModelError, match="division by zero"):
        run_kernel(op, [a, b], const=(1,), out_dtypes=(dtype,))


@pytest.mark.filterwarnings("error")
def test_float_div_by_zero_is_ieee():
    (got,) = run_kernel("DIV", [np.float32([1, -1, 0]), np.float32([0, 0, 0])])
    assert got[0] == np.inf and got[1] == -np.inf and np.isnan(got[2])


def test_int32_pow_goes_through_double():
    a = np.array([3, -2, 0, 2, -3, 7], I32)
    b = np.array([19, 31, 0, 31, 3, 40], I32)
    (got,) = run_kernel("POW", [a, b], out_dtypes=(I32,))
    want = [
        x**y if INT32_MIN <= x**y <= INT32_MAX else INT32_MIN
        for x, y in zip(a.tolist(), b.tolist())
    ]
    assert got.tolist() == want
    assert want[3] == want[5] == INT32_MIN  # out of range: x86's conversion result
    with pytest.raises(InvokeError, match="negative exponent"):
        run_kernel("POW", [a, -b], out_dtypes=(I32,))
    with pytest.raises(InvalidModelError, match="negative exponent"):
        run_kernel("POW", [a, -b], const=(1,), out_dtypes=(I32,))


@pytest.mark.filterwarnings("error")
def test_float_pow_special_values():
    (got,) = run_kernel("POW", [np.float32([-2, -2, 0, 0]), np.float32([0.5, 3, 0, -1])])
    assert np.isnan(got[0]) and got[1] == -8 and got[2] == 1 and got[3] == np.inf


def test_add_n_sums_in_order():
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(4)]
    (got,) = run_kernel("ADD_N", xs)
    want = ((xs[0] + xs[1]) + xs[2]) + xs[3]  # sequential float32 adds, as TFLite
    np.testing.assert_array_equal(got, want)
    ints = [np.array([INT32_MAX, 1], I32), np.array([1, 2], I32)]
    assert run_kernel("ADD_N", ints, out_dtypes=(I32,))[0].tolist() == [INT32_MIN, 3]


@pytest.mark.parametrize(
    "inputs,match",
    [
        ([np.ones(2, np.float32)], "at least 2"),
        ([np.ones(2, np.float32), np.ones(1, np.float32)], "must match"),
        ([np.ones(2, np.float32), np.ones(2, I32)], "must match"),
    ],
)
def test_add_n_rejects(inputs, match):
    with pytest.raises(InvalidModelError, match=match):
        run_kernel("ADD_N", inputs)


def test_binary_shape_and_dtype_errors():
    with pytest.raises(InvalidModelError, match="do not broadcast"):
        run_kernel("MUL", [np.ones((2, 3), np.float32), np.ones((4,), np.float32)])
    with pytest.raises(InvalidModelError, match="different dtypes"):
        run_kernel("SUB", [np.ones(3, np.float32), np.ones(3, I32)])
    with pytest.raises(InvalidModelError, match="expects 2 input"):
        run_kernel("MAXIMUM", [np.ones(3, np.float32), None])


# --- unary math ------------------------------------------------------------------------------

UNARY = {
    "ABS": abs,
    "NEG": lambda x: -x,
    "SQUARE": lambda x: x * x,
    "SQRT": math.sqrt,
    "RSQRT": lambda x: 1 / math.sqrt(x),
    "EXP": math.exp,
    "LOG": math.log,
    "SIN": math.sin,
    "COS": math.cos,
    "FLOOR": math.floor,
    "CEIL": math.ceil,
    "ROUND": round,  # Python rounds half to even, as TFLite does
    "SIGN": lambda x: (x > 0) - (x < 0),
}
POSITIVE_ONLY = {"SQRT", "RSQRT", "LOG"}


@settings(max_examples=30, deadline=None)
@given(
    op=st.sampled_from(sorted(UNARY)),
    shape=st.lists(st.integers(0, 5), min_size=0, max_size=4).map(tuple),
    seed=st.integers(0, 2**16),
)
def test_float_unary(op, shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-6, 6, shape).astype(np.float32)
    if op in POSITIVE_ONLY:
        x = np.abs(x) + np.float32(0.01)
    (got,) = run_kernel(op, [x])
    want = broadcast_ref(UNARY[op], [x.astype(np.float64)], np.float64)
    assert got.shape == x.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_round_is_half_to_even():
    x = np.float32([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999998, 3.5000002])
    (got,) = run_kernel("ROUND", [x])
    assert got.tolist() == [round(float(v)) for v in x] == [0, 2, 2, 0, -2, -2, 2, 4]


def test_sign_of_negative_zero_is_positive_zero():
    (got,) = run_kernel("SIGN", [np.float32([-0.0, 0.0, -3, 4])])
    assert got.tolist() == [0, 0, -1, 1] and not np.signbit(got[:2]).any()


@pytest.mark.filterwarnings("error")
def test_unary_special_values_without_warnings():
    zero_neg = np.float32([0.0, -1.0])
    assert run_kernel("LOG", [zero_neg])[0][0] == -np.inf
    assert np.isnan(run_kernel("SQRT", [zero_neg])[0][1])
    assert run_kernel("RSQRT", [zero_neg])[0][0] == np.inf
    assert run_kernel("EXP", [np.float32([100.0])])[0][0] == np.inf


@pytest.mark.parametrize(
    "op,ref",
    [
        ("ABS", lambda v: wrap(abs(v))),
        ("NEG", lambda v: wrap(-v)),
        ("SIGN", lambda v: (v > 0) - (v < 0)),
    ],
)
def test_int32_unary(op, ref):
    x = np.array([INT32_MIN, -5, 0, 7, INT32_MAX], I32)
    (got,) = run_kernel(op, [x], out_dtypes=(I32,))
    assert got.dtype == I32 and got.tolist() == [ref(v) for v in x.tolist()]


def test_int64_neg():
    x = np.array([-(2**63), -5, 2**40], np.int64)
    (got,) = run_kernel("NEG", [x], out_dtypes=(np.int64,))
    assert got.tolist() == [wrap(-v, 64) for v in x.tolist()]


# --- comparisons and logic -------------------------------------------------------------------

COMPARE = {
    "EQUAL": lambda a, b: a == b,
    "NOT_EQUAL": lambda a, b: a != b,
    "LESS": lambda a, b: a < b,
    "LESS_EQUAL": lambda a, b: a <= b,
    "GREATER": lambda a, b: a > b,
    "GREATER_EQUAL": lambda a, b: a >= b,
}


@settings(max_examples=40, deadline=None)
@given(
    shapes=shape_pairs,
    op=st.sampled_from(sorted(COMPARE)),
    dtype=st.sampled_from([np.float32, I32, np.int64]),
    seed=st.integers(0, 2**16),
)
def test_comparisons_broadcast(shapes, op, dtype, seed):
    rng = np.random.default_rng(seed)
    a, b = (rng.integers(-3, 3, s).astype(dtype) for s in shapes.input_shapes)  # many ties
    (got,) = run_kernel(op, [a, b], out_dtypes=(np.float32,))  # declared dtype is overridden
    assert got.dtype == np.bool_ and got.shape == shapes.result_shape
    np.testing.assert_array_equal(got, broadcast_ref(COMPARE[op], [a, b], bool))


@pytest.mark.parametrize("op", ["EQUAL", "NOT_EQUAL", "LOGICAL_AND", "LOGICAL_OR"])
def test_bool_binary(op):
    a = np.array([[True, True], [False, False]])
    b = np.array([True, False])
    fn = {
        "EQUAL": lambda x, y: x == y,
        "NOT_EQUAL": lambda x, y: x != y,
        "LOGICAL_AND": lambda x, y: x and y,
        "LOGICAL_OR": lambda x, y: x or y,
    }[op]
    (got,) = run_kernel(op, [a, b], out_dtypes=(np.bool_,))
    np.testing.assert_array_equal(got, broadcast_ref(fn, [a, b], bool))


def test_logical_not():
    x = np.array([[True, False, True]])
    (got,) = run_kernel("LOGICAL_NOT", [x], out_dtypes=(np.bool_,))
    assert got.tolist() == [[False, True, False]]


def test_comparison_dtype_mismatch():
    with pytest.raises(InvalidModelError, match="different dtypes"):
        run_kernel("LESS", [np.ones(2, np.float32), np.ones(2, I32)], out_dtypes=(np.bool_,))


# --- SELECT / SELECT_V2 ----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, I32, np.int64, np.bool_, np.uint8])
def test_select_v2_broadcasts_all_three(dtype):
    rng = np.random.default_rng(2)
    cond = rng.random((2, 1, 3)) > 0.5
    x = rng.integers(0, 2, (4, 1)).astype(dtype)
    y = rng.integers(2, 4, (1, 4, 3)).astype(dtype)
    (got,) = run_kernel("SELECT_V2", [cond, x, y], out_dtypes=(dtype,))
    want = broadcast_ref(lambda c, a, b: a if c else b, [cond, x, y], dtype)
    assert got.shape == (2, 4, 3) and got.dtype == dtype
    np.testing.assert_array_equal(got, want)


def test_select_is_bit_exact():
    x = np.float32([-0.0, np.nan, 1e-45, -np.inf])
    y = np.float32([0.0, 1.0, 2.0, 3.0])
    (got,) = run_kernel("SELECT", [np.array([True, True, True, True]), x, y])
    assert got.view(I32).tolist() == x.view(I32).tolist()


@pytest.mark.parametrize(
    "cond",
    [
        np.array(True),
        np.array(False),
        np.array([True, False, True]),
        np.array([[True, False], [False, True], [True, True]]),
    ],
)
def test_select_v1_condition_forms(cond):
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    y = -x - 1
    (got,) = run_kernel("SELECT", [cond, x, y])
    for i in range(3):
        for j in range(2):
            c = cond if cond.ndim == 0 else cond[i] if cond.ndim == 1 else cond[i, j]
            assert got[i, j] == (x[i, j] if c else y[i, j])


@pytest.mark.parametrize(
    "op,cond,x,y,match",
    [
        ("SELECT", np.ones((3, 1), bool), np.ones((3, 2)), np.ones((3, 2)), "condition shape"),
        ("SELECT", np.ones(3, bool), np.ones((3, 2)), np.ones((1, 2)), "one shape"),
        ("SELECT_V2", np.ones(3, bool), np.ones((3, 2)), np.ones((3, 2)), "do not broadcast"),
        ("SELECT_V2", np.ones(2, np.int32), np.ones(2), np.ones(2), "must be bool"),
    ],
)
def test_select_rejects(op, cond, x, y, match):
    with pytest.raises(InvalidModelError, match=match):
        run_kernel(op, [cond, x.astype(np.float32), y.astype(np.float32)], family="bool")


# --- CAST ------------------------------------------------------------------------------------

SPECIAL = np.float32(
    [
        -1.5,
        -0.7,
        0.7,
        2.9,
        127.9,
        -128.9,
        255.5,
        300.7,
        -300.7,
        3e9,
        -3e9,
        1e20,
        np.inf,
        -np.inf,
        np.nan,
        -0.0,
    ]
)


def saturate_trunc(v: float, dtype) -> int:
    info = np.iinfo(dtype)
    if math.isnan(v):
        return int(info.max)
    if math.isinf(v):
        return int(info.max if v > 0 else info.min)
    return min(max(math.trunc(v), int(info.min)), int(info.max))


@pytest.mark.parametrize(
    "dtype", [I32, np.int64, np.uint8, np.int8, np.int16, np.uint16, np.uint32]
)
@pytest.mark.filterwarnings("error")
def test_cast_float_to_int_truncates_and_saturates(dtype):
    (got,) = run_kernel("CAST", [SPECIAL], out_dtypes=(dtype,))
    assert got.dtype == dtype
    assert got.tolist() == [saturate_trunc(float(v), dtype) for v in SPECIAL]


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.uint32, np.int64])
def test_cast_int_to_int_wraps(dtype):
    x = np.array([-1, 0, 1, 255, 256, -129, 70000, INT32_MAX, INT32_MIN], I32)
    info = np.iinfo(dtype)
    (got,) = run_kernel("CAST", [x], out_dtypes=(dtype,))
    assert got.tolist() == [wrap(int(v), info.bits, info.min < 0) for v in x.tolist()]


def test_cast_bool_and_float_targets():
    x = np.float32([0.0, -0.0, 0.5, np.nan, -3])
    assert run_kernel("CAST", [x], out_dtypes=(np.bool_,))[0].tolist() == [bool(v) for v in x]
    b = np.array([True, False])
    assert run_kernel("CAST", [b], out_dtypes=(np.float32,))[0].tolist() == [1.0, 0.0]
    assert run_kernel("CAST", [b], out_dtypes=(np.uint8,))[0].tolist() == [1, 0]
    big = np.array([2**31 - 1, 2**24 + 1], I32)
    got = run_kernel("CAST", [big], out_dtypes=(np.float32,))[0]
    assert got.tolist() == [float(np.float32(v)) for v in big.tolist()] == [2.0**31, 2.0**24]
    h = run_kernel("CAST", [np.float32([1 / 3, 70000])], out_dtypes=(np.float16,))[0]
    assert h.dtype == np.float16 and h[0] == np.float16(1 / 3) and h[1] == np.inf


def test_cast_rejects_unsupported_types():
    with pytest.raises(InvalidModelError, match="cannot cast"):
        run_kernel("CAST", [np.ones(2, np.float32)], out_dtypes=(np.complex64,))
