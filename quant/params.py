"""Quantization parameters as the TFLite int8 / int16x8 specs define them.

- activations int8: asymmetric per tensor, the range widened to include 0 so that 0.0 is exact;
- weights int8: symmetric (zero point 0) over [-127, 127], per channel along the output axis;
- activations int16: symmetric, zero point 0, over [-32767, 32767];
- bias: int32 (int64 for int16x8) at scale input_scale * weight_scale, zero point 0.
Rounding is half away from zero, as TFLite's converter and QUANTIZE kernel round.
"""

from __future__ import annotations

import numpy as np

from edgelite.converter.ir import QuantParams

RANGES = {
    "int8": (-128, 127),
    "uint8": (0, 255),
    "int16": (-32768, 32767),
    "int32": (-(1 << 31), (1 << 31) - 1),
    "int64": (-(1 << 63), (1 << 63) - 1),
}


def round_half_away(x) -> np.ndarray:
    x = np.asarray(x, np.float64)
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def asymmetric(lo: float, hi: float, dtype: str = "int8") -> QuantParams:
    """Per-tensor affine params covering [lo, hi] (widened to include 0)."""
    qmin, qmax = RANGES[dtype]
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = (hi - lo) / (qmax - qmin)
    if scale < np.finfo(np.float32).tiny:  # (nearly) only zeros seen: any scale will do
        return QuantParams(np.float32(1.0), max(qmin, 0))
    zp = int(np.clip(round_half_away(qmin - lo / scale), qmin, qmax))
    return QuantParams(np.float32(scale), zp)


def symmetric(absmax, dtype: str = "int8", axis: int = 0) -> QuantParams:
    """Zero-point-0 params with |x| <= absmax mapping to [-qmax, qmax]; per channel if absmax
    is an array (``axis`` names the channel dimension)."""
    qmax = RANGES[dtype][1]
    absmax = np.atleast_1d(np.asarray(absmax, np.float64))
    scale = np.where(absmax > 0, absmax / qmax, 1.0)  # an all-zero channel keeps scale 1
    return QuantParams(scale.astype(np.float32), np.zeros(scale.size, np.int64), axis)


def weight_params(w: np.ndarray, axis=None, dtype: str = "int8") -> QuantParams:
    """Symmetric params for a weight tensor: per channel along ``axis``, or per tensor."""
    w = np.asarray(w, np.float64)
    if axis is None:
        return symmetric(np.abs(w).max(initial=0.0), dtype)
    axis = axis % w.ndim
    reduce = tuple(d for d in range(w.ndim) if d != axis)
    return symmetric(np.abs(w).max(axis=reduce, initial=0.0), dtype, axis)


def _broadcast(q: QuantParams, ndim: int):
    if not q.per_channel:
        return q.scale.astype(np.float64)[0], q.zero_point[0]
    shape = [1] * ndim
    shape[q.axis] = q.scale.size
    return q.scale.astype(np.float64).reshape(shape), q.zero_point.reshape(shape)


def quantize(x, q: QuantParams, dtype: str = "int8", narrow: bool = False) -> np.ndarray:
    """Real values -> integers of ``dtype`` (clamped), per tensor or per channel.

    ``narrow`` drops the most negative value (symmetric weights use [-127, 127]).
    """
    x = np.asarray(x, np.float64)
    scale, zp = _broadcast(q, x.ndim)
    qmin, qmax = RANGES[dtype]
    if narrow:
        qmin = -qmax
    out = np.clip(round_half_away(x / scale) + zp, qmin, qmax)
    return out.astype(np.dtype(dtype))


def dequantize(qx, q: QuantParams) -> np.ndarray:
    qx = np.asarray(qx)
    scale, zp = _broadcast(q, qx.ndim)
    return ((qx.astype(np.float64) - zp) * scale).astype(np.float32)


def bias_params(input_q: QuantParams, weight_q: QuantParams, axis: int = 0) -> QuantParams:
    """Bias scale = input scale x weight scale (per channel when the weights are)."""
    scale = input_q.scale.astype(np.float64)[0] * weight_q.scale.astype(np.float64)
    return QuantParams(
        scale.astype(np.float32), np.zeros(scale.size, np.int64), axis if scale.size > 1 else 0
    )


def quantize_bias(b, input_q: QuantParams, weight_q: QuantParams, dtype: str = "int32"):
    """(quantized bias, its params): round(b / (s_in * s_w)) in int32 (int64 for 16x8)."""
    q = bias_params(input_q, weight_q)
    # float32 throughout, multiplying by the reciprocal: TensorFlow's converter does this, and
    # it reproduces TF's bias values exactly (float64 division differs by 1 in a few)
    scale = (np.float32(input_q.scale[0]) * weight_q.scale.astype(np.float32)).astype(np.float32)
    inverse = (np.float32(1.0) / scale).astype(np.float32)
    x = (np.asarray(b, np.float32) * inverse).astype(np.float32)
    qmin, qmax = RANGES[dtype]
    out = np.clip(round_half_away(x), qmin, qmax).astype(np.dtype(dtype))
    return out, q
