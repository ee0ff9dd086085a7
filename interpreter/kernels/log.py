"""LOG: elementwise natural log (TFLite ``elementwise``); log(0) is -inf, log(x<0) nan."""

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


@kernel("LOG", "float")
def prepare_log(ctx):
    return prepare_unary(ctx, np.log, quiet=True)
