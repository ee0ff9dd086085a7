"""SUM: sum over the given axes (TFLite ``reduce``); integers wrap like the C++ accumulator."""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._reduce import prepare_quantized_mean_or_sum, prepare_reduce
from edgelite.interpreter.kernels.registry import kernel


def reduce_sum(x, axes, out):
    np.sum(x, axis=axes, dtype=out.dtype, keepdims=True, out=out)


@kernel("SUM", "float", "int32", "int64")
def prepare_sum(ctx):
    return prepare_reduce(ctx, reduce_sum)


@kernel("SUM", "int8", "uint8", "int16")
def prepare_sum_quantized(ctx):
    return prepare_quantized_mean_or_sum(ctx, compute_sum=True)
