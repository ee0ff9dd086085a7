"""LOG_SOFTMAX: x - max - log(sum(exp(x - max))) over the last axis (TFLite ``log_softmax``).

int8 (output scale 16/256, zero point 127) follows TFLite's fixed-point reference kernel (see
``_qsoftmax``).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._qsoftmax import log_softmax_scaling, make_log_softmax8
from edgelite.interpreter.kernels._quantized import qparams
from edgelite.interpreter.kernels.registry import kernel
from edgelite.interpreter.kernels.softmax import prepare_last_axis, shifted


@kernel("LOG_SOFTMAX", "float")
def prepare_log_softmax(ctx):
    x = prepare_last_axis(ctx)
    if x.shape[-1] == 0:
        return lambda ins, outs: None

    def run(ins, outs):
        out = outs[0]
        shifted(ins[0], out)
        out -= np.log(np.sum(np.exp(out), axis=-1, keepdims=True))

    return run


@kernel("LOG_SOFTMAX", "int8")
def prepare_log_softmax_int8(ctx):
    x = prepare_last_axis(ctx)
    scale, _ = qparams(ctx, x, "input")
    s_out, z_out = qparams(ctx, ctx.outputs[0], "output")
    if float(s_out) != 16 / 256 or z_out != 127:
        raise ctx.error(f"int8 output needs scale 16/256 and zero point 127, got {s_out} {z_out}")
    if x.shape[-1] == 0:
        return lambda ins, outs: None
    try:
        fn = make_log_softmax8(*log_softmax_scaling(scale))
    except ValueError as e:
        raise ctx.error(str(e)) from None

    def run(ins, outs):
        np.copyto(outs[0], fn(ins[0]), casting="unsafe")

    return run
