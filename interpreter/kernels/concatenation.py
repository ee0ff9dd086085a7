"""CONCATENATION: join inputs along ``axis`` (TFLite ``concatenation``).

``axis`` may be negative. Rank-0 inputs concatenate into a vector (TFLite's special case). The
fused activation is applied to float outputs; LiteRT itself only accepts NONE, so non-NONE
activations appear only in files from other writers.

Quantized int8/uint8/int16: inputs whose scale and zero point equal the output's are copied;
others are requantized as TFLite's uint8 ``ConcatenationWithScaling`` does, in float32:
round(q * (s_in / s_out) - zp_in * (s_in / s_out)) + zp_out, clamped. (LiteRT itself rejects
differing int8 parameters and copies int16 values unscaled; converters never emit either.)
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._quantized import F32, qparams, qrange, round_away
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


def _layout(ctx):
    """Check the inputs and set the output: (per-input shapes, axis, fused activation)."""
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
    ctx.set_output(0, _output_shape(ctx, shapes, axis))
    return shapes, axis, act


@kernel("CONCATENATION", "float", "int32", "int64", "bool")
def prepare_concatenation(ctx):
    shapes, axis, act = _layout(ctx)

    def run(ins, outs):
        np.concatenate([x.reshape(s) for x, s in zip(ins, shapes)], axis=axis, out=outs[0])
        apply_activation(outs[0], act)

    return run


def _rescaler(s_in, z_in, s_out, z_out, dtype):
    """Requantize one input as ``ConcatenationWithScaling``: float32 q * scale + bias, rounded."""
    scale = s_in * (F32(1) / s_out)
    bias = F32(-z_in) * scale
    lo, hi = qrange(dtype)

    def convert(q):
        y = round_away(q.astype(F32) * scale + bias).astype(np.int64) + z_out
        return np.clip(y, lo, hi).astype(dtype)

    return convert


@kernel("CONCATENATION", "int8", "uint8", "int16")
def prepare_concatenation_quantized(ctx):
    shapes, axis, _ = _layout(ctx)
    y = ctx.outputs[0]
    converts = []  # None: copy (same parameters, or an unquantized integer tensor)
    for t in ctx.inputs:
        if t.quant is None or y.quant is None:
            converts.append(None)
            continue
        (s_in, z_in), (s_out, z_out) = qparams(ctx, t, "input"), qparams(ctx, y, "output")
        same = (s_in, z_in) == (s_out, z_out)
        converts.append(None if same else _rescaler(s_in, z_in, s_out, z_out, y.dtype))

    def run(ins, outs):
        parts = [x if f is None else f(x) for x, f in zip(ins, converts)]
        np.concatenate([x.reshape(s) for x, s in zip(parts, shapes)], axis=axis, out=outs[0])

    return run
