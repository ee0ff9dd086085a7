"""MAXIMUM: elementwise max with broadcasting (TFLite ``maximum_minimum``, no activation).

Quantized inputs are compared as raw integers; TFLite ignores their scales.
"""

import numpy as np

from edgelite.interpreter.kernels._binary import prepare_binary
from edgelite.interpreter.kernels.registry import kernel


@kernel("MAXIMUM", "float", "int32", "int64", "int8", "uint8", "int16")
def prepare_maximum(ctx):
    return prepare_binary(ctx, np.maximum, fused=False)
