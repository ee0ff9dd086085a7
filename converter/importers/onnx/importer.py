"""ONNX model -> IR Graph (NHWC): the walk over the nodes, folding and error collection."""

from __future__ import annotations

import numpy as np

from edgelite.converter.importers.onnx.context import GraphBuilder, NodeContext
from edgelite.converter.importers.onnx.fusion import fuse_patterns
from edgelite.converter.importers.onnx.layout import channels_last, identity, permute
from edgelite.converter.importers.onnx.load import (
    default_opset,
    graph_inputs,
    load_proto,
    shape_table,
)
from edgelite.converter.importers.onnx.registry import (
    ML_DOMAIN,
    REASONS,
    Unknown,
    Unsupported,
    lookup,
)
from edgelite.converter.importers.onnx.values import Value
from edgelite.converter.ir import Graph, Tensor
from edgelite.errors import MALFORMED, ConversionError, InvalidModelError, UnsupportedOpError

# Ops never folded even with constant inputs (their value is not fixed at import).
_NO_FOLD = {"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial"}


def import_onnx(model, input_shapes=None, nhwc_inputs: bool = True) -> Graph:
    """Convert an ONNX model (path, bytes or ``onnx.ModelProto``) into an NHWC IR ``Graph``.

    ``input_shapes`` ({name: [dims]}) fixes dynamic input dims; a dynamic batch left unfixed
    stays dynamic (-1). With ``nhwc_inputs`` 4-D inputs become NHWC; otherwise they keep the
    ONNX layout and a TRANSPOSE follows them. Outputs keep their ONNX layout. Every unsupported
    op or attribute is reported at once in one ``UnsupportedOpError``.
    """
    proto, source = load_proto(model)
    opset = default_opset(proto)
    if opset < 7:
        raise ConversionError(f"{source}: opset {opset} is too old (7 or newer is supported)")
    table = shape_table(proto, input_shapes, source)
    g = proto.graph
    reserved = {n for node in g.node for n in node.output} | {i.name for i in g.input}
    gb = GraphBuilder(opset, reserved)
    _add_initializers(gb, g, source)
    inputs = [_add_input(gb, inp, table, nhwc_inputs, source) for inp in graph_inputs(proto)]
    problems = []
    broken: set = set()  # values produced by nodes that failed: their users are not judged
    for node in fuse_patterns(list(g.node), gb.values, [o.name for o in g.output]):
        try:
            _convert_node(gb, node, table, source)
            if any(n in broken for n in node.input):  # built on a placeholder: tainted too
                broken.update(n for n in node.output if n)
        except Unsupported as e:
            if not (isinstance(e, Unknown) and any(n in broken for n in node.input)):
                problems.append(f"  node '{node.name or node.output[0]}' ({node.op_type}): {e}")
            _bind_placeholders(gb, node, table, broken)
        except (ConversionError, *MALFORMED) as e:  # reported naming the node
            if not any(n in broken for n in node.input):
                if isinstance(e, ConversionError):
                    raise
                where = f"node '{node.name or node.output[0]}' ({node.op_type})"
                raise ConversionError(f"{source}: {where}: {type(e).__name__}: {e}") from e
            _bind_placeholders(gb, node, table, broken)
    if problems:
        raise UnsupportedOpError(
            f"{source}: {len(problems)} node(s) cannot be converted:\n" + "\n".join(problems)
        )
    taken = list(inputs)
    outputs = [_finish_output(gb, o.name, taken, source) for o in g.output]
    return Graph(gb.ops, inputs, outputs, name=g.name or "main", description=_describe(proto))


def _describe(proto) -> str:
    producer = " ".join(p for p in (proto.producer_name, proto.producer_version) if p)
    return f"converted from ONNX opset {default_opset(proto)}" + (
        f" ({producer})" if producer else ""
    )


def _add_initializers(gb: GraphBuilder, g, source: str) -> None:
    from onnx import numpy_helper

    for init in g.initializer:
        try:
            array = numpy_helper.to_array(init)
        except Exception as e:  # onnx raises ValueError/TypeError/KeyError on bad tensors
            raise InvalidModelError(
                f"{source}: initializer '{init.name}' (dims {list(init.dims)}, data type "
                f"{init.data_type}) does not match its data: {e}"
            ) from e
        gb.values[init.name] = Value(init.name, array.shape, array.dtype, const=array)


def _add_input(gb: GraphBuilder, inp, table, nhwc_inputs: bool, source: str) -> Tensor:
    shape, dtype, dyn = table.get(inp.name, (None, None, None))
    if shape is None:
        raise ConversionError(f"{source}: input '{inp.name}' has no static shape")
    perm = channels_last(4) if nhwc_inputs and len(shape) == 4 else identity(len(shape))
    dyn = dyn or (False,) * len(shape)
    ir_shape = tuple(-1 if d else s for s, d in zip(permute(shape, perm), permute(dyn, perm)))
    t = Tensor(inp.name, ir_shape, dtype)
    gb.names.add(inp.name)
    gb.values[inp.name] = Value(inp.name, shape, dtype, tensor=t, perm=perm, dyn=dyn)
    return t


def _node_inputs(gb: GraphBuilder, node) -> list:
    values = []
    for name in node.input:
        if not name:
            values.append(None)
        elif name in gb.values:
            values.append(gb.values[name])
        else:
            raise Unknown(f"input '{name}' is not produced by any node")
    return values


def _out_info(gb, node, table, inputs) -> list:
    batch_dyn = any(v is not None and not v.is_const and v.dyn and v.dyn[0] for v in inputs)
    info = []
    inferred = None
    for name in node.output:
        shape, dtype, dyn = table.get(name, (None, np.dtype(np.float32), None))
        if shape is None and name:
            inferred = _infer_node(gb, node, inputs) if inferred is None else inferred
            shape, dtype = inferred.get(name, (None, dtype))
        if shape is not None and dyn is None:
            dyn = tuple(batch_dyn and k == 0 and s == 1 for k, s in enumerate(shape))
        info.append((shape, dtype, dyn))
    return info


def _convert_node(gb: GraphBuilder, node, table, source: str) -> None:
    key = node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}:{node.op_type}"
    opdef = lookup(key)
    if opdef is None and node.domain not in ("", "ai.onnx", ML_DOMAIN):
        raise Unsupported(f"op domain '{node.domain}' is not supported")
    inputs = _node_inputs(gb, node)
    present = [v for v in inputs if v is not None]
    foldable = opdef is None or opdef.fold
    if foldable and node.op_type not in _NO_FOLD and all(v.is_const for v in present):
        if _fold(gb, node, inputs):  # any op the reference evaluator runs, known or not
            return
    if opdef is None:
        raise Unsupported(REASONS.get(key, "no converter for this op type"))
    _check_arity(node, opdef)
    extra = {a.name for a in node.attribute} - set(opdef.attrs)
    if extra:
        raise Unsupported(f"attribute(s) {', '.join(sorted(extra))} not supported")
    cx = NodeContext(gb, node, opdef, inputs, _out_info(gb, node, table, inputs))
    opdef.build(cx)
    if node.output and node.output[0] and node.output[0] not in gb.values:
        raise ConversionError(f"node '{cx.name}' ({node.op_type}): builder bound no output")


def _infer_node(gb, node, inputs) -> dict:
    """Output shapes of one node from the shapes (and constant values) we know, for values the
    whole-model shape inference left unknown (e.g. reshapes to computed shapes)."""
    from onnx import defs, helper, numpy_helper, shape_inference

    types, data = {}, {}
    for name, v in zip(node.input, inputs):
        if v is None:
            continue
        elem = helper.np_dtype_to_tensor_dtype(v.dtype)
        types[name] = helper.make_tensor_type_proto(elem, list(v.shape))
        if v.is_const:
            data[name] = numpy_helper.from_array(np.asarray(v.const), name)
    try:
        schema = _schema(defs, node, gb.opset)
        out = shape_inference.infer_node_outputs(schema, node, types, data)
    except Exception:  # no schema or inference failed: builders that need the shape say so
        return {}
    result = {}
    for name, tp in out.items():
        tt = tp.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else -1 for d in tt.shape.dim]
        dtype = np.dtype(helper.tensor_dtype_to_np_dtype(tt.elem_type))
        dtype = np.dtype(np.float32) if dtype == np.float64 else dtype
        ok = tt.HasField("shape") and all(d >= 0 for d in dims)
        result[name] = (tuple(dims) if ok else None, dtype)
    return result


def _schema(defs, node, opset: int):
    """The node's schema at the model's opset; nodes fused from patterns (Gelu before opset
    20, ...) only exist in later opsets, where their schema is looked up instead."""
    try:
        return defs.get_schema(node.op_type, opset, node.domain)
    except Exception:
        return defs.get_schema(node.op_type, defs.onnx_opset_version(), node.domain)


def _check_arity(node, opdef) -> None:
    for what, (lo, hi), n in (
        ("inputs", opdef.inputs, len(node.input)),
        ("outputs", opdef.outputs, len(node.output)),
    ):
        if n < lo or (hi is not None and n > hi):
            raise Unsupported(f"takes {lo}..{hi if hi is not None else 'n'} {what}, got {n}")


def _fold(gb: GraphBuilder, node, inputs) -> bool:
    """Evaluate a node whose inputs are all constant with onnx's reference evaluator."""
    from onnx.reference import ReferenceEvaluator

    feeds = {name: v.const for name, v in zip(node.input, inputs) if v is not None}
    try:
        results = ReferenceEvaluator(node, opsets={"": gb.opset}).run(None, feeds)
    except Exception:  # an op the reference cannot run: the builder decides
        return False
    for name, value in zip(node.output, results):
        if name:
            value = np.asarray(value)
            gb.values[name] = Value(name, value.shape, value.dtype, const=value)
    return True


def _bind_placeholders(gb: GraphBuilder, node, table, broken: set) -> None:
    for name in node.output:
        if name and name not in gb.values:
            shape, dtype, _ = table.get(name, (None, np.dtype(np.float32), None))
            shape = shape or ()
            t = Tensor(name, shape, dtype)
            gb.values[name] = Value(name, shape, dtype, tensor=t, placeholder=True)
        broken.add(name)


def _finish_output(gb: GraphBuilder, name: str, taken: list, source: str) -> Tensor:
    """The output in ONNX layout, named exactly as in the ONNX graph. ``taken`` holds the graph
    inputs and outputs so far: a tensor already there is copied rather than renamed."""
    if name not in gb.values:
        raise InvalidModelError(f"{source}: graph output '{name}' is never produced")
    value = gb.values[name]
    t = gb.tensor_of(value, identity(value.rank))
    if t.is_const or any(t is x for x in taken):
        out = Tensor(name, t.shape, t.dtype)
        shape = gb.constant(f"{name}/shape", np.asarray(t.shape, np.int32))
        gb.emit("RESHAPE", [t, shape], [out], name=f"{name}/copy")
    else:  # the op writing it (an alias's producer, or the TRANSPOSE back) takes the name
        held = value.tensor
        if held is not None and held is not t and held.name == name:  # held permuted
            held.name = gb.unique(f"{name}_{'nhwc' if value.rank == 4 else 'internal'}")
        out = t
        out.name = name
    taken.append(out)
    return out
