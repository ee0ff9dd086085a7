"""Our int8 quantizer against TensorFlow's on every oracle model with an int8 file.

Both calibrate on the same ``<m>.inputs.npz``; on the held-out inputs of
``<m>__float.expected.npz`` each int8 model's dequantized outputs are compared with the float
model's (all in LiteRT's reference kernels). Ours (MSE-chosen ranges) must be within 0.5 dB of
TensorFlow's SQNR on every model and better on average, in a file at most 5% larger.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from fixtures_path import ROOT, oracle_dir, require


def _bench():
    spec = importlib.util.spec_from_file_location(
        "quant_vs_tf", ROOT / "benchmarks" / "quant_vs_tf.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rows():
    require("ai_edge_litert")
    bench = _bench()
    names = bench.models(oracle_dir())
    if not names:
        pytest.skip("no int8 oracle models")
    return [bench.compare(n, oracle_dir(), calibration_method="mse") for n in names]


def test_every_model_within_half_a_db_and_no_larger(rows):
    for r in rows:
        assert np.isfinite(r["ours_db"]), r["model"]
        if np.isfinite(r["tf_db"]):
            assert r["ours_db"] >= r["tf_db"] - 0.5, (r["model"], r["ours_db"], r["tf_db"])
        assert r["ours_size"] <= 1.05 * r["tf_size"], r["model"]


def test_better_than_tensorflow_on_average(rows):
    diffs = [r["ours_db"] - r["tf_db"] for r in rows if np.isfinite(r["tf_db"])]
    assert len(diffs) >= 20
    assert np.mean(diffs) > 0.05, np.mean(diffs)


def test_default_minmax_matches_tensorflow():
    """With min/max ranges (the API default) we reproduce TF's accuracy model by model."""
    require("ai_edge_litert")
    bench = _bench()
    for name in ("conv_relu", "attention", "mobilenetv2_035_96", "broadcast_ops"):
        r = bench.compare(name, oracle_dir())
        assert r["ours_db"] >= r["tf_db"] - 0.1, (name, r["ours_db"], r["tf_db"])


def test_int16x8_within_half_a_db_of_tensorflow_and_smaller():
    require("ai_edge_litert")
    bench = _bench()
    diffs = []
    for name in bench.models(oracle_dir(), "int16x8"):
        r = bench.compare(name, oracle_dir(), "int16x8")
        assert r["ours_size"] <= 1.05 * r["tf_size"], name
        if np.isfinite(r["tf_db"]):
            assert r["ours_db"] >= r["tf_db"] - 0.5, (name, r["ours_db"], r["tf_db"])
            diffs.append(r["ours_db"] - r["tf_db"])
    assert diffs and np.mean(diffs) > 0
