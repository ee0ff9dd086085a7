"""NEG: elementwise negation (TFLite ``neg``); integer negation wraps."""

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


@kernel("NEG", "float", "int32", "int64")
def prepare_neg(ctx):
    return prepare_unary(ctx, np.negative)
