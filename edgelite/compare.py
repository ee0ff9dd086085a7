"""``edgelite compare A B``: how far apart two models' outputs are on the same inputs.

A and B are .tflite files (run in edgelite's interpreter) or .onnx files (run in onnxruntime),
e.g. a float model and its int8 version, or an ONNX model and its conversion. Both get the same
real-valued inputs; a model with integer I/O quantizes them with its own input parameters and
its outputs are dequantized with its own output parameters, so the errors are in real units.
Inputs are given in A's layout: when B's shape is A's NCHW shape as NHWC (what ``edgelite
convert`` makes of ONNX images), or the reverse, they are transposed for B. Outputs are paired
by position.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edgelite.errors import InvalidModelError, UsageError
from edgelite.quant import metrics

_TO_NHWC = {3: (0, 2, 1), 4: (0, 2, 3, 1), 5: (0, 2, 3, 4, 1)}
_TO_NCHW = {3: (0, 2, 1), 4: (0, 3, 1, 2), 5: (0, 4, 1, 2, 3)}


@dataclass
class Port:
    name: str
    shape: tuple
    dtype: np.dtype
    quant: tuple = None  # (scale, zero_point) when the tensor is integer-quantized


class _TFLite:
    def __init__(self, path: str):
        from edgelite.interpreter import Interpreter

        self.interp = Interpreter(model_path=path)
        self.interp.allocate_tensors()
        self.inputs = [self._port(d) for d in self.interp.get_input_details()]
        self.outputs = [self._port(d) for d in self.interp.get_output_details()]
        self._in = [d["index"] for d in self.interp.get_input_details()]
        self._out = [d["index"] for d in self.interp.get_output_details()]

    @staticmethod
    def _port(d) -> Port:
        scale, zero_point = d["quantization"]
        dtype = np.dtype(d["dtype"])
        quant = (float(scale), int(zero_point)) if scale and dtype.kind in "iu" else None
        return Port(d["name"], tuple(int(s) for s in d["shape"]), dtype, quant)

    def run(self, arrays: list) -> list:
        for index, x in zip(self._in, arrays):
            self.interp.set_tensor(index, x)
        self.interp.invoke()
        return [self.interp.get_tensor(i).copy() for i in self._out]


class _ONNX:
    _TYPES = {
        "tensor(float)": np.float32,
        "tensor(float16)": np.float16,
        "tensor(int64)": np.int64,
        "tensor(int32)": np.int32,
        "tensor(int8)": np.int8,
        "tensor(uint8)": np.uint8,
        "tensor(double)": np.float64,
        "tensor(bool)": np.bool_,
    }

    def __init__(self, path: str):
        try:
            import onnxruntime as ort
        except ImportError:
            raise UsageError(
                f"{path}: running ONNX models needs onnxruntime: pip install onnxruntime"
            ) from None
        self.session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        self.inputs = [self._port(p) for p in self.session.get_inputs()]
        self.outputs = [self._port(p) for p in self.session.get_outputs()]

    def _port(self, p) -> Port:
        shape = tuple(d if isinstance(d, int) and d > 0 else 1 for d in p.shape)
        return Port(p.name, shape, np.dtype(self._TYPES.get(p.type, np.float32)))

    def run(self, arrays: list) -> list:
        feed = {p.name: x for p, x in zip(self.inputs, arrays)}
        return [np.asarray(y) for y in self.session.run(None, feed)]


def open_model(path) -> object:
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such model file")
    if path.suffix.lower() == ".onnx":
        return _ONNX(str(path))
    return _TFLite(str(path))


def align(x: np.ndarray, shape: tuple, what: str) -> np.ndarray:
    """``x`` in ``shape``: as is, NCHW <-> NHWC transposed, or reshaped over unit dims."""
    shape = tuple(shape)
    if x.shape == shape:
        return x
    for perm in (_TO_NHWC.get(x.ndim), _TO_NCHW.get(x.ndim)):
        if perm is not None and len(shape) == x.ndim and x.transpose(perm).shape == shape:
            return x.transpose(perm)
    if x.size == int(np.prod(shape)) and [d for d in x.shape if d != 1] == [
        d for d in shape if d != 1
    ]:
        return x.reshape(shape)
    raise InvalidModelError(f"{what}: shape {list(x.shape)} does not match {list(shape)}")


def to_model(x: np.ndarray, port: Port) -> np.ndarray:
    """Real values as the model's input type (quantized with the port's own params)."""
    if port.quant is not None:
        scale, zero_point = port.quant
        info = np.iinfo(port.dtype)
        q = np.round(x.astype(np.float64) / scale) + zero_point
        return np.clip(q, info.min, info.max).astype(port.dtype)
    return x.astype(port.dtype)


def to_real(y: np.ndarray, port: Port) -> np.ndarray:
    if port.quant is not None:
        scale, zero_point = port.quant
        return scale * (y.astype(np.float64) - zero_point)
    return y.astype(np.float64)


def random_inputs(a, b, rng) -> list:
    """Real inputs in A's shapes: within a quantized input's range (A's or B's), else [-1, 1]."""
    arrays = []
    for pa, pb in zip(a.inputs, b.inputs):
        q = pa.quant or pb.quant
        if np.dtype(pa.dtype).kind in "iu" and q is None:
            info = np.iinfo(pa.dtype)
            x = rng.integers(max(info.min, -128), min(info.max, 127) + 1, pa.shape)
            arrays.append(x.astype(pa.dtype))
            continue
        lo, hi = (-1.0, 1.0) if q is None else (q[0] * (-128 - q[1]), q[0] * (127 - q[1]))
        arrays.append(rng.uniform(lo, hi, pa.shape).astype(np.float32))
    return arrays


def compare(a_path, b_path, input_files=(), samples: int = 4, seed: int = 0) -> dict:
    """Per-output error metrics of B against A (the reference) over the given or random inputs."""
    from edgelite.runner import load_inputs

    a, b = open_model(a_path), open_model(b_path)
    if len(a.inputs) != len(b.inputs) or len(a.outputs) != len(b.outputs):
        raise InvalidModelError(
            f"{a_path} has {len(a.inputs)} inputs / {len(a.outputs)} outputs, {b_path} has "
            f"{len(b.inputs)} / {len(b.outputs)}: they cannot be compared output by output"
        )
    rng = np.random.default_rng(seed)
    if input_files:
        details = [{"name": p.name, "shape": p.shape, "dtype": p.dtype} for p in a.inputs]
        batches = [[np.asarray(x) for x in load_inputs(details, list(input_files))]]
    else:
        batches = [random_inputs(a, b, rng) for _ in range(samples)]
    refs = [[] for _ in a.outputs]
    tests = [[] for _ in a.outputs]
    for arrays in batches:
        xa = [to_model(align(x, p.shape, f"input {p.name}"), p) for x, p in zip(arrays, a.inputs)]
        xb = [to_model(align(x, p.shape, f"input {p.name}"), p) for x, p in zip(arrays, b.inputs)]
        for i, (ya, yb) in enumerate(zip(a.run(xa), b.run(xb))):
            ra = to_real(ya, a.outputs[i])
            rb = align(to_real(yb, b.outputs[i]), ra.shape, f"output {b.outputs[i].name}")
            refs[i].append(ra)
            tests[i].append(rb)
    outputs = []
    for i, (pa, pb) in enumerate(zip(a.outputs, b.outputs)):
        ref, test = np.stack(refs[i]), np.stack(tests[i])
        outputs.append(
            {
                "name": pa.name,
                "name_b": pb.name,
                "shape": list(pa.shape),
                "max_abs_error": metrics.max_abs_error(ref, test),
                "mean_abs_error": float(np.abs(ref - test).mean()) if ref.size else 0.0,
                "sqnr_db": metrics.sqnr_db(ref, test),
                "cosine": metrics.cosine(ref, test),
                "ref_abs_max": float(np.abs(ref).max(initial=0.0)),
            }
        )
    return {
        "a": str(a_path),
        "b": str(b_path),
        "samples": len(batches),
        "inputs": "given" if input_files else f"random (seed {seed})",
        "outputs": outputs,
    }


def jsonable(r: dict) -> dict:
    """``r`` with infinite SQNR (identical outputs) as the strings "inf" / "-inf": strict JSON
    has no infinity."""
    outputs = [
        {k: (str(v) if isinstance(v, float) and np.isinf(v) else v) for k, v in o.items()}
        for o in r["outputs"]
    ]
    return {**r, "outputs": outputs}


def format_comparison(r: dict) -> str:
    lines = [
        f"A (reference): {r['a']}",
        f"B:             {r['b']}",
        f"{r['samples']} sample(s), {r['inputs']} inputs",
        f"  {'output':24s} {'max abs err':>12s} {'mean abs err':>12s} {'SQNR dB':>8s} "
        f"{'cosine':>9s} {'|A| max':>9s}",
    ]
    for o in r["outputs"]:
        name = o["name"] if o["name"] == o["name_b"] else f"{o['name']} / {o['name_b']}"
        lines.append(
            f"  {name[:24]:24s} {o['max_abs_error']:12.4g} {o['mean_abs_error']:12.4g} "
            f"{o['sqnr_db']:8.2f} {o['cosine']:9.6f} {o['ref_abs_max']:9.4g}"
        )
    return "\n".join(lines)
