"""ATAN2: elementwise atan2(y, x) with broadcasting, first input is y (TFLite ``atan2``)."""

import numpy as np

from edgelite.interpreter.kernels._binary import prepare_binary
from edgelite.interpreter.kernels.registry import kernel


@kernel("ATAN2", "float")
def prepare_atan2(ctx):
    return prepare_binary(ctx, np.arctan2, fused=False)
