"""SIGN: elementwise -1, 0 or 1 (TFLite ``sign``); -0.0 maps to +0.0 as in TFLite."""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.registry import kernel


def sign_float(x, out):
    np.sign(x, out=out)
    out += 0.0  # numpy keeps -0.0; TFLite's (0 < x) - (x < 0) gives +0.0


@kernel("SIGN", "float")
def prepare_sign(ctx):
    return prepare_unary(ctx, sign_float)


@kernel("SIGN", "int32")
def prepare_sign_int32(ctx):
    return prepare_unary(ctx, np.sign)
