"""Dead-code elimination: drop ops whose outputs nothing reads (graph inputs always stay)."""

from __future__ import annotations

# Ops kept even when nothing reads their outputs: they change state or call other subgraphs.
SIDE_EFFECTS = frozenset({"ASSIGN_VARIABLE", "CALL_ONCE", "CALL", "IF", "WHILE", "CUSTOM"})


def eliminate_dead_code(graph):
    g = graph.copy()
    live = {id(t) for t in g.outputs}
    kept = []
    for op in reversed(g.ops):
        if op.type in SIDE_EFFECTS or not op.outputs or any(id(t) in live for t in op.outputs):
            kept.append(op)
            live.update(id(t) for t in op.inputs if t is not None)
    g.ops = kept[::-1]
    return g
