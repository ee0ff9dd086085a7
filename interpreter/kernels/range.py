"""RANGE: start, start + delta, ... up to (not including) limit (TFLite ``range``).

Length: ceil(|limit - start| / |delta|) for integers, ceil(|(limit - start) / delta|) in float32
for floats. Float values are accumulated (value += delta) in float32 as TFLite does, not
computed as start + i * delta, so rounding matches.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels.context import NeedsData
from edgelite.interpreter.kernels.registry import kernel


def range_values(ctx, start, limit, delta) -> np.ndarray:
    dtype = start.dtype
    if delta == 0 or not ((start <= limit and delta > 0) or (start >= limit and delta < 0)):
        raise ctx.error(
            f"range({start}, {limit}, {delta}) is invalid: delta must step from start towards limit"
        )
    if np.issubdtype(dtype, np.integer):
        first, step = int(start), int(delta)
        n = (abs(int(limit) - first) + abs(step) - 1) // abs(step)
        return (first + step * np.arange(n, dtype=np.int64)).astype(dtype)  # wraps like int32
    length = np.ceil(np.abs((limit - start) / delta))
    if not np.isfinite(length):
        raise ctx.error(f"range({start}, {limit}, {delta}) has no finite length")
    n = int(length)
    steps = np.full(n, delta, dtype)
    if n:
        steps[0] = start
    return np.add.accumulate(steps, dtype=dtype)


@kernel("RANGE", "float", "int32", "int64")
def prepare_range(ctx):
    ts = ctx.inputs[:3]
    if len(ts) != 3 or any(t is None for t in ts):
        raise ctx.error("RANGE takes (start, limit, delta)")
    dtype = np.dtype(ts[0].dtype)
    for t in list(ts) + [ctx.outputs[0]]:
        if np.dtype(t.dtype) != dtype:
            raise ctx.error(f"tensor {t.name!r} is {np.dtype(t.dtype).name}, expected {dtype}")
    for t in ts:
        if int(np.prod(t.shape, dtype=np.int64)) != 1:
            raise ctx.error(f"{t.name!r} must be a scalar, got shape {tuple(t.shape)}")
    if any(t.data is None for t in ts):
        raise NeedsData("RANGE: the length depends on input values")
    values = range_values(ctx, *(np.asarray(t.data, dtype).reshape(()) for t in ts))
    ctx.set_output(0, values.shape)

    def run(ins, outs):
        np.copyto(outs[0], values)

    return run
