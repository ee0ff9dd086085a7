"""Reshape chain collapse: RESHAPE of a RESHAPE (or of a SQUEEZE / EXPAND_DIMS) reads the
original tensor directly — only the last shape matters. The inner op goes when nothing else
reads it."""

from __future__ import annotations

from edgelite.converter.passes._rewrite import same_quant

INNER = ("RESHAPE", "SQUEEZE", "EXPAND_DIMS")


def collapse_reshapes(graph):
    g = graph.copy()
    producers = g.producers()
    inner_ops = []
    for op in g.ops:
        if op.type != "RESHAPE":
            continue
        inner = producers.get(op.inputs[0])
        while (
            inner is not None and inner.type in INNER and same_quant(inner.inputs[0], op.inputs[0])
        ):
            op.inputs = [inner.inputs[0]] + list(op.inputs[1:])
            inner_ops.append(inner)
            inner = producers.get(op.inputs[0])
    outputs = {id(t) for t in g.outputs}
    pending = {id(o): o for o in inner_ops}
    while pending:
        consumers = g.consumers()
        dead = [
            o
            for o in pending.values()
            if not consumers.get(o.outputs[0]) and id(o.outputs[0]) not in outputs
        ]
        if not dead:
            break
        for o in dead:
            g.ops.remove(o)
            del pending[id(o)]
    return g
