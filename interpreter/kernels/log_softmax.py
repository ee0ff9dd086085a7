"""LOG_SOFTMAX: x - max - log(sum(exp(x - max))) over the last axis (TFLite ``log_softmax``).

int8 (output scale 16/256, zero point 127) and legacy uint8 (scale 16/256, zero point 255)
follow TFLite's fixed-point reference kernels (``reference_integer_ops::LogSoftmax`` and
``reference_ops::LogSoftmax``): the same arithmetic, offset by max(type) (see ``_qsoftmax``).
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


@kernel("LOG_SOFTMAX", "int8", "uint8")
def prepare_log_softmax_int8(ctx):
    x = prepare_last_axis(ctx)
    scale, _ = qparams(ctx, x, "input")
    out = ctx.outputs[0]
    s_out, z_out = qparams(ctx, out, "output")
    zp = 127 if x.dtype == np.int8 else 255  # max(type)
    if float(s_out) != 16 / 256 or z_out != zp:
        raise ctx.error(
            f"{np.dtype(x.dtype).name} output '{out.name}' needs scale 16/256 and zero point "
            f"{zp}, got {s_out} and {z_out}"
        )
    if x.shape[-1] == 0:
        return lambda ins, outs: None
    try:
        fn = make_log_softmax8(*log_softmax_scaling(scale), out_dtype=x.dtype)
    except ValueError as e:
        raise ctx.error(str(e)) from None

    def run(ins, outs):
        np.copyto(outs[0], fn(ins[0]), casting="unsafe")

    return run
