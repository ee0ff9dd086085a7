"""Run one IR op on concrete arrays with the interpreter's kernels (constant folding, probes).

The kernel sees what it would see in a model: an ``OpContext`` with the op's options table (built
from ``Op.options`` by the writer's table code, so defaults match a written file), the inputs as
constants, and the outputs' declared dtypes and quantization.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels import lookup
from edgelite.interpreter.kernels.context import OpContext, QuantInfo, TensorInfo
from edgelite.interpreter.kernels.registry import family_of


class NotEvaluable(Exception):
    """No kernel for this op (or its types), or its kernel cannot run it on these values."""


def _qinfo(q):
    return None if q is None else QuantInfo(q.scale, q.zero_point, q.axis)


def run_op(op, values, out_dtypes=None) -> list:
    """The outputs of ``op`` on ``values`` (one array or None per input)."""
    from edgelite.converter.writer import build_options

    infos = []
    for i, (t, v) in enumerate(zip(op.inputs, values)):
        if t is None or v is None:
            infos.append(None)
            continue
        v = np.asarray(v)
        infos.append(TensorInfo(i, t.name, v.shape, v.dtype, v, _qinfo(t.quant), t.is_variable))
    dtypes = out_dtypes or [t.dtype for t in op.outputs]
    outs = [
        TensorInfo(100 + j, t.name, (), np.dtype(dt), None, _qinfo(t.quant))
        for j, (t, dt) in enumerate(zip(op.outputs, dtypes))
    ]
    ctx = OpContext(op.type, op.version, build_options(op), infos, outs, location=f"op '{op.name}'")
    spec = lookup(op.type, family_of(ctx))
    if spec is None or spec.stateful:
        raise NotEvaluable(f"no kernel for {op.type}")
    try:
        run = spec.prepare(ctx)
        if all(o.data is not None for o in outs):
            return [np.asarray(o.data) for o in outs]
        arrays = [np.empty(o.shape, o.dtype) for o in outs]
        with np.errstate(all="ignore"):  # overflow is a result, as in the interpreter
            run([None if x is None else np.asarray(x) for x in values], arrays)
    except NotEvaluable:
        raise
    except Exception as e:  # the kernel rejected these inputs: leave the op alone
        raise NotEvaluable(f"{op.type}: {e}") from e
    return arrays


def run_ops(ops, feeds: dict) -> dict:
    """Run ``ops`` in order; ``feeds`` maps tensors (by id) to arrays. Returns the value map."""
    values = dict(feeds)
    for op in ops:
        ins = [None if t is None else values.get(id(t), t.data) for t in op.inputs]
        if any(t is not None and v is None for t, v in zip(op.inputs, ins)):
            raise NotEvaluable(f"{op.type}: an input has no value")
        for t, v in zip(op.outputs, run_op(op, ins)):
            values[id(t)] = v
    return values
