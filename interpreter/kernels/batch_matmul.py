"""BATCH_MATMUL: ``adj?(x) @ adj?(y)`` with broadcast batch dims (TFLite ``batch_matmul``).

``adj_x`` / ``adj_y`` transpose the last two axes of x / y first; the leading (batch) axes
broadcast as in numpy. Float32 in, float32 out.

Integer variants (``reference_ops::BatchMatMul``): sum((x - zx) * (y - zy)), exact in float64,
requantized with one multiplier (float32(sx * sy) / so, as ``GetQuantizedConvolutionMultipler``
computes it): int8 with a 32-bit accumulator, int16 with the 64-bit variant. Hybrid (float x,
constant int8 y): every row of x is quantized on the fly as the FULLY_CONNECTED hybrid does.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._conv_util import constant_f32
from edgelite.interpreter.kernels._qconv import (
    F32,
    Requantizer,
    asymmetric_quantize,
    constant,
    hybrid_scales,
    input_range,
    scales,
    symmetric_quantize,
    zero_point,
)
from edgelite.interpreter.kernels._quantized import qrange
from edgelite.interpreter.kernels.common import broadcast_shape
from edgelite.interpreter.kernels.fixedpoint import quantize_multiplier
from edgelite.interpreter.kernels.registry import kernel
from edgelite.interpreter.scratch import pool_of


def operand_shape(ctx, shape, adjoint: bool, name: str) -> tuple:
    """(rows, cols) of an operand as used in the product."""
    if len(shape) < 2:
        raise ctx.error(f"{name} must have rank >= 2, got shape {tuple(shape)}")
    r, c = int(shape[-2]), int(shape[-1])
    return (c, r) if adjoint else (r, c)


def check_shapes(ctx) -> tuple:
    """Set the output shape; returns (adj_x, adj_y)."""
    x, y = ctx.inputs[0], ctx.inputs[1]
    adj_x, adj_y = bool(ctx.opt("adj_x", False)), bool(ctx.opt("adj_y", False))
    m, k = operand_shape(ctx, x.shape, adj_x, "x")
    k2, n = operand_shape(ctx, y.shape, adj_y, "y")
    if k != k2:
        raise ctx.error(
            f"inner dimensions differ: x {tuple(x.shape)} (adj_x={adj_x}) gives {k}, "
            f"y {tuple(y.shape)} (adj_y={adj_y}) gives {k2}"
        )
    try:
        batch = broadcast_shape(x.shape[:-2], y.shape[:-2])
    except ValueError:
        raise ctx.error(
            f"batch dims of {tuple(x.shape)} and {tuple(y.shape)} do not broadcast"
        ) from None
    if np.dtype(ctx.outputs[0].dtype) != np.dtype(np.int32):  # refused by its kernel
        ctx.expect_output_type(x)
    ctx.set_output(0, (*batch, m, n))
    return adj_x, adj_y


@kernel("BATCH_MATMUL", "float")
def prepare_batch_matmul(ctx):
    adj_x, adj_y = check_shapes(ctx)
    y = ctx.inputs[1]
    y_const = constant_f32(y)
    if y_const is not None and adj_y:
        y_const = np.swapaxes(y_const, -1, -2)

    def run(ins, outs):
        a = np.swapaxes(ins[0], -1, -2) if adj_x else ins[0]
        if y_const is not None:
            b = y_const
        else:
            b = np.swapaxes(ins[1], -1, -2) if adj_y else ins[1]
        np.matmul(a, b, out=outs[0])

    return run


@kernel("BATCH_MATMUL", "int8", "int16")
def prepare_batch_matmul_int(ctx):
    adj_x, adj_y = check_shapes(ctx)
    x, y, out = ctx.inputs[0], ctx.inputs[1], ctx.outputs[0]
    if np.dtype(y.dtype) not in (np.dtype(np.int8), np.dtype(np.int16)):
        raise ctx.error(f"integer BATCH_MATMUL needs int8/int16 y, got {y.dtype}")
    if np.dtype(out.dtype) == np.dtype(np.int32):
        raise ctx.error("BATCH_MATMUL with an int32 output is not supported")
    sx, sy, so = (scales(ctx, t, n)[0] for t, n in ((x, "x"), (y, "y"), (out, "output")))
    mult, shift = quantize_multiplier(float(np.float64(F32(sx * sy)) / np.float64(so)))
    zx, zy, zo = zero_point(x), zero_point(y), zero_point(out)
    wide = np.dtype(x.dtype) == np.dtype(np.int16)
    lo, hi = qrange(out.dtype)
    depth = x.shape[-2] if adj_x else x.shape[-1]
    acc_max = depth * input_range(x)[2] * input_range(y)[2]  # |sum (x - zx)(y - zy)|
    requant = Requantizer([mult], [shift], None, zo, lo, hi, [acc_max], wide, 1, pool_of(ctx))
    zx_f, zy_f = np.float64(zx), np.float64(zy)

    def run(ins, outs):
        a = np.subtract(ins[0], zx_f)
        b = np.subtract(ins[1], zy_f)
        a = np.swapaxes(a, -1, -2) if adj_x else a
        b = np.swapaxes(b, -1, -2) if adj_y else b
        requant(np.matmul(a, b)[..., None], outs[0])

    return run


@kernel("BATCH_MATMUL", "hybrid")
def prepare_batch_matmul_hybrid(ctx):
    adj_x, adj_y = check_shapes(ctx)
    y = ctx.inputs[1]
    yq = constant(ctx, y, "y").astype(F32)
    yq = np.swapaxes(yq, -1, -2) if adj_y else yq
    per_channel, scale = hybrid_scales(ctx, y, yq.shape[-1])
    asymmetric = bool(ctx.opt("asymmetric_quantize_inputs", False))

    def run(ins, outs):
        a = np.swapaxes(ins[0], -1, -2) if adj_x else ins[0]
        flat = np.ascontiguousarray(a).reshape(-1, a.shape[-1])
        if asymmetric:
            q, factors, _ = asymmetric_quantize(flat)  # minus the zero points
        else:
            q, factors = symmetric_quantize(flat)
        acc = np.matmul(q.reshape(a.shape), yq)
        f = factors.reshape(*a.shape[:-1], 1)
        acc *= f * scale if per_channel is None else per_channel * f
        np.copyto(outs[0], acc)

    return run
