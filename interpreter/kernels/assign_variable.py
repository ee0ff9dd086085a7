"""ASSIGN_VARIABLE: store a copy of a tensor in a resource variable (persists across invokes)."""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels.registry import kernel
from edgelite.interpreter.kernels.var_handle import check_handle, handle_id


@kernel("ASSIGN_VARIABLE", "any", stateful=True)
def prepare_assign_variable(ctx):
    check_handle(ctx)
    if len(ctx.inputs) < 2 or ctx.inputs[1] is None:
        raise ctx.error("takes (handle, value): the value input is missing")
    resources = ctx.runtime.owner.resources

    def run(ins, outs):
        resources[handle_id(ins[0])] = np.array(ins[1])

    return run
