"""CONCATENATION: join inputs along ``axis`` (TFLite ``concatenation``).

``axis`` may be negative. Rank-0 inputs concatenate into a vector (TFLite's special case). The
fused activation is applied to float outputs; LiteRT itself only accepts NONE, so non-NONE
activations appear only in files from other writers. Quantized inputs with differing scales need
requantization and are handled elsewhere.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import norm_axis
from edgelite.interpreter.kernels.common import apply_activation
from edgelite.interpreter.kernels.registry import kernel


def _output_shape(ctx, shapes, axis: int) -> tuple:
    first = shapes[0]
    for i, s in enumerate(shapes[1:], 1):
        if len(s) != len(first) or any(
            a != b for d, (a, b) in enumerate(zip(s, first)) if d != axis
        ):
            raise ctx.error(
                f"input {i} has shape {s}, which does not match input 0's {first} "
                f"outside axis {axis}"
            )
    return first[:axis] + (sum(s[axis] for s in shapes),) + first[axis + 1 :]


@kernel("CONCATENATION", "float", "int32", "int64", "bool")
def prepare_concatenation(ctx):
    ins = ctx.inputs
    if not ins or any(t is None for t in ins):
        raise ctx.error("every input must be present")
    dtype = np.dtype(ins[0].dtype)
    for t in list(ins[1:]) + list(ctx.outputs):
        if np.dtype(t.dtype) != dtype:
            raise ctx.error(f"tensor {t.name!r} is {np.dtype(t.dtype).name}, expected {dtype}")
    act = ctx.opt("fused_activation_function", "NONE")
    if act not in (None, "NONE") and dtype != np.float32:
        raise ctx.error(f"fused activation {act} is only supported on float32")
    shapes = [tuple(t.shape) for t in ins]
    rank = len(shapes[0])
    axis = ctx.opt("axis", 0)
    if rank == 0:  # scalars stack into a vector
        if axis != 0 or any(len(s) for s in shapes):
            raise ctx.error(f"rank-0 inputs concatenate only along axis 0, got axis {axis}")
        shapes, axis = [(1,)] * len(shapes), 0
    else:
        axis = norm_axis(ctx, axis, rank)
    out_shape = _output_shape(ctx, shapes, axis)
    ctx.set_output(0, out_shape)

    def run(ins, outs):
        np.concatenate([x.reshape(s) for x, s in zip(ins, shapes)], axis=axis, out=outs[0])
        apply_activation(outs[0], act)

    return run
