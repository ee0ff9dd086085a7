"""``edgelite demo``: the whole path on a bundled model, offline, in a second or two.

The digits CNN that ships with the samples (ONNX, trained on scikit-learn's 8x8 digits) is
converted to a float .tflite, quantized to full int8 with its 100 bundled calibration images,
and both files classify the 300 bundled held-out images in edgelite's interpreter. The report:
file sizes, accuracy before and after quantization, latency per image and activation arena.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import numpy as np

from edgelite.errors import UnsupportedOpError

INSTALL_HINT = (
    "edgelite demo converts an ONNX model and needs the onnx package: "
    "pip install 'edgelite[convert]'"
)


def onnx_available() -> bool:
    return importlib.util.find_spec("onnx") is not None


def _as_input(x: np.ndarray, detail: dict) -> np.ndarray:
    if np.dtype(detail["dtype"]).kind == "f":
        return x.astype(detail["dtype"])
    scale, zero_point = detail["quantization"]
    info = np.iinfo(detail["dtype"])
    return np.clip(np.round(x / scale) + zero_point, info.min, info.max).astype(detail["dtype"])


def evaluate(model: bytes, images: np.ndarray, labels: np.ndarray, timed: int = 100) -> dict:
    """Accuracy, median invoke latency and arena bytes of a classifier in our interpreter."""
    from edgelite.interpreter import Interpreter

    interp = Interpreter(model_content=model)
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    hits, times = 0, []
    for i, (x, y) in enumerate(zip(images, labels)):
        interp.set_tensor(inp["index"], _as_input(x[None], inp))
        start = time.perf_counter()
        interp.invoke()
        if i < timed:
            times.append((time.perf_counter() - start) * 1e3)
        hits += int(np.argmax(interp.get_tensor(out["index"])) == y)
    return {
        "bytes": len(model),
        "accuracy": hits / len(labels),
        "latency_ms": float(np.median(times)),
        "arena_bytes": int(interp.arena_bytes),
    }


def run_demo(out_dir=None) -> dict:
    """Convert, quantize and evaluate the bundled digits model; ``out_dir`` keeps the files."""
    import edgelite
    from edgelite.samples import digits_files

    files = digits_files()
    t_import = time.perf_counter()
    import onnx  # noqa: F401  (its import, ~0.7 s, is not the conversion's time)

    t0 = time.perf_counter()
    converted = edgelite.convert(str(files["onnx"]))
    t1 = time.perf_counter()
    quantized = edgelite.quantize(converted.model, str(files["calibration"]), mode="int8")
    t2 = time.perf_counter()
    with np.load(files["test"]) as z:
        images, labels = z["images"], z["labels"]
    report = {
        "model": files["onnx"].name,
        "onnx_bytes": files["onnx"].stat().st_size,
        "convert_ms": (t1 - t0) * 1e3,
        "onnx_import_ms": (t0 - t_import) * 1e3,
        "quantize_ms": (t2 - t1) * 1e3,
        "test_images": int(len(labels)),
        "float": evaluate(converted.model, images, labels),
    }
    try:
        report["int8"] = evaluate(quantized.model, images, labels)
    except UnsupportedOpError as e:  # while int8 kernels are missing from the interpreter
        report["int8"] = {"bytes": len(quantized.model), "error": str(e).splitlines()[0]}
    if out_dir is not None:
        from edgelite.schemas.model import write_atomic

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / "digits_float.tflite", converted.model)
        write_atomic(out / "digits_int8.tflite", quantized.model)
        report["written"] = [str(out / "digits_float.tflite"), str(out / "digits_int8.tflite")]
    return report


def format_report(r: dict) -> str:
    lines = [
        f"edgelite demo: {r['model']} (a small CNN for 8x8 handwritten digits), "
        f"{r['test_images']} held-out test images",
        f"  convert ONNX -> .tflite   {r['convert_ms']:7.1f} ms  "
        f"(and {r['onnx_import_ms']:.0f} ms importing the onnx package)",
        f"  quantize to int8          {r['quantize_ms']:7.1f} ms  (100 calibration images)",
        "",
        f"  {'model':8s} {'size':>10s} {'accuracy':>9s} {'latency':>10s} {'arena':>10s}",
        f"  {'onnx':8s} {r['onnx_bytes'] / 1024:8.1f} KiB",
    ]
    for kind in ("float", "int8"):
        m = r[kind]
        if "error" in m:
            lines.append(f"  {kind:8s} {m['bytes'] / 1024:8.1f} KiB  not run here: {m['error']}")
            continue
        lines.append(
            f"  {kind:8s} {m['bytes'] / 1024:8.1f} KiB {100 * m['accuracy']:8.2f}% "
            f"{m['latency_ms']:7.3f} ms {m['arena_bytes'] / 1024:6.1f} KiB"
        )
    f, q = r["float"], r["int8"]
    summary = f"  int8 is {f['bytes'] / q['bytes']:.2f}x smaller than float"
    if "accuracy" in q:
        summary += f", accuracy {100 * (q['accuracy'] - f['accuracy']) + 0.0:+.2f} points"
    lines += ["", summary]
    for path in r.get("written", []):
        lines.append(f"  wrote {path}")
    lines += [
        "",
        "next: edgelite inspect / run / bench on the .tflite files (--out DIR keeps them),",
        "      edgelite compare float.tflite int8.tflite, edgelite export-c int8.tflite -o src",
    ]
    return "\n".join(lines)
