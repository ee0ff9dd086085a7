"""LOGISTIC: elementwise sigmoid 1 / (1 + exp(-x)) (TFLite ``activations``).

LiteRT's optimized float kernel is accurate to a few ulp over the whole range, so we compute
the exact formula in float32 (its reference kernel's exp(x) shortcut below -9 is off by up to
1e-4 relative and is not mirrored). Below about -88 exp(-x) overflows and the result is 0.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


def logistic(x, out):
    np.negative(x, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)


@kernel("LOGISTIC", "float")
def prepare_logistic(ctx):
    return prepare_unary(ctx, logistic, quiet=True)
