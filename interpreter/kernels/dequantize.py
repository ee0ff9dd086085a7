"""DEQUANTIZE: float16 or quantized integers to float32 (TFLite ``dequantize``).

Per-tensor: ``float(double(scale) * (q - zero_point))`` as the reference kernel computes it;
per-channel (quantized weights): float32 ``(q - zp[c]) * scale[c]`` along the quantized axis.
With a constant input (fp16 or int8 weights) the interpreter folds the op at allocate time.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels.registry import kernel


def _shape_along(axis: int, rank: int, n: int) -> tuple:
    shape = [1] * rank
    shape[axis] = n
    return tuple(shape)


@kernel("DEQUANTIZE", "any")
def prepare_dequantize(ctx):
    x = ctx.inputs[0]
    ctx.set_output(0, x.shape, np.float32)
    if x.dtype == np.float16:
        return lambda ins, outs: np.copyto(outs[0], ins[0])
    if x.dtype not in (np.int8, np.uint8, np.int16, np.int32):
        raise ctx.error(f"cannot dequantize {x.dtype} input '{x.name}'")
    q = x.quant
    if q is None:
        raise ctx.error(f"input '{x.name}' has no quantization parameters")
    if q.per_channel:
        if not 0 <= q.axis < len(x.shape) or x.shape[q.axis] != q.scale.size:
            raise ctx.error(
                f"input '{x.name}': {q.scale.size} scales for axis {q.axis} of shape {x.shape}"
            )
        shape = _shape_along(q.axis, len(x.shape), q.scale.size)
        scale = q.scale.astype(np.float32).reshape(shape)
        zp = q.zero_point.astype(np.float32).reshape(shape)

        def run_channel(ins, outs):
            np.multiply(ins[0].astype(np.float32) - zp, scale, out=outs[0])

        return run_channel
    scale, zp = float(q.scale[0]), int(q.zero_point[0])

    def run(ins, outs):
        outs[0][...] = (ins[0].astype(np.float64) - zp) * scale

    return run
