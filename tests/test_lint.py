"""The code base stays ruff-clean (the style rules live in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_clean():
    ruff = shutil.which("ruff")
    if ruff is None:
        try:
            import ruff  # noqa: F401
        except ImportError:
            pytest.fail("ruff is part of the test extras; install with pip install -e '.[test]'")
        cmd = [sys.executable, "-m", "ruff"]
    else:
        cmd = [ruff]
    for args in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        res = subprocess.run(cmd + args + [str(ROOT)], capture_output=True, text=True)
        assert res.returncode == 0, res.stdout + res.stderr
