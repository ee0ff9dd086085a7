"""Latency percentiles and a per-op profile of a model in our interpreter (``edgelite bench``)."""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np

from edgelite.interpreter import Interpreter
from edgelite.runner import random_input


def bench(path, runs: int = 50, warmup: int = 5, seed: int = 0, profile_runs: int = 10) -> dict:
    """Time ``runs`` invokes after ``warmup``; profile ops over ``profile_runs`` more invokes."""
    interp = Interpreter(model_path=str(path))
    interp.allocate_tensors()
    rng = np.random.default_rng(seed)
    for d in interp.get_input_details():
        interp.set_tensor(d["index"], random_input(d, rng))
    for _ in range(warmup):
        interp.invoke()
    times = []
    for _ in range(max(runs, 1)):
        start = time.perf_counter()
        interp.invoke()
        times.append(time.perf_counter() - start)
    runtime = interp._main
    per_op = defaultdict(list)
    for _ in range(max(profile_runs, 1)):
        for index, name, seconds in runtime.invoke_profiled():
            per_op[(index, name)].append(seconds)
    ops = [
        {"index": i, "op": name, "ms": float(np.median(ts)) * 1e3}
        for (i, name), ts in per_op.items()
    ]
    total = sum(o["ms"] for o in ops) or 1.0
    for o in ops:
        o["share"] = o["ms"] / total
    by_type = defaultdict(lambda: [0, 0.0])
    for o in ops:
        by_type[o["op"]][0] += 1
        by_type[o["op"]][1] += o["ms"]
    ms = np.array(times) * 1e3
    return {
        "model": str(path),
        "runs": len(ms),
        "latency_ms": {
            p: float(np.percentile(ms, q))
            for p, q in (("min", 0), ("p50", 50), ("p90", 90), ("p99", 99), ("max", 100))
        },
        "mean_ms": float(ms.mean()),
        "ops": sorted(ops, key=lambda o: -o["ms"]),
        "op_types": sorted(
            (
                {"op": k, "count": v[0], "ms": v[1], "share": v[1] / total}
                for k, v in by_type.items()
            ),
            key=lambda o: -o["ms"],
        ),
        "arena_bytes": interp.arena_bytes,
    }


def format_bench(res: dict, top: int = 15) -> str:
    lat = res["latency_ms"]
    lines = [
        f"{res['model']}: {res['runs']} runs",
        "latency  " + "  ".join(f"{k} {v:.3f} ms" for k, v in lat.items()),
        "",
        f"{'op type':28} {'count':>5} {'ms':>9} {'share':>7}",
    ]
    for o in res["op_types"]:
        lines.append(f"{o['op']:28} {o['count']:5d} {o['ms']:9.3f} {o['share']:7.1%}")
    lines += ["", f"slowest ops (of {len(res['ops'])}):"]
    lines.append(f"{'#':>5} {'op':28} {'ms':>9} {'share':>7}")
    for o in res["ops"][:top]:
        lines.append(f"{o['index']:5d} {o['op']:28} {o['ms']:9.3f} {o['share']:7.1%}")
    return "\n".join(lines)
