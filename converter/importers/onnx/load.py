"""Reading an ONNX model, fixing its input shapes and inferring every value's shape.

Shape inference runs twice: once with a dynamic batch set to 1 (static shapes for building ops)
and once with the batch left symbolic. A dim that is static in the first run but symbolic in the
second derives from the batch and stays dynamic (-1) in the converted model.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

from edgelite.errors import ConversionError, InvalidModelError

BATCH = "batch"


def load_proto(model):
    """(ModelProto, source label) from a path, bytes or a ModelProto (copied, not modified)."""
    proto, source = _read_proto(model)
    if not proto.HasField("graph"):  # protobuf reads an empty or foreign file as "no fields"
        raise InvalidModelError(f"{source}: not an ONNX model (it holds no graph)")
    return proto, source


def _read_proto(model):
    import onnx

    if isinstance(model, onnx.ModelProto):
        return copy.deepcopy(model), "<ModelProto>"
    if isinstance(model, (bytes, bytearray, memoryview)):
        try:
            return onnx.load_from_string(bytes(model)), "<bytes>"
        except Exception as e:  # protobuf raises its own DecodeError
            raise InvalidModelError(f"<bytes>: not an ONNX model ({e})") from e
    path = Path(model)
    if not path.is_file():
        raise InvalidModelError(f"{path}: no such file")
    try:
        return onnx.load(str(path)), str(path)
    except Exception as e:
        raise InvalidModelError(f"{path}: not an ONNX model ({e})") from e


def default_opset(proto) -> int:
    for o in proto.opset_import:
        if o.domain in ("", "ai.onnx"):
            return int(o.version)
    return 1


def graph_inputs(proto) -> list:
    """The real inputs (old exporters also list initializers as inputs)."""
    inits = {t.name for t in proto.graph.initializer}
    return [i for i in proto.graph.input if i.name not in inits]


def fix_input_shapes(proto, input_shapes, source: str):
    """Two copies of ``proto``: batch left symbolic, and batch set to 1. Other dynamic dims must
    be given in ``input_shapes``."""
    input_shapes = dict(input_shapes or {})
    names = [i.name for i in graph_inputs(proto)]
    unknown = set(input_shapes) - set(names)
    if unknown:
        raise ConversionError(
            f"{source}: input_shapes names {sorted(unknown)} are not model inputs {names}"
        )
    symbolic, static = copy.deepcopy(proto), copy.deepcopy(proto)
    for model, batch in ((symbolic, None), (static, 1)):
        for inp in graph_inputs(model):
            _fix_dims(inp, input_shapes.get(inp.name), batch, source)
        # Shapes stored in the file were inferred for other input sizes: infer them afresh.
        del model.graph.value_info[:]
        for out in model.graph.output:
            out.type.tensor_type.ClearField("shape")
    return symbolic, static


def _fix_dims(inp, given, batch, source: str) -> None:
    dims = inp.type.tensor_type.shape.dim
    if given is not None:
        if len(given) != len(dims):
            raise ConversionError(
                f"{source}: input '{inp.name}' has rank {len(dims)}, input_shapes gives {given}"
            )
        for d, size in zip(dims, given):
            d.Clear()
            d.dim_value = int(size)
        return
    for k, d in enumerate(dims):
        if d.HasField("dim_value") and d.dim_value > 0:
            continue
        if k != 0:
            raise ConversionError(
                f"{source}: input '{inp.name}' dim {k} is dynamic; give its size with "
                f"input_shapes={{'{inp.name}': [...]}}"
            )
        d.Clear()
        if batch is None:
            d.dim_param = BATCH
        else:
            d.dim_value = batch


def infer_shapes(proto, source: str) -> dict:
    """name -> (dims tuple with None where unknown, or None if the rank is unknown; dtype)."""
    import onnx
    from onnx import helper

    try:
        inferred = onnx.shape_inference.infer_shapes(proto, strict_mode=False, data_prop=True)
    except Exception as e:
        raise InvalidModelError(f"{source}: ONNX shape inference failed: {e}") from e
    g = inferred.graph
    out = {}
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        tt = vi.type.tensor_type
        if not tt.elem_type:
            continue
        dtype = _np_dtype(helper.tensor_dtype_to_np_dtype(tt.elem_type))
        dims = None
        if tt.HasField("shape"):
            dims = tuple(
                d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None
                for d in tt.shape.dim
            )
        out[vi.name] = (dims, dtype)
    for t in g.initializer:
        out[t.name] = (tuple(t.dims), _np_dtype(helper.tensor_dtype_to_np_dtype(t.data_type)))
    return out


WEIGHT_ELEMENTS = 4096  # initializers larger than this are shapes only to shape inference


class _weights_set_aside:
    """Context: the raw bytes of large initializers are detached, then put back."""

    def __init__(self, proto):
        self.kept = [
            (t, t.raw_data)
            for t in proto.graph.initializer
            if t.raw_data and int(np.prod(t.dims, dtype=np.int64)) > WEIGHT_ELEMENTS
        ]

    def __enter__(self):
        for t, _ in self.kept:
            t.ClearField("raw_data")

    def __exit__(self, *exc):
        for t, raw in self.kept:
            t.raw_data = raw
        return False


def _np_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    return np.dtype(np.float32) if dtype == np.float64 else dtype


def shape_table(proto, input_shapes, source: str) -> dict:
    """name -> (static shape or None, dtype, dyn mask) for every value shape inference knows.

    Inference runs on copies whose large initializers keep their dims but not their bytes:
    onnx serializes the whole model for its C++ inference (twice, ~3 s per 500 MB of
    weights), and only small integer constants (shapes, axes) feed its data propagation."""
    with _weights_set_aside(proto):
        symbolic, static = fix_input_shapes(proto, input_shapes, source)
    sym = infer_shapes(symbolic, source)
    table = {}
    for name, (dims, dtype) in infer_shapes(static, source).items():
        if dims is None or any(d is None for d in dims):
            table[name] = (None, dtype, None)
            continue
        sdims = sym.get(name, (None, None))[0]
        if sdims is None or len(sdims) != len(dims):
            dyn = None
        else:
            dyn = tuple(s is None for s in sdims)
        table[name] = (tuple(int(d) for d in dims), dtype, dyn)
    return table
