"""WHERE with one input: the coordinates of the non-zero elements, as an int64 [count, rank]
tensor in row-major order (TFLite ``where``). The output shape depends on the values, so the op
re-prepares on every invoke unless its input is constant.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels.context import NeedsData
from edgelite.interpreter.kernels.registry import kernel


@kernel("WHERE", "any")
def prepare_where(ctx):
    if len(ctx.inputs) != 1:
        raise ctx.error("only the one-input form of WHERE exists in TFLite (use SELECT_V2)")
    cond = ctx.inputs[0]
    if cond.data is None:
        raise NeedsData("WHERE: the output shape depends on the condition's values")
    count = int(np.count_nonzero(cond.data))
    ctx.set_output(0, (count, len(cond.shape)), np.int64)

    def run(ins, outs):
        np.copyto(outs[0], np.argwhere(ins[0]))

    return run
