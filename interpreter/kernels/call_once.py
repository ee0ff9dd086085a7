"""CALL_ONCE: run the initialization subgraph on the first invoke only (e.g. to set variables).

``reset_all_variables`` re-arms it, so the variables start again from their initial values.
"""

from __future__ import annotations

from edgelite.interpreter.kernels.registry import kernel


@kernel("CALL_ONCE", "any", stateful=True)
def prepare_call_once(ctx):
    runtime = ctx.runtime
    index = ctx.opt("init_subgraph_index", 0)
    key = ("call_once", ctx.location)

    def run(ins, outs):
        if not runtime.owner.state.get(key):
            runtime.owner.subgraph(index).invoke()
            runtime.owner.state[key] = True

    return run
