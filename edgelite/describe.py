"""What a ``.tflite`` file holds: ops, tensors, quantization, sizes, signatures, memory plan."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from edgelite.analysis import analyze_subgraph, tflm_estimate
from edgelite.errors import EdgeliteError
from edgelite.schemas.model import NUMPY_DTYPES, load_model, op_name


def _quant(t) -> dict:
    q = t.quantization
    if q is None or q.scale is None or len(q.scale) == 0:
        return None
    scales = np.asarray(q.scale, np.float64)
    zps = np.asarray(q.zero_point if q.zero_point is not None else [], np.int64)
    if scales.size == 1:
        return {"scale": float(scales[0]), "zero_point": int(zps[0]) if zps.size else 0}
    return {
        "per_channel": int(scales.size),
        "axis": int(q.quantized_dimension),
        "scale_min": float(scales.min()),
        "scale_max": float(scales.max()),
    }


def _tensor(i, t, buffers) -> dict:
    data = buffers[t.buffer].data if buffers and t.buffer < len(buffers) else None
    shape = [int(d) for d in (t.shape if t.shape is not None else [])]
    sig = [int(d) for d in t.shape_signature] if t.shape_signature is not None else shape
    count = int(np.prod(shape)) if shape else 1
    itemsize = np.dtype(NUMPY_DTYPES.get(t.type, np.uint8)).itemsize
    return {
        "index": i,
        "name": t.name or "",
        "shape": shape,
        "shape_signature": sig,
        "dtype": t.type.lower() if isinstance(t.type, str) else str(t.type),
        "constant": data is not None and len(data) > 0,
        "bytes": int(len(data)) if data is not None and len(data) else count * itemsize,
        "quantization": _quant(t),
        "variable": bool(t.is_variable),
        "sparse": t.sparsity is not None,
    }


def _subgraph(si, sg, model) -> dict:
    codes = model.operator_codes or []
    ops = Counter()
    versions = {}
    for op in sg.operators or []:
        name = op_name(codes[op.opcode_index])
        ops[name] += 1
        versions[name] = max(versions.get(name, 0), int(codes[op.opcode_index].version))
    tensors = [_tensor(i, t, model.buffers) for i, t in enumerate(sg.tensors or [])]
    cost = analyze_subgraph(model, sg)
    per_type = {}
    for row in cost["ops"]:
        agg = per_type.setdefault(row["op"], {"macs": 0, "flops": 0})
        agg["macs"] += row["macs"]
        agg["flops"] += row["flops"]
    return {
        "index": si,
        "name": sg.name or "",
        "inputs": [tensors[i] for i in (sg.inputs if sg.inputs is not None else [])],
        "outputs": [tensors[i] for i in (sg.outputs if sg.outputs is not None else [])],
        "op_count": sum(ops.values()),
        "ops": [
            {"op": k, "count": v, "version": versions[k], **per_type[k]}
            for k, v in ops.most_common()
        ],
        "op_details": [{k: v for k, v in r.items() if k != "const_inputs"} for r in cost["ops"]],
        "totals": cost["totals"],
        "tensors": tensors,
        "weight_bytes": sum(t["bytes"] for t in tensors if t["constant"]),
    }


def _memory_plan(path, model) -> dict:
    """Peak activation bytes from our interpreter's plan (or why it could not be computed) and
    the tensor arena TensorFlow Lite Micro will need."""
    from edgelite.interpreter import Interpreter

    try:
        it = Interpreter(model_path=str(path))
        it.allocate_tensors()
        out = {"arena_bytes": int(it.arena_bytes)}
    except EdgeliteError as e:
        out = {"arena_bytes": None, "reason": " ".join(str(e).split())}
    out["tflm"] = tflm_estimate(model)
    return out


def describe(path, memory_plan: bool = True) -> dict:
    """A JSON-able description of the model at ``path``."""
    path = Path(path)
    model = load_model(path)
    subgraphs = [_subgraph(i, sg, model) for i, sg in enumerate(model.subgraphs)]
    sigs = []
    for s in model.signature_defs or []:
        sigs.append(
            {
                "key": s.signature_key,
                "subgraph": int(s.subgraph_index),
                "inputs": {m.name: int(m.tensor_index) for m in s.inputs or []},
                "outputs": {m.name: int(m.tensor_index) for m in s.outputs or []},
            }
        )
    meta = {m.name: int(m.buffer) for m in model.metadata or []}
    out = {
        "file": str(path),
        "file_bytes": path.stat().st_size,
        "schema_version": int(model.version),
        "description": model.description or "",
        "subgraphs": subgraphs,
        "signatures": sigs,
        "metadata": sorted(meta),
        "min_runtime_version": _min_runtime(model, meta),
    }
    if memory_plan:
        out["memory"] = _memory_plan(path, model)
    return out


def _min_runtime(model, meta):
    i = meta.get("min_runtime_version")
    if i is None or not model.buffers or i >= len(model.buffers):
        return None
    data = model.buffers[i].data
    return None if data is None else bytes(data).split(b"\0")[0].decode("ascii", "replace")


def _shape(t) -> str:
    dims = t["shape_signature"] if -1 in t["shape_signature"] else t["shape"]
    return "[" + ",".join("?" if d == -1 else str(d) for d in dims) + "]"


def _qtext(q) -> str:
    if q is None:
        return ""
    if "per_channel" in q:
        return f"per-channel x{q['per_channel']} (axis {q['axis']})"
    return f"scale={q['scale']:.6g} zp={q['zero_point']}"


def _kb(n) -> str:
    return f"{n / 1024:.1f} KiB" if n < 1 << 20 else f"{n / (1 << 20):.2f} MiB"


def _count(n) -> str:
    """1234567 -> '1.23M' (decimal prefixes, as MAC and parameter counts are quoted)."""
    for div, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= div:
            return f"{n / div:.3g}{unit}"
    return str(int(n))


def _tflm_lines(est) -> list:
    if not est:
        return []
    if est["arena_bytes"] is None:
        return [f"TFLite Micro arena: not estimated ({est['reason']})"]
    parts = ", ".join(f"{k} {v}" for k, v in est["tail_parts"].items())
    return [
        f"TFLite Micro arena (estimate): {est['arena_bytes']} bytes ({_kb(est['arena_bytes'])}) = "
        f"{est['head']} activations and scratch + {est['tail']} persistent",
        f"  persistent: {parts}",
    ]


def format_description(d: dict, tensors: bool = False) -> str:
    lines = [f"{d['file']}  ({_kb(d['file_bytes'])}, schema v{d['schema_version']})"]
    if d["description"]:
        lines.append(f"description: {d['description']}")
    if d.get("min_runtime_version"):
        lines.append(f"min runtime version: {d['min_runtime_version']}")
    for sg in d["subgraphs"]:
        title = f"subgraph {sg['index']}" + (f" '{sg['name']}'" if sg["name"] else "")
        lines.append(
            f"\n{title}: {sg['op_count']} ops, {len(sg['tensors'])} tensors, "
            f"weights {_kb(sg['weight_bytes'])}"
        )
        for kind in ("inputs", "outputs"):
            for t in sg[kind]:
                lines.append(
                    f"  {kind[:-1]:6} {t['name']}  {_shape(t)} {t['dtype']}  "
                    f"{_qtext(t['quantization'])}".rstrip()
                )
        tot = sg["totals"]
        lines.append(
            f"  compute: {_count(tot['macs'])} MACs, {_count(tot['flops'])} FLOPs; "
            f"parameters: {_count(tot['params'])} ({_kb(tot['param_bytes'])})"
        )
        lines.append("  ops:                                   MACs      FLOPs")
        for o in sg["ops"]:
            label = f"{o['count']:4d} x {o['op']} (v{o['version']})"
            lines.append(f"    {label:32} {_count(o['macs']):>9} {_count(o['flops']):>10}")
        if tensors:
            lines.append("  op details (~ marks approximate FLOPs):")
            for r in sg["op_details"]:
                out = "[" + ",".join(str(d) for d in r["output_shape"]) + "]"
                mark = "~" if r["flops"] and not r["exact"] else ""
                lines.append(
                    f"    {r['index']:4d} {r['op'][:24]:24} {out:18} {r['output_dtype']:8} "
                    f"{_count(r['macs']):>8} MACs {mark + _count(r['flops']):>9} FLOPs  "
                    f"{_count(r['params']):>7} params {_kb(r['param_bytes']):>10}"
                )
        if tensors:
            lines.append("  tensors:")
            for t in sg["tensors"]:
                kind = "const" if t["constant"] else "var" if t["variable"] else ""
                lines.append(
                    f"    {t['index']:4d} {t['name'][:48]:48} {_shape(t):18} "
                    f"{t['dtype']:8} {kind:5} {_kb(t['bytes']):>10}  "
                    f"{_qtext(t['quantization'])}".rstrip()
                )
    for s in d["signatures"]:
        lines.append(
            f"\nsignature '{s['key']}' (subgraph {s['subgraph']}): "
            f"inputs {sorted(s['inputs'])} -> outputs {sorted(s['outputs'])}"
        )
    mem = d.get("memory")
    if mem:
        if mem["arena_bytes"] is not None:
            lines.append(f"\nactivation memory (edgelite plan): {_kb(mem['arena_bytes'])}")
        else:
            lines.append(f"\nactivation memory: not planned ({mem['reason']})")
        lines.extend(_tflm_lines(mem.get("tflm")))
    return "\n".join(lines)
