"""Shared pieces of the integer and hybrid weighted kernels (conv, depthwise, FC, matmul, ...).

Integer products are summed EXACTLY in float BLAS (``exact_dtype`` / ``acc_dtype`` pick
float32 while every partial sum stays below 2**24, float64 otherwise), then ``Requantizer``
turns the accumulators into output integers as TFLite's ``MultiplyByQuantizedMultiplier``
would. Hybrid kernels (float activations, int8 weights) quantize their input on the fly per
batch exactly like ``tensor_utils::SymmetricQuantizeFloats`` / ``AsymmetricQuantizeFloats``.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._quantized import activation_range, round_away
from edgelite.interpreter.kernels.fixedpoint import (
    multiply_by_quantized_multiplier,
    multiply_by_quantized_multiplier_64,
    quantize_multipliers,
    requantize_affine,
    requantize_float_plan,
    requantize_wide_plan,
)
from edgelite.interpreter.scratch import pool_of

F32 = np.float32
EXACT_F32 = 1 << 24  # float32 holds every integer below this exactly


def scales(ctx, info, what: str, channels: int = 1) -> np.ndarray:
    """The tensor's float32 scales broadcast to ``channels`` (per-tensor gives one value)."""
    q = info.quant if info is not None else None
    if q is None or q.scale.size == 0:
        raise ctx.error(f"{what} '{getattr(info, 'name', '?')}' has no quantization parameters")
    s = np.asarray(q.scale, F32).reshape(-1)
    if s.size not in (1, channels):
        raise ctx.error(f"{what} has {s.size} scales for {channels} channels")
    # a zero weight scale only zeroes its channel; a zero output scale would divide by zero
    bad = ~np.isfinite(s) | (s < 0) | ((s == 0) & (what == "output"))
    if bad.any():
        raise ctx.error(f"{what} '{getattr(info, 'name', '?')}' has an invalid scale {s[bad][0]}")
    return np.broadcast_to(s, (channels,)) if s.size == 1 else s


def zero_point(info) -> int:
    q = info.quant
    return int(q.zero_point[0]) if q is not None and q.zero_point.size else 0


def check_symmetric(ctx, info, what: str = "weights") -> None:
    q = info.quant
    if q is not None and np.any(np.asarray(q.zero_point) != 0):
        raise ctx.error(f"{what} of an integer {ctx.op_name} must have zero points of 0")


def conv_multipliers(ctx, x, w, out, channels: int) -> tuple:
    """Per-channel (Q31 multipliers, shifts) of ``PopulateConvolutionQuantizationParams``:
    double(input scale) * double(filter scale) / double(output scale); for legacy uint8 the
    per-tensor ``GetQuantizedConvolutionMultipler``, whose scale product is a float32."""
    sx, so = scales(ctx, x, "input")[0], scales(ctx, out, "output")[0]
    sw = scales(ctx, w, "weights", channels)
    if x.dtype == np.uint8:
        return quantize_multipliers(np.float64(sx * sw[:1]) / np.float64(so) + 0 * sw)
    return quantize_multipliers(np.float64(sx) * sw.astype(np.float64) / np.float64(so))


def offset_weights(ctx, info) -> np.ndarray:
    """Constant weights minus their zero point (int64): int8 weights must be symmetric,
    legacy uint8 ones carry a per-tensor zero point."""
    w = constant(ctx, info, "weights").astype(np.int64)
    if ctx.inputs[0].dtype == np.uint8 or info.dtype == np.uint8:
        return w - zero_point(info)
    check_symmetric(ctx, info)
    return w


def out_bounds(ctx, out, act) -> tuple:
    """Clamp of the fused activation in the output's quantized domain."""
    so = scales(ctx, out, "output")[0]
    return activation_range(ctx, act, so, zero_point(out), out.dtype)


def constant(ctx, info, what: str):
    """The constant value of a weights/bias input; integer kernels precompute from it."""
    if info is None:
        return None
    if info.data is None:
        raise ctx.error(f"integer {ctx.op_name} needs constant {what}")
    return np.asarray(info.data)


def input_range(x) -> tuple:
    """(zero point, max |raw value|, max |value - zero point|) of an integer activation."""
    lo, hi = {"int8": (-128, 127), "uint8": (0, 255)}.get(np.dtype(x.dtype).name, (-32768, 32767))
    zp = zero_point(x) if hi < 256 else 0
    return zp, max(-lo, hi), max(zp - lo, hi - zp)


def acc_dtype(k: int, x_max: int, w_max: int, extra: int = 0):
    """float32 when every partial sum of k products |x * w| (plus ``extra``) is exact."""
    return F32 if k * x_max * w_max + extra < EXACT_F32 else np.float64


def exact_dtype(w: np.ndarray, axis_out: int, x_max: int):
    """float32 when every partial sum of x * w stays exact (|x| <= x_max): the bound is the
    largest per-channel sum |w|, tighter than the depth times the largest weight."""
    return F32 if int(weight_bound(w, axis_out).max(initial=0)) * x_max < EXACT_F32 else np.float64


def weight_bound(w: np.ndarray, axis_out: int) -> np.ndarray:
    """sum |w| over everything but the output-channel axis (int64 per channel)."""
    w = np.abs(np.asarray(w, np.int64))
    return np.moveaxis(w, axis_out, -1).reshape(-1, w.shape[axis_out]).sum(axis=0)


class Requantizer:
    """``clamp(zp + MultiplyByQuantizedMultiplier(acc + bias), lo, hi)`` into an integer array.

    ``acc`` holds exact integer accumulators (float or int) with channels last. ``wide``
    selects TFLite's 64-bit-accumulator variant (int16x8 kernels with int64 bias); otherwise
    the accumulator is an int32 (wrapping on overflow). ``acc_max`` bounds |acc| per channel:
    with it both variants run through an exact float path (``fixedpoint.requantize_float_plan``
    / ``requantize_wide_plan``: a few cheap passes instead of a dozen int64 ones) whenever
    that path is proven exact for these multipliers; otherwise the vectorized integer
    transcription.
    ``reps`` tiles the per-channel constants along longer rows (faster numpy loops);
    ``scratch`` (the subgraph's shared ``Scratch``) holds the passes' temporaries.
    """

    def __init__(
        self, multiplier, shift, bias, zp, lo, hi, acc_max=None, wide=False, reps=1, scratch=None
    ):
        self.m = np.asarray(multiplier, np.int64)
        self.shift = np.asarray(shift, np.int64)
        channels = self.m.size
        self.bias = np.zeros(channels, np.int64) if bias is None else np.asarray(bias, np.int64)
        self.zp, self.lo, self.hi, self.wide = int(zp), int(lo), int(hi), wide
        self.acc_max = acc_max
        self.plan = None
        if acc_max is not None:
            make = requantize_wide_plan if wide else requantize_float_plan
            self.plan = make(
                self.m, self.shift, self.bias, self.zp, self.lo, self.hi, acc_max, reps, scratch
            )

    def affine(self):
        """``fixedpoint.requantize_affine``'s (M, P) rows for these parameters, or None."""
        if self.wide or self.acc_max is None:
            return None
        return requantize_affine(
            self.m, self.shift, self.bias, self.zp, self.lo, self.hi, self.acc_max
        )

    def __call__(self, acc, out):
        if self.plan is not None:
            self.plan(acc, out)
            return
        a = np.asarray(acc)
        a = (np.rint(a) if a.dtype.kind == "f" else a).astype(np.int64) + self.bias
        if self.wide:
            y = multiply_by_quantized_multiplier_64(a, self.m, self.shift)
        else:
            a = ((a + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)  # int32 accumulator wraps
            y = multiply_by_quantized_multiplier(a, self.m, self.shift)
        y += self.zp
        np.clip(y, self.lo, self.hi, out=y)
        np.copyto(out, y.reshape(out.shape), casting="unsafe")


def bias_values(ctx, info, channels: int):
    """Constant integer bias as int64 (zeros when omitted) and whether it is 64-bit."""
    if info is None:
        return np.zeros(channels, np.int64), None
    b = constant(ctx, info, "bias")
    if b.dtype.kind not in "iu" or b.size != channels:
        raise ctx.error(f"integer bias must hold {channels} integers, got {b.dtype} {b.shape}")
    return b.reshape(-1).astype(np.int64), b.dtype


def check_bias_scale(ctx, x, w, bias, channels: int) -> None:
    """TFLite requires bias scale = input scale x weight scale (to 1e-6, per channel)."""
    if bias is None or bias.quant is None or bias.quant.scale.size == 0:
        return
    product = np.float64(scales(ctx, x, "input")[0]) * scales(ctx, w, "weights", channels)
    given = scales(ctx, bias, "bias", channels).astype(np.float64)
    bad = np.abs(product - given) > 1e-6 * np.minimum(product, given)
    if np.any(bad):
        c = int(np.argmax(bad))
        raise ctx.error(
            f"bias '{bias.name}' has scale {given[c]:.9g} in channel {c}; it must be "
            f"input scale x weight scale = {product[c]:.9g}"
        )


def weighted_requantizer(ctx, w, axis: int, bias_info, act, x_max: int, zp_fold: int, reps=1):
    """The Requantizer of a conv-like op whose output channels lie on ``w``'s ``axis``
    (``w``: the weights minus their zero point, see ``offset_weights``).

    ``zp_fold`` is the input zero point when the caller accumulates the RAW input (padding
    with the zero point): the zero point's share, zp * sum(w), then leaves through the bias;
    it is 0 when the caller subtracts the zero point itself. ``x_max`` bounds |x| as summed.
    int16 activations use TFLite's 64-bit variant unless the bias is int32.
    """
    x, w_info, out = ctx.inputs[0], ctx.inputs[1], ctx.outputs[0]
    if ctx.op_name == "TRANSPOSE_CONV":
        x, w_info = ctx.inputs[2], ctx.inputs[1]
    channels = w.shape[axis]
    m, shift = conv_multipliers(ctx, x, w_info, out, channels)
    check_bias_scale(ctx, x, w_info, bias_info, channels)
    bias, bias_dtype = bias_values(ctx, bias_info, channels)
    wide = x.dtype == np.int16 and bias_dtype != np.int32
    if x.dtype == np.int16 and (zero_point(x) or zero_point(out)):
        raise ctx.error("int16 activations must have zero points of 0")
    wsum = np.moveaxis(np.asarray(w, np.int64), axis, -1).reshape(-1, channels).sum(axis=0)
    bias = bias - zp_fold * wsum
    lo, hi = out_bounds(ctx, out, act)
    acc_max = weight_bound(w, axis) * x_max
    zp = 0 if x.dtype == np.int16 else zero_point(out)
    return Requantizer(m, shift, bias, zp, lo, hi, acc_max, wide, reps, pool_of(ctx))


def hybrid_scales(ctx, w_info, channels: int) -> tuple:
    """(per-channel weight scales or None, per-tensor scale): TFLite's hybrid kernels go
    per-channel only when the scales differ."""
    s = scales(ctx, w_info, "weights", channels)
    if s.size > 1 and np.any(s != s[0]):
        return np.ascontiguousarray(s, F32), None
    return None, F32(s[0])


_BELOW_HALF_F64 = np.nextafter(0.5, 0.0)  # 0.49999999999999994


class DoubleRoundRequant:
    """The reference FULLY_CONNECTED's requantization of acc + bias: C round(double(acc +
    bias) * eff) cast to int32 (out-of-range values become INT32_MIN, as x86 does), plus zp,
    clamped; for a fixed (rows, units) accumulator shape, in a few in-place float64 passes
    (small layers would otherwise pay numpy's per-call cost ~20 times).

    Rounding: for |v| < 2**52, trunc(v + copysign(0.49999999999999994, v)) is C's round() (at
    an exact half the sum lands on 1 - 2**-54 past the integer part, which rounds up to the
    next integer; anything below a half stays at least an ulp short of it). When every
    |acc + bias| * eff is provably below 2**31 (``acc_max``: a bound on |acc|), the INT32_MIN
    substitution of out-of-range values is skipped.
    """

    def __init__(self, bias, eff, zp: int, lo: int, hi: int, shape, acc_max=None):
        self.bias = np.asarray(bias, np.float64)
        self.eff = np.asarray(eff, np.float64)
        self.zp, self.lo, self.hi = float(zp), float(lo), float(hi)
        self.v = np.empty(shape, np.float64)
        self.half = np.empty(shape, np.float64)
        reach = None if acc_max is None else (np.asarray(acc_max) + np.abs(self.bias)) * np.abs(eff)
        self.in_range = reach is not None and float(np.max(reach, initial=0)) < 2.0**31

    def __call__(self, acc, out) -> None:
        v, half = self.v, self.half
        np.add(acc, self.bias, out=v)
        np.multiply(v, self.eff, out=v)
        np.copysign(_BELOW_HALF_F64, v, out=half)
        np.add(v, half, out=v)
        np.trunc(v, out=v)
        if not self.in_range:
            np.copyto(v, -(2.0**31), where=np.abs(v) >= 2.0**31)
        np.add(v, self.zp, out=v)
        np.clip(v, self.lo, self.hi, out=v)
        np.copyto(out, v.reshape(out.shape), casting="unsafe")


QUANTIZE_CHUNK = 1 << 15  # values per pass of the hybrid input quantization (in cache)
_SIGN = np.uint32(1 << 31)
_BELOW_HALF = np.nextafter(F32(0.5), F32(0)).view(np.uint32)  # 0.49999997


def round_clamped(v: np.ndarray, lo: int, hi: int, half=None) -> np.ndarray:
    """C's round() (half away from zero) of the float32 array ``v`` clamped to the integers
    [lo, hi] (|lo|, |hi| <= 256), in float32 and in place; ``half``, a uint32 array of v's
    size, spares an allocation.

    After clamping to [lo - 1/4, hi + 1/4], trunc(v + copysign(0.49999997, v)) equals round()
    for every float32 value (checked exhaustively over every float32 of magnitude <= 256.25):
    adding exactly 0.5 would turn 0.49999997 into 1, and float64 costs twice the memory.
    """
    if max(-lo, hi) > 256:
        raise ValueError("round_clamped is proven only for |values| <= 256.25")
    return _round_within(v, F32(lo - 0.25), F32(hi + 0.25), half)


def _round_within(v, low, high, half=None):
    """``round_clamped`` given the float32 clamp bounds (scalars or arrays broadcasting
    against v, within [-256.25, 256.25])."""
    np.clip(v, low, high, out=v)
    bits = v.view(np.uint32)
    half = np.bitwise_and(bits, _SIGN, out=None if half is None else half.reshape(v.shape))
    half |= _BELOW_HALF
    v += half.view(F32)
    return np.trunc(v, out=v)


def symmetric_quantize(x: np.ndarray) -> tuple:
    """Per-row SymmetricQuantizeFloats: (int8 values as float32, float32 scaling factors)."""
    rng = np.maximum(np.max(x, axis=1), -np.min(x, axis=1))
    zero = rng == 0
    safe = np.where(zero, F32(1), rng).astype(F32)
    inv = (F32(127) / safe).astype(F32)
    q = round_clamped(np.multiply(x, inv[:, None], dtype=F32), -127, 127)
    if zero.any():
        q[zero] = 0
    sf = np.where(zero, F32(1), (safe / F32(127)).astype(F32)).astype(F32)
    return q, sf


def asymmetric_quantize(x: np.ndarray) -> tuple:
    """Per-row AsymmetricQuantizeFloats as LiteRT's reference kernels compute it: (the int8
    values minus their row's zero point, as float32; float32 scales; int64 zero points). Every
    hybrid kernel sums (q - zp) * w, so the centered values come straight from the rounding,
    clamped to [-128 - zp, 127 - zp].

    The range max(x, 0) - min(x, 0) is a float32 difference; the scale range / 255 and both
    zero point candidates (from the end that loses less) are computed in double, the zero
    point rounded half away from zero. Values are zp + round(x * (1 / scale)), the product in
    float32 with the float32 scale's reciprocal, rounded half away from zero, clamped to int8.
    (Checked against LiteRT on 3,200 random FC, BATCH_MATMUL, conv and depthwise models whose
    inputs sit on coarse grids, where rounding ties are common: a float32 zero point rounded
    half to even, as XNNPACK does, differs on about one in five.) The values are made a chunk
    at a time with one small temporary (whole-tensor temporaries measured 2x slower alone on
    a 1.2M-value activation, ~1% of a MobileNetV2 dynamic-range invoke).
    """
    rmin = np.minimum(np.min(x, axis=1), F32(0)).astype(F32)
    rmax = np.maximum(np.max(x, axis=1), F32(0)).astype(F32)
    same = rmin == rmax
    scale = np.where(same, 1.0, (rmax - rmin).astype(np.float64) / 255.0)  # float64 from here
    low, high = rmin / scale, rmax / scale
    from_min = 128 + np.abs(low) < 127 + np.abs(high)
    zp = np.clip(round_away(np.where(from_min, -128 - low, 127 - high)), -128, 127)
    zp = zp.astype(np.int64)
    zp[same] = 0
    scale = scale.astype(F32)
    inv = (1.0 / scale.astype(np.float64)).astype(F32)
    q = np.empty(x.shape, F32)
    rows, cols = x.shape
    step = max(1, min(cols, QUANTIZE_CHUNK))  # columns per chunk; short rows go several a chunk
    per = max(1, QUANTIZE_CHUNK // max(cols, 1)) if cols <= QUANTIZE_CHUNK else 1
    half = np.empty(per * step, np.uint32)
    # the clamp to [-128 - zp, 127 - zp] (within +-255: zp is an int8) as round_clamped's
    low, high = ((-128.25 - zp)[:, None].astype(F32), (127.25 - zp)[:, None].astype(F32))
    for r in range(0, rows, per):
        for c in range(0, cols, step):
            v = q[r : r + per, c : c + step]
            np.multiply(x[r : r + per, c : c + step], inv[r : r + per, None], out=v)
            _round_within(v, low[r : r + per], high[r : r + per], half[: v.size])
    if same.any():
        q[same] = 0
    return q, scale, zp
