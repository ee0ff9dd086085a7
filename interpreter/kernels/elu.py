"""ELU: x for x > 0, exp(x) - 1 otherwise (TFLite ``activations``, alpha fixed at 1)."""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


def elu(x, out):
    # expm1(min(x, 0)) + max(x, 0): exact (one term is always 0) and branch-free.
    np.minimum(x, 0.0, out=out)
    np.expm1(out, out=out)  # expm1 keeps full precision for small |x|
    out += np.maximum(x, 0.0)


@kernel("ELU", "float")
def prepare_elu(ctx):
    return prepare_unary(ctx, elu)
