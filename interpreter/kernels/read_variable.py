"""READ_VARIABLE: the current value of a resource variable.

The output takes the shape the model declares when it is fully known; otherwise the op is
prepared at every invoke from the variable's current value.
"""

from __future__ import annotations

import numpy as np

from edgelite.errors import InvokeError
from edgelite.interpreter.kernels.context import NeedsData
from edgelite.interpreter.kernels.registry import kernel
from edgelite.interpreter.kernels.var_handle import check_handle, handle_id


@kernel("READ_VARIABLE", "any", stateful=True)
def prepare_read_variable(ctx):
    check_handle(ctx)
    resources = ctx.runtime.owner.resources
    handle, out = ctx.inputs[0], ctx.outputs[0]
    where = ctx.location
    if handle.data is not None and int(handle.data) in resources:
        value = resources[int(handle.data)]
        if out.is_variable or out.shape != value.shape or any(d < 0 for d in out.shape):
            ctx.set_output(0, value.shape, value.dtype)
    elif any(d < 0 for d in out.shape) or out.dtype == np.object_:
        raise NeedsData()

    def run(ins, outs):
        rid = handle_id(ins[0])
        if rid not in resources:
            raise InvokeError(f"{where}: variable {rid} is read before any ASSIGN_VARIABLE")
        value = resources[rid]
        if value.shape != outs[0].shape:
            raise InvokeError(
                f"{where}: variable {rid} holds shape {value.shape}, the model "
                f"reads it as {outs[0].shape}"
            )
        np.copyto(outs[0], value, casting="same_kind")

    return run
