"""TANH: elementwise hyperbolic tangent (TFLite ``activations``)."""

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


@kernel("TANH", "float")
def prepare_tanh(ctx):
    return prepare_unary(ctx, np.tanh)
