"""SQUARE: elementwise x * x (TFLite ``elementwise``)."""

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


@kernel("SQUARE", "float")
def prepare_square(ctx):
    return prepare_unary(ctx, np.square)
