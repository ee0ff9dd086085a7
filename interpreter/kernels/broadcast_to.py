"""BROADCAST_TO: broadcast the input to the ``shape`` input (TFLite ``broadcast_to``).

Numpy's rule: trailing dims align and each input dim is 1 or equal to the target's.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import int_vector, same_dtype
from edgelite.interpreter.kernels.registry import kernel


@kernel("BROADCAST_TO", "any")
def prepare_broadcast_to(ctx):
    same_dtype(ctx)
    shape = tuple(ctx.inputs[0].shape)
    target = tuple(int_vector(ctx, 1, "shape"))
    lead = len(target) - len(shape)
    if lead < 0 or any(n not in (1, t) for n, t in zip(shape, target[lead:])):
        raise ctx.error(f"cannot broadcast {shape} to {target}")
    if any(t < 0 for t in target):
        raise ctx.error(f"target shape {target} has negative dims")
    ctx.set_output(0, target)

    def run(ins, outs):
        np.copyto(outs[0], ins[0])

    return run
