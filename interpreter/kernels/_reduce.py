"""Shared path of the reductions (MEAN, SUM, REDUCE_*, ARG_MAX, ARG_MIN, CUMSUM).

TFLite takes the axes as a second input tensor (int32; we also accept int64); negative axes
count from the end, duplicates count once. The output shape depends on the axis values, so a
non-constant axis tensor makes prepare raise ``NeedsData`` and run again with the values known.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._qconv import Requantizer, scales, zero_point
from edgelite.interpreter.kernels._quantized import qrange, round_away
from edgelite.interpreter.kernels._unary import expect_inputs
from edgelite.interpreter.kernels.context import NeedsData
from edgelite.interpreter.kernels.fixedpoint import quantize_multiplier
from edgelite.interpreter.scratch import pool_of


def axis_tensor(ctx):
    """The axis input (the second), checked to be an integer tensor."""
    axis = ctx.inputs[1]
    if axis.dtype not in (np.int32, np.int64):
        raise ctx.error(f"axis tensor must be int32 or int64, got {axis.dtype}")
    return axis


def axis_values(ctx, rank: int) -> list:
    """The axis input's values mapped into [0, rank), in the order given."""
    axis = axis_tensor(ctx)
    if axis.data is None:
        raise NeedsData(f"{ctx.location}: axis is not constant")
    values = [int(a) for a in np.asarray(axis.data).reshape(-1)]
    for a in values:
        if not -rank <= a < rank:
            raise ctx.error(f"axis {a} is out of range for an input of rank {rank}")
    return [a % rank for a in values]


def prepare_reduce(ctx, reduce):
    """Prepare a reduction computed by ``reduce(x, axes, out)``.

    ``axes`` is a sorted tuple of distinct non-negative axes and ``out`` is always a view with
    the reduced axes kept as size 1, whatever ``keep_dims`` says, so reducers can pass
    ``keepdims=True`` to numpy.
    """
    x, _ = expect_inputs(ctx, 2)
    axes = tuple(sorted(set(axis_values(ctx, len(x.shape)))))
    kept = tuple(1 if i in axes else d for i, d in enumerate(x.shape))
    if ctx.opt("keep_dims", False):
        shape = kept
    else:
        shape = tuple(d for i, d in enumerate(x.shape) if i not in axes)
    ctx.set_output(0, shape, x.dtype)

    def run(ins, outs):
        reduce(ins[0], axes, outs[0].reshape(kept))

    return run


def prepare_arg(ctx, arg_fn):
    """Prepare ARG_MAX / ARG_MIN: ``arg_fn`` (np.argmax or np.argmin) over one axis.

    numpy, like TFLite, returns the first index among ties.
    """
    x, axis = expect_inputs(ctx, 2)
    values = axis_values(ctx, len(x.shape))
    if len(values) != 1:
        raise ctx.error(f"axis must hold exactly one value, got {len(values)}")
    ax = values[0]
    if x.shape[ax] == 0:
        raise ctx.error(f"cannot take {ctx.op_name} over axis {ax} of size 0")
    out_type = ctx.opt("output_type", None)
    dtype = {"INT32": np.int32, "INT64": np.int64}.get(out_type)
    if dtype is None:  # missing or invalid option: trust the declared output if it is an index
        dtype = ctx.outputs[0].dtype
        if dtype not in (np.int32, np.int64):
            raise ctx.error(f"output_type must be INT32 or INT64, got {out_type}")
    ctx.set_output(0, x.shape[:ax] + x.shape[ax + 1 :], dtype)

    def run(ins, outs):
        outs[0][...] = arg_fn(ins[0], axis=ax)

    return run


def prepare_quantized_mean_or_sum(ctx, compute_sum: bool):
    """MEAN/SUM on int8/uint8/int16: the raw values are summed in an int32 (which wraps).

    MEAN follows ``reference_ops::QuantizedMeanOrSum``: the input zero point's share removed,
    the sum rescaled by in_scale / out_scale with the division by the count folded into the
    multiplier (shifted left by up to log2(count) bits, then divided by the count), TFLite's
    32-bit double-rounding requantization, the output zero point added, the type's range
    clamped. SUM follows LiteRT's default kernels: on 8-bit data XNNPACK's (``sum_8bit``); on
    int16 ``optimized_ops::QuantizedMeanOrSum``, float32 math: round(sum * scale - zp_in *
    scale * count) + zp_out. LiteRT 2.3's reference resolver reads int8/int16 SUM data as
    uint8, which we do not reproduce.
    """
    x, out = ctx.inputs[0], ctx.outputs[0]
    if x.dtype == np.int16 and (zero_point(x) or zero_point(out)):
        raise ctx.error("int16 MEAN/SUM need zero points of 0")
    sx, so = scales(ctx, x, "input")[0], scales(ctx, out, "output")[0]
    mult, shift = quantize_multiplier(float(np.float64(sx) / np.float64(so)))
    ratio = np.float32(sx / so)
    zx, zo = zero_point(x), zero_point(out)
    lo, hi = qrange(x.dtype)
    eight_bit = np.dtype(x.dtype).itemsize == 1

    if not compute_sum:
        return prepare_reduce(ctx, mean_reducer(ctx, mult, shift, zx, zo, lo, hi))

    def rescale(total, n):
        """The output values (zero point added) of int32 sums of n values each."""
        if eight_bit:
            return sum_8bit(total, n, ratio, zx, zo)
        bias = np.float32(np.float32(-zx) * ratio) * np.float32(n)
        return round_away(total.astype(np.float32) * ratio + bias).astype(np.int64) + zo

    def reduce(values, axes, dst):
        n = values.size // dst.size if dst.size else 0
        if n == 0:
            dst.fill(0)
            return
        total = np.sum(values, axis=axes, dtype=np.int64, keepdims=True)
        total = ((total + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)  # the int32 sum wraps
        y = rescale(total, n)
        np.clip(y, lo, hi, out=y)
        np.copyto(dst, y, casting="unsafe")

    return prepare_reduce(ctx, reduce)


def mean_reducer(ctx, mult: int, shift: int, zx: int, zo: int, lo: int, hi: int):
    """``reduce`` of quantized MEAN: the count's division folded into the multiplier
    (shifted left by up to log2(count) bits, then divided), the input zero point's share
    (zx * count) taken out through the bias, and the sums rescaled by ``Requantizer`` (its
    exact float passes, or the int32 transcription, which wraps as TFLite's int32 sum and
    difference do). The sums are exact in float32 up to 2**24 / max |x| values each."""
    x = ctx.inputs[0]
    axes = set(axis_values(ctx, len(x.shape)))
    n = int(np.prod([d for i, d in enumerate(x.shape) if i in axes], dtype=np.int64))
    if n == 0:
        return lambda values, axes, dst: dst.fill(0)
    left = min(n.bit_length() - 1, 32, 31 + shift)  # shift >= -31: left >= 0
    raw = max(-qrange(x.dtype)[0], qrange(x.dtype)[1])
    dtype = np.float32 if n * raw < 1 << 24 else np.float64
    requant = Requantizer(
        [(mult << left) // n], [shift - left], [-zx * n], zo, lo, hi, [n * raw],
        scratch=pool_of(ctx),
    )  # fmt: skip

    def reduce(values, axes, dst):
        requant(np.sum(values, axis=axes, dtype=dtype, keepdims=True), dst)

    return reduce


def sum_8bit(total, n: int, ratio, zp_in: int, zp_out: int):
    """XNNPACK's 8-bit SUM (LiteRT's default kernel): both zero points are folded into one float32
    bias, zp_out - float32(n * zp_in) * ratio, added to float32(sum) * ratio, each step rounded
    to float32, and the result rounded half to even (a magic-number add). Rescaling the
    integer sum - n * zp_in instead, or adding zp_out after rounding, moves values that lie
    within float32 rounding of a half, which a "nice" scale ratio (0.5, 0.1, 0.45) makes
    common."""
    f32 = np.float32
    bias = f32(f32(zp_out) - f32(f32(n * zp_in) * ratio))
    return np.rint((total.astype(f32) * ratio).astype(f32) + bias).astype(np.int64)
