"""samples/raspberry_pi/classify.py: numpy + edgelite.interpreter only, top-k on digits."""

from __future__ import annotations

import ast
import subprocess
import sys

import numpy as np
import pytest
from sample_scripts import SAMPLES, load_script

from edgelite.samples import digits_files, model_path

SCRIPT = "raspberry_pi/classify.py"


def _labels():
    with np.load(digits_files()["test"]) as z:
        return z["images"], z["labels"]


def test_imports_only_numpy_and_the_interpreter():
    tree = ast.parse((SAMPLES / SCRIPT).read_text())
    top = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            top |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            top.add(node.module)
    third_party = top - {"__future__", "argparse", "time", "pathlib"}
    assert third_party == {"numpy", "edgelite.interpreter", "PIL"}


@pytest.mark.parametrize("model", ["digits_int8.tflite", "digits_float.tflite"])
def test_bundled_models_classify_the_test_images(model):
    classify = load_script(SCRIPT)
    images, labels = _labels()
    hits = 0
    for x, y in zip(images[:60], labels[:60]):
        ranked, ms = classify.classify(model_path(model), x[:, :, 0], top=3)
        assert len(ranked) == 3 and ms > 0
        assert ranked[0][1] >= ranked[1][1] >= ranked[2][1]
        hits += ranked[0][0] == y
    assert hits >= 57  # >= 95%


def test_cli_npy_and_pillow_fallback(tmp_path, capsys, monkeypatch):
    classify = load_script(SCRIPT)
    images, labels = _labels()
    np.save(tmp_path / "d.npy", images[3, :, :, 0])
    ranked = classify.main([str(tmp_path / "d.npy"), "-k", "2"])
    assert ranked[0][0] == labels[3] and len(ranked) == 2
    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    (tmp_path / "x.png").write_bytes(b"")
    ranked = classify.main([str(tmp_path / "x.png"), "--index", "5"])
    assert ranked[0][0] == labels[5]
    out = capsys.readouterr().out
    assert "needs Pillow" in out and "digit" in out


def test_runs_as_a_script_with_the_float_model():
    res = subprocess.run(
        [
            sys.executable,
            str(SAMPLES / SCRIPT),
            "--fast",
            "--model",
            str(model_path("digits_float.tflite")),
            "--index",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert "1. digit" in res.stdout
