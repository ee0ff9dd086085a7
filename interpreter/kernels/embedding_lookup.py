"""EMBEDDING_LOOKUP: rows of ``value`` (input 1) picked by the int32 ids of input 0 (TFLite
``embedding_lookup``, the same-dtype path: a row copy). Ids outside [0, rows) are errors.
Hybrid lookups (int8 table, float output) are not handled here.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._shape_util import check_indices
from edgelite.interpreter.kernels.registry import kernel


@kernel("EMBEDDING_LOOKUP", "int32", "float")  # family of the ids (input 0), or of the table
def prepare_embedding_lookup(ctx):
    ids, table = ctx.inputs[0], ctx.inputs[1]
    if len(ids.shape) != 1 or np.dtype(ids.dtype) != np.int32:
        raise ctx.error(
            f"ids must be a 1-D int32 tensor, got {np.dtype(ids.dtype).name}{tuple(ids.shape)}"
        )
    if len(table.shape) < 2:
        raise ctx.error(f"value must have rank >= 2, got shape {tuple(table.shape)}")
    if np.dtype(table.dtype) != np.dtype(ctx.outputs[0].dtype):
        raise ctx.error(
            f"hybrid lookup ({np.dtype(table.dtype).name} table, "
            f"{np.dtype(ctx.outputs[0].dtype).name} output) is not supported"
        )
    rows = table.shape[0]
    ctx.set_output(0, tuple(ids.shape) + tuple(table.shape[1:]))
    const = ids.data
    if const is not None:
        check_indices(ctx, np.asarray(const), rows, "id")

    def run(ins, outs):
        if const is None:
            check_indices(ctx, ins[0], rows, "id")
        np.take(ins[1], ins[0], axis=0, out=outs[0], mode="clip")

    return run
