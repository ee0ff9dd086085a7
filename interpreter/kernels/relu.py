"""RELU: max(x, 0) elementwise (TFLite ``activations``).

Quantized (``ReluX``): zp_out + MultiplyByQuantizedMultiplier(q - zp_in, s_in / s_out) clamped
to the quantized bounds zp_out + roundf(bound / s_out) (within the type).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._quantized import prepare_relu_x
from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


def relu(x, out):
    np.maximum(x, 0.0, out=out)


@kernel("RELU", "float")
def prepare_relu(ctx):
    return prepare_unary(ctx, relu)


@kernel("RELU", "int8", "uint8", "int16")
def prepare_relu_quantized(ctx):
    return prepare_relu_x(ctx, 0.0, None)
