"""Integer activation, softmax and LUT kernels against LiteRT's reference kernels.

One-op models with random scales and zero points: our outputs must equal LiteRT's BUILTIN_REF
outputs bit for bit. Independent checks: the quantized results stay within a step or two of
the float function, and the fixed output parameters TFLite requires are enforced.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_harness import run_kernel
from litert_compare import assert_matches_litert
from tflite_builder import options, single_op

from edgelite.errors import InvalidModelError, InvokeError
from edgelite.interpreter.kernels._sigmoid16 import SIGMOID_TABLE

SETTINGS = settings(max_examples=35, deadline=None)
SEEDS = st.integers(0, 2**32 - 1)


def all_values(dtype, rng, n=300):
    """Every 8-bit value (twice, shuffled), or n random int16 values plus the extremes."""
    info = np.iinfo(dtype)
    if info.bits == 8:
        x = np.arange(info.min, info.max + 1).astype(dtype)
        return rng.permutation(np.concatenate([x, x])).reshape(2, -1)
    x = rng.integers(info.min, info.max + 1, n).astype(dtype)
    x[:2] = info.min, info.max
    return x.reshape(3, -1)


def qparams(rng, dtype, lo=0.005, hi=0.2):
    if dtype == np.int16:
        return float(rng.uniform(lo, hi) * 1e-3), 0
    info = np.iinfo(dtype)
    return float(rng.uniform(lo, hi)), int(rng.integers(info.min, info.max + 1))


def dequant(q, s, zp):
    return (np.asarray(q, np.float64) - zp) * s


# --- LOGISTIC / TANH -------------------------------------------------------------------------


_FIXED_OUT = {  # (op, dtype) -> output (scale, zero point)
    ("LOGISTIC", np.int8): (1 / 256, -128),
    ("LOGISTIC", np.uint8): (1 / 256, 0),
    ("LOGISTIC", np.int16): (2**-15, 0),
    ("TANH", np.int8): (1 / 128, 0),
    ("TANH", np.uint8): (1 / 128, 128),
    ("TANH", np.int16): (2**-15, 0),
}


@SETTINGS
@given(st.sampled_from(sorted(_FIXED_OUT, key=str)), st.integers(0, 3), SEEDS)
def test_logistic_tanh_match_litert(key, scale_kind, seed):
    op, dtype = key
    rng = np.random.default_rng(seed)
    x = all_values(dtype, rng)
    s_in, zp = qparams(rng, dtype)
    if dtype == np.int16 and scale_kind < 2:  # the power-of-two input scales take a fast path
        s_in = 2.0 ** (-12 + scale_kind)
    out = _FIXED_OUT[key]
    model = single_op(op, [x], x.shape, dtype, in_quant={0: (s_in, zp)}, out_quant=out, version=2)
    (got,) = assert_matches_litert(model, [x])
    f = np.tanh if op == "TANH" else lambda v: 1 / (1 + np.exp(-v))
    want = f(dequant(x, s_in, zp)) / out[0] + out[1]
    assert np.abs(got - want).max() <= (1.0 if dtype != np.int16 else 8.0)


def test_sigmoid_table_is_sigmoid_of_i_over_24():
    i = np.arange(256)
    assert np.abs(SIGMOID_TABLE - 65536 / (1 + np.exp(-i / 24))).max() <= 1.5
    assert np.all(np.diff(SIGMOID_TABLE) >= 0)


def test_logistic_needs_fixed_output_scale():
    x = np.zeros(4, np.int8)
    with pytest.raises(InvalidModelError, match="1/256"):
        run_kernel(
            "LOGISTIC", [x], out_dtypes=(np.int8,), quant={"in0": (0.1, 0), "out0": (0.01, 0)}
        )
    h = np.zeros(4, np.int16)
    with pytest.raises(InvalidModelError, match="2\\*\\*-15"):
        run_kernel("TANH", [h], out_dtypes=(np.int16,), quant={"in0": (1e-4, 0), "out0": (1e-4, 0)})
    huge = {"in0": (1e25, 0), "out0": (2**-15, 0)}  # its rescaling multiplier passes int32
    for op in ("LOGISTIC", "TANH"):
        with pytest.raises(InvalidModelError, match="too large"):
            run_kernel(op, [h], out_dtypes=(np.int16,), quant=huge)


# --- SOFTMAX / LOG_SOFTMAX -------------------------------------------------------------------

_SOFTMAX_TYPES = [
    (np.int8, np.int8, (1 / 256, -128)),
    (np.int8, np.int16, (1 / 65536, -32768)),  # offset by min(int16), as TFLite does
    (np.uint8, np.uint8, (1 / 256, 0)),
    (np.int16, np.int16, (1 / 32768, 0)),
]


@SETTINGS
@given(
    st.sampled_from(_SOFTMAX_TYPES),
    st.integers(1, 3), st.integers(1, 80), st.sampled_from([1.0, 0.5, 2.0, 0.3]), SEEDS,
)  # fmt: skip
def test_softmax_matches_litert(types, rows, depth, beta, seed):
    dtype, out_dtype, out_q = types
    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype)
    x = rng.integers(info.min, info.max + 1, (rows, depth)).astype(dtype)
    if seed % 2:  # narrow rows, where many values matter
        x = (x // 16).astype(dtype)
    s_in, zp = qparams(rng, dtype, 0.01, 0.3)
    if dtype == np.int16:
        s_in *= 30
    model = single_op(
        "SOFTMAX", [x], x.shape, out_dtype, options("SoftmaxOptions", beta=beta),
        in_quant={0: (s_in, zp)}, out_quant=out_q, version=2,
    )  # fmt: skip
    (got,) = assert_matches_litert(model, [x])
    v = dequant(x, s_in, zp) * beta
    e = np.exp(v - v.max(axis=-1, keepdims=True))
    want = e / e.sum(axis=-1, keepdims=True) / out_q[0] + out_q[1]
    # int16 LUTs are coarser, and their exp(-10) floor (~2 steps) leaks into every entry
    tolerance = 2.0 if out_dtype != np.int16 else 16.0 + 3 * depth
    assert np.abs(got - want).max() <= tolerance


@SETTINGS
@given(st.sampled_from(_SOFTMAX_TYPES[:3]), st.integers(1, 1200), SEEDS)
def test_softmax_tiny_input_scale_follows_litert_default_kernel(types, depth, seed):
    """beta * scale * 2**26 <= 1 aborts LiteRT's reference kernel; its default float-table
    kernel (no delegate) is then the judge."""
    dtype, out_dtype, out_q = types
    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype)
    x = rng.integers(info.min, info.max + 1, (2, depth)).astype(dtype)
    s_in = float(rng.uniform(1e-9, 1.4e-8))
    model = single_op(
        "SOFTMAX", [x], x.shape, out_dtype, options("SoftmaxOptions", beta=1.0),
        in_quant={0: (s_in, 0 if dtype == np.int8 else 128)}, out_quant=out_q, version=2,
    )  # fmt: skip
    (got,) = assert_matches_litert(model, [x], resolver="BUILTIN_WITHOUT_DEFAULT_DELEGATES")
    want = 1 / depth / out_q[0] + out_q[1]  # the inputs hardly differ: uniform
    assert np.abs(got - want).max() <= 1


def test_softmax_int8_needs_fixed_output():
    x = np.zeros((1, 4), np.int8)
    with pytest.raises(InvalidModelError, match="zero point -128"):
        run_kernel("SOFTMAX", [x], options={"beta": 1.0}, out_dtypes=(np.int8,),
                   quant={"in0": (0.1, 0), "out0": (1 / 256, 0)})  # fmt: skip


_LOG_SOFTMAX_ZP = {np.int8: 127, np.uint8: 255}  # output scale 16/256, zero point max(type)


@SETTINGS
@given(st.sampled_from([np.int8, np.uint8]), st.integers(1, 3), st.integers(1, 40), SEEDS)
def test_log_softmax_matches_litert(dtype, rows, depth, seed):
    """int8 (reference_integer_ops) and legacy uint8 (reference_ops) LOG_SOFTMAX."""
    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype)
    x = rng.integers(info.min, info.max + 1, (rows, depth)).astype(dtype)
    if seed % 2:  # narrow rows, where many values matter
        x = (x // 16).astype(dtype)
    s_in, zp = qparams(rng, dtype, 0.01, 0.3)
    out_zp = _LOG_SOFTMAX_ZP[dtype]
    model = single_op(
        "LOG_SOFTMAX", [x], x.shape, dtype, options("LogSoftmaxOptions"),
        in_quant={0: (s_in, zp)}, out_quant=(16 / 256, out_zp), version=2,
    )  # fmt: skip
    (got,) = assert_matches_litert(model, [x])
    v = dequant(x, s_in, zp)
    v = v - v.max(axis=-1, keepdims=True)
    want = (v - np.log(np.exp(v).sum(axis=-1, keepdims=True))) * 16 + out_zp
    # the kernel sends inputs far below their row's maximum straight to the type's minimum,
    # a few steps earlier than the float formula reaches it: compare the rest
    kept = got > info.min
    assert np.abs(got - np.clip(want, info.min, info.max))[kept].max(initial=0) <= 1.5


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
@pytest.mark.parametrize(
    "in_q, out_q, message",
    [
        ((0.1, 3), (16 / 256, 0), "'out0' needs scale 16/256 and zero point {zp}"),
        ((0.1, 3), (1 / 16.5, "zp"), "'out0' needs scale 16/256"),
        ((0.1, 3), (1 / 256, "zp"), "'out0' needs scale 16/256"),
        ((1e-9, 3), (16 / 256, "zp"), "too small"),  # the reference kernel aborts
    ],
)
def test_log_softmax_needs_fixed_output(dtype, in_q, out_q, message):
    zp = _LOG_SOFTMAX_ZP[dtype]
    out_q = (out_q[0], zp if out_q[1] == "zp" else out_q[1])
    x = np.zeros((2, 4), dtype)
    with pytest.raises(InvalidModelError, match=message.format(zp=zp)):
        run_kernel("LOG_SOFTMAX", [x], out_dtypes=(dtype,), quant={"in0": in_q, "out0": out_q})


# --- LUT and rescaling activations -------------------------------------------------------------

_UNARY = {  # op -> (families, options factory, version, float function)
    "HARD_SWISH": ((np.int8, np.uint8), None, 1, lambda v: v * np.clip(v + 3, 0, 6) / 6),
    "RELU": ((np.int8, np.uint8, np.int16), None, 2, lambda v: np.maximum(v, 0)),
    "RELU6": ((np.int8, np.uint8, np.int16), None, 2, lambda v: np.clip(v, 0, 6)),
    "RELU_N1_TO_1": ((np.int8, np.uint8), None, 1, lambda v: np.clip(v, -1, 1)),
    "RELU_0_TO_1": ((np.int8, np.uint8), None, 1, lambda v: np.clip(v, 0, 1)),
    "GELU": (
        (np.int8, np.uint8, np.int16),
        lambda rng: options("GeluOptions", approximate=bool(rng.integers(2))),
        2,
        lambda v: 0.5 * v * (1 + np.vectorize(math.erf)(v / math.sqrt(2))),
    ),
    "LEAKY_RELU": (
        (np.int8, np.uint8, np.int16),
        lambda rng: options("LeakyReluOptions", alpha=float(rng.choice([0.01, 0.2, 1.5, -0.3]))),
        2,
        None,
    ),
}
_UNARY_CASES = [(op, t) for op, spec in _UNARY.items() for t in spec[0]]


@SETTINGS
@given(st.sampled_from(_UNARY_CASES), SEEDS)
def test_unary_activation_matches_litert(case, seed):
    op, dtype = case
    _, make_opts, version, f = _UNARY[op]
    rng = np.random.default_rng(seed)
    x = all_values(dtype, rng)
    in_q, out_q = qparams(rng, dtype), qparams(rng, dtype)
    opts = make_opts(rng) if make_opts else None
    model = single_op(op, [x], x.shape, dtype, opts, in_quant={0: in_q}, out_quant=out_q,
                      version=version)  # fmt: skip
    (got,) = assert_matches_litert(model, [x])
    if f is not None and op != "GELU":  # GELU's tanh form differs from erf by up to 1e-3
        info = np.iinfo(dtype)
        want = np.clip(f(dequant(x, *in_q)) / out_q[0] + out_q[1], info.min, info.max)
        assert np.abs(got - want).max() <= 1.01


@SETTINGS
@given(SEEDS)
def test_elu_int8_matches_litert(seed):
    """LiteRT's BUILTIN_REF has no ELU; its default kernel uses the same int8 LUT."""
    rng = np.random.default_rng(seed)
    x = all_values(np.int8, rng)
    in_q, out_q = qparams(rng, np.int8), qparams(rng, np.int8)
    model = single_op("ELU", [x], x.shape, np.int8, in_quant={0: in_q}, out_quant=out_q)
    (got,) = assert_matches_litert(model, [x], resolver="BUILTIN")
    v = dequant(x, *in_q)
    want = np.clip(np.where(v < 0, np.expm1(v), v) / out_q[0] + out_q[1], -128, 127)
    assert np.abs(got - want).max() <= 1.01


@SETTINGS
@given(st.sampled_from([np.int8, np.uint8, np.int16]), st.integers(0, 3), SEEDS)
def test_prelu_matches_litert(dtype, alpha_rank, seed):
    """int8/uint8 take alpha of their own type, int16 an int8 alpha."""
    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype)
    x = rng.integers(info.min, info.max + 1, (2, 3, 4, 5)).astype(dtype)
    a_type = np.int8 if dtype == np.int16 else dtype
    a_info = np.iinfo(a_type)
    alpha_shape = (3, 4, 5)[3 - alpha_rank :]
    alpha = rng.integers(a_info.min, a_info.max + 1, alpha_shape).astype(a_type)
    a_q = (float(rng.uniform(0.001, 0.01)), int(rng.integers(a_info.min, a_info.max + 1)))
    in_q, out_q = qparams(rng, dtype), qparams(rng, dtype)
    model = single_op(
        "PRELU", [x, alpha], x.shape, dtype, const=(1,),
        in_quant={0: in_q, 1: a_q}, out_quant=out_q,
    )  # fmt: skip
    (got,) = assert_matches_litert(model, [x])
    v = dequant(x, *in_q)
    want = np.where(v >= 0, v, v * dequant(alpha, *a_q)) / out_q[0] + out_q[1]
    assert np.abs(got - np.clip(want, info.min, info.max)).max() <= 1.01


@SETTINGS
@given(st.sampled_from([np.int8, np.int16]), SEEDS)
def test_rsqrt_matches_litert(dtype, seed):
    rng = np.random.default_rng(seed)
    in_q, out_q = qparams(rng, dtype), qparams(rng, dtype, 0.01, 1.0)
    x = np.maximum(all_values(dtype, rng), in_q[1]).astype(dtype)  # defined for x >= 0 only
    model = single_op("RSQRT", [x], x.shape, dtype, in_quant={0: in_q}, out_quant=out_q, version=2)
    (got,) = assert_matches_litert(model, [x])
    v = dequant(x, *in_q)
    # int16 interpolates 1/sqrt linearly over 512 steps: coarse near 0, so check away from it
    ok = v > (0 if dtype == np.int8 else in_q[0] * 4096)
    info = np.iinfo(dtype)
    want = np.clip(1 / np.sqrt(v[ok]) / out_q[0] + out_q[1], info.min, info.max)
    assert np.abs(got[ok] - want).max(initial=0) <= (1.01 if dtype == np.int8 else 164)


def test_rsqrt_negative_input_fails_at_invoke():
    x = np.array([3, -2], np.int8)
    with pytest.raises(InvokeError, match="positive"):
        run_kernel("RSQRT", [x], out_dtypes=(np.int8,), quant={"in0": (0.1, 0), "out0": (0.1, 0)})


@pytest.mark.parametrize("zp, want", [(0, [0, 2, 2, 4]), (3, [4, 4, 6, 6])])
def test_elu_int8_rounds_like_xnnpack(zp, want):
    """LiteRT's default int8 ELU (XNNPACK's LUT) rounds y / out_scale + out_zp half to even, the
    zero point added first: inputs 1, 3, 5, 7 at scale 1/2 are 0.5, 1.5, 2.5, 3.5 (+ zp), which
    TFLite's own LUTPopulate would round half away from zero before adding the zero point."""
    x = np.arange(-128, 128).astype(np.int8)
    model = single_op("ELU", [x], x.shape, np.int8, in_quant={0: (0.5, 0)}, out_quant=(1.0, zp))
    (got,) = assert_matches_litert(model, [x], resolver="BUILTIN")
    assert list(got[128 + np.array([1, 3, 5, 7])]) == want


# --- ABS / EXP / LOG ------------------------------------------------------------------------

_ELEMENTWISE_VERSIONS = {("ABS", np.int8): 2, ("ABS", np.int16): 3}  # EXP / LOG: 2


@SETTINGS
@given(st.sampled_from(["ABS", "EXP", "LOG"]), st.sampled_from([np.int8, np.int16]), SEEDS)
def test_abs_exp_log_match_litert(op, dtype, seed):
    """int8 / int16 ABS (rescaled |x - zp|) and EXP, int8 LOG (LUTs of the float transform;
    log of values at or below zero gives the output's minimum, as in LiteRT)."""
    if op == "LOG" and dtype == np.int16:
        dtype = np.int8  # int16 LOG: no kernel (see log.py)
    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype)
    x = rng.integers(info.min, info.max + 1, (3, 41)).astype(dtype)
    s_in, z_in = qparams(rng, dtype)
    s_out, z_out = qparams(rng, dtype)
    if seed % 3 == 0:  # same parameters: ABS skips its rescale
        s_out, z_out = s_in, z_in
    version = _ELEMENTWISE_VERSIONS.get((op, dtype), 2)
    model = single_op(
        op, [x], x.shape, dtype, version=version, in_quant={0: (s_in, z_in)},
        out_quant=(s_out, z_out),
    )  # fmt: skip
    assert_matches_litert(model, [x])
