"""Corrupt models fail with edgelite errors at load/allocate, never with a stray exception."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from fixtures_path import oracle_dir

from edgelite.errors import EdgeliteError
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
