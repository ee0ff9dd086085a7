"""LOGICAL_NOT: elementwise boolean not (TFLite ``logical``)."""

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


@kernel("LOGICAL_NOT", "bool")
def prepare_logical_not(ctx):
    return prepare_unary(ctx, np.logical_not)
