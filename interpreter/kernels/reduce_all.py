"""REDUCE_ALL: logical and over the given axes (TFLite ``reduce``); empty gives True."""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._reduce import prepare_reduce
from edgelite.interpreter.kernels.registry import kernel


def reduce_all(x, axes, out):
    np.logical_and.reduce(x, axis=axes, keepdims=True, out=out)


@kernel("REDUCE_ALL", "bool")
def prepare_reduce_all(ctx):
    return prepare_reduce(ctx, reduce_all)
