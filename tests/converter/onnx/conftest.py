"""Tests of the ONNX importer: onnx_harness.py sits beside them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

pytest.importorskip("onnx")
