"""DEPTHWISE_CONV_2D: per-channel 2-D convolution (TFLite ``reference_ops::DepthwiseConv``).

Filter 1 x KH x KW x (C * depth_multiplier); output channel ``c * depth_multiplier + m`` reads
input channel ``c``. Like TFLite's ``ComputeDepthMultiplier`` the multiplier is taken from the
shapes (filter channels / input channels), not trusted from the options.

Every path works a block of output rows at a time (``_row_blocks``): the padded input rows
the block reads are copied into a small buffer, summed over the kernel window, and the block
finished while it is in cache. Float accumulates in float32 with one einsum per block: for
up to a few hundred channels its inner loop is a multiply-add of a tap's whole row of
pixels by the tap's weights tiled along that row (with a stride along the width the input
rows are laid out in phases, every sw-th column together, to keep those rows contiguous);
otherwise it runs over the windows with an inner loop over the channels. The integer paths
run the same accumulation on the raw input padded with its zero point, exact in float, and
requantize per channel; the hybrid path runs it on the input quantized on the fly.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from edgelite.interpreter.kernels._conv_util import (
    constant_f32,
    conv_output,
    float_epilogue,
    hybrid_epilogue,
)
from edgelite.interpreter.kernels._qconv import (
    F32,
    asymmetric_quantize,
    constant,
    exact_dtype,
    hybrid_scales,
    input_range,
    offset_weights,
    weighted_requantizer,
)
from edgelite.interpreter.kernels._row_blocks import (
    InputRows,
    block_rows,
    blocks,
    tap_groups,
)
from edgelite.interpreter.kernels.registry import kernel
from edgelite.interpreter.scratch import scratch_array


def check_inputs(ctx):
    x, w = ctx.inputs[0], ctx.inputs[1]
    b = ctx.inputs[2] if len(ctx.inputs) > 2 else None
    if len(x.shape) != 4 or len(w.shape) != 4 or w.shape[0] != 1:
        raise ctx.error(f"input {x.shape} must be NHWC and filter {w.shape} 1xHxWxC")
    c, cd = x.shape[3], w.shape[3]
    if c < 1 or cd % c:
        raise ctx.error(f"filter channels {cd} are not a multiple of input channels {c}")
    if b is not None and tuple(b.shape) != (cd,):
        raise ctx.error(f"bias shape {b.shape} does not match {cd} output channels")
    return b, cd // c


def window_weights(w: np.ndarray) -> np.ndarray:
    """1xKHxKWxCd filter -> contiguous (KH, KW, Cd)."""
    return np.ascontiguousarray(w[0])


def swept_taps(w: np.ndarray, win) -> list:
    """1xKHxKWxCd filter -> per group of kernel columns (``tap_groups``) the contiguous
    (KH, columns, OW * Cd) weights: each tap's weights repeated along a row of OW pixels."""
    kh, kw, cd = w.shape[1:]
    tiled = np.broadcast_to(w[0][:, :, None, :], (kh, kw, win.ow, cd)).reshape(kh, kw, -1)
    return [np.ascontiguousarray(tiled[:, cols]) for _, cols, _, _ in tap_groups(win, win.sw)]


SWEEP_MAX_WEIGHTS = 1 << 18  # tiled weights per layer (values); wide images use the windows
SWEEP_MAX_STRIDE = 4  # the phased row layout has one phase per unit of the width stride


def use_sweeps(win, channels: int) -> bool:
    """Sum the taps' row sweeps unless the einsum over the windows is faster, as measured on
    MobileNetV2 and BlazeFace's layers: from 384 channels on (the windows' inner loop over
    the channels is then long, and their weights 1/OW the size), and with a stride along
    the width from 64 channels on unless the output has 512+ pixels (the second einsum and
    the sum of the two then cost more than they save). The sweeps' weights are tiled along a
    row (KH x KW x OW x C values): past ``SWEEP_MAX_WEIGHTS`` (1 MB in float32, 4x
    MobileNetV2 224's largest) the windows keep memory and cache use down."""
    if channels >= 384 or win.kh * win.kw * win.ow * channels > SWEEP_MAX_WEIGHTS:
        return False
    if win.sw > SWEEP_MAX_STRIDE:  # rare; its phases would cost more than they give
        return False
    return win.sw == 1 or channels < 64 or win.oh * win.ow >= 512


def input_rows(ctx, win, cd: int, rows: int, fill=0.0, repeat=1, dtype=None) -> InputRows:
    """The block's input rows, laid out in phases when sweeps read them (see ``InputRows``)."""
    phased = use_sweeps(win, cd)
    return InputRows(ctx, win, rows, fill, repeat, dtype, phased=phased)


def block_accumulator(ctx, win, cd: int, dtype, rows: int):
    """(weight layout, ``accumulate(loaded, weights, acc, k)``) summing a block of k <= ``rows``
    output rows from the padded input rows in ``loaded`` (an ``InputRows``).

    For up to 383 channels, an einsum over the taps' row sweeps (``InputRows.sweeps``)
    against each tap's weights tiled along a row: a multiply-add per tap in one long vector
    loop, 1.2-2x faster than the windows' on MobileNetV2's and BlazeFace's layers. With a
    stride along the width the kernel columns reading each phase of the input make one
    einsum each (a stride of 2: two), summed. From 384 channels on, one einsum over the
    windows, its inner loop over the channels (see ``use_sweeps``)."""
    if not use_sweeps(win, cd):

        def einsum(loaded, weights, acc, k):
            np.einsum("hwijc,ijc->hwc", loaded.windows(k), weights, out=acc)

        return window_weights, einsum
    part = scratch_array(ctx, "depthwise.part", (rows, win.ow, cd), dtype)

    def sweeps(loaded, weights, acc, k):
        views = loaded.sweeps(k)
        np.einsum("hijx,ijx->hx", views[0], weights[0], out=rows_of(acc, k))
        if len(views) > 1:
            extra = rows_of(part.get()[:k], k)
            flat = rows_of(acc, k)
            for view, w in zip(views[1:], weights[1:]):
                np.einsum("hijx,ijx->hx", view, w, out=extra)
                np.add(flat, extra, out=flat)

    return partial(swept_taps, win=win), sweeps


def rows_of(acc: np.ndarray, k: int) -> np.ndarray:
    """A (k, OW, C) block of accumulators as a (k, OW * C) view (never a copy: the block is
    whole output rows)."""
    if not acc.flags.c_contiguous:
        raise ValueError("a block of accumulators must be whole rows")
    return acc.reshape(k, -1)


@kernel("DEPTHWISE_CONV_2D", "float")
def prepare_depthwise_conv_2d(ctx):
    """Float32 accumulation straight into the output, a block of rows at a time, each block
    finished (bias, activation) while it is in cache."""
    bias_info, mult = check_inputs(ctx)
    _, kh, kw, cd = ctx.inputs[1].shape
    win, act = conv_output(ctx, kh, kw, cd)
    rows = block_rows(win, cd)
    inputs = input_rows(ctx, win, cd, rows, repeat=mult)
    layout, accumulate = block_accumulator(ctx, win, cd, np.float32, rows)
    w = constant_f32(ctx.inputs[1])
    weights = None if w is None else layout(w)
    finish = float_epilogue(win, bias_info, cd, act)

    def run(ins, outs):
        wt = layout(np.asarray(ins[1], np.float32)) if weights is None else weights
        for b, r, k in blocks(win, rows):
            acc = outs[0][b, r : r + k]
            inputs.load(ins[0], b, r, k)
            accumulate(inputs, wt, acc, k)
            finish(acc, ins)

    return run


@kernel("DEPTHWISE_CONV_2D", "int8", "uint8", "int16")
def prepare_depthwise_conv_2d_int(ctx):
    """``reference_integer_ops::DepthwiseConvPerChannel`` (int8; int16x8 in 64 bits).

    The raw input, padded with its zero point, is accumulated exactly in float (float32 for
    int8 while the window's sums fit in 24 bits, float64 otherwise) a block of rows at a time;
    the zero point's share, zp * sum(w), leaves through the bias. Each block is requantized
    per channel while in cache.
    """
    bias_info, mult = check_inputs(ctx)
    x = ctx.inputs[0]
    _, kh, kw, cd = ctx.inputs[1].shape
    win, act = conv_output(ctx, kh, kw, cd)
    w = offset_weights(ctx, ctx.inputs[1])
    zp, raw_max, _ = input_range(x)
    requant = weighted_requantizer(ctx, w, 3, bias_info, act, raw_max, zp, reps=win.ow)
    dtype = exact_dtype(w, 3, raw_max)
    rows = block_rows(win, cd)
    inputs = input_rows(ctx, win, cd, rows, float(zp), mult, dtype)
    layout, accumulate = block_accumulator(ctx, win, cd, dtype, rows)
    weights = layout(w.astype(dtype))
    acc_scratch = scratch_array(ctx, "depthwise.acc", (rows, win.ow, cd), dtype)

    def run(ins, outs):
        acc = acc_scratch.get()
        for b, r, k in blocks(win, rows):
            inputs.load(ins[0], b, r, k)
            accumulate(inputs, weights, acc[:k], k)
            requant(acc[:k], outs[0][b, r : r + k])

    return run


@kernel("DEPTHWISE_CONV_2D", "hybrid")
def prepare_depthwise_conv_2d_hybrid(ctx):
    """Float input, int8 weights (TFLite ``EvalHybridPerChannel``): each batch quantized
    asymmetrically, integer sums of (pixel - batch zero point) scaled back per channel and
    batch, float bias, activation."""
    bias_info, mult = check_inputs(ctx)
    _, kh, kw, cd = ctx.inputs[1].shape
    win, act = conv_output(ctx, kh, kw, cd)
    per_channel, scale = hybrid_scales(ctx, ctx.inputs[1], cd)
    per_channel = np.full(cd, scale, F32) if per_channel is None else per_channel
    rows = block_rows(win, cd)
    inputs = input_rows(ctx, win, cd, rows, repeat=mult)
    layout, accumulate = block_accumulator(ctx, win, cd, F32, rows)
    weights = layout(constant(ctx, ctx.inputs[1], "weights").astype(F32))
    finish = hybrid_epilogue(per_channel, constant_f32(bias_info), act)

    def run(ins, outs):
        q, factors, _ = asymmetric_quantize(ins[0].reshape(win.n, -1))  # minus zero points
        q = q.reshape(ins[0].shape)
        for b, r, k in blocks(win, rows):
            acc = outs[0][b, r : r + k]
            inputs.load(q, b, r, k)
            accumulate(inputs, weights, acc, k)
            finish(acc, factors[b])

    return run
