"""CEIL: elementwise round toward +inf (TFLite ``ceil``)."""

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


@kernel("CEIL", "float")
def prepare_ceil(ctx):
    return prepare_unary(ctx, np.ceil)
