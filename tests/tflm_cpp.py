"""Compile and run `edgelite export-c` output against a stand-in for TFLite Micro's resolver
header (enough to type-check the generated C++ without a TFLite Micro build)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from edgelite.export_c import c_identifier
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
MAIN = """#include "%(header)s"
int main() {
  %(camel)sOpResolver resolver;
  if (Register%(camel)sOps(resolver) != kTfLiteOk) return 1;
  static_assert(k%(camel)sArenaSize > 0, "arena");
  return (g_%(ident)s_model_len > 0 && resolver.registered == %(ops)d) ? 0 : 2;
}
"""


def compile_and_run(tmp_path: Path, header, source, name: str, op_count: int) -> None:
    """Build main.cc + the generated ``source`` with g++ (-Wall -Werror) and run it: it checks
    the resolver registers ``op_count`` ops and the model array is not empty."""
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.skip("g++ not installed")
    header = Path(header)
    inc = tmp_path / "inc" / "tensorflow" / "lite" / "micro"
    inc.mkdir(parents=True)
    methods = "\n".join(
        f"  TfLiteStatus {m}() {{ ++registered; return kTfLiteOk; }}"
        for m in sorted(set(RESOLVER.values()))
    )
    (inc / "micro_mutable_op_resolver.h").write_text(STUB % methods)
    ident = c_identifier(name)
    camel = "".join(p[:1].upper() + p[1:] for p in ident.split("_") if p)
    main = tmp_path / "main.cc"
    main.write_text(MAIN % {"header": header.name, "camel": camel, "ident": ident, "ops": op_count})
    exe = tmp_path / "a.out"
    cmd = [
        gxx,
        "-std=c++17",
        "-Wall",
        "-Werror",
        f"-I{tmp_path / 'inc'}",
        f"-I{header.parent}",
        str(main),
        str(source),
        "-o",
        str(exe),
    ]
    build = subprocess.run(cmd, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert subprocess.run([str(exe)]).returncode == 0
