"""REDUCE_MIN: minimum over the given axes (TFLite ``reduce``).

An empty reduction gives the type's highest value: +inf for float32 as LiteRT's default kernels
do (its reference kernel uses FLT_MAX instead).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._reduce import prepare_reduce
from edgelite.interpreter.kernels.registry import kernel


def highest(dtype):
    return np.inf if np.dtype(dtype).kind == "f" else np.iinfo(dtype).max


def reduce_min(x, axes, out):
    np.minimum.reduce(x, axis=axes, keepdims=True, out=out, initial=highest(x.dtype))


@kernel("REDUCE_MIN", "float", "int32", "int64")
def prepare_reduce_min(ctx):
    return prepare_reduce(ctx, reduce_min)
