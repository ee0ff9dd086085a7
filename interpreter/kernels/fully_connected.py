"""FULLY_CONNECTED: ``input.reshape(-1, in) @ weights.T + bias`` (TFLite ``fully_connected``).

Weights are [out, in]; the input is flattened to [size / in, in]. With ``keep_num_dims`` the
output keeps the input's leading dimensions ([..., out]; the input's last dimension must then
be ``in``), otherwise it is [size / in, out]. Only the DEFAULT weights format is supported
(SHUFFLED4x16INT8 is an int8 weights layout of the optimized kernels).

Integer variants (int8, int16x8, legacy uint8) follow the reference kernels, which requantize
in double precision: round(double(acc) * in_scale * w_scale / out_scale) per output channel.
The hybrid variant quantizes each input row on the fly (``asymmetric_quantize_inputs``).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._conv_util import activate, check_activation, constant_f32, rows
from edgelite.interpreter.kernels._qconv import (
    F32,
    DoubleRoundRequant,
    asymmetric_quantize,
    bias_values,
    constant,
    exact_dtype,
    hybrid_scales,
    input_range,
    out_bounds,
    scales,
    symmetric_quantize,
    weight_bound,
    zero_point,
)
from edgelite.interpreter.kernels.registry import kernel


def output_shape(ctx, in_shape, units: int, depth: int) -> tuple:
    size = int(np.prod(in_shape, dtype=np.int64))
    if depth < 1 or size % depth:
        raise ctx.error(f"input of shape {tuple(in_shape)} does not flatten into rows of {depth}")
    if ctx.opt("keep_num_dims", False):
        if not in_shape or in_shape[-1] != depth:
            raise ctx.error(
                f"keep_num_dims needs the input's last dimension ({tuple(in_shape)}) to be {depth}"
            )
        return (*in_shape[:-1], units)
    return (size // depth, units)


@kernel("FULLY_CONNECTED", "float")
def prepare_fully_connected(ctx):
    x, w, b, units, depth, act, batch = check_fc(ctx)
    wt = constant_f32(w)
    wt = None if wt is None else np.ascontiguousarray(wt.T)
    bias = constant_f32(b)
    bias = None if bias is None else bias.reshape(units)

    def run(ins, outs):
        out = rows(outs[0], (batch, units))
        weights = ins[1].T if wt is None else wt
        np.matmul(ins[0].reshape(batch, depth), weights, out=out)
        if bias is not None:
            np.add(out, bias, out=out)
        elif b is not None and ins[2] is not None:
            np.add(out, ins[2].reshape(units), out=out)
        activate(out, act)

    return run


def check_fc(ctx):
    """Shared checks of the variants: (input, weights, bias, units, depth, shape, batch)."""
    x, w = ctx.inputs[0], ctx.inputs[1]
    b = ctx.inputs[2] if len(ctx.inputs) > 2 else None
    fmt = ctx.opt("weights_format", "DEFAULT")
    if fmt not in ("DEFAULT", 0):
        raise ctx.error(f"weights_format {fmt} is not supported (only DEFAULT)")
    if len(w.shape) != 2:
        raise ctx.error(f"weights must be 2-D [out, in], got shape {w.shape}")
    units, depth = (int(d) for d in w.shape)
    if b is not None and int(np.prod(b.shape)) != units:
        raise ctx.error(f"bias shape {b.shape} does not match {units} output units")
    act = ctx.opt("fused_activation_function", "NONE")
    check_activation(ctx, act, clamps_only=True)
    shape = output_shape(ctx, tuple(x.shape), units, depth)
    ctx.expect_output_type(x)
    ctx.set_output(0, shape)
    return x, w, b, units, depth, act, int(np.prod(shape[:-1], dtype=np.int64))


@kernel("FULLY_CONNECTED", "int8", "uint8", "int16")
def prepare_fully_connected_int(ctx):
    """``reference_integer_ops::FullyConnected`` / ``FullyConnectedPerChannel`` (and the
    uint8 ``reference_ops`` one): sum((x - zx) * (w - zw)) + bias, exact in float BLAS
    (the raw x summed, float32 when the weights' per-unit sums |w| allow)."""
    x, w, b, units, depth, act, batch = check_fc(ctx)
    out = ctx.outputs[0]
    wq = constant(ctx, w, "weights").astype(np.int64) - zero_point(w)
    if x.dtype == np.int16 and (zero_point(x) or zero_point(out)):
        raise ctx.error("int16 activations must have zero points of 0")
    zx, x_max, _ = input_range(x)
    dtype = exact_dtype(wq, 0, x_max)
    wt = np.ascontiguousarray(wq.T.astype(dtype))
    bias, _ = bias_values(ctx, b, units)
    bias = bias - zx * wq.sum(axis=1)  # the raw input is summed: zx's share leaves here
    sx, so = (np.float64(scales(ctx, t, n)[0]) for t, n in ((x, "input"), (out, "output")))
    eff = sx * scales(ctx, w, "weights", units).astype(np.float64) / so
    zo = zero_point(out)
    lo, hi = out_bounds(ctx, out, act)
    pixels = np.empty((batch, depth), dtype)
    acc = np.empty((batch, units), dtype)
    requant = DoubleRoundRequant(bias, eff, zo, lo, hi, acc.shape, weight_bound(wq, 0) * x_max)

    def run(ins, outs):
        np.copyto(pixels, ins[0].reshape(batch, depth))
        np.matmul(pixels, wt, out=acc)
        requant(acc, outs[0])

    return run


@kernel("FULLY_CONNECTED", "hybrid")
def prepare_fully_connected_hybrid(ctx):
    """Float input, int8 weights (TFLite ``EvalHybridDense``): every input row quantized
    (asymmetrically with ``asymmetric_quantize_inputs``), integer sums scaled back by the row
    and weight scales and added to the bias, then the activation."""
    x, w, b, units, depth, act, batch = check_fc(ctx)
    per_channel, scale = hybrid_scales(ctx, w, units)
    wq = constant(ctx, w, "weights")
    wt = np.ascontiguousarray(wq.T.astype(F32))
    bias = constant_f32(b)
    asymmetric = bool(ctx.opt("asymmetric_quantize_inputs", False))

    def run(ins, outs):
        rows_ = ins[0].reshape(batch, depth)
        if asymmetric:
            q, factors, _ = asymmetric_quantize(rows_)  # minus the zero points
        else:
            q, factors = symmetric_quantize(rows_)
        out = rows(outs[0], (batch, units))
        np.matmul(q, wt, out=out)
        if per_channel is None:
            out *= (factors * scale)[:, None]
        else:
            out *= per_channel
            out *= factors[:, None]
        if bias is not None:
            out += bias.reshape(units)
        activate(out, act)

    return run
