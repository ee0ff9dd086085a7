"""MEAN: average over the given axes (TFLite ``reduce``).

float32 sums in float32 and divides by the count (an empty reduction gives nan). Integers sum in
int64 (int64 itself wraps) and divide truncating toward zero, as TFLite's integer mean does; an
empty integer reduction gives 0 as in LiteRT.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._reduce import prepare_quantized_mean_or_sum, prepare_reduce
from edgelite.interpreter.kernels.registry import kernel


def reduced_count(x, out) -> int:
    return x.size // out.size if out.size else 1


def mean_float(x, axes, out):
    np.sum(x, axis=axes, keepdims=True, out=out)
    n = reduced_count(x, out)
    if n == 0:
        out.fill(np.nan)
    elif n != 1:
        out /= np.float32(n)


def mean_int(x, axes, out):
    n = reduced_count(x, out)
    if n == 0:
        out.fill(0)
        return
    s = np.sum(x, axis=axes, dtype=np.int64, keepdims=True)
    q = s // n
    q += (s < 0) & (q * n != s)  # floor -> toward zero for negative sums
    np.copyto(out, q, casting="unsafe")


@kernel("MEAN", "float")
def prepare_mean(ctx):
    return prepare_reduce(ctx, mean_float)


@kernel("MEAN", "int32", "int64")
def prepare_mean_int(ctx):
    return prepare_reduce(ctx, mean_int)


@kernel("MEAN", "int8", "uint8", "int16")
def prepare_mean_quantized(ctx):
    return prepare_quantized_mean_or_sum(ctx, compute_sum=False)
