"""Reading, verifying and writing .tflite files: round-trips, LiteRT compatibility, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures_path import oracle_dir, require, shared_models_dir

from edgelite.errors import InvalidModelError
from edgelite.schemas.model import load_model, model_to_bytes, op_name, save_model, tfl
from edgelite.schemas.verify import Limits

MODELS = sorted(oracle_dir().glob("*.tflite")) + sorted(shared_models_dir().glob("*.tflite"))


def test_fixture_models_found():
    assert len(MODELS) >= 100, f"expected the oracle models, found {len(MODELS)}"


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_read_write_round_trip(path):
    model = load_model(path)
    again = load_model(model_to_bytes(model))
    assert again == model
    # the same bytes come out a second time (the writer is deterministic)
    assert model_to_bytes(again) == model_to_bytes(model)


def test_weights_are_zero_copy_views_of_the_file():
    path = oracle_dir() / "conv_relu__float.tflite"
    model = load_model(path)
    data = [b.data for b in model.buffers if b.data is not None and len(b.data)]
    assert data, "model should have constant buffers"
    for d in data:
        assert not d.flags.owndata and not d.flags.writeable


def test_opcode_names_use_the_larger_code():
    model = load_model(oracle_dir() / "gelu__float.tflite")
    names = {op_name(c) for c in model.operator_codes}
    assert names == {"FULLY_CONNECTED", "GELU"}  # GELU is 150: only in builtin_code


def _litert_outputs(content: bytes, inputs):
    litert = require("ai_edge_litert.interpreter")
    it = litert.Interpreter(model_content=content)
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), inputs):
        it.set_tensor(d["index"], x)
    it.invoke()
    return [it.get_tensor(d["index"]) for d in it.get_output_details()]


@pytest.mark.parametrize(
    "name",
    ["mobilenetv2_035_96__float", "attention__int8", "conv_transpose__fp16", "dense_mlp__dynamic"],
)
def test_litert_runs_what_we_write(name):
    path = oracle_dir() / f"{name}.tflite"
    original = path.read_bytes()
    ours = model_to_bytes(load_model(path))
    exp = np.load(oracle_dir() / f"{name}.expected.npz")
    inputs = [
        exp[f"input_{i}_0"]
        for i in range(sum(k.endswith("_0") and k.startswith("input") for k in exp.files))
    ]
    for a, b in zip(_litert_outputs(original, inputs), _litert_outputs(ours, inputs)):
        np.testing.assert_array_equal(a, b)


def test_external_buffers_round_trip_and_litert(tmp_path):
    path = oracle_dir() / "conv_relu__float.tflite"
    model = load_model(path)
    data = model_to_bytes(model, external_buffers=True)
    again = load_model(data)
    assert again == model
    exp = np.load(oracle_dir() / "conv_relu__float.expected.npz")
    x = exp["input_0_0"]
    np.testing.assert_array_equal(
        _litert_outputs(data, [x])[0], _litert_outputs(path.read_bytes(), [x])[0]
    )


def test_save_is_atomic_and_refuses_overwrite(tmp_path):
    model = load_model(oracle_dir() / "transpose__float.tflite")
    out = tmp_path / "m.tflite"
    save_model(model, out)
    assert load_model(out) == model
    with pytest.raises(FileExistsError):
        save_model(model, out, overwrite=False)
    assert [p.name for p in tmp_path.iterdir()] == ["m.tflite"]  # no temp files left


# -- bad input -------------------------------------------------------------------------------


def test_truncated_files_raise_invalid_model_error():
    data = (oracle_dir() / "dense_mlp__float.tflite").read_bytes()
    for n in list(range(0, 64)) + list(range(64, len(data), 97)):
        try:
            load_model(data[:n])
        except InvalidModelError as e:
            assert "<model bytes>" in str(e)


def test_random_corruption_never_escapes_as_another_error():
    rng = np.random.default_rng(1)
    data = np.frombuffer((oracle_dir() / "layernorm__float.tflite").read_bytes(), np.uint8)
    for _ in range(400):
        bad = data.copy()
        pos = rng.integers(0, bad.size, size=rng.integers(1, 6))
        bad[pos] = rng.integers(0, 256, size=pos.size)
        try:
            load_model(bad.tobytes())
        except InvalidModelError:
            pass


def test_empty_and_missing_files(tmp_path):
    empty = tmp_path / "empty.tflite"
    empty.write_bytes(b"")
    with pytest.raises(InvalidModelError, match="empty"):
        load_model(empty)
    with pytest.raises(InvalidModelError, match="no such model file"):
        load_model(tmp_path / "nope.tflite")
    with pytest.raises(InvalidModelError, match="identifier"):
        load_model(b"\x08\0\0\0NOPE\0\0\0\0\0\0\0\0")


def _edited(name, edit):
    model = load_model(oracle_dir() / f"{name}.tflite")
    edit(model)
    return model_to_bytes(model)


@pytest.mark.parametrize(
    "edit,message",
    [
        (lambda m: setattr(m.subgraphs[0].operators[0], "opcode_index", 9), "opcode index 9"),
        (
            lambda m: setattr(m.subgraphs[0].operators[0], "inputs", np.array([0, 77], np.int32)),
            "refers to tensor 77",
        ),
        (lambda m: setattr(m.subgraphs[0].tensors[1], "buffer", 500), "buffer index 500"),
        (
            lambda m: setattr(m.subgraphs[0].tensors[1], "shape", np.array([3, -2], np.int32)),
            "negative dimension",
        ),
        (
            lambda m: setattr(m.subgraphs[0].tensors[1], "shape", np.array([7, 7], np.int32)),
            "holds",
        ),
        (lambda m: setattr(m, "version", 2), "schema version 2"),
        (lambda m: setattr(m.subgraphs[0], "inputs", np.array([99], np.int32)), "out of range"),
        (lambda m: setattr(m.metadata[0], "buffer", 141), "metadata 0 .* refers to buffer 141"),
    ],
)
def test_inconsistent_models_are_rejected(edit, message):
    with pytest.raises(InvalidModelError, match=message):
        load_model(_edited("dense_mlp__float", edit))


def test_tensor_read_before_written_is_rejected():
    def swap(m):
        ops = m.subgraphs[0].operators
        ops[0], ops[-1] = ops[-1], ops[0]

    with pytest.raises(InvalidModelError, match="before any operator writes it"):
        load_model(_edited("dense_mlp__float", swap))


def test_absurd_tensor_size_is_limited():
    def huge(m):
        t = m.subgraphs[0].tensors[m.subgraphs[0].inputs[0]]
        t.shape = np.array([1 << 20, 1 << 20, 1 << 10], np.int32)

    data = _edited("dense_mlp__float", huge)
    with pytest.raises(InvalidModelError, match="limit"):
        load_model(data)
    with pytest.raises(InvalidModelError, match="limit"):
        load_model(_edited("dense_mlp__float", lambda m: None), limits=Limits(max_tensor_bytes=8))


def test_subgraph_recursion_is_rejected():
    T = tfl()

    def recurse(m):
        sg = m.subgraphs[0]
        m.operator_codes.append(
            T["OperatorCode"](deprecated_builtin_code=127, builtin_code="CALL_ONCE", version=1)
        )
        call = T["Operator"](
            opcode_index=len(m.operator_codes) - 1,
            inputs=np.zeros(0, np.int32),
            outputs=np.zeros(0, np.int32),
            builtin_options=T["CallOnceOptions"](init_subgraph_index=0),
        )
        sg.operators.insert(0, call)

    with pytest.raises(InvalidModelError, match="recursion"):
        load_model(_edited("dense_mlp__float", recurse))


def test_saved_files_get_normal_permissions(tmp_path):
    import os
    import stat

    out = tmp_path / "m.tflite"
    save_model(load_model(oracle_dir() / "transpose__float.tflite"), out)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    out.chmod(0o640)
    save_model(load_model(out), out)  # replacing keeps the file's mode
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
