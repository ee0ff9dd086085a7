"""Helpers the passes share: reading constants, reader counts, and removing pass-through ops."""

from __future__ import annotations

import numpy as np

from edgelite.converter.ir import Tensor, constant


def is_float(t) -> bool:
    """A float32 activation or constant without quantization (what the float passes rewrite)."""
    return t is not None and t.dtype == np.float32 and t.quant is None


def const(t):
    """The value of constant ``t`` as an array, or None."""
    return None if t is None or t.data is None else np.asarray(t.data)


def scalar(t):
    """The single value of a one-element constant, or None."""
    v = const(t)
    return None if v is None or v.size != 1 else float(v.reshape(-1)[0])


def int_list(t):
    v = const(t)
    return None if v is None else [int(x) for x in v.reshape(-1)]


def sole_reader(graph, t, consumers=None):
    """The one op reading ``t`` when nothing else (no other op, no graph output) does."""
    if any(o is t for o in graph.outputs):
        return None
    readers = (consumers or graph.consumers()).get(t, [])
    return readers[0] if len(readers) == 1 else None


def act(op) -> str:
    return op.options.get("fused_activation_function", "NONE") or "NONE"


def new_const(name: str, value, dtype=None) -> Tensor:
    return constant(name, np.asarray(value, dtype))


def bypass(graph, op, src) -> bool:
    """Remove ``op`` (in place), whose first output equals its input ``src``.

    Readers of the output read ``src`` instead. When the output is a graph output its name must
    survive, so ``src``'s producer writes it instead; when that is impossible (``src`` is a graph
    input, an output itself or a constant) the op stays and False is returned.
    """
    out = op.outputs[0]
    if any(t is out for t in graph.outputs):
        producer = graph.producers().get(src)
        if producer is None or any(t is src for t in graph.outputs):
            return False
        producer.outputs = [out if t is src else t for t in producer.outputs]
        graph.ops.remove(op)
        graph.replace_uses(src, out)
        return True
    graph.ops.remove(op)
    graph.replace_uses(out, src)
    return True


def same_quant(a, b) -> bool:
    if a.quant is None or b.quant is None:
        return a.quant is None and b.quant is None
    qa, qb = a.quant, b.quant
    return (
        np.array_equal(qa.scale, qb.scale)
        and np.array_equal(qa.zero_point, qb.zero_point)
        and qa.axis == qb.axis
    )
