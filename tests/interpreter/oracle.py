"""Helpers to run oracle models through our interpreter and compare with LiteRT's outputs."""

from __future__ import annotations

import numpy as np

from edgelite.interpreter import Interpreter


def samples(expected, k: int):
    """Inputs of sample ``k`` from an ``*.expected.npz``, in input order."""
    n = sum(1 for key in expected.files if key.startswith("input_") and key.endswith(f"_{k}"))
    return [expected[f"input_{i}_{k}"] for i in range(n)]


def run(interp, inputs):
    for d, x in zip(interp.get_input_details(), inputs):
        interp.set_tensor(d["index"], x)
    interp.invoke()
    return [interp.get_tensor(d["index"]) for d in interp.get_output_details()]


def relative_error(got, ref) -> float:
    """Max abs difference scaled by the reference output's range (as the issue defines it)."""
    got, ref = np.asarray(got, np.float64), np.asarray(ref, np.float64)
    if ref.size == 0:
        return 0.0
    scale = float(ref.max() - ref.min()) or float(np.abs(ref).max())
    return float(np.abs(got - ref).max(initial=0)) / (scale or 1.0)


def ours(path, **kw):
    it = Interpreter(model_path=str(path), **kw)
    it.allocate_tensors()
    return it
