"""Model analysis for ``edgelite inspect``: per-op cost, parameters and shapes; TFLM arena.

``analyze(model)`` returns, per subgraph, one row per op (MACs, FLOPs, parameter count and
bytes, output shape and dtype) and the totals; parameters shared by several ops count once in
the totals. ``tflm_arena(model)`` is the tensor arena TensorFlow Lite Micro needs (see
``edgelite.tflm_arena``).
"""

from __future__ import annotations

from edgelite.op_cost import MATRIX_OPS, op_cost
from edgelite.schemas.model import load_model, op_name
from edgelite.tflm import RESOLVER
from edgelite.tflm_arena import arena_breakdown, tflm_arena

__all__ = ["analyze", "tflm_arena", "tflm_estimate"]


def _load(model):
    return model if hasattr(model, "subgraphs") else load_model(model)


def _const_bytes(model, t) -> int:
    bufs = model.buffers or []
    data = bufs[t.buffer].data if t.buffer < len(bufs) else None
    return int(len(data)) if data is not None else 0


def _count(t) -> int:
    n = 1
    for d in t.shape if t.shape is not None else []:
        n *= int(d)
    return n


def _is_param(op: str, t) -> bool:
    """Weights and biases count as parameters; shapes, axes, paddings and indices do not."""
    return op in MATRIX_OPS or t.type not in ("INT32", "INT64", "BOOL")


def _op_row(model, sg, index, op) -> dict:
    name = op_name(model.operator_codes[op.opcode_index])
    ins = [sg.tensors[i] if i >= 0 else None for i in (op.inputs if op.inputs is not None else [])]
    outs = [sg.tensors[i] for i in (op.outputs if op.outputs is not None else [])]
    consts = [
        int(i)
        for i, t in zip(op.inputs if op.inputs is not None else [], ins)
        if t is not None and _const_bytes(model, t) and _is_param(name, t)
    ]
    cost = op_cost(name, ins, outs, op.builtin_options)
    return {
        "index": index,
        "op": name,
        "macs": cost["macs"],
        "flops": cost["flops"],
        "exact": cost["exact"],
        "params": sum(_count(sg.tensors[i]) for i in consts),
        "param_bytes": sum(_const_bytes(model, sg.tensors[i]) for i in consts),
        "const_inputs": consts,
        "output_shape": [int(d) for d in outs[0].shape]
        if outs and outs[0].shape is not None
        else [],
        "output_dtype": outs[0].type.lower() if outs else "",
    }


def analyze_subgraph(model, sg) -> dict:
    rows = [_op_row(model, sg, i, op) for i, op in enumerate(sg.operators or [])]
    unique = {i for r in rows for i in r["const_inputs"]}
    return {
        "ops": rows,
        "totals": {
            "macs": sum(r["macs"] for r in rows),
            "flops": sum(r["flops"] for r in rows),
            "params": sum(_count(sg.tensors[i]) for i in unique),
            "param_bytes": sum(_const_bytes(model, sg.tensors[i]) for i in unique),
        },
    }


def analyze(model) -> list:
    """One ``analyze_subgraph`` result per subgraph of ``model`` (a Model, path or bytes)."""
    model = _load(model)
    return [analyze_subgraph(model, sg) for sg in model.subgraphs]


def tflm_estimate(model) -> dict:
    """The TFLite Micro arena estimate with its parts, or why TFLite Micro cannot run it."""
    model = _load(model)
    missing = sorted(
        {
            op_name(model.operator_codes[op.opcode_index])
            for sg in model.subgraphs
            for op in sg.operators or []
        }
        - set(RESOLVER)
    )
    if missing:
        return {"arena_bytes": None, "reason": f"no TFLite Micro kernel for {', '.join(missing)}"}
    b = arena_breakdown(model)
    return {
        "arena_bytes": b["total"],
        "head": b["head"],
        "tail": b["tail"],
        "tail_parts": b["tail_parts"],
    }
