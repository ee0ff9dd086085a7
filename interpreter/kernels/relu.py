"""RELU: max(x, 0) elementwise (TFLite ``activations``)."""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


def relu(x, out):
    np.maximum(x, 0.0, out=out)


@kernel("RELU", "float")
def prepare_relu(ctx):
    return prepare_unary(ctx, relu)
