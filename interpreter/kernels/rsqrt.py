"""RSQRT: elementwise 1 / sqrt(x) (TFLite ``elementwise``); 0 gives inf, negatives nan."""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


def rsqrt(x, out):
    np.sqrt(x, out=out)
    np.reciprocal(out, out=out)


@kernel("RSQRT", "float")
def prepare_rsqrt(ctx):
    return prepare_unary(ctx, rsqrt, quiet=True)
