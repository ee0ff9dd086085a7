"""Helpers for converter tests: build small IR graphs, run them (ours or LiteRT) via the writer."""

from __future__ import annotations

import numpy as np

from edgelite.converter.ir import Graph, Op, Tensor, constant
from edgelite.converter.writer import graph_to_bytes
from edgelite.interpreter import Interpreter

F32 = np.float32


def t(name, shape, dtype=F32):
    return Tensor(name, tuple(shape), dtype)


def c(name, value, dtype=F32):
    return constant(name, np.asarray(value, dtype))


def op(kind, inputs, outputs, **options):
    return Op(kind, list(inputs), list(outputs), options, name=outputs[0].name)


def graph(ops, inputs, outputs):
    return Graph(list(ops), list(inputs), list(outputs))


def random_inputs(g, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for x in g.inputs:
        shape = [1 if d < 0 else d for d in x.shape]
        if x.dtype.kind == "f":
            out.append((rng.standard_normal(shape) * 3).astype(x.dtype))
        else:
            out.append(rng.integers(0, 3, shape).astype(x.dtype))
    return out


def _run(interp, inputs):
    for d, x in zip(interp.get_input_details(), inputs):
        if tuple(d["shape"]) != x.shape:
            interp.resize_tensor_input(d["index"], x.shape)
    interp.allocate_tensors()
    for d, x in zip(interp.get_input_details(), inputs):
        interp.set_tensor(d["index"], x)
    interp.invoke()
    return [interp.get_tensor(d["index"]).copy() for d in interp.get_output_details()]


def run_ours(model, inputs):
    content = model if isinstance(model, (bytes, bytearray)) else graph_to_bytes(model)
    return _run(Interpreter(model_content=bytes(content)), inputs)


def run_litert(model, inputs):
    from fixtures_path import require

    lite = require("ai_edge_litert.interpreter")
    content = model if isinstance(model, (bytes, bytearray)) else graph_to_bytes(model)
    return _run(lite.Interpreter(model_content=bytes(content)), inputs)


def assert_equivalent(before, after, seeds=(0, 1), rtol=1e-5, atol=1e-5):
    """The two graphs give the same outputs (our interpreter) on random inputs."""
    for seed in seeds:
        inputs = random_inputs(before, seed)
        want, got = run_ours(before, inputs), run_ours(after, inputs)
        assert len(want) == len(got)
        for w, g in zip(want, got):
            assert w.shape == g.shape and w.dtype == g.dtype
            np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)


def count(g, kind=None):
    return len(g.ops) if kind is None else sum(o.type == kind for o in g.ops)
