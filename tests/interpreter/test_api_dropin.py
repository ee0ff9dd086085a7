"""The tf.lite API: a script written for LiteRT runs unchanged with our Interpreter."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures_path import oracle_dir, require, shared_models_dir

from edgelite.interpreter import Interpreter

SINE = shared_models_dir() / "sine_float.tflite"


def litert_script(Interpreter, path):
    """What a typical LiteRT user writes; returns everything it observed."""
    seen = {}
    interp = Interpreter(model_path=str(path), num_threads=1)
    try:
        interp.invoke()
    except Exception as e:  # invoking before allocate_tensors
        seen["early_invoke"] = type(e).__name__
    interp.allocate_tensors()
    inp = interp.get_input_details()
    out = interp.get_output_details()
    seen["input_details"] = inp
    seen["output_details"] = out
    seen["tensor_details"] = interp.get_tensor_details()
    seen["signatures"] = interp.get_signature_list()
    seen["num_subgraphs"] = interp.num_subgraphs()
    x = np.linspace(0.1, 0.9, int(np.prod(inp[0]["shape"])), dtype=np.float32)
    interp.set_tensor(inp[0]["index"], x.reshape(inp[0]["shape"]))
    interp.invoke()
    seen["output"] = interp.get_tensor(out[0]["index"])
    seen["view"] = np.array(interp.tensor(out[0]["index"])())
    errors = []
    for bad in (
        lambda: interp.set_tensor(inp[0]["index"], x.astype(np.float64)),
        lambda: interp.set_tensor(inp[0]["index"], np.zeros((7, 7, 7), np.float32)),
        lambda: interp.get_tensor(10_000),
        lambda: interp.set_tensor(10_000, x),
    ):
        try:
            bad()
            errors.append(None)
        except Exception as e:
            errors.append(type(e).__name__)
    seen["errors"] = errors
    runner = interp.get_signature_runner()
    key = next(iter(interp.get_signature_list()["serving_default"]["inputs"]))
    res = runner(**{key: np.full(inp[0]["shape"], 0.5, np.float32)})
    seen["runner"] = {k: np.array(v) for k, v in sorted(res.items())}
    del res, runner  # LiteRT's results are views of its memory: drop them before resizing
    interp.resize_tensor_input(inp[0]["index"], [4, 1], strict=True)
    interp.allocate_tensors()
    interp.set_tensor(inp[0]["index"], np.array([[0.0], [1.0], [2.0], [3.0]], np.float32))
    interp.invoke()
    seen["resized"] = interp.get_tensor(interp.get_output_details()[0]["index"])
    return seen


def _same(a, b, path=""):
    if isinstance(a, dict):
        assert isinstance(b, dict), path
        assert sorted(a) == sorted(b), f"{path}: keys {sorted(a)} vs {sorted(b)}"
        for k in a:
            _same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape, path
        if a.dtype.kind == "f":
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=path)
        else:
            np.testing.assert_array_equal(a, b, err_msg=path)
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"


def test_same_script_same_observations():
    litert = require("ai_edge_litert.interpreter")
    theirs = litert_script(litert.Interpreter, SINE)
    mine = litert_script(Interpreter, SINE)
    _same(theirs, mine)


@pytest.mark.parametrize(
    "name",
    ["attention__int8", "conv_relu__int16x8", "depthwise__dynamic", "concat_pad_reshape__fp16"],
)
def test_tensor_details_match_litert(name):
    litert = require("ai_edge_litert.interpreter")
    path = oracle_dir() / f"{name}.tflite"
    ref = litert.Interpreter(model_path=str(path))
    mine = Interpreter(model_path=str(path))
    for key in ("get_input_details", "get_output_details"):
        _same(getattr(ref, key)(), getattr(mine, key)())


def test_model_content_and_bad_arguments():
    data = SINE.read_bytes()
    it = Interpreter(model_content=data)
    it.allocate_tensors()
    with pytest.raises(ValueError):
        Interpreter()
    with pytest.raises(ValueError):
        Interpreter(model_path=str(SINE), model_content=data)
    with pytest.raises(ValueError):
        Interpreter(model_content=b"not a model at all")
    with pytest.raises(ValueError):
        Interpreter(model_path=str(SINE), num_threads=0)


def test_tensor_accessor_is_zero_copy():
    it = Interpreter(model_path=str(SINE))
    it.allocate_tensors()
    idx = it.get_input_details()[0]["index"]
    view = it.tensor(idx)
    view()[...] = 0.25
    assert it.get_tensor(idx)[0, 0] == np.float32(0.25)
    copy = it.get_tensor(idx)
    copy[...] = 9
    assert it.get_tensor(idx)[0, 0] == np.float32(0.25)


def test_resize_strict_rejects_fixed_dims():
    it = Interpreter(model_path=str(SINE))
    with pytest.raises(ValueError):
        it.resize_tensor_input(0, [1, 3], strict=True)
    it.resize_tensor_input(0, [1, 3])  # not strict: allowed (then FULLY_CONNECTED decides)


def test_invoke_after_resize_needs_allocate():
    it = Interpreter(model_path=str(SINE))
    it.allocate_tensors()
    it.resize_tensor_input(0, [2, 1])
    with pytest.raises(RuntimeError):
        it.invoke()


FLOAT_AND_REAL = sorted(
    p for p in oracle_dir().glob("*.tflite") if p.stem.split("__")[1] in ("float", "fp16")
)
FLOAT_AND_REAL += sorted(shared_models_dir().glob("*.tflite"))


@pytest.mark.parametrize("path", FLOAT_AND_REAL, ids=lambda p: p.stem)
def test_all_tensor_details_match_litert_after_allocate(path):
    litert = require("ai_edge_litert.interpreter")
    ref = litert.Interpreter(model_path=str(path))
    ref.allocate_tensors()
    mine = Interpreter(model_path=str(path))
    mine.allocate_tensors()
    ours = mine.get_tensor_details()
    # LiteRT appends its kernels' scratch tensors after the model's own
    _same(ref.get_tensor_details()[: len(ours)], ours)


def test_num_threads_limits_blas():
    threadpoolctl = require("threadpoolctl")
    Interpreter(model_path=str(SINE), num_threads=1)
    blas = [p for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
    assert blas and all(p["num_threads"] == 1 for p in blas)


def test_failed_invoke_raises_runtime_error_like_litert():
    """A zero int32 divisor known only at run time: both fail the invoke with a RuntimeError
    (ours an edgelite InvokeError naming the op)."""
    from tflite_builder import single_op

    from edgelite.errors import InvokeError

    litert = require("ai_edge_litert.interpreter")
    a, b = np.array([4, 5], np.int32), np.array([2, 0], np.int32)
    model = single_op("DIV", [a, b], a.shape, np.int32, const=())
    for make in (litert.Interpreter, Interpreter):
        interp = make(model_content=model)
        interp.allocate_tensors()
        for d, v in zip(interp.get_input_details(), (a, b)):
            interp.set_tensor(d["index"], v)
        with pytest.raises(RuntimeError) as err:
            interp.invoke()
        if make is Interpreter:
            assert isinstance(err.value, InvokeError) and "op 0 (DIV)" in str(err.value)
