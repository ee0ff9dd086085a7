"""Corrupt models fail with edgelite errors at load/allocate, never with a stray exception."""

from __future__ import annotations

import copy
import zlib

import numpy as np
import pytest
from fixtures_path import oracle_dir

from edgelite.errors import EdgeliteError, InvalidModelError
from edgelite.interpreter import Interpreter
from edgelite.schemas.model import load_model, model_to_bytes

MODELS = [
    "dense_mlp__float",
    "conv_relu__float",
    "concat_pad_reshape__float",
    "pools__float",
    "resize__float",
    "depthwise_m2_s2__fp16",
    "attention__float",
    "slice_split__float",
    # integer and hybrid variants: quantization parameters and integer kernels' checks
    "conv_relu__int8",
    "depthwise_m2_s2__int16x8",
    "pools__dynamic",
    "transpose__int16x8",
    "sigmoid_tanh__int8_floatio",
    "broadcast_ops__int8_floatio",
]


def _load_and_run(data: bytes) -> None:
    it = Interpreter(model_content=data)
    it.allocate_tensors()
    for d in it.get_input_details():
        it.set_tensor(d["index"], np.zeros(d["shape"], d["dtype"]))
    it.invoke()


@pytest.mark.parametrize("name", MODELS)
def test_byte_flips(name):
    rng = np.random.default_rng(zlib.crc32(name.encode()))  # hash() varies per process
    data = np.frombuffer((oracle_dir() / f"{name}.tflite").read_bytes(), np.uint8)
    for _ in range(300):
        bad = data.copy()
        pos = rng.integers(0, bad.size, size=rng.integers(1, 4))
        bad[pos] = rng.integers(0, 256, size=pos.size)
        try:
            with np.errstate(all="ignore"):
                _load_and_run(bad.tobytes())
        except EdgeliteError:
            pass


def _shape_mutations(model, rng):
    """Models whose tensors got a different (but well-formed) shape: kernels must object."""
    sg = model.subgraphs[0]
    for t in sg.tensors:
        if t.shape is None or not len(t.shape):
            continue
        old = t.shape
        new = np.array(old, np.int32)
        new[rng.integers(0, new.size)] = rng.integers(1, 5)
        t.shape = new
        yield model
        t.shape = old


@pytest.mark.parametrize("name", MODELS)
def test_inconsistent_shapes_are_model_errors(name):
    rng = np.random.default_rng(5)
    model = load_model(oracle_dir() / f"{name}.tflite")
    for mutated in _shape_mutations(model, rng):
        try:
            data = model_to_bytes(mutated)
        except EdgeliteError:
            continue
        try:
            with np.errstate(all="ignore"):
                _load_and_run(data)
        except EdgeliteError:
            pass


@pytest.mark.parametrize(
    "name", ["conv_relu__float", "depthwise_m2_s2__float", "dense_mlp__int8", "conv_relu__int8"]
)
def test_omitted_inputs_are_model_errors(name):
    """Each op input in turn marked omitted (-1): optional ones run, required ones must fail
    as model errors naming the op, never as a stray AttributeError or TypeError."""
    model = load_model(oracle_dir() / f"{name}.tflite")
    failures = 0
    for op in model.subgraphs[0].operators:
        kept = op.inputs
        for k in range(len(kept)):
            op.inputs = np.where(np.arange(len(kept)) == k, -1, kept).astype(np.int32)
            try:
                with np.errstate(all="ignore"):
                    _load_and_run(model_to_bytes(model))
            except EdgeliteError as e:
                failures += 1
                assert f"op {op_index(model, op)}" in str(e)
        op.inputs = kept
    assert failures > 0  # at least the data input of every op is required


def op_index(model, op) -> int:
    return next(i for i, o in enumerate(model.subgraphs[0].operators) if o is op)


def test_output_written_by_no_op_is_a_model_error():
    model = load_model(oracle_dir() / "dense_mlp__float.tflite")
    sg = model.subgraphs[0]
    orphan = copy.deepcopy(sg.tensors[sg.outputs[0]])
    orphan.name = "orphan"
    sg.tensors.append(orphan)
    sg.outputs = np.array([len(sg.tensors) - 1], np.int32)
    with pytest.raises(InvalidModelError, match="tensor 6 \\('orphan'\\).* written by no op"):
        _load_and_run(model_to_bytes(model))


_TYPED_OPS = {"CONV_2D", "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV", "FULLY_CONNECTED",
              "BATCH_MATMUL", "AVERAGE_POOL_2D", "MAX_POOL_2D"}  # fmt: skip


@pytest.mark.parametrize(
    "name",
    ["conv_relu__dynamic", "depthwise__dynamic", "conv_transpose__dynamic", "pools__float",
     "attention__dynamic", "conv_relu__int16x8", "pools__int8", "dense_mlp__int8"],
)  # fmt: skip
def test_output_of_the_wrong_type_is_a_model_error(name):
    """An output whose declared type is not what the op writes for its input (float32 for
    float and hybrid ops, else the input's type) is refused at allocate, naming it."""
    from edgelite.schemas.model import op_name

    model = load_model(oracle_dir() / f"{name}.tflite")
    sg = model.subgraphs[0]
    checked = 0
    for op in sg.operators:
        if op_name(model.operator_codes[op.opcode_index]) not in _TYPED_OPS:
            continue
        out = sg.tensors[op.outputs[0]]
        kept = out.type
        out.type = "INT8" if kept == "FLOAT32" else "FLOAT32"
        with pytest.raises(InvalidModelError, match=f"output '{out.name}' is .* writes"):
            _load_and_run(model_to_bytes(model))
        out.type = kept
        checked += 1
    assert checked


def test_op_writing_a_constant_is_a_model_error():
    model = load_model(oracle_dir() / "conv_relu__float.tflite")
    op = model.subgraphs[0].operators[0]
    weights = int(op.inputs[1])
    op.outputs = np.array([weights], np.int32)  # the conv would overwrite its own filter
    with pytest.raises(InvalidModelError, match=f"output tensor {weights} .* is a constant"):
        _load_and_run(model_to_bytes(model))


def test_op_without_inputs_is_a_model_error():
    model = load_model(oracle_dir() / "depthwise__float.tflite")
    model.subgraphs[0].operators[0].inputs = np.array([], np.int32)
    with pytest.raises(InvalidModelError, match="op 0 .* it has no inputs"):
        _load_and_run(model_to_bytes(model))
