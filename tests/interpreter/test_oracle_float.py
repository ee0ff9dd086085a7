"""Float and fp16 oracle models (made by TensorFlow, run by LiteRT) through our interpreter."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures_path import oracle_dir, require, shared_models_dir
from oracle import ours, relative_error, run, samples

TOL = 1e-5
FLOAT_MODELS = sorted(
    p for p in oracle_dir().glob("*.tflite") if p.stem.split("__")[1] in ("float", "fp16")
)


def test_float_models_found():
    assert len(FLOAT_MODELS) >= 40


@pytest.mark.parametrize("path", FLOAT_MODELS, ids=lambda p: p.stem)
def test_matches_litert_reference(path):
    expected = np.load(path.parent / f"{path.stem}.expected.npz")
    it = ours(path)
    for k in range(4):
        outs = run(it, samples(expected, k))
        for j, got in enumerate(outs):
            ref = expected[f"ref_output_{j}_{k}"]
            assert got.shape == ref.shape and got.dtype == ref.dtype
            err = relative_error(got, ref)
            assert err <= TOL, f"sample {k} output {j}: relative error {err:.2e}"


SHARED_TFLITE = sorted(shared_models_dir().glob("*.tflite"))


@pytest.mark.parametrize("path", SHARED_TFLITE, ids=lambda p: p.stem)
def test_real_models_match_litert(path):
    litert = require("ai_edge_litert.interpreter")
    ref = litert.Interpreter(model_path=str(path))
    ref.allocate_tensors()
    it = ours(path)
    rng = np.random.default_rng(7)
    for _ in range(3):
        inputs = [
            rng.uniform(-1, 1, d["shape"]).astype(d["dtype"]) for d in ref.get_input_details()
        ]
        want = run(ref, inputs)
        got = run(it, inputs)
        for g, w in zip(got, want):
            assert g.shape == w.shape
            assert relative_error(g, w) <= TOL
