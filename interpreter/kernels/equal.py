"""EQUAL: elementwise a == b with broadcasting, bool output (TFLite ``comparisons``)."""

import numpy as np

from edgelite.interpreter.kernels._binary import prepare_binary
from edgelite.interpreter.kernels.registry import kernel


@kernel("EQUAL", "float", "int32", "int64", "bool")
def prepare_equal(ctx):
    return prepare_binary(ctx, np.equal, fused=False, out_dtype=np.bool_)
