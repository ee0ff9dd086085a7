"""Build small .tflite models with our writer, for tests that compare us with LiteRT."""

from __future__ import annotations

import numpy as np

from edgelite.schemas.model import TENSOR_TYPES, model_to_bytes, opcode_for, tfl


class GraphBuilder:
    """One subgraph: tensors and operators, referenced by tensor index."""

    def __init__(self, model: ModelBuilder, name: str = ""):
        self.model = model
        self.name = name
        self.tensors: list = []
        self.operators: list = []
        self.inputs: list = []
        self.outputs: list = []

    def tensor(
        self,
        name,
        shape,
        dtype,
        data=None,
        quant=None,
        variable=False,
        signature=None,
        sparsity=None,
        type_name=None,
    ) -> int:
        T = tfl()
        buffer = 0
        if data is not None:
            buffer = self.model.buffer(np.ascontiguousarray(data))
        q = None
        if quant is not None:
            scale, zp = np.atleast_1d(quant[0]), np.atleast_1d(quant[1])
            q = T["QuantizationParameters"](
                scale=np.asarray(scale, np.float32),
                zero_point=np.asarray(zp, np.int64),
                quantized_dimension=quant[2] if len(quant) > 2 else 0,
            )
        t = T["Tensor"](
            shape=np.asarray(shape, np.int32),
            type=type_name or TENSOR_TYPES[np.dtype(dtype)],
            buffer=buffer,
            name=name,
            quantization=q,
            is_variable=variable,
            shape_signature=None if signature is None else np.asarray(signature, np.int32),
            sparsity=sparsity,
        )
        self.tensors.append(t)
        return len(self.tensors) - 1

    def input(self, name, shape, dtype=np.float32, **kw) -> int:
        i = self.tensor(name, shape, dtype, **kw)
        self.inputs.append(i)
        return i

    def const(self, name, value, dtype=None, **kw) -> int:
        value = np.asarray(value, dtype)
        return self.tensor(name, value.shape, value.dtype, data=value, **kw)

    def op(self, name, inputs, outputs, options=None, version=1, options2=None) -> None:
        T = tfl()
        self.operators.append(
            T["Operator"](
                opcode_index=self.model.opcode(name, version),
                inputs=np.asarray(inputs, np.int32),
                outputs=np.asarray(outputs, np.int32),
                builtin_options=options,
                builtin_options_2=options2,
            )
        )

    def build(self):
        return tfl()["SubGraph"](
            tensors=self.tensors,
            inputs=np.asarray(self.inputs, np.int32),
            outputs=np.asarray(self.outputs, np.int32),
            operators=self.operators,
            name=self.name,
        )


class ModelBuilder:
    def __init__(self):
        T = tfl()
        self.buffers = [T["Buffer"]()]
        self.opcodes: list = []
        self.graphs: list = []
        self.signatures: list = []

    def graph(self, name: str = "") -> GraphBuilder:
        g = GraphBuilder(self, name)
        self.graphs.append(g)
        return g

    def buffer(self, data: np.ndarray) -> int:
        self.buffers.append(tfl()["Buffer"](data=data.view(np.uint8).reshape(-1)))
        return len(self.buffers) - 1

    def opcode(self, name: str, version: int) -> int:
        for i, c in enumerate(self.opcodes):
            if c.builtin_code == name and c.version == version:
                return i
        self.opcodes.append(opcode_for(name, version))
        return len(self.opcodes) - 1

    def build(self):
        T = tfl()
        return T["Model"](
            version=3,
            operator_codes=self.opcodes,
            subgraphs=[g.build() for g in self.graphs],
            description="edgelite test model",
            buffers=self.buffers,
            signature_defs=self.signatures or None,
        )

    def to_bytes(self) -> bytes:
        return model_to_bytes(self.build())


def options(name: str, **fields):
    """A builtin-options table by name: ``options("AddOptions", fused_activation_function=...)``"""
    return tfl()[name](**fields)


def single_op(
    op,
    inputs,
    out_shape,
    out_dtype=np.float32,
    opts=None,
    version=1,
    const=(),
    out_quant=None,
    in_quant=None,
):
    """Bytes of a one-op model; ``inputs`` are arrays, those at ``const`` positions baked in."""
    mb = ModelBuilder()
    g = mb.graph("main")
    in_quant = in_quant or {}
    ids = []
    for i, x in enumerate(inputs):
        if x is None:
            ids.append(-1)
        elif i in const:
            ids.append(g.const(f"c{i}", x, quant=in_quant.get(i)))
        else:
            x = np.asarray(x)
            ids.append(g.input(f"x{i}", x.shape, x.dtype, quant=in_quant.get(i)))
    out = g.tensor("y", out_shape, out_dtype, quant=out_quant)
    g.outputs.append(out)
    g.op(op, ids, [out], opts, version)
    return mb.to_bytes()
