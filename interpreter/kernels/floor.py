"""FLOOR: elementwise round toward -inf (TFLite ``floor``)."""

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


@kernel("FLOOR", "float")
def prepare_floor(ctx):
    return prepare_unary(ctx, np.floor)
