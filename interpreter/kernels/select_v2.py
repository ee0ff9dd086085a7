"""SELECT_V2: pick x where condition else y, all three broadcast (TFLite ``select``, v2)."""

from __future__ import annotations

from edgelite.interpreter.kernels._binary import broadcast_inputs
from edgelite.interpreter.kernels.registry import kernel
from edgelite.interpreter.kernels.select import check_select_inputs, select_into


@kernel("SELECT_V2", "bool")
def prepare_select_v2(ctx):
    cond, x, y = check_select_inputs(ctx)
    ctx.set_output(0, broadcast_inputs(ctx, (cond, x, y)), x.dtype)

    def run(ins, outs):
        select_into(ins[0], ins[1], ins[2], outs[0])

    return run
