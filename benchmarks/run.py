"""Latency of edgelite's interpreter beside LiteRT's, in one run: ``python benchmarks/run.py``.

For each model: median invoke time over N runs after warm-up, ours and LiteRT's (default
resolver, and the reference resolver where asked), and the ratio ours / LiteRT. The target
ratios are in the issues (MobileNetV2 1.0 224 float within 4x; the sine model under 50 us).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SEARCH = [
    ROOT.parent / "shared" / "oracle",
    ROOT.parent / "shared" / "models",
    ROOT / "tests" / "fixtures" / "oracle",
    ROOT / "samples" / "models",
]
DEFAULT = [
    "mobilenetv2_100_224__float",
    "mobilenetv2_100_224__fp16",
    "mobilenetv2_100_224__int8",
    "mobilenetv2_100_224__dynamic",
    "mobilenetv2_035_96__float",
    "mobilenetv2_035_96__int8",
    "sine_float",
    "face_detection_short_range",
]


def find(name: str) -> Path:
    for base in SEARCH:
        p = base / f"{name}.tflite"
        if p.is_file():
            return p
    raise SystemExit(f"model {name} not found in {', '.join(map(str, SEARCH))}")


def inputs_for(details, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for d in details:
        dt = np.dtype(d["dtype"])
        if dt.kind == "f":
            out.append(rng.uniform(-1, 1, d["shape"]).astype(dt))
        else:
            out.append(rng.integers(-128, 128, d["shape"]).astype(dt))
    return out


def time_interpreter(make, path, runs, warmup):
    it = make(str(path))
    it.allocate_tensors()
    xs = inputs_for(it.get_input_details())
    for x, d in zip(xs, it.get_input_details()):
        it.set_tensor(d["index"], x)
    for _ in range(warmup):
        it.invoke()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        it.invoke()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def fmt(seconds):
    return f"{seconds * 1e3:9.3f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:9.1f} us"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="*", default=DEFAULT, help="model names (file stems)")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None, help="LiteRT num_threads")
    args = ap.parse_args(argv)

    from edgelite.interpreter import Interpreter

    try:
        from ai_edge_litert.interpreter import Interpreter as LiteRT
    except ImportError:
        LiteRT = None
        print("ai_edge_litert not installed: printing edgelite times only", file=sys.stderr)

    print(f"{'model':34} {'edgelite':>12} {'LiteRT':>12} {'ratio':>7}")
    for name in args.models:
        path = find(name)
        runs = args.runs if path.stat().st_size > 100_000 else args.runs * 100
        ours = time_interpreter(lambda p: Interpreter(model_path=p), path, runs, args.warmup)
        if LiteRT is None:
            print(f"{name:34} {fmt(ours):>12}")
            continue
        theirs = time_interpreter(
            lambda p: LiteRT(model_path=p, num_threads=args.threads), path, runs, args.warmup
        )
        print(f"{name:34} {fmt(ours):>12} {fmt(theirs):>12} {ours / theirs:6.2f}x")


if __name__ == "__main__":
    main()
