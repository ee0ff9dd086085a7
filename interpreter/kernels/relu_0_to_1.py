"""RELU_0_TO_1: min(max(x, 0), 1) elementwise (TFLite ``activations``).

Quantized (``ReluX``): zp_out + MultiplyByQuantizedMultiplier(q - zp_in, s_in / s_out) clamped
to the quantized bounds zp_out + roundf(bound / s_out) (within the type).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._quantized import prepare_relu_x
from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


def relu_0_to_1(x, out):
    np.clip(x, 0.0, 1.0, out=out)


@kernel("RELU_0_TO_1", "float")
def prepare_relu_0_to_1(ctx):
    return prepare_unary(ctx, relu_0_to_1)


@kernel("RELU_0_TO_1", "int8", "uint8")
def prepare_relu_0_to_1_quantized(ctx):
    return prepare_relu_x(ctx, 0.0, 1.0)
