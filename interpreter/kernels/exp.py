"""EXP: elementwise e**x (TFLite ``exp``); overflow gives inf."""

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


@kernel("EXP", "float")
def prepare_exp(ctx):
    return prepare_unary(ctx, np.exp, quiet=True)
