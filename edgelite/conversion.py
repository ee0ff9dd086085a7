"""``edgelite.convert()``: ONNX or .tflite in, optimized .tflite out (``edgelite convert``).

import -> passes (``edgelite.converter.passes``) -> writer -> optional check against the
source's own runtime -> atomic write. Nothing is written when any step fails, and an existing
output file is only replaced when ``overwrite`` is set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from edgelite.errors import ConversionError, UsageError


@dataclass
class ConversionResult:
    model: bytes  # the .tflite file's bytes
    source: str  # the source's name (path or "<bytes>")
    source_format: str  # "onnx" or "tflite"
    output: Optional[Path] = None  # where it was written, if anywhere
    passes: list = field(default_factory=list)  # PassStat per pass run
    ops_before: dict = field(default_factory=dict)  # op counts after import
    ops_after: dict = field(default_factory=dict)  # op counts written
    checks: Optional[list] = None  # OutputCheck per output when checked

    @property
    def ok(self) -> bool:
        return self.checks is None or all(c.ok for c in self.checks)

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "source_format": self.source_format,
            "output": None if self.output is None else str(self.output),
            "bytes": len(self.model),
            "ops_before": self.ops_before,
            "ops_after": self.ops_after,
            "passes": [s.to_dict() for s in self.passes],
            "check": None if self.checks is None else [c.to_dict() for c in self.checks],
            "ok": self.ok,
        }


def source_format(model) -> str:
    """ "onnx" or "tflite", from the file name or, failing that, the content."""
    if isinstance(model, (str, os.PathLike)):
        suffix = Path(model).suffix.lower()
        if suffix in (".onnx", ".tflite"):
            return suffix[1:]
        if not Path(model).is_file():
            raise UsageError(f"{model}: no such model file")
        with open(model, "rb") as f:
            head = f.read(8)
    else:
        head = bytes(model[:8])
    return "tflite" if head[4:8] == b"TFL3" else "onnx"


def _import(model, fmt: str, input_shapes, keep_layout: bool):
    if fmt == "tflite":
        if input_shapes:
            raise UsageError("input shapes can only be set for ONNX models")
        from edgelite.converter.importers.tflite import import_tflite

        return import_tflite(model)
    import_onnx = _onnx_importer()
    if not isinstance(model, (str, os.PathLike)):
        model = bytes(model)
    return import_onnx(model, input_shapes=input_shapes, nhwc_inputs=not keep_layout)


def _onnx_importer():
    """``import_onnx``, imported on first use so .tflite work never needs onnx."""
    try:
        from edgelite.converter.importers.onnx import import_onnx
    except ImportError:
        try:  # the package may not re-export it
            from edgelite.converter.importers.onnx.importer import import_onnx
        except ImportError as e:
            if getattr(e, "name", "") == "onnx":
                raise ConversionError(
                    "converting ONNX needs the onnx package: pip install 'edgelite[convert]'"
                ) from e
            raise ConversionError(f"the ONNX importer is not available ({e})") from e
    return import_onnx


def convert(
    model,
    output=None,
    *,
    input_shapes: dict = None,
    keep_layout: bool = False,
    passes="default",
    check: bool = False,
    check_inputs=(),
    seed: int = 0,
    overwrite: bool = False,
) -> ConversionResult:
    """Convert ``model`` (a path to .onnx/.tflite, or its bytes) to .tflite.

    ``input_shapes`` ({input name: dims}) fixes dynamic ONNX input dims; ``keep_layout`` keeps
    ONNX's NCHW inputs (a TRANSPOSE follows them) instead of making them NHWC; ``passes`` is
    "default", None for none, or a list of pass names (``edgelite.converter.passes.PASSES``);
    ``check`` compares the result with the source's runtime (``check_inputs``: .npy/.npz files
    as for ``edgelite run``, else random inputs from ``seed``). The file is written to
    ``output`` (atomically; an existing file only with ``overwrite``) when every step succeeds.
    """
    from edgelite.converter.passes import run_passes
    from edgelite.converter.writer import graph_to_bytes
    from edgelite.schemas.model import load_model

    if output is not None:
        if Path(output).exists() and not overwrite:
            raise FileExistsError(
                f"{output} exists; pass overwrite=True (or --force) to replace it"
            )
        if not Path(output).resolve().parent.is_dir():
            raise UsageError(f"{output}: the folder it goes in does not exist")
    fmt = source_format(model)
    name = str(model) if isinstance(model, (str, os.PathLike)) else "<bytes>"
    if fmt == "tflite":
        _validate(model)
    graph = _import(model, fmt, input_shapes, keep_layout)
    ops_before = graph.op_counts()
    graph, report = run_passes(graph, passes)
    content = graph_to_bytes(graph, source=Path(name).name if name != "<bytes>" else None)
    load_model(content, what=f"converted {name}")  # the writer's output must verify
    result = ConversionResult(content, name, fmt, None, report.stats, ops_before, graph.op_counts())
    if check:
        result.checks = _check(model, fmt, content, input_shapes, keep_layout, check_inputs, seed)
        if not result.ok:
            return result
    if output is not None:
        from edgelite.schemas.model import write_atomic

        result.output = write_atomic(output, content, overwrite=overwrite)
    return result


def _validate(model) -> None:
    """A .tflite source is checked by the interpreter's kernels first (shapes, types, options,
    quantization): the passes trust them. Ops it has no kernel for are left to the writer."""
    from edgelite.errors import UnsupportedOpError
    from edgelite.interpreter import Interpreter

    source = {"model_path": str(model)} if isinstance(model, (str, os.PathLike)) else {
        "model_content": bytes(model)}  # fmt: skip
    try:
        Interpreter(**source).allocate_tensors()
    except UnsupportedOpError:
        pass


def _check(model, fmt, content, input_shapes, keep_layout, files, seed):
    from edgelite.converter import check

    source = str(model) if isinstance(model, (str, os.PathLike)) else bytes(model)
    if fmt == "tflite":
        return check.check_tflite(source, content, files, seed)
    return check.check_onnx(source, content, input_shapes, keep_layout, files, seed)
