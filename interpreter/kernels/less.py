"""LESS: elementwise a < b with broadcasting, bool output (TFLite ``comparisons``)."""

import numpy as np

from edgelite.interpreter.kernels._binary import prepare_binary
from edgelite.interpreter.kernels.registry import kernel


@kernel("LESS", "float", "int32", "int64")
def prepare_less(ctx):
    return prepare_binary(ctx, np.less, fused=False, out_dtype=np.bool_)
