"""REDUCE_ANY: logical or over the given axes (TFLite ``reduce``); empty gives False."""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._reduce import prepare_reduce
from edgelite.interpreter.kernels.registry import kernel


def reduce_any(x, axes, out):
    np.logical_or.reduce(x, axis=axes, keepdims=True, out=out)


@kernel("REDUCE_ANY", "bool")
def prepare_reduce_any(ctx):
    return prepare_reduce(ctx, reduce_any)
