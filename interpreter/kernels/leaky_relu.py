"""LEAKY_RELU: x for x > 0, alpha * x otherwise (TFLite ``activations``).

``alpha`` comes from LeakyReluOptions (schema default 0.0). Any alpha is allowed, including
alpha > 1 and negative alpha, so the result is not max(x, alpha * x) in general.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
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
