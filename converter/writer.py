"""Graph (IR) -> ``.tflite``: build the schema objects and encode them with ``schemas/``.

Layout follows TensorFlow's converter: buffer 0 is the empty sentinel, every constant gets a
buffer (identical constants share one), activations use buffer 0, a ``serving_default``
SignatureDef names the inputs and outputs, and ``min_runtime_version`` / ``edgelite_source``
metadata entries are added. Dynamic dims (-1 in the IR) are written as 1 in ``shape`` and -1 in
``shape_signature``, as TFLite does.
"""

from __future__ import annotations

import json

import numpy as np

from edgelite.converter.op_options import options_table
from edgelite.converter.versions import min_runtime_version, required_version
from edgelite.errors import ConversionError
from edgelite.schemas.fbs import load_schema
from edgelite.schemas.model import TENSOR_TYPES, model_to_bytes, opcode_for, save_model, tfl

CONVERTER = "edgelite"
_VECTOR_DTYPES = {"int": np.int32, "long": np.int64, "float": np.float32, "ubyte": np.uint8}


def graph_to_model(graph, *, source: str = None):
    """The ``Model`` object for ``graph`` (one subgraph)."""
    _check_order(graph)
    buffers = _Buffers()
    tensors = graph.tensors()
    index = {id(t): i for i, t in enumerate(tensors)}
    T = tfl()
    opcodes, op_objs = [], []
    for op in graph.ops:
        version = max(int(op.version), required_version(op))
        key = (op.type, version)
        if key not in opcodes:
            opcodes.append(key)
        op_objs.append(
            T["Operator"](
                opcode_index=opcodes.index(key),
                inputs=np.asarray([-1 if t is None else index[id(t)] for t in op.inputs], np.int32),
                outputs=np.asarray([index[id(t)] for t in op.outputs], np.int32),
                builtin_options=build_options(op),
            )
        )
    subgraph = T["SubGraph"](
        tensors=[_tensor(t, buffers) for t in tensors],
        inputs=np.asarray([index[id(t)] for t in graph.inputs], np.int32),
        outputs=np.asarray([index[id(t)] for t in graph.outputs], np.int32),
        operators=op_objs,
        name=graph.name or "main",
    )
    metadata = _metadata(graph, opcodes, buffers, source)
    return T["Model"](
        version=3,
        operator_codes=[opcode_for(name, v) for name, v in opcodes],
        subgraphs=[subgraph],
        description=graph.description or f"{CONVERTER} converter",
        buffers=buffers.objects,
        metadata=metadata,
        signature_defs=[_signature(graph, index)],
    )


def graph_to_bytes(graph, *, source: str = None) -> bytes:
    return model_to_bytes(graph_to_model(graph, source=source))


def write_tflite(graph, path, *, source: str = None, overwrite: bool = True):
    """Write ``graph`` to ``path`` atomically (temp file + rename); returns the path."""
    return save_model(graph_to_model(graph, source=source), path, overwrite=overwrite)


class _Buffers:
    """Buffer 0 empty; one buffer per distinct constant byte string."""

    def __init__(self):
        self.objects = [tfl()["Buffer"]()]
        self._by_bytes: dict = {}

    def add(self, data: bytes, share: bool = True) -> int:
        if share and data in self._by_bytes:
            return self._by_bytes[data]
        self.objects.append(tfl()["Buffer"](data=np.frombuffer(data, np.uint8)))
        index = len(self.objects) - 1
        if share:
            self._by_bytes[data] = index
        return index


def _tensor(t, buffers: _Buffers):
    T = tfl()
    if t.dtype not in TENSOR_TYPES:
        raise ConversionError(f"tensor '{t.name}': dtype {t.dtype} has no TFLite type")
    buffer = 0
    if t.data is not None:
        # (ascontiguousarray would turn scalars into 1-element vectors)
        data = np.asarray(t.data, t.dtype).astype(t.dtype.newbyteorder("<"), order="C")
        if data.shape != tuple(t.shape):
            raise ConversionError(
                f"tensor '{t.name}': constant of shape {list(data.shape)} declared {list(t.shape)}"
            )
        if data.size:
            buffers_share = not t.is_variable  # variables own their initial value
            buffer = buffers.add(data.tobytes(), share=buffers_share)
    dynamic = any(d < 0 for d in t.shape)
    return T["Tensor"](
        shape=np.asarray([1 if d < 0 else d for d in t.shape], np.int32),
        type=TENSOR_TYPES[t.dtype],
        buffer=buffer,
        name=t.name,
        quantization=_quant(t.quant),
        is_variable=bool(t.is_variable),
        shape_signature=np.asarray(t.shape, np.int32) if dynamic else None,
        has_rank=True,
    )


def _quant(q):
    if q is None:
        return None
    return tfl()["QuantizationParameters"](
        scale=np.asarray(q.scale, np.float32),
        zero_point=np.asarray(q.zero_point, np.int64),
        quantized_dimension=int(q.axis),
    )


def build_options(op):
    """The builtin-options table object of ``op`` from its ``options`` dict (or None)."""
    name = options_table(op.type)
    if name is None:
        if op.options:
            raise ConversionError(f"op '{op.name}' ({op.type}) takes no options: {op.options}")
        return None
    table = load_schema().tables[name]
    fields = {f.name: f for f in table.fields if not f.deprecated}
    unknown = set(op.options) - set(fields)
    if unknown:
        raise ConversionError(
            f"op '{op.name}' ({op.type}): {name} has no field(s) {', '.join(sorted(unknown))}"
        )
    # TFLite reads the shape of RESHAPE from its second input when the table is absent.
    if not fields or (op.type == "RESHAPE" and not op.options):
        return None
    values = {}
    for key, value in op.options.items():
        if fields[key].type.vector:
            dtype = _VECTOR_DTYPES.get(fields[key].type.base, np.int32)
            value = None if value is None else np.asarray(value, dtype).reshape(-1)
        elif isinstance(value, np.generic):
            value = value.item()
        values[key] = value
    return tfl()[name](**values)


def _signature(graph, index: dict):
    T = tfl()

    def maps(tensors):
        seen, out = set(), []
        for t in tensors:
            name = t.name or f"tensor_{index[id(t)]}"
            base, n = name, 1
            while name in seen:  # signature names must be unique
                name, n = f"{base}_{n}", n + 1
            seen.add(name)
            out.append(T["TensorMap"](name=name, tensor_index=index[id(t)]))
        return out

    return T["SignatureDef"](
        inputs=maps(graph.inputs),
        outputs=maps(graph.outputs),
        signature_key="serving_default",
        subgraph_index=0,
    )


def _metadata(graph, opcodes, buffers: _Buffers, source):
    from edgelite import __version__

    entries = dict(graph.metadata)
    if "min_runtime_version" not in entries:
        # a fixed 16-byte field in TFLite's files, NUL padded
        entries["min_runtime_version"] = min_runtime_version(opcodes).encode().ljust(16, b"\0")
    info = {"converter": f"{CONVERTER} {__version__}"}
    if source is not None:
        info["source"] = str(source)
    entries["edgelite_source"] = json.dumps(info, sort_keys=True).encode()
    Metadata = tfl()["Metadata"]
    return [
        Metadata(name=name, buffer=buffers.add(bytes(data), share=False))
        for name, data in entries.items()
    ]


def _check_order(graph) -> None:
    """Every op input must be a constant, a graph input, a variable or written earlier."""
    ready = {id(t) for t in graph.inputs}
    for i, op in enumerate(graph.ops):
        for t in op.inputs:
            if t is None or t.is_const or t.is_variable or id(t) in ready:
                continue
            raise ConversionError(
                f"op {i} '{op.name}' ({op.type}) reads tensor '{t.name}' before any op writes it"
            )
        ready.update(id(t) for t in op.outputs)
    for t in graph.outputs:
        if id(t) not in ready and not t.is_const:
            raise ConversionError(f"graph output '{t.name}' is never written")
