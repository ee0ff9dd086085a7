"""GELU: Gaussian error linear unit (TFLite ``gelu``; GeluOptions ``approximate``).

- exact form (default): 0.5 * x * erfc(-x / sqrt(2)), as TFLite's reference kernel. erfc comes
  from a Chebyshev-fitted formula (fractional error < 1.2e-7 everywhere, Numerical Recipes'
  ``erfcc``) evaluated in float64; its tail keeps full relative precision for very negative x.
  LiteRT's default (XNNPACK) kernel uses a coarser approximation that flushes the far negative
  tail to 0; both agree to ~5e-7 absolute.
- tanh form: 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3))), in float32 and in the
  order TFLite evaluates it, so the far negative tail cancels to 0 as it does in LiteRT. numpy's
  float32 tanh (within ~1.4 ulp) reaches -1 a little later than C's tanhf, so near x = -5.4 a
  few outputs are ~-1.6e-7 where LiteRT has -0.0; a float64 tanh would cost 12x for that.

Quantized: TFLite builds a LUT of the float32 transform (C's erfcf / tanhf) at prepare: 256
entries for int8/uint8, the 513-entry interpolated int16 table for int16.
"""

from __future__ import annotations

import math

import numpy as np

from edgelite.interpreter.kernels._quantized import F32, cmath_f32, prepare_float_lut
from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel

# erfc(z) ~= t * exp(-z*z + P(t)) with t = 1 / (1 + z/2), z >= 0; P's coefficients, t**0 first.
_ERFC_P = (-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
           0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277)  # fmt: skip
_SQRT_2_OVER_PI = np.float32(math.sqrt(2.0 / math.pi))
# gelu_erf works in blocks this long: its ~30 float64 passes then stay in cache (2x faster).
_BLOCK = 32768


def erfc_nonnegative(z: np.ndarray) -> np.ndarray:
    """erfc of a float64 array of values >= 0 (consumed), relative error below 1.2e-7."""
    t = 0.5 * z
    t += 1.0
    np.reciprocal(t, out=t)
    p = t * _ERFC_P[-1]
    for c in _ERFC_P[-2:0:-1]:  # Horner
        p += c
        p *= t
    p += _ERFC_P[0]
    z *= z
    p -= z
    np.exp(p, out=p)
    p *= t
    return p


def gelu_erf(x, out):
    xf = np.ascontiguousarray(x).reshape(-1)  # 1-d: blockable, and never a 0-d scalar
    flat = out.flags.c_contiguous
    of = out.reshape(-1) if flat else np.empty(out.size, out.dtype)
    for s in range(0, of.size, _BLOCK):
        gelu_erf_block(xf[s : s + _BLOCK], of[s : s + _BLOCK])
    if not flat:
        out[...] = of.reshape(out.shape)


def gelu_erf_block(x, out):
    # 0.5 * x * erfc(-x / sqrt(2)) == max(x, 0) - 0.5 * |x| * erfc(|x| / sqrt(2)): erfc's
    # argument stays >= 0, so there is no per-element branch, and nothing cancels (for x > 0
    # the subtracted term is below x / 2).
    ax = np.abs(x, dtype=np.float64)
    r = erfc_nonnegative(ax * math.sqrt(0.5))
    r *= ax
    r *= 0.5
    np.subtract(np.maximum(x, 0.0, dtype=np.float64), r, out=r)
    np.copyto(out, r, casting="same_kind")


def gelu_tanh(x, out):
    np.multiply(x, x, out=out)
    out *= x
    out *= np.float32(0.044715)
    out += x
    out *= _SQRT_2_OVER_PI
    np.tanh(out, out=out)
    out += np.float32(1.0)
    out *= x
    out *= np.float32(0.5)


@kernel("GELU", "float")
def prepare_gelu(ctx):
    return prepare_unary(ctx, gelu_tanh if ctx.opt("approximate", False) else gelu_erf)


_SQRT_2_OVER_PI_F = F32(2.0 / math.sqrt(math.pi) * math.sqrt(0.5))  # M_2_SQRTPI * M_SQRT1_2
_NEG_SQRT_HALF = F32(-math.sqrt(0.5))


def gelu_erf_f32(x):
    """0.5f * x * erfcf(x * -sqrt(1/2)), TFLite's ``GeluTransform``."""
    x = np.asarray(x, F32)
    return F32(0.5) * x * cmath_f32("erfc", x * _NEG_SQRT_HALF)


def gelu_tanh_f32(x):
    """TFLite's ``GeluTransformApproximate`` in float32, in its evaluation order."""
    x = np.asarray(x, F32)
    inner = _SQRT_2_OVER_PI_F * (x + F32(0.044715) * x * x * x)
    return F32(0.5) * x * (F32(1) + cmath_f32("tanh", inner))


@kernel("GELU", "int8", "uint8", "int16")
def prepare_gelu_quantized(ctx):
    fn = gelu_tanh_f32 if ctx.opt("approximate", False) else gelu_erf_f32
    return prepare_float_lut(ctx, fn)
