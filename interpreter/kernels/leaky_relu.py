"""LEAKY_RELU: x for x > 0, alpha * x otherwise (TFLite ``activations``).

``alpha`` comes from LeakyReluOptions (schema default 0.0). Any alpha is allowed, including
alpha > 1 and negative alpha, so the result is not max(x, alpha * x) in general.

Quantized int8/uint8/int16 (``QuantizeLeakyRelu``): q - zp_in is rescaled by s_in / s_out when
>= 0, else by s_in * alpha / s_out (a negative alpha rescales by |alpha| and negates).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._quantized import F32, finish_unary, qrange, unary_params
from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.fixedpoint import (
    multiply_by_quantized_multiplier,
    quantize_multiplier,
)
from edgelite.interpreter.kernels.prelu import negative_part_scaled
from edgelite.interpreter.kernels.registry import kernel


@kernel("LEAKY_RELU", "float")
def prepare_leaky_relu(ctx):
    alpha = np.float32(ctx.opt("alpha", 0.0))

    if 0.0 <= alpha <= 1.0:  # then alpha * x <= x exactly when x >= 0: one max does it

        def leaky_relu(x, out):
            np.multiply(x, alpha, out=out)
            np.maximum(out, x, out=out)

    else:

        def leaky_relu(x, out):
            negative_part_scaled(x, alpha, out)

    return prepare_unary(ctx, leaky_relu)


@kernel("LEAKY_RELU", "int8", "uint8", "int16")
def prepare_leaky_relu_quantized(ctx):
    x, s_in, z_in, s_out, z_out = unary_params(ctx)
    alpha = F32(ctx.opt("alpha", 0.0))
    m_alpha, e_alpha = quantize_multiplier(float(s_in * alpha / s_out))
    m_id, e_id = quantize_multiplier(float(F32(s_in / s_out)))
    sign = -1 if m_alpha < 0 else 1
    lo, hi = qrange(x.dtype)

    def fn(q):
        v = q - z_in
        pos = multiply_by_quantized_multiplier(v, m_id, e_id)
        neg = sign * multiply_by_quantized_multiplier(v, abs(m_alpha), e_alpha)
        return np.clip(np.where(v >= 0, pos, neg) + z_out, lo, hi)

    return finish_unary(x.dtype, fn)
