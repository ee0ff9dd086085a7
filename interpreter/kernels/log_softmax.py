"""LOG_SOFTMAX: x - max - log(sum(exp(x - max))) over the last axis (TFLite ``log_softmax``)."""

from __future__ import annotations

import numpy as np

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
