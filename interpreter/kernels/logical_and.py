"""LOGICAL_AND: elementwise a and b with broadcasting (TFLite ``logical``)."""

import numpy as np

from edgelite.interpreter.kernels._binary import prepare_binary
from edgelite.interpreter.kernels.registry import kernel


@kernel("LOGICAL_AND", "bool")
def prepare_logical_and(ctx):
    return prepare_binary(ctx, np.logical_and, fused=False)
