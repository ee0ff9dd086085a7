"""DEPTHWISE_CONV_2D: per-channel 2-D convolution (TFLite ``reference_ops::DepthwiseConv``).

Filter 1 x KH x KW x (C * depth_multiplier); output channel ``c * depth_multiplier + m`` reads
input channel ``c``. Like TFLite's ``ComputeDepthMultiplier`` the multiplier is taken from the
shapes (filter channels / input channels), not trusted from the options.

Float path, accumulating in float32: either the sum over kernel taps of a strided view of the
input times that tap's per-channel weights (tiled along a whole output row so each
multiply-add runs as one long vector loop), or one einsum over the windows of the padded
input, whichever measured faster for the layer's shape. The integer paths run the same
accumulation, exact in float, then requantize per channel: einsum on the raw input padded
with its zero point (the zero point's share folded into the bias), per-tap on (input - zero
point); the hybrid path on the input quantized on the fly.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from edgelite.interpreter.kernels._conv_util import (
    PaddedInput,
    constant_f32,
    conv_output,
    float_epilogue,
    hybrid_epilogue,
    patches,
    reach_input,
    tap_reaches,
)
from edgelite.interpreter.kernels._qconv import (
    F32,
    acc_dtype,
    asymmetric_quantize,
    constant,
    hybrid_scales,
    input_range,
    offset_weights,
    weighted_requantizer,
)
from edgelite.interpreter.kernels.registry import kernel


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


def tiled_taps(w: np.ndarray, ow: int) -> np.ndarray:
    """1xKHxKWxCd filter -> (KH, KW, OW, Cd): each tap's weights repeated along a row."""
    return np.ascontiguousarray(
        np.broadcast_to(w[0][:, :, None, :], (*w.shape[1:3], ow, w.shape[3]))
    )


def use_einsum(win, channels: int) -> bool:
    """einsum makes one pass with an inner loop over channels: it beats per-tap passes for
    strided or small outputs, but loses when the channel loop is short (measured)."""
    return channels >= 64 and (win.sh > 1 or win.sw > 1 or win.oh * win.ow <= 256)


@kernel("DEPTHWISE_CONV_2D", "float")
def prepare_depthwise_conv_2d(ctx):
    bias_info, mult = check_inputs(ctx)
    _, kh, kw, cd = ctx.inputs[1].shape
    win, act = conv_output(ctx, kh, kw, cd)
    layout, accumulate = prepare_accumulate(win, mult, cd, np.float32)
    w = constant_f32(ctx.inputs[1])
    weights = None if w is None else layout(w)
    finish = float_epilogue(win, bias_info, cd, act)

    def run(ins, outs):
        out = outs[0]
        accumulate(ins[0], layout(np.asarray(ins[1], np.float32)) if w is None else weights, out)
        finish(out, ins)

    return run


def prepare_einsum(win, mult, dtype=np.float32, fill=0.0):
    """One einsum over the windows of the padded input (integer kernels pad with the input
    zero point: the copy into the padded buffer is then also the cast to float)."""
    pad = PaddedInput(win, fill, repeat=mult, dtype=dtype)

    def accumulate(x, weights, out):
        np.einsum("nhwijc,ijc->nhwc", patches(pad(x), win), weights, out=out)

    return accumulate


def prepare_taps(win, mult, cd, dtype=np.float32):
    """Per-tap multiply-adds on the unpadded input: each tap only touches the outputs whose
    window pixel for it lies inside the input, so no padded copy is needed."""
    repeat = PaddedInput(win, repeat=mult, border=False, dtype=dtype)
    reaches = tap_reaches(win)
    tmp = np.empty((*win.out_shape, cd), dtype)

    def accumulate(x, wt, out):
        x = repeat(x)
        first = 0
        if reaches and reaches[0].full:
            np.multiply(reach_input(x, win, reaches[0]), wt[reaches[0].i, reaches[0].j], out=out)
            first = 1
        else:
            out.fill(0)
        for t in reaches[first:]:
            part = tmp[:, t.r0 : t.r1, t.c0 : t.c1]
            np.multiply(reach_input(x, win, t), wt[t.i, t.j, t.c0 : t.c1], out=part)
            acc = out[:, t.r0 : t.r1, t.c0 : t.c1]
            acc += part

    return accumulate


def prepare_accumulate(win, mult, cd, dtype):
    """The float path's accumulation (einsum or per-tap) with its weight layout."""
    if use_einsum(win, cd):
        return window_weights, prepare_einsum(win, mult, dtype)
    return partial(tiled_taps, ow=win.ow), prepare_taps(win, mult, cd, dtype)


@kernel("DEPTHWISE_CONV_2D", "int8", "uint8", "int16")
def prepare_depthwise_conv_2d_int(ctx):
    """``reference_integer_ops::DepthwiseConvPerChannel`` (int8; int16x8 in 64 bits).

    The input minus its zero point is accumulated exactly in float (float32 for int8 while
    the window's sums fit in 24 bits, float64 otherwise), then requantized per channel.
    """
    bias_info, mult = check_inputs(ctx)
    x = ctx.inputs[0]
    _, kh, kw, cd = ctx.inputs[1].shape
    win, act = conv_output(ctx, kh, kw, cd)
    w = offset_weights(ctx, ctx.inputs[1])
    if cd >= 64 and (win.padded or mult > 1):
        return prepare_int_einsum(ctx, win, w, mult, bias_info, act)
    zp, _, x_max = input_range(x)
    requant = weighted_requantizer(ctx, w, 3, bias_info, act, x_max, 0, reps=win.ow)
    dtype = acc_dtype(kh * kw, x_max, int(np.abs(w).max(initial=0)))
    layout, accumulate = prepare_accumulate(win, mult, cd, dtype)
    weights = layout(w.astype(dtype))
    shifted = np.empty(x.shape, dtype)
    acc = np.empty((*win.out_shape, cd), dtype)
    zp_value = np.dtype(dtype).type(zp)  # a numpy scalar: int8 - int would wrap in int8

    def run(ins, outs):
        np.subtract(ins[0], zp_value, out=shifted)
        accumulate(shifted, weights, acc)
        requant(acc, outs[0])

    return run


def prepare_int_einsum(ctx, win, w, mult, bias_info, act):
    """The raw integer input padded with its zero point, whose share zp * sum(w) leaves
    through the bias: the padding copy is then also the cast to float, which makes einsum
    the faster path once its channel loop is long enough, strided or not (measured on
    MobileNetV2)."""
    zp, raw_max, _ = input_range(ctx.inputs[0])
    requant = weighted_requantizer(ctx, w, 3, bias_info, act, raw_max, zp, reps=win.ow)
    dtype = acc_dtype(win.kh * win.kw, raw_max, int(np.abs(w).max(initial=0)))
    accumulate = prepare_einsum(win, mult, dtype, fill=float(zp))
    weights = window_weights(w.astype(dtype))
    acc = np.empty((*win.out_shape, w.shape[3]), dtype)

    def run(ins, outs):
        accumulate(ins[0], weights, acc)
        requant(acc, outs[0])

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
    layout, accumulate = prepare_accumulate(win, mult, cd, F32)
    weights = layout(constant(ctx, ctx.inputs[1], "weights").astype(F32))
    finish = hybrid_epilogue(per_channel, constant_f32(bias_info), act)

    def run(ins, outs):
        q, factors, offsets = asymmetric_quantize(ins[0].reshape(win.n, -1))
        q -= offsets[:, None].astype(F32)
        out = outs[0]
        accumulate(q.reshape(ins[0].shape), weights, out)
        finish(out, factors)

    return run
