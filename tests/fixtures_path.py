"""Where test data lives: ../shared beside the checkout, else the copies in tests/fixtures.

The project's suite must also run for people who clone the project alone, so every oracle file
a test needs is copied into tests/fixtures (except the large benchmark models). A test that
needs a file found in neither place fails under CI (``CI`` set) and skips elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"


def oracle_dir() -> Path:
    shared = SHARED / "oracle"
    return shared if shared.is_dir() else FIXTURES / "oracle"


def shared_models_dir() -> Path:
    shared = SHARED / "models"
    return shared if shared.is_dir() else FIXTURES / "models"


def find(name: str, kind: str = "oracle") -> Path:
    """Path of an oracle/model file, from ../shared or tests/fixtures; fail or skip if absent."""
    for base in (SHARED / kind, FIXTURES / kind):
        if (base / name).is_file():
            return base / name
    missing_oracle(f"{kind}/{name}")


def missing_oracle(what: str):
    if os.environ.get("CI"):
        pytest.fail(f"oracle {what} is missing (required under CI)")
    pytest.skip(f"oracle {what} not available")


def require(module: str):
    """Import an oracle package (onnxruntime, ai_edge_litert): fail under CI, else skip."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        missing_oracle(f"package {module}")
