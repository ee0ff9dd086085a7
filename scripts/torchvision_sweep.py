"""Convert and quantize torchvision's classifiers (random weights) and check every result.

A field check of the converter and the integer kernels on real architectures, run by hand:
needs torch and torchvision (never in the library or CI) plus onnxruntime and ai-edge-litert:

    pip install torch torchvision onnxruntime ai-edge-litert
    python scripts/torchvision_sweep.py [--out DIR] [--quantize] [model names...]

Each model is exported to ONNX (opset 17, 1x3x224x224), converted, and run in edgelite and
LiteRT against onnxruntime (relative max error); with ``--quantize`` it is also quantized to
int8 and int16x8 on four random samples and run in both interpreters against LiteRT's
reference kernels (outputs must be identical). Random weights make some checks weak (ViT's
head is initialized to zero, so its output is 0 in every runtime).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

MODELS = [
    "alexnet", "convnext_tiny", "densenet121", "efficientnet_b0", "efficientnet_v2_s",
    "googlenet", "maxvit_t", "mnasnet0_5", "mobilenet_v3_large", "mobilenet_v3_small",
    "regnet_x_400mf", "regnet_y_400mf", "resnext50_32x4d", "shufflenet_v2_x0_5",
    "squeezenet1_1", "swin_t", "vgg11", "vit_b_16", "wide_resnet50_2",
]  # fmt: skip


def export(name: str, out: Path) -> Path:
    import torch
    import torchvision

    torch.manual_seed(0)
    kw = {"aux_logits": False, "init_weights": True} if name == "googlenet" else {}
    model = getattr(torchvision.models, name)(weights=None, **kw).eval()
    path = out / f"{name}.onnx"
    x = torch.randn(1, 3, 224, 224)
    torch.onnx.export(model, x, str(path), dynamo=False, opset_version=17, input_names=["x"])
    return path


def run(make, content: bytes, x: np.ndarray) -> np.ndarray:
    interp = make(model_content=content)
    interp.allocate_tensors()
    d = interp.get_input_details()[0]
    if d["dtype"] != np.float32:
        scale, zp = d["quantization"]
        info = np.iinfo(d["dtype"])
        x = np.clip(np.round(x / scale) + zp, info.min, info.max).astype(d["dtype"])
    interp.set_tensor(d["index"], x if tuple(d["shape"]) == x.shape else x.transpose(0, 2, 3, 1))
    interp.invoke()
    return interp.get_tensor(interp.get_output_details()[0]["index"])


def check(path: Path, quantize: bool) -> str:
    import functools

    import onnxruntime as ort
    from ai_edge_litert.interpreter import Interpreter as LiteRT
    from ai_edge_litert.interpreter import OpResolverType

    import edgelite
    from edgelite.interpreter import Interpreter

    start = time.perf_counter()
    res = edgelite.convert(str(path))
    line = f"convert {time.perf_counter() - start:5.2f} s"
    x = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)
    want = ort.InferenceSession(str(path)).run(None, {"x": x})[0]
    for label, make in (("edgelite", Interpreter), ("LiteRT", LiteRT)):
        err = np.abs(run(make, res.model, x) - want).max() / (np.abs(want).max() + 1e-30)
        line += f"  {label} {err:.1e}"
    if quantize:
        ref = functools.partial(LiteRT, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
        rng = np.random.default_rng(1)
        samples = [[rng.standard_normal((1, 224, 224, 3)).astype(np.float32)] for _ in range(4)]
        for mode in ("int8", "int16x8"):
            q = edgelite.quantize(res.model, samples, mode=mode)
            x_q = samples[0][0]
            ours, theirs = run(Interpreter, q.model, x_q), run(ref, q.model, x_q)
            line += f"  {mode} {'identical' if np.array_equal(ours, theirs) else 'DIFFERENT'}"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=MODELS)
    parser.add_argument("--out", type=Path, help="keep the ONNX files here")
    parser.add_argument("--quantize", action="store_true", help="also int8 and int16x8")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        for name in args.models:
            try:
                print(f"{name:20s} {check(export(name, out), args.quantize)}", flush=True)
            except Exception as e:  # report and go on: this is a survey
                print(f"{name:20s} FAILED {type(e).__name__}: {str(e).splitlines()[0][:160]}")


if __name__ == "__main__":
    main()
