"""IF: run the then- or else-subgraph on the remaining inputs (TFLite ``if``)."""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels.context import NeedsData
from edgelite.interpreter.kernels.registry import kernel
from edgelite.interpreter.kernels.while_ import feed, subgraph_with_inputs


@kernel("IF", "any", stateful=True)
def prepare_if(ctx):
    owner = ctx.runtime.owner
    shapes = [t.shape for t in ctx.inputs[1:]]
    branches = [
        subgraph_with_inputs(owner, ctx.opt("then_subgraph_index", 0), shapes),
        subgraph_with_inputs(owner, ctx.opt("else_subgraph_index", 0), shapes),
    ]
    out_shapes = [[rt.infos[i].shape for i in rt.sg.outputs] for rt in branches]
    if out_shapes[0] != out_shapes[1]:
        cond = ctx.inputs[0].data
        if cond is None:
            raise NeedsData()  # branch output shapes differ: decide per invoke
        out_shapes[0] = out_shapes[0 if bool(np.asarray(cond).reshape(-1)[0]) else 1]
    for i, shape in enumerate(out_shapes[0]):
        ctx.set_output(i, shape)

    def run(ins, outs):
        rt = branches[0 if bool(np.asarray(ins[0]).reshape(-1)[0]) else 1]
        feed(rt, ins[1:])
        rt.invoke()
        for out, i in zip(outs, rt.sg.outputs):
            np.copyto(out, rt.values[i])

    return run
