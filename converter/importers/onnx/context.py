"""The graph under construction and the view of it a builder gets for one node."""

from __future__ import annotations

import numpy as np

from edgelite.converter.importers.onnx.layout import (
    between,
    channels_last,
    identity,
    inverse,
    is_identity,
    permute,
    transpose_const,
)
from edgelite.converter.importers.onnx.registry import Unknown, Unsupported
from edgelite.converter.importers.onnx.values import Value
from edgelite.converter.ir import Op, Tensor, fresh_name
from edgelite.errors import ConversionError


class GraphBuilder:
    """IR ops emitted so far, the ONNX values seen, unique tensor names, cached layouts."""

    def __init__(self, opset: int, reserved=()):
        self.opset = opset
        self.ops: list = []
        self.values: dict = {}  # ONNX name -> Value
        self.names: set = set(reserved)  # ONNX names are reserved for their own tensors
        self._layouts: dict = {}  # (id(value), perm) -> Tensor

    def unique(self, name: str) -> str:
        return fresh_name(name, self.names)

    def tensor(self, name: str, shape, dtype, dyn=None) -> Tensor:
        dyn = dyn or (False,) * len(shape)
        shape = tuple(-1 if d else int(s) for s, d in zip(shape, dyn))
        return Tensor(self.unique(name), shape, dtype)

    def constant(self, name: str, array) -> Tensor:
        array = np.asarray(array)
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        return Tensor(self.unique(name), array.shape, array.dtype, data=array)

    def emit(self, op_type: str, inputs, outputs, options=None, name: str = "") -> None:
        self.ops.append(Op(op_type, list(inputs), list(outputs), dict(options or {}), name))

    def tensor_of(self, value: Value, perm=None) -> Tensor:
        """``value`` as an IR tensor in layout ``perm`` (its own layout when None)."""
        if perm is None:
            perm = value.perm if value.tensor is not None else identity(value.rank)
        perm = tuple(perm)
        key = (id(value), perm)
        if key in self._layouts:
            return self._layouts[key]
        if value.is_const:
            name = value.name if is_identity(perm) else f"{value.name}_{_layout_name(perm)}"
            t = self.constant(name, transpose_const(value.const, perm))
        elif perm == value.perm:
            return value.tensor
        else:
            src = value.tensor
            name = f"{value.name}_{_layout_name(perm)}"
            t = self.tensor(name, permute(value.shape, perm), src.dtype, permute(value.dyn, perm))
            p = self.constant(f"{name}/perm", np.asarray(between(value.perm, perm), np.int32))
            self.emit("TRANSPOSE", [src, p], [t], name=f"{value.name}/transpose")
        self._layouts[key] = t
        return t


def _layout_name(perm) -> str:
    if is_identity(perm):
        return "onnx_layout"
    if tuple(perm) == channels_last(len(perm)):
        return "nhwc" if len(perm) == 4 else "channels_last"
    return "perm" + "".join(str(p) for p in perm)


class NodeContext:
    """What a builder sees: the node, its inputs as Values, its attributes, helpers to emit."""

    def __init__(self, gb: GraphBuilder, node, opdef, inputs: list, out_info: list):
        self.gb = gb
        self.node = node
        self.name = node.name or node.output[0]
        self.inputs = inputs
        self.out_info = out_info  # per output: (shape or None, dtype, dyn) from shape inference
        self.attrs = dict(opdef.attrs)
        self.attrs.update(node_attrs(node))
        self.opset = gb.opset
        self._fresh: set = set()

    # -- inputs ------------------------------------------------------------------------------
    def attr(self, name: str):
        return self.attrs.get(name)

    def input(self, i: int):
        return self.inputs[i] if i < len(self.inputs) else None

    def const_input(self, i: int, what: str = "", default=None):
        v = self.input(i)
        if v is None:
            return default
        if not v.is_const:
            raise (Unknown if v.placeholder else Unsupported)(
                f"{what or f'input {i}'} ('{v.name}') must be a constant"
            )
        return v.const

    def runtime_inputs(self) -> list:
        return [v for v in self.inputs if v is not None and not v.is_const]

    @property
    def batch_dyn(self) -> bool:
        return any(v.dyn and v.dyn[0] for v in self.runtime_inputs())

    def t(self, value, perm=None) -> Tensor:
        """An input (index or Value) as an IR tensor, in layout ``perm`` if given."""
        value = self.input(value) if isinstance(value, int) else value
        return self.gb.tensor_of(value, perm)

    # -- outputs -----------------------------------------------------------------------------
    def out_shape(self, i: int = 0) -> tuple:
        shape = self.out_info[i][0]
        if shape is None:
            raise Unknown(f"the shape of output '{self.node.output[i]}' is not static")
        return shape

    def out_dtype(self, i: int = 0) -> np.dtype:
        return self.out_info[i][1]

    def tmp(self, suffix: str, shape, dtype=np.float32, dyn0=None) -> Tensor:
        """A fresh intermediate tensor (IR shape); its dim 0 is dynamic with the batch."""
        dyn0 = self.batch_dyn if dyn0 is None else dyn0
        dyn = (bool(dyn0 and len(shape) and shape[0] == 1),) + (False,) * (len(shape) - 1)
        t = self.gb.tensor(f"{self.name}/{suffix}", shape, dtype, dyn if shape else ())
        self._fresh.add(id(t))
        return t

    def const(self, array, suffix: str, dtype=None) -> Tensor:
        return self.gb.constant(f"{self.name}/{suffix}", np.asarray(array, dtype))

    def emit(self, op_type: str, inputs, outputs, **options):
        self.gb.emit(op_type, inputs, outputs, options, self.name)
        return outputs[0] if len(outputs) == 1 else outputs

    def op(self, op_type: str, inputs, shape, dtype=np.float32, suffix=None, **options) -> Tensor:
        """Emit a one-output op into a fresh intermediate tensor and return that tensor."""
        out = self.tmp(suffix or op_type.lower(), shape, dtype)
        return self.emit(op_type, inputs, [out], **options)

    def set_output(self, i: int, tensor: Tensor, perm=None) -> None:
        """Bind ONNX output ``i`` to ``tensor`` (held in layout ``perm``)."""
        perm = tuple(perm) if perm is not None else identity(len(tensor.shape))
        name = self.node.output[i]
        shape = permute([abs(d) for d in tensor.shape], inverse(perm))
        expected, dtype, dyn = self.out_info[i]
        if expected is not None and tuple(expected) != shape:
            raise ConversionError(
                f"node '{self.name}' ({self.node.op_type}): output '{name}' came out with shape "
                f"{list(shape)}, ONNX shape inference says {list(expected)}"
            )
        dyn = dyn if dyn and len(dyn) == len(shape) else (False,) * len(shape)
        if id(tensor) in self._fresh:
            self.gb.names.discard(tensor.name)
            tensor.name = name
            self.gb.names.add(name)
            ir_dyn = permute(dyn, perm)
            tensor.shape = tuple(-1 if d else s for s, d in zip(permute(shape, perm), ir_dyn))
        self.gb.values[name] = Value(name, shape, tensor.dtype, tensor=tensor, perm=perm, dyn=dyn)

    def set_value(self, i: int, value: Value) -> None:
        """Bind ONNX output ``i`` to an existing value (Identity, Dropout, Transpose)."""
        self.gb.values[self.node.output[i]] = value

    def set_const(self, i: int, array) -> None:
        name = self.node.output[i]
        array = np.asarray(array)
        self.gb.values[name] = Value(name, array.shape, array.dtype, const=array)

    def emit_output(self, op_type: str, inputs, perm=None, i: int = 0, dtype=None, **options):
        """Emit the op that writes ONNX output ``i`` (held in ``perm``) and bind it."""
        shape = self.out_shape(i)
        perm = tuple(perm) if perm is not None else identity(len(shape))
        out = self.tmp(f"out{i}", permute(shape, perm), dtype or self.out_dtype(i))
        self.emit(op_type, inputs, [out], **options)
        self.set_output(i, out, perm)
        return out


def node_attrs(node) -> dict:
    """Attribute values as Python/numpy values: strings decoded, tensors as arrays."""
    from onnx import helper, numpy_helper

    out = {}
    for a in node.attribute:
        value = helper.get_attribute_value(a)
        if isinstance(value, bytes):
            value = value.decode()
        elif isinstance(value, list) and value and isinstance(value[0], bytes):
            value = [v.decode() for v in value]
        elif hasattr(value, "data_type") and hasattr(value, "dims"):
            value = numpy_helper.to_array(value)
        out[a.name] = value
    return out
