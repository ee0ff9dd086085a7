"""edgelite export-c: the C++ compiles against TFLite Micro's API and holds the exact bytes."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from fixtures_path import oracle_dir

from edgelite.cli import main
from edgelite.export_c import bytes_from_source, export_c
from edgelite.tflm import RESOLVER

STUB = """#pragma once
#include <cstddef>
typedef enum { kTfLiteOk = 0, kTfLiteError = 1 } TfLiteStatus;
namespace tflite {
template <unsigned int N> class MicroMutableOpResolver {
 public:
  int registered = 0;
%s
};
}  // namespace tflite
"""
MAIN = """#include "%s"
int main() {
  %sOpResolver resolver;
  if (Register%sOps(resolver) != kTfLiteOk) return 1;
  static_assert(k%sArenaSize > 0, "arena");
  return (g_%s_model_len > 0 && resolver.registered == %d) ? 0 : 2;
}
"""


def _stub_header(root):
    methods = "\n".join(
        f"  TfLiteStatus {m}() {{ ++registered; return kTfLiteOk; }}"
        for m in sorted(set(RESOLVER.values()))
    )
    path = root / "tensorflow" / "lite" / "micro"
    path.mkdir(parents=True)
    (path / "micro_mutable_op_resolver.h").write_text(STUB % methods)


@pytest.mark.parametrize(
    "name", ["mobilenetv2_035_96__int8", "attention__int8", "concat_pad_reshape__int8_floatio"]
)
def test_generated_cpp_compiles_and_round_trips(tmp_path, name):
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.skip("g++ not installed")
    model = oracle_dir() / f"{name}.tflite"
    res = export_c(model, tmp_path / "out", name=name, arena_size=None)
    assert bytes_from_source(res.source) == model.read_bytes()
    _stub_header(tmp_path / "inc")
    camel = "".join(p[:1].upper() + p[1:] for p in name.split("_") if p)
    (tmp_path / "main.cc").write_text(
        MAIN % (res.header.name, camel, camel, camel, name, len(res.ops))
    )
    exe = tmp_path / "a.out"
    build = subprocess.run(
        [
            gxx,
            "-std=c++17",
            "-Wall",
            "-Werror",
            f"-I{tmp_path / 'inc'}",
            f"-I{res.header.parent}",
            str(tmp_path / "main.cc"),
            str(res.source),
            "-o",
            str(exe),
        ],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    assert subprocess.run([str(exe)]).returncode == 0
    assert res.arena_size > 0


def test_cli_refuses_to_overwrite_and_reports(tmp_path):
    model = oracle_dir() / "dense_mlp__int8.tflite"
    args = ["export-c", str(model), "-o", str(tmp_path), "--arena-size", "4096", "--json"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    d = json.loads(first.output)
    assert d["arena_size"] == 4096 and d["arena_source"] == "given"
    assert d["ops"] == ["FULLY_CONNECTED", "SOFTMAX"]
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1 and "exists" in again.output
    forced = CliRunner().invoke(main, args + ["--force"])
    assert forced.exit_code == 0
