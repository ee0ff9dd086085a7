"""VAR_HANDLE: a handle to the resource variable named (container, shared_name).

The handle is an int32 id, fixed for the interpreter's lifetime, so the op produces a constant.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels.registry import kernel


@kernel("VAR_HANDLE", "any", stateful=True)
def prepare_var_handle(ctx):
    key = (ctx.opt("container", "") or "", ctx.opt("shared_name", "") or "")
    rid = ctx.runtime.owner.resource_id(key)
    ctx.set_output(0, (), np.int32)
    ctx.outputs[0].data = np.array(rid, np.int32)
