"""GREATER_EQUAL: elementwise a >= b with broadcasting, bool output (TFLite ``comparisons``)."""

import numpy as np

from edgelite.interpreter.kernels._binary import prepare_binary
from edgelite.interpreter.kernels.registry import kernel


@kernel("GREATER_EQUAL", "float", "int32", "int64")
def prepare_greater_equal(ctx):
    return prepare_binary(ctx, np.greater_equal, fused=False, out_dtype=np.bool_)
