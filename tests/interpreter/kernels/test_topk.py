"""TOPK_V2 against LiteRT, including ties."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures_path import require
from tflite_builder import ModelBuilder

from edgelite.interpreter import Interpreter


def topk_model(shape, k, dtype):
    mb = ModelBuilder()
    g = mb.graph("main")
    x = g.input("x", shape, dtype)
    kk = g.const("k", np.array(k, np.int32))
    out_shape = list(shape[:-1]) + [k]
    v = g.tensor("values", out_shape, dtype)
    i = g.tensor("indices", out_shape, np.int32)
    g.outputs += [v, i]
    g.op("TOPK_V2", [x, kk], [v, i])
    return mb.to_bytes()


def _run(cls, content, x, **kw):
    it = cls(model_content=content, **kw)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    return [it.get_tensor(d["index"]) for d in it.get_output_details()]


@pytest.mark.parametrize(
    "shape,k,dtype",
    [
        ((10,), 3, np.float32),
        ((2, 3, 7), 7, np.float32),
        ((4, 16), 5, np.int32),
        ((3, 9), 1, np.float32),
    ],
)
def test_topk_matches_litert(shape, k, dtype):
    litert = require("ai_edge_litert.interpreter")
    rng = np.random.default_rng(k)
    x = rng.integers(-3, 4, shape).astype(dtype)  # few distinct values: many ties
    content = topk_model(shape, k, dtype)
    ours = _run(Interpreter, content, x)
    theirs = _run(litert.Interpreter, content, x)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)
    order = np.argsort(-x.astype(np.float64), axis=-1, kind="stable")[..., :k]
    np.testing.assert_array_equal(ours[1], order)
