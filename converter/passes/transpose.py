"""Transpose cancellation.

- TRANSPOSE(TRANSPOSE(x, p1), p2) -> x when the perms compose to the identity, else one
  TRANSPOSE(x, p1[p2]).
- TRANSPOSE(x, p1) -> elementwise ops (unary, or binary with a constant) -> TRANSPOSE(., p2)
  composing to the identity: the elementwise ops run on x directly, constants permuted to
  match, and both transposes go. This removes the layout shuffles an NCHW importer leaves
  around activations and bias adds.
- A TRANSPOSE that only moves size-1 dims (it keeps the order of the others) is a RESHAPE,
  which later passes can merge with its neighbours.
"""

from __future__ import annotations

import numpy as np

from edgelite.converter.ir import Op, Tensor
from edgelite.converter.passes._rewrite import bypass, const, int_list, new_const, sole_reader

UNARY = frozenset(
    {
        "ABS", "CAST", "CEIL", "COS", "ELU", "EXP", "FLOOR", "GELU", "HARD_SWISH", "LEAKY_RELU",
        "LOG", "LOGISTIC", "NEG", "RELU", "RELU6", "RELU_0_TO_1", "RELU_N1_TO_1", "ROUND",
        "RSQRT", "SIGN", "SIN", "SQRT", "SQUARE", "TANH",
    }
)  # fmt: skip
BINARY = frozenset({"ADD", "SUB", "MUL", "DIV", "MAXIMUM", "MINIMUM", "POW", "SQUARED_DIFFERENCE"})


def _perm(op):
    """A TRANSPOSE's permutation, or None (another op, a computed or malformed perm: such
    a TRANSPOSE is left alone for the interpreter's checks to report)."""
    perm = int_list(op.inputs[1]) if op.type == "TRANSPOSE" else None
    return perm if perm is not None and sorted(perm) == list(range(len(perm))) else None


def _compose(p1, p2):
    return [p1[i] for i in p2]


def _merge_pair(g, t2, producers) -> bool:
    p2 = _perm(t2)
    t1 = producers.get(t2.inputs[0])
    p1 = _perm(t1) if t1 is not None else None
    if p1 is None or p2 is None or len(p1) != len(p2):
        return False
    perm = _compose(p1, p2)
    x = t1.inputs[0]
    if perm == list(range(len(perm))):
        if not bypass(g, t2, x):
            return False
    else:
        t2.inputs = [x, new_const(f"{t2.name}/perm", perm, np.int32)]
    y1 = t1.outputs[0]
    if not g.consumers().get(y1) and not any(t is y1 for t in g.outputs):
        g.ops.remove(t1)
    return True


def _chain(g, t1, consumers):
    """The elementwise ops from ``t1``'s output to a cancelling TRANSPOSE, and that TRANSPOSE."""
    p1, chain, y = _perm(t1), [], t1.outputs[0]
    while True:
        op = sole_reader(g, y, consumers)
        if op is None:
            return None
        if op.type == "TRANSPOSE":
            p2 = _perm(op)
            ok = chain and p2 is not None and _compose(p1, p2) == list(range(len(p1)))
            return (chain, op) if ok else None
        if not _elementwise(op, y):
            return None
        chain.append(op)
        y = op.outputs[0]


def _elementwise(op, y) -> bool:
    if len(op.outputs) != 1 or op.outputs[0].shape != y.shape:
        return False
    if op.type in UNARY:
        return len([t for t in op.inputs if t is not None]) == 1 or op.type == "CAST"
    if op.type in BINARY and len(op.inputs) == 2:
        other = op.inputs[1] if op.inputs[0] is y else op.inputs[0]
        return other.is_const and other is not y
    return False


def _sink(g, t1, consumers) -> bool:
    found = _chain(g, t1, consumers)
    if found is None:
        return False
    chain, t2 = found
    x, inverse = t1.inputs[0], _perm(t2)
    rank = len(x.shape)
    src = x
    for k, op in enumerate(chain):
        ins = []
        for t in op.inputs:
            if t is not None and t.is_const and op.type in BINARY:
                c = const(t).reshape((1,) * (rank - const(t).ndim) + const(t).shape)
                t = new_const(f"{t.name}/perm", np.transpose(c, inverse), t.dtype)
            elif t is not None and not t.is_const:
                t = src
            ins.append(t)
        last = k == len(chain) - 1
        out = op.outputs[0]
        out = t2.outputs[0] if last else Tensor(out.name, x.shape, out.dtype, quant=out.quant)
        g.ops[g.ops.index(op)] = Op(op.type, ins, [out], dict(op.options), op.name, op.version)
        src = out
    g.ops.remove(t1)
    g.ops.remove(t2)
    return True


def _as_reshape(op):
    """The RESHAPE equal to TRANSPOSE ``op``, or None."""
    perm, x, y = _perm(op), op.inputs[0], op.outputs[0]
    if perm is None or sum(d < 0 for d in x.shape) > 1 or len(perm) != len(x.shape):
        return None
    kept = [i for i in perm if x.shape[i] != 1]
    if kept != sorted(kept):
        return None
    shape = new_const(f"{op.name or y.name}/shape", y.shape, np.int32)
    return Op("RESHAPE", [x, shape], [y], {}, op.name)


def cancel_transposes(graph):
    g = graph.copy()
    changed = True
    while changed:
        changed = False
        producers, consumers = g.producers(), g.consumers()
        for op in list(g.ops):
            if _perm(op) is None:
                continue
            if _merge_pair(g, op, producers) or _sink(g, op, consumers):
                changed = True
                break
    for i, op in enumerate(g.ops):  # only once no pair is left to cancel
        g.ops[i] = _as_reshape(op) or op
    return g
