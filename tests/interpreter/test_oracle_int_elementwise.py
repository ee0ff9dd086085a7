"""Integer oracle models through the elementwise / activation / data-movement kernels.

Models made only of these ops must equal LiteRT's BUILTIN_REF outputs bit for bit. In models
that also need CONV/FC/BATCH_MATMUL/MEAN (tested elsewhere) every op of ours is cut out into a
one-op model, fed the op's inputs as LiteRT computed them inside the full model, and must
reproduce LiteRT's output of that op exactly.
"""

from __future__ import annotations

import numpy as np
import pytest
from fixtures_path import find, require
from oracle import ours, run, samples
from tflite_builder import ModelBuilder

from edgelite.interpreter import Interpreter
from edgelite.schemas.model import load_model, op_name

VARIANTS = ("int8", "int8_floatio", "int16x8")
OWN_MODELS = ("add_sub_mul", "broadcast_ops", "concat_pad_reshape", "slice_split", "transpose")
MIXED_MODELS = {  # model -> (variants that exist, ops of ours it must contain)
    "sigmoid_tanh": (VARIANTS, {"LOGISTIC", "TANH"}),
    "hard_swish": (("int8", "int8_floatio"), {"HARD_SWISH"}),
    "leaky_prelu": (("int8", "int8_floatio"), {"LEAKY_RELU", "PRELU"}),
    "gelu": (VARIANTS, {"GELU"}),
    "layernorm": (
        ("int8", "int8_floatio"),
        {"MUL", "ADD", "SQUARED_DIFFERENCE", "RSQRT", "QUANTIZE", "DEQUANTIZE"},
    ),
    "attention": (VARIANTS, {"SOFTMAX", "MUL", "RESHAPE", "TRANSPOSE"}),
    "dense_mlp": (VARIANTS, {"SOFTMAX"}),
}
OUR_OPS = {
    "QUANTIZE", "DEQUANTIZE", "ADD", "SUB", "MUL", "SQUARED_DIFFERENCE", "RSQRT", "MAXIMUM",
    "MINIMUM", "LOGISTIC", "TANH", "SOFTMAX", "LOG_SOFTMAX", "HARD_SWISH", "LEAKY_RELU",
    "PRELU", "RELU", "RELU6", "GELU", "ELU", "CONCATENATION", "PAD", "RESHAPE", "TRANSPOSE",
    "STRIDED_SLICE", "SPLIT", "RESIZE_BILINEAR",
}  # fmt: skip


def _litert(path, **kw):
    litert = require("ai_edge_litert.interpreter")
    it = litert.Interpreter(
        model_path=str(path),
        experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF,
        **kw,
    )
    it.allocate_tensors()
    return it


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", OWN_MODELS)
def test_model_matches_litert_bit_exactly(name, variant):
    path = find(f"{name}__{variant}.tflite")
    expected = np.load(path.parent / f"{path.stem}.expected.npz")
    it = ours(path)
    for k in range(4):
        for j, got in enumerate(run(it, samples(expected, k))):
            ref = expected[f"ref_output_{j}_{k}"]
            assert got.dtype == ref.dtype and got.shape == ref.shape
            mismatches = int(np.sum(got != ref))
            assert mismatches == 0, f"sample {k} output {j}: {mismatches} values differ"


def _one_op_model(model, op, shapes) -> tuple:
    """A model holding only ``op`` (tensors, constants and options copied; non-constant tensors
    take their shapes from ``shapes(index)``) and the indices of its runtime inputs and outputs
    in the source model."""
    g_src = model.subgraphs[0]
    code = model.operator_codes[op.opcode_index]
    mb = ModelBuilder()
    g = mb.graph("main")
    ids, runtime_inputs = [], []
    for i in op.inputs:
        if i < 0:
            ids.append(-1)
            continue
        t = g_src.tensors[i]
        buf = model.buffers[t.buffer].data if t.buffer else None
        q = t.quantization
        quant = None
        if q is not None and q.scale is not None and len(q.scale):
            quant = (q.scale, q.zero_point, q.quantized_dimension)
        if buf is not None and len(buf):
            shape = () if t.shape is None else t.shape
            ids.append(g.tensor(t.name, shape, None, data=buf, quant=quant, type_name=t.type))
        else:
            ids.append(g.tensor(t.name, shapes(i), None, quant=quant, type_name=t.type))
            g.inputs.append(ids[-1])
            runtime_inputs.append(i)
    outs = []
    for i in op.outputs:
        t = g_src.tensors[i]
        q = t.quantization
        quant = None if q is None or q.scale is None else (q.scale, q.zero_point)
        outs.append(g.tensor(t.name, shapes(i), None, quant=quant, type_name=t.type))
    g.outputs.extend(outs)
    g.op(op_name(code), ids, outs, op.builtin_options, code.version)
    return mb.to_bytes(), runtime_inputs, list(op.outputs)


def _random_inputs(it, rng) -> list:
    inputs = []
    for d in it.get_input_details():
        if np.issubdtype(d["dtype"], np.integer):
            info = np.iinfo(d["dtype"])
            inputs.append(rng.integers(info.min, info.max + 1, d["shape"]).astype(d["dtype"]))
        else:
            inputs.append(rng.uniform(-3, 3, d["shape"]).astype(d["dtype"]))
    return inputs


def _check_ops(path, input_sets, ref_resolver: str = "BUILTIN_REF") -> set:
    """Run every op of ours from the model alone on the inputs it sees inside the model (from
    LiteRT with ``ref_resolver``) and compare with LiteRT's BUILTIN_REF on that one-op model."""
    litert = require("ai_edge_litert.interpreter")
    full = litert.Interpreter(
        model_path=str(path),
        experimental_op_resolver_type=getattr(litert.OpResolverType, ref_resolver),
        experimental_preserve_all_tensors=True,
    )
    full.allocate_tensors()
    model = load_model(str(path))
    ops = [
        (op_name(model.operator_codes[op.opcode_index]), op)
        for op in model.subgraphs[0].operators
        if op_name(model.operator_codes[op.opcode_index]) in OUR_OPS
    ]
    checked = set()
    for inputs in input_sets:
        run(full, inputs)
        for name, op in ops:
            content, in_ids, out_ids = _one_op_model(model, op, lambda i: full.get_tensor(i).shape)
            op_inputs = [full.get_tensor(i) for i in in_ids]
            want_it = litert.Interpreter(
                model_content=content,
                experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF,
            )
            want_it.allocate_tensors()
            want = run(want_it, op_inputs)
            if ref_resolver == "BUILTIN_REF":  # the one-op model reproduces the full model
                for w, i in zip(want, out_ids):
                    assert np.array_equal(w, full.get_tensor(i))
            it = Interpreter(model_content=content)
            it.allocate_tensors()
            for g, w in zip(run(it, op_inputs), want):
                assert g.dtype == w.dtype and np.array_equal(g, w), f"{name} differs"
            checked.add(name)
    return checked


@pytest.mark.filterwarnings("ignore:Warning. Enabling")
@pytest.mark.parametrize("variant", VARIANTS)
def test_resize_model_ops_match_litert(variant):
    """The resize oracle has no stored outputs (and BUILTIN_REF lacks its TILE version)."""
    path = find(f"resize__{variant}.tflite")
    rng = np.random.default_rng(11)
    probe = ours(path)
    checked = _check_ops(path, [_random_inputs(probe, rng) for _ in range(3)], "BUILTIN")
    assert "RESIZE_BILINEAR" in checked


@pytest.mark.parametrize(
    "name,variant", [(m, v) for m, (vs, _) in MIXED_MODELS.items() for v in vs], ids=str
)
def test_our_ops_inside_model_match_litert(name, variant):
    path = find(f"{name}__{variant}.tflite")
    expected = np.load(path.parent / f"{path.stem}.expected.npz")
    checked = _check_ops(path, [samples(expected, k) for k in range(4)])
    missing = MIXED_MODELS[name][1] - checked
    assert not missing, f"ops not found in the model: {missing}"
