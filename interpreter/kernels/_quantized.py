"""Shared pieces of the integer (quantized) elementwise kernels.

TFLite's quantized elementwise kernels compute each output from one or two input *integers*, so
an 8-bit op is a table: we evaluate the exact integer formula once at prepare on every possible
input (256 values, or 256 x 256 pairs for binary ops) and ``run`` is a single gather. Tables are
indexed by the input's bit pattern (``x.view(np.uint8)``), which serves int8 and uint8 alike.
Float transforms used to build TFLite's LUTs (``LUTPopulate``) run in float32 through the C
math library, as the reference kernels call ``expf``/``tanhf``/``erfcf``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math

import numpy as np

from edgelite.interpreter.kernels.fixedpoint import (
    multiply_by_quantized_multiplier,
    quantize_multiplier,
)

F32 = np.float32
QRANGE = {
    np.dtype(np.int8): (-128, 127),
    np.dtype(np.uint8): (0, 255),
    np.dtype(np.int16): (-32768, 32767),
    np.dtype(np.int32): (-(1 << 31), (1 << 31) - 1),
}


def qrange(dtype) -> tuple:
    return QRANGE[np.dtype(dtype)]


def qparams(ctx, info, what: str = None) -> tuple:
    """(float32 scale, int zero point) of a per-tensor quantized tensor, or a model error."""
    q = info.quant
    if q is None or q.scale.size == 0:
        raise ctx.error(f"{what or 'tensor'} '{info.name}' has no quantization parameters")
    zp = int(q.zero_point[0]) if q.zero_point.size else 0
    scale = F32(q.scale[0])
    if not (np.isfinite(scale) and scale > 0):
        raise ctx.error(f"{what or 'tensor'} '{info.name}' has an invalid scale {scale}")
    return scale, zp


def round_away(x):
    """C's round(): half away from zero, exact for float32/float64 arrays."""
    x = np.asarray(x)
    t = np.trunc(x)
    return t + np.where(np.abs(x - t) >= 0.5, np.sign(x), 0).astype(x.dtype)


def quantize_value(value: float, scale, zp: int) -> int:
    """TFLite's ``Quantize`` helper: zp + round(float32(value) / float32(scale))."""
    return zp + int(round_away(F32(value) / F32(scale)))


def activation_range(ctx, act, scale, zp: int, dtype) -> tuple:
    """``CalculateActivationRangeQuantized``: the fused activation as an integer clamp."""
    lo, hi = qrange(dtype)
    if act in (None, "NONE", "TANH", "SIGN_BIT"):
        return lo, hi
    if act == "RELU":
        return max(lo, quantize_value(0.0, scale, zp)), hi
    if act == "RELU6":
        return max(lo, quantize_value(0.0, scale, zp)), min(hi, quantize_value(6.0, scale, zp))
    if act == "RELU_N1_TO_1":
        return max(lo, quantize_value(-1.0, scale, zp)), min(hi, quantize_value(1.0, scale, zp))
    raise ctx.error(f"unknown fused activation {act}")


# --- float32 math as the C library computes it ------------------------------------------

_LIBM = None


def _libm():
    global _LIBM
    if _LIBM is None:
        path = ctypes.util.find_library("m")
        try:
            _LIBM = ctypes.CDLL(path) if path else False
        except OSError:
            _LIBM = False
    return _LIBM


_PY = {"exp": math.exp, "tanh": math.tanh, "erfc": math.erfc, "expm1": math.expm1}


def cmath_f32(name: str, x) -> np.ndarray:
    """float32 C ``name`` + "f" (expf, tanhf, erfcf, expm1f) of each value, via libm.

    Without a loadable libm the float64 result rounded to float32 is used (identical except,
    rarely, in the last ulp).
    """
    return _cmath(name, x, F32)


def cmath_f64(name: str, x) -> np.ndarray:
    """float64 C ``name`` (exp, ...) of each value, via libm when available."""
    return _cmath(name, x, np.float64)


def _cmath(name, x, ftype):
    x = np.asarray(x, ftype)
    lib = _libm()
    if lib:
        fn = getattr(lib, name + "f" if ftype == F32 else name)
        ctype = ctypes.c_float if ftype == F32 else ctypes.c_double
        fn.restype, fn.argtypes = ctype, [ctype]
        vals = [fn(float(v)) for v in x.reshape(-1)]
    else:
        vals = [_PY[name](float(v)) for v in x.reshape(-1)]
    return np.array(vals, ftype).reshape(x.shape)


# --- 8-bit tables ----------------------------------------------------------------------------


_UNSIGNED = {1: np.uint8, 2: np.uint16}


def all_values(dtype) -> np.ndarray:
    """Every value of an 8- or 16-bit dtype in bit-pattern order (index i holds uintN(i))."""
    unsigned = _UNSIGNED[np.dtype(dtype).itemsize]
    n = 1 << (8 * np.dtype(dtype).itemsize)
    return np.arange(n, dtype=unsigned).view(np.dtype(dtype)).astype(np.int64)


def table8(values, dtype) -> np.ndarray:
    """Clamp int64 results to ``dtype``; the array keeps the bit-pattern order of its input."""
    lo, hi = qrange(dtype)
    return np.clip(values, lo, hi).astype(dtype)


def float_lut8(fn, in_scale, in_zp, out_scale, out_zp, dtype) -> np.ndarray:
    """TFLite's ``LUTPopulate`` for 8-bit types: quantize(fn(dequantize(q))) in float32."""
    q = all_values(dtype)
    x = F32(in_scale) * (q - in_zp).astype(F32)
    y = np.asarray(fn(x), F32)
    inv = F32(1) / F32(out_scale)
    with np.errstate(invalid="ignore", over="ignore"):
        r = round_away(y * inv) + F32(out_zp)
        # NaN (log of a negative) converts to INT32_MIN on x86, as in LiteRT, then clamps
        r = np.nan_to_num(r, nan=-(2**31), posinf=2**31 - 1, neginf=-(2**31))
    return table8(np.clip(r, -(2**31), 2**31 - 1).astype(np.int64), dtype)


def gather_table(table: np.ndarray):
    """``run`` of a unary op on 8- or 16-bit input given its bit-pattern-ordered table."""

    def run(ins, outs):
        x = ins[0]
        np.take(table, x.view(_UNSIGNED[x.dtype.itemsize]), out=outs[0])

    return run


def binary_table(fn, dtype) -> np.ndarray:
    """fn(a, b) on every pair of 8-bit values, flattened with index (a_bits << 8) | b_bits."""
    v = all_values(dtype)
    return table8(fn(v[:, None], v[None, :]), dtype).reshape(-1)


def lookup8_binary(table: np.ndarray):
    """``run`` of a broadcasting 8-bit binary op given ``binary_table``."""

    def run(ins, outs):
        hi = np.left_shift(ins[0].view(np.uint8), 8, dtype=np.uint16)
        np.take(table, np.bitwise_or(hi, ins[1].view(np.uint8)), out=outs[0])

    return run


# --- int16 LUT with interpolation (LUTPopulateInt16 / LUTLookup) --------------------------


def float_lut16(fn, in_scale, in_zp, out_scale, out_zp, ftype=F32) -> np.ndarray:
    """TFLite's 513-entry int16 LUT of ``fn`` (computed in ``ftype``), with its midpoint bias."""
    ft = np.dtype(ftype).type
    in_scale, out_scale = ft(in_scale), ft(out_scale)
    in_min = in_scale * ft(-32768 - in_zp)
    in_max = in_scale * ft(32767 - in_zp)
    out_min = out_scale * ft(-32768 - out_zp)
    out_max = out_scale * ft(32767 - out_zp)
    step = (in_max - in_min) / ft(512)
    half = step / ft(2)
    inv = ft(65536) / (out_max - out_min)
    i = np.arange(512).astype(ftype)
    xs = in_min + i * step
    val = np.asarray(fn(xs), ftype)
    mid = np.asarray(fn(xs + half), ftype)
    nxt = np.asarray(fn(in_min + (i + ft(1)) * step), ftype)
    sample = round_away(val * inv)
    interp = round_away((nxt * inv + round_away(val * inv)) / ft(2))
    bias = round_away((interp - round_away(mid * inv)) / ft(2))
    last = round_away(np.asarray(fn(np.array([in_max], ftype)), ftype) * inv)
    lut = np.concatenate([sample - bias, last])
    lut = np.nan_to_num(lut, nan=-32768.0)  # NaN entries (log of x <= 0) read -32768 in LiteRT
    return np.clip(lut, -32768, 32767).astype(np.int16)


def lookup16(x, lut) -> np.ndarray:
    """``LUTLookup`` for int16: 9-bit index, 7-bit linear interpolation (int64 result)."""
    x = np.asarray(x, np.int64)
    lut = lut.astype(np.int64)
    index = 256 + (x >> 7)
    base = lut[index]
    slope = wrap(lut[index + 1] - base, 16)  # an int16 in the reference code
    return wrap(base + ((slope * (x & 0x7F) + 64) >> 7), 16)


def wrap(x, bits: int):
    """Two's-complement wrap of int64 values to ``bits`` bits (C's narrowing cast)."""
    half = 1 << (bits - 1)
    x = x if isinstance(x, int) else np.asarray(x, np.int64)
    return ((x + half) & ((1 << bits) - 1)) - half


# --- unary ops ------------------------------------------------------------------------------


def unary_params(ctx, zero_int16: bool = True) -> tuple:
    """(input info, in scale, in zp, out scale, out zp) of a quantized one-input op; sets the
    output to the input's shape and dtype. int16 needs zero points of 0 (``zero_int16``)."""
    if len(ctx.inputs) != 1 or ctx.inputs[0] is None:
        raise ctx.error(f"expects 1 input, got {len(ctx.inputs)}")
    x = ctx.inputs[0]
    ctx.set_output(0, x.shape, x.dtype)
    s_in, z_in = qparams(ctx, x, "input")
    s_out, z_out = qparams(ctx, ctx.outputs[0], "output")
    if zero_int16 and x.dtype == np.int16 and (z_in or z_out):
        raise ctx.error("int16 input and output need zero points of 0")
    return x, s_in, z_in, s_out, z_out


def finish_unary(dtype, fn, out_dtype=None):
    """``run`` for an exact integer ``fn`` of one 8/16-bit input: fn is evaluated once on every
    possible input value (256 or 65536) and ``run`` is a gather from that table."""
    return gather_table(table8(fn(all_values(dtype)), out_dtype or dtype))


def lut16_run(lut):
    """``run`` of an int16 op given its 513-entry interpolated LUT (tabulated over all
    inputs)."""
    return gather_table(lookup16(all_values(np.int16), lut).astype(np.int16))


def prepare_float_lut(ctx, fn):
    """A quantized one-input op that is a float32 transform ``fn`` tabulated at prepare
    (``LUTPopulate``): 256 entries for 8-bit input, the interpolated int16 table for int16."""
    x, s_in, z_in, s_out, z_out = unary_params(ctx, zero_int16=False)
    with np.errstate(all="ignore"):  # inf / NaN entries (log of x <= 0) are mapped as LiteRT
        if x.dtype == np.int16:
            return lut16_run(float_lut16(fn, s_in, z_in, s_out, z_out))
        return gather_table(float_lut8(fn, s_in, z_in, s_out, z_out, x.dtype))


def prepare_relu_x(ctx, low: float, high):
    """Quantized RELU / RELU6 / RELU_N1_TO_1 / RELU_0_TO_1 (``QuantizedReluX``); ``high`` None
    means unbounded."""
    x, s_in, z_in, s_out, z_out = unary_params(ctx)
    qmin, qmax = qrange(x.dtype)
    lo = max(qmin, z_out + int(round_away(F32(low) / s_out)))
    hi = qmax if high is None else min(qmax, z_out + int(round_away(F32(high) / s_out)))
    m, shift = quantize_multiplier(float(F32(s_in / s_out)))

    def fn(q):
        return np.clip(multiply_by_quantized_multiplier(q - z_in, m, shift) + z_out, lo, hi)

    return finish_unary(x.dtype, fn)
