""".tflite (path or bytes) -> Graph: the main subgraph, with names, quantization, op versions
and options (each options table becomes a dict of its fields).

Multi-subgraph models (control flow, CALL_ONCE initialisers), custom ops, sparse tensors and
``builtin_options_2`` are rejected with a ConversionError for now.
"""

from __future__ import annotations

import numpy as np

from edgelite.converter.ir import Graph, Op, QuantParams, Tensor
from edgelite.errors import ConversionError
from edgelite.schemas.model import NUMPY_DTYPES, load_model, op_name

# Kept from the source's metadata; the writer recomputes min_runtime_version and edgelite_source.
_DROPPED_METADATA = {"min_runtime_version", "edgelite_source", "CONVERSION_METADATA"}


def import_tflite(source, *, what: str = None) -> Graph:
    what = what or (str(source) if not isinstance(source, (bytes, bytearray)) else "<bytes>")
    model = load_model(source, what=what)
    if len(model.subgraphs) != 1:
        raise ConversionError(
            f"{what}: has {len(model.subgraphs)} subgraphs; only single-subgraph models "
            "(no control flow or CALL_ONCE) can be converted for now"
        )
    sg = model.subgraphs[0]
    tensors = [_tensor(t, model.buffers, f"{what}: tensor {i}") for i, t in enumerate(sg.tensors)]
    ops = [_op(model, op, tensors, f"{what}: op {i}") for i, op in enumerate(sg.operators or [])]
    metadata = {
        m.name: bytes(np.asarray(model.buffers[m.buffer].data, np.uint8))
        for m in model.metadata or []
        if m.name not in _DROPPED_METADATA and model.buffers[m.buffer].data is not None
    }
    return Graph(
        ops,
        [tensors[i] for i in sg.inputs],
        [tensors[i] for i in sg.outputs],
        name=sg.name or "main",
        metadata=metadata,
        description=model.description or "",
    )


def _tensor(t, buffers, where: str) -> Tensor:
    if t.type not in NUMPY_DTYPES or NUMPY_DTYPES[t.type] is np.object_ or t.type == "INT4":
        raise ConversionError(f"{where} '{t.name}': type {t.type} cannot be converted")
    if t.sparsity is not None:
        raise ConversionError(f"{where} '{t.name}': sparse tensors cannot be converted yet")
    dtype = np.dtype(NUMPY_DTYPES[t.type])
    shape = [int(d) for d in (t.shape if t.shape is not None else ())]
    if t.shape_signature is not None and len(t.shape_signature) == len(shape):
        shape = [int(s) if s < 0 else d for d, s in zip(shape, t.shape_signature)]
    data = None
    raw = buffers[t.buffer].data if t.buffer < len(buffers) else None
    if raw is not None and len(raw):
        data = np.frombuffer(bytes(raw), dtype.newbyteorder("<")).astype(dtype)
        if data.size != int(np.prod(shape, dtype=np.int64)):
            raise ConversionError(f"{where} '{t.name}': data does not fit shape {shape}")
        data = data.reshape(shape)
    return Tensor(
        t.name or "",
        tuple(shape),
        dtype,
        data=data,
        quant=_quant(t.quantization),
        is_variable=bool(t.is_variable),
    )


def _quant(q):
    if q is None or q.scale is None or len(q.scale) == 0:
        return None
    zp = q.zero_point if q.zero_point is not None and len(q.zero_point) else [0]
    return QuantParams(np.array(q.scale, np.float32), np.array(zp, np.int64), q.quantized_dimension)


def _op(model, op, tensors, where: str) -> Op:
    code = model.operator_codes[op.opcode_index]
    name = op_name(code)
    where = f"{where} ({name})"
    if name == "CUSTOM" or name.startswith("BUILTIN_"):
        raise ConversionError(f"{where}: custom/unknown ops cannot be converted yet")
    if op.builtin_options_2 is not None:
        raise ConversionError(f"{where}: builtin_options_2 is not supported yet")
    if op.intermediates is not None and len(op.intermediates):
        raise ConversionError(f"{where}: ops with intermediate tensors are not supported yet")
    ins = [None if i < 0 else tensors[i] for i in (op.inputs if op.inputs is not None else [])]
    outs = [tensors[i] for i in (op.outputs if op.outputs is not None else [])]
    label = outs[0].name if outs else name.lower()
    return Op(name, ins, outs, options_dict(op.builtin_options), label, int(code.version))


def options_dict(table) -> dict:
    """Every field of an options table as plain Python values (vectors as lists)."""
    if table is None:
        return {}
    out = {}
    for field in table._fields:
        value = getattr(table, field)
        if isinstance(value, np.ndarray):
            value = value.tolist()
        out[field] = value
    return out
