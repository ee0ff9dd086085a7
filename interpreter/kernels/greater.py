"""GREATER: elementwise a > b with broadcasting, bool output (TFLite ``comparisons``)."""

import numpy as np

from edgelite.interpreter.kernels._binary import prepare_binary
from edgelite.interpreter.kernels.registry import kernel


@kernel("GREATER", "float", "int32", "int64")
def prepare_greater(ctx):
    return prepare_binary(ctx, np.greater, fused=False, out_dtype=np.bool_)
