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


def check_handle(ctx) -> None:
    """Input 0 of READ_VARIABLE / ASSIGN_VARIABLE must be a resource handle: one int32 id
    (a VAR_HANDLE's output) or a RESOURCE tensor passed in by a control-flow op."""
    h = ctx.inputs[0] if ctx.inputs else None
    kinds = (np.dtype(np.int32), np.dtype(np.object_))
    if h is None or np.dtype(h.dtype) not in kinds or int(np.prod(h.shape)) != 1:
        what = "missing" if h is None else f"{np.dtype(h.dtype).name} of shape {list(h.shape)}"
        raise ctx.error(f"input 0 must be a resource handle, got {what}")


def handle_id(value) -> int:
    """The resource id a checked handle input holds (a scalar or a one-element array)."""
    return int(np.asarray(value).reshape(-1)[0])
