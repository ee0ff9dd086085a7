"""ROUND: elementwise round half to even, 2.5 -> 2 (TFLite ``round``, banker's rounding)."""

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


@kernel("ROUND", "float")
def prepare_round(ctx):
    return prepare_unary(ctx, np.rint)
