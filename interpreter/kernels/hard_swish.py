"""HARD_SWISH: x * relu6(x + 3) / 6 elementwise (TFLite ``hard_swish``).

The operations run in the reference kernel's order so float32 rounding matches it.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


def hard_swish(x, out):
    np.add(x, 3.0, out=out)
    np.clip(out, 0.0, 6.0, out=out)
    np.multiply(out, x, out=out)
    np.divide(out, 6.0, out=out)


@kernel("HARD_SWISH", "float")
def prepare_hard_swish(ctx):
    return prepare_unary(ctx, hard_swish)
