"""SIN: elementwise sine (TFLite ``elementwise``)."""

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


@kernel("SIN", "float")
def prepare_sin(ctx):
    return prepare_unary(ctx, np.sin)
