"""CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV float kernels against loop references.

The references loop over output (or input) pixels in float64, with TFLite's SAME/VALID rules
written out here independently of the kernels' helpers.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_harness import run_kernel

from edgelite.errors import InvalidModelError
from edgelite.interpreter.kernels import _row_blocks, conv_2d, depthwise_conv_2d
from edgelite.interpreter.kernels.context import NeedsData

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1", "TANH", "SIGN_BIT"]


def out_and_pad(size, k, stride, dilation, padding):
    eff = (k - 1) * dilation + 1
    out = -(-size // stride) if padding == "SAME" else -(-(size - eff + 1) // stride)
    total = max((out - 1) * stride + eff - size, 0) if padding == "SAME" else 0
    return out, total // 2


def clamp(y, act):
    """TFLite float conv/pool kernels clamp; TANH and SIGN_BIT clamp to the whole range."""
    lo, hi = {"RELU": (0, np.inf), "RELU6": (0, 6), "RELU_N1_TO_1": (-1, 1)}.get(
        act, (-np.inf, np.inf)
    )
    return np.clip(y, lo, hi)


def ref_conv(x, w, b, sh, sw, dh, dw, padding, act):
    n, h, wd, c = x.shape
    o, kh, kw, cg = w.shape
    groups, og = c // cg, o // (c // cg)
    oh, pt = out_and_pad(h, kh, sh, dh, padding)
    ow, pl = out_and_pad(wd, kw, sw, dw, padding)
    y = np.zeros((n, oh, ow, o))
    for oy in range(oh):
        for ox in range(ow):
            for ky in range(kh):
                for kx in range(kw):
                    iy, ix = oy * sh - pt + ky * dh, ox * sw - pl + kx * dw
                    if not (0 <= iy < h and 0 <= ix < wd):
                        continue
                    for g in range(groups):
                        px = x[:, iy, ix, g * cg : (g + 1) * cg].astype(np.float64)
                        wg = w[g * og : (g + 1) * og, ky, kx]
                        y[:, oy, ox, g * og : (g + 1) * og] += px @ wg.T
    if b is not None:
        y += b
    return clamp(y, act)


def ref_depthwise(x, w, b, sh, sw, dh, dw, padding, act):
    n, h, wd, c = x.shape
    _, kh, kw, cd = w.shape
    oh, pt = out_and_pad(h, kh, sh, dh, padding)
    ow, pl = out_and_pad(wd, kw, sw, dw, padding)
    y = np.zeros((n, oh, ow, cd))
    for oy in range(oh):
        for ox in range(ow):
            for ky in range(kh):
                for kx in range(kw):
                    iy, ix = oy * sh - pt + ky * dh, ox * sw - pl + kx * dw
                    if 0 <= iy < h and 0 <= ix < wd:
                        # output channel c * mult + m reads input channel c
                        px = np.repeat(x[:, iy, ix].astype(np.float64), cd // c, axis=-1)
                        y[:, oy, ox] += px * w[0, ky, kx]
    if b is not None:
        y += b
    return clamp(y, act)


def ref_transpose_conv(out_shape, w, x, b, sh, sw, padding, act):
    n, oh, ow, o = out_shape
    _, kh, kw, _ = w.shape
    _, pt = out_and_pad(oh, kh, sh, 1, padding)
    _, pl = out_and_pad(ow, kw, sw, 1, padding)
    y = np.zeros(tuple(out_shape))
    for iy in range(x.shape[1]):
        for ix in range(x.shape[2]):
            for ky in range(kh):
                for kx in range(kw):
                    oy, ox = iy * sh - pt + ky, ix * sw - pl + kx
                    if 0 <= oy < oh and 0 <= ox < ow:
                        y[:, oy, ox] += x[:, iy, ix].astype(np.float64) @ w[:, ky, kx].T
    if b is not None:
        y += b
    return clamp(y, act)


def close(got, want):
    scale = max(1.0, float(np.abs(want).max(initial=0)))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * scale)


def f32(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


def conv_opts(sh=1, sw=1, dh=1, dw=1, padding="SAME", act="NONE", **extra):
    return dict(
        stride_h=sh,
        stride_w=sw,
        dilation_h_factor=dh,
        dilation_w_factor=dw,
        padding=padding,
        fused_activation_function=act,
        **extra,
    )


# -- CONV_2D ---------------------------------------------------------------------------------


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("size", [(7, 7), (8, 6), (5, 9)])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_conv_padding_and_strides(rng, padding, size, stride):
    x = f32(rng, 2, *size, 3)
    w, b = f32(rng, 4, 3, 3, 3), f32(rng, 4)
    opts = conv_opts(stride, stride, padding=padding)
    got = run_kernel("CONV_2D", [x, w, b], opts, const=(1, 2))[0]
    close(got, ref_conv(x, w, b, stride, stride, 1, 1, padding, "NONE"))


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("with_bias", [True, False])
def test_conv_activation_and_bias(rng, act, with_bias):
    x = 3 * f32(rng, 1, 6, 5, 2)
    w = f32(rng, 5, 2, 3, 2)
    b = f32(rng, 5) if with_bias else None
    got = run_kernel("CONV_2D", [x, w, b], conv_opts(act=act), const=(1, 2))[0]
    close(got, ref_conv(x, w, b, 1, 1, 1, 1, "SAME", act))


@pytest.mark.parametrize("dilation", [(1, 1), (2, 2), (3, 1), (1, 3)])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_conv_dilation(rng, dilation, padding):
    x, w, b = f32(rng, 1, 11, 10, 3), f32(rng, 4, 3, 2, 3), f32(rng, 4)
    opts = conv_opts(1, 2, *dilation, padding=padding)
    got = run_kernel("CONV_2D", [x, w, b], opts, const=(1, 2))[0]
    close(got, ref_conv(x, w, b, 1, 2, *dilation, padding, "NONE"))


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_conv_pointwise(rng, stride, padding):
    x, w, b = f32(rng, 2, 7, 8, 5), f32(rng, 6, 1, 1, 5), f32(rng, 6)
    opts = conv_opts(stride, stride, padding=padding, act="RELU6")
    got = run_kernel("CONV_2D", [x, w, b], opts, const=(1, 2))[0]
    close(got, ref_conv(x, w, b, stride, stride, 1, 1, padding, "RELU6"))


@pytest.mark.parametrize("groups,kernel", [(2, 1), (3, 3), (4, 2)])
def test_conv_grouped(rng, groups, kernel):
    x = f32(rng, 2, 6, 5, 2 * groups)
    w, b = f32(rng, 3 * groups, kernel, kernel, 2), f32(rng, 3 * groups)
    got = run_kernel("CONV_2D", [x, w, b], conv_opts(2, 1), const=(1, 2))[0]
    close(got, ref_conv(x, w, b, 2, 1, 1, 1, "SAME", "NONE"))


def test_conv_weights_computed_at_run_time(rng):
    x, w, b = f32(rng, 1, 5, 5, 3), f32(rng, 4, 3, 3, 3), f32(rng, 4)
    got = run_kernel("CONV_2D", [x, w, b], conv_opts(act="RELU"), const=())[0]
    close(got, ref_conv(x, w, b, 1, 1, 1, 1, "SAME", "RELU"))


def test_conv_without_options_table_uses_schema_defaults(rng):
    x, w, b = f32(rng, 1, 4, 4, 2), f32(rng, 3, 3, 3, 2), f32(rng, 3)
    got = run_kernel("CONV_2D", [x, w, b], None, const=(1, 2))[0]
    close(got, ref_conv(x, w, b, 1, 1, 1, 1, "SAME", "NONE"))


@given(
    n=st.integers(1, 2),
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    c=st.integers(1, 4),
    o=st.integers(1, 5),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    sh=st.integers(1, 3),
    sw=st.integers(1, 3),
    dh=st.integers(1, 3),
    dw=st.integers(1, 3),
    padding=st.sampled_from(["SAME", "VALID"]),
    act=st.sampled_from(ACTS),
    groups=st.integers(1, 3),
    seed=st.integers(0, 2**31),
)
@settings(max_examples=60, deadline=None)
def test_conv_property(n, h, w, c, o, kh, kw, sh, sw, dh, dw, padding, act, groups, seed):
    if padding == "VALID" and ((kh - 1) * dh + 1 > h or (kw - 1) * dw + 1 > w):
        return
    rng = np.random.default_rng(seed)
    x, wt, b = f32(rng, n, h, w, c * groups), f32(rng, o * groups, kh, kw, c), f32(rng, o * groups)
    opts = conv_opts(sh, sw, dh, dw, padding, act)
    got = run_kernel("CONV_2D", [x, wt, b], opts, const=(1, 2))[0]
    close(got, ref_conv(x, wt, b, sh, sw, dh, dw, padding, act))


@pytest.mark.parametrize(
    "x_shape,w_shape,b_shape,opts,match",
    [
        ((1, 4, 4, 3), (2, 3, 3, 2), (2,), {}, "multiple of filter channels"),
        ((1, 4, 4, 4), (3, 3, 3, 2), (3,), {}, "do not split"),
        ((1, 4, 4, 3), (2, 3, 3, 3), (5,), {}, "bias shape"),
        ((1, 2, 2, 3), (2, 3, 3, 3), (2,), {"padding": "VALID"}, "does not fit"),
        ((4, 4, 3), (2, 3, 3, 3), (2,), {}, "4-D"),
        ((1, 4, 4, 3), (2, 3, 3, 3), (2,), {"stride_w": 0}, "strides"),
        ((1, 4, 4, 3), (2, 3, 3, 3), (2,), {"fused_activation_function": "GELU"}, "activation"),
    ],
)
def test_conv_rejects_bad_models(x_shape, w_shape, b_shape, opts, match):
    ins = [
        np.zeros(x_shape, np.float32),
        np.zeros(w_shape, np.float32),
        np.zeros(b_shape, np.float32),
    ]
    with pytest.raises(InvalidModelError, match=match):
        run_kernel("CONV_2D", ins, {**conv_opts(), **opts}, const=(1, 2))


# -- DEPTHWISE_CONV_2D -------------------------------------------------------------------------


@pytest.mark.parametrize("mult", [1, 2, 3])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_depthwise_multiplier_stride_padding(rng, mult, stride, padding):
    x = f32(rng, 2, 9, 8, 3)
    w, b = f32(rng, 1, 3, 3, 3 * mult), f32(rng, 3 * mult)
    opts = conv_opts(stride, stride, padding=padding, depth_multiplier=mult)
    got = run_kernel("DEPTHWISE_CONV_2D", [x, w, b], opts, const=(1, 2))[0]
    close(got, ref_depthwise(x, w, b, stride, stride, 1, 1, padding, "NONE"))


@pytest.mark.parametrize("dilation", [(2, 2), (3, 1), (1, 3)])
@pytest.mark.parametrize("kernel", [(3, 3), (2, 4), (1, 1)])
def test_depthwise_dilation_and_kernel_shapes(rng, dilation, kernel):
    x, w, b = f32(rng, 1, 10, 11, 4), f32(rng, 1, *kernel, 4), f32(rng, 4)
    opts = conv_opts(1, 2, *dilation, depth_multiplier=1)
    got = run_kernel("DEPTHWISE_CONV_2D", [x, w, b], opts, const=(1, 2))[0]
    close(got, ref_depthwise(x, w, b, 1, 2, *dilation, "SAME", "NONE"))


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("with_bias", [True, False])
def test_depthwise_activation_and_bias(rng, act, with_bias):
    x, w = 3 * f32(rng, 2, 6, 7, 5), f32(rng, 1, 3, 3, 10)
    b = f32(rng, 10) if with_bias else None
    opts = conv_opts(act=act, depth_multiplier=2)
    got = run_kernel("DEPTHWISE_CONV_2D", [x, w, b], opts, const=(1, 2))[0]
    close(got, ref_depthwise(x, w, b, 1, 1, 1, 1, "SAME", act))


@pytest.mark.parametrize(
    "shape,stride,dilation,kernel,strategy",
    [
        ((1, 12, 12, 64), (1, 1), (1, 1), (3, 3), "sweeps"),
        ((2, 20, 9, 8), (2, 1), (1, 2), (3, 3), "sweeps"),
        ((1, 6, 5, 384), (1, 1), (1, 1), (3, 3), "windows"),
        ((2, 9, 9, 400), (2, 2), (1, 1), (3, 3), "windows"),
        ((1, 7, 7, 32), (1, 2), (1, 1), (3, 3), "phases"),
        ((2, 9, 9, 80), (2, 2), (1, 1), (3, 3), "windows"),
        ((1, 46, 50, 80), (2, 2), (1, 1), (3, 3), "phases"),
        ((1, 9, 16, 5), (2, 3), (2, 2), (3, 3), "phases"),
        ((1, 11, 19, 6), (1, 4), (1, 2), (2, 5), "phases"),
        ((1, 8, 8, 3), (2, 2), (1, 1), (1, 1), "phases"),
        ((1, 3, 800, 40), (1, 1), (1, 1), (3, 3), "windows"),  # tiled weights past the cap
        ((1, 9, 16, 8), (1, 5), (1, 1), (3, 3), "windows"),  # one phase per unit of stride
        ((1, 9, 16, 8), (3, 1 << 30), (1, 1), (3, 3), "windows"),  # (a corrupt file's)
    ],
)
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_depthwise_strategies(rng, shape, stride, dilation, kernel, strategy, padding):
    """Row sweeps over the plain input rows (stride 1 along the width) or over rows laid
    out in phases (a stride), and an einsum over the windows (many channels), all agree
    with the reference."""

    class Win:
        kh, kw, sw = *kernel, stride[1]
        oh, ow = -(-shape[1] // stride[0]), -(-shape[2] // stride[1])  # SAME

    sweeps = depthwise_conv_2d.use_sweeps(Win, shape[3])
    assert strategy == ("windows" if not sweeps else "phases" if stride[1] > 1 else "sweeps")
    x, w, b = f32(rng, *shape), f32(rng, 1, *kernel, shape[3]), f32(rng, shape[3])
    opts = conv_opts(*stride, *dilation, padding=padding, act="RELU6", depth_multiplier=1)
    got = run_kernel("DEPTHWISE_CONV_2D", [x, w, b], opts, const=(1, 2))[0]
    close(got, ref_depthwise(x, w, b, *stride, *dilation, padding, "RELU6"))


@pytest.mark.parametrize("sw,dw,kw,pad_l,pad_r", [(1, 1, 3, 1, 1), (2, 1, 3, 0, 1),
                                                   (3, 2, 4, 2, 3), (4, 6, 3, 5, 0)])  # fmt: skip
def test_depthwise_phases_cover_each_padded_column_once(sw, dw, kw, pad_l, pad_r):
    """Laid out in phases, every padded column of a row sits in phase (column mod sw) at
    position (column div sw); exactly the input's columns are copied, the rest is padding;
    every kernel column reads its own pixels through its group's evenly spaced sweep."""
    w = 13
    width = pad_l + w + pad_r
    ow = (width - (kw - 1) * dw - 1) // sw + 1

    class Win:
        pass

    Win.w, Win.ow, Win.kw, Win.sw, Win.dw, Win.pad_l, Win.pad_r = w, ow, kw, sw, dw, pad_l, pad_r
    starts, cols, copies = _row_blocks.row_layout(Win, sw)
    where = {}  # buffer column -> padded column
    for col in range(width):
        where[starts[col % sw] + col // sw] = col
    assert len(where) == cols == width
    copied = {d + i: s0 + i * step for d, n, s0, step in copies for i in range(n)}
    assert copied == {b: c - pad_l for b, c in where.items() if pad_l <= c < pad_l + w}
    gaps = _row_blocks.uncovered(cols, copies)
    assert sum(e - s for s, e in gaps) == cols - len(copied)
    for p, group, first, step in _row_blocks.tap_groups(Win, sw):
        for t, j in enumerate(group):
            for o in range(ow):  # tap column j, output pixel o reads padded column j dw + o sw
                assert where[starts[p] + first + t * step + o] == j * dw + o * sw


def test_depthwise_weights_computed_at_run_time(rng):
    for shape in [(1, 6, 6, 4), (1, 6, 6, 64)]:  # both strategies
        x, w, b = f32(rng, *shape), f32(rng, 1, 3, 3, shape[3]), f32(rng, shape[3])
        got = run_kernel("DEPTHWISE_CONV_2D", [x, w, b], conv_opts(2, 2), const=())[0]
        close(got, ref_depthwise(x, w, b, 2, 2, 1, 1, "SAME", "NONE"))


def test_depthwise_window_entirely_in_padding(rng):
    """A dilated tap that lands outside a 1-pixel input everywhere contributes nothing."""
    x, w, b = f32(rng, 1, 1, 1, 3), f32(rng, 1, 2, 2, 3), f32(rng, 3)
    opts = conv_opts(dh=2, dw=2)
    got = run_kernel("DEPTHWISE_CONV_2D", [x, w, b], opts, const=(1, 2))[0]
    close(got, ref_depthwise(x, w, b, 1, 1, 2, 2, "SAME", "NONE"))


@given(
    n=st.integers(1, 2),
    h=st.integers(1, 10),
    w=st.integers(1, 10),
    c=st.sampled_from([1, 2, 3, 5, 64]),
    mult=st.integers(1, 3),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    sh=st.integers(1, 3),
    sw=st.integers(1, 3),
    dh=st.integers(1, 3),
    dw=st.integers(1, 3),
    padding=st.sampled_from(["SAME", "VALID"]),
    act=st.sampled_from(ACTS),
    bias=st.booleans(),
    seed=st.integers(0, 2**31),
)
@settings(max_examples=60, deadline=None)
def test_depthwise_property(n, h, w, c, mult, kh, kw, sh, sw, dh, dw, padding, act, bias, seed):
    if padding == "VALID" and ((kh - 1) * dh + 1 > h or (kw - 1) * dw + 1 > w):
        return
    rng = np.random.default_rng(seed)
    x, wt = f32(rng, n, h, w, c), f32(rng, 1, kh, kw, c * mult)
    b = f32(rng, c * mult) if bias else None
    opts = conv_opts(sh, sw, dh, dw, padding, act, depth_multiplier=mult)
    got = run_kernel("DEPTHWISE_CONV_2D", [x, wt, b], opts, const=(1, 2))[0]
    close(got, ref_depthwise(x, wt, b, sh, sw, dh, dw, padding, act))


@pytest.mark.parametrize(
    "x_shape,w_shape,b_shape,match",
    [
        ((1, 4, 4, 3), (1, 3, 3, 4), (4,), "multiple of input channels"),
        ((1, 4, 4, 3), (2, 3, 3, 3), (3,), "1xHxWxC"),
        ((1, 4, 4, 3), (1, 3, 3, 6), (3,), "bias shape"),
    ],
)
def test_depthwise_rejects_bad_models(x_shape, w_shape, b_shape, match):
    ins = [np.zeros(s, np.float32) for s in (x_shape, w_shape, b_shape)]
    with pytest.raises(InvalidModelError, match=match):
        run_kernel("DEPTHWISE_CONV_2D", ins, conv_opts(), const=(1, 2))


# -- TRANSPOSE_CONV ----------------------------------------------------------------------------


def natural_size(size, k, stride, padding):
    return size * stride if padding == "SAME" else size * stride + max(k - stride, 0)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("stride", [(1, 1), (2, 2), (3, 2)])
@pytest.mark.parametrize("kernel", [(3, 3), (2, 4), (1, 1)])
def test_transpose_conv(rng, padding, stride, kernel):
    x, w = f32(rng, 2, 4, 5, 3), f32(rng, 6, *kernel, 3)
    shape = np.array(
        [
            2,
            natural_size(4, kernel[0], stride[0], padding),
            natural_size(5, kernel[1], stride[1], padding),
            6,
        ],
        np.int32,
    )
    opts = dict(padding=padding, stride_h=stride[0], stride_w=stride[1])
    got = run_kernel("TRANSPOSE_CONV", [shape, w, x], opts, const=(0, 1))[0]
    close(got, ref_transpose_conv(shape, w, x, None, *stride, padding, "NONE"))


@pytest.mark.parametrize("act", ACTS)
def test_transpose_conv_bias_and_activation(rng, act):
    x, w, b = 2 * f32(rng, 1, 3, 3, 2), f32(rng, 4, 3, 3, 2), f32(rng, 4)
    shape = np.array([1, 6, 6, 4], np.int32)
    opts = dict(padding="SAME", stride_h=2, stride_w=2, fused_activation_function=act)
    got = run_kernel("TRANSPOSE_CONV", [shape, w, x, b], opts, const=(0, 1, 3), version=4)[0]
    close(got, ref_transpose_conv(shape, w, x, b, 2, 2, "SAME", act))


@pytest.mark.parametrize("out_hw", [(5, 7), (5, 8), (6, 7)])
def test_transpose_conv_output_shape_other_than_natural(rng, out_hw):
    """Any output size a stride-2 SAME conv maps back to 3x4 works; padding follows it."""
    x, w, b = f32(rng, 1, 3, 4, 2), f32(rng, 3, 3, 3, 2), f32(rng, 3)
    shape = np.array([1, *out_hw, 3], np.int32)
    opts = dict(padding="SAME", stride_h=2, stride_w=2)
    got = run_kernel("TRANSPOSE_CONV", [shape, w, x, b], opts, const=(0, 1, 3))[0]
    close(got, ref_transpose_conv(shape, w, x, b, 2, 2, "SAME", "NONE"))


def test_transpose_conv_needs_data_for_computed_output_shape(rng):
    shape = np.array([1, 4, 4, 2], np.int32)
    ins = [shape, f32(rng, 2, 3, 3, 1), f32(rng, 1, 2, 2, 1)]
    with pytest.raises(NeedsData):
        run_kernel("TRANSPOSE_CONV", ins, dict(padding="SAME", stride_h=2, stride_w=2), const=(1,))


def test_transpose_conv_weights_computed_at_run_time(rng):
    x, w = f32(rng, 1, 3, 3, 2), f32(rng, 4, 3, 3, 2)
    shape = np.array([1, 6, 6, 4], np.int32)
    opts = dict(padding="SAME", stride_h=2, stride_w=2)
    got = run_kernel("TRANSPOSE_CONV", [shape, w, x], opts, const=(0,))[0]
    close(got, ref_transpose_conv(shape, w, x, None, 2, 2, "SAME", "NONE"))


@pytest.mark.parametrize(
    "shape,w_shape,match",
    [
        ([1, 6, 6, 5], (4, 3, 3, 2), "channels"),
        ([2, 6, 6, 4], (4, 3, 3, 2), "batch"),
        ([1, 6, 6], (4, 3, 3, 2), "4 positive sizes"),
        ([1, 6, 6, 4], (4, 3, 3, 3), "input has 2 channels"),
        ([1, 9, 6, 4], (4, 3, 3, 2), "does not convolve back"),
        ([1, 6, 4, 4], (4, 3, 3, 2), "does not convolve back"),
    ],
)
def test_transpose_conv_rejects_bad_models(shape, w_shape, match):
    ins = [
        np.array(shape, np.int32),
        np.zeros(w_shape, np.float32),
        np.zeros((1, 3, 3, 2), np.float32),
    ]
    with pytest.raises(InvalidModelError, match=match):
        run_kernel(
            "TRANSPOSE_CONV", ins, dict(padding="SAME", stride_h=2, stride_w=2), const=(0, 1)
        )


# -- blocks of output rows -------------------------------------------------------------------


@pytest.mark.parametrize("op", ["CONV_2D", "DEPTHWISE_CONV_2D"])
@pytest.mark.parametrize("rows", [1, 2, 3])
@pytest.mark.parametrize("seed", range(6))
def test_conv_in_blocks_of_rows(monkeypatch, op, rows, seed):
    """Big layers run a few output rows at a time: blocks of 1-3 rows, ragged last blocks,
    padding rows above and below, strides, dilation, depth multipliers, two batches."""
    rng = np.random.default_rng(seed)
    h, w = (int(v) for v in rng.integers(5, 11, 2))
    c, kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 4)), int(rng.integers(1, 4))
    sh, sw, dh, dw = (int(v) for v in rng.integers(1, 3, 4))
    padding = "SAME" if seed % 2 else "VALID"
    mult = int(rng.integers(1, 3))
    o = c * mult if op == "DEPTHWISE_CONV_2D" else int(rng.integers(1, 6))
    ow, _ = out_and_pad(w, kw, sw, dw, padding)
    monkeypatch.setattr(_row_blocks, "BLOCK_ELEMENTS", rows * ow * max(o, kh * kw * c))
    monkeypatch.setattr(conv_2d, "MIN_MATMUL_ROWS", 1)
    x, b = f32(rng, 2, h, w, c), f32(rng, o)
    if op == "CONV_2D":
        wt = f32(rng, o, kh, kw, c)
        opts, ref = conv_opts(sh, sw, dh, dw, padding, "RELU6"), ref_conv
    else:
        wt = f32(rng, 1, kh, kw, o)
        opts = conv_opts(sh, sw, dh, dw, padding, "RELU6", depth_multiplier=mult)
        ref = ref_depthwise
    got = run_kernel(op, [x, wt, b], opts, const=(1, 2))[0]
    close(got, ref(x, wt, b, sh, sw, dh, dw, padding, "RELU6"))
