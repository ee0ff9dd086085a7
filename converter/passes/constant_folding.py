"""Constant folding: ops whose inputs are all constants run once, through the interpreter's own
kernels, and their outputs become constants. SHAPE of a statically shaped tensor folds too.

Left alone: DEQUANTIZE (fp16/int8 weights stay compressed, as TFLite keeps them), ops with side
effects or randomness, ops writing graph outputs, and folds that would grow the file a lot.
"""

from __future__ import annotations

import numpy as np

from edgelite.converter.evaluate import NotEvaluable, run_op
from edgelite.converter.ir import Tensor

NEVER_FOLD = frozenset(
    {
        "DEQUANTIZE",
        "QUANTIZE",
        "VAR_HANDLE",
        "READ_VARIABLE",
        "ASSIGN_VARIABLE",
        "CALL_ONCE",
        "IF",
        "WHILE",
        "RANDOM_UNIFORM",
        "RANDOM_STANDARD_NORMAL",
        "MULTINOMIAL",
    }
)
GROWTH_LIMIT = 1 << 20  # bytes a fold may add beyond 4x its inputs' size


def _foldable(op, output_ids) -> bool:
    if op.type in NEVER_FOLD or any(id(t) in output_ids for t in op.outputs):
        return False
    ins = [t for t in op.inputs if t is not None]
    if op.type == "SHAPE":
        return len(ins) == 1 and all(d >= 0 for d in ins[0].shape)
    return bool(ins) and all(t.is_const for t in ins)


def _evaluate(op):
    if op.type == "SHAPE":
        return [np.asarray(op.inputs[0].shape, op.outputs[0].dtype)]
    values = run_op(op, [None if t is None else t.data for t in op.inputs])
    grown = sum(v.nbytes for v in values)
    given = sum(t.data.nbytes for t in op.inputs if t is not None)
    if grown > 4 * given + GROWTH_LIMIT:
        raise NotEvaluable(f"{op.type}: folding would add {grown} bytes")
    return values


def fold_constants(graph):
    g = graph.copy()
    output_ids = {id(t) for t in g.outputs}
    subst: dict = {}
    kept = []
    for op in g.ops:
        op.inputs = [None if t is None else subst.get(id(t), t) for t in op.inputs]
        if not _foldable(op, output_ids):
            kept.append(op)
            continue
        try:
            values = _evaluate(op)
        except NotEvaluable:
            kept.append(op)
            continue
        for t, v in zip(op.outputs, values):
            v = np.array(v, t.dtype)
            subst[id(t)] = Tensor(t.name, v.shape, t.dtype, data=v, quant=t.quant)
    g.ops = kept
    g.outputs = [subst.get(id(t), t) for t in g.outputs]
    return g
