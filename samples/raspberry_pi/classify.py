"""Classify a handwritten digit on a Raspberry Pi (or any small Linux board) with edgelite.

    python classify.py                       # a bundled held-out test image
    python classify.py digit.png --top 3     # any image (needs Pillow); dark ink on light is fine
    python classify.py digit.npy             # an 8x8 array with values in [0, 1]
    python classify.py --model ../models/digits_float.tflite --index 7

Needs only numpy and ``edgelite.interpreter`` (install edgelite without extras on the device;
Pillow is optional and only reads image files). The model is the digits CNN of
``samples/image_classifier`` (8x8 grayscale, ink bright on dark, values in [0, 1]), bundled as
``samples/models/digits_int8.tflite`` (full int8) and ``digits_float.tflite``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from edgelite.interpreter import Interpreter

HERE = Path(__file__).resolve().parent
MODELS = HERE.parent / "models"
TEST_IMAGES = HERE.parent / "image_classifier" / "digits_test.npz"


def bundled_image(index: int) -> tuple:
    """(8x8 image, its label) from the held-out test set of the image classifier sample."""
    with np.load(TEST_IMAGES) as z:
        return z["images"][index, :, :, 0], int(z["labels"][index])


def read_image(path: Path) -> np.ndarray:
    """An 8x8 float image in [0, 1], ink bright: .npy as is, other files through Pillow."""
    if path.suffix.lower() == ".npy":
        return np.asarray(np.load(path), np.float32).reshape(8, 8)
    from PIL import Image  # optional: only needed for image files

    img = Image.open(path).convert("L").resize((8, 8), Image.BILINEAR)
    x = np.asarray(img, np.float32) / 255.0
    return 1.0 - x if x.mean() > 0.5 else x  # dark ink on light paper -> bright ink on dark


def classify(model: Path, image: np.ndarray, top: int = 3) -> tuple:
    """([(class, score), ...] best first, invoke milliseconds)."""
    interp = Interpreter(model_path=str(model))
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    x = image.reshape(inp["shape"]).astype(np.float32)
    if inp["dtype"] != np.float32:  # an int8 model: quantize with the input's own params
        scale, zero_point = inp["quantization"]
        x = np.clip(np.round(x / scale) + zero_point, -128, 127).astype(inp["dtype"])
    interp.set_tensor(inp["index"], x)
    start = time.perf_counter()
    interp.invoke()
    ms = (time.perf_counter() - start) * 1e3
    logits = interp.get_tensor(out["index"]).reshape(-1).astype(np.float32)
    if out["dtype"] != np.float32:
        scale, zero_point = out["quantization"]
        logits = scale * (logits - zero_point)
    scores = np.exp(logits - logits.max())
    scores /= scores.sum()
    best = np.argsort(-scores, kind="stable")[:top]
    return [(int(c), float(scores[c])) for c in best], ms


def main(argv=None) -> list:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", nargs="?", type=Path, help="Image file or 8x8 .npy.")
    parser.add_argument("--model", type=Path, default=MODELS / "digits_int8.tflite")
    parser.add_argument("--top", "-k", type=int, default=3, help="How many classes to list.")
    parser.add_argument("--index", type=int, default=0, help="Which bundled test image.")
    parser.add_argument(
        "--fast", action="store_true", help="Accepted for CI like the other samples (one invoke)."
    )
    args = parser.parse_args(argv)
    label = None
    if args.image is None:
        image, label = bundled_image(args.index)
        print(f"image: bundled test image #{args.index} (label {label})")
    else:
        try:
            image = read_image(args.image)
            print(f"image: {args.image}")
        except ImportError:
            image, label = bundled_image(args.index)
            print(
                f"note: reading {args.image.name} needs Pillow (pip install pillow), or pass an "
                f"8x8 .npy; classifying bundled test image #{args.index} (label {label}) instead"
            )
    ranked, ms = classify(args.model, image, args.top)
    print(f"model: {args.model.name}  ({ms:.3f} ms)")
    for rank, (digit, score) in enumerate(ranked, 1):
        print(f"  {rank}. digit {digit}  {score:.4f}")
    return ranked


if __name__ == "__main__":
    main()
