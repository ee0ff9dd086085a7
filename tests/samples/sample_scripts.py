"""Load a sample script (samples/*/*.py, not a package) as a module by its path."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def load_script(relpath: str):
    path = SAMPLES / relpath
    spec = importlib.util.spec_from_file_location(f"sample_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
