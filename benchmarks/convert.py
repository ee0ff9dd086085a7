"""Conversion speed and output size: ``python benchmarks/convert.py``.

- ONNX -> .tflite time for the MobileNetV2-style fixture (target: under 3 s here);
- a .tflite -> IR -> passes -> .tflite round trip of TensorFlow's MobileNetV2 1.0 224 float
  file, with our output's size beside TensorFlow's (target: within 1%).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ONNX = ROOT / "tests" / "fixtures" / "onnx"
ORACLE = [ROOT.parent / "shared" / "oracle", ROOT / "tests" / "fixtures" / "oracle"]


def find_oracle(name: str) -> Path:
    for base in ORACLE:
        if (base / name).is_file():
            return base / name
    raise SystemExit(f"{name} not found in {', '.join(map(str, ORACLE))}")


def timed(fn, repeat: int = 3):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    import edgelite

    rows = []
    for name in ("mobilenet_v2_tiny.onnx", "resnet18_tiny.onnx", "transformer_tiny.onnx"):
        path = ONNX / name
        seconds, res = timed(lambda p=path: edgelite.convert(p))
        rows.append((f"{name} -> .tflite", seconds, len(res.model), path.stat().st_size, "onnx"))
    tf_file = find_oracle("mobilenetv2_100_224__float.tflite")
    seconds, res = timed(lambda: edgelite.convert(tf_file))
    rows.append(
        (
            "mobilenetv2_100_224 round trip",
            seconds,
            len(res.model),
            tf_file.stat().st_size,
            "TensorFlow",
        )
    )
    print(f"{'conversion':40} {'time':>8} {'ours':>12} {'source':>12}  size vs")
    for label, sec, ours, src, kind in rows:
        ratio = f"{ours / src:7.2%} of {kind}'s file"
        print(f"{label:40} {sec:7.2f}s {ours:12,d} {src:12,d}  {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
