"""Streaming keyword spotting, int8, from numpy weights to TFLite Micro C++.

    python samples/keyword_spotting/run.py                # files in a temporary folder
    python samples/keyword_spotting/run.py --fast         # a shorter stream (CI)
    python samples/keyword_spotting/run.py --out build/kws --json

A DEMONSTRATION model (see ``kws_model.py``): synthetic feature frames, seeded random conv
filters and a readout trained by ridge regression in numpy. What it shows is real: a stateful
int8 .tflite that takes one feature frame per invoke and keeps the last frames in a resource
variable, as streaming audio models on microcontrollers do.

Steps: build the float window classifier with edgelite's IR; quantize it to int8 with
``edgelite.quantize`` (calibrated on synthetic windows); wrap the int8 classifier in the
streaming ring buffer (CALL_ONCE init, VAR_HANDLE / READ_VARIABLE / ASSIGN_VARIABLE,
STRIDED_SLICE + CONCATENATION); check that streaming frame by frame gives exactly what the
non-streaming model gives on each whole window, in edgelite's interpreter and in LiteRT
(when ``ai_edge_litert`` is installed); then write the C++ for TFLite Micro
(``edgelite export-c``).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # kws_model.py beside this script

import kws_model as kws  # noqa: E402

import edgelite  # noqa: E402
from edgelite.converter.writer import graph_to_bytes  # noqa: E402
from edgelite.export_c import export_c  # noqa: E402
from edgelite.interpreter import Interpreter  # noqa: E402


def runtimes() -> dict:
    """Our interpreter and, if installed, LiteRT with TFLite's reference kernels (its default
    XNNPACK delegate rounds some int8 convolutions differently; a microcontroller runs the
    reference kernels' arithmetic)."""
    found = {"edgelite": Interpreter}
    try:
        from ai_edge_litert.interpreter import Interpreter as LiteRT
        from ai_edge_litert.interpreter import OpResolverType

        found["litert"] = functools.partial(
            LiteRT, experimental_op_resolver_type=OpResolverType.BUILTIN_REF
        )
    except ImportError:
        print("note: ai_edge_litert not installed: checking in edgelite's interpreter only")
    return found


def quantize_frames(x: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    return np.clip(np.round(x / scale) + zero_point, -128, 127).astype(np.int8)


def make_stream(n_frames: int, seed: int) -> tuple:
    """[n_frames, BANDS] synthetic features: clips of random classes, each followed by a
    silent one (windows that straddle two events are not what the classifier learned)."""
    clips, labels = kws.dataset(-(-n_frames // (2 * kws.FRAMES)), seed)
    silence, _ = kws.dataset(len(clips), seed + 1, label=0)
    frames = np.stack([clips, silence], axis=1).reshape(-1, kws.BANDS)
    return frames[:n_frames], labels


def run_streaming(Runtime, model: bytes, frames: np.ndarray) -> np.ndarray:
    """One invoke per frame; the outputs stacked [n_frames, classes]."""
    interp = Runtime(model_content=model)
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    outs = []
    for frame in frames:
        interp.set_tensor(inp["index"], frame[None])
        interp.invoke()
        outs.append(interp.get_tensor(out["index"])[0].copy())
    return np.stack(outs)


def run_windows(Runtime, model: bytes, frames: np.ndarray, pad) -> np.ndarray:
    """The non-streaming model on the window ending at each frame (``pad`` before the start)."""
    padded = np.concatenate([np.full((kws.FRAMES - 1, kws.BANDS), pad, frames.dtype), frames])
    interp = Runtime(model_content=model)
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    outs = []
    for n in range(len(frames)):
        interp.set_tensor(inp["index"], padded[None, n : n + kws.FRAMES])
        interp.invoke()
        outs.append(interp.get_tensor(out["index"])[0].copy())
    return np.stack(outs)


def accuracy(model: bytes, windows: np.ndarray, labels: np.ndarray, quant=None) -> float:
    interp = Interpreter(model_content=model)
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    hits = 0
    for x, y in zip(windows, labels):
        x = x[None] if quant is None else quantize_frames(x[None], *quant)
        interp.set_tensor(inp["index"], x)
        interp.invoke()
        hits += int(np.argmax(interp.get_tensor(out["index"])) == y)
    return hits / len(labels)


def run(out_dir: Path, fast: bool = False) -> dict:
    weights = kws.train(seed=0)
    classifier = kws.classifier_graph(weights)
    calibration, _ = kws.dataset(100, seed=10)
    q = edgelite.quantize(classifier, calibration=[[w[None]] for w in calibration])
    in_q = kws.quant_of(q.graph.inputs[0])
    window_int8 = q.model
    stream_int8 = kws.streaming_model_bytes(kws.streaming_graph(q.graph))
    stream_float = kws.streaming_model_bytes(kws.streaming_graph(classifier))
    files = {"window_int8": window_int8, "stream_int8": stream_int8, "stream_float": stream_float}
    paths = {key: out_dir / f"kws_{key}.tflite" for key in files}
    for key, data in files.items():
        paths[key].write_bytes(data)

    test, test_labels = kws.dataset(100 if fast else 1000, seed=20)
    report = {
        "demonstration_model": True,
        "accuracy_float": accuracy(graph_to_bytes(classifier), test, test_labels),
        "accuracy_int8": accuracy(window_int8, test, test_labels, in_q),
        "bytes": {key: len(data) for key, data in files.items()},
    }
    frames, clips = make_stream(120 if fast else 480, seed=30)
    frames_q = quantize_frames(frames, *in_q)
    report["frames"] = len(frames)
    report["events"] = [kws.CLASSES[c] for c in clips if kws.CLASSES[c] != "silence"]
    report["checks"] = {}
    results = {}
    for name, Runtime in runtimes().items():
        streamed = run_streaming(Runtime, stream_int8, frames_q)
        windowed = run_windows(Runtime, window_int8, frames_q, np.int8(in_q[1]))
        results[name] = streamed
        same = np.array_equal(streamed, windowed)
        report["checks"][f"{name}: streaming == whole window (int8)"] = bool(same)
        streamed_f = run_streaming(Runtime, stream_float, frames)
        windowed_f = run_windows(Runtime, graph_to_bytes(classifier), frames, np.float32(0))
        err = float(np.abs(streamed_f - windowed_f).max())
        report["checks"][f"{name}: streaming == whole window (float, max err {err:.1e})"] = (
            err <= 1e-6
        )
    if "litert" in results:
        diff = int(np.abs(results["edgelite"].astype(int) - results["litert"]).max())
        report["checks"][f"edgelite == LiteRT (int8 streaming; max diff {diff})"] = diff == 0
    report["detections"] = [kws.CLASSES[c] for c in _detections(results["edgelite"])]

    firmware = export_c(paths["stream_int8"], out_dir / "firmware", name="kws", overwrite=True)
    report["export_c"] = {
        "header": str(firmware.header),
        "source": str(firmware.source),
        "ops": firmware.ops,
        "arena_size": firmware.arena_size,
        "arena_source": firmware.arena_source,
    }
    return report


def _detections(scores: np.ndarray, threshold: int = 64, hold: int = 3) -> list:
    """Events a device would act on: a non-silence class on top with int8 score >= threshold
    (softmax scale 1/256, zero point -128: 64 is 0.75) for ``hold`` frames in a row."""
    found, run, last = [], 0, None
    for s in scores:
        best = int(np.argmax(s))
        hit = best if s[best] >= threshold and kws.CLASSES[best] != "silence" else None
        run = run + 1 if hit is not None and hit == last else 1
        if hit is not None and run == hold:
            found.append(hit)
        last = hit
    return found


def print_report(r: dict) -> None:
    print("streaming keyword spotting (a demonstration model: synthetic features)")
    print(
        f"  window classifier accuracy on synthetic clips: float {100 * r['accuracy_float']:.1f}%"
        f", int8 {100 * r['accuracy_int8']:.1f}%"
    )
    for name, size in r["bytes"].items():
        print(f"  {name:13s} {size:6d} bytes")
    print(f"  {r['frames']} frames streamed, one invoke each")
    for name, ok in r["checks"].items():
        print(f"  check {name}: {'ok' if ok else 'FAIL'}")
    print(f"  events streamed: {' '.join(r['events']) or '-'}")
    print(f"  detected:        {' '.join(r['detections']) or '-'}")
    e = r["export_c"]
    print(f"  TFLite Micro C++: {e['header']}, {e['source']}")
    print(f"    ops {', '.join(e['ops'])}; arena {e['arena_size']} bytes ({e['arena_source']})")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="A shorter stream (for CI).")
    parser.add_argument("--out", type=Path, help="Keep the .tflite and C++ files here.")
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
    sys.exit(0 if all(main()["checks"].values()) else 1)
