"""COS: elementwise cosine (TFLite ``elementwise``)."""

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


@kernel("COS", "float")
def prepare_cos(ctx):
    return prepare_unary(ctx, np.cos)
