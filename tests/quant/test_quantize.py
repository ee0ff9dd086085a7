"""``edgelite.quantize`` end to end: every mode on TensorFlow's oracle models, checked in LiteRT's
reference kernels and against the structure of TensorFlow's own quantized files."""

from __future__ import annotations

import collections

import numpy as np
import pytest
from fixtures_path import find, oracle_dir, require

from edgelite.converter.importers.tflite import import_tflite
from edgelite.errors import QuantizationError
from edgelite.quant.metrics import sqnr_db
from edgelite.quantization import load_graph, quantize

MODELS = sorted(
    p.name[: -len("__int8.tflite")]
    for p in oracle_dir().glob("*__int8.tflite")
    if not p.name.startswith("mobilenetv2_100")
)


def _run_litert(content: bytes, sample: list) -> list:
    litert = require("ai_edge_litert.interpreter")
    it = litert.Interpreter(
        model_content=content, experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF
    )
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), sample):
        if d["dtype"] != np.float32:
            s, z = d["quantization"]
            info = np.iinfo(d["dtype"])
            x = np.clip(np.round(x / s) + z, info.min, info.max).astype(d["dtype"])
        it.set_tensor(d["index"], x)
    it.invoke()
    outs = []
    for d in it.get_output_details():
        y = it.get_tensor(d["index"]).astype(np.float64)
        if d["dtype"] != np.float32:
            s, z = d["quantization"]
            y = (y - z) * s
        outs.append(y)
    return outs


def _sample(name, k=0):
    with np.load(find(f"{name}__float.expected.npz")) as z:
        n = len({key.rsplit("_", 1)[0] for key in z.files if key.startswith("input_")})
        return [z[f"input_{i}_{k}"] for i in range(n)]


def _versions(graph) -> collections.Counter:
    return collections.Counter((o.type, o.version) for o in graph.ops)


@pytest.mark.parametrize("name", MODELS)
def test_int8_full_integer_runs_in_litert_with_tensorflows_structure(name):
    res = quantize(find(f"{name}__float.tflite"), find(f"{name}.inputs.npz"))
    tf = import_tflite(str(find(f"{name}__int8.tflite")))
    ours = res.graph
    # no float op is left except where TensorFlow keeps one (NEG has no int8 kernel)
    assert [o.type for o in ours.ops if _is_float_op(o)] == [
        o.type for o in tf.ops if _is_float_op(o)
    ]
    assert all(t.dtype == np.int8 for t in ours.inputs + ours.outputs if t.quant is not None)
    expected = _versions(tf)
    if "TILE" in tf.op_counts():  # TF writes TILE v3, which LiteRT 2.3 cannot load
        expected = collections.Counter(
            {(t, 2 if t == "TILE" else v): n for (t, v), n in expected.items()}
        )
    assert _versions(ours) == expected
    sample = _sample(name)
    ref = _run_litert(find(f"{name}__float.tflite").read_bytes(), sample)
    got = _run_litert(res.model, sample)
    assert (
        sqnr_db(np.concatenate([r.ravel() for r in ref]), np.concatenate([g.ravel() for g in got]))
        > 25.0
    )


def _is_float_op(op) -> bool:
    return op.type not in ("QUANTIZE", "DEQUANTIZE") and any(
        t is not None and t.dtype == np.float32 for t in op.inputs + op.outputs
    )


@pytest.mark.parametrize("name", ["conv_relu", "attention", "concat_pad_reshape", "layernorm"])
def test_int8_float_io_and_int16x8_match_tensorflows_accuracy(name):
    sample = _sample(name)
    ref = np.concatenate(
        [r.ravel() for r in _run_litert(find(f"{name}__float.tflite").read_bytes(), sample)]
    )
    res = quantize(
        find(f"{name}__float.tflite"),
        find(f"{name}.inputs.npz"),
        input_type="float32",
        output_type="float32",
    )
    assert res.graph.inputs[0].dtype == np.float32 and res.graph.ops[0].type == "QUANTIZE"
    tf = find(f"{name}__int8_floatio.tflite").read_bytes()
    ours_db = sqnr_db(ref, np.concatenate([g.ravel() for g in _run_litert(res.model, sample)]))
    tf_db = sqnr_db(ref, np.concatenate([g.ravel() for g in _run_litert(tf, sample)]))
    assert ours_db > tf_db - 0.5
    res16 = quantize(find(f"{name}__float.tflite"), find(f"{name}.inputs.npz"), mode="int16x8")
    db16 = sqnr_db(ref, np.concatenate([g.ravel() for g in _run_litert(res16.model, sample)]))
    assert db16 > ours_db + 5  # 16-bit activations are markedly better


def test_uint8_io():
    name = "dense_mlp"
    res = quantize(
        find(f"{name}__float.tflite"),
        find(f"{name}.inputs.npz"),
        input_type="uint8",
        output_type="uint8",
    )
    assert res.graph.inputs[0].dtype == np.uint8 and res.graph.outputs[0].dtype == np.uint8
    sample = _sample(name)
    ref = _run_litert(find(f"{name}__float.tflite").read_bytes(), sample)[0]
    assert sqnr_db(ref, _run_litert(res.model, sample)[0]) > 30


@pytest.mark.parametrize("mode,variant", [("dynamic", "dynamic"), ("float16", "fp16")])
def test_weight_only_modes_match_tensorflows_files(mode, variant):
    name = "mobilenetv2_035_96"
    res = quantize(find(f"{name}__float.tflite"), mode=mode)
    tf = import_tflite(str(find(f"{name}__{variant}.tflite")))
    assert res.graph.op_counts() == tf.op_counts()
    assert res.size <= 1.01 * find(f"{name}__{variant}.tflite").stat().st_size
    sample = _sample(name)
    ref = _run_litert(find(f"{name}__float.tflite").read_bytes(), sample)[0]
    theirs = _run_litert(find(f"{name}__{variant}.tflite").read_bytes(), sample)[0]
    assert sqnr_db(ref, _run_litert(res.model, sample)[0]) >= sqnr_db(ref, theirs) - 0.5


def test_integer_modes_need_calibration():
    for mode in ("int8", "int16x8"):
        with pytest.raises(QuantizationError, match="calibration"):
            quantize(find("conv_relu__float.tflite"), mode=mode)
    with pytest.raises(QuantizationError, match="unknown mode"):
        quantize(find("conv_relu__float.tflite"), mode="int4")


def test_accepts_bytes_graphs_and_onnx(tmp_path):
    path = find("conv_relu__float.tflite")
    data = find("conv_relu.inputs.npz")
    a = quantize(path, data, output=tmp_path / "a.tflite")
    b = quantize(path.read_bytes(), data)
    c = quantize(load_graph(path), data)
    assert a.model == b.model == c.model == (tmp_path / "a.tflite").read_bytes()
    assert a.size < a.float_size


def test_existing_output_is_kept_unless_overwrite(tmp_path):
    """Like ``convert``: a file already at ``output`` (perhaps the source model itself) is
    replaced only when asked."""
    path = find("conv_relu__float.tflite")
    out = tmp_path / "q.tflite"
    out.write_bytes(b"keep me")
    with pytest.raises(QuantizationError, match="exists"):
        quantize(path, mode="float16", output=out)
    assert out.read_bytes() == b"keep me"
    res = quantize(path, mode="float16", output=out, overwrite=True)
    assert out.read_bytes() == res.model
    with pytest.raises(QuantizationError, match="exists"):
        res.save(out)


def test_onnx_model_all_modes():
    require("onnx")
    path = find("ch_ppocr_mobile_v2.0_cls_infer.onnx", "models")
    graph = load_graph(path, {"x": [1, 3, 48, 192]})
    rng = np.random.default_rng(0)
    samples = [[rng.uniform(-1, 1, graph.inputs[0].shape).astype(np.float32)] for _ in range(8)]
    res = quantize(path, samples, input_shapes={"x": [1, 3, 48, 192]}, calibration_method="mse")
    assert res.plan["float_ops"] == [] and res.size < 0.55 * res.float_size
    from edgelite.converter.writer import graph_to_bytes
    from edgelite.quantization import unique_names

    ref = _run_litert(graph_to_bytes(unique_names(graph)), samples[0])[0]
    assert sqnr_db(ref, _run_litert(res.model, samples[0])[0]) > 15
    for mode in ("dynamic", "float16"):
        res = quantize(graph, mode=mode)
        assert sqnr_db(ref, _run_litert(res.model, samples[0])[0]) > 35
