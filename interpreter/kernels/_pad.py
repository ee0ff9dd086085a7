"""Constant padding shared by PAD and PADV2 (TFLite ``pad``)."""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import pad_matrix, same_dtype, same_quant, zero_value


def pad_layout(ctx, shape, pads):
    """Output shape, where the input lands, and the border slabs to fill with the pad value."""
    if any(a < 0 or b < 0 for a, b in pads):
        raise ctx.error(f"paddings {pads} must be >= 0")
    out_shape = tuple(n + a + b for n, (a, b) in zip(shape, pads))
    inner = tuple(slice(a, a + n) for n, (a, _) in zip(shape, pads))
    borders = []
    for d, (n, (a, b)) in enumerate(zip(shape, pads)):
        lead = (slice(None),) * d
        if a:
            borders.append(lead + (slice(0, a),))
        if b:
            borders.append(lead + (slice(a + n, None),))
    return out_shape, inner, borders


def prepare_pad(ctx):
    """Pad value: input 2 when present (PADV2), else the output zero point (0 if not quantized)."""
    same_dtype(ctx)
    shape = tuple(ctx.inputs[0].shape)
    out_shape, inner, borders = pad_layout(ctx, shape, pad_matrix(ctx, 1, len(shape)))
    ctx.set_output(0, out_shape)
    value, value_t = zero_value(ctx), None
    if len(ctx.inputs) > 2 and ctx.inputs[2] is not None:
        value_t = ctx.inputs[2]
        same_dtype(ctx, 2, 0)
        same_quant(ctx, value_t, ctx.outputs[0], "constant_values")
        if int(np.prod(value_t.shape, dtype=np.int64)) != 1:
            raise ctx.error(f"constant_values must hold one value, has shape {value_t.shape}")
        if value_t.data is not None:
            value, value_t = np.asarray(value_t.data).reshape(()), None

    def run(ins, outs):
        out = outs[0]
        v = value if value_t is None else ins[2].reshape(())
        for b in borders:
            out[b] = v
        out[inner] = ins[0]

    return run
