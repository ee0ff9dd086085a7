"""RELU6: min(max(x, 0), 6) elementwise (TFLite ``activations``).

Quantized (``ReluX``): zp_out + MultiplyByQuantizedMultiplier(q - zp_in, s_in / s_out) clamped
to the quantized bounds zp_out + roundf(bound / s_out) (within the type).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._quantized import prepare_relu_x
from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


def relu6(x, out):
    np.clip(x, 0.0, 6.0, out=out)


@kernel("RELU6", "float")
def prepare_relu6(ctx):
    return prepare_unary(ctx, relu6)


@kernel("RELU6", "int8", "uint8", "int16")
def prepare_relu6_quantized(ctx):
    return prepare_relu_x(ctx, 0.0, 6.0)
