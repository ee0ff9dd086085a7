"""The interpreter-only install: a wheel, a fresh venv, no extras; runs with old and new numpy.

Builds one wheel from a copy of the sources, installs it without extras into fresh virtual
environments (once with the newest numpy, once with numpy 1.24) and checks that only numpy,
flatbuffers and click (and what they need) came along, then runs a float and an int8 model
through ``edgelite run`` and through ``edgelite.interpreter.Interpreter``, comparing with
LiteRT's outputs. Needs pip to reach a package index. Runs in CI; set
``EDGELITE_SKIP_INSTALL_TEST=1`` to skip it locally (ignored when ``CI`` is set).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from fixtures_path import find

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "edgelite", "schemas", "interpreter", "converter",
           "quant", "samples")  # fmt: skip
CORE = {"edgelite", "numpy", "flatbuffers", "click"}
TOOLING = {"pip", "setuptools", "wheel"}
MODELS = ("conv_relu__float", "conv_relu__int8")

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("EDGELITE_SKIP_INSTALL_TEST")) and not os.environ.get("CI"),
    reason="EDGELITE_SKIP_INSTALL_TEST is set",
)

# run inside the venv: what edgelite needs (markers evaluated, no extras) and what is installed
DEPS = """
import json, importlib.metadata as md
from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name as canon
need, todo, direct = set(), ["edgelite"], None
while todo:
    name = todo.pop()
    if name in need:
        continue
    need.add(name)
    reqs = [Requirement(r) for r in md.requires(name) or []]
    reqs = [canon(r.name) for r in reqs if r.marker is None or r.marker.evaluate({"extra": ""})]
    direct = reqs if name == "edgelite" else direct
    todo += reqs
print(json.dumps({"need": sorted(need), "direct": sorted(direct),
                  "installed": sorted(canon(d.metadata["Name"]) for d in md.distributions()),
                  "numpy": md.version("numpy")}))
"""

# run inside the venv: each model through the Python API, compared with LiteRT's outputs
API = """
import sys, numpy as np
from edgelite.interpreter import Interpreter
for model, expected in zip(sys.argv[1::2], sys.argv[2::2]):
    ref = np.load(expected)
    it = Interpreter(model_path=model)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], ref["input_0_0"])
    it.invoke()
    out = it.get_tensor(it.get_output_details()[0]["index"])
    want = ref["ref_output_0_0"]
    if out.dtype.kind == "f":
        np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)
    else:
        assert np.array_equal(out, want), model
print("ok", np.__version__)
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """One wheel for every venv, built from a copy so the checkout gets no build/ folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            src.mkdir(exist_ok=True)
            shutil.copy2(path, src / name)
    _run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-w", str(tmp)], cwd=src)
    (found,) = tmp.glob("edgelite-*.whl")
    return found


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(cmd, cwd=None) -> str:
    res = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{res.stdout}\n{res.stderr}"
    return res.stdout


def _requires(wheel_path: Path) -> list:
    with zipfile.ZipFile(wheel_path) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        text = z.read(meta).decode()
    return [
        line.split(":", 1)[1].strip()
        for line in text.splitlines()
        if line.startswith("Requires-Dist:")
    ]


def test_wheel_metadata_extras(wheel):
    reqs = _requires(wheel)
    plain = {r.split(";")[0].split(">")[0].split("=")[0].strip() for r in reqs if ";" not in r}
    assert plain == CORE - {"edgelite"}
    convert = [r for r in reqs if 'extra == "convert"' in r]
    assert any(r.startswith("onnx") for r in convert), reqs


@pytest.mark.parametrize("numpy_spec", ["numpy", "numpy==1.24.*"])
def test_interpreter_only_install(wheel, tmp_path, numpy_spec):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv])
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    py = bindir / "python"
    _run(
        [py, "-m", "pip", "install", "--upgrade", "--upgrade-strategy", "eager", wheel, numpy_spec]
    )

    deps = json.loads(_run([py, "-c", DEPS], cwd=tmp_path))
    assert set(deps["direct"]) == CORE - {"edgelite"}
    assert set(deps["installed"]) - TOOLING == set(deps["need"]), deps
    major, minor = (int(p) for p in deps["numpy"].split(".")[:2])
    assert (major, minor) == (1, 24) if "1.24" in numpy_spec else major >= 2

    models = [find(f"{m}.tflite") for m in MODELS]
    expected = [find(f"{m}.expected.npz") for m in MODELS]
    args = [str(p) for pair in zip(models, expected) for p in pair]
    assert _run([py, "-c", API, *args], cwd=tmp_path).startswith("ok")

    for model, ref in zip(models, expected):
        x = tmp_path / f"{model.stem}.npy"
        np.save(x, np.load(ref)["input_0_0"])
        out = json.loads(_run([bindir / "edgelite", "run", model, "-i", x, "--json"], cwd=tmp_path))
        want = np.load(ref)["ref_output_0_0"].reshape(-1)[:1000]
        got = np.array(out["outputs"][0]["values"])
        assert np.allclose(got, want, rtol=1e-4, atol=1e-5)
    # the bundled sample model ships in the wheel
    assert "invoke median" in _run([bindir / "edgelite", "run"], cwd=tmp_path)
