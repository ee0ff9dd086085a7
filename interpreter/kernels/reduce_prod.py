"""REDUCE_PROD: product over the given axes (TFLite ``reduce``); integers wrap, empty gives 1."""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._reduce import prepare_reduce
from edgelite.interpreter.kernels.registry import kernel


def reduce_prod(x, axes, out):
    np.prod(x, axis=axes, dtype=out.dtype, keepdims=True, out=out)


@kernel("REDUCE_PROD", "float", "int32", "int64")
def prepare_reduce_prod(ctx):
    return prepare_reduce(ctx, reduce_prod)
