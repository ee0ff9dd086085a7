"""Calibration data: turn what a user passes into a list of samples (one array per model input).

Accepted: a ``.npy`` file (one input; first axis = samples), a ``.npz`` file (arrays keyed by
input name or ``input_<i>``; first axis = samples), a folder of images (Pillow, resized and
normalized), or a Python iterable / generator yielding, per sample, a list/tuple of arrays, a
dict keyed by input name, or a single array (the ``representative_dataset`` habit). Images for
an ONNX model may come in its NCHW layout: a 4-D sample whose shape is the NCHW form of the
converted (NHWC) input is transposed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from edgelite.errors import QuantizationError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}


def _fit(x: np.ndarray, detail: dict) -> np.ndarray:
    """One sample shaped like the input (a missing batch axis of 1 is added)."""
    shape = tuple(int(d) for d in detail["shape"])
    x = np.asarray(x)
    if x.shape != shape and x.ndim == len(shape) - 1 and shape[0] == 1:
        x = x[None]
    if x.ndim == 4 == len(shape) and x.shape != shape and _nchw(x.shape) == shape:
        x = x.transpose(0, 2, 3, 1)  # data in the ONNX model's layout; the .tflite is NHWC
    if x.shape != shape and x.size == int(np.prod(shape)):
        x = x.reshape(shape)
    if x.shape != shape:
        raise QuantizationError(
            f"calibration sample for input '{detail['name']}' has shape "
            f"{list(x.shape)}; the model expects {list(shape)}"
        )
    return x.astype(np.dtype(detail["dtype"]), copy=False)


def _nchw(shape: tuple) -> tuple:
    """An NCHW shape's NHWC form."""
    n, c, h, w = shape
    return (n, h, w, c)


def _split(array: np.ndarray, detail: dict) -> list:
    """Samples along the first axis of a stacked array."""
    shape = tuple(int(d) for d in detail["shape"])
    array = np.asarray(array)
    if array.ndim == len(shape) and shape[0] == 1 and array.shape[1:] == shape[1:]:
        return [array[i : i + 1] for i in range(array.shape[0])]
    if array.ndim == len(shape) + 1:
        return list(array)
    return [array]


def _from_arrays(arrays: dict, details: list, source: str) -> list:
    columns = []
    for i, d in enumerate(details):
        key = next(
            (k for k in (d["name"], d["name"].split(":")[0], f"input_{i}") if k in arrays), None
        )
        if key is None:
            raise QuantizationError(
                f"{source}: no array for input '{d['name']}' (found {sorted(arrays)})"
            )
        columns.append([_fit(x, d) for x in _split(arrays[key], d)])
    n = {len(c) for c in columns}
    if len(n) != 1:
        raise QuantizationError(f"{source}: inputs have different sample counts {sorted(n)}")
    return [list(sample) for sample in zip(*columns)]


def _from_images(
    folder: Path, details: list, size=None, mean=0.0, std=1.0, layout: str = "NHWC"
) -> list:
    try:
        from PIL import Image
    except ImportError:
        raise QuantizationError(
            "calibrating from an image folder needs Pillow: pip install 'edgelite[images]'"
        ) from None
    if len(details) != 1:
        raise QuantizationError("an image folder can only calibrate single-input models")
    d = details[0]
    shape = [int(s) for s in d["shape"]]
    h, w = (shape[1], shape[2]) if layout == "NHWC" else (shape[2], shape[3])
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise QuantizationError(f"{folder}: no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    samples = []
    for p in files:
        img = Image.open(p).convert("RGB").resize(size or (w, h))
        x = (np.asarray(img, np.float32) - np.float32(mean)) / np.float32(std)
        if layout == "NCHW":
            x = x.transpose(2, 0, 1)
        samples.append([_fit(x, d)])
    return samples


def load_samples(data, details: list, limit: int = None, **image_options) -> list:
    """Calibration samples as ``[[array per input], ...]`` for an interpreter's input details."""
    if data is None:
        raise QuantizationError("no calibration data given")
    if isinstance(data, (str, Path)):
        path = Path(data)
        if path.is_dir():
            samples = _from_images(path, details, **image_options)
        elif path.suffix == ".npz":
            with np.load(path) as z:
                samples = _from_arrays({k: z[k] for k in z.files}, details, str(path))
        elif path.suffix == ".npy":
            if len(details) != 1:
                raise QuantizationError(
                    f"{path}: a .npy file holds one input; the model has "
                    f"{len(details)} (use an .npz keyed by input name)"
                )
            samples = _from_arrays({"input_0": np.load(path)}, details, str(path))
        else:
            raise QuantizationError(
                f"{path}: calibration data must be .npy, .npz or a folder of images"
            )
    elif isinstance(data, dict):
        samples = _from_arrays(data, details, "calibration dict")
    elif isinstance(data, np.ndarray):
        samples = _from_arrays({"input_0": data}, details, "calibration array")
    else:
        samples = [_sample(item, details) for item in _take(data, limit)]
    if limit is not None:
        samples = samples[:limit]
    if not samples:
        raise QuantizationError("the calibration data holds no samples")
    return samples


def _take(iterable, limit):
    for i, item in enumerate(iterable() if callable(iterable) else iterable):
        if limit is not None and i >= limit:
            return
        yield item


def _sample(item, details: list) -> list:
    if isinstance(item, dict):
        return _from_arrays(
            {k: np.asarray(v)[None] for k, v in item.items()}, details, "calibration sample"
        )[0]
    if isinstance(item, np.ndarray):
        item = [item]
    if len(item) != len(details):
        raise QuantizationError(
            f"a calibration sample has {len(item)} arrays; the model has {len(details)} inputs"
        )
    return [_fit(x, d) for x, d in zip(item, details)]
