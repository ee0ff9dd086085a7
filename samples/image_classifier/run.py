"""Digits classifier, ONNX -> float .tflite -> int8 .tflite, with accuracy, size and latency.

    python samples/image_classifier/run.py            # full run, files in a temporary folder
    python samples/image_classifier/run.py --fast     # fewer timed invokes (CI)
    python samples/image_classifier/run.py --out build/digits --json
    python samples/image_classifier/run.py --out samples/models   # refresh the bundled .tflite

Uses numpy and edgelite only. The model is a small CNN trained on scikit-learn's 8x8 ``digits``
images by ``train.py`` (which needs torch; its outputs are committed here): the ONNX file, 100
calibration images and 300 held-out test images with labels.

Steps: convert the ONNX model (``edgelite.convert``), quantize it to full int8 with the
calibration images (``edgelite.quantize``), then classify the test images with both .tflite files
in edgelite's interpreter. Should our interpreter lack an int8 kernel, the int8 model runs in
LiteRT instead (``ai_edge_litert``), and the script says so.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import edgelite
from edgelite.errors import UnsupportedOpError
from edgelite.interpreter import Interpreter

HERE = Path(__file__).resolve().parent
ONNX = HERE / "digits_cnn.onnx"
CALIBRATION = HERE / "digits_calibration.npz"
TEST = HERE / "digits_test.npz"


def make_interpreter(path: Path):
    """(interpreter, runtime name): ours, or LiteRT when ours lacks a kernel the model needs."""
    try:
        return Interpreter(model_path=str(path)), "edgelite"
    except UnsupportedOpError as e:
        try:
            from ai_edge_litert.interpreter import Interpreter as LiteRT
        except ImportError:
            raise e from None
        print(f"note: {path.name}: {str(e).splitlines()[0]} -> running it in LiteRT instead")
        return LiteRT(model_path=str(path)), "litert"


def to_input(x: np.ndarray, detail: dict) -> np.ndarray:
    """A float image as the model's input type (quantized when the input is int8)."""
    if detail["dtype"] == np.float32:
        return x.astype(np.float32)
    scale, zero_point = detail["quantization"]
    info = np.iinfo(detail["dtype"])
    q = np.round(x / scale) + zero_point
    return np.clip(q, info.min, info.max).astype(detail["dtype"])


def evaluate(path: Path, images: np.ndarray, labels: np.ndarray, timed: int) -> dict:
    interp, runtime = make_interpreter(path)
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    correct, times = 0, []
    for i, (image, label) in enumerate(zip(images, labels)):
        interp.set_tensor(inp["index"], to_input(image[None], inp))
        start = time.perf_counter()
        interp.invoke()
        if i < timed:
            times.append((time.perf_counter() - start) * 1e3)
        correct += int(np.argmax(interp.get_tensor(out["index"])) == label)
    return {
        "runtime": runtime,
        "bytes": path.stat().st_size,
        "accuracy": correct / len(labels),
        "latency_ms": float(np.median(times)),
        "arena_bytes": getattr(interp, "arena_bytes", None),
    }


def run(out_dir: Path, fast: bool = False) -> dict:
    float_path, int8_path = out_dir / "digits_float.tflite", out_dir / "digits_int8.tflite"
    edgelite.convert(str(ONNX), str(float_path), overwrite=True)
    edgelite.quantize(
        str(float_path), str(CALIBRATION), mode="int8", output=str(int8_path), overwrite=True
    )
    with np.load(TEST) as z:
        images, labels = z["images"], z["labels"]
    timed = 20 if fast else len(labels)
    report = {
        "float": evaluate(float_path, images, labels, timed),
        "int8": evaluate(int8_path, images, labels, timed),
        "test_images": len(labels),
    }
    report["size_ratio"] = report["float"]["bytes"] / report["int8"]["bytes"]
    report["accuracy_drop_points"] = 100 * (
        report["float"]["accuracy"] - report["int8"]["accuracy"]
    )
    return report


def print_report(r: dict) -> None:
    print(f"digits CNN on {r['test_images']} held-out 8x8 images")
    for kind in ("float", "int8"):
        m = r[kind]
        arena = "" if m["arena_bytes"] is None else f", arena {m['arena_bytes'] / 1024:.1f} KiB"
        print(
            f"  {kind:5s}  {m['bytes'] / 1024:7.1f} KiB  accuracy {100 * m['accuracy']:.2f}%  "
            f"latency {m['latency_ms']:.3f} ms ({m['runtime']}){arena}"
        )
    print(
        f"  int8 is {r['size_ratio']:.2f}x smaller; accuracy change "
        f"{0.0 - r['accuracy_drop_points']:+.2f} points"
    )


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="Fewer timed invokes (for CI).")
    parser.add_argument("--out", type=Path, help="Keep the .tflite files in this folder.")
    parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
    args = parser.parse_args(argv)
    if args.out is None:
        with tempfile.TemporaryDirectory() as tmp:
            report = run(Path(tmp), fast=args.fast)
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        report = run(args.out, fast=args.fast)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return report


if __name__ == "__main__":
    r = main()
    # the targets: int8 within 1 accuracy point of float, and >= 3.5x smaller
    sys.exit(0 if r["accuracy_drop_points"] <= 1.0 and r["size_ratio"] >= 3.5 else 1)
