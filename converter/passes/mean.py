"""Mean over spatial: AVERAGE_POOL_2D whose window covers the whole (static) H x W input and
yields 1 x 1 becomes MEAN over axes [1, 2] with keep_dims — the form TFLite's converter emits
for global average pooling. MEAN over [1, 2] stays as it is."""

from __future__ import annotations

import numpy as np

from edgelite.converter.ir import Op
from edgelite.converter.passes._rewrite import act, is_float, new_const


def _is_global_pool(op) -> bool:
    x, y = op.inputs[0], op.outputs[0]
    if not (is_float(x) and is_float(y)) or act(op) != "NONE":
        return False
    if len(x.shape) != 4 or len(y.shape) != 4 or min(x.shape[1:3]) <= 0:
        return False
    o = op.options
    window = (o.get("filter_height"), o.get("filter_width"))
    return window == tuple(x.shape[1:3]) and tuple(y.shape[1:3]) == (1, 1)


def pool_to_mean(graph):
    g = graph.copy()
    for i, op in enumerate(g.ops):
        if op.type == "AVERAGE_POOL_2D" and _is_global_pool(op):
            axes = new_const(f"{op.name or op.outputs[0].name}/axes", [1, 2], np.int32)
            g.ops[i] = Op(
                "MEAN", [op.inputs[0], axes], list(op.outputs), {"keep_dims": True}, op.name
            )
    return g
