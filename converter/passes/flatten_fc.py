"""Flatten folding: TRANSPOSE -> RESHAPE to 2-D -> FULLY_CONNECTED with constant weights
becomes RESHAPE -> FULLY_CONNECTED with the weight columns permuted instead.

A CNN exported from NCHW flattens its features in C, H, W order before the classifier; held
as NHWC, that needs a TRANSPOSE back first. Reordering the (constant) weight columns to H, W, C
order gives the same products without the TRANSPOSE, so the graph keeps no interior transpose.
"""

from __future__ import annotations

import numpy as np

from edgelite.converter.ir import Tensor
from edgelite.converter.passes._rewrite import const, int_list, is_float, new_const, sole_reader


def _match(graph, tr, consumers):
    """(reshape, fc, perm) when ``tr`` heads the pattern, else None."""
    perm = int_list(tr.inputs[1]) if len(tr.inputs) > 1 else None
    x = tr.inputs[0]
    if perm is None or not perm or perm[0] != 0 or not is_float(x) or len(x.shape) < 2:
        return None
    reshape = sole_reader(graph, tr.outputs[0], consumers)
    if reshape is None or reshape.type != "RESHAPE":
        return None
    out = reshape.outputs[0]
    if len(out.shape) != 2 or out.shape[1] != int(np.prod(x.shape[1:])):
        return None
    fc = sole_reader(graph, out, consumers)
    if fc is None or fc.type != "FULLY_CONNECTED" or fc.inputs[0] is not out:
        return None
    w = const(fc.inputs[1])
    if w is None or w.ndim != 2 or w.shape[1] != out.shape[1] or fc.inputs[1].quant is not None:
        return None
    return reshape, fc, perm


def fold_flatten_transpose(graph):
    g = graph.copy()
    consumers = g.consumers()
    for tr in [op for op in g.ops if op.type == "TRANSPOSE"]:
        found = _match(g, tr, consumers)
        if found is None:
            continue
        reshape, fc, perm = found
        x, w_t = tr.inputs[0], fc.inputs[1]
        w = const(w_t)
        t_shape = [x.shape[p] for p in perm[1:]]
        # column j of W belongs to transposed position t; move the axes back to x's order
        back = [0] + [1 + perm[1:].index(a) for a in range(1, len(x.shape))]
        w_new = w.reshape([w.shape[0]] + t_shape).transpose(back).reshape(w.shape)
        flat = reshape.outputs[0]
        reshaped = Tensor(f"{flat.name}_nhwc", flat.shape, flat.dtype)
        reshape.inputs = [x] + list(reshape.inputs[1:])
        reshape.outputs = [reshaped]
        fc.inputs = [reshaped, new_const(f"{w_t.name}_nhwc", w_new, w.dtype)] + fc.inputs[2:]
        g.ops.remove(tr)
        consumers = g.consumers()
    return g
