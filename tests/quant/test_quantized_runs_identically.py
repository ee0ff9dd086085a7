"""Our quantized models run bit-identically in our interpreter, LiteRT and tflite-micro.

Each oracle float model is quantized by ``edgelite.quantize`` (int8 with int8 I/O, int16x8 with
float I/O), calibrated on ``<m>.inputs.npz``; the held-out inputs are the ``input_*_k`` arrays
of ``<m>__float.expected.npz`` plus one input pushed past the calibrated range (saturation).
Our interpreter's outputs must equal LiteRT's reference kernels (``BUILTIN_REF``) exactly, and,
for the micro-sized int8 models, tflite-micro's.
"""

from __future__ import annotations

import numpy as np
import pytest
from fixtures_path import ROOT, oracle_dir, require

import edgelite
from edgelite.interpreter import Interpreter
from edgelite.schemas.model import load_model, op_name

MODELS = [
    "conv_relu",
    "conv_s2_valid_relu6",
    "depthwise_m2_s2",
    "dense_mlp",
    "attention",
    "add_sub_mul",
    "concat_pad_reshape",
    "sigmoid_tanh",
    "hard_swish",
    "pools",
    "global_mean",
    "layernorm",
    "mobilenetv2_035_96",
]
MICRO_MAX_BYTES = 100_000
TFLM_MISSING_OPS = {"GELU", "TILE"}  # tflite-micro has no kernels for these
TFLM_ARENA = 1 << 20
# LiteRT's reference FULLY_CONNECTED (and ours) requantizes as round(double(acc) * scale);
# tflite-micro's uses the int32 multiplier with double rounding (SaturatingRoundingDoubling-
# HighMul, then RoundingDivideByPOT), which lands 1 LSB off at near-ties: attention's key
# projection hits two on sample 3 (e.g. exact -1.5008 -> micro -1, LiteRT -2), and the 1-LSB
# error travels through SOFTMAX and BATCH_MATMUL. TensorFlow's own attention__int8.tflite shows
# the same 12 differences in tflite-micro, so neither our quantizer nor our kernel is at fault.
TFLM_KNOWN_DIFFS = {
    "attention": "tflite-micro's FULLY_CONNECTED requantizes with double fixed-point rounding; "
    "LiteRT's reference (and ours) rounds double(acc)*scale once: 1 LSB apart at near-ties"
}

_cache = {}


def _quantized(name: str, mode: str):
    if (name, mode) not in _cache:
        base = oracle_dir() / name
        float_path = oracle_dir() / f"{name}__float.tflite"
        if not float_path.is_file():
            pytest.skip(f"oracle {float_path.name} not available")
        _cache[name, mode] = edgelite.quantize(
            str(float_path), str(base) + ".inputs.npz", mode=mode
        ).model
    return _cache[name, mode]


def _float_inputs(name: str) -> list:
    """Held-out float samples: the expected file's, plus one at 1.5x the calibrated extremes."""
    with np.load(oracle_dir() / f"{name}__float.expected.npz") as z:
        n_in = sum(1 for k in z.files if k.startswith("input_") and k.endswith("_0"))
        n_k = sum(1 for k in z.files if k.startswith("input_0_"))
        samples = [[z[f"input_{i}_{k}"] for i in range(n_in)] for k in range(n_k)]
    with np.load(oracle_dir() / f"{name}.inputs.npz") as z:
        cal = [z[f"input_{i}"] for i in range(n_in)]
    rng = np.random.default_rng(7)
    samples.append(
        [
            (1.5 * rng.uniform(c.min(), c.max(), s.shape)).astype(s.dtype)
            for c, s in zip(cal, samples[0])
        ]
    )
    return samples


def _to_input(x: np.ndarray, detail: dict) -> np.ndarray:
    """A float sample as the model's input: quantized with the input's params if integer."""
    dtype = np.dtype(detail["dtype"])
    if dtype.kind == "f":
        return x.astype(dtype)
    scale, zp = detail["quantization"]
    info = np.iinfo(dtype)
    return np.clip(np.round(x / scale) + zp, info.min, info.max).astype(dtype)


def _run(interp, xs: list) -> list:
    for d, x in zip(interp.get_input_details(), xs):
        interp.set_tensor(d["index"], x)
    interp.invoke()
    return [interp.get_tensor(d["index"]).copy() for d in interp.get_output_details()]


def _ours(data: bytes):
    interp = Interpreter(model_content=data)
    interp.allocate_tensors()
    return interp


def _assert_identical(name, k, ours: list, theirs: list) -> None:
    assert len(ours) == len(theirs)
    for j, (a, b) in enumerate(zip(ours, theirs)):
        assert a.dtype == b.dtype and a.shape == b.shape, (name, k, j, a.dtype, b.dtype)
        diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
        assert np.array_equal(a, b), (
            f"{name} sample {k} output {j}: {int((diff > 0).sum())}/{a.size} values differ, "
            f"max {diff.max()}"
        )


@pytest.mark.parametrize("mode", ["int8", "int16x8"])
@pytest.mark.parametrize("name", MODELS)
def test_ours_equals_litert_reference(name, mode):
    litert = require("ai_edge_litert.interpreter")
    data = _quantized(name, mode)
    ours = _ours(data)
    ref = litert.Interpreter(
        model_content=data,
        experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF,
    )
    ref.allocate_tensors()
    expected_io = "int8" if mode == "int8" else "float32"
    assert [str(d["dtype"].__name__) for d in ours.get_input_details()] == [expected_io] * len(
        ours.get_input_details()
    )
    for k, sample in enumerate(_float_inputs(name)):
        xs = [_to_input(x, d) for x, d in zip(sample, ours.get_input_details())]
        _assert_identical(name, k, _run(ours, xs), _run(ref, xs))


# -- tflite-micro ---------------------------------------------------------------------------


def _op_names(data: bytes) -> set:
    m = load_model(data)
    return {op_name(m.operator_codes[op.opcode_index]) for sg in m.subgraphs for op in sg.operators}


def _tflm_outputs(micro, xs: list, n_out: int) -> list:
    for i, x in enumerate(xs):
        micro.set_input(x, i)
    micro.invoke()
    return [np.asarray(micro.get_output(j)).copy() for j in range(n_out)]


def _micro_interpreter(data: bytes):
    require("tflite_micro")
    from tflite_micro.python.tflite_micro import runtime

    missing = _op_names(data) & TFLM_MISSING_OPS
    if missing:
        pytest.skip(f"tflite-micro has no kernel for {', '.join(sorted(missing))}")
    return runtime.Interpreter.from_bytes(data, arena_size=TFLM_ARENA)


def _compare_with_tflm(name: str, data: bytes, samples: list) -> None:
    micro = _micro_interpreter(data)
    ours = _ours(data)
    n_out = len(ours.get_output_details())
    for k, sample in enumerate(samples):
        xs = [_to_input(x, d) for x, d in zip(sample, ours.get_input_details())]
        _assert_identical(name, k, _run(ours, xs), _tflm_outputs(micro, xs, n_out))


def _micro_models() -> list:
    """MODELS whose int8 file is micro-sized (about a quarter of the float file)."""
    return [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=TFLM_KNOWN_DIFFS[n]))
        if n in TFLM_KNOWN_DIFFS
        else n
        for n in MODELS
        if _float_size(n) < 4 * MICRO_MAX_BYTES
    ]


def _float_size(name: str) -> int:
    path = oracle_dir() / f"{name}__float.tflite"
    return path.stat().st_size if path.is_file() else 0


@pytest.mark.parametrize("name", _micro_models())
def test_int8_on_tflite_micro_equals_ours(name):
    data = _quantized(name, "int8")
    assert len(data) < MICRO_MAX_BYTES
    _compare_with_tflm(name, data, _float_inputs(name))


def test_attention_on_tflite_micro_within_one_lsb():
    """The known difference stays a 1-LSB rounding one (see TFLM_KNOWN_DIFFS)."""
    data = _quantized("attention", "int8")
    micro = _micro_interpreter(data)
    ours = _ours(data)
    for sample in _float_inputs("attention"):
        xs = [_to_input(x, d) for x, d in zip(sample, ours.get_input_details())]
        for a, b in zip(_run(ours, xs), _tflm_outputs(micro, xs, 1)):
            assert np.abs(a.astype(np.int32) - b.astype(np.int32)).max() <= 1


def test_digits_int8_on_tflite_micro_equals_ours():
    path = ROOT / "samples" / "models" / "digits_int8.tflite"
    data = path.read_bytes()
    detail = _ours(data).get_input_details()[0]
    scale, zp = detail["quantization"]
    rng = np.random.default_rng(0)
    # float images in [0, 1] (the input's range: scale 1/255, zero point -128) and one beyond
    samples = [[rng.uniform(0, 1, detail["shape"]).astype(np.float32)] for _ in range(4)]
    samples.append([rng.uniform(-0.5, 1.5, detail["shape"]).astype(np.float32)])
    assert np.isclose(scale * 255, 1.0) and zp == -128
    _compare_with_tflm("digits_int8", data, samples)
