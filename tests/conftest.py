"""Test set-up: tests/ on sys.path, and where the oracle models live."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))

from fixtures_path import missing_oracle, oracle_dir, shared_models_dir  # noqa: E402

__all__ = ["missing_oracle", "oracle_dir", "shared_models_dir"]


def pytest_report_header(config):
    return f"oracle models: {oracle_dir()}  (CI={os.environ.get('CI', '')!r})"


@pytest.fixture
def rng():
    import numpy as np

    return np.random.default_rng(0)
