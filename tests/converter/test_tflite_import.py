import numpy as np
import pytest
from fixtures_path import oracle_dir
from graph_check import run_litert
from tflite_builder import ModelBuilder

from edgelite.converter.importers.tflite import import_tflite
from edgelite.converter.writer import graph_to_bytes
from edgelite.errors import ConversionError
from edgelite.schemas.model import load_model, op_name

VARIANTS = ("float", "fp16", "int8")


def _oracle_models():
    d = oracle_dir()
    return sorted(
        p
        for p in d.glob("*.tflite")
        if p.stem.rsplit("__", 1)[-1] in VARIANTS and p.with_suffix(".expected.npz").is_file()
    )


def _inputs(path):
    with np.load(path.with_suffix(".expected.npz")) as z:
        names = sorted(k for k in z.files if k.startswith("input_") and k.endswith("_0"))
        return [z[k] for k in names]


def _ops(model):
    m = load_model(model)
    return [
        (op_name(m.operator_codes[o.opcode_index]), m.operator_codes[o.opcode_index].version)
        for o in m.subgraphs[0].operators
    ]


@pytest.mark.parametrize("path", _oracle_models(), ids=lambda p: p.stem)
def test_round_trip_matches_litert_exactly(path):
    g = import_tflite(path)
    content = graph_to_bytes(g)
    assert _ops(content) == _ops(path)  # same ops, same order, same versions
    inputs = _inputs(path)
    for want, got in zip(run_litert(path.read_bytes(), inputs), run_litert(content, inputs)):
        assert want.dtype == got.dtype
        np.testing.assert_array_equal(got, want)


def test_oracle_set_is_there():
    assert len(_oracle_models()) >= 60


def test_keeps_names_quantization_options_and_signature_dims():
    path = oracle_dir() / "conv_relu__int8.tflite"
    if not path.is_file():
        pytest.skip("oracle missing")
    g = import_tflite(path.read_bytes())
    (conv,) = g.ops
    assert conv.type == "CONV_2D" and conv.version == 3
    assert conv.options["fused_activation_function"] == "RELU"
    assert conv.options["padding"] == "SAME" and conv.options["stride_w"] == 1
    x = g.inputs[0]
    assert x.name == "serving_default_keras_tensor:0" and x.shape == (-1, 16, 16, 3)
    assert x.dtype == np.int8 and x.quant.scale.size == 1
    w = conv.inputs[1]
    assert w.is_const and w.quant.per_channel and w.quant.scale.size == 8 and w.quant.axis == 0
    assert g.description == "MLIR Converted."


def test_multi_subgraph_models_are_rejected():
    mb = ModelBuilder()
    for name in ("main", "other"):
        sg = mb.graph(name)
        x = sg.input("x", [2])
        y = sg.tensor("y", [2], np.float32)
        sg.outputs.append(y)
        sg.op("RELU", [x], [y])
    with pytest.raises(ConversionError, match="2 subgraphs"):
        import_tflite(mb.to_bytes())


def test_malformed_tflite_source_is_named_by_the_interpreter_checks():
    """A .tflite source is checked by the interpreter's kernels before the passes run: a
    TRANSPOSE perm out of range is an InvalidModelError naming the op, not a pass crash."""
    import edgelite
    from edgelite.errors import InvalidModelError
    from edgelite.schemas.model import model_to_bytes

    model = load_model(oracle_dir() / "transpose__float.tflite")
    sg = model.subgraphs[0]
    codes = model.operator_codes
    op = next(o for o in sg.operators if op_name(codes[o.opcode_index]) == "TRANSPOSE")
    perm = sg.tensors[op.inputs[1]]
    data = np.asarray(model.buffers[perm.buffer].data, np.uint8).view(np.int32).copy()
    data[0] = 32768
    model.buffers[perm.buffer].data = data.view(np.uint8)
    with pytest.raises(InvalidModelError, match="TRANSPOSE.*perm"):
        edgelite.convert(model_to_bytes(model))


def test_op_without_outputs_is_refused_before_import():
    import edgelite
    from edgelite.errors import InvalidModelError
    from edgelite.schemas.model import model_to_bytes

    model = load_model(oracle_dir() / "depthwise__float.tflite")
    model.subgraphs[0].operators[0].outputs = None
    with pytest.raises(InvalidModelError, match="op 0"):
        edgelite.convert(model_to_bytes(model))
