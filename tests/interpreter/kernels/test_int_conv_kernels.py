"""Integer and hybrid weighted kernels (conv, depthwise, transpose conv, FC, batch matmul),
pooling and quantized MEAN/SUM against LiteRT's reference kernels and numpy formulas.

One-op models with random shapes, strides, paddings, dilations, per-channel scales and zero
points: integer outputs must equal LiteRT's BUILTIN_REF outputs bit for bit; hybrid outputs
(float activations, int8 weights) must agree to float rounding; the int8 conv is also checked
against a loop written here.
"""

from __future__ import annotations

import numpy as np
import pytest
from fixedpoint_ref import mbqm_ref
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_harness import run_kernel
from litert_compare import assert_matches_litert, invoke, litert_outputs
from tflite_builder import options, single_op

from edgelite.errors import InvalidModelError
from edgelite.interpreter import Interpreter
from edgelite.interpreter.kernels import _row_blocks, conv_2d
from edgelite.interpreter.kernels.fixedpoint import quantize_multipliers

SETTINGS = settings(max_examples=40, deadline=None)
SEEDS = st.integers(0, 2**32 - 1)
ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]
INFO = {np.int8: (-128, 127), np.int16: (-32768, 32767), np.uint8: (0, 255)}


def assert_exact(model: bytes, inputs, resolver="BUILTIN_REF"):
    return assert_matches_litert(model, inputs, resolver)[0]


def assert_close(model: bytes, inputs, tol=2e-6):
    want = litert_outputs(model, inputs)
    got = invoke(Interpreter(model_content=model), inputs)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        scale = max(float(np.abs(w).max()), 1e-6)
        assert float(np.abs(g - w).max()) <= tol * scale


def rand_act(rng, dtype):
    x_lo, x_hi = INFO[dtype]
    return lambda shape: rng.integers(x_lo, x_hi + 1, shape).astype(dtype)


def act_quant(rng, dtype):
    """(scale, zero point) of an activation tensor; int16 is symmetric, as TFLite requires."""
    scale = float(rng.uniform(0.002, 0.1)) if dtype != np.int16 else float(rng.uniform(1e-5, 1e-3))
    zp = 0 if dtype == np.int16 else int(rng.integers(*INFO[dtype]))
    return scale, zp


def weights_quant(rng, channels, axis, per_channel=True):
    n = channels if per_channel else 1
    return (rng.uniform(0.001, 0.05, n).astype(np.float32), np.zeros(n, np.int64), axis)


def conv_weights(rng, dtype, shape, channels, axis, per_channel):
    """int8 symmetric weights (per-channel or not), or legacy uint8 with a zero point."""
    if dtype == np.uint8:
        w_q = (np.float32(rng.uniform(0.001, 0.05)), int(rng.integers(0, 256)))
        return rng.integers(0, 256, shape).astype(np.uint8), w_q
    wt = rng.integers(-127, 128, shape).astype(np.int8)
    return wt, weights_quant(rng, channels, axis, per_channel)


def bias_for(rng, dtype, in_scale, w_scales, channels):
    """Bias values and their quantization (input scale x weight scale, one per weight scale:
    TFLite reads a per-tensor bias scale only when there is exactly one)."""
    bdt = np.int64 if dtype == np.int16 else np.int32
    s = np.float64(in_scale) * np.asarray(w_scales[0], np.float64).reshape(-1)
    b = rng.integers(-3000, 3000, channels).astype(bdt)
    return b, (s.astype(np.float32), np.zeros(s.size, np.int64), 0)


def conv_case(rng, dtype, depthwise=False):
    n, h, w = int(rng.integers(1, 3)), int(rng.integers(3, 10)), int(rng.integers(3, 10))
    c = int(rng.integers(1, 7))
    if depthwise and rng.random() < 0.3:  # strided: the einsum over the windows
        c = int(rng.integers(60, 70))
    kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    sh, sw, dh, dw = (int(v) for v in rng.integers(1, 3, 4))
    if rng.random() < 0.5:
        dh = dw = 1
    padding = ["SAME", "VALID"][int(rng.integers(2))]
    if padding == "VALID" and (h < (kh - 1) * dh + 1 or w < (kw - 1) * dw + 1):
        padding = "SAME"
    mult = int(rng.integers(1, 3))
    o = c * mult if depthwise else int(rng.integers(1, 9))
    geo = dict(n=n, h=h, w=w, c=c, o=o, kh=kh, kw=kw, sh=sh, sw=sw, dh=dh, dw=dw)
    return geo, padding, mult


def out_size(size, k, s, d, padding):
    eff = (k - 1) * d + 1
    return -(-size // s) if padding == "SAME" else -(-(size - eff + 1) // s)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.uint8])
@given(seed=SEEDS, per_channel=st.booleans())
@SETTINGS
def test_conv_2d_matches_litert(dtype, seed, per_channel):
    rng = np.random.default_rng(seed)
    g, padding, _ = conv_case(rng, dtype)
    groups = 2 if rng.random() < 0.3 else 1  # grouped: filter channels = input / groups
    x = rand_act(rng, dtype)((g["n"], g["h"], g["w"], g["c"] * groups))
    g["o"] *= groups
    wshape = (g["o"], g["kh"], g["kw"], g["c"])
    wt, w_q = conv_weights(rng, dtype, wshape, g["o"], 0, per_channel)
    in_q, out_q = act_quant(rng, dtype), act_quant(rng, dtype)
    b, b_q = bias_for(rng, dtype, in_q[0], w_q, g["o"])
    oh = out_size(g["h"], g["kh"], g["sh"], g["dh"], padding)
    ow = out_size(g["w"], g["kw"], g["sw"], g["dw"], padding)
    opts = options(
        "Conv2DOptions", padding=padding, stride_h=g["sh"], stride_w=g["sw"],
        dilation_h_factor=g["dh"], dilation_w_factor=g["dw"],
        fused_activation_function=ACTS[int(rng.integers(4))],
    )  # fmt: skip
    model = single_op(
        "CONV_2D", [x, wt, b], (g["n"], oh, ow, g["o"]), dtype, opts, version=4, const=(1, 2),
        in_quant={0: in_q, 1: w_q, 2: b_q}, out_quant=out_q,
    )  # fmt: skip
    assert_exact(model, [x])


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.uint8])
@given(seed=SEEDS, per_channel=st.booleans())
@SETTINGS
def test_depthwise_conv_2d_matches_litert(dtype, seed, per_channel):
    rng = np.random.default_rng(seed)
    g, padding, mult = conv_case(rng, dtype, depthwise=True)
    x = rand_act(rng, dtype)((g["n"], g["h"], g["w"], g["c"]))
    wt, w_q = conv_weights(rng, dtype, (1, g["kh"], g["kw"], g["o"]), g["o"], 3, per_channel)
    in_q, out_q = act_quant(rng, dtype), act_quant(rng, dtype)
    b, b_q = bias_for(rng, dtype, in_q[0], w_q, g["o"])
    oh = out_size(g["h"], g["kh"], g["sh"], g["dh"], padding)
    ow = out_size(g["w"], g["kw"], g["sw"], g["dw"], padding)
    opts = options(
        "DepthwiseConv2DOptions", padding=padding, stride_h=g["sh"], stride_w=g["sw"],
        dilation_h_factor=g["dh"], dilation_w_factor=g["dw"], depth_multiplier=mult,
        fused_activation_function=ACTS[int(rng.integers(4))],
    )  # fmt: skip
    model = single_op(
        "DEPTHWISE_CONV_2D", [x, wt, b], (g["n"], oh, ow, g["o"]), dtype, opts, version=5,
        const=(1, 2), in_quant={0: in_q, 1: w_q, 2: b_q}, out_quant=out_q,
    )  # fmt: skip
    assert_exact(model, [x])


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.uint8])
@given(seed=SEEDS, per_channel=st.booleans())
@settings(max_examples=30, deadline=None)
def test_transpose_conv_matches_litert(dtype, seed, per_channel):
    """int8/int16 per-channel, and legacy uint8 (uint8 weights with a zero point, one
    multiplier); sometimes without bias, with a fused activation (op version 4)."""
    rng = np.random.default_rng(seed)
    n, h, w, c, o = (int(v) for v in rng.integers(1, 6, 5))
    kh, kw, sh, sw = (int(v) for v in rng.integers(1, 4, 4))
    padding = ["SAME", "VALID"][int(rng.integers(2))]
    oh = h * sh if padding == "SAME" else (h - 1) * sh + kh
    ow = w * sw if padding == "SAME" else (w - 1) * sw + kw
    x = rand_act(rng, dtype)((n, h, w, c))
    wt, w_q = conv_weights(rng, dtype, (o, kh, kw, c), o, 0, per_channel)
    in_q, out_q = act_quant(rng, dtype), act_quant(rng, dtype)
    b, b_q = bias_for(rng, dtype, in_q[0], w_q, o)
    shape = np.array([n, oh, ow, o], np.int32)
    opts = options(
        "TransposeConvOptions", padding=padding, stride_h=sh, stride_w=sw,
        fused_activation_function=ACTS[int(rng.integers(4))],
    )  # fmt: skip
    inputs = [shape, wt, x, b] if rng.random() < 0.8 else [shape, wt, x]
    model = single_op(
        "TRANSPOSE_CONV", inputs, (n, oh, ow, o), dtype, opts, version=4,
        const=(0, 1, 3), in_quant={1: w_q, 2: in_q, 3: b_q}, out_quant=out_q,
    )  # fmt: skip
    assert_exact(model, [x])


_U8 = (0.01, 5)  # uint8 weight quantization (scale, zero point)


@pytest.mark.parametrize(
    "x_dtype, wt, w_q, bias, message",
    [
        (np.uint8, np.zeros((2, 1, 1, 3), np.int8), (0.01, 0), None, "need uint8 weights"),
        (np.int8, np.zeros((2, 1, 1, 3), np.uint8), _U8, None, "need int8 weights"),
        (np.uint8, np.zeros((2, 1, 1, 3), np.uint8), ([0.01, 0.02], [5, 5], 0), None,
         "'in1' must be quantized per tensor"),
        (np.uint8, np.zeros((2, 1, 1, 3), np.uint8), _U8, np.zeros(2, np.int64), "must be int32"),
    ],
)  # fmt: skip
def test_transpose_conv_8bit_type_rules(x_dtype, wt, w_q, bias, message):
    """LiteRT refuses these at prepare: uint8 activations take per-tensor uint8 weights,
    int8 ones int8 weights, and both an int32 bias."""
    x = np.zeros((1, 2, 2, 3), x_dtype)
    shape = np.array([1, 2, 2, 2], np.int32)
    quant = {"in1": w_q, "in2": (0.05, 7), "in3": (0.0005, 0), "out0": (0.1, 3)}
    with pytest.raises(InvalidModelError, match=message):
        run_kernel(
            "TRANSPOSE_CONV", [shape, wt, x, bias], {"padding": "SAME"}, const=(0, 1, 3),
            out_dtypes=(x_dtype,), quant=quant,
        )  # fmt: skip


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.uint8])
@given(seed=SEEDS, per_channel=st.booleans(), keep=st.booleans())
@SETTINGS
def test_fully_connected_matches_litert(dtype, seed, per_channel, keep):
    rng = np.random.default_rng(seed)
    lead = tuple(int(v) for v in rng.integers(1, 4, int(rng.integers(1, 3))))
    depth, units = int(rng.integers(1, 40)), int(rng.integers(1, 12))
    x = rand_act(rng, dtype)((*lead, depth))
    in_q, out_q = act_quant(rng, dtype), act_quant(rng, dtype)
    if dtype == np.uint8:  # legacy asymmetric: uint8 weights with a zero point, per-tensor
        wt = rng.integers(0, 256, (units, depth)).astype(np.uint8)
        w_q = (np.float32(rng.uniform(0.001, 0.05)), int(rng.integers(0, 256)))
        b, b_q = bias_for(rng, np.int8, in_q[0], (np.array([w_q[0]]),), units)
        version = 1
    else:
        wt = rng.integers(-127, 128, (units, depth)).astype(np.int8)
        w_q = weights_quant(rng, units, 0, per_channel)
        b, b_q = bias_for(rng, dtype, in_q[0], w_q, units)
        version = 12 if per_channel else 5
    out_shape = (*lead, units) if keep else (int(np.prod(lead)), units)
    opts = options(
        "FullyConnectedOptions", keep_num_dims=keep,
        fused_activation_function=ACTS[int(rng.integers(3))],
    )  # fmt: skip
    model = single_op(
        "FULLY_CONNECTED", [x, wt, b], out_shape, dtype, opts, version=version, const=(1, 2),
        in_quant={0: in_q, 1: w_q, 2: b_q}, out_quant=out_q,
    )  # fmt: skip
    assert_exact(model, [x])


@pytest.mark.parametrize("dtype", [np.int8, np.int16])
@given(seed=SEEDS, adj_x=st.booleans(), adj_y=st.booleans())
@SETTINGS
def test_batch_matmul_matches_litert(dtype, seed, adj_x, adj_y):
    rng = np.random.default_rng(seed)
    b0, m, k, n = (int(v) for v in rng.integers(1, 7, 4))
    xs = (b0, k, m) if adj_x else (b0, m, k)
    ys = (k, n) if not adj_y else (n, k)
    if rng.random() < 0.5:
        ys = (b0, *ys)
    x, y = rand_act(rng, dtype)(xs), rand_act(rng, dtype)(ys)
    qs = [act_quant(rng, dtype) for _ in range(3)]
    opts = options("BatchMatMulOptions", adj_x=adj_x, adj_y=adj_y)
    model = single_op(
        "BATCH_MATMUL", [x, y], (b0, m, n), dtype, opts, version=4,
        in_quant={0: qs[0], 1: qs[1]}, out_quant=qs[2],
    )  # fmt: skip
    assert_exact(model, [x, y])


@pytest.mark.parametrize("op", ["AVERAGE_POOL_2D", "MAX_POOL_2D"])
@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.uint8])
@given(seed=SEEDS)
@SETTINGS
def test_pooling_matches_litert(op, dtype, seed):
    rng = np.random.default_rng(seed)
    n, h, w, c = (int(v) for v in rng.integers(1, 9, 4))
    fh, fw, sh, sw = (int(v) for v in rng.integers(1, 4, 4))
    if seed % 4 == 0:  # windows past the input (with SAME padding only some taps reach it)
        fh, fw = (int(v) for v in rng.integers(1, 14, 2))
    padding = ["SAME", "VALID"][int(rng.integers(2))]
    if padding == "VALID" and (h < fh or w < fw):
        padding = "SAME"
    x = rand_act(rng, dtype)((n, h, w, c))
    q = act_quant(rng, dtype)
    opts = options(
        "Pool2DOptions", padding=padding, stride_h=sh, stride_w=sw, filter_height=fh,
        filter_width=fw, fused_activation_function=ACTS[int(rng.integers(4))],
    )  # fmt: skip
    shape = (n, out_size(h, fh, sh, 1, padding), out_size(w, fw, sw, 1, padding), c)
    model = single_op(op, [x], shape, dtype, opts, version=2, in_quant={0: q}, out_quant=q)
    assert_exact(model, [x])


@pytest.mark.parametrize("op", ["AVERAGE_POOL_2D", "MAX_POOL_2D"])
def test_pooling_window_far_larger_than_input(op):
    """A window of 2**20 x 2**20 with SAME padding covers the whole input at every output
    (LiteRT refuses to prepare it; its loops, like ours, would only visit the input)."""
    rng = np.random.default_rng(3)
    x = rng.integers(-128, 128, (2, 5, 4, 3)).astype(np.int8)
    opts = {"filter_height": 1 << 20, "filter_width": 1 << 20, "stride_h": 2, "stride_w": 3}
    quant = {"in0": (0.1, 3), "out0": (0.1, 3)}
    got = run_kernel(op, [x], opts, out_dtypes=(np.int8,), quant=quant)[0]
    assert got.shape == (2, 3, 2, 3)
    if op == "MAX_POOL_2D":
        want = x.max(axis=(1, 2))
    else:  # the int32 sum over the 20 pixels, divided rounding half away from zero
        total = x.astype(np.int64).sum(axis=(1, 2))
        want = np.sign(total) * ((np.abs(total) + 10) // 20)
    np.testing.assert_array_equal(got, np.broadcast_to(want[:, None, None, :], got.shape))


@pytest.mark.parametrize("op", ["MEAN", "SUM"])
@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.uint8])
@given(seed=SEEDS, keep=st.booleans())
@SETTINGS
def test_mean_sum_match_litert(op, dtype, seed, keep):
    """SUM against LiteRT's default kernel: its reference one reads int8/int16 as uint8."""
    rng = np.random.default_rng(seed)
    shape = tuple(int(v) for v in rng.integers(1, 7, int(rng.integers(1, 5))))
    axes = sorted(set(int(a) for a in rng.integers(0, len(shape), int(rng.integers(1, 3)))))
    x = rand_act(rng, dtype)(shape)
    in_q, out_q = act_quant(rng, dtype), act_quant(rng, dtype)
    if op == "SUM":  # the sum needs room: a coarser output scale
        out_q = (out_q[0] * float(np.prod([shape[a] for a in axes])), out_q[1])
    out_shape = tuple(1 if i in axes else d for i, d in enumerate(shape) if keep or i not in axes)
    opts = options("ReducerOptions", keep_dims=keep)
    model = single_op(
        op, [x, np.array(axes, np.int32)], out_shape, dtype, opts, version=2, const=(1,),
        in_quant={0: in_q}, out_quant=out_q,
    )  # fmt: skip
    assert_exact(model, [x], "BUILTIN_REF" if op == "MEAN" else "BUILTIN")


@pytest.mark.parametrize(
    "dtype, shape, axes",
    [(np.int16, (1, 40, 40, 2), [1, 2]), (np.int8, (1, 300, 300, 1), [1, 2]),
     (np.uint8, (2, 3, 70000), [2])],
)  # fmt: skip
def test_mean_over_many_values_matches_litert(dtype, shape, axes):
    """Counts whose sums leave float32's exact range (int16: the int32 transcription) or
    come close to it (int8: 90,000 values), against LiteRT's reference kernel."""
    rng = np.random.default_rng(5)
    x = rand_act(rng, dtype)(shape)
    out_shape = tuple(d for i, d in enumerate(shape) if i not in axes)
    model = single_op(
        "MEAN", [x, np.array(axes, np.int32)], out_shape, dtype, options("ReducerOptions"),
        version=2, const=(1,), in_quant={0: act_quant(rng, dtype)}, out_quant=act_quant(rng, dtype),
    )  # fmt: skip
    assert_exact(model, [x])


@pytest.mark.parametrize("dtype, zp", [(np.int8, 0), (np.uint8, 128)])
def test_sum_of_8_bit_data_rounds_ties_to_even(dtype, zp):
    """LiteRT's default 8-bit SUM rescales with one round-to-nearest-even (-1.5 -> -2,
    -0.5 -> 0, 2.5 -> 2), unlike the reference kernels' half-away rounding."""
    x = (np.array([-3, -1, 3, 1, -5, 5, -7, 7, -2, 2], np.int64) + zp).astype(dtype)[:, None]
    model = single_op(
        "SUM", [x, np.array([1], np.int32)], (10,), dtype, options("ReducerOptions"), version=2,
        const=(1,), in_quant={0: (0.5, zp)}, out_quant=(1.0, zp),
    )  # fmt: skip
    got = assert_exact(model, [x], "BUILTIN")
    assert list(got.astype(np.int64) - zp) == [-2, 0, 2, 0, -2, 2, -4, 4, -1, 1]


@pytest.mark.parametrize("op", ["CONV_2D", "DEPTHWISE_CONV_2D"])
@given(seed=SEEDS, per_channel=st.booleans())
@settings(max_examples=30, deadline=None)
def test_hybrid_conv_close_to_litert(op, seed, per_channel):
    hybrid_conv_case(op, seed, per_channel)


@pytest.mark.parametrize("op", ["CONV_2D", "DEPTHWISE_CONV_2D"])
@pytest.mark.parametrize("seed", range(6))
def test_hybrid_conv_in_blocks_of_one_row(monkeypatch, op, seed):
    monkeypatch.setattr(_row_blocks, "BLOCK_ELEMENTS", 1)
    monkeypatch.setattr(conv_2d, "MIN_MATMUL_ROWS", 1)
    hybrid_conv_case(op, seed, per_channel=bool(seed % 2))


def hybrid_conv_case(op, seed, per_channel, grid=None):
    """A random hybrid conv/depthwise model checked against LiteRT; ``grid`` puts the inputs
    on multiples of 1 / grid."""
    rng = np.random.default_rng(seed)
    depthwise = op == "DEPTHWISE_CONV_2D"
    g, padding, mult = conv_case(rng, np.int8, depthwise)
    x = on_grid(rng.normal(0, 1, (g["n"], g["h"], g["w"], g["c"])), grid)
    wshape = (1, g["kh"], g["kw"], g["o"]) if depthwise else (g["o"], g["kh"], g["kw"], g["c"])
    wt = rng.integers(-127, 128, wshape).astype(np.int8)
    w_q = weights_quant(rng, g["o"], 3 if depthwise else 0, per_channel or depthwise)
    b = rng.normal(0, 1, g["o"]).astype(np.float32)
    oh = out_size(g["h"], g["kh"], g["sh"], g["dh"], padding)
    ow = out_size(g["w"], g["kw"], g["sw"], g["dw"], padding)
    fields = dict(
        padding=padding, stride_h=g["sh"], stride_w=g["sw"], dilation_h_factor=g["dh"],
        dilation_w_factor=g["dw"], fused_activation_function=ACTS[int(rng.integers(4))],
    )  # fmt: skip
    opts = (
        options("DepthwiseConv2DOptions", depth_multiplier=mult, **fields)
        if depthwise
        else options("Conv2DOptions", **fields)
    )
    model = single_op(
        op, [x, wt, b], (g["n"], oh, ow, g["o"]), np.float32, opts, version=6 if depthwise else 5,
        const=(1, 2), in_quant={1: w_q},
    )  # fmt: skip
    assert_close(model, [x])


def on_grid(x, grid):
    """float32 values, rounded to multiples of 1 / grid when one is given."""
    return (x if grid is None else np.round(x * grid) / grid).astype(np.float32)


@pytest.mark.parametrize("op", ["FULLY_CONNECTED", "BATCH_MATMUL"])
@given(seed=SEEDS, per_channel=st.booleans(), asymmetric=st.booleans())
@settings(max_examples=30, deadline=None)
def test_hybrid_matmuls_close_to_litert(op, seed, per_channel, asymmetric):
    hybrid_matmul_case(op, seed, per_channel, asymmetric)


def hybrid_matmul_case(op, seed, per_channel, asymmetric, grid=None):
    rng = np.random.default_rng(seed)
    rows_, depth, units = (int(v) for v in rng.integers(1, 20, 3))
    x = on_grid(rng.normal(0, 1, (2, rows_, depth)), grid)
    if op == "FULLY_CONNECTED":
        wt = rng.integers(-127, 128, (units, depth)).astype(np.int8)
        b = rng.normal(0, 1, units).astype(np.float32)
        opts = options(
            "FullyConnectedOptions", keep_num_dims=True, asymmetric_quantize_inputs=asymmetric
        )
        ins, const, version = [x, wt, b], (1, 2), 12
    else:
        wt = rng.integers(-127, 128, (depth, units)).astype(np.int8)
        opts = options("BatchMatMulOptions", asymmetric_quantize_inputs=asymmetric)
        ins, const, version, per_channel = [x, wt], (1,), 4, False
    w_q = weights_quant(rng, units, 0, per_channel)
    model = single_op(
        op, ins, (2, rows_, units), np.float32, opts, version=version, const=const,
        in_quant={1: w_q},
    )  # fmt: skip
    assert_close(model, [x])


@pytest.mark.parametrize("op", ["FULLY_CONNECTED", "BATCH_MATMUL", "CONV_2D", "DEPTHWISE_CONV_2D"])
def test_hybrid_asymmetric_quantization_on_rounding_ties(op):
    """Inputs on coarse grids (k / 8, k / 255, ...) put x / scale and the zero point on exact
    halves: LiteRT's reference kernels take the range in float32, the scale and zero point in
    double rounded half away from zero (a float32 zero point rounded half to even differed
    on ~1 in 5 of these models). Per-channel convs quantize their input asymmetrically."""
    for seed in range(100):  # the old rule failed FC/BATCH_MATMUL/depthwise by 40, conv at 85
        grid = [4, 8, 16, 64, 255][seed % 5]
        if op in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            hybrid_conv_case(op, seed, per_channel=True, grid=grid)
        else:
            hybrid_matmul_case(op, seed, per_channel=False, asymmetric=True, grid=grid)


@pytest.mark.parametrize("strides", [1, 2])
@pytest.mark.parametrize("gather", [0, 100, 1 << 15])
def test_pointwise_int8_conv_in_blocks_matches_litert(monkeypatch, strides, gather):
    """The 1x1 integer conv works a few output rows at a time: matmul blocks of one and of
    several rows, requantized one block, a few blocks or the whole batch at a time, with
    ragged last blocks, two batches."""
    monkeypatch.setattr(conv_2d, "POINTWISE_BLOCK", 7 * 5 * 3)
    monkeypatch.setattr(conv_2d, "REQUANT_BLOCK", gather)
    rng = np.random.default_rng(strides)
    x = rng.integers(-128, 128, (2, 9, 13, 5)).astype(np.int8)
    wt = rng.integers(-127, 128, (3, 1, 1, 5)).astype(np.int8)
    w_q = weights_quant(rng, 3, 0)
    b, b_q = bias_for(rng, np.int8, 0.05, w_q, 3)
    oh, ow = -(-9 // strides), -(-13 // strides)
    for act in ["NONE", "RELU6"]:
        opts = options("Conv2DOptions", padding="SAME", stride_h=strides, stride_w=strides,
                       fused_activation_function=act)  # fmt: skip
        model = single_op(
            "CONV_2D", [x, wt, b], (2, oh, ow, 3), np.int8, opts, version=4, const=(1, 2),
            in_quant={0: (0.05, -7), 1: w_q, 2: b_q}, out_quant=(0.04, 3),
        )  # fmt: skip
        assert_exact(model, [x])


@given(seed=SEEDS)
@settings(max_examples=25, deadline=None)
def test_int8_conv_equals_loop_reference(seed):
    rng = np.random.default_rng(seed)
    n, h, w, c, o = 1, int(rng.integers(2, 6)), int(rng.integers(2, 6)), 3, 4
    x = rng.integers(-128, 128, (n, h, w, c)).astype(np.int8)
    wt = rng.integers(-127, 128, (o, 3, 3, c)).astype(np.int8)
    b = rng.integers(-500, 500, o).astype(np.int32)
    zx, zo = int(rng.integers(-20, 20)), int(rng.integers(-20, 20))
    sx, so, sw = 0.05, 0.07, rng.uniform(0.002, 0.02, o).astype(np.float32)
    got = run_kernel(
        "CONV_2D", [x, wt, b], dict(padding="SAME", stride_h=1, stride_w=1), const=(1, 2),
        out_dtypes=(np.int8,), quant={"in0": (sx, zx), "in1": (sw, [0] * o, 0), "out0": (so, zo)},
    )[0]  # fmt: skip
    m, s = quantize_multipliers(
        np.float64(np.float32(sx)) * sw.astype(np.float64) / np.float64(np.float32(so))
    )
    want = np.empty_like(got)
    xp = np.pad(x.astype(np.int64) - zx, ((0, 0), (1, 1), (1, 1), (0, 0)))
    for i in range(h):
        for j in range(w):
            for oc in range(o):
                acc = int(np.sum(xp[0, i : i + 3, j : j + 3] * wt[oc].astype(np.int64))) + int(
                    b[oc]
                )
                want[0, i, j, oc] = min(max(mbqm_ref(acc, int(m[oc]), int(s[oc])) + zo, -128), 127)
    assert np.array_equal(got, want)


def test_integer_conv_needs_constant_weights():
    x = np.zeros((1, 3, 3, 2), np.int8)
    wt = np.ones((2, 1, 1, 2), np.int8)
    quant = {"in0": (0.1, 0), "in1": ([0.1, 0.1], [0, 0], 0), "out0": (0.1, 0)}
    with pytest.raises(InvalidModelError, match="constant weights"):
        run_kernel("CONV_2D", [x, wt, None], {}, out_dtypes=(np.int8,), quant=quant)


def test_int16_activations_must_be_symmetric():
    x = np.zeros((1, 3, 3, 2), np.int16)
    wt = np.ones((2, 1, 1, 2), np.int8)
    quant = {"in0": (0.1, 3), "in1": ([0.1, 0.1], [0, 0], 0), "out0": (0.1, 0)}
    with pytest.raises(InvalidModelError, match="zero points of 0"):
        run_kernel("CONV_2D", [x, wt, None], {}, const=(1,), out_dtypes=(np.int16,), quant=quant)


def test_asymmetric_weights_are_refused_for_int8_conv():
    x = np.zeros((1, 3, 3, 2), np.int8)
    wt = np.ones((2, 1, 1, 2), np.int8)
    quant = {"in0": (0.1, 0), "in1": ([0.1, 0.1], [0, 4], 0), "out0": (0.1, 0)}
    with pytest.raises(InvalidModelError, match="zero points of 0"):
        run_kernel("CONV_2D", [x, wt, None], {}, const=(1,), out_dtypes=(np.int8,), quant=quant)


@pytest.mark.parametrize("op", ["CONV_2D", "DEPTHWISE_CONV_2D"])
@pytest.mark.parametrize("seed", range(8))
def test_int8_conv_in_blocks_of_rows_matches_litert(monkeypatch, op, seed):
    """Windowed integer convs run a block of output rows at a time: 1-3 rows per block,
    zero-point padding rows above and below, strides, dilation, depth multipliers."""
    rng = np.random.default_rng(seed)
    g, padding, mult = conv_case(rng, np.int8, depthwise=op == "DEPTHWISE_CONV_2D")
    g["kh"], g["kw"] = max(g["kh"], 2), max(g["kw"], 2)
    for size, k, d in (("h", "kh", "dh"), ("w", "kw", "dw")):
        g[size] = max(g[size], (g[k] - 1) * g[d] + 1)  # VALID windows must fit
    oh = out_size(g["h"], g["kh"], g["sh"], g["dh"], padding)
    ow = out_size(g["w"], g["kw"], g["sw"], g["dw"], padding)
    width = max(g["o"], g["kh"] * g["kw"] * g["c"])
    monkeypatch.setattr(_row_blocks, "BLOCK_ELEMENTS", int(rng.integers(1, 4)) * ow * width)
    monkeypatch.setattr(conv_2d, "MIN_MATMUL_ROWS", 1)
    x = rand_act(rng, np.int8)((g["n"], g["h"], g["w"], g["c"]))
    in_q, out_q = act_quant(rng, np.int8), act_quant(rng, np.int8)
    common = dict(padding=padding, stride_h=g["sh"], stride_w=g["sw"],
                  dilation_h_factor=g["dh"], dilation_w_factor=g["dw"],
                  fused_activation_function=ACTS[seed % 4])  # fmt: skip
    if op == "CONV_2D":
        wshape, axis, opts, version = (g["o"], g["kh"], g["kw"], g["c"]), 0, "Conv2DOptions", 4
    else:
        wshape, axis, version = (1, g["kh"], g["kw"], g["o"]), 3, 5
        opts, common["depth_multiplier"] = "DepthwiseConv2DOptions", mult
    wt, w_q = conv_weights(rng, np.int8, wshape, g["o"], axis, True)
    b, b_q = bias_for(rng, np.int8, in_q[0], w_q, g["o"])
    model = single_op(
        op, [x, wt, b], (g["n"], oh, ow, g["o"]), np.int8, options(opts, **common),
        version=version, const=(1, 2), in_quant={0: in_q, 1: w_q, 2: b_q}, out_quant=out_q,
    )  # fmt: skip
    assert_exact(model, [x])


@pytest.mark.parametrize("n, x, want", [(1, 0, 10), (3, -2, 12)])
def test_sum_of_8_bit_data_folds_zero_points_into_a_float32_bias(n, x, want):
    """LiteRT's default 8-bit SUM rounds float32(sum) * ratio + float32(zp_out - n * zp_in *
    ratio) half to even, each step in float32. With a ratio just below 1/2 (zp_in -5, zp_out 7,
    n = 1) the bias 7 + 5 * ratio = 9.4999998 is 9.5 in float32, so a 0 sums to 10, where
    rescaling the integer sum + 5 first gives round(2.4999999) + 7 = 9."""
    rows = np.repeat(np.arange(-128, 128)[:, None], n, axis=1).astype(np.int8)
    ratio = float(np.nextafter(np.float32(0.5), np.float32(0)))
    model = single_op(
        "SUM", [rows, np.array([1], np.int32)], (256,), np.int8, options("ReducerOptions"),
        version=2, const=(1,), in_quant={0: (ratio, -5)}, out_quant=(1.0, 7),
    )  # fmt: skip
    got = assert_exact(model, [rows], "BUILTIN")
    assert got[128 + x] == want
