"""TRANSPOSE: permute dims by the ``perm`` input (TFLite ``transpose``).

``perm`` has one entry per input dim; entries may be negative (TFLite adds the rank) and must
form a permutation.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import int_vector, same_dtype
from edgelite.interpreter.kernels.registry import kernel


@kernel("TRANSPOSE", "any")
def prepare_transpose(ctx):
    same_dtype(ctx)
    in_shape = tuple(ctx.inputs[0].shape)
    rank = len(in_shape)
    perm = int_vector(ctx, 1, "perm", length=rank)
    if any(not -rank <= p < rank for p in perm):
        raise ctx.error(f"perm {perm} has entries outside [-{rank}, {rank})")
    perm = tuple(p + rank if p < 0 else p for p in perm)
    if sorted(perm) != list(range(rank)):
        raise ctx.error(f"perm {perm} is not a permutation of 0..{rank - 1}")
    ctx.set_output(0, tuple(in_shape[p] for p in perm))

    def run(ins, outs):
        np.copyto(outs[0], ins[0].transpose(perm))

    return run
