"""Calibration speed: ``python benchmarks/calibration.py [model] [--samples N]``.

Calibrates a float model (default MobileNetV2 1.0 224) on N random samples in [-1, 1] with the
default min/max method and with MSE, and times a full ``edgelite.quantize`` (int8, min/max,
bias correction on). Prints seconds for each; the target is under 60 s for min/max on 100
samples.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import find  # noqa: E402  (same model search path as the latency benchmark)

TARGET_MINMAX_S = 60.0


def random_samples(model: Path, n: int, seed: int = 0) -> list:
    from edgelite.interpreter import Interpreter

    rng = np.random.default_rng(seed)
    details = Interpreter(model_path=str(model)).get_input_details()
    return [
        [rng.uniform(-1, 1, d["shape"]).astype(np.dtype(d["dtype"])) for d in details]
        for _ in range(n)
    ]


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - t, result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", nargs="?", default="mobilenetv2_100_224__float")
    ap.add_argument("--samples", type=int, default=100)
    ap.add_argument("--methods", default="minmax,mse", help="comma-separated methods")
    ap.add_argument("--no-quantize", action="store_true", help="skip the full quantize timing")
    args = ap.parse_args(argv)

    import edgelite
    from edgelite.quant.calibrate import calibrate

    path = find(args.model)
    samples = random_samples(path, args.samples)
    print(f"{path.name}: {args.samples} random samples in [-1, 1]")
    for method in args.methods.split(","):
        seconds, ranges = timed(calibrate, path, samples, method)
        note = ""
        if method == "minmax":
            note = "  (target < 60 s: " + ("ok)" if seconds < TARGET_MINMAX_S else "MISSED)")
        print(f"calibrate {method:10} {seconds:8.2f} s  {len(ranges)} tensors{note}")
    if not args.no_quantize:
        seconds, result = timed(edgelite.quantize, str(path), samples, mode="int8")
        print(f"quantize int8 (minmax) {seconds:8.2f} s  {result.float_size} -> {result.size} B")


if __name__ == "__main__":
    main()
