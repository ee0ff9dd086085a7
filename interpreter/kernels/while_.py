"""WHILE: run the body subgraph while the condition subgraph returns true (TFLite ``while``).

Loop variables keep their shapes across iterations here (the common case in converted models);
a body that changes a shape raises a clear error.
"""

from __future__ import annotations

import numpy as np

from edgelite.errors import EdgeliteError
from edgelite.interpreter.kernels.registry import kernel


def subgraph_with_inputs(owner, index: int, shapes):
    """Subgraph ``index`` allocated for input ``shapes``."""
    rt = owner.subgraph(index)
    changed = False
    for i, shape in zip(rt.sg.inputs, shapes):
        if tuple(rt.input_shapes.get(i, ())) != tuple(shape):
            rt.input_shapes[i] = tuple(shape)
            changed = True
    if changed:
        rt.allocate(owner._preserve_all)
    return rt


def feed(rt, arrays) -> None:
    for i, a in zip(rt.sg.inputs, arrays):
        np.copyto(rt.values[i], a)


@kernel("WHILE", "any", stateful=True)
def prepare_while(ctx):
    owner = ctx.runtime.owner
    shapes = [t.shape for t in ctx.inputs]
    for i, t in enumerate(ctx.inputs):
        ctx.set_output(i, t.shape, t.dtype)
    cond = subgraph_with_inputs(owner, ctx.opt("cond_subgraph_index", 0), shapes)
    body = subgraph_with_inputs(owner, ctx.opt("body_subgraph_index", 0), shapes)
    where = ctx.location

    def run(ins, outs):
        state = [np.array(x) for x in ins]
        while True:
            feed(cond, state)
            cond.invoke()
            if not bool(cond.values[cond.sg.outputs[0]].reshape(-1)[0]):
                break
            feed(body, state)
            body.invoke()
            new = [body.values[i] for i in body.sg.outputs]
            for old, nxt in zip(state, new):
                if old.shape != nxt.shape:
                    raise EdgeliteError(
                        f"{where}: the loop body changes a shape from {old.shape} to {nxt.shape}"
                    )
            state = [np.array(x) for x in new]
        for out, value in zip(outs, state):
            np.copyto(out, value)

    return run
