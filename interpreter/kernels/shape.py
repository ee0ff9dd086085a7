"""SHAPE: the input's shape as a 1-D int32/int64 tensor (TFLite ``shape``).

The input shape is known at prepare, so the output is declared constant there: later ops in
shape chains (SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE) then fold at allocate time.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels.registry import kernel

_TYPES = {"INT32": np.int32, "INT64": np.int64}


@kernel("SHAPE", "any")
def prepare_shape(ctx):
    out_type = ctx.opt("out_type", "INT32")
    declared = np.dtype(ctx.outputs[0].dtype)
    if out_type in _TYPES:
        dtype = np.dtype(_TYPES[out_type])
    elif declared in (np.int32, np.int64):
        dtype = declared  # out_type left at the schema default: trust the declared tensor
    else:
        raise ctx.error(f"out_type must be INT32 or INT64, got {out_type}")
    shape = tuple(ctx.inputs[0].shape)
    ctx.set_output(0, (len(shape),), dtype)
    ctx.outputs[0].data = np.array(shape, dtype).reshape(len(shape))
    return None
