"""Our int8 quantizer beside TensorFlow's, in one run: ``python benchmarks/quant_vs_tf.py``.

For every oracle model with a TensorFlow ``__int8`` file: quantize the float model our way,
calibrated on the same ``<m>.inputs.npz`` samples TensorFlow used, then run the float model and
both int8 models in LiteRT's reference kernels on held-out inputs (the ``input_*_k`` arrays of
``<m>__float.expected.npz``) and compare each int8 model's dequantized outputs with the float
ones: SQNR (dB) over all outputs and samples, and file sizes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ORACLE = next(
    (
        p
        for p in (ROOT.parent / "shared" / "oracle", ROOT / "tests" / "fixtures" / "oracle")
        if p.is_dir()
    ),
    ROOT.parent / "shared" / "oracle",
)
# Random weights make this model's logits vanish (~1e-8), so its 1000-way int8 SOFTMAX sees
# near-uniform inputs, which abort LiteRT's reference SOFTMAX (TF's file and ours alike): both
# run in LiteRT's default kernels.
DEFAULT_RESOLVER = {"mobilenetv2_100_224"}


def models(oracle: Path = ORACLE, variant: str = "int8") -> list:
    suffix = f"__{variant}.tflite"
    return sorted(
        p.name[: -len(suffix)]
        for p in oracle.glob(f"*{suffix}")
        if (oracle / f"{p.name[: -len(suffix)]}__float.tflite").is_file()
    )


def _interpreter(content: bytes, reference: bool = True):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    kind = OpResolverType.BUILTIN_REF if reference else OpResolverType.AUTO
    it = Interpreter(model_content=content, experimental_op_resolver_type=kind)
    it.allocate_tensors()
    return it


def _run(content: bytes, samples: list, reference: bool = True) -> list:
    """Float outputs (dequantized when integer) of ``content`` for each sample."""
    it = _interpreter(content, reference)
    outs = []
    for sample in samples:
        for d, x in zip(it.get_input_details(), sample):
            it.resize_tensor_input(d["index"], x.shape) if list(d["shape"]) != list(
                x.shape
            ) else None
        it.allocate_tensors()
        for d, x in zip(it.get_input_details(), sample):
            scale, zp = d["quantization"]
            if d["dtype"] != np.float32:
                info = np.iinfo(d["dtype"])
                x = np.clip(np.round(x / scale) + zp, info.min, info.max).astype(d["dtype"])
            it.set_tensor(d["index"], x)
        it.invoke()
        row = []
        for d in it.get_output_details():
            y = it.get_tensor(d["index"])
            if d["dtype"] != np.float32:
                scale, zp = d["quantization"]
                y = (y.astype(np.float64) - zp) * scale
            row.append(np.asarray(y, np.float64))
        outs.append(row)
    return outs


def held_out(name: str, oracle: Path = ORACLE) -> list:
    with np.load(oracle / f"{name}__float.expected.npz") as z:
        keys = sorted(k for k in z.files if k.startswith("input_"))
        ks = sorted({int(k.rsplit("_", 1)[1]) for k in keys})
        n_in = len({k.rsplit("_", 1)[0] for k in keys})
        return [[z[f"input_{i}_{k}"] for i in range(n_in)] for k in ks]


def _sqnr(ref: list, test: list) -> float:
    from edgelite.quant.metrics import sqnr_db

    a = np.concatenate([y.reshape(-1) for row in ref for y in row])
    b = np.concatenate([y.reshape(-1) for row in test for y in row])
    return sqnr_db(a, b)


def compare(name: str, oracle: Path = ORACLE, variant: str = "int8", **options) -> dict:
    """Our file (``quantize(**options)``) and TF's ``__<variant>`` file, each against the float
    model (``variant`` int16x8 quantizes in mode int16x8)."""
    from edgelite.quantization import quantize

    options.setdefault("mode", "int16x8" if variant == "int16x8" else "int8")
    if variant == "int8_floatio":
        options.update(input_type="float32", output_type="float32")
    ours = quantize(oracle / f"{name}__float.tflite", oracle / f"{name}.inputs.npz", **options)
    tf = (oracle / f"{name}__{variant}.tflite").read_bytes()
    samples = held_out(name, oracle)
    ref = _run((oracle / f"{name}__float.tflite").read_bytes(), samples)
    row = {"model": name, "ours_size": ours.size, "tf_size": len(tf), "model_bytes": ours.model}
    reference = name not in DEFAULT_RESOLVER
    row["ours_db"] = _sqnr(ref, _run(ours.model, samples, reference))
    try:
        row["tf_db"] = _sqnr(ref, _run(tf, samples, reference))
    except (RuntimeError, ValueError) as e:  # LiteRT 2.3 cannot load some of TF's files
        row["tf_db"], row["tf_error"] = float("nan"), str(e).splitlines()[0][:60]
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="*", help="model names (default: every int8 oracle)")
    ap.add_argument("--skip", nargs="*", default=[], help="model names to leave out")
    ap.add_argument("--method", default="mse", help="our calibration method (default: mse)")
    ap.add_argument(
        "--variant", default="int8", help="TF's file to compare with: int8, int8_floatio, int16x8"
    )
    args = ap.parse_args(argv)
    names = [n for n in (args.models or models(variant=args.variant)) if n not in args.skip]
    head = f"{'model':24} {'ours dB':>8} {'TF dB':>8} {'diff':>7} {'ours B':>9} {'TF B':>9}"
    print(f"{head} {'size':>6}")
    diffs = []
    for name in names:
        r = compare(name, variant=args.variant, calibration_method=args.method)
        d = r["ours_db"] - r["tf_db"]
        if np.isfinite(d):
            diffs.append(d)
        note = f"  ({r['tf_error']})" if "tf_error" in r else ""
        print(
            f"{name:24} {r['ours_db']:8.2f} {r['tf_db']:8.2f} {d:+7.2f} {r['ours_size']:9d} "
            f"{r['tf_size']:9d} {r['ours_size'] / r['tf_size']:6.1%}{note}"
        )
    if diffs:
        print(
            f"mean SQNR difference (ours - TF) over {len(diffs)} models: {np.mean(diffs):+.2f} dB;"
            f" worst {min(diffs):+.2f} dB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
