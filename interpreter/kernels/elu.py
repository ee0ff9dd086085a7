"""ELU: x for x > 0, exp(x) - 1 otherwise (TFLite ``activations``, alpha fixed at 1).

int8: TFLite's 256-entry LUT of quantize(x < 0 ? expm1f(x) : x) on the dequantized inputs.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._quantized import (
    cmath_f32,
    float_lut8,
    gather_table,
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


@kernel("ELU", "int8")
def prepare_elu_int8(ctx):
    x, s_in, z_in, s_out, z_out = unary_params(ctx)
    return gather_table(float_lut8(_elu_f32, s_in, z_in, s_out, z_out, x.dtype))
