"""Build small ONNX models, convert them, and compare our interpreter and LiteRT with
onnxruntime (the oracle)."""

from __future__ import annotations

import numpy as np
from fixtures_path import require

from edgelite.converter.importers.onnx import import_onnx
from edgelite.converter.writer import graph_to_bytes
from edgelite.interpreter import Interpreter

NHWC = (0, 2, 3, 1)


def make_model(nodes, inputs, outputs, initializers=None, opset=17):
    """``inputs``/``outputs``: {name: (shape, numpy dtype)}; ``initializers``: {name: array}.
    Output shapes may be None (left to shape inference)."""
    from onnx import helper, numpy_helper

    def info(name, spec):
        shape, dtype = spec
        elem = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
        return helper.make_tensor_value_info(name, elem, shape)

    graph = helper.make_graph(
        nodes,
        "test",
        [info(n, s) for n, s in inputs.items()],
        [info(n, s) for n, s in outputs.items()],
        [numpy_helper.from_array(np.asarray(v), n) for n, v in (initializers or {}).items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def one_node(
    op_type,
    inputs,
    output_shapes=None,
    initializers=None,
    opset=17,
    out_dtype=None,
    n_outputs=1,
    **attrs,
):
    """A one-node model; ``inputs`` is {name: array} (runtime) and initializers hold consts."""
    from onnx import helper

    initializers = initializers or {}
    names = list(inputs) + [n for n in initializers if n not in inputs]
    outs = [f"y{k}" if n_outputs > 1 else "y" for k in range(n_outputs)]
    node = helper.make_node(op_type, names, outs, name=f"{op_type.lower()}_node", **attrs)
    first = next(iter(inputs.values()))
    dtype = out_dtype or first.dtype
    shapes = output_shapes or [None] * n_outputs
    return make_model(
        [node],
        {n: (a.shape, a.dtype) for n, a in inputs.items()},
        {o: (s, dtype) for o, s in zip(outs, shapes)},
        initializers,
        opset,
    )


def run_ort(model, feeds):
    ort = require("onnxruntime")
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(None, feeds)))


def _to_tflite_input(x, nhwc):
    return np.ascontiguousarray(x.transpose(NHWC)) if nhwc and x.ndim == 4 else x


def run_tflite(interp, feeds, nhwc=True):
    """Run a tf.lite-style interpreter; inputs/outputs matched by tensor name."""
    ins = {d["name"]: d for d in interp.get_input_details()}
    for name, x in feeds.items():
        x = _to_tflite_input(x, nhwc)
        d = ins[name]
        if tuple(d["shape"]) != x.shape:
            interp.resize_tensor_input(d["index"], list(x.shape))
    interp.allocate_tensors()
    ins = {d["name"]: d for d in interp.get_input_details()}
    for name, x in feeds.items():
        interp.set_tensor(ins[name]["index"], _to_tflite_input(x, nhwc))
    interp.invoke()
    return {d["name"]: interp.get_tensor(d["index"]) for d in interp.get_output_details()}


def rel_error(got, want) -> float:
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype.kind in "biu":
        return float(np.abs(got.astype(np.int64) - want.astype(np.int64)).max(initial=0))
    want = want.astype(np.float64)
    span = float(want.max(initial=0) - want.min(initial=0)) or float(np.abs(want).max(initial=0))
    return float(np.abs(got - want).max(initial=0)) / (span or 1.0)


def convert(model, **kw):
    graph = import_onnx(model, **kw)
    return graph, graph_to_bytes(graph)


def check(model, feeds, tol=1e-5, litert=True, ours=True, **kw):
    """Convert ``model`` and compare every output with onnxruntime; returns the IR graph."""
    want = run_ort(model, feeds)
    graph, data = convert(model, **kw)
    nhwc = kw.get("nhwc_inputs", True)
    runners = []
    if ours:
        runners.append(("edgelite", Interpreter(model_content=data)))
    if litert:
        lite = require("ai_edge_litert.interpreter")
        runners.append(("litert", lite.Interpreter(model_content=data)))
    for label, interp in runners:
        got = run_tflite(interp, feeds, nhwc)
        assert set(got) == set(want), (label, sorted(got), sorted(want))
        for name, w in want.items():
            err = rel_error(got[name], w)
            assert err <= tol, f"{label}: output {name}: relative error {err:.3g} > {tol}"
    return graph


def op_types(graph) -> list:
    return [op.type for op in graph.ops]
