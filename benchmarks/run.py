"""Latency of edgelite's interpreter beside LiteRT's, in one run: ``python benchmarks/run.py``.

For each model: median (and fastest) invoke time over N runs after warm-up, ours and LiteRT's
(default resolver), and the ratio ours / LiteRT of each. ``--threads N`` gives both
interpreters N threads; by default each keeps its own (numpy's BLAS uses every core, LiteRT
one thread). The target ratios are in the issues (MobileNetV2 1.0 224 float within 4x, int8
within 5x and within 1.5x of our own float run; the sine model under 50 us). On a shared or
busy machine the medians swing; the fastest runs are steadier.
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
    return statistics.median(times), min(times)


def fmt(seconds):
    return f"{seconds * 1e3:9.3f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:9.1f} us"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="*", default=DEFAULT, help="model names (file stems)")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument(
        "--threads",
        type=int,
        default=None,
        help="num_threads for both interpreters (default: each one's own default)",
    )
    args = ap.parse_args(argv)

    from edgelite.interpreter import Interpreter

    try:
        from ai_edge_litert.interpreter import Interpreter as LiteRT
    except ImportError:
        LiteRT = None
        print("ai_edge_litert not installed: printing edgelite times only", file=sys.stderr)

    print(f"threads: edgelite {args.threads or 'default (BLAS: all cores)'}, "
          f"LiteRT {args.threads or 'default (1)'}")  # fmt: skip
    print(f"{'model':34} {'edgelite':>12} {'LiteRT':>12} {'ratio':>7}   {'fastest runs':>32}")
    ours_by_name = {}
    for name in args.models:
        path = find(name)
        runs = args.runs if path.stat().st_size > 100_000 else args.runs * 100
        ours = time_interpreter(
            lambda p: Interpreter(model_path=p, num_threads=args.threads), path, runs, args.warmup
        )
        ours_by_name[name] = ours
        if LiteRT is None:
            print(f"{name:34} {fmt(ours[0]):>12}   {fmt(ours[1]):>12}")
            continue
        theirs = time_interpreter(
            lambda p: LiteRT(model_path=p, num_threads=args.threads), path, runs, args.warmup
        )
        print(
            f"{name:34} {fmt(ours[0]):>12} {fmt(theirs[0]):>12} {ours[0] / theirs[0]:6.2f}x   "
            f"{fmt(ours[1]):>12} {fmt(theirs[1]):>12} {ours[1] / theirs[1]:6.2f}x"
        )
    print_against_float(ours_by_name)


def print_against_float(ours_by_name: dict) -> None:
    """Each quantized variant's time over our own float run of the same model."""
    for name, ours in ours_by_name.items():
        base, _, variant = name.rpartition("__")
        float_run = ours_by_name.get(f"{base}__float")
        if variant in ("int8", "int16x8", "dynamic", "fp16") and float_run:
            print(
                f"{name:34} {ours[0] / float_run[0]:5.2f}x our float run "
                f"(fastest runs {ours[1] / float_run[1]:.2f}x)"
            )


if __name__ == "__main__":
    main()
