"""QUANTIZE: float32 to int8/uint8/int16, or requantize between integer types (TFLite
``quantize``).

Float input (``AffineQuantize``): q = clamp(int32(round(x / scale)) + zp) with the division in
float32 and rounding half away from zero; a per-channel output uses the scale and zero point of
each channel. A float beyond the int32 range converts to INT32_MIN, as the C cast does on x86.
Integer input (``Requantize``): zp_out + MultiplyByQuantizedMultiplier(q - zp_in,
scale_in / scale_out), clamped to the output type (int8<->uint8 with equal scales is then the
same as flipping the sign bit).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._qconv import round_clamped
from edgelite.interpreter.kernels._quantized import (
    F32,
    all_values,
    gather_table,
    qparams,
    qrange,
    table8,
    wrap,
)
from edgelite.interpreter.kernels._unary import expect_inputs
from edgelite.interpreter.kernels.fixedpoint import (
    multiply_by_quantized_multiplier,
    quantize_multiplier,
)
from edgelite.interpreter.kernels.registry import kernel

_FROM_FLOAT = (np.int8, np.uint8, np.int16)
FLOAT32_ROUNDING_MIN = 4096  # values from which the float32 rounding path pays (measured)
_REQUANT = {
    np.dtype(np.int8): (np.int8, np.uint8, np.int16),
    np.dtype(np.uint8): (np.int8, np.uint8, np.int16),
    np.dtype(np.int16): (np.int8, np.int16, np.int32),
    np.dtype(np.int32): (np.int8, np.int16),
}


def float_to_int32(x) -> np.ndarray:
    """C's float -> int32 cast of already-integral values; out of range (or NaN) -> INT32_MIN."""
    ok = np.abs(x) < 2**31
    return np.where(ok, x, 0).astype(np.int64) + np.where(ok, 0, -(2**31))


def affine_quantize(x, scale, zp, dtype, out=None):
    """``AffineQuantize``: float32 x / scale rounded half away from zero, plus the zero point,
    clamped. Large 8-bit outputs of in-range quotients round in float32 (``round_clamped``:
    the clamp first, exact there; 150K values 3.6 -> 0.2 ms); otherwise the rounding is done
    in float64, where |r| + 0.5 is exact for any float32 r, and NaN or a quotient beyond int32
    becomes INT32_MIN first (fewer numpy calls: faster on small tensors)."""
    lo, hi = qrange(dtype)
    with np.errstate(all="ignore"):
        r = np.divide(x, scale, dtype=F32)
        if _float32_rounding(r, zp, lo, hi):
            round_clamped(r, lo - int(zp), hi - int(zp))
            q = np.add(r, F32(zp), out=r)
        else:
            r = r.astype(np.float64)
            rounded = np.copysign(np.floor(np.abs(r) + 0.5), r)
            if rounded.size and not np.abs(rounded).max() < 2**31:  # NaN or beyond int32
                q = np.clip(wrap(float_to_int32(rounded) + zp, 32), lo, hi)
            else:
                q = np.clip(rounded + zp, lo, hi)
    if out is None:
        return q.astype(dtype)
    np.copyto(out, q, casting="unsafe")
    return out


def _float32_rounding(r, zp, lo: int, hi: int) -> bool:
    """Whether the quotients ``r`` may round in float32: a large tensor, one zero point, an
    8-bit output, every quotient inside int32 (False for NaN)."""
    if r.size < FLOAT32_ROUNDING_MIN or np.ndim(zp) or hi - lo >= 256:
        return False
    return bool(-(2**31) < r.min() <= r.max() < 2**31)


def _channel_params(ctx, x, y):
    q = y.quant
    axis = q.axis
    if not 0 <= axis < len(x.shape) or x.shape[axis] != q.scale.size:
        raise ctx.error(f"{q.scale.size} output scales for axis {axis} of shape {x.shape}")
    shape = [1] * len(x.shape)
    shape[axis] = q.scale.size
    zps = (
        q.zero_point
        if q.zero_point.size == q.scale.size
        else np.repeat(q.zero_point[:1], q.scale.size)
    )
    return q.scale.astype(F32).reshape(shape), zps.astype(np.int64).reshape(shape)


def _prepare_from_float(ctx, x, y):
    if y.dtype not in _FROM_FLOAT:
        raise ctx.error(f"cannot quantize float32 to {y.dtype}")
    if y.quant is not None and y.quant.per_channel:
        scale, zp = _channel_params(ctx, x, y)
    else:
        scale, zp = qparams(ctx, y, "output")

    def run(ins, outs):
        affine_quantize(ins[0], scale, zp, outs[0].dtype, out=outs[0])

    return run


def requantizer(in_scale, in_zp, out_scale, out_zp, dtype):
    """f(q) = clamp(out_zp + M * (q - in_zp)) with M = in_scale / out_scale in double."""
    m, shift = quantize_multiplier(float(in_scale) / float(out_scale))
    lo, hi = qrange(dtype)

    def f(q):
        y = multiply_by_quantized_multiplier(np.asarray(q, np.int64) - in_zp, m, shift)
        return np.clip(wrap(y + out_zp, 32), lo, hi)

    return f


def _prepare_requantize(ctx, x, y):
    if y.dtype not in _REQUANT[np.dtype(x.dtype)]:
        raise ctx.error(f"cannot requantize {x.dtype} to {y.dtype}")
    in_scale, in_zp = qparams(ctx, x, "input")
    out_scale, out_zp = qparams(ctx, y, "output")
    if x.dtype == np.int16 and y.dtype == np.int16 and (in_zp or out_zp):
        raise ctx.error("int16 -> int16 requantization needs zero points of 0")
    f = requantizer(in_scale, in_zp, out_scale, out_zp, y.dtype)
    if np.dtype(x.dtype).itemsize <= 2:  # tabulated over all input values
        return gather_table(table8(f(all_values(x.dtype)), y.dtype))

    def run(ins, outs):
        np.copyto(outs[0], f(ins[0]), casting="unsafe")

    return run


@kernel("QUANTIZE", "float", "int8", "uint8", "int16", "int32")
def prepare_quantize(ctx):
    (x,) = expect_inputs(ctx, 1)
    y = ctx.outputs[0]
    if y.quant is None:
        raise ctx.error(f"output '{y.name}' has no quantization parameters")
    ctx.set_output(0, x.shape)
    if x.dtype == np.float32:
        return _prepare_from_float(ctx, x, y)
    if np.dtype(x.dtype) not in _REQUANT:
        raise ctx.error(f"cannot quantize {x.dtype} input")
    return _prepare_requantize(ctx, x, y)
