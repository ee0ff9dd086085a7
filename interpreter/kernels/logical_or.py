"""LOGICAL_OR: elementwise a or b with broadcasting (TFLite ``logical``)."""

import numpy as np

from edgelite.interpreter.kernels._binary import prepare_binary
from edgelite.interpreter.kernels.registry import kernel


@kernel("LOGICAL_OR", "bool")
def prepare_logical_or(ctx):
    return prepare_binary(ctx, np.logical_or, fused=False)
