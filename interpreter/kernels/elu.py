"""ELU: x for x > 0, exp(x) - 1 otherwise (TFLite ``activations``, alpha fixed at 1).

int8: a 256-entry LUT of quantize(x < 0 ? expm1f(x) : x) on the dequantized inputs, quantized
as XNNPACK does: LiteRT's reference resolver has no int8 ELU, and its default one delegates it.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._quantized import (
    F32,
    all_values,
    cmath_f32,
    gather_table,
    table8,
    unary_params,
)
from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


def elu(x, out):
    # expm1(min(x, 0)) + max(x, 0): exact (one term is always 0) and branch-free.
    np.minimum(x, 0.0, out=out)
    np.expm1(out, out=out)  # expm1 keeps full precision for small |x|
    out += np.maximum(x, 0.0)


@kernel("ELU", "float")
def prepare_elu(ctx):
    return prepare_unary(ctx, elu)


def _elu_f32(x):
    return np.where(x < 0, cmath_f32("expm1", x), x)


def xnnpack_lut8(fn, in_scale, in_zp, out_scale, out_zp, dtype) -> np.ndarray:
    """XNNPACK's quantized LUT: fn(x) * (1 / out_scale) + out_zp in float32, rounded half to
    even. TFLite's ``LUTPopulate`` (``float_lut8``) rounds fn(x) / out_scale half away from zero
    and adds the zero point after: the two differ on values within float32 rounding of a half.
    """
    x = F32(in_scale) * (all_values(dtype) - in_zp).astype(F32)
    y = np.asarray(fn(x), F32) * (F32(1) / F32(out_scale))
    q = np.rint(y + F32(out_zp))
    return table8(np.clip(q, -(2**31), 2**31 - 1).astype(np.int64), dtype)


@kernel("ELU", "int8")
def prepare_elu_int8(ctx):
    x, s_in, z_in, s_out, z_out = unary_params(ctx)
    return gather_table(xnnpack_lut8(_elu_f32, s_in, z_in, s_out, z_out, x.dtype))
