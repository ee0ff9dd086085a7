"""The supported-ops tables: ``python -m edgelite.opstable``.

The interpreter's TFLite ops come from the kernel registry, the converter's ONNX ops from the
ONNX importer's registry. Writes docs/SUPPORTED_OPS.md when run with ``--write``; a test checks
the file is current.
"""

from __future__ import annotations

import sys
from pathlib import Path

COLUMNS = ("float", "int8", "uint8", "int16", "hybrid", "int32", "int64", "bool", "any")


def ops_markdown() -> str:
    from edgelite.interpreter.kernels import supported_ops

    table = supported_ops()
    lines = [
        "# Supported ops",
        "",
        "Generated from the interpreter's kernel registry and the ONNX importer's registry by",
        "`python -m edgelite.opstable --write`; do not edit.",
        "",
        "## Interpreter: TFLite ops",
        "",
        "`any` marks type-generic kernels (data movement) that run on every tensor type.",
        "",
        "| op | " + " | ".join(COLUMNS) + " |",
        "|---|" + "---|" * len(COLUMNS),
    ]
    for op, families in table.items():
        cells = ["yes" if c in families else "" for c in COLUMNS]
        lines.append(f"| {op} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"{len(table)} ops.")
    return "\n".join(lines + onnx_lines()) + "\n"


def _attr(name, default) -> str:
    return name if default is None else f"{name}={default!r}"


def onnx_lines() -> list:
    """The ONNX importer's op types with the attributes each reads (defaults shown)."""
    from edgelite.converter.importers.onnx import supported_ops
    from edgelite.converter.importers.onnx.registry import REASONS, lookup

    ops = supported_ops()
    lines = [
        "",
        "## Converter: ONNX ops",
        "",
        "ONNX op types `edgelite convert` imports, with the attributes each reads (defaults",
        "shown). Nodes whose inputs are all constant are folded whatever their type; a model",
        "with other op types, or attribute values the importer cannot map, fails with one error",
        "listing every such node.",
        "",
        "| ONNX op | attributes |",
        "|---|---|",
    ]
    for op in ops:
        attrs = ", ".join(_attr(k, v) for k, v in sorted(lookup(op).attrs.items()))
        lines.append(f"| {op} | {attrs.replace('|', '/')} |")
    lines += ["", f"{len(ops)} ONNX ops.", "", "Not converted, and why:", ""]
    lines += [f"- {op}: {why}" for op, why in sorted(REASONS.items())]
    return lines


def main(argv=None) -> int:
    return write_or_print("SUPPORTED_OPS.md", ops_markdown(), argv)


def write_or_print(name: str, text: str, argv=None) -> int:
    """``--write``: save ``text`` as docs/``name``; otherwise print it. Shared by the doc
    generators (this module and ``clidoc``)."""
    argv = sys.argv[1:] if argv is None else argv
    if "--write" in argv:
        out = Path(__file__).resolve().parents[1] / "docs" / name
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
