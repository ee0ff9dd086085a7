"""Compare a converted model with its source: the source's own runtime (onnxruntime for ONNX,
LiteRT for .tflite) and our interpreter on the converted bytes, on the same inputs.

Inputs are random (or read from files) in the *source's* layout; 4-D inputs the ONNX importer
turned NHWC are transposed for our side. The error of each output is reported as the largest
absolute difference and that difference relative to the largest reference magnitude.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edgelite.errors import ConversionError
from edgelite.runner import random_array

REL_TOLERANCE = 1e-4
TO_NHWC = (0, 2, 3, 1)


@dataclass
class OutputCheck:
    name: str
    shape: tuple
    max_abs: float
    max_rel: float
    ok: bool

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "shape": list(self.shape),
            "max_abs_error": self.max_abs,
            "max_rel_error": self.max_rel,
            "ok": self.ok,
        }


def compare(name, want, got, tolerance=REL_TOLERANCE) -> OutputCheck:
    want, got = np.asarray(want), np.asarray(got)
    if want.shape != got.shape:
        return OutputCheck(name, got.shape, float("inf"), float("inf"), False)
    if want.size == 0:
        return OutputCheck(name, got.shape, 0.0, 0.0, True)
    w, g = want.astype(np.float64), got.astype(np.float64)
    diff = np.abs(w - g)
    both_nan = np.isnan(w) & np.isnan(g)
    diff[both_nan] = 0.0
    max_abs = float(np.nanmax(np.where(np.isnan(diff), np.inf, diff)))
    scale = float(np.max(np.abs(w[np.isfinite(w)]), initial=0.0))
    max_rel = max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else float("inf"))
    return OutputCheck(name, got.shape, max_abs, max_rel, bool(max_rel <= tolerance))


def _fits(declared, shape) -> bool:
    return len(declared) == len(shape) and all(
        d is None or d < 0 or d == s for d, s in zip(declared, shape)
    )


def _our_side(ours, source_shape, keep_layout):
    """The transpose (or None) taking a source-layout input to our input's layout: the ONNX
    importer makes every 4-D input NHWC unless asked to keep the layout."""
    perm = TO_NHWC if len(ours) == 4 and not keep_layout else None
    moved = source_shape if perm is None else [source_shape[i] for i in perm]
    if not _fits(moved, ours):
        raise ConversionError(
            f"cannot match source input shape {list(source_shape)} with converted {list(ours)}"
        )
    return perm


def _ours(content: bytes):
    from edgelite.errors import UnsupportedOpError
    from edgelite.interpreter import Interpreter

    try:
        return Interpreter(model_content=content)
    except UnsupportedOpError as e:
        raise UnsupportedOpError(
            f"--check cannot run the converted model in edgelite's interpreter: {e}"
        ) from e


def _run(interp, arrays):
    details = interp.get_input_details()
    for d, x in zip(details, arrays):
        if tuple(d["shape"]) != x.shape:
            interp.resize_tensor_input(d["index"], x.shape)
    interp.allocate_tensors()
    for d, x in zip(details, arrays):
        interp.set_tensor(d["index"], x.astype(d["dtype"]))
    interp.invoke()
    return [(d["name"], interp.get_tensor(d["index"]).copy()) for d in interp.get_output_details()]


def _static(shape):
    return tuple(int(d) if d is not None and d >= 0 else 1 for d in shape)


def check_tflite(source, content: bytes, input_files=(), seed: int = 0) -> list:
    """LiteRT on the source .tflite vs our interpreter on ``content``."""
    from edgelite.runner import load_inputs

    try:
        from ai_edge_litert.interpreter import Interpreter as LiteRT
    except ImportError as e:
        raise ConversionError(
            "--check on .tflite needs ai-edge-litert (pip install ai-edge-litert)"
        ) from e
    src = LiteRT(
        model_content=bytes(source) if not isinstance(source, str) else None,
        model_path=source if isinstance(source, str) else None,
    )
    ours = _ours(content)
    details = [
        {**d, "shape": _static(d.get("shape_signature", d["shape"]))}
        for d in src.get_input_details()
    ]
    rng = np.random.default_rng(seed)
    if input_files:
        arrays = load_inputs(details, list(input_files))
    else:
        arrays = [random_array(d["shape"], d["dtype"], rng) for d in details]
    want, got = _run(src, arrays), _run(ours, arrays)
    return [compare(n, w, g) for (n, w), (_, g) in zip(want, got)]


def check_onnx(
    source, content: bytes, input_shapes=None, keep_layout=False, input_files=(), seed: int = 0
) -> list:
    """onnxruntime on the source .onnx vs our interpreter on ``content``."""
    from edgelite.runner import load_inputs

    try:
        import onnxruntime as ort
    except ImportError as e:
        raise ConversionError("--check on ONNX needs onnxruntime (pip install onnxruntime)") from e
    src = ort.InferenceSession(
        source if isinstance(source, str) else bytes(source), providers=["CPUExecutionProvider"]
    )
    ours = _ours(content)
    our_details = ours.get_input_details()
    if len(our_details) != len(src.get_inputs()):
        raise ConversionError("the converted model has a different number of inputs")
    shapes = dict(input_shapes or {})
    source_details, perms = [], []
    for s, o in zip(src.get_inputs(), our_details):
        declared = [d if isinstance(d, int) else None for d in s.shape]
        perm = _our_side(tuple(o["shape"]), declared, keep_layout)
        perms.append(perm)
        ours_static = _static(o["shape"])
        source_shape = shapes.get(s.name) or (
            [ours_static[perm.index(i)] for i in range(4)] if perm else ours_static
        )
        dtype = _ORT_TYPES.get(s.type, np.float32)
        source_details.append({"name": s.name, "shape": tuple(source_shape), "dtype": dtype})
    rng = np.random.default_rng(seed)
    if input_files:
        arrays = load_inputs(source_details, list(input_files))
    else:
        arrays = [random_array(d["shape"], d["dtype"], rng) for d in source_details]
    feeds = {d["name"]: x.astype(d["dtype"]) for d, x in zip(source_details, arrays)}
    want = src.run(None, feeds)
    mine = [x if p is None else np.transpose(x, p) for x, p in zip(arrays, perms)]
    got = _run(ours, mine)
    names = [o.name for o in src.get_outputs()]
    return [compare(n, w, g) for n, w, (_, g) in zip(names, want, got)]


_ORT_TYPES = {
    "tensor(float)": np.float32,
    "tensor(float16)": np.float16,
    "tensor(double)": np.float64,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(int8)": np.int8,
    "tensor(uint8)": np.uint8,
    "tensor(bool)": np.bool_,
}
