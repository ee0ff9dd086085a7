"""MatMul (+ Add) -> FULLY_CONNECTED: BATCH_MATMUL by a constant 2-D right operand becomes
FULLY_CONNECTED with the weights transposed to TFLite's [out, in] layout; a following ADD of a
per-output constant becomes its bias (and the ADD's activation its fused activation)."""

from __future__ import annotations

import numpy as np

from edgelite.converter.ir import Op
from edgelite.converter.passes._rewrite import act, const, is_float, new_const, sole_reader


def _bias(add, y, n: int):
    """The ADD's constant as a length-``n`` bias when it is one, else None."""
    if add is None or add.type != "ADD" or add.outputs[0].shape != y.shape:
        return None
    other = add.inputs[1] if add.inputs[0] is y else add.inputs[0]
    c = const(other)
    if c is None or not is_float(other) or other is y:
        return None
    if c.ndim > len(y.shape) or any(d != 1 for d in c.shape[:-1]):
        return None
    if c.ndim and c.shape[-1] not in (1, n):
        return None
    return np.broadcast_to(c.reshape(-1), (n,)).astype(np.float32)


def _convert(g, mm, consumers) -> bool:
    a, w_t = mm.inputs[0], mm.inputs[1]
    w = const(w_t)
    o = mm.options
    if (
        w is None
        or w.ndim != 2
        or o.get("adj_x")
        or not (is_float(a) and is_float(w_t) and is_float(mm.outputs[0]))
        or a.is_const
        or len(a.shape) < 2
    ):
        return False
    weights = w if o.get("adj_y") else w.T  # FULLY_CONNECTED wants [out, in]
    n = weights.shape[0]
    y = mm.outputs[0]
    add = sole_reader(g, y, consumers)
    bias = _bias(add, y, n)
    inputs = [a, new_const(f"{w_t.name}/fc_weights", np.ascontiguousarray(weights), np.float32)]
    options = {"fused_activation_function": "NONE", "keep_num_dims": len(a.shape) > 2}
    out = y
    if bias is not None:
        inputs.append(new_const(f"{mm.name or y.name}/fc_bias", bias, np.float32))
        options["fused_activation_function"] = act(add)
        out = add.outputs[0]
        g.ops.remove(add)
    else:
        inputs.append(None)
    version = 5 if options["keep_num_dims"] else 1
    g.ops[g.ops.index(mm)] = Op("FULLY_CONNECTED", inputs, [out], options, mm.name, version)
    return True


def matmul_to_fully_connected(graph):
    g = graph.copy()
    for mm in [op for op in g.ops if op.type == "BATCH_MATMUL"]:
        _convert(g, mm, g.consumers())
    return g
