"""Latency of edgelite's interpreter beside LiteRT's, in one run: ``python benchmarks/run.py``.

For each model: median (and fastest) invoke time over N runs after warm-up, ours and LiteRT's
(default resolver), and the ratio ours / LiteRT. The interpreters take turns in rounds of a
few invokes each (a quantized variant's rounds include our float run of the same model when
it is listed), each turn starting with an untimed invoke so its data is back in cache, and
each ratio is the median over rounds: on a shared machine whose speed drifts, interpreters
timed one after the other see different machines. ``--threads N``
gives both interpreters N threads; by default each keeps its own (numpy's BLAS uses every
core, LiteRT one thread). The target ratios are in the issues (MobileNetV2 1.0 224 float
within 4x, int8 within 5x and within 1.5x of our own float run; the sine model under 50 us).
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
    "dense_mlp__int8",
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


def prepared(make, path, warmup):
    """An interpreter for ``path`` with inputs set and ``warmup`` invokes done."""
    it = make(str(path))
    it.allocate_tensors()
    for x, d in zip(inputs_for(it.get_input_details()), it.get_input_details()):
        it.set_tensor(d["index"], x)
    for _ in range(warmup):
        it.invoke()
    return it


def interleaved(interpreters, runs, block=5):
    """Invoke times (seconds) of each interpreter, in rounds: each takes its turn of
    ``block`` timed invokes after one untimed one (so each runs with its own data in cache,
    as it would alone). Returns, per interpreter, one list of times per round."""
    times = [[] for _ in interpreters]
    for _ in range(-(-runs // block)):
        for it, rounds in zip(interpreters, times):
            it.invoke()
            turn = []
            for _ in range(block):
                t = time.perf_counter()
                it.invoke()
                turn.append(time.perf_counter() - t)
            rounds.append(turn)
    return times


def ratio(a, b):
    """Median over rounds of the ratio of the two interpreters' median times in that round,
    and the ratio of their fastest invokes."""
    per_round = (statistics.median(x) / statistics.median(y) for x, y in zip(a, b))
    return statistics.median(per_round), min(map(min, a)) / min(map(min, b))


def flat(rounds):
    return [t for r in rounds for t in r]


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
    float_paths = {n: find(n) for n in args.models if n.endswith("__float")}
    ours_made = lambda p: Interpreter(model_path=p, num_threads=args.threads)  # noqa: E731
    against_float = []
    for name in args.models:
        path = find(name)
        runs = args.runs if path.stat().st_size > 100_000 else args.runs * 100
        group = [prepared(ours_made, path, args.warmup)]
        if LiteRT is not None:
            theirs = lambda p: LiteRT(model_path=p, num_threads=args.threads)  # noqa: E731
            group.append(prepared(theirs, path, args.warmup))
        base, _, variant = name.rpartition("__")
        float_path = float_paths.get(f"{base}__float")
        compare_float = variant in ("int8", "int16x8", "dynamic", "fp16") and float_path
        if compare_float:
            group.append(prepared(ours_made, float_path, args.warmup))
        times = interleaved(group, runs)
        mine, all_mine = times[0], flat(times[0])
        if LiteRT is None:
            print(f"{name:34} {fmt(statistics.median(all_mine)):>12}   {fmt(min(all_mine)):>12}")
        else:
            med, fast = ratio(mine, times[1])
            all_theirs = flat(times[1])
            print(
                f"{name:34} {fmt(statistics.median(all_mine)):>12} "
                f"{fmt(statistics.median(all_theirs)):>12} {med:6.2f}x   "
                f"{fmt(min(all_mine)):>12} {fmt(min(all_theirs)):>12} {fast:6.2f}x"
            )
        if compare_float:
            against_float.append((name, ratio(mine, times[-1])))
    for name, (med, fast) in against_float:
        print(f"{name:34} {med:5.2f}x our float run (fastest runs {fast:.2f}x)")


if __name__ == "__main__":
    main()
