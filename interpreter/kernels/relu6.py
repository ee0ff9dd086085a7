"""RELU6: min(max(x, 0), 6) elementwise (TFLite ``activations``)."""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


def relu6(x, out):
    np.clip(x, 0.0, 6.0, out=out)


@kernel("RELU6", "float")
def prepare_relu6(ctx):
    return prepare_unary(ctx, relu6)
