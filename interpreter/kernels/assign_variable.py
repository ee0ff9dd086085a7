"""ASSIGN_VARIABLE: store a copy of a tensor in a resource variable (persists across invokes)."""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels.registry import kernel


@kernel("ASSIGN_VARIABLE", "any", stateful=True)
def prepare_assign_variable(ctx):
    resources = ctx.runtime.owner.resources

    def run(ins, outs):
        resources[int(ins[0])] = np.array(ins[1])

    return run
