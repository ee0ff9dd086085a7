"""RESHAPE: same bytes, new shape (TFLite ``reshape``).

The target shape comes from the second input when that is a 1-D int32 tensor, else from the
``new_shape`` option (where ``[0]`` means a scalar, as in legacy files); one -1 entry is inferred
as TFLite's ``ResolveOutputShape`` does, including the zero-element cases.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import (
    copy_run,
    int_vector,
    option_ints,
    same_dtype,
)
from edgelite.interpreter.kernels.registry import kernel


def _requested_shape(ctx) -> list:
    shape_t = ctx.inputs[1] if len(ctx.inputs) > 1 else None
    vector = shape_t is not None and len(shape_t.shape) == 1
    if vector and np.dtype(shape_t.dtype) == np.int32:
        return int_vector(ctx, 1, "shape")
    if ctx.opt("new_shape", None) is None and vector and np.dtype(shape_t.dtype) == np.int64:
        return int_vector(ctx, 1, "shape")  # TFLite would fail here; int64 is unambiguous
    shape = option_ints(ctx, "new_shape")
    return [] if shape == [0] else shape


def resolve_shape(ctx, in_shape, shape) -> tuple:
    """``shape`` with its -1 entry inferred so it holds as many elements as ``in_shape``."""
    n_in = int(np.prod(in_shape, dtype=np.int64))
    if shape.count(-1) > 1 or any(d < -1 for d in shape):
        raise ctx.error(f"invalid target shape {shape}: at most one -1 and no other negatives")
    known = [d for d in shape if d != -1]
    n_known = int(np.prod(known, dtype=np.int64))
    if -1 in shape:
        if n_in == 0 and n_known != 0:
            fill = 0
        else:
            nonzero_in = int(np.prod([d for d in in_shape if d], dtype=np.int64))
            fill = nonzero_in // int(np.prod([d for d in known if d], dtype=np.int64))
        shape = [fill if d == -1 else d for d in shape]
    if int(np.prod(shape, dtype=np.int64)) != n_in:
        raise ctx.error(f"cannot reshape {tuple(in_shape)} ({n_in} elements) to {tuple(shape)}")
    return tuple(shape)


@kernel("RESHAPE", "any")
def prepare_reshape(ctx):
    same_dtype(ctx)
    shape = resolve_shape(ctx, ctx.inputs[0].shape, _requested_shape(ctx))
    ctx.set_output(0, shape)
    return copy_run(shape)
