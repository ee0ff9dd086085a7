"""ABS: elementwise absolute value (TFLite ``elementwise``); int32 abs(INT32_MIN) wraps."""

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


@kernel("ABS", "float", "int32")
def prepare_abs(ctx):
    return prepare_unary(ctx, np.abs)
