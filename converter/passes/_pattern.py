"""Find elementwise subgraphs that compute a known function of one tensor, by evaluation.

Spellings of x * relu6(x + 3) / 6 or of GELU vary (operand order, DIV vs MUL by the inverse,
MINIMUM/MAXIMUM vs RELU6, tanh vs erf forms, ...). Rather than list them, a candidate — a root
op, a source tensor x, and every elementwise op between them whose other operands are scalar
constants and whose results nothing outside reads — is run through the interpreter's kernels on
probe values of x and compared with the target function.
"""

from __future__ import annotations

import numpy as np

from edgelite.converter.evaluate import NotEvaluable, run_ops
from edgelite.converter.ir import Op
from edgelite.converter.passes._rewrite import is_float
from edgelite.converter.passes.transpose import BINARY, UNARY

ELEMENTWISE = UNARY | BINARY | {
    "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL", "EQUAL", "NOT_EQUAL", "SELECT", "SELECT_V2",
}  # fmt: skip
MAX_OPS = 40
PROBE = np.concatenate(
    [np.linspace(-8, 8, 321), [-30.0, -12.0, -3.0, -1e-3, 0.0, 1e-3, 3.0, 12.0, 30.0]]
).astype(np.float32)


def _cone(g, root, x, producers, consumers, outputs):
    """The ops computing ``root``'s output from ``x`` and scalar constants, in graph order."""
    found, stack = {}, [root]
    while stack:
        op = stack.pop()
        if id(op) in found:
            continue
        if op.type not in ELEMENTWISE or len(op.outputs) != 1 or len(found) >= MAX_OPS:
            return None
        found[id(op)] = op
        for t in op.inputs:
            if t is None or t is x:
                continue
            if t.is_const:
                if t.data.size != 1:
                    return None
                continue
            p = producers.get(t)
            if p is None:
                return None
            stack.append(p)
    for op in found.values():
        t = op.outputs[0]
        if op is not root and (
            id(t) in outputs or any(id(c) not in found for c in consumers.get(t, []))
        ):
            return None
    if not any(t is x for op in found.values() for t in op.inputs):
        return None
    return [op for op in g.ops if id(op) in found]


def _candidates(root, producers):
    """Non-constant tensors feeding the elementwise region above ``root``, nearest first."""
    order, seen, frontier = [], set(), [root]
    while frontier and len(seen) < 2 * MAX_OPS:
        nxt = []
        for op in frontier:
            for t in op.inputs:
                if t is None or t.is_const or id(t) in seen:
                    continue
                seen.add(id(t))
                order.append(t)
                p = producers.get(t)
                if p is not None and p.type in ELEMENTWISE:
                    nxt.append(p)
        frontier = nxt
    return order


def _matches(ops, x, reference) -> bool:
    try:
        values = run_ops(ops, {id(x): PROBE})
    except NotEvaluable:
        return False
    got = np.asarray(values[id(ops[-1].outputs[0])], np.float64).reshape(-1)
    want = reference(PROBE.astype(np.float64))
    if got.size != want.size or not np.all(np.isfinite(got)):
        return False
    return bool(np.all(np.abs(got - want) <= 2e-5 * (1 + np.abs(want))))


def fuse_function(graph, targets):
    """Replace each elementwise subgraph matching one of ``targets`` by a single op.

    ``targets`` is a list of (op type, options, reference function on float64 arrays).
    """
    g = graph.copy()
    kinds = {t[0] for t in targets}
    failed: set = set()
    changed = True
    while changed:
        changed = False
        producers, consumers = g.producers(), g.consumers()
        outputs = {id(t) for t in g.outputs}
        for root in reversed(g.ops):
            if id(root) in failed or root.type not in ELEMENTWISE or root.type in kinds:
                continue
            if _fuse_at(g, root, targets, producers, consumers, outputs):
                changed = True
                break
            failed.add(id(root))
    return g


def _fuse_at(g, root, targets, producers, consumers, outputs) -> bool:
    y = root.outputs[0]
    if not is_float(y):
        return False
    for x in _candidates(root, producers):
        if not is_float(x) or x.shape != y.shape:
            continue
        ops = _cone(g, root, x, producers, consumers, outputs)
        if ops is None or len(ops) < 2:
            continue
        for kind, options, reference in targets:
            if _matches(ops, x, reference):
                g.ops[g.ops.index(root)] = Op(kind, [x], [y], dict(options), root.name)
                for op in ops:
                    if op is not root:
                        g.ops.remove(op)
                return True
    return False
