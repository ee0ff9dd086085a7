"""REDUCE_MAX: maximum over the given axes (TFLite ``reduce``).

An empty reduction gives the type's lowest value: -inf for float32 as LiteRT's default kernels
do (its reference kernel uses -FLT_MAX instead).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._reduce import prepare_reduce
from edgelite.interpreter.kernels.registry import kernel


def lowest(dtype):
    return -np.inf if np.dtype(dtype).kind == "f" else np.iinfo(dtype).min


def reduce_max(x, axes, out):
    np.maximum.reduce(x, axis=axes, keepdims=True, out=out, initial=lowest(x.dtype))


@kernel("REDUCE_MAX", "float", "int32", "int64")
def prepare_reduce_max(ctx):
    return prepare_reduce(ctx, reduce_max)
