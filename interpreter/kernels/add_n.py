"""ADD_N: sum of two or more tensors of one shape and dtype (TFLite ``add_n``, no broadcasting)."""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels.registry import kernel


@kernel("ADD_N", "float", "int32")
def prepare_add_n(ctx):
    ins = list(ctx.inputs)
    if len(ins) < 2 or any(t is None for t in ins):
        raise ctx.error(f"expects at least 2 inputs, got {sum(t is not None for t in ins)}")
    first = ins[0]
    for t in ins[1:]:
        if t.shape != first.shape or t.dtype != first.dtype:
            raise ctx.error(
                f"all inputs must match the first ({first.shape}, {first.dtype}); "
                f"got ({t.shape}, {t.dtype})"
            )
    ctx.set_output(0, first.shape, first.dtype)

    def run(ins, outs):
        out = outs[0]
        np.add(ins[0], ins[1], out=out)
        for x in ins[2:]:
            np.add(out, x, out=out)

    return run
