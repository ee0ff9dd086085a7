"""Calibration: run the float model in our interpreter and observe every float tensor.

Min/max needs one pass over the samples. The histogram methods (percentile, MSE, entropy) take
a second pass with each tensor's histogram spanning the min/max of the first.
"""

from __future__ import annotations

import numpy as np

from edgelite.errors import QuantizationError
from edgelite.interpreter import Interpreter
from edgelite.quant.observers import METHODS, Histogram, MinMax


def _float_tensors(interp) -> list:
    """(index, name) of every non-constant float32 tensor of the main subgraph."""
    runtime = interp._main
    return [
        (i, t.name)
        for i, t in enumerate(runtime.sg.tensors)
        if t.dtype == np.float32 and runtime.infos[i].data is None
    ]


def _feed(interp, sample) -> None:
    for d, x in zip(interp.get_input_details(), sample):
        interp.set_tensor(d["index"], x)
    interp.invoke()


def _interpreter(model):
    kw = (
        {"model_content": model}
        if isinstance(model, (bytes, bytearray))
        else {"model_path": str(model)}
    )
    interp = Interpreter(experimental_preserve_all_tensors=True, **kw)
    interp.allocate_tensors()
    return interp


def channel_means(model, samples: list, names) -> dict:
    """Tensor name -> its mean over every axis but the last (the channels), over ``samples``,
    for the named float tensors (what bias correction needs)."""
    interp = _interpreter(model)
    wanted = [(i, n) for i, n in _float_tensors(interp) if n in set(names)]
    values, sums = interp._main.values, {}
    for sample in samples:
        _feed(interp, sample)
        for i, n in wanted:
            v = np.asarray(values[i], np.float64)
            if v.ndim and v.size:
                sums[n] = sums.get(n, 0.0) + v.reshape(-1, v.shape[-1]).mean(axis=0)
    return {n: s / len(samples) for n, s in sums.items()}


def calibrate(model, samples: list, method: str = "minmax", progress=None, levels=255) -> dict:
    """Tensor name -> (lo, hi) over ``samples`` (lists of input arrays) for a float model.

    ``model`` is .tflite bytes or a path; ``progress(done, total)`` is called after each sample.
    ``levels``: the quantization grid the MSE method optimizes for (65535 for int16).
    """
    if method not in METHODS:
        raise QuantizationError(f"unknown calibration method {method!r}; use one of {METHODS}")
    if not samples:
        raise QuantizationError("calibration needs at least one sample")
    interp = _interpreter(model)
    tensors = _float_tensors(interp)
    values = interp._main.values
    passes = 1 if method == "minmax" else 2
    total = passes * len(samples)
    minmax = {i: MinMax() for i, _ in tensors}
    for k, sample in enumerate(samples):
        _feed(interp, sample)
        for i, _ in tensors:
            minmax[i].observe(values[i])
        if progress:
            progress(k + 1, total)
    # a tensor that took inf or NaN has no quantized range (UNBOUNDED): the planner refuses
    # it unless its ops stay float (excluded)
    if method == "minmax":
        return {name: minmax[i].range() for i, name in tensors}
    hists = {i: Histogram(*minmax[i].range()) for i, _ in tensors if minmax[i].finite}
    for k, sample in enumerate(samples):
        _feed(interp, sample)
        for i in hists:
            hists[i].observe(values[i])
        if progress:
            progress(len(samples) + k + 1, total)
    return {
        name: _within(hists[i].range(method, levels), minmax[i].range())
        if i in hists else minmax[i].range()
        for i, name in tensors
    }  # fmt: skip


def _within(chosen: tuple, seen: tuple) -> tuple:
    """A chosen clipping range never goes past what was observed."""
    return max(chosen[0], seen[0]), min(chosen[1], seen[1])
