"""MAXIMUM: elementwise max with broadcasting (TFLite ``maximum_minimum``, no activation)."""

import numpy as np

from edgelite.interpreter.kernels._binary import prepare_binary
from edgelite.interpreter.kernels.registry import kernel


@kernel("MAXIMUM", "float", "int32", "int64")
def prepare_maximum(ctx):
    return prepare_binary(ctx, np.maximum, fused=False)
