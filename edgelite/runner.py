"""Run a model once or many times on given or random inputs, with timings (``edgelite run``)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from edgelite.errors import UsageError
from edgelite.interpreter import Interpreter


def random_input(detail: dict, rng) -> np.ndarray:
    """A random tensor for an input (from ``get_input_details``); see ``random_array``."""
    return random_array(tuple(int(d) for d in detail["shape"]), detail["dtype"], rng)


def random_array(shape, dtype, rng) -> np.ndarray:
    """Floats in [-1, 1], booleans, or integers over the dtype's range clipped to int8's."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return rng.uniform(-1, 1, shape).astype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -128), min(info.max, 127) + 1, shape).astype(dtype)


def load_inputs(details: list, files: list) -> list:
    """Arrays for the model's inputs from ``.npy``/``.npz`` files (``name=path`` to pick one).

    One ``.npz`` may hold every input, keyed by input name or ``input_<i>``; ``.npy`` files
    are taken in input order unless named.
    """
    by_name = {}
    ordered = []
    for spec in files:
        name, _, path = spec.rpartition("=") if "=" in spec else ("", "", spec)
        path = Path(path)
        if not path.is_file():
            raise UsageError(f"input file {path} does not exist")
        if path.suffix == ".npz":
            with np.load(path) as z:
                by_name.update({k: z[k] for k in z.files})
        elif name:
            by_name[name] = np.load(path)
        else:
            ordered.append(np.load(path))
    arrays = []
    for i, d in enumerate(details):
        for key in (d["name"], f"input_{i}", d["name"].split(":")[0]):
            if key in by_name:
                arrays.append(by_name[key])
                break
        else:
            if not ordered:
                raise UsageError(
                    f"no data given for input {i} '{d['name']}' "
                    f"(expects {[int(v) for v in d['shape']]} {np.dtype(d['dtype']).name})"
                )
            arrays.append(ordered.pop(0))
    return arrays


def _fit(x: np.ndarray, detail: dict) -> np.ndarray:
    dtype = np.dtype(detail["dtype"])
    if x.dtype != dtype:
        if x.dtype.kind == "f" and dtype.kind in "iu":
            raise UsageError(
                f"input '{detail['name']}' is {dtype.name}; got {x.dtype.name} "
                "data (quantize it first)"
            )
        x = x.astype(dtype)
    return x


def run_model(
    path, input_files=(), repeat: int = 1, warmup: int = 1, seed: int = 0, num_threads: int = None
) -> dict:
    """Load, allocate and invoke; returns inputs, outputs and timings in milliseconds."""
    t0 = time.perf_counter()
    interp = Interpreter(model_path=str(path), num_threads=num_threads)
    t1 = time.perf_counter()
    details = interp.get_input_details()
    if input_files:
        inputs = [_fit(x, d) for x, d in zip(load_inputs(details, list(input_files)), details)]
        resized = False
        for x, d in zip(inputs, details):
            if tuple(x.shape) != tuple(d["shape"]):
                if x.ndim != len(d["shape"]):  # same rank: a new batch or size, resized to
                    raise UsageError(
                        f"input '{d['name']}' expects shape {[int(v) for v in d['shape']]}; "
                        f"the data given has shape {list(x.shape)}"
                    )
                interp.resize_tensor_input(d["index"], x.shape)
                resized = True
        if resized:
            details = interp.get_input_details()
    else:
        rng = np.random.default_rng(seed)
        inputs = [random_input(d, rng) for d in details]
    interp.allocate_tensors()
    t2 = time.perf_counter()
    times = []
    for i in range(max(repeat, 1) + max(warmup, 0)):
        for x, d in zip(inputs, interp.get_input_details()):
            interp.set_tensor(d["index"], x)
        s = time.perf_counter()
        interp.invoke()
        if i >= warmup:
            times.append((time.perf_counter() - s) * 1e3)
    outs = interp.get_output_details()
    return {
        "model": str(path),
        "inputs": [(d["name"], x) for d, x in zip(interp.get_input_details(), inputs)],
        "outputs": [(d["name"], interp.get_tensor(d["index"])) for d in outs],
        "load_ms": (t1 - t0) * 1e3,
        "allocate_ms": (t2 - t1) * 1e3,
        "invoke_ms": times,
        "arena_bytes": interp.arena_bytes,
    }
