"""SQRT: elementwise square root (TFLite ``elementwise``); negative inputs give nan."""

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


@kernel("SQRT", "float")
def prepare_sqrt(ctx):
    return prepare_unary(ctx, np.sqrt, quiet=True)
